/*++
 * NAME
 *	lsearch 3
 * SUMMARY
 *	linear searches of files: lsearch, wildlsearch, nwildlsearch,
 *	iplsearch
 * SYNOPSIS
 *	#include "expand/lookups/lookup.h"
 *
 *	extern const struct lookup_driver lookup_lsearch, lookup_wildlsearch,
 *				lookup_nwildlsearch, lookup_iplsearch;
 * DESCRIPTION
 *	The file is read through the lookup file cache. Each line that
 *	does not start with white space or "#" begins an entry: a key
 *	(in double quotes, with backslash escapes, if it holds a colon or
 *	white space), optional white space and an optional colon, then
 *	the data. Lines that start with white space continue the data:
 *	their leading white space becomes one space. Blank and comment
 *	lines end the data (later continuation lines are ignored).
 *
 *	lsearch compares keys literally, ignoring case. nwildlsearch
 *	treats a key starting with "^" as a regular expression and one
 *	starting with "*" as a suffix match ("*" alone matches anything);
 *	wildlsearch does the same after expanding the key ("\N" protects
 *	a regex). iplsearch keys are IP addresses or networks
 *	("192.0.2.0/24", "2001:db8::/32" in quotes), and "*".
 *
 *	The option "ret=full" returns the whole line instead of the data.
 * DIAGNOSTICS
 *	LOOKUP_ERROR if the file cannot be read; LOOKUP_DEFER if a
 *	wildlsearch key fails to expand or is a bad regular expression.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "expand/ip.h"
#include "expand/lookups/lookup.h"
#include "expand/regex.h"

enum lsearch_type { LS_PLAIN, LS_WILD, LS_NWILD, LS_IP };

static const char *
line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? nl : end;
}

/* Reads the key at the start of a line into key; returns where it ends. */
static const char *
read_key(const char *p, const char *eol, gstr *key)
{
    if (*p == '"') {
        p++;
        while (p < eol && *p != '"') {
            if (*p == '\\' && p + 1 < eol) {
                p++;
                switch (*p) {
                case 'n':
                    gstr_addc(key, '\n');
                    break;
                case 't':
                    gstr_addc(key, '\t');
                    break;
                default:
                    gstr_addc(key, *p);
                }
            } else
                gstr_addc(key, *p);
            p++;
        }
        if (p < eol)
            p++;
        return p;
    }
    while (p < eol && *p != ':' && !isspace((unsigned char)*p))
        gstr_addc(key, *p++);
    return p;
}

static int
wild_match(const struct lookup_call *c, enum lsearch_type type,
           const char *pattern, const char *key)
{
    char *expanded;

    if (type == LS_WILD && c->expand != NULL) {
        if (c->expand(c->expand_arg, pattern, &expanded, c->err) != 0)
            return -1;
        pattern = expanded;
    }
    /* A key "type;file" is itself a lookup of the key. */
    const char *semi = strchr(pattern, ';');
    if (semi != NULL && pattern[0] != '^') {
        struct lookup_spec spec;
        struct lookup_call sub = *c;
        char *ltype = arena_strndup(c->a, pattern, (size_t)(semi - pattern));
        char *result;
        gstr err;
        gstr_init(&err, c->a);
        if (lookup_parse_type(c->a, ltype, &spec, &err) == 0) {
            sub.file = semi + 1;
            while (isspace((unsigned char)*sub.file))
                sub.file++;
            int rc = lookup_run(&spec, &sub, &result);
            if (rc == LOOKUP_DEFER || rc == LOOKUP_ERROR)
                return -1;
            return rc == LOOKUP_OK;
        }
    }
    if (pattern[0] == '^') {
        pcre2_code *re;
        pcre2_match_data *md;
        int rc, owned;
        if ((re = expand_regex_compile(pattern, 1, c->err, &owned)) == NULL)
            return -1;
        md = pcre2_match_data_create_from_pattern(re, NULL);
        rc = expand_regex_exec(re, key, strlen(key), 0, md, c->err);
        pcre2_match_data_free(md);
        if (owned)
            pcre2_code_free(re);
        return rc < 0 ? -1 : rc > 0;
    }
    if (pattern[0] == '*') {
        size_t pl = strlen(pattern + 1), kl = strlen(key);
        return pl <= kl && strcasecmp(key + kl - pl, pattern + 1) == 0;
    }
    return strcasecmp(pattern, key) == 0;
}

static int
key_matches(const struct lookup_call *c, enum lsearch_type type,
            const char *line_key)
{
    switch (type) {
    case LS_PLAIN:
        return strcasecmp(line_key, c->key) == 0;
    case LS_IP:
        if (strcmp(line_key, "*") == 0 || strcmp(c->key, "*") == 0)
            return strcmp(line_key, c->key) == 0;
        {
            char *addr = arena_strdup(c->a, c->key);
            char *slash = strchr(addr, '/');
            if (slash != NULL)
                *slash = '\0';
            return ip_in_net(addr, line_key) == 1;
        }
    default:
        return wild_match(c, type, line_key, c->key);
    }
}

static int
ret_full(const char *opts)
{
    struct list_iter it;
    const char *o;
    struct arena *a;
    int full = 0;

    if (opts == NULL)
        return 0;
    a = arena_create();
    list_iter_init(&it, opts, ',');
    while ((o = list_next(&it, a)) != NULL)
        if (strcmp(o, "ret=full") == 0)
            full = 1;
    arena_destroy(a);
    return full;
}

/* Appends the data of the entry whose key ends at p, continuation
 * lines included. */
static void
collect_data(const char *line, const char *p, const char *eol, const char *end,
             int full, const char *key, gstr *out)
{
    int comment = 0;

    if (full && *line == '"')
        gstr_adds(out, key); /* Exim: the key unquoted, then the rest */
    else if (full)
        p = line;
    else {
        while (p < eol && isspace((unsigned char)*p))
            p++;
        if (p < eol && *p == ':') {
            p++;
            while (p < eol && isspace((unsigned char)*p))
                p++;
        }
    }
    const char *t = eol;
    while (t > p && isspace((unsigned char)t[-1]))
        t--;
    gstr_addn(out, p, (size_t)(t - p));
    for (const char *l = eol < end ? eol + 1 : end; l < end;) {
        const char *le = line_end(l, end);
        const char *s = l;
        const char *te = le;
        while (te > l && isspace((unsigned char)te[-1]))
            te--;
        comment = comment || te == l || *l == '#';
        if (!comment) {
            if (!isspace((unsigned char)*l))
                break;
            while (s < te && isspace((unsigned char)*s))
                s++;
            gstr_addc(out, ' ');
            gstr_addn(out, s, (size_t)(te - s));
        }
        l = le < end ? le + 1 : end;
    }
}

static int
lsearch_scan(const struct lookup_call *c, enum lsearch_type type,
             const char *data, size_t len, char **result)
{
    const char *end, *p;
    gstr key;

    if (type == LS_IP) {
        unsigned char a[16];
        int fam;
        char *addr = arena_strdup(c->a, c->key);
        char *slash = strchr(addr, '/');
        if (slash != NULL)
            *slash = '\0';
        if (strcmp(c->key, "*") != 0 && !ip_parse(addr, a, &fam)) {
            gstr_printf(c->err,
                        "\"%s\" is not a valid iplsearch key (an IP "
                        "address, with optional CIDR mask, is wanted): in a "
                        "host list, use net-iplsearch as the search type",
                        c->key);
            return LOOKUP_DEFER;
        }
    }
    end = data + len;
    gstr_init(&key, c->a);
    for (p = data; p < end;) {
        const char *eol = line_end(p, end);
        const char *next = eol < end ? eol + 1 : end;
        if (p == eol || *p == '#' || isspace((unsigned char)*p)) {
            p = next;
            continue;
        }
        gstr_truncate(&key, 0);
        const char *after = read_key(p, eol, &key);
        int m = key_matches(c, type, gstr_str(&key));
        if (m < 0)
            return LOOKUP_DEFER;
        if (m) {
            gstr out;
            gstr_init(&out, c->a);
            collect_data(p, after, eol, end, ret_full(c->opts), gstr_str(&key),
                         &out);
            *result = (char *)gstr_str(&out);
            return LOOKUP_OK;
        }
        p = next;
    }
    return LOOKUP_FAIL;
}

static int
lsearch_any(const struct lookup_call *c, enum lsearch_type type, char **result)
{
    const char *data;
    size_t len;
    int rc;

    if (lookup_file_get(c->file, "linear search", &data, &len, c->err) < 0)
        return LOOKUP_ERROR;
    rc = lsearch_scan(c, type, data, len, result);
    lookup_file_release();
    return rc;
}

static int
lsearch_find(const struct lookup_call *c, char **result)
{
    return lsearch_any(c, LS_PLAIN, result);
}

static int
wildlsearch_find(const struct lookup_call *c, char **result)
{
    return lsearch_any(c, LS_WILD, result);
}

static int
nwildlsearch_find(const struct lookup_call *c, char **result)
{
    return lsearch_any(c, LS_NWILD, result);
}

static int
iplsearch_find(const struct lookup_call *c, char **result)
{
    return lsearch_any(c, LS_IP, result);
}

const struct lookup_driver lookup_lsearch = {"lsearch", LOOKUP_SINGLE_KEY,
                                             lsearch_find};
const struct lookup_driver lookup_wildlsearch = {
    "wildlsearch", LOOKUP_SINGLE_KEY, wildlsearch_find};
const struct lookup_driver lookup_nwildlsearch = {
    "nwildlsearch", LOOKUP_SINGLE_KEY, nwildlsearch_find};
const struct lookup_driver lookup_iplsearch = {"iplsearch", LOOKUP_SINGLE_KEY,
                                               iplsearch_find};
