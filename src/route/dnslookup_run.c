/*++
 * NAME
 *	dnslookup_run 3
 * SUMMARY
 *	the dnslookup router: hosts from the DNS
 * SYNOPSIS
 *	#include "route/route_drivers.h"
 *
 *	extern const struct route_driver route_dnslookup_driver;
 * DESCRIPTION
 *	As Exim's dnslookup router: the domain's MX records, lowest
 *	preference first (equal ones in random order), each host's
 *	addresses from AAAA and A records; a domain without MX records
 *	is its own host (unless it is in mx_domains, when the router
 *	declines). Hosts whose addresses cannot be found are dropped.
 *
 *	A host that is this machine: when it has the lowest preference,
 *	the generic "self" option decides ("lowest numbered MX record
 *	points to local host"); otherwise it and every host with the same
 *	or a higher preference are dropped, as Exim does, and with
 *	check_secondary_mx the router declines unless that happened.
 *
 *	The queries go to the resolver of src/dns, so the dns_server
 *	option aims them at fake-dns in tests. With widen_domains, a
 *	domain that is not found is tried with each item appended
 *	("host" and "test.ex" give "host.test.ex"); the first that
 *	exists becomes the address's new domain, routed afresh as a
 *	child of the address (Exim's rf_change_domain(); headers are not
 *	rewritten). qualify_single, search_parents, SRV records and
 *	DNSSEC are not implemented.
 *
 *	The driver is in route.c's table (route_drivers.h).
 * DIAGNOSTICS
 *	Exim's messages: "host lookup did not complete" (a temporary DNS
 *	failure: the address is deferred, or passed on under
 *	pass_on_timeout), "all relevant MX records point to non-existent
 *	hosts" and "an MX or SRV record indicated no SMTP service" (the
 *	router declines), "lookup defer for mx_domains".
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/list.h"
#include "dns/dns.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "route/dnslookup.h"
#include "route/hosts.h"
#include "route/route_drivers.h"
#include "route/router.h"

/* Host items from MX hosts, one per address. Sets *again when an
 * address lookup could not tell. */
static struct host_item *
mx_items(struct arena *a, struct dns_host *mx, int *again)
{
    struct host_item *first = NULL, **tail = &first;

    for (; mx != NULL; mx = mx->next) {
        if (mx->status == DNS_AGAIN)
            *again = 1;
        for (size_t i = 0; mx->addrs != NULL && mx->addrs[i] != NULL; i++) {
            *tail = host_item_new(a, mx->name, mx->addrs[i], 0);
            (*tail)->mx = (int)mx->mx;
            tail = &(*tail)->next;
        }
    }
    return first;
}

/* Drops a local host that is not the most preferred, with every host
 * of its preference or above. Returns the first local host left at
 * the front (or NULL); *removed says whether any were dropped. */
static struct host_item *
scan_local(struct route_call *c, struct address *a, int *removed)
{
    struct host_item *h, *prev = NULL;

    *removed = 0;
    for (h = a->hosts; h != NULL; prev = h, h = h->next) {
        if (!host_is_local(c->rc->x, h->address))
            continue;
        if (h->mx < 0 || h->mx == a->hosts->mx)
            return h;
        /* cut at the first host with this preference */
        prev = NULL;
        for (struct host_item *p = a->hosts; p != NULL && p->mx < h->mx;
             p = p->next)
            prev = p;
        if (prev != NULL)
            prev->next = NULL;
        *removed = 1;
        return NULL;
    }
    (void)prev;
    return NULL;
}

/* The domain's own addresses, without MX; *again for a lookup that
 * could not tell. */
static enum route_rc
no_mx(struct route_call *c, const struct router_dnslookup *ob, int *again)
{
    struct address *a = c->a;
    const char **addrs;
    struct host_item **tail = &a->hosts;
    gstr err;
    int rc;

    if (ob->mx_domains != NULL) {
        gstr_init(&err, c->rc->arena);
        rc = match_domain(c->rc->x, a->domain, ob->mx_domains, &err);
        if (rc == MATCH_DEFER || rc == MATCH_ERROR) {
            a->message = "lookup defer for mx_domains";
            return ROUTE_DEFER;
        }
        if (rc == MATCH_OK)
            return ROUTE_DECLINE;
    }
    gstr_init(&err, c->rc->arena);
    rc = dns_host_addresses(c->rc->arena, a->domain, &addrs, &err);
    if (rc == DNS_AGAIN)
        *again = 1;
    if (rc != DNS_OK)
        return ROUTE_DECLINE;
    for (size_t i = 0; addrs[i] != NULL; i++) {
        *tail = host_item_new(c->rc->arena, a->domain, addrs[i], 0);
        tail = &(*tail)->next;
    }
    return ROUTE_OK;
}

static enum route_rc
lookup_again(struct route_call *c)
{
    if (((const struct router_generic *)c->router->generic)->pass_on_timeout)
        return ROUTE_PASS;
    c->a->message = "host lookup did not complete";
    return ROUTE_DEFER;
}

/* widen_domains: the first "domain.item" that has MX or address
 * records. NULL if none (or a lookup could not tell: *again). */
static char *
widen(struct route_call *c, const char *list, int *again)
{
    struct list_iter it;
    char *item;

    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, c->rc->arena)) != NULL) {
        char *name = arena_printf(c->rc->arena, "%s.%s", c->a->domain, item);
        struct dns_host *mx;
        const char **addrs;
        gstr err;
        int rc;

        gstr_init(&err, c->rc->arena);
        rc = dns_mx_hosts(c->rc->arena, name, &mx, &err);
        if (rc == DNS_NODATA)
            rc = dns_host_addresses(c->rc->arena, name, &addrs, &err);
        if (rc == DNS_AGAIN)
            *again = 1;
        if (rc == DNS_OK)
            return name;
    }
    return NULL;
}

/* The address with its widened domain, routed afresh (Exim's
 * rf_change_domain()). */
static enum route_rc
reroute_widened(struct route_call *c, const char *domain)
{
    struct address *child = address_child(
        c->rc->arena, c->a,
        arena_printf(c->rc->arena, "%s@%s", c->a->cc_local_part, domain), 0);
    struct address **pp = c->children;

    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = child;
    return ROUTE_REROUTED;
}

static enum route_rc
dnslookup_route(struct route_call *c)
{
    const struct router_dnslookup *ob = c->router->priv;
    struct address *a = c->a;
    struct dns_host *mx;
    struct host_item *local;
    gstr err;
    int rc, again = 0, removed;
    enum route_rc yield;

    (void)host_random(); /* seeds the MX order when a test asks */
    a->hosts = NULL;
    gstr_init(&err, c->rc->arena);
    rc = dns_mx_hosts(c->rc->arena, a->domain, &mx, &err);
    if (rc == DNS_AGAIN)
        return lookup_again(c);
    if (rc == DNS_FAIL) {
        a->message = "an MX or SRV record indicated no SMTP service";
        a->flags |= ADDR_PASS_MSG; /* "not a security risk" (Exim) */
        return ROUTE_DECLINE;
    }
    if (rc == DNS_NODATA) {
        yield = no_mx(c, ob, &again);
        if (again)
            return lookup_again(c);
        if (yield != ROUTE_OK && !(yield == ROUTE_DECLINE && ob->widen_domains))
            return yield;
        if (yield != ROUTE_OK)
            rc = DNS_NOMATCH; /* no address either: widen */
    }
    if (rc == DNS_NOMATCH) {
        char *wide;
        if (ob->widen_domains == NULL)
            return ROUTE_DECLINE;
        wide = widen(c, ob->widen_domains, &again);
        if (wide != NULL)
            return reroute_widened(c, wide);
        return again ? lookup_again(c) : ROUTE_DECLINE;
    }
    if (rc != DNS_NODATA) {
        a->hosts = mx_items(c->rc->arena, mx, &again);
        if (a->hosts == NULL) {
            if (again)
                return lookup_again(c);
            a->basic_errno = -32; /* ERRNO_UNKNOWNHOST */
            a->message = "all relevant MX records point to non-existent hosts";
            return ROUTE_DECLINE;
        }
    }
    local = scan_local(c, a, &removed);
    if (local != NULL) {
        yield = host_self_action(c, local);
        if (yield != ROUTE_OK)
            return yield;
    } else if (ob->check_secondary_mx && !removed) {
        return ROUTE_DECLINE;
    }
    if (route_get_transport(c) < 0)
        return ROUTE_DEFER;
    return ROUTE_OK;
}

const struct route_driver route_dnslookup_driver = {"dnslookup",
                                                    dnslookup_route};
