/*++
 * NAME
 *	match 3
 * SUMMARY
 *	matching domain, address, local-part and host lists
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	int	x_match_domain(struct exp *e, const char *subject,
 *				const char *list)
 *	int	x_match_address(struct exp *e, const char *subject,
 *				const char *list)
 *	int	x_match_local_part(struct exp *e, const char *subject,
 *				const char *list, int caseless)
 *	int	x_match_ip(struct exp *e, const char *subject,
 *				const char *list)
 *	int	x_is_ip(const char *s, int *family)
 * DESCRIPTION
 *	Lists are matched item by item, the first item that matches
 *	deciding; "!" before an item negates it; no match at the end
 *	means no match, unless the last item was negative: such a list
 *	behaves as if it ended with ":*" (Exim's "Negated items in
 *	lists"). In every kind of list:
 *
 *	+name	the named list of that kind (domainlist, addresslist,
 *		localpartlist, hostlist), via conf_named_list();
 *	/file	the items are the lines of the file ("#" comments);
 *	type;file  a lookup of the subject ("lsearch;/etc/domains",
 *		"partial-lsearch;...", "iplsearch;..." for hosts): found
 *		means a match.
 *
 *	Domain items: "@" (the primary host name), "@[]" (a domain literal
 *	of a local interface's address), "^regex", "*suffix",
 *	or a literal name, compared without regard to case. Address
 *	items: "^regex" (the whole address), "local@domain" where local
 *	may be "*" and domain is a domain item, or a domain item alone
 *	(matching the address's domain); local parts compare without
 *	case. Local-part items: "^regex", "*suffix", literal (with case
 *	unless caseless). Host items for match_ip: "*", an address, or a
 *	network "address/bits"; names do not match.
 * DIAGNOSTICS
 *	-1 with e->msg set for a bad regex, a lookup that defers, a named
 *	list that does not exist ('unknown named domain list "+x"') or
 *	named lists nested more than 20 deep.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "expand/xlist.h"
#include "conf/conf.h"
#include "expand/expand_int.h"
#include "expand/ip.h"
#include "expand/lookups/lookup.h"
#include "expand/regex.h"

#define MATCH_MAX_NEST 20

typedef int item_fn(struct exp *e, const char *subject, const char *item,
                    int caseless);

static int match_list(struct exp *e, const char *subject, const char *list,
                      enum named_list_kind kind, item_fn *fn, int caseless,
                      int depth);

int
x_is_ip(const char *s, int *family)
{
    unsigned char a[16];

    if (strchr(s, '[') != NULL) /* no brackets in isip */
        return 0;
    return ip_parse(s, a, family);
}

/* A regex item; on a match $0, $1 ... are its groups, as in Exim. */
static int
regex_item(struct exp *e, const char *subject, const char *pattern,
           int caseless)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int rc, owned;

    gstr_truncate(e->msg, 0);
    if ((re = expand_regex_compile(pattern, caseless, e->msg, &owned)) == NULL)
        return -1;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = expand_regex_exec(re, subject, strlen(subject), 0, md, e->msg);
    if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        e->nmax = -1;
        for (int i = 0; i < rc && i < 10; i++) {
            size_t n = ov[2 * i] == PCRE2_UNSET ? 0 : ov[2 * i + 1] - ov[2 * i];
            e->num[i] = n ? arena_strndup(e->a, subject + ov[2 * i], n) : "";
            e->numlen[i] = n;
            e->nmax = i;
        }
    }
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    return rc < 0 ? -1 : rc > 0;
}

/* "@[]": a domain literal ("[ip]", "[IPv6:ip]") holding an address of
 * one of this host's interfaces. */
static int
local_literal(struct exp *e, const char *subject)
{
    size_t n = strlen(subject);
    char *ip;

    if (n < 3 || subject[0] != '[' || subject[n - 1] != ']')
        return 0;
    ip = arena_strndup(e->a, subject + 1, n - 2);
    if (strncasecmp(ip, "IPv6:", 5) == 0)
        ip += 5;
    return ip_is_local_interface(ip) == 1;
}

static int
domain_item(struct exp *e, const char *subject, const char *item, int caseless)
{
    (void)caseless;
    if (strcmp(item, "@") == 0)
        return main_config.primary_hostname != NULL &&
               strcasecmp(subject, main_config.primary_hostname) == 0;
    if (strcmp(item, "@[]") == 0)
        return local_literal(e, subject);
    if (item[0] == '^')
        return regex_item(e, subject, item, 1);
    if (item[0] == '*') {
        size_t il = strlen(item + 1), sl = strlen(subject);
        if (il > sl || strcasecmp(subject + sl - il, item + 1) != 0)
            return 0;
        /* $0 is the subject, $1 what the "*" matched. */
        e->num[0] = subject;
        e->numlen[0] = sl;
        e->num[1] = arena_strndup(e->a, subject, sl - il);
        e->numlen[1] = sl - il;
        e->nmax = 1;
        return 1;
    }
    return strcasecmp(subject, item) == 0;
}

static int
local_part_item(struct exp *e, const char *subject, const char *item,
                int caseless)
{
    if (item[0] == '^')
        return regex_item(e, subject, item, caseless);
    if (item[0] == '*') {
        size_t il = strlen(item + 1), sl = strlen(subject);
        if (il > sl)
            return 0;
        return caseless ? strcasecmp(subject + sl - il, item + 1) == 0
                        : strcmp(subject + sl - il, item + 1) == 0;
    }
    return caseless ? strcasecmp(subject, item) == 0
                    : strcmp(subject, item) == 0;
}

static int
address_item(struct exp *e, const char *subject, const char *item, int caseless)
{
    const char *sat = strrchr(subject, '@');
    const char *domain = sat ? sat + 1 : "";
    const char *iat;

    (void)caseless;
    if (item[0] == '^')
        return regex_item(e, subject, item, 1);
    if ((iat = strrchr(item, '@')) == NULL)
        return domain_item(e, domain, item, 1);
    char *ilp = arena_strndup(e->a, item, (size_t)(iat - item));
    char *slp = arena_strndup(e->a, subject,
                              sat ? (size_t)(sat - subject) : strlen(subject));
    if (strcmp(ilp, "*") != 0) {
        int r = local_part_item(e, slp, ilp, 1);
        if (r <= 0)
            return r;
    }
    if (iat[1] == '+')
        return match_list(e, domain, iat + 1, NL_DOMAIN, domain_item, 1, 1);
    return domain_item(e, domain, iat + 1, 1);
}

static int
host_item(struct exp *e, const char *subject, const char *item, int caseless)
{
    int r;

    (void)e;
    (void)caseless;
    if (strcmp(item, "*") == 0)
        return 1;
    /* An empty item is the local caller (no address), which nothing
     * else matches. */
    if (item[0] == '\0' || subject[0] == '\0')
        return item[0] == '\0' && subject[0] == '\0';
    r = ip_in_net(subject, item);
    return r == 1;
}

/* For host lists: "net-TYPE" keys the lookup by the address, "netN-TYPE"
 * by the network "address/N". Returns the key, or NULL. */
static const char *
host_lookup_key(struct exp *e, const char *subject, char **type)
{
    const char *t = *type;
    long bits = -1;

    if (strncmp(t, "net", 3) != 0)
        return subject;
    t += 3;
    if (isdigit((unsigned char)*t)) {
        bits = 0;
        while (isdigit((unsigned char)*t) && bits < 1000)
            bits = bits * 10 + (*t++ - '0');
    }
    if (*t != '-')
        return subject;
    *type = (char *)t + 1;
    if (bits < 0)
        return subject;
    char *masked;
    if (x_sub_expand(e, arena_printf(e->a, "${mask_n:%s/%ld}", subject, bits),
                     0, &masked) != EXPAND_OK)
        return NULL;
    return masked;
}

static int
lookup_item(struct exp *e, const char *subject, const char *item,
            enum named_list_kind kind, int *matched)
{
    const char *semi = strchr(item, ';');
    struct lookup_spec spec;
    struct lookup_call c;
    char *type, *result;
    const char *key = subject;
    gstr err;
    int rc;

    *matched = 0;
    if (semi == NULL)
        return 0;
    type = arena_strndup(e->a, item, (size_t)(semi - item));
    if (kind == NL_HOST && (key = host_lookup_key(e, subject, &type)) == NULL)
        return -1;
    for (const char *p = type; *p != '\0'; p++)
        if (isspace((unsigned char)*p))
            return 0;
    gstr_init(&err, e->a);
    if (lookup_parse_type(e->a, type, &spec, &err) < 0)
        return 0; /* not a lookup: an ordinary item */
    memset(&c, 0, sizeof(c));
    c.a = e->a;
    c.file = x_skip_space(semi + 1);
    c.key = key;
    c.err = &err;
    rc = lookup_run(&spec, &c, &result);
    if (rc == LOOKUP_DEFER || rc == LOOKUP_ERROR) {
        if (rc == LOOKUP_DEFER)
            e->ctx->lookup_deferred = 1;
        x_error(e, NULL, "%s", gstr_str(&err));
        return -1;
    }
    *matched = rc == LOOKUP_OK;
    if (*matched)
        e->list_value = result;
    return 1;
}

static int
file_items(struct exp *e, const char *subject, const char *path,
           enum named_list_kind kind, item_fn *fn, int caseless, int depth,
           int *matched)
{
    const char *data;
    size_t len;
    gstr err, list;

    gstr_init(&err, e->a);
    if (lookup_file_get(path, "list", &data, &len, &err) < 0) {
        x_error(e, NULL, "%s", gstr_str(&err));
        return -1;
    }
    /* One item a line; comments dropped; items joined with newlines. The
     * copy is made before matching, which may look other files up. */
    gstr_init(&list, e->a);
    gstr_adds(&list, "<\n");
    for (const char *p = data, *end = data + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(eol - p));
        gstr_addn(&list, p, (size_t)((hash ? hash : eol) - p));
        gstr_addc(&list, '\n');
        p = nl ? nl + 1 : end;
    }
    lookup_file_release();
    int r =
        match_list(e, subject, gstr_str(&list), kind, fn, caseless, depth + 1);
    if (r < 0)
        return -1;
    *matched = r;
    return 0;
}

static int
named_list(struct exp *e, const char *subject, const char *name,
           enum named_list_kind kind, item_fn *fn, int caseless, int depth)
{
    const struct named_list *nl = conf_named_list(kind, name);

    if (nl == NULL) {
        x_error(e, NULL, "unknown named %s list \"+%s\"",
                kind == NL_DOMAIN    ? "domain"
                : kind == NL_HOST    ? "host"
                : kind == NL_ADDRESS ? "address"
                                     : "local part",
                name);
        return -1;
    }
    const char *value = nl->value;
    if (strchr(value, '$') != NULL || strchr(value, '\\') != NULL) {
        char *expanded;
        if (x_sub_expand(e, value, 0, &expanded) != EXPAND_OK)
            return -1;
        value = expanded;
    }
    return match_list(e, subject, value, kind, fn, caseless, depth + 1);
}

static int
match_list(struct exp *e, const char *subject, const char *list,
           enum named_list_kind kind, item_fn *fn, int caseless, int depth)
{
    struct xlist it;
    const char *item;
    int last_negated = 0;

    if (depth > MATCH_MAX_NEST) {
        x_error(e, NULL, "named lists nested too deeply (more than %d)",
                MATCH_MAX_NEST);
        return -1;
    }
    xlist_init(&it, list, 0);
    while ((item = xlist_next(&it, e->a)) != NULL) {
        int negate = 0, r, m;
        while (*item == '!') {
            negate = !negate;
            item = x_skip_space(item + 1);
        }
        if (++e->steps > X_MAX_STEPS) {
            x_error(e, NULL, "expansion too complex (more than %lu steps)",
                    X_MAX_STEPS);
            return -1;
        }
        if (item[0] == '+' && item[1] != '\0')
            r = named_list(e, subject, item + 1, kind, fn, caseless, depth);
        else if (item[0] == '/') {
            if (file_items(e, subject, item, kind, fn, caseless, depth, &m) < 0)
                return -1;
            r = m;
        } else {
            int is_lookup = lookup_item(e, subject, item, kind, &m);
            if (is_lookup < 0)
                return -1;
            r = is_lookup ? m : fn(e, subject, item, caseless);
            if (r > 0 && !is_lookup)
                e->list_value = item;
        }
        if (r < 0)
            return -1;
        if (r)
            return !negate;
        last_negated = negate;
    }
    return last_negated;
}

int
x_match_domain(struct exp *e, const char *subject, const char *list)
{
    return match_list(e, subject, list, NL_DOMAIN, domain_item, 1, 0);
}

int
x_match_address(struct exp *e, const char *subject, const char *list)
{
    return match_list(e, subject, list, NL_ADDRESS, address_item, 1, 0);
}

int
x_match_local_part(struct exp *e, const char *subject, const char *list,
                   int caseless)
{
    return match_list(e, subject, list, NL_LOCALPART, local_part_item, caseless,
                      0);
}

int
x_match_ip(struct exp *e, const char *subject, const char *list)
{
    return match_list(e, subject, list, NL_HOST, host_item, 0, 0);
}
