/*++
 * NAME
 *	hosts 3
 * SUMMARY
 *	host lists for remote delivery
 * SYNOPSIS
 *	#include "route/hosts.h"
 *
 *	struct host_item *host_list_parse(struct arena *a,
 *			const char *list, int randomize)
 *	enum host_find host_find_addresses(struct arena *a,
 *			struct host_item *h, gstr *err)
 *	int	host_is_local(struct expand_ctx *x, const char *ip)
 *	enum route_rc host_self_action(struct route_call *c,
 *			const struct host_item *h)
 *	void	host_list_print(gstr *out, const struct host_item *h)
 * DESCRIPTION
 *	host_list_parse() reads a host list as manualroute's route_list
 *	and the smtp transport's hosts option write it: items separated
 *	by colons, a port after a (doubled) colon ("mail.test.ex::2525"),
 *	IPv6 addresses in brackets ("[::1]:2525" within "<; " lists).
 *
 *	host_find_addresses() looks a host up with the resolver
 *	(src/dns: AAAA, then A records; an IP address is its own
 *	answer). A host with several addresses becomes several items
 *	of the same name, as in Exim.
 *
 *	host_is_local() is Exim's test for "the local host": a loopback
 *	address or an address of one of this machine's interfaces.
 *
 *	host_self_action() carries out the generic "self" option (freeze,
 *	defer, fail, pass, send; reroute is not supported) with Exim's
 *	messages: "lowest numbered MX record points to local host" for a
 *	host found by MX, "remote host address is the local host"
 *	otherwise. freeze is logged as Exim does, defers the address and
 *	marks it ADDR_FREEZE: the delivery process then freezes the
 *	message.
 *
 *	host_list_print() writes the host lines of -bt.
 *
 *	host_random() drives hosts_randomize; the environment variable
 *	MXLAB_RANDOM_SEED makes it (and the order of equal MX records)
 *	repeatable, for tests, as Exim's test harness does with its fixed
 *	seed.
 * DIAGNOSTICS
 *	host_find_addresses() puts the resolver's message in err.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/list.h"
#include "dns/dns.h"
#include "expand/expand.h"
#include "expand/ip.h"
#include "expand/match.h"
#include "log/log.h"
#include "route/hosts.h"
#include "route/router.h"

unsigned long
host_random(void)
{
    static unsigned long state;

    if (state == 0) {
        const char *seed = getenv("MXLAB_RANDOM_SEED");
        state =
            seed ? strtoul(seed, NULL, 10) * 2654435761UL + 1
                 : ((unsigned long)getpid() << 16) ^ (unsigned long)time(NULL);
        if (seed != NULL)
            dns_set_seed(strtoul(seed, NULL, 10));
    }
    state = state * 6364136223846793005UL + 1442695040888963407UL;
    return state >> 33;
}

struct host_item *
host_item_new(struct arena *a, const char *name, const char *address, int port)
{
    struct host_item *h = arena_alloc(a, sizeof(*h));

    memset(h, 0, sizeof(*h));
    h->name = arena_strdup(a, name);
    h->address = address ? arena_strdup(a, address) : NULL;
    h->port = port;
    h->mx = -1;
    return h;
}

/* "name", "name:port", "[ip]", "[ip]:port", "ip". */
static struct host_item *
parse_item(struct arena *a, char *item)
{
    unsigned char b[16];
    int fam, port = 0;
    char *colon;

    if (item[0] == '[') {
        char *close = strchr(item, ']');
        if (close != NULL) {
            *close = '\0';
            if (close[1] == ':')
                port = atoi(close + 2);
            return host_item_new(a, item + 1, item + 1, port);
        }
    }
    if (ip_parse(item, b, &fam))
        return host_item_new(a, item, item, 0);
    colon = strrchr(item, ':');
    if (colon != NULL && strchr(item, ':') == colon) {
        *colon = '\0';
        port = atoi(colon + 1);
    }
    if (ip_parse(item, b, &fam))
        return host_item_new(a, item, item, port);
    return host_item_new(a, item, NULL, port);
}

struct host_item *
host_list_parse(struct arena *a, const char *list, int randomize)
{
    struct host_item *first = NULL, **tail = &first, *h;
    struct list_iter it;
    char *item;
    size_t n = 0;

    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, a)) != NULL) {
        if (*item == '\0')
            continue;
        h = parse_item(a, item);
        *tail = h;
        tail = &h->next;
        n++;
    }
    if (randomize && n > 1) {
        struct host_item **v = arena_alloc(a, n * sizeof(*v));
        size_t i = 0;
        for (h = first; h != NULL; h = h->next)
            v[i++] = h;
        for (i = n - 1; i > 0; i--) {
            size_t j = host_random() % (i + 1);
            struct host_item *t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        for (i = 0; i < n; i++)
            v[i]->next = i + 1 < n ? v[i + 1] : NULL;
        first = v[0];
    }
    return first;
}

enum host_find
host_find_addresses(struct arena *a, struct host_item *h, gstr *err)
{
    const char **addrs;
    struct host_item *next = h->next, *last = h;
    int rc;

    if (h->address != NULL)
        return HOST_FOUND;
    rc = dns_host_addresses(a, h->name, &addrs, err);
    if (rc == DNS_AGAIN)
        return HOST_FIND_AGAIN;
    if (rc != DNS_OK || addrs[0] == NULL)
        return HOST_FIND_FAILED;
    h->address = arena_strdup(a, addrs[0]);
    for (size_t i = 1; addrs[i] != NULL; i++) {
        struct host_item *x = host_item_new(a, h->name, addrs[i], h->port);
        x->mx = h->mx;
        last->next = x;
        last = x;
    }
    last->next = next;
    return HOST_FOUND;
}

int
host_is_local(struct expand_ctx *x, const char *ip)
{
    struct arena *a;
    gstr err;
    int local;

    if (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0)
        return 1;
    a = arena_create();
    gstr_init(&err, a);
    local = match_host(x, ip, NULL, "@[]", &err) == MATCH_OK;
    arena_destroy(a);
    return local;
}

enum route_rc
host_self_action(struct route_call *c, const struct host_item *h)
{
    const struct router_generic *g = c->router->generic;
    const char *self = g->self ? g->self : "freeze";
    const char *msg = h->mx >= 0 ? "lowest numbered MX record points to "
                                   "local host"
                                 : "remote host address is the local host";
    struct address *a = c->a;

    if (strcmp(self, "send") == 0)
        return ROUTE_OK;
    a->message = (char *)msg;
    if (strcmp(self, "pass") == 0)
        return ROUTE_PASS;
    if (strcmp(self, "fail") == 0) {
        a->flags |= ADDR_PASS_MSG; /* as Exim's rf_self_action() */
        return ROUTE_FAIL;
    }
    if (strcmp(self, "freeze") == 0) {
        const char *id = expand_get_var(c->rc->x, "message_exim_id");
        if (c->rc->mode == ROUTE_DELIVER)
            a->flags |= ADDR_FREEZE;
        if (id != NULL && *id != '\0')
            log_write(LOG_MAIN, "%s %s: %s", id, msg, a->domain);
        else
            log_write(LOG_MAIN, "%s: %s (while routing <%s>)", msg, a->domain,
                      a->address);
    }
    return ROUTE_DEFER;
}

void
host_list_print(gstr *out, const struct host_item *hosts)
{
    size_t maxlen = 0, maxaddlen = 0;
    const struct host_item *h;

    for (h = hosts; h != NULL; h = h->next) {
        size_t len = strlen(h->name);
        if (len > maxlen)
            maxlen = len;
        len = h->address ? strlen(h->address) : 7;
        if (len > maxaddlen)
            maxaddlen = len;
    }
    for (h = hosts; h != NULL; h = h->next) {
        const char *ad = h->address ? h->address : "unknown";
        gstr_printf(out, "  host %-*s [%s%-*c", (int)maxlen, h->name, ad,
                    (int)(maxaddlen + 1 - strlen(ad)), ']');
        if (h->mx >= 0)
            gstr_printf(out, " MX=%d", h->mx);
        if (h->port > 0)
            gstr_printf(out, " port=%d", h->port);
        gstr_addc(out, '\n');
    }
}
