/*++
 * NAME
 *	cond 3
 * SUMMARY
 *	conditions for ${if}, and{}, or{}, forall, forany
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	int	x_condition(struct exp *e, const char **sp, unsigned fl,
 *				int *truth)
 * DESCRIPTION
 *	x_condition() parses one condition at *sp (any number of leading
 *	"!" negate it) and, unless XF_SKIP is set, evaluates it into
 *	*truth. *sp is left after the condition.
 *
 *	String comparisons: eq, eqi, ne (an mxlab extension), lt, lti,
 *	le, lei, gt, gti, ge, gei. Numeric: =, ==, <, <=, >, >= (and
 *	"!=", which is "!" applied to "="). Matching: match (a regex,
 *	setting $0..$9), match_address, match_domain, match_ip,
 *	match_local_part (their list is not expanded again: "$" in it is
 *	literal, as in Exim), inlist, inlisti (setting $value to the item
 *	found). Tests: def:, exists, isip, isip4, isip6, bool, bool_lax,
 *	crypteq ({md5}, {sha1} and {sha256} hashes only), first_delivery,
 *	queue_running. Combinations: and{{c}{c}..}, or{{c}{c}..},
 *	forall{list}{c}, forany{list}{c} (setting $item).
 * DIAGNOSTICS
 *	EXPAND_ERROR with Exim's wording: 'unknown condition "x"', 'missing
 *	{ after "eq"', 'missing } at end of "eq" condition', '"x" is not an
 *	IP address', 'unrecognised boolean value "x"' ...
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/list.h"
#include "expand/xlist.h"
#include "expand/expand_int.h"

enum cond_kind {
    C_STR,   /* two strings compared as strings */
    C_NUM,   /* two strings compared as numbers */
    C_MATCH, /* two strings, the second a regex or list */
    C_ONE,   /* one string */
    C_NONE,  /* no arguments */
    C_GROUP, /* and, or */
    C_ITER,  /* forall, forany */
    C_DEF,
    C_ACL, /* acl{{name}{arg}...} */
};

struct cond_def {
    const char *name;
    enum cond_kind kind;
};

static const struct cond_def cond_table[] = {
    {"<", C_NUM},
    {"<=", C_NUM},
    {"=", C_NUM},
    {"==", C_NUM},
    {">", C_NUM},
    {">=", C_NUM},
    {"acl", C_ACL},
    {"and", C_GROUP},
    {"bool", C_ONE},
    {"bool_lax", C_ONE},
    {"crypteq", C_MATCH},
    {"def", C_DEF},
    {"eq", C_STR},
    {"eqi", C_STR},
    {"exists", C_ONE},
    {"first_delivery", C_NONE},
    {"forall", C_ITER},
    {"forall_json", C_ITER},
    {"forall_jsons", C_ITER},
    {"forany", C_ITER},
    {"forany_json", C_ITER},
    {"forany_jsons", C_ITER},
    {"ge", C_STR},
    {"gei", C_STR},
    {"gt", C_STR},
    {"gti", C_STR},
    {"inlist", C_MATCH},
    {"inlisti", C_MATCH},
    {"isip", C_ONE},
    {"isip4", C_ONE},
    {"isip6", C_ONE},
    {"le", C_STR},
    {"lei", C_STR},
    {"lt", C_STR},
    {"lti", C_STR},
    {"match", C_MATCH},
    {"match_address", C_MATCH},
    {"match_domain", C_MATCH},
    {"match_ip", C_MATCH},
    {"match_local_part", C_MATCH},
    {"ne", C_STR},
    {"or", C_GROUP},
    {"queue_running", C_NONE},
};

static const struct cond_def *
cond_find(const char *name)
{
    for (size_t i = 0; i < sizeof(cond_table) / sizeof(cond_table[0]); i++)
        if (strcmp(cond_table[i].name, name) == 0)
            return &cond_table[i];
    return NULL;
}

size_t expand_cond_count(void);
const char *expand_cond_name(size_t i);

size_t
expand_cond_count(void)
{
    return sizeof(cond_table) / sizeof(cond_table[0]);
}

const char *
expand_cond_name(size_t i)
{
    return cond_table[i].name;
}

/* Reads n braced arguments of a condition. Bit i of nodollar set: "$"
 * is literal in argument i. */
static int
cond_args(struct exp *e, const char **sp, unsigned fl, const char *name, int n,
          char **subs, unsigned nodollar)
{
    const char *s = *sp;
    int rc;

    for (int i = 0; i < n; i++) {
        gstr g;
        s = x_skip_space(s);
        if (*s != '{') {
            *sp = s;
            if (i == 0)
                return x_error(e, s, "missing { after \"%s\"", name);
            return x_error(e, s, "missing 2nd string in {} after \"%s\"", name);
        }
        s++;
        gstr_init(&g, e->a);
        rc = x_expand(e, &s,
                      (fl & XF_SKIP) | XF_BRACE |
                          ((nodollar >> i) & 1 ? XF_NODOLLAR : 0),
                      &g);
        if (rc != EXPAND_OK) {
            *sp = s;
            return rc;
        }
        if (*s != '}') {
            *sp = s;
            return x_error(e, s, "missing } at end of \"%s\" condition", name);
        }
        s++;
        subs[i] = (char *)gstr_str(&g);
    }
    *sp = s;
    return EXPAND_OK;
}

static int
cond_str(const char *name, const char *a, const char *b)
{
    int ci = name[strlen(name) - 1] == 'i' && strcmp(name, "ne") != 0;
    int c = ci ? strcasecmp(a, b) : strcmp(a, b);

    if (strncmp(name, "eq", 2) == 0)
        return c == 0;
    if (strcmp(name, "ne") == 0)
        return c != 0;
    if (strncmp(name, "lt", 2) == 0)
        return c < 0;
    if (strncmp(name, "le", 2) == 0)
        return c <= 0;
    if (strncmp(name, "gt", 2) == 0)
        return c > 0;
    return c >= 0; /* ge, gei */
}

static int
cond_num(struct exp *e, const char *at, const char *name, char **subs,
         int *truth)
{
    long long v[2];

    for (int i = 0; i < 2; i++) {
        if (subs[i][0] == '\0')
            v[i] = 0;
        else if (x_parse_int(e, at, subs[i], &v[i]) != EXPAND_OK)
            return EXPAND_ERROR;
    }
    if (name[0] == '=')
        *truth = v[0] == v[1];
    else if (strcmp(name, "<") == 0)
        *truth = v[0] < v[1];
    else if (strcmp(name, "<=") == 0)
        *truth = v[0] <= v[1];
    else if (strcmp(name, ">") == 0)
        *truth = v[0] > v[1];
    else
        *truth = v[0] >= v[1];
    return EXPAND_OK;
}

static int
cond_bool(struct exp *e, const char *at, const char *name, const char *arg,
          int *truth)
{
    const char *t = x_skip_space(arg);
    size_t len = strlen(t);
    int lax = strcmp(name, "bool_lax") == 0;

    while (len > 0 && isspace((unsigned char)t[len - 1]))
        len--;
    char *v = arena_strndup(e->a, t, len);
    const char *d = v[0] == '-' ? v + 1 : v;
    int numeric = len > 0 && *d != '\0';

    for (const char *p = d; *p != '\0'; p++)
        if (!isdigit((unsigned char)*p))
            numeric = 0;
    if (len == 0)
        *truth = 0;
    else if (numeric)
        *truth = (lax && len > 1) || strtoll(v, NULL, 10) != 0;
    else if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0)
        *truth = 1;
    else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0)
        *truth = 0;
    else if (lax)
        *truth = 1;
    else
        return x_error(e, at, "unrecognised boolean value \"%s\"", v);
    return EXPAND_OK;
}

static int
cond_one(struct exp *e, const char *at, const char *name, const char *arg,
         int *truth)
{
    int family;

    if (strcmp(name, "exists") == 0) {
        struct stat st;
        *truth = stat(arg, &st) == 0;
        return EXPAND_OK;
    }
    if (strncmp(name, "isip", 4) == 0) {
        int ok = x_is_ip(arg, &family);
        if (name[4] == '4')
            ok = ok && family == 4;
        else if (name[4] == '6')
            ok = ok && family == 6;
        *truth = ok;
        return EXPAND_OK;
    }
    return cond_bool(e, at, name, arg, truth);
}

static void
digest(const char *alg, const char *in, unsigned char *md, unsigned *mdlen)
{
    EVP_Digest(in, strlen(in), md, mdlen, EVP_get_digestbyname(alg), NULL);
}

/* crypteq{plain}{{md5}hash}: hash in base64 or hex. */
static int
cond_crypteq(struct exp *e, const char *at, const char *plain,
             const char *hashed, int *truth)
{
    static const struct {
        const char *tag, *alg;
        size_t len;
    } algs[] = {{"{md5}", "md5", 16},
                {"{sha1}", "sha1", 20},
                {"{sha256}", "sha256", 32}};

    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        size_t tl = strlen(algs[i].tag);
        if (strncasecmp(hashed, algs[i].tag, tl) != 0)
            continue;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned mdlen = 0;
        const char *h = hashed + tl;
        gstr g;
        gstr_init(&g, e->a);
        digest(algs[i].alg, plain, md, &mdlen);
        if (strlen(h) == 2 * algs[i].len) {
            for (unsigned j = 0; j < mdlen; j++)
                gstr_printf(&g, "%02x", md[j]);
            *truth = strcasecmp(g.s, h) == 0;
        } else {
            b64_encode(&g, md, mdlen);
            *truth = strcmp(g.s, h) == 0;
        }
        return EXPAND_OK;
    }
    if (hashed[0] == '{')
        return x_error(e, at, "unknown encryption mechanism in \"%s\"", hashed);
    return x_error(e, at,
                   "crypteq: crypt() hashes are not supported by "
                   "mxlab; use {md5}, {sha1} or {sha256}");
}

static int
cond_inlist(struct exp *e, const char *name, char **subs, int *truth)
{
    struct xlist it;
    const char *item;
    int ci = strcmp(name, "inlisti") == 0;

    *truth = 0;
    xlist_init(&it, subs[1], 0);
    while ((item = xlist_next(&it, e->a)) != NULL)
        if (ci ? strcasecmp(item, subs[0]) == 0 : strcmp(item, subs[0]) == 0) {
            *truth = 1;
            e->value = item;
            break;
        }
    return EXPAND_OK;
}

static int
cond_match(struct exp *e, const char *at, const char *name, char **subs,
           int *truth)
{
    int r;

    if (strcmp(name, "match") == 0)
        r = x_regex_match(e, subs[0], subs[1], 1);
    else if (strcmp(name, "crypteq") == 0)
        return cond_crypteq(e, at, subs[0], subs[1], truth);
    else if (strncmp(name, "inlist", 6) == 0)
        return cond_inlist(e, name, subs, truth);
    else if (strcmp(name, "match_domain") == 0)
        r = x_match_domain(e, subs[0], subs[1]);
    else if (strcmp(name, "match_address") == 0)
        r = x_match_address(e, subs[0], subs[1]);
    else if (strcmp(name, "match_local_part") == 0)
        r = x_match_local_part(e, subs[0], subs[1], 1);
    else {
        int family;
        if (!x_is_ip(subs[0], &family) && subs[0][0] != '\0')
            return x_error(e, at, "\"%s\" is not an IP address", subs[0]);
        r = x_match_ip(e, subs[0], subs[1]);
    }
    if (r < 0) {
        if (e->err_at == NULL)
            e->err_at = at;
        return EXPAND_ERROR;
    }
    *truth = r;
    return EXPAND_OK;
}

static int
cond_group(struct exp *e, const char **sp, unsigned fl, const char *name,
           int *truth)
{
    const char *s = x_skip_space(*sp);
    int is_and = strcmp(name, "and") == 0;
    int result = is_and;
    int rc;

    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing { after \"%s\"", name);
    }
    s++;
    for (;;) {
        int sub = 0;
        s = x_skip_space(s);
        if (*s == '}')
            break;
        if (*s != '{') {
            *sp = s;
            return x_error(e, s,
                           "each subcondition inside an \"%s{...}\" "
                           "condition must be in its own {}",
                           name);
        }
        s++;
        /* Once the answer is known the rest is only parsed. */
        unsigned sfl = fl | (result != is_and ? XF_SKIP : 0);
        rc = x_condition(e, &s, sfl, &sub);
        if (rc != EXPAND_OK) {
            *sp = s;
            if (rc == EXPAND_ERROR)
                gstr_printf(e->msg, " inside \"%s{...}\" condition", name);
            return rc;
        }
        s = x_skip_space(s);
        if (*s != '}') {
            *sp = s;
            return x_error(e, s,
                           "missing } at end of condition inside \"%s\" "
                           "group",
                           name);
        }
        s++;
        if (!(sfl & XF_SKIP))
            result = is_and ? result && sub : result || sub;
    }
    *sp = s + 1;
    *truth = result;
    return EXPAND_OK;
}

static int
cond_iter(struct exp *e, const char **sp, unsigned fl, const char *name,
          int *truth)
{
    const char *s = x_skip_space(*sp);
    const char *cond, *after;
    int is_any = strncmp(name, "forany", 6) == 0;
    int json = strstr(name, "_jsons") ? 2 : strstr(name, "_json") ? 1 : 0;
    char *list;
    int rc, dummy;
    gstr g;

    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing { after \"%s\"", name);
    }
    s++;
    gstr_init(&g, e->a);
    if ((rc = x_expand(e, &s, (fl & XF_SKIP) | XF_BRACE, &g)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (*s != '}') {
        *sp = s;
        return x_error(e, s, "missing } at end of \"%s\" condition", name);
    }
    list = (char *)gstr_str(&g);
    s = x_skip_space(s + 1);
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing { after \"%s\"", name);
    }
    cond = ++s;
    /* Find the end of the condition by parsing it once, skipping. */
    if ((rc = x_condition(e, &s, fl | XF_SKIP, &dummy)) != EXPAND_OK) {
        *sp = s;
        if (rc == EXPAND_ERROR)
            gstr_printf(e->msg, " inside \"%s\" condition", name);
        return rc;
    }
    s = x_skip_space(s);
    if (*s != '}') {
        *sp = s;
        return x_error(e, s, "missing } at end of condition inside \"%s\"",
                       name);
    }
    after = s + 1;
    *sp = after;
    if (fl & XF_SKIP)
        return EXPAND_OK;

    const char *save_item = e->item;
    struct xlist it;
    const char *item, *jl = NULL;
    /* As in Exim, an empty list makes forall false as well as forany. */
    *truth = 0;
    if (json) {
        if ((jl = x_json_dewrap(e, list, "[]")) == NULL)
            return x_error(e, cond, "%s", x_strdup(e, gstr_str(e->msg)));
    } else
        xlist_init(&it, list, 0);
    while ((item = json ? x_json_next(e, &jl) : xlist_next(&it, e->a)) !=
           NULL) {
        if (json == 2 && (item = x_json_dewrap(e, item, "\"\"")) == NULL) {
            char *m = x_strdup(e, gstr_str(e->msg));
            return x_error(e, cond,
                           "%s wrapping string result for extract jsons", m);
        }
        const char *c = cond;
        int sub = 0;
        e->item = item;
        rc = x_condition(e, &c, fl, &sub);
        if (rc != EXPAND_OK) {
            e->item = save_item;
            if (rc == EXPAND_ERROR)
                x_wrap_error(e, name, "condition");
            return rc;
        }
        *truth = sub;
        if (sub == is_any)
            break;
    }
    e->item = save_item;
    return EXPAND_OK;
}

/* acl{{name}{arg}...}: true if the ACL accepts; $value is its message. */
static int
cond_acl(struct exp *e, const char **sp, unsigned fl, int *truth)
{
    const char *s = x_skip_space(*sp);
    const char *at = s, *message;
    char *subs[10];
    int rc;

    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing { after \"acl\"");
    }
    s++;
    rc = x_args(e, &s, fl, "acl", 1, 10, subs, 1);
    *sp = s;
    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    rc = x_run_acl(e, at, subs, 10, &message);
    if (rc == EXPAND_ERROR)
        return rc;
    *truth = rc == EXPAND_ACL_ACCEPT;
    if (message != NULL)
        e->value = message;
    return EXPAND_OK;
}

static int
cond_def(struct exp *e, const char **sp, unsigned fl, int *truth)
{
    const char *s = *sp;
    const char *at = s;
    char kind;
    size_t skip;
    gstr name;

    if (*s != ':') {
        *sp = s;
        return x_error(e, s, "\":\" expected after \"def\"");
    }
    s++;
    gstr_init(&name, e->a);
    while (isalnum((unsigned char)*s) || *s == '_')
        gstr_addc(&name, *s++);
    if (x_header_prefix(gstr_str(&name), &kind, &skip)) {
        while (isgraph((unsigned char)*s) && *s != ':')
            gstr_addc(&name, *s++);
        if (*s == ':')
            s++;
        if (strchr(gstr_str(&name), '}') != NULL)
            e->malformed_header = 1;
        *sp = s;
        if (!(fl & XF_SKIP)) {
            gstr tmp;
            gstr_init(&tmp, e->a);
            *truth = x_header(e, kind, name.s + skip, &tmp);
        }
        return EXPAND_OK;
    }
    *sp = s;
    if (name.len == 0)
        return x_error(e, at, "variable name omitted after \"def:\"");
    int r = x_variable_def(e, name.s);
    if (r < 0)
        return x_error(e, at, "unknown variable \"%s\" after \"def:\"", name.s);
    *truth = r;
    return EXPAND_OK;
}

static const char *
cond_read_name(const char *s, char *name, size_t size)
{
    size_t n = 0;

    if (*s == '=' || *s == '<' || *s == '>') {
        name[n++] = *s++;
        if (*s == '=')
            name[n++] = *s++;
    } else {
        while (isalnum((unsigned char)*s) || *s == '_') {
            if (n + 1 < size)
                name[n++] = *s;
            s++;
        }
    }
    name[n] = '\0';
    return s;
}

int
x_condition(struct exp *e, const char **sp, unsigned fl, int *truth)
{
    const char *s = x_skip_space(*sp);
    const char *at;
    const struct cond_def *c;
    char name[64];
    char *subs[2];
    int negate = 0, t = 0, rc;
    /* What a condition reads does not flow into the result, but the
     * numbered variables a match sets do (taint.c). */
    int taint_before = e->tainted, nmax_before = e->nmax;
    const char *num0_before = e->num[0];

    while (*s == '!') {
        negate = !negate;
        s = x_skip_space(s + 1);
    }
    at = s;
    s = cond_read_name(s, name, sizeof(name));
    if (name[0] == '\0') {
        *sp = s;
        return x_error(e, s, "condition name expected, but found \"%.16s\"", s);
    }
    if ((c = cond_find(name)) == NULL) {
        *sp = s;
        return x_error(e, at, "unknown condition \"%s\"", name);
    }
    switch (c->kind) {
    case C_DEF:
        rc = cond_def(e, &s, fl, &t);
        break;
    case C_NONE:
        rc = EXPAND_OK;
        t = strcmp(name, "first_delivery") == 0 &&
            expand_get_var(e->ctx, "first_delivery") != NULL &&
            strcmp(expand_get_var(e->ctx, "first_delivery"), "1") == 0;
        break;
    case C_ONE:
        rc = cond_args(e, &s, fl, name, 1, subs, 0);
        if (rc == EXPAND_OK && !(fl & XF_SKIP))
            rc = cond_one(e, at, name, subs[0], &t);
        break;
    case C_STR:
        rc = cond_args(e, &s, fl, name, 2, subs, 0);
        if (rc == EXPAND_OK && !(fl & XF_SKIP))
            t = cond_str(name, subs[0], subs[1]);
        break;
    case C_NUM:
        rc = cond_args(e, &s, fl, name, 2, subs, 0);
        if (rc == EXPAND_OK && !(fl & XF_SKIP))
            rc = cond_num(e, at, name, subs, &t);
        break;
    case C_MATCH:
        rc = cond_args(e, &s, fl, name, 2, subs,
                       strncmp(name, "match_", 6) == 0 ? 2 : 0);
        if (rc == EXPAND_OK && !(fl & XF_SKIP))
            rc = cond_match(e, at, name, subs, &t);
        break;
    case C_GROUP:
        rc = cond_group(e, &s, fl, name, &t);
        break;
    case C_ACL:
        rc = cond_acl(e, &s, fl, &t);
        break;
    case C_ITER:
    default:
        rc = cond_iter(e, &s, fl, name, &t);
        break;
    }
    *sp = s;
    if (e->nmax != nmax_before || e->num[0] != num0_before)
        e->nums_tainted = e->tainted;
    e->tainted = taint_before;
    if (rc == EXPAND_OK && !(fl & XF_SKIP))
        *truth = negate ? !t : t;
    return rc;
}
