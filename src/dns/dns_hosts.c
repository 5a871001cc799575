/*++
 * NAME
 *	dns_hosts 3
 * SUMMARY
 *	host addresses and mail hosts
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	int	dns_host_addresses(struct arena *a, const char *name,
 *				const char ***addrs, gstr *err)
 *	int	dns_mx_hosts(struct arena *a, const char *domain,
 *				struct dns_host **hosts, gstr *err)
 *	void	dns_set_seed(unsigned long seed)
 * DESCRIPTION
 *	dns_host_addresses() looks up AAAA and then A records; an IP
 *	address is returned as it is.
 *
 *	dns_mx_hosts() looks up a domain's MX records and sorts them by
 *	preference, hosts of equal preference in random order as Exim
 *	does, then looks up each host's addresses. The random order comes
 *	from a generator that dns_set_seed() seeds, so tests can repeat
 *	it; unseeded, it starts from the process id and the time.
 * DIAGNOSTICS
 *	DNS_FAIL for a null MX (RFC 7505): "x.example: an MX record
 *	indicates no SMTP service". Otherwise the results of dns_lookup().
 *--*/

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns.h"
#include "expand/ip.h"

static unsigned long rng_state;
static int rng_seeded;

void
dns_set_seed(unsigned long seed)
{
    rng_state = seed;
    rng_seeded = 1;
}

static unsigned
rng_next(void)
{
    if (!rng_seeded)
        dns_set_seed((unsigned long)getpid() ^ (unsigned long)time(NULL));
    /* a 64-bit LCG (Knuth's MMIX constants); the high bits are good */
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)(rng_state >> 33);
}

/* Combines two lookups' results: any records win, then a temporary
 * failure, then "no such domain" over "no records". */
static int
status_merge(int x, int y)
{
    if (x == DNS_OK || y == DNS_OK)
        return DNS_OK;
    if (x == DNS_AGAIN || y == DNS_AGAIN)
        return DNS_AGAIN;
    if (x == DNS_FAIL || y == DNS_FAIL)
        return DNS_FAIL;
    if (x == DNS_NOMATCH || y == DNS_NOMATCH)
        return DNS_NOMATCH;
    return DNS_NODATA;
}

int
dns_host_addresses(struct arena *a, const char *name, const char ***addrs,
                   gstr *err)
{
    static const enum dns_type types[] = {DNS_T_AAAA, DNS_T_A};
    struct dns_result r[2];
    unsigned char b[16];
    int family, st = DNS_NODATA, rc[2];
    const char **v;
    size_t n = 0;
    gstr e2;

    if (ip_parse(name, b, &family)) {
        v = arena_alloc(a, 2 * sizeof(*v));
        v[0] = arena_strdup(a, name);
        v[1] = NULL;
        *addrs = v;
        return DNS_OK;
    }
    gstr_init(&e2, a);
    for (int i = 0; i < 2; i++) {
        rc[i] = dns_lookup(a, name, types[i], &r[i], i == 0 ? err : &e2);
        st = i == 0 ? rc[0] : status_merge(st, rc[1]);
    }
    /* keep the message of the lookup that decided */
    if (st != DNS_OK && rc[0] != st && rc[1] == st) {
        gstr_truncate(err, 0);
        gstr_adds(err, gstr_str(&e2));
    }
    v = arena_alloc(a, (r[0].count + r[1].count + 1) * sizeof(*v));
    for (int i = 0; i < 2; i++)
        if (rc[i] == DNS_OK)
            for (struct dns_rr *rr = r[i].rrs; rr != NULL; rr = rr->next)
                v[n++] = rr->text;
    v[n] = NULL;
    *addrs = v;
    return st;
}

struct mx_sort {
    struct dns_rr *rr;
    unsigned key;
};

static int
mx_cmp(const void *x, const void *y)
{
    const struct mx_sort *p = x, *q = y;

    if (p->rr->pref != q->rr->pref)
        return p->rr->pref < q->rr->pref ? -1 : 1;
    return p->key < q->key ? -1 : p->key > q->key;
}

int
dns_mx_hosts(struct arena *a, const char *domain, struct dns_host **hosts,
             gstr *err)
{
    struct dns_result r;
    struct mx_sort *v;
    struct dns_host **tail = hosts;
    size_t n = 0;
    int rc;

    *hosts = NULL;
    if ((rc = dns_lookup(a, domain, DNS_T_MX, &r, err)) != DNS_OK)
        return rc;
    if (r.count == 1 && strcmp(r.rrs->text, ".") == 0) {
        gstr_truncate(err, 0);
        gstr_printf(err, "%s: an MX record indicates no SMTP service", domain);
        return DNS_FAIL;
    }
    v = arena_alloc(a, r.count * sizeof(*v));
    for (struct dns_rr *rr = r.rrs; rr != NULL; rr = rr->next) {
        v[n].rr = rr;
        v[n++].key = rng_next();
    }
    qsort(v, n, sizeof(*v), mx_cmp);
    for (size_t i = 0; i < n; i++) {
        struct dns_host *h = arena_alloc(a, sizeof(*h));
        gstr e;

        memset(h, 0, sizeof(*h));
        h->name = v[i].rr->text;
        h->mx = v[i].rr->pref;
        gstr_init(&e, a);
        h->status = dns_host_addresses(a, h->name, &h->addrs, &e);
        if (h->status != DNS_OK)
            h->message = gstr_str(&e);
        *tail = h;
        tail = &h->next;
    }
    return DNS_OK;
}
