/*++
 * NAME
 *	dns 3
 * SUMMARY
 *	DNS lookups
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	int	dns_lookup(struct arena *a, const char *name,
 *				enum dns_type type, struct dns_result *out,
 *				gstr *err)
 *	int	dns_lookup_opts(struct arena *a, const char *name,
 *				enum dns_type type,
 *				const struct dns_options *opts,
 *				struct dns_result *out, gstr *err)
 *	const char *dns_type_name(unsigned type)
 *	char	*dns_reverse_name(struct arena *a, const char *ip)
 * DESCRIPTION
 *	dns_lookup() asks for the records of one type and follows CNAME
 *	records, first within the answer (as a recursive server sends the
 *	chain with the records it leads to), then with a fresh query when
 *	the chain leads out of the answer, at most dns_cname_loops times
 *	(Exim's main option, default 1), and up to 10 links in all.
 *
 *	The reply's code decides the result: NXDOMAIN is DNS_NOMATCH, an
 *	answer without records of the type DNS_NODATA, SERVFAIL and
 *	REFUSED DNS_AGAIN (so are a time-out and a network error), FORMERR
 *	and NOTIMP DNS_FAIL. Records whose data is malformed for their
 *	type are left out. A name that cannot be a domain name is not
 *	asked for: DNS_NOMATCH, as in Exim (DNS_FAIL for PTR and TXT).
 *
 *	As Exim, a query that failed (any result but records or a CNAME
 *	to follow) is not sent again by the same process: its result is
 *	remembered (dns_cache.c), a negative answer for the minimum TTL
 *	of the SOA in its authority section (for ever without one), an
 *	error for the life of the process.
 * DIAGNOSTICS
 *	The message in err always names the domain and the type: "DNS
 *	lookup of x.example (A) timed out (2 attempts of 5s)", "DNS lookup
 *	of x.example (MX): server failure (SERVFAIL)", "DNS lookup of
 *	x.example (A): no such domain".
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "dns/dns_int.h"
#include "expand/ip.h"

static const struct {
    unsigned type;
    const char *name;
} type_names[] = {
    {DNS_T_A, "A"},     {DNS_T_NS, "NS"},     {DNS_T_CNAME, "CNAME"},
    {DNS_T_SOA, "SOA"}, {DNS_T_PTR, "PTR"},   {DNS_T_MX, "MX"},
    {DNS_T_TXT, "TXT"}, {DNS_T_AAAA, "AAAA"}, {DNS_T_SRV, "SRV"},
    {DNS_T_SPF, "SPF"},
};

const char *
dns_type_name(unsigned type)
{
    static char other[16];

    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    snprintf(other, sizeof(other), "TYPE%u", type & 0xffff);
    return other;
}

char *
dns_reverse_name(struct arena *a, const char *ip)
{
    unsigned char b[16];
    int family;
    gstr g;

    if (!ip_parse(ip, b, &family))
        return NULL;
    gstr_init(&g, a);
    if (family == 4) {
        gstr_printf(&g, "%u.%u.%u.%u.in-addr.arpa", b[15], b[14], b[13], b[12]);
        return (char *)gstr_str(&g);
    }
    for (int i = 15; i >= 0; i--)
        gstr_printf(&g, "%x.%x.", b[i] & 0x0f, b[i] >> 4);
    gstr_adds(&g, "ip6.arpa");
    return (char *)gstr_str(&g);
}

static void
lookup_error(gstr *err, const char *name, unsigned type, const char *what)
{
    gstr_truncate(err, 0);
    gstr_printf(err, "DNS lookup of %s (%s)%s", name, dns_type_name(type),
                what);
}

static int
rcode_status(const struct dns_msg *m, const char *name, unsigned type,
             gstr *err)
{
    switch (m->rcode) {
    case DNS_RCODE_NOERROR:
    case DNS_RCODE_NXDOMAIN:
        return DNS_OK;
    case DNS_RCODE_SERVFAIL:
        lookup_error(err, name, type, ": server failure (SERVFAIL)");
        return DNS_AGAIN;
    case DNS_RCODE_REFUSED:
        lookup_error(err, name, type, ": query refused (REFUSED)");
        return DNS_AGAIN;
    case DNS_RCODE_FORMERR:
        lookup_error(err, name, type,
                     ": the server could not read the "
                     "query (FORMERR)");
        return DNS_FAIL;
    case DNS_RCODE_NOTIMP:
        lookup_error(err, name, type,
                     ": not implemented by the server "
                     "(NOTIMP)");
        return DNS_FAIL;
    default: {
        char what[48];
        snprintf(what, sizeof(what), ": error reply (rcode %u)", m->rcode);
        lookup_error(err, name, type, what);
        return DNS_FAIL;
    }
    }
}

/* Collects the records of the type for *cur from the answer, following
 * CNAMEs within it. Returns the number found; *cur is where the chain
 * ended; *hops counts the links; *bad malformed records. */
static size_t
answer_collect(struct arena *a, const struct dns_msg *m, unsigned type,
               const char **cur, int *hops, struct dns_result *out, int *bad)
{
    struct dns_rr **tail = &out->rrs;

    for (;;) {
        const char *next = NULL;
        size_t found = 0;

        for (size_t i = 0; i < m->nanswers; i++) {
            const struct dns_wire_rr *w = &m->answers[i];
            struct dns_rr r, *copy;

            if (w->class != 1 || !dns_name_eq(w->name, *cur))
                continue;
            if (w->type == DNS_T_CNAME && type != DNS_T_CNAME) {
                if (next == NULL && dns_wire_rdata(a, m, w, &r) == 0)
                    next = r.text;
                continue;
            }
            if (w->type != type)
                continue;
            if (dns_wire_rdata(a, m, w, &r) < 0) {
                (*bad)++;
                continue;
            }
            copy = arena_alloc(a, sizeof(*copy));
            *copy = r;
            *tail = copy;
            tail = &copy->next;
            found++;
        }
        if (found > 0 || next == NULL || *hops >= DNS_MAX_CNAMES) {
            out->count += found;
            return found;
        }
        (*hops)++;
        *cur = next;
    }
}

/* A failed query is not sent again by this process (Exim's negative
 * cache): a negative answer for as long as the SOA in its authority
 * section says (for ever without one), an error for ever. */
static int
remember(const char *asked, unsigned type, int rc, const struct dns_msg *m,
         gstr *err)
{
    time_t expiry = 0;

    if (m != NULL && m->neg_ttl >= 0)
        expiry = time(NULL) + m->neg_ttl;
    dns_cache_put(asked, type, rc, expiry, gstr_str(err));
    return rc;
}

static unsigned
query_id(void)
{
    return arc4random() & 0xffff;
}

int
dns_lookup_opts(struct arena *a, const char *name, enum dns_type type,
                const struct dns_options *opts, struct dns_result *out,
                gstr *err)
{
    const struct dns_conf *c = dns_conf_get();
    /* A dnsdb modifier wins, then the dns_retrans and dns_retry main
     * options (0: not set), then resolv.conf's options or the defaults. */
    long timeout = opts && opts->timeout_ms > 0 ? opts->timeout_ms
                   : main_config.dns_retrans > 0
                       ? (long)main_config.dns_retrans * 1000
                       : c->timeout_ms;
    int attempts = opts && opts->attempts > 0  ? opts->attempts
                   : main_config.dns_retry > 0 ? main_config.dns_retry
                                               : c->attempts;
    const char *cur = name;
    int hops = 0, bad = 0, requeries = 0;

    memset(out, 0, sizeof(*out));
    out->name = name;
    for (;;) {
        unsigned char q[DNS_UDP_MAX];
        struct dns_msg m;
        const char *asked = cur;
        size_t qlen;
        int rc;

        if (dns_cache_get(asked, type, &rc, err))
            return rc;
        gstr_truncate(err, 0);
        if ((qlen = dns_wire_query(q, sizeof(q), query_id(), cur, type, err)) ==
            0) {
            char *why = arena_printf(a, ": %s", gstr_str(err));
            lookup_error(err, name, type, why);
            /* As Exim, whose name check says "no such name" for all
             * but the PTR and TXT lookups; nothing is asked. */
            return type == DNS_T_PTR || type == DNS_T_TXT ? DNS_FAIL
                                                          : DNS_NOMATCH;
        }
        if (dns_transact(a, c, timeout, attempts, q, qlen, &m, err) != DNS_OK) {
            char *why = arena_printf(
                a, "%s%s", strncmp(err->s, "timed out", 9) == 0 ? " " : ": ",
                gstr_str(err));
            lookup_error(err, name, type, why);
            return remember(asked, type, DNS_AGAIN, NULL, err);
        }
        if ((rc = rcode_status(&m, name, type, err)) != DNS_OK)
            return remember(asked, type, rc, NULL, err);
        if (answer_collect(a, &m, type, &cur, &hops, out, &bad) > 0) {
            out->canonical = cur;
            return DNS_OK;
        }
        out->canonical = cur;
        if (m.malformed && m.rcode == DNS_RCODE_NOERROR) {
            /* Exim finds no records in it: not found, and not
             * remembered (for Exim the query succeeded) */
            char *why = arena_printf(a, ": %s", gstr_str(err));
            lookup_error(err, name, type, why);
            return DNS_NODATA;
        }
        if (m.rcode == DNS_RCODE_NXDOMAIN) {
            lookup_error(err, name, type, ": no such domain");
            return remember(asked, type, DNS_NOMATCH, &m, err);
        }
        if (hops >= DNS_MAX_CNAMES) {
            lookup_error(err, name, type, ": CNAME chain too long");
            return DNS_FAIL;
        }
        if (dns_name_eq(cur, asked)) {
            lookup_error(err, name, type,
                         bad ? ": malformed records" : ": no records");
            return bad ? DNS_FAIL : remember(asked, type, DNS_NODATA, &m, err);
        }
        /* The chain led out of the answer: ask for where it ends, at
         * most dns_cname_loops times, as Exim. */
        if (++requeries > main_config.dns_cname_loops) {
            lookup_error(err, name, type, ": CNAME loop");
            return DNS_FAIL;
        }
    }
}

int
dns_lookup(struct arena *a, const char *name, enum dns_type type,
           struct dns_result *out, gstr *err)
{
    return dns_lookup_opts(a, name, type, NULL, out, err);
}
