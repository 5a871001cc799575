/*++
 * NAME
 *	items 3
 * SUMMARY
 *	expansion items: ${name{arg}{arg}...}
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	x_item_fn *x_item_find(const char *name)
 *
 *	size_t	expand_item_count(void)
 *	const char *expand_item_name(size_t i)
 * DESCRIPTION
 *	Each item parses its own arguments from the text after its name,
 *	in skipping mode when its value is not wanted, and consumes the
 *	closing "}". The items: authresults, env, extract, filter, hash,
 *	hmac, if, length, listextract, lookup, map, nhash, readfile,
 *	reduce, run, sg, sort, substr, tr.
 *
 *	${if}, ${lookup}, ${extract}, ${listextract}, ${env} and ${run}
 *	end with Exim's yes/no part: nothing (the value, or "true" for
 *	${if}), {yes}, {yes}{no}, or {yes}fail for a forced failure.
 *	$value holds the looked-up or extracted value inside {yes}; it is
 *	restored afterwards.
 * DIAGNOSTICS
 *	Exim's messages, among them '"if" failed and "fail" requested'
 *	(a forced failure), 'lookup of "k" gave DEFER: ...', '"x" is not a
 *	number (in "substr" expansion)', 'running a command is not
 *	permitted' (unless expand_allow_run is set).
 *--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/hmac.h>
#include <openssl/evp.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "expand/xlist.h"
#include "conf/conf.h"
#include "expand/expand_int.h"
#include "expand/lookups/lookup.h"

#define READFILE_MAX (16u * 1024 * 1024)
#define RUN_TIMEOUT  60

void x_substr(const char *s, long start, long len, size_t *off, size_t *outlen);
int x_hash(struct exp *e, const char *at, const char *s, long v1, long v2,
           gstr *out);
int x_nhash(struct exp *e, const char *at, const char *s, long v1, long v2,
            gstr *out);

/* Exim's yes/no part. yes says which branch is wanted; value is $value
 * inside it ("true" is written for a bare ${if}). */
static int
x_yesno(struct exp *e, const char **sp, unsigned fl, int yes, const char *value,
        const char *type, gstr *out)
{
    const char *s = x_skip_space(*sp);
    const char *save_value = e->value;
    int rc;
    gstr g;

    if (fl & XF_SKIP)
        yes = 0;
    if (*s == '}') {
        *sp = s + 1;
        if (yes && !(fl & XF_SKIP)) {
            const char *v = type[0] == 'i' ? "true" : value;
            return v ? x_adds(e, out, v) : EXPAND_OK;
        }
        return EXPAND_OK;
    }
    if (*s != '{') {
        *sp = s;
        return x_error(e, s,
                       "curly-bracket problem in conditional yes/no parsing: "
                       "'yes' part did not start with '{'\n remaining string "
                       "is '%s'",
                       s);
    }
    s++;
    gstr_init(&g, e->a);
    if (type[0] != 'i')
        e->value = yes ? value : save_value;
    rc = x_expand(e, &s, (fl & XF_SKIP) | XF_BRACE | (yes ? 0 : XF_SKIP), &g);
    e->value = save_value;
    if (rc != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (*s != '}') {
        *sp = s;
        return x_curly(e, s);
    }
    s++;
    if (yes && (rc = x_add(e, out, g.s, g.len)) != EXPAND_OK)
        return rc;
    s = x_skip_space(s);
    if (*s == '{') {
        s++;
        gstr_truncate(&g, 0);
        rc = x_expand(e, &s, (fl & XF_SKIP) | XF_BRACE | (yes ? XF_SKIP : 0),
                      &g);
        if (rc != EXPAND_OK) {
            *sp = s;
            return rc;
        }
        if (*s != '}') {
            *sp = s;
            return x_error(e, s,
                           "curly-bracket problem in conditional yes/no "
                           "parsing: 'no' part did not start with '{'\n "
                           "remaining string is '%s'",
                           s);
        }
        s++;
        if (!yes && !(fl & XF_SKIP) &&
            (rc = x_add(e, out, g.s, g.len)) != EXPAND_OK)
            return rc;
    } else if (*s != '}') {
        const char *w = s;
        while (isalnum((unsigned char)*s) || *s == '_')
            s++;
        if ((size_t)(s - w) == 4 && strncmp(w, "fail", 4) == 0) {
            if (!yes && !(fl & XF_SKIP)) {
                s = x_skip_space(s);
                if (*s != '}') {
                    *sp = s;
                    return x_curly(e, s);
                }
                *sp = s + 1;
                x_error(e, w, "\"%s\" failed and \"fail\" requested", type);
                return x_forced(e, w);
            }
        } else {
            *sp = s;
            return x_error(
                e, w, "syntax error in \"%s\" item - \"fail\" expected", type);
        }
    }
    s = x_skip_space(s);
    if (*s != '}') {
        *sp = s;
        return x_error(e, s,
                       "curly-bracket problem in conditional yes/no parsing: "
                       "did not close with '}'\n remaining string is '%s'",
                       s);
    }
    *sp = s + 1;
    return EXPAND_OK;
}

static int
item_if(struct exp *e, const char **sp, unsigned fl, gstr *out,
        const char *name)
{
    struct exp saved;
    int truth = 0, rc;

    (void)name;
    x_save_nums(e, &saved);
    rc = x_condition(e, sp, fl, &truth);
    if (rc == EXPAND_OK)
        rc = x_yesno(e, sp, fl, truth, NULL, "if", out);
    x_restore_nums(e, &saved);
    return rc;
}

struct lookup_expand_arg {
    struct exp *e;
};

static int
lookup_expand_key(void *arg, const char *in, char **out, gstr *err)
{
    struct exp *e = ((struct lookup_expand_arg *)arg)->e;
    int rc = x_sub_expand(e, in, 0, out);

    if (rc != EXPAND_OK) {
        gstr_adds(err, gstr_str(e->msg));
        return -1;
    }
    return 0;
}

static int
item_lookup(struct exp *e, const char **sp, unsigned fl, gstr *out,
            const char *name)
{
    const char *s = x_skip_space(*sp);
    const char *tstart, *at = s;
    char *key = NULL, *file = NULL, *type, *result = NULL;
    struct lookup_spec spec;
    struct lookup_call c;
    struct lookup_expand_arg xa = {e};
    gstr err;
    int rc, found = 0, taint_before = e->tainted;

    (void)name;
    if (*s == '{') {
        if ((rc = x_arg(e, &s, fl, &key)) != EXPAND_OK) {
            *sp = s;
            return rc == EXPAND_ERROR && e->msg->len == 0
                       ? x_error(e, s, "missing '}' after lookup key")
                       : rc;
        }
        s = x_skip_space(s);
    }
    tstart = s;
    while (*s != '\0' && *s != '{' && !isspace((unsigned char)*s) && *s != '}')
        s++;
    if (s == tstart) {
        *sp = s;
        return x_error(e, s, "missing lookup type");
    }
    type = arena_strndup(e->a, tstart, (size_t)(s - tstart));
    gstr_init(&err, e->a);
    if (lookup_parse_type(e->a, type, &spec, &err) < 0) {
        *sp = s;
        return x_error(e, tstart, "%s", gstr_str(&err));
    }
    if ((spec.driver->flags & LOOKUP_SINGLE_KEY) && key == NULL) {
        *sp = s;
        return x_error(e, tstart, "missing {key} for single-key \"%s\" lookup",
                       spec.driver->name);
    }
    if (!(spec.driver->flags & LOOKUP_SINGLE_KEY) && key != NULL) {
        *sp = s;
        return x_error(e, tstart,
                       "a single key was given for lookup type \"%s\", which "
                       "is not a single-key lookup type",
                       spec.driver->name);
    }
    s = x_skip_space(s);
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for lookup file-or-query arg");
    }
    if ((rc = x_arg(e, &s, fl, &file)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (!(fl & XF_SKIP)) {
        memset(&c, 0, sizeof(c));
        c.a = e->a;
        c.file = file;
        c.key = key;
        c.err = &err;
        c.expand = lookup_expand_key;
        c.expand_arg = &xa;
        rc = lookup_run(&spec, &c, &result);
        if (rc == LOOKUP_ERROR) {
            *sp = s;
            return x_error(e, at, "%s", gstr_str(&err));
        }
        if (rc == LOOKUP_DEFER) {
            e->ctx->lookup_deferred = 1;
            *sp = s;
            /* Exim's words: the reason follows bare, but escaped */
            return x_error(e, at, "lookup of %s gave DEFER: %s",
                           x_q(e, key ? key : file),
                           str_printing_dup(e->a, gstr_str(&err)));
        }
        found = rc == LOOKUP_OK;
    }
    e->tainted = taint_before; /* a lookup's result is untainted, as Exim's */
    rc = x_yesno(e, &s, fl, found, result, "lookup", out);
    *sp = s;
    return rc;
}

/* Exim's quoted-or-bare value after "key=" in ${extract}. */
static char *
extract_dequote(struct exp *e, const char **sp)
{
    const char *s = *sp;
    gstr g;

    gstr_init(&g, e->a);
    if (*s == '"') {
        s++;
        while (*s != '\0' && *s != '"') {
            if (*s == '\\' && s[1] != '\0') {
                s++;
                switch (*s) {
                case 'n':
                    gstr_addc(&g, '\n');
                    break;
                case 't':
                    gstr_addc(&g, '\t');
                    break;
                case 'r':
                    gstr_addc(&g, '\r');
                    break;
                default:
                    gstr_addc(&g, *s);
                }
            } else
                gstr_addc(&g, *s);
            s++;
        }
        if (*s == '"')
            s++;
    } else
        while (*s != '\0' && !isspace((unsigned char)*s))
            gstr_addc(&g, *s++);
    *sp = s;
    return (char *)gstr_str(&g);
}

static const char *
extract_keyed(struct exp *e, const char *key, const char *s)
{
    size_t klen = strlen(key);

    s = x_skip_space(s);
    while (*s != '\0') {
        const char *dkey = s;
        char *data;
        while (*s != '\0' && *s != '=' && !isspace((unsigned char)*s))
            s++;
        size_t dlen = (size_t)(s - dkey);
        s = x_skip_space(s);
        if (*s == '=')
            s = x_skip_space(s + 1);
        data = extract_dequote(e, &s);
        if (dlen == klen && strncasecmp(dkey, key, klen) == 0)
            return data;
        s = x_skip_space(s);
    }
    return NULL;
}

static const char *
extract_field(struct exp *e, long field, const char *seps, const char *s)
{
    const char **v;
    size_t n = 1, cap = 8, i = 0;
    const char *p = s;

    if (field == 0)
        return s;
    v = arena_alloc(e->a, cap * sizeof(*v));
    for (;;) {
        size_t len = strcspn(p, seps);
        if (i == cap) {
            v = arena_realloc(e->a, v, cap * sizeof(*v), 2 * cap * sizeof(*v));
            cap *= 2;
        }
        v[i++] = arena_strndup(e->a, p, len);
        if (p[len] == '\0')
            break;
        p += len + 1;
        n++;
    }
    if (field > 0)
        return (size_t)field <= n ? v[field - 1] : NULL;
    size_t back = 0UL - (unsigned long)field; /* no overflow at LONG_MIN */
    return back <= n ? v[n - back] : NULL;
}

/* ${extract json{N}{[array]}} or ${extract json{key}{{object}}};
 * jsons also removes the quotes of a string result. */
static int
extract_json(struct exp *e, const char *at, int json, int numeric, long field,
             const char *key, const char *text, const char **value)
{
    const char *list, *item;
    char *t;

    *value = NULL;
    if ((t = x_json_dewrap(e, text, numeric ? "[]" : "{}")) == NULL) {
        char *m = x_strdup(e, gstr_str(e->msg));
        return x_error(e, at, "%s wrapping %s for extract json", m,
                       numeric ? "array" : "object");
    }
    list = t;
    if (numeric) {
        if (field <= 0)
            return x_error(e, at,
                           "first argument of \"extract\" must be "
                           "greater than zero");
        for (item = NULL; field > 0; field--)
            if ((item = x_json_next(e, &list)) == NULL)
                break;
        if (item != NULL) {
            char *v = x_strdup(e, item);
            size_t n = strlen(v);
            while (n > 0 && isspace((unsigned char)v[n - 1]))
                v[--n] = '\0';
            *value = v;
        }
    } else {
        while ((item = x_json_next(e, &list)) != NULL) {
            const char *k = x_json_dewrap(e, item, "\"\"");
            if (k == NULL) {
                char *m = x_strdup(e, gstr_str(e->msg));
                return x_error(e, at, "%s wrapping string key for extract json",
                               m);
            }
            if (strcmp(k, key) != 0)
                continue;
            /* After the key's closing quote: white space, ':', the value. */
            const char *p = strchr(x_skip_space(item), '"') + 1 + strlen(k) + 1;
            p = x_skip_space(p);
            if (*p != ':')
                return x_error(e, at,
                               "missing object value-separator for "
                               "extract json");
            *value = x_skip_space(p + 1);
            break;
        }
    }
    if (json == 2 && *value != NULL &&
        (*value = x_json_dewrap(e, *value, "\"\"")) == NULL) {
        char *m = x_strdup(e, gstr_str(e->msg));
        return x_error(e, at, "%s wrapping string result for extract jsons", m);
    }
    return EXPAND_OK;
}

static int
item_extract(struct exp *e, const char **sp, unsigned fl, gstr *out,
             const char *name)
{
    const char *s = x_skip_space(*sp);
    const char *at = s;
    char *subs[3] = {NULL, NULL, NULL};
    const char *value = NULL;
    int nargs = 2, numeric = 0, rc, json = 0;
    long field = 0;

    (void)name;
    if (*s != '{' && strncmp(s, "json", 4) == 0) {
        /* ${extract json{...}} and ${extract jsons{...}} */
        json = s[4] == 's' ? 2 : 1;
        s = x_skip_space(s + 4 + (json == 2));
        at = s;
    }
    if (fl & XF_SKIP) {
        /* The kind of extraction is not known while skipping: take up to
         * five arguments and an optional "fail", as Exim does. */
        for (int j = 0; j < 5 && *s == '{'; j++) {
            char *dummy;
            if ((rc = x_arg(e, &s, fl, &dummy)) != EXPAND_OK) {
                *sp = s;
                return rc;
            }
            s = x_skip_space(s);
        }
        if (strncmp(s, "fail", 4) == 0 &&
            (s[4] == '}' || s[4] == ' ' || s[4] == '\t' || s[4] == '\0'))
            s = x_skip_space(s + 4);
        if (*s != '}') {
            *sp = s;
            return x_error(e, s, "missing '}' closing extract");
        }
        *sp = s + 1;
        return EXPAND_OK;
    }
    for (int i = 0; i < nargs; i++) {
        s = x_skip_space(s);
        if (*s != '{') {
            *sp = s;
            return x_error(e, s, "missing '{' for arg %d of extract", i + 1);
        }
        if ((rc = x_arg(e, &s, fl, &subs[i])) != EXPAND_OK) {
            *sp = s;
            return rc;
        }
        if (i == 0 && !(fl & XF_SKIP)) {
            char *p = (char *)x_skip_space(subs[0]);
            size_t len = strlen(p);
            while (len > 0 && isspace((unsigned char)p[len - 1]))
                p[--len] = '\0';
            subs[0] = p;
            if (*p == '\0') {
                *sp = s;
                return x_error(e, at,
                               "first argument of \"extract\" must "
                               "not be empty");
            }
            const char *d = *p == '-' ? p + 1 : p;
            numeric = *d != '\0';
            for (const char *q = d; *q; q++)
                if (!isdigit((unsigned char)*q))
                    numeric = 0;
            if (numeric) {
                field = strtol(p, NULL, 10);
                nargs = json ? 2 : 3;
            }
        }
    }
    if (json) {
        if (extract_json(e, at, json, numeric, field, subs[0], subs[1],
                         &value) != EXPAND_OK) {
            *sp = s;
            return EXPAND_ERROR;
        }
    } else
        value = numeric ? extract_field(e, field, subs[1], subs[2])
                        : extract_keyed(e, subs[0], subs[1]);
    rc = x_yesno(e, &s, fl, value != NULL, value, "extract", out);
    *sp = s;
    return rc;
}

static int
item_listextract(struct exp *e, const char **sp, unsigned fl, gstr *out,
                 const char *name)
{
    const char *s = *sp;
    const char *at = s;
    char *subs[2];
    const char *value = NULL;
    int rc;

    if ((rc = x_args(e, &s, fl, name, 2, 2, subs, 0)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (!(fl & XF_SKIP)) {
        char *p = (char *)x_skip_space(subs[0]);
        const char *d = *p == '-' ? p + 1 : p;
        long field;
        if (*d == '\0' || strspn(d, "0123456789") != strlen(d)) {
            *sp = s;
            return x_error(e, at,
                           "first argument of \"listextract\" must "
                           "be an integer");
        }
        field = strtol(p, NULL, 10);
        struct xlist it;
        const char *item;
        const char **v = NULL;
        size_t n = 0, cap = 0;
        xlist_init(&it, subs[1], 0);
        while ((item = xlist_next(&it, e->a)) != NULL) {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 8;
                v = arena_realloc(e->a, v, cap * sizeof(*v), nc * sizeof(*v));
                cap = nc;
            }
            v[n++] = item;
        }
        if (field > 0 && (size_t)field <= n)
            value = v[field - 1];
        else if (field < 0 && 0UL - (unsigned long)field <= n)
            value = v[n - (0UL - (unsigned long)field)];
    }
    rc = x_yesno(e, &s, fl, value != NULL, value, "listextract", out);
    *sp = s;
    return rc;
}

/* Appends item to an output list as Exim's map and filter do: doubled
 * separators, and a space before an item that is empty or starts with
 * the separator. */
static int
list_add(struct exp *e, gstr *out, size_t start, char sep, const char *item)
{
    gstr g;

    gstr_init(&g, e->a);
    if (out->len > start)
        gstr_addc(&g, sep);
    if (out->len > start && (item[0] == sep || item[0] == '\0'))
        gstr_addc(&g, ' ');
    for (const char *p = item; *p; p++) {
        gstr_addc(&g, *p);
        if (*p == sep)
            gstr_addc(&g, sep);
    }
    return x_add(e, out, g.s, g.len);
}

/* Reads the "{list}" argument and finds the extent of "{expr}" without
 * evaluating it. */
static int
iter_args(struct exp *e, const char **sp, unsigned fl, const char *name,
          char **list, const char **expr, int is_filter)
{
    const char *s = x_skip_space(*sp);
    int rc, dummy;

    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for first arg of %s", name);
    }
    if ((rc = x_arg(e, &s, fl, list)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    s = x_skip_space(s);
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for second arg of %s", name);
    }
    *expr = ++s;
    if (is_filter)
        rc = x_condition(e, &s, fl | XF_SKIP, &dummy);
    else {
        gstr g;
        gstr_init(&g, e->a);
        rc = x_expand(e, &s, XF_SKIP | XF_BRACE, &g);
    }
    if (rc != EXPAND_OK) {
        *sp = s;
        if (rc == EXPAND_ERROR)
            gstr_printf(e->msg, " inside \"%s\" item", name);
        return rc;
    }
    s = x_skip_space(s);
    if (*s != '}') {
        *sp = s;
        return x_error(e, s, "missing } at end of condition inside \"%s\"",
                       name);
    }
    *sp = s + 1;
    return EXPAND_OK;
}

static int
end_of_item(struct exp *e, const char **sp, const char *name)
{
    const char *s = x_skip_space(*sp);

    if (*s != '}') {
        *sp = s;
        return x_error(e, s, "missing } at end of \"%s\"", name);
    }
    *sp = s + 1;
    return EXPAND_OK;
}

/* map, filter, reduce. */
static int
item_iterate(struct exp *e, const char **sp, unsigned fl, gstr *out,
             const char *name)
{
    int is_filter = strcmp(name, "filter") == 0;
    int is_reduce = strcmp(name, "reduce") == 0;
    const char *s = *sp, *expr = NULL;
    char *list = NULL, *init = NULL;
    const char *save_item = e->item, *save_value = e->value;
    int rc;

    if (is_reduce) {
        /* ${reduce{list}{initial}{expression}} */
        const char *t = x_skip_space(s);
        if (*t != '{') {
            *sp = t;
            return x_error(e, t, "missing '{' for first arg of reduce");
        }
        if ((rc = x_arg(e, &t, fl, &list)) != EXPAND_OK) {
            *sp = t;
            return rc;
        }
        t = x_skip_space(t);
        if (*t != '{') {
            *sp = t;
            return x_error(e, t, "missing '{' for second arg of reduce");
        }
        if ((rc = x_arg(e, &t, fl, &init)) != EXPAND_OK) {
            *sp = t;
            return rc;
        }
        s = t;
        t = x_skip_space(s);
        if (*t != '{') {
            *sp = t;
            return x_error(e, t, "missing '{' for third arg of reduce");
        }
        expr = ++t;
        gstr g;
        gstr_init(&g, e->a);
        if ((rc = x_expand(e, &t, XF_SKIP | XF_BRACE, &g)) != EXPAND_OK) {
            *sp = t;
            if (rc == EXPAND_ERROR)
                gstr_printf(e->msg, " inside \"reduce\" item");
            return rc;
        }
        s = t + 1;
    } else if ((rc = iter_args(e, &s, fl, name, &list, &expr, is_filter)) !=
               EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if ((rc = end_of_item(e, &s, name)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    *sp = s;
    if (fl & XF_SKIP)
        return EXPAND_OK;

    struct xlist it;
    const char *item;
    size_t start = out->len;
    e->value = init;
    xlist_init(&it, list, 0);
    char sep = (char)xlist_sep(&it);
    while ((item = xlist_next(&it, e->a)) != NULL) {
        const char *c = expr;
        e->item = item;
        if (is_filter) {
            int truth = 0;
            const char *v = e->value;
            rc = x_condition(e, &c, 0, &truth);
            e->value = v;
            if (rc == EXPAND_OK && truth)
                rc = list_add(e, out, start, sep, item);
        } else {
            gstr g;
            gstr_init(&g, e->a);
            rc = x_expand(e, &c, XF_BRACE, &g);
            if (rc == EXPAND_OK) {
                if (is_reduce)
                    e->value = gstr_str(&g);
                else
                    rc = list_add(e, out, start, sep, gstr_str(&g));
            }
        }
        if (rc != EXPAND_OK) {
            if (rc == EXPAND_ERROR)
                x_wrap_error(e, name, is_filter ? "condition" : "item");
            break;
        }
    }
    if (rc == EXPAND_OK && is_reduce && e->value != NULL)
        rc = x_adds(e, out, e->value);
    e->item = save_item;
    e->value = save_value;
    return rc;
}

struct sort_item {
    const char *item;
    const char *key;
};

/* ${sort{list}{comparator}{extractor}} */
static int
item_sort(struct exp *e, const char **sp, unsigned fl, gstr *out,
          const char *name)
{
    static const char *const cmps[] = {
        "<",  "<=",  "=",  "==",  ">",  ">=",  "lt", "lti",
        "le", "lei", "gt", "gti", "ge", "gei", "eq", "eqi"};
    const char *s = x_skip_space(*sp), *xtract;
    char *list, *cmp;
    int rc;
    gstr g;

    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for list arg of sort");
    }
    if ((rc = x_arg(e, &s, fl, &list)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    s = x_skip_space(s);
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for comparator arg of sort");
    }
    if ((rc = x_arg(e, &s, fl, &cmp)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    s = x_skip_space(s);
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for extractor arg of sort");
    }
    xtract = ++s;
    gstr_init(&g, e->a);
    if ((rc = x_expand(e, &s, XF_SKIP | XF_BRACE, &g)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    s++;
    if ((rc = end_of_item(e, &s, name)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    *sp = s;
    if (fl & XF_SKIP)
        return EXPAND_OK;
    cmp = (char *)x_skip_space(cmp);
    size_t ci;
    for (ci = 0; ci < sizeof(cmps) / sizeof(cmps[0]); ci++)
        if (strcmp(cmp, cmps[ci]) == 0)
            break;
    if (ci == sizeof(cmps) / sizeof(cmps[0]))
        return x_error(e, *sp, "unknown condition \"%s\"", cmp);
    if (strncmp(cmp, "eq", 2) == 0 || cmp[0] == '=')
        return x_error(e, *sp, "comparator not handled for sort");

    struct xlist it;
    const char *item, *save_item = e->item;
    struct sort_item *v = NULL;
    size_t n = 0, cap = 0;
    xlist_init(&it, list, 0);
    char sep = (char)xlist_sep(&it);
    while ((item = xlist_next(&it, e->a)) != NULL) {
        const char *c = xtract;
        gstr k;
        gstr_init(&k, e->a);
        e->item = item;
        rc = x_expand(e, &c, XF_BRACE, &k);
        if (rc != EXPAND_OK) {
            e->item = save_item;
            if (rc == EXPAND_ERROR) {
                char *m = x_strdup(e, gstr_str(e->msg));
                x_error(e, *sp, "field-extract in sort: \"%s\"", m);
            }
            return rc;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            v = arena_realloc(e->a, v, cap * sizeof(*v), nc * sizeof(*v));
            cap = nc;
        }
        v[n].item = item;
        v[n].key = gstr_str(&k);
        n++;
    }
    e->item = save_item;
    /* Insertion sort: stable, and lists are short. */
    int numeric = !isalpha((unsigned char)cmp[0]);
    int ci_case = cmp[strlen(cmp) - 1] == 'i';
    int want_lt = cmp[0] == '<' || cmp[0] == 'l';
    for (size_t i = 1; i < n; i++) {
        struct sort_item t = v[i];
        size_t j = i;
        while (j > 0) {
            int before; /* t goes before v[j-1] */
            if (numeric) {
                long long a, b;
                if (x_parse_int(e, *sp, t.key, &a) != EXPAND_OK ||
                    x_parse_int(e, *sp, v[j - 1].key, &b) != EXPAND_OK)
                    return EXPAND_ERROR;
                before = want_lt ? a < b : a > b;
            } else {
                int c = ci_case ? strcasecmp(t.key, v[j - 1].key)
                                : strcmp(t.key, v[j - 1].key);
                before = want_lt ? c < 0 : c > 0;
            }
            if (!before)
                break;
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
        if (++e->steps > X_MAX_STEPS)
            return x_error(e, *sp,
                           "expansion too complex (more than %lu "
                           "steps)",
                           X_MAX_STEPS);
    }
    size_t start = out->len;
    for (size_t i = 0; i < n; i++)
        if ((rc = list_add(e, out, start, sep, v[i].item)) != EXPAND_OK)
            return rc;
    return EXPAND_OK;
}

static int
item_sg(struct exp *e, const char **sp, unsigned fl, gstr *out,
        const char *name)
{
    char *subs[3];
    int rc = x_args(e, sp, fl, name, 3, 3, subs, 1);

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    rc = x_regex_sg(e, subs[0], subs[1], subs[2], out);
    if (rc == EXPAND_ERROR && e->err_at == NULL)
        e->err_at = *sp;
    return rc;
}

static int
item_tr(struct exp *e, const char **sp, unsigned fl, gstr *out,
        const char *name)
{
    char *subs[3];
    int rc = x_args(e, sp, fl, name, 3, 3, subs, 1);
    size_t tolen;

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    tolen = strlen(subs[2]);
    for (char *p = subs[0]; *p && tolen > 0; p++) {
        const char *m = strrchr(subs[1], *p);
        if (m != NULL) {
            size_t o = (size_t)(m - subs[1]);
            *p = subs[2][o < tolen - 1 ? o : tolen - 1];
        }
    }
    return x_adds(e, out, subs[0]);
}

/* ${substr{start}{len}{s}}, ${length{n}{s}}, ${hash{n}{m}{s}},
 * ${nhash{n}{m}{s}}. */
static int
item_numbered(struct exp *e, const char **sp, unsigned fl, gstr *out,
              const char *name)
{
    int is_length = strcmp(name, "length") == 0;
    const char *at = *sp;
    char *subs[3];
    long val[2] = {0, -1};
    int rc = x_args(e, sp, fl, name, 2, is_length ? 2 : 3, subs, 1);

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    if (is_length) {
        subs[2] = subs[1];
        subs[1] = subs[0];
        subs[0] = NULL;
    } else if (subs[2] == NULL) {
        subs[2] = subs[1];
        subs[1] = NULL;
    }
    for (int i = 0; i < 2; i++) {
        char *end;
        if (subs[i] == NULL)
            continue;
        errno = 0;
        val[i] = strtol(subs[i], &end, 10);
        if (*end != '\0' || end == subs[i] || errno == ERANGE ||
            (i != 0 && val[i] < 0))
            return x_error(e, at,
                           "\"%s\" is not a%s number (in \"%s\" "
                           "expansion)",
                           subs[i], i != 0 ? " positive" : "", name);
    }
    if (strcmp(name, "hash") == 0)
        return x_hash(e, at, subs[2], val[0], val[1], out);
    if (strcmp(name, "nhash") == 0)
        return x_nhash(e, at, subs[2], val[0], val[1], out);
    size_t off, len;
    if (is_length)
        val[0] = 0;
    x_substr(subs[2], val[0], val[1], &off, &len);
    return x_add(e, out, subs[2] + off, len);
}

static int
item_hmac(struct exp *e, const char **sp, unsigned fl, gstr *out,
          const char *name)
{
    const char *at = *sp;
    char *subs[3];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    const EVP_MD *m;
    int taint_before = e->tainted;
    int rc = x_args(e, sp, fl, name, 3, 3, subs, 1);
    gstr g;

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    if (strcmp(subs[0], "md5") == 0)
        m = EVP_md5();
    else if (strcmp(subs[0], "sha1") == 0)
        m = EVP_sha1();
    else if (strcmp(subs[0], "sha256") == 0)
        m = EVP_sha256();
    else
        return x_error(e, at, "hmac algorithm \"%s\" is not recognised",
                       subs[0]);
    if (HMAC(m, subs[1], (int)strlen(subs[1]), (unsigned char *)subs[2],
             strlen(subs[2]), md, &len) == NULL)
        return x_error(e, at, "hmac computation failed");
    e->tainted = taint_before; /* a digest: nothing of the data is copied */
    gstr_init(&g, e->a);
    for (unsigned i = 0; i < len; i++)
        gstr_printf(&g, "%02x", md[i]);
    return x_add(e, out, g.s, g.len);
}

static int
item_readfile(struct exp *e, const char **sp, unsigned fl, gstr *out,
              const char *name)
{
    const char *at = *sp;
    char *subs[2];
    int rc = x_args(e, sp, fl, name, 1, 2, subs, 1);
    int fd;
    struct stat st;
    gstr g;

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    if ((fd = open(subs[0], O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return x_error(e, at, "failed to open %s: %s", subs[0],
                       strerror(errno));
    size_t limit = READFILE_MAX < e->max_size ? READFILE_MAX : e->max_size;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > limit) {
        close(fd);
        return x_error(e, at,
                       "failed to read %s: not a regular file of at "
                       "most %zu bytes",
                       subs[0], limit);
    }
    gstr_init(&g, e->a);
    for (;;) {
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\n' && subs[1] != NULL)
                gstr_adds(&g, subs[1]);
            else
                gstr_addc(&g, buf[i]);
    }
    close(fd);
    return x_add(e, out, g.s, g.len);
}

static int
item_env(struct exp *e, const char **sp, unsigned fl, gstr *out,
         const char *name)
{
    const char *s = x_skip_space(*sp);
    char *var;
    const char *value = NULL;
    int rc;

    (void)name;
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for name arg of env");
    }
    if ((rc = x_arg(e, &s, fl, &var)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    if (!(fl & XF_SKIP))
        value = getenv(var);
    rc = x_yesno(e, &s, fl, value != NULL, value, "env", out);
    *sp = s;
    return rc;
}

/* Splits a command line at white space; double quotes group. */
static char **
run_argv(struct exp *e, const char *cmd)
{
    char **argv = arena_alloc(e->a, (strlen(cmd) / 2 + 2) * sizeof(*argv));
    size_t n = 0;
    const char *p = cmd;

    for (;;) {
        gstr g;
        p = x_skip_space(p);
        if (*p == '\0')
            break;
        gstr_init(&g, e->a);
        while (*p != '\0' && !isspace((unsigned char)*p)) {
            if (*p == '"') {
                p++;
                while (*p != '\0' && *p != '"') {
                    if (*p == '\\' && p[1] != '\0')
                        p++;
                    gstr_addc(&g, *p++);
                }
                if (*p == '"')
                    p++;
            } else
                gstr_addc(&g, *p++);
        }
        argv[n++] = (char *)gstr_str(&g);
    }
    argv[n] = NULL;
    return argv;
}

static int
run_command(struct exp *e, const char *at, char **argv, gstr *output,
            int *status)
{
    int pipefd[2];
    pid_t pid;
    time_t deadline = time(NULL) + RUN_TIMEOUT;

    if (argv[0] == NULL)
        return x_error(e, at, "missing command name in ${run}");
    if (pipe(pipefd) < 0)
        return x_error(e, at, "couldn't create a pipe for ${run}: %s",
                       strerror(errno));
    if ((pid = fork()) < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return x_error(e, at, "couldn't fork for ${run}: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pipefd[1]);
    for (;;) {
        char buf[4096];
        ssize_t n = read(pipefd[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (output->len + (size_t)n > e->max_size) {
            kill(pid, SIGKILL);
            break;
        }
        gstr_addn(output, buf, (size_t)n);
        if (time(NULL) > deadline) {
            kill(pid, SIGKILL);
            break;
        }
    }
    close(pipefd[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(*status))
        return x_error(e, at, "command killed by signal %d", WTERMSIG(*status));
    return EXPAND_OK;
}

static int
item_run(struct exp *e, const char **sp, unsigned fl, gstr *out,
         const char *name)
{
    const char *s = x_skip_space(*sp);
    const char *at = s;
    char *cmd;
    int rc, status = 0;
    gstr output;

    (void)name;
    if (*s != '{') {
        *sp = s;
        return x_error(e, s, "missing '{' for command arg of run");
    }
    if ((rc = x_arg(e, &s, fl, &cmd)) != EXPAND_OK) {
        *sp = s;
        return rc;
    }
    gstr_init(&output, e->a);
    if (!(fl & XF_SKIP)) {
        if (!expand_run_allowed()) {
            *sp = s;
            return x_error(e, at,
                           "running a command is not permitted "
                           "(set expand_allow_run in the main "
                           "configuration)");
        }
        if ((rc = run_command(e, at, run_argv(e, cmd), &output, &status)) !=
            EXPAND_OK) {
            *sp = s;
            return rc;
        }
        e->ctx->runrc = WEXITSTATUS(status);
    }
    rc = x_yesno(e, &s, fl, e->ctx->runrc == 0, gstr_str(&output), "run", out);
    *sp = s;
    return rc;
}

/* ${listquote{sep}{string}}: separators doubled; "" becomes " ". */
static int
item_listquote(struct exp *e, const char **sp, unsigned fl, gstr *out,
               const char *name)
{
    char *subs[2];
    int rc = x_args(e, sp, fl, name, 2, 2, subs, 1);
    gstr g;

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    gstr_init(&g, e->a);
    if (subs[1][0] == '\0')
        gstr_addc(&g, ' ');
    for (const char *p = subs[1]; *p; p++) {
        gstr_addc(&g, *p);
        if (subs[0][0] != '\0' && *p == subs[0][0])
            gstr_addc(&g, *p);
    }
    return x_add(e, out, g.s, g.len);
}

/* ${acl{name}{arg}...}: the ACL's message if it accepts, else nothing. */
static int
item_acl(struct exp *e, const char **sp, unsigned fl, gstr *out,
         const char *name)
{
    const char *at = *sp;
    char *subs[10];
    const char *message;
    int rc = x_args(e, sp, fl, name, 1, 10, subs, 1);

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    rc = x_run_acl(e, at, subs, 10, &message);
    if (rc == EXPAND_ERROR)
        return rc;
    if (rc == EXPAND_ACL_ACCEPT && message != NULL)
        return x_adds(e, out, message);
    return EXPAND_OK;
}

static int
item_authresults(struct exp *e, const char **sp, unsigned fl, gstr *out,
                 const char *name)
{
    char *subs[1];
    int rc = x_args(e, sp, fl, name, 1, 1, subs, 1);
    gstr g;

    if (rc != EXPAND_OK || (fl & XF_SKIP))
        return rc;
    gstr_init(&g, e->a);
    gstr_printf(&g, "Authentication-Results: %s", subs[0]);
    if (expand_authresults_hook != NULL)
        expand_authresults_hook(e->ctx, subs[0], &g);
    return x_add(e, out, g.s, g.len);
}

static const struct {
    const char *name;
    x_item_fn *fn;
} item_table[] = {
    {"acl", item_acl},
    {"authresults", item_authresults},
    {"env", item_env},
    {"extract", item_extract},
    {"filter", item_iterate},
    {"hash", item_numbered},
    {"hmac", item_hmac},
    {"if", item_if},
    {"length", item_numbered},
    {"listextract", item_listextract},
    {"listquote", item_listquote},
    {"lookup", item_lookup},
    {"map", item_iterate},
    {"nhash", item_numbered},
    {"readfile", item_readfile},
    {"reduce", item_iterate},
    {"run", item_run},
    {"sg", item_sg},
    {"sort", item_sort},
    {"substr", item_numbered},
    {"tr", item_tr},
};

#define NITEMS (sizeof(item_table) / sizeof(item_table[0]))

size_t expand_item_count(void);
const char *expand_item_name(size_t i);

size_t
expand_item_count(void)
{
    return NITEMS;
}

const char *
expand_item_name(size_t i)
{
    return item_table[i].name;
}

x_item_fn *
x_item_find(const char *name)
{
    for (size_t i = 0; i < NITEMS; i++)
        if (strcmp(item_table[i].name, name) == 0)
            return item_table[i].fn;
    return NULL;
}
