/*++
 * NAME
 *	dnsdb 3
 * SUMMARY
 *	the DNS as a lookup type
 * SYNOPSIS
 *	#include "expand/lookups/lookup.h"
 *
 *	extern const struct lookup_driver lookup_dnsdb;
 * DESCRIPTION
 *	${lookup dnsdb{QUERY}} with Exim's query syntax, in this order:
 * .IP ">S" or ">S,F" or ">S;"
 *	S separates records in the result (newline by default); F
 *	separates the fields of a record (the strings of a TXT record,
 *	whose first string alone is returned without F; the parts of MX,
 *	SRV and SOA records, a space by default); ";" joins TXT strings
 *	with nothing between them.
 * .IP "modifiers, each followed by a comma"
 *	defer_strict (any temporary error defers the lookup), defer_lax
 *	(the default: it defers only if no query found anything),
 *	defer_never (temporary errors count as not found); dnssec_strict,
 *	dnssec_lax and dnssec_never are accepted (mxlab does not ask for
 *	DNSSEC; dnssec_strict therefore defers every lookup); retrans_TIME
 *	sets the time-out of one attempt, retry_N the number of attempts.
 * .IP "TYPE="
 *	a, a+ (AAAA then A), aaaa, cname, mx, mxh (MX host names only),
 *	ns, zns (NS of the domain or its closest parent that has some),
 *	ptr (an IP address is turned into its reverse name), soa (walks up
 *	like zns), spf, srv, txt. Without a type, TXT.
 * .IP "a list of domains"
 *	colon-separated, "<" changes the separator. For ptr, a single IPv6
 *	address without "<" is one item. The records of all domains are
 *	joined; the lookup fails only if no domain had any.
 *
 *	Addresses in A and AAAA results are list items: a separator
 *	character inside one is doubled, as in Exim.
 * DIAGNOSTICS
 *	LOOKUP_DEFER with the resolver's message ('DNS lookup of
 *	x.example (A) timed out (2 attempts of 5s)'), or with
 *	"unsupported DNS record type", "unsupported dnsdb defer
 *	behaviour", "dnsdb modifier syntax error" and the like.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/tod.h"
#include "dns/dns.h"
#include "expand/ip.h"
#include "expand/lookups/lookup.h"

#define T_APLUS 1001 /* AAAA then A */
#define T_MXH   1002
#define T_ZNS   1003

enum defer_mode { DEFER_LAX, DEFER_STRICT, DEFER_NEVER };

struct dnsdb_query {
    char outsep;
    const char *outsep2; /* NULL: not given; "" for ";" */
    enum defer_mode defer;
    int dnssec_strict;
    struct dns_options opts;
    unsigned type;
    const char *list;
};

static const struct {
    const char *name;
    unsigned type;
} dnsdb_types[] = {
    {"a", DNS_T_A},         {"a+", T_APLUS},    {"aaaa", DNS_T_AAAA},
    {"cname", DNS_T_CNAME}, {"mx", DNS_T_MX},   {"mxh", T_MXH},
    {"ns", DNS_T_NS},       {"ptr", DNS_T_PTR}, {"soa", DNS_T_SOA},
    {"spf", DNS_T_SPF},     {"srv", DNS_T_SRV}, {"txt", DNS_T_TXT},
    {"zns", T_ZNS},
};

static const char *
skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static const char *
parse_separators(const char *s, struct dnsdb_query *q)
{
    s = skip_space(s);
    if (*s != '>' || s[1] == '\0')
        return s;
    q->outsep = s[1];
    s += 2;
    if (*s == ',' && s[1] != '\0') {
        q->outsep2 = s + 1;
        s += 2;
    } else if (*s == ';') {
        q->outsep2 = "";
        s++;
    }
    return skip_space(s);
}

/* One modifier at s: returns the text after it (and its comma), s
 * itself when there is none, or NULL with err set. */
static const char *
parse_modifier(struct arena *a, const char *s, struct dnsdb_query *q, gstr *err)
{
    const char *p;

    if (strncasecmp(s, "defer_", 6) == 0) {
        p = s + 6;
        if (strncasecmp(p, "strict", 6) == 0)
            q->defer = DEFER_STRICT, p += 6;
        else if (strncasecmp(p, "lax", 3) == 0)
            q->defer = DEFER_LAX, p += 3;
        else if (strncasecmp(p, "never", 5) == 0)
            q->defer = DEFER_NEVER, p += 5;
        else {
            gstr_adds(err, "unsupported dnsdb defer behaviour");
            return NULL;
        }
    } else if (strncasecmp(s, "dnssec_", 7) == 0) {
        p = s + 7;
        if (strncasecmp(p, "strict", 6) == 0)
            q->dnssec_strict = 1, p += 6;
        else if (strncasecmp(p, "lax", 3) == 0)
            q->dnssec_strict = 0, p += 3;
        else if (strncasecmp(p, "never", 5) == 0)
            q->dnssec_strict = 0, p += 5;
        else {
            gstr_adds(err, "unsupported dnsdb dnssec behaviour");
            return NULL;
        }
    } else if (strncasecmp(s, "retrans_", 8) == 0) {
        const char *comma = strchr(s + 8, ',');
        long secs;
        char *v =
            comma ? arena_strndup(a, s + 8, (size_t)(comma - s - 8)) : NULL;
        if (v == NULL || tod_parse_duration(v, &secs) < 0 || secs <= 0) {
            gstr_adds(err, "unsupported dnsdb timeout value");
            return NULL;
        }
        q->opts.timeout_ms = secs * 1000;
        p = comma;
    } else if (strncasecmp(s, "retry_", 6) == 0) {
        char *end;
        long n = strtol(s + 6, &end, 0);
        /* Exim: "retry_x," reads as 0 retries, and then the "x" is
         * where a comma should be */
        if (n < 0) {
            gstr_adds(err, "unsupported dnsdb retry count");
            return NULL;
        }
        q->opts.attempts = n > 10 ? 10 : (int)n;
        p = end;
    } else
        return s;
    p = skip_space(p);
    if (*p != ',') {
        gstr_adds(err, "dnsdb modifier syntax error");
        return NULL;
    }
    return skip_space(p + 1);
}

static int
parse_query(struct arena *a, const char *s, struct dnsdb_query *q, gstr *err)
{
    const char *eq, *next;

    memset(q, 0, sizeof(*q));
    q->outsep = '\n';
    q->type = DNS_T_TXT;
    s = parse_separators(s, q);
    while ((next = parse_modifier(a, s, q, err)) != s) {
        if (next == NULL)
            return -1;
        s = next;
    }
    if ((eq = strchr(s, '=')) != NULL) {
        const char *end = eq;
        size_t i, n;
        while (end > s && isspace((unsigned char)end[-1]))
            end--;
        n = (size_t)(end - s);
        for (i = 0; i < sizeof(dnsdb_types) / sizeof(dnsdb_types[0]); i++)
            if (strlen(dnsdb_types[i].name) == n &&
                strncasecmp(s, dnsdb_types[i].name, n) == 0)
                break;
        if (i == sizeof(dnsdb_types) / sizeof(dnsdb_types[0])) {
            gstr_adds(err, "unsupported DNS record type");
            return -1;
        }
        q->type = dnsdb_types[i].type;
        s = skip_space(eq + 1);
    }
    q->list = s;
    if (q->outsep2 == NULL) {
        if (q->type == DNS_T_SPF)
            q->outsep2 = "";
        else if (q->type == DNS_T_MX || q->type == DNS_T_SRV)
            q->outsep2 = " ";
    }
    return 0;
}

static void
add_field(gstr *g, const char *sep2)
{
    if (sep2 != NULL && *sep2 != '\0')
        gstr_addc(g, *sep2);
}

static void
format_rr(gstr *g, const struct dnsdb_query *q, const struct dns_rr *rr)
{
    if (q->type == DNS_T_A || q->type == DNS_T_AAAA || q->type == T_APLUS) {
        list_append(g, q->outsep, rr->text);
        return;
    }
    if (g->len > 0)
        gstr_addc(g, q->outsep);
    switch (q->type) {
    case DNS_T_TXT:
    case DNS_T_SPF:
        for (size_t i = 0; i < rr->nstrings; i++) {
            if (i > 0)
                add_field(g, q->outsep2);
            gstr_adds(g, rr->strings[i]);
            if (q->outsep2 == NULL)
                break;
        }
        return;
    case DNS_T_MX:
        gstr_printf(g, "%u", rr->pref);
        add_field(g, q->outsep2);
        break;
    case DNS_T_SRV:
        gstr_printf(g, "%u", rr->pref);
        add_field(g, q->outsep2);
        gstr_printf(g, "%u", rr->weight);
        add_field(g, q->outsep2);
        gstr_printf(g, "%u", rr->port);
        add_field(g, q->outsep2);
        break;
    default:
        break;
    }
    /* the root (a null MX's "0 ."): Exim's name expansion makes it empty */
    gstr_adds(g, strcmp(rr->text, ".") == 0 ? "" : rr->text);
    if (q->type == DNS_T_SOA && q->outsep2 != NULL)
        for (size_t i = 0; i < rr->nstrings; i++) {
            add_field(g, q->outsep2);
            gstr_adds(g, rr->strings[i]);
        }
}

/* One DNS lookup; zns and soa walk up towards the top-level domain
 * while the name has no records. */
static int
dnsdb_query_one(struct arena *a, const struct dnsdb_query *q,
                const char *domain, unsigned type, struct dns_result *r,
                gstr *err)
{
    int walk = q->type == T_ZNS || q->type == DNS_T_SOA;
    int rc;

    for (;;) {
        const char *dot;
        rc = dns_lookup_opts(a, domain, (enum dns_type)type, &q->opts, r, err);
        if (!walk || (rc != DNS_NOMATCH && rc != DNS_NODATA))
            return rc;
        dot = strchr(domain, '.');
        if (dot == NULL || dot[1] == '\0')
            return rc;
        domain = dot + 1;
    }
}

static unsigned
search_type(unsigned type)
{
    return type == T_MXH ? DNS_T_MX : type == T_ZNS ? DNS_T_NS : type;
}

static int
dnsdb_find(const struct lookup_call *c, char **result)
{
    struct dnsdb_query q;
    struct list_iter it;
    const char *domain;
    int failrc = LOOKUP_FAIL;
    const char *defer_msg = NULL, *single = NULL;
    unsigned char b[16];
    int fam;
    gstr yield;

    if (parse_query(c->a, c->file, &q, c->err) < 0)
        return LOOKUP_DEFER;
    gstr_init(&yield, c->a);
    list_iter_init(&it, q.list, ':');
    /* one IPv6 address for ptr is not a list of "2001", "db8" ... */
    if (q.type == DNS_T_PTR && q.list[0] != '<' && ip_parse(q.list, b, &fam))
        single = q.list;
    while ((domain = single ? single : list_next(&it, c->a)) != NULL) {
        unsigned type = search_type(q.type);
        int pass = 0;

        if (domain[0] == '\0')
            continue;
        if (q.type == DNS_T_PTR) {
            char *rev = dns_reverse_name(c->a, domain);
            if (rev != NULL)
                domain = rev;
        }
        do {
            struct dns_result r;
            int rc;

            if (q.type == T_APLUS)
                type = pass == 0 ? DNS_T_AAAA : DNS_T_A;
            gstr_truncate(c->err, 0);
            rc = dnsdb_query_one(c->a, &q, domain, type, &r, c->err);
            if (rc == DNS_OK && q.dnssec_strict) {
                gstr_truncate(c->err, 0);
                gstr_printf(c->err,
                            "DNS lookup of %s (%s): the answer is "
                            "not authenticated (DNSSEC)",
                            domain, dns_type_name(type));
                rc = DNS_AGAIN;
            }
            if (rc == DNS_AGAIN || rc == DNS_FAIL) {
                if (q.defer == DEFER_STRICT)
                    return LOOKUP_DEFER;
                if (q.defer == DEFER_LAX && failrc != LOOKUP_DEFER) {
                    failrc = LOOKUP_DEFER;
                    defer_msg = arena_strdup(c->a, gstr_str(c->err));
                }
            } else if (rc == DNS_OK)
                for (struct dns_rr *rr = r.rrs; rr != NULL; rr = rr->next)
                    format_rr(&yield, &q, rr);
        } while (q.type == T_APLUS && ++pass < 2);
        if (single != NULL)
            break;
    }
    if (yield.len == 0) {
        gstr_truncate(c->err, 0);
        if (failrc == LOOKUP_DEFER)
            gstr_adds(c->err, defer_msg);
        return failrc;
    }
    *result = (char *)gstr_str(&yield);
    return LOOKUP_OK;
}

const struct lookup_driver lookup_dnsdb = {"dnsdb", LOOKUP_QUERY, dnsdb_find};
