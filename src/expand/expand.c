/*++
 * NAME
 *	expand 3
 * SUMMARY
 *	string expansion: the core of Exim's "${...}" language
 * SYNOPSIS
 *	#include "expand/expand.h"
 *
 *	void	expand_ctx_init(struct expand_ctx *ctx, struct arena *a)
 *	int	expand_string(struct expand_ctx *ctx, const char *in,
 *				char **out, gstr *err)
 *	int	expand_condition(struct expand_ctx *ctx, const char *in,
 *				int *truth, gstr *err)
 *	void	expand_error_text(gstr *out, const char *in,
 *				const char *message, size_t offset)
 * DESCRIPTION
 *	expand_string() copies its input to the result, replacing
 *	"$name" and "${name}" by the value of a variable, "${item{..}..}"
 *	by what the item computes, "${op:..}" by an operator's result, and
 *	interpreting backslash escapes; "\N...\N" is copied as it is.
 *	Items, conditions, operators, variables and header variables live
 *	in their own files; this one parses the text and dispatches.
 *
 *	Parsing and evaluation are one pass: the parts of the input whose
 *	value is not wanted (the branch of an ${if} not taken) are parsed
 *	in "skipping" mode, which checks their syntax but computes nothing
 *	and has no side effects.
 *
 *	All memory comes from ctx->arena.
 * DIAGNOSTICS
 *	EXPAND_FAIL for a forced failure ("fail" in ${if} or ${lookup});
 *	EXPAND_ERROR for anything else, with Exim's wording in err and the
 *	byte offset of the failure in ctx->err_offset. Nesting deeper than
 *	ctx->max_depth, results larger than ctx->max_size, and inputs that
 *	would take too many steps are errors too.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/expand_int.h"

void (*expand_authresults_hook)(struct expand_ctx *ctx, const char *admd,
                                gstr *out);
int (*expand_acl_hook)(struct expand_ctx *ctx, const char *name,
                       char *const *args, int nargs, const char **message,
                       gstr *err);

int
x_run_acl(struct exp *e, const char *at, char **subs, int nsubs,
          const char **message)
{
    gstr err;
    int nargs = 0, rc;

    *message = NULL;
    while (nargs + 1 < nsubs && subs[nargs + 1] != NULL)
        nargs++;
    if (expand_acl_hook == NULL)
        return x_error(e, at,
                       "ACL \"%s\" cannot be run: mxlab has no ACL "
                       "support yet",
                       subs[0]);
    gstr_init(&err, e->a);
    rc = expand_acl_hook(e->ctx, subs[0], subs + 1, nargs, message, &err);
    if (rc == EXPAND_ACL_DEFER || rc == EXPAND_ACL_ERROR)
        return x_error(e, at, "%s from acl \"%s\"",
                       rc == EXPAND_ACL_DEFER ? "DEFER" : "ERROR", subs[0]);
    return rc;
}

void
expand_ctx_init(struct expand_ctx *ctx, struct arena *a)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = a;
}

const char *
x_skip_space(const char *s)
{
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    return s;
}

char *
x_strdup(struct exp *e, const char *s)
{
    return arena_strdup(e->a, s);
}

const char *
x_q(struct exp *e, const char *s)
{
    gstr g;

    gstr_init(&g, e->a);
    gstr_addc(&g, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isprint(*p) && *p != '"') {
            gstr_addc(&g, (char)*p);
            continue;
        }
        gstr_addc(&g, '\\');
        switch (*p) {
        case '\n':
            gstr_addc(&g, 'n');
            break;
        case '\r':
            gstr_addc(&g, 'r');
            break;
        case '\b':
            gstr_addc(&g, 'b');
            break;
        case '\v':
            gstr_addc(&g, 'v');
            break;
        case '\f':
            gstr_addc(&g, 'f');
            break;
        case '\t':
            gstr_addc(&g, 't');
            break;
        case '"':
            gstr_addc(&g, '"');
            break;
        default:
            gstr_printf(&g, "%03o", *p);
        }
    }
    gstr_addc(&g, '"');
    return gstr_str(&g);
}

void
x_wrap_error(struct exp *e, const char *name, const char *what)
{
    const char *m = x_q(e, gstr_str(e->msg));

    gstr_truncate(e->msg, 0);
    gstr_printf(e->msg, "%s inside \"%s\" %s", m, name, what);
}

int
x_error(struct exp *e, const char *at, const char *fmt, ...)
{
    va_list ap;

    gstr_truncate(e->msg, 0);
    va_start(ap, fmt);
    gstr_vprintf(e->msg, fmt, ap);
    va_end(ap);
    e->err_at = at;
    e->forced = 0;
    return EXPAND_ERROR;
}

/* A bracketing error: keep a more specific message if there is one. */
int
x_curly(struct exp *e, const char *at)
{
    if (e->msg->len == 0)
        return x_error(e, at, "missing or misplaced { or }");
    if (e->err_at == NULL)
        e->err_at = at;
    return EXPAND_ERROR;
}

int
x_forced(struct exp *e, const char *at)
{
    e->err_at = at;
    e->forced = 1;
    return EXPAND_FAIL;
}

int
x_add(struct exp *e, gstr *out, const char *p, size_t n)
{
    if (out->len + n > e->max_size)
        return x_error(e, NULL,
                       "expansion result too large (more than %zu bytes)",
                       e->max_size);
    gstr_addn(out, p, n);
    return EXPAND_OK;
}

int
x_adds(struct exp *e, gstr *out, const char *s)
{
    return x_add(e, out, s, strlen(s));
}

void
x_save_nums(const struct exp *e, struct exp *saved)
{
    memcpy(saved->num, e->num, sizeof(e->num));
    memcpy(saved->numlen, e->numlen, sizeof(e->numlen));
    saved->nmax = e->nmax;
    saved->nums_tainted = e->nums_tainted;
    saved->value = e->value;
}

void
x_restore_nums(struct exp *e, const struct exp *saved)
{
    memcpy(e->num, saved->num, sizeof(e->num));
    memcpy(e->numlen, saved->numlen, sizeof(e->numlen));
    e->nmax = saved->nmax;
    e->nums_tainted = saved->nums_tainted;
    e->value = saved->value;
}

/* Exim's integer syntax: optional sign, decimal digits, optional K, M
 * or G; white space around is allowed; a blank string is 0. */
int
x_parse_int(struct exp *e, const char *at, const char *s, long long *v)
{
    const char *p = x_skip_space(s);
    char *end;
    long long n;
    long long mult = 1;

    if (*p == '\0') {
        *v = 0;
        return EXPAND_OK;
    }
    errno = 0;
    n = strtoll(p, &end, 10);
    if (end == p)
        return x_error(e, at, "integer expected but \"%s\" found", s);
    switch (tolower((unsigned char)*end)) {
    case 'k':
        mult = 1024;
        end++;
        break;
    case 'm':
        mult = 1024 * 1024;
        end++;
        break;
    case 'g':
        mult = 1024 * 1024 * 1024;
        end++;
        break;
    }
    if (errno == ERANGE ||
        (mult > 1 && (n > LLONG_MAX / mult || n < LLONG_MIN / mult)))
        return x_error(e, at,
                       "absolute value of integer \"%s\" is too large "
                       "(overflow)",
                       s);
    if (*x_skip_space(end) != '\0')
        return x_error(e, at, "invalid integer \"%s\"", s);
    *v = n * mult;
    return EXPAND_OK;
}

/* A plain non-negative decimal number, as item arguments need. */
int
x_parse_number(struct exp *e, const char *at, const char *s, long long *v)
{
    const char *p = x_skip_space(s);
    char *end;

    if (!isdigit((unsigned char)*p))
        return x_error(e, at, "\"%s\" is not a number", s);
    errno = 0;
    *v = strtoll(p, &end, 10);
    if (errno == ERANGE || *x_skip_space(end) != '\0')
        return x_error(e, at, "\"%s\" is not a number", s);
    return EXPAND_OK;
}

int
x_arg(struct exp *e, const char **sp, unsigned fl, char **sub)
{
    const char *s = *sp;
    gstr g;
    int rc;

    *sub = NULL;
    if (*s != '{')
        return EXPAND_OK;
    s++;
    gstr_init(&g, e->a);
    rc = x_expand(e, &s, (fl & XF_SKIP) | XF_BRACE, &g);
    if (rc != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (*s != '}') {
        *sp = s;
        return x_curly(e, s);
    }
    *sp = s + 1;
    *sub = (char *)gstr_str(&g);
    return EXPAND_OK;
}

int
x_args(struct exp *e, const char **sp, unsigned fl, const char *name, int min,
       int max, char **subs, int check_end)
{
    const char *s = x_skip_space(*sp);
    int rc;

    for (int i = 0; i < max; i++)
        subs[i] = NULL;
    for (int i = 0; i < max; i++) {
        if (*s != '{') {
            if (i < min)
                return x_error(e, s,
                               "Not enough arguments for '%s' (min is %d)",
                               name, min);
            break;
        }
        if ((rc = x_arg(e, &s, fl, &subs[i])) != EXPAND_OK) {
            *sp = s;
            return rc;
        }
        s = x_skip_space(s);
    }
    if (check_end) {
        if (*s != '}') {
            if (*s == '{')
                return x_error(e, s, "Too many arguments for '%s' (max is %d)",
                               name, max);
            return x_error(e, s, "missing '}' after '%s'", name);
        }
        s++;
    }
    *sp = s;
    return EXPAND_OK;
}

int
x_sub_expand(struct exp *e, const char *in, unsigned fl, char **out)
{
    const char *s = in;
    gstr g;
    int rc;

    gstr_init(&g, e->a);
    rc = x_expand(e, &s, fl & XF_SKIP, &g);
    if (rc == EXPAND_OK)
        *out = (char *)gstr_str(&g);
    return rc;
}

/* Exim's backslash escapes: \n \r \t \b \f \v, \xHH, \ooo; any other
 * character stands for itself. *sp points at the backslash. */
static char
x_escape(const char **sp)
{
    const char *p = *sp + 1;
    int c = (unsigned char)*p;

    if (isdigit(c) && c < '8') {
        int v = c - '0';
        for (int i = 0; i < 2 && p[1] >= '0' && p[1] <= '7'; i++)
            v = v * 8 + (*++p - '0');
        *sp = p;
        return (char)v;
    }
    switch (c) {
    case 'b':
        c = '\b';
        break;
    case 'f':
        c = '\f';
        break;
    case 'n':
        c = '\n';
        break;
    case 'r':
        c = '\r';
        break;
    case 't':
        c = '\t';
        break;
    case 'v':
        c = '\v';
        break;
    case 'x':
        if (isxdigit((unsigned char)p[1])) {
            int v = 0;
            for (int i = 0; i < 2 && isxdigit((unsigned char)p[1]); i++) {
                char h = *++p;
                v = v * 16 + (isdigit((unsigned char)h)
                                  ? h - '0'
                                  : tolower((unsigned char)h) - 'a' + 10);
            }
            c = v;
        }
        break;
    }
    *sp = p;
    return (char)c;
}

static const char *
x_read_name(const char *s, const char *extra, char *name, size_t size)
{
    size_t n = 0;

    while (*s != '\0' && (isalnum((unsigned char)*s) || strchr(extra, *s))) {
        if (n + 1 < size)
            name[n++] = *s;
        s++;
    }
    name[n] = '\0';
    return s;
}

static int
x_num_var(struct exp *e, unsigned fl, int n, gstr *out)
{
    if (n >= 0 && n <= e->nmax && n < 10 && !(fl & XF_SKIP) &&
        e->num[n] != NULL) {
        if (e->nums_tainted && e->numlen[n] > 0)
            x_taint_mark(e);
        return x_add(e, out, e->num[n], e->numlen[n]);
    }
    return EXPAND_OK;
}

/* "$name" (at points at the name), header variables included. */
static int
x_dollar_name(struct exp *e, const char **sp, unsigned fl, gstr *out)
{
    const char *s = *sp;
    const char *at = s - 1;
    char name[256];
    char kind;
    size_t skip;

    s = x_read_name(s, "_", name, sizeof(name));
    if (x_header_prefix(name, &kind, &skip)) {
        /* Header names run to a colon, over any printing character. */
        gstr hn;
        gstr_init(&hn, e->a);
        gstr_adds(&hn, name + skip);
        while (isgraph((unsigned char)*s) && *s != ':')
            gstr_addc(&hn, *s++);
        if (strchr(gstr_str(&hn), '}') != NULL)
            e->malformed_header = 1;
        if (*s == ':')
            s++;
        *sp = s;
        if (fl & XF_SKIP)
            return EXPAND_OK;
        gstr tmp;
        gstr_init(&tmp, e->a);
        x_header(e, kind, gstr_str(&hn), &tmp);
        if (tmp.len > 0)
            x_taint_mark(e); /* headers came with the message */
        return x_add(e, out, tmp.s, tmp.len);
    }
    *sp = s;
    return x_variable(e, at, name, 0, fl, out);
}

/* Does operator name ("sha2_256", "nhash_3") make its result afresh? */
static int
op_computes(const char *name)
{
    char base[32];
    size_t n = strcspn(name, "_");

    if (n >= sizeof(base))
        return 0;
    memcpy(base, name, n);
    base[n] = '\0';
    return x_taint_op_clean(base);
}

static int
x_operator_item(struct exp *e, const char **sp, unsigned fl, gstr *out,
                const char *name, const char *at)
{
    const char *s = *sp + 1; /* after the colon */
    gstr arg;
    int rc, taint_before = e->tainted;

    if (!x_operator_known(name))
        return x_error(e, at, "unknown expansion operator \"%s\"", name);
    gstr_init(&arg, e->a);
    rc = x_expand(e, &s, (fl & XF_SKIP) | XF_BRACE, &arg);
    if (rc != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (*s != '}') {
        *sp = s;
        return x_curly(e, s);
    }
    *sp = s + 1;
    if (fl & XF_SKIP)
        return EXPAND_OK;
    rc = x_operator(e, at, name, gstr_str(&arg), out);
    if (op_computes(name))
        e->tainted = taint_before; /* a digest or number: nothing copied */
    return rc;
}

/* After "${": a number, an item, an operator, or a braced variable. */
static int
x_brace(struct exp *e, const char **sp, unsigned fl, gstr *out)
{
    const char *s = *sp;
    const char *at = s - 2;
    char name[256];
    x_item_fn *fn;

    if (isdigit((unsigned char)*s)) {
        int n = 0;
        while (isdigit((unsigned char)*s)) {
            if (n < 1000)
                n = n * 10 + (*s - '0');
            s++;
        }
        if (*s != '}') {
            *sp = s;
            return x_error(e, s, "} expected after number");
        }
        *sp = s + 1;
        return x_num_var(e, fl, n, out);
    }
    if (!isalpha((unsigned char)*s)) {
        *sp = s;
        return x_error(e, s, "letter or digit expected after ${");
    }
    s = x_read_name(s, "_-", name, sizeof(name));
    *sp = s;
    if ((fn = x_item_find(name)) != NULL)
        return fn(e, sp, fl, out, name);
    if (*s == ':') {
        return x_operator_item(e, sp, fl, out, name, at);
    }
    if (*s == '}') {
        *sp = s + 1;
        return x_variable(e, at, name, 1, fl, out);
    }
    return x_error(e, at,
                   "\"${%s\" is not a known operator (or a } is missing in "
                   "a variable reference)",
                   name);
}

int
x_expand(struct exp *e, const char **sp, unsigned fl, gstr *out)
{
    const char *s = *sp;
    int rc = EXPAND_OK;

    if (++e->depth > e->max_depth) {
        e->depth--;
        return x_error(e, s,
                       "expansion nested too deeply (more than %d "
                       "levels)",
                       e->max_depth);
    }
    while (*s != '\0') {
        if (++e->steps > X_MAX_STEPS) {
            rc = x_error(e, s, "expansion too complex (more than %lu steps)",
                         X_MAX_STEPS);
            break;
        }
        if (*s == '\\') {
            if (s[1] == '\0') {
                rc = x_error(e, s, "\\ at end of string");
                break;
            }
            if (s[1] == 'N') {
                const char *t = s + 2;
                const char *end = strstr(t, "\\N");
                size_t n = end ? (size_t)(end - t) : strlen(t);
                if (!(fl & XF_SKIP) && (rc = x_add(e, out, t, n)) != 0)
                    break;
                s = t + n + (end ? 2 : 0);
            } else {
                char c = x_escape(&s);
                if (!(fl & XF_SKIP) && (rc = x_add(e, out, &c, 1)) != 0)
                    break;
                s++;
            }
            continue;
        }
        if ((fl & XF_BRACE) && *s == '}')
            break;
        if (*s != '$' || (fl & XF_NODOLLAR)) {
            size_t n = 1;
            while (s[n] != '\0' && s[n] != '$' && s[n] != '}' && s[n] != '\\')
                n++;
            if (!(fl & XF_SKIP) && (rc = x_add(e, out, s, n)) != 0)
                break;
            s += n;
            continue;
        }
        s++;
        if (isalpha((unsigned char)*s)) {
            rc = x_dollar_name(e, &s, fl, out);
        } else if (isdigit((unsigned char)*s)) {
            int n = 0;
            while (isdigit((unsigned char)*s)) {
                if (n < 1000)
                    n = n * 10 + (*s - '0');
                s++;
            }
            rc = x_num_var(e, fl, n, out);
        } else if (*s == '{') {
            s++;
            rc = x_brace(e, &s, fl, out);
        } else {
            rc = x_error(e, s, "$ not followed by letter, digit, or {");
        }
        if (rc != EXPAND_OK)
            break;
    }
    if (rc == EXPAND_OK && (fl & XF_BRACE) && *s == '\0')
        rc = x_error(e, s, "missing } at end of string");
    e->depth--;
    *sp = s;
    return rc;
}

int
expand_string(struct expand_ctx *ctx, const char *in, char **out, gstr *err)
{
    struct exp e;
    gstr msg, res;
    const char *s = in;
    int rc;

    memset(&e, 0, sizeof(e));
    e.ctx = ctx;
    e.a = ctx->arena;
    e.base = in;
    e.max_depth =
        ctx->max_depth > 0 ? ctx->max_depth : EXPAND_DEFAULT_MAX_DEPTH;
    e.max_size = ctx->max_size > 0 ? ctx->max_size : EXPAND_DEFAULT_MAX_SIZE;
    e.nmax = -1;
    for (int i = 0; i < ctx->nnums && i < 10; i++) {
        e.num[i] = ctx->nums[i] ? ctx->nums[i] : "";
        e.numlen[i] = strlen(e.num[i]);
        e.nmax = i;
    }
    gstr_init(&msg, e.a);
    gstr_init(&res, e.a);
    e.msg = &msg;
    ctx->err_offset = 0;
    ctx->tainted = 0;
    rc = x_expand(&e, &s, 0, &res);
    if (rc == EXPAND_OK) {
        *out = (char *)gstr_str(&res);
        ctx->tainted = e.tainted;
        return EXPAND_OK;
    }
    *out = NULL;
    if (e.err_at != NULL && e.err_at >= in && e.err_at <= in + strlen(in))
        ctx->err_offset = (size_t)(e.err_at - in);
    else
        ctx->err_offset = (size_t)(s - in);
    if (e.malformed_header && !e.forced) {
        /* Exim's hint for "$h_subject}" and the like. */
        const char *m = gstr_str(&msg);
        if (strcmp(m, "missing } at end of string") == 0)
            gstr_adds(&msg, " - could be header name not terminated by colon");
        else if (strncmp(m, "curly-bracket problem", 21) == 0 ||
                 strcmp(m, "missing or misplaced { or }") == 0) {
            gstr_truncate(&msg, 0);
            gstr_adds(&msg, "missing or misplaced { or } - could be header "
                            "name not terminated by colon");
        }
    }
    if (err != NULL)
        gstr_adds(err, gstr_str(&msg));
    DEBUG("expansion of \"%s\" failed at offset %zu: %s", in, ctx->err_offset,
          gstr_str(&msg));
    return e.forced ? EXPAND_FAIL : EXPAND_ERROR;
}

void
expand_error_text(gstr *out, const char *in, const char *message, size_t offset)
{
    gstr_printf(out, "failed to expand \"%s\" (at offset %zu): %s", in, offset,
                message);
}

int
expand_condition(struct expand_ctx *ctx, const char *in, int *truth, gstr *err)
{
    static const char *const no[] = {"", "0", "no", "false"};
    static const char *const yes[] = {"1", "yes", "true"};
    char *res;
    int rc = expand_string(ctx, in, &res, err);

    if (rc != EXPAND_OK)
        return rc;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (strcasecmp(res, no[i]) == 0) {
            *truth = 0;
            return EXPAND_OK;
        }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (strcasecmp(res, yes[i]) == 0) {
            *truth = 1;
            return EXPAND_OK;
        }
    if (err != NULL)
        gstr_printf(err, "unrecognised boolean value \"%s\"", res);
    return EXPAND_ERROR;
}

int
expand_condition_loose(struct expand_ctx *ctx, const char *in, int *truth,
                       gstr *err)
{
    char *res;
    int rc = expand_string(ctx, in, &res, err);

    if (rc != EXPAND_OK)
        return rc;
    *truth = *res != '\0' && strcmp(res, "0") != 0 &&
             strcasecmp(res, "no") != 0 && strcasecmp(res, "false") != 0;
    return EXPAND_OK;
}

int
expand_run_allowed(void)
{
    return main_config.expand_allow_run;
}
