/*++
 * NAME
 *	manualroute_run 3
 * SUMMARY
 *	the manualroute router: hosts from the configuration
 * SYNOPSIS
 *	#include "route/route_drivers.h"
 *
 *	extern const struct route_driver route_manualroute_driver;
 * DESCRIPTION
 *	As Exim's manualroute router. With route_list, a semicolon list
 *	of "domain-pattern host-list [options]" items, the first item
 *	whose pattern matches the domain is used (none: the router
 *	declines); with route_data, its expansion is "host-list
 *	[options]" (empty: decline). Patterns and host lists may be
 *	quoted; the host list is expanded.
 *
 *	Options: randomize, no_randomize, byname, bydns, ipv4_prefer,
 *	ipv4_only (both lookups use the resolver of src/dns, so byname
 *	and bydns differ only in name), or the name of a transport, which
 *	then replaces the router's.
 *
 *	For a local transport the host list is passed on as one host
 *	name. Otherwise each host's addresses are found:
 *	host_find_failed (ignore, pass, decline, defer, fail, freeze)
 *	says what a host that does not exist does, host_all_ignored what
 *	happens when every host was ignored. A host that is this machine
 *	is cut off with the hosts after it, unless it is the first: then
 *	the generic "self" option decides ("remote host address is the
 *	local host").
 *
 *	The driver is in route.c's table (route_drivers.h).
 * DIAGNOSTICS
 *	Exim's messages: "lookup of host \"x\" failed in R router",
 *	"host lookup for x did not complete (DNS timeout?)", "lookup
 *	failed for all hosts in R router: host_find_failed=ignore
 *	host_all_ignored=defer", "error in R router: no host(s) specified
 *	for domain d", "unknown routing option or transport name \"x\"".
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/list.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"
#include "route/hosts.h"
#include "route/manualroute.h"
#include "route/route_drivers.h"
#include "route/router.h"
#include "transport/tpcall.h"

/* "ID " for log lines written while delivering a message. */
static const char *
msg_id_prefix(struct route_call *c)
{
    const char *id = expand_get_var(c->rc->x, "message_exim_id");

    return id && *id ? arena_printf(c->rc->arena, "%s ", id) : "";
}

/* A word, or a quoted string with backslash escapes (string_dequote). */
static char *
dequote(struct arena *a, const char **sp)
{
    const char *s = *sp;
    gstr g;

    gstr_init(&g, a);
    if (*s == '"') {
        for (s++; *s != '\0' && *s != '"'; s++) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            gstr_addc(&g, *s);
        }
        if (*s == '"')
            s++;
    } else {
        while (*s != '\0' && !isspace((unsigned char)*s))
            gstr_addc(&g, *s++);
    }
    *sp = s;
    return (char *)gstr_str(&g);
}

static void
skip_space(const char **s)
{
    while (isspace((unsigned char)**s))
        (*s)++;
}

/* "[domain] hostlist options": 0 for an empty item. */
static int
parse_route_item(struct arena *a, const char *s, char **domain, char **hostlist,
                 const char **options)
{
    skip_space(&s);
    if (domain != NULL) {
        if (*s == '\0')
            return 0;
        *domain = dequote(a, &s);
        skip_space(&s);
    }
    *hostlist = dequote(a, &s);
    skip_space(&s);
    *options = s;
    return 1;
}

/* The route_list item for the domain: 1 found, 0 none, -1 defer. */
static int
find_route_item(struct route_call *c, const char *route_list, char **hostlist,
                const char **options)
{
    struct list_iter it;
    char *item, *domain;
    gstr err;

    list_iter_init(&it, route_list, ';');
    while ((item = list_next(&it, c->rc->arena)) != NULL) {
        int m;
        if (!parse_route_item(c->rc->arena, item, &domain, hostlist, options))
            continue;
        gstr_init(&err, c->rc->arena);
        m = match_domain(c->rc->x, c->a->domain, domain, &err);
        if (m == MATCH_OK)
            return 1;
        if (m == MATCH_DEFER || m == MATCH_ERROR) {
            c->a->message = "lookup defer in route_list";
            return -1;
        }
    }
    return 0;
}

/* The option words; -1 (deferred) for an unknown one. */
static int
parse_options(struct route_call *c, const char *options, int *randomize,
              int *bydns)
{
    while (*options != '\0') {
        const char *s = options;
        size_t n;
        while (*options != '\0' && !isspace((unsigned char)*options))
            options++;
        n = (size_t)(options - s);
        if (n == 9 && strncmp(s, "randomize", n) == 0) {
            *randomize = 1;
        } else if (n == 12 && strncmp(s, "no_randomize", n) == 0) {
            *randomize = 0;
        } else if (n == 5 && strncmp(s, "bydns", n) == 0) {
            *bydns = 1; /* no byname lookup after a failed one */
        } else if ((n == 6 && strncmp(s, "byname", n) == 0) ||
                   (n == 11 && strncmp(s, "ipv4_prefer", n) == 0) ||
                   (n == 9 && strncmp(s, "ipv4_only", n) == 0)) {
            /* one resolver serves both lookup types */
        } else {
            char *name = arena_strndup(c->rc->arena, s, n);
            const struct driver_instance *t = route_find_transport(name);
            if (t == NULL) {
                char *msg = arena_printf(c->rc->arena,
                                         "unknown routing option or "
                                         "transport name \"%s\"",
                                         name);
                log_write(LOG_MAIN, "%sError in %s router: %s",
                          msg_id_prefix(c), c->router->name, msg);
                c->a->message =
                    arena_printf(c->rc->arena, "error in router: %s", msg);
                return -1;
            }
            c->a->transport = t;
        }
        skip_space(&options);
    }
    return 0;
}

static enum route_rc
hff_action(const char *code)
{
    if (strcmp(code, "pass") == 0)
        return ROUTE_PASS;
    if (strcmp(code, "decline") == 0)
        return ROUTE_DECLINE;
    if (strcmp(code, "fail") == 0)
        return ROUTE_FAIL;
    return ROUTE_DEFER; /* defer, freeze */
}

/* Finds the hosts' addresses (Exim's rf_lookup_hostlist()). */
static enum route_rc
lookup_hosts(struct route_call *c, const struct router_manualroute *ob,
             int bydns)
{
    struct address *a = c->a;
    struct host_item *prev = NULL, *h, *next;
    const char *hff = ob->host_find_failed ? ob->host_find_failed : "freeze";

    for (h = a->hosts; h != NULL; h = next) {
        gstr err;
        enum host_find rc;

        next = h->next;
        gstr_init(&err, c->rc->arena);
        rc = host_find_addresses(c->rc->arena, h, &err);
        if (rc == HOST_FIND_AGAIN) {
            if (((const struct router_generic *)c->router->generic)
                    ->pass_on_timeout)
                return ROUTE_PASS;
            a->message = arena_printf(c->rc->arena,
                                      "host lookup for %s did not complete "
                                      "(DNS timeout?)",
                                      h->name);
            a->basic_errno = -36; /* ERRNO_DNSDEFER */
            return ROUTE_DEFER;
        }
        if (rc == HOST_FIND_FAILED) {
            /* Exim's byname lookup (its last try, unless bydns) logs */
            if (!bydns && log_selected(LS_host_lookup_failed))
                log_write(LOG_MAIN, "%sno IP address found for host %s",
                          msg_id_prefix(c), h->name);
            if (strcmp(hff, "ignore") == 0) {
                if (prev == NULL)
                    a->hosts = next;
                else
                    prev->next = next;
                continue;
            }
            if (strcmp(hff, "pass") != 0 && strcmp(hff, "decline") != 0) {
                a->basic_errno = -32; /* ERRNO_UNKNOWNHOST */
                a->message = arena_printf(c->rc->arena,
                                          "lookup of host \"%s\" failed in "
                                          "%s router",
                                          h->name, c->router->name);
            }
            if (strcmp(hff, "freeze") == 0 && c->rc->mode == ROUTE_DELIVER)
                a->flags |= ADDR_FREEZE;
            return hff_action(hff);
        }
        /* a host that is this machine ends the list, unless first */
        if (host_is_local(c->rc->x, h->address)) {
            const struct router_generic *g = c->router->generic;
            if (g->self == NULL || strcmp(g->self, "send") != 0) {
                if (prev != NULL) {
                    prev->next = NULL;
                    return ROUTE_OK;
                }
                return host_self_action(c, h);
            }
        }
        while (h->next != next) /* the items of a multi-homed host */
            h = h->next;
        prev = h;
    }
    return ROUTE_OK;
}

static enum route_rc
all_ignored(struct route_call *c, const struct router_manualroute *ob)
{
    const char *hai = ob->host_all_ignored ? ob->host_all_ignored : "defer";

    if (strcmp(hai, "decline") == 0)
        return ROUTE_DECLINE;
    if (strcmp(hai, "pass") == 0)
        return ROUTE_PASS;
    c->a->message = arena_printf(c->rc->arena,
                                 "lookup failed for all hosts in %s router: "
                                 "host_find_failed=ignore host_all_ignored=%s",
                                 c->router->name, hai);
    if (strcmp(hai, "freeze") == 0 && c->rc->mode == ROUTE_DELIVER)
        c->a->flags |= ADDR_FREEZE;
    return strcmp(hai, "fail") == 0 ? ROUTE_FAIL : ROUTE_DEFER;
}

static enum route_rc
manualroute_route(struct route_call *c)
{
    const struct router_manualroute *ob = c->router->priv;
    struct address *a = c->a;
    char *hostlist, *expanded, *data;
    const char *options;
    const struct driver_instance *own_tp;
    int randomize = ob->hosts_randomize, bydns = 0, forced, rc;
    enum route_rc yield;

    a->hosts = NULL;
    a->transport = NULL;
    if (ob->route_list != NULL) {
        rc = find_route_item(c, ob->route_list, &hostlist, &options);
        if (rc <= 0)
            return rc < 0 ? ROUTE_DEFER : ROUTE_DECLINE;
    } else if (ob->route_data != NULL) {
        if (route_expand(c, "route_data", ob->route_data, &data, &forced) < 0)
            return forced ? ROUTE_DECLINE : ROUTE_DEFER;
        parse_route_item(c->rc->arena, data, NULL, &hostlist, &options);
        if (*hostlist == '\0')
            return ROUTE_DECLINE;
    } else {
        return ROUTE_DECLINE;
    }
    if (route_expand(c, "route_list", hostlist, &expanded, &forced) < 0) {
        if (forced)
            return ROUTE_DECLINE;
        a->message =
            arena_printf(c->rc->arena, "%s router: failed to expand \"%s\": %s",
                         c->router->name, hostlist, a->message);
        return ROUTE_DEFER;
    }
    if (parse_options(c, options, &randomize, &bydns) < 0)
        return ROUTE_DEFER;
    own_tp = a->transport;
    if (own_tp == NULL && route_get_transport(c) < 0)
        return ROUTE_DEFER;
    if (own_tp != NULL)
        a->transport = own_tp;
    if (a->transport != NULL) {
        const struct transport_driver *drv = transport_driver_for(a->transport);
        if (drv != NULL && drv->local) {
            if (*expanded != '\0') {
                a->hosts = host_list_parse(c->rc->arena, "x", 0);
                a->hosts->name = expanded;
                a->hosts->address = NULL;
            }
            return ROUTE_OK;
        }
    }
    if (*expanded == '\0') {
        if (c->rc->mode == ROUTE_VERIFY_RECIPIENT ||
            c->rc->mode == ROUTE_VERIFY_SENDER)
            return ROUTE_OK;
        a->message = arena_printf(c->rc->arena,
                                  "error in %s router: no host(s) specified "
                                  "for domain %s",
                                  c->router->name, a->domain);
        log_write(LOG_MAIN, "%s%s", msg_id_prefix(c), a->message);
        return ROUTE_DEFER;
    }
    a->hosts = host_list_parse(c->rc->arena, expanded, randomize);
    yield = lookup_hosts(c, ob, bydns);
    if (yield != ROUTE_OK)
        return yield;
    if (a->hosts == NULL)
        return all_ignored(c, ob);
    if (a->transport == NULL && c->rc->mode == ROUTE_DELIVER) {
        log_write(LOG_MAIN, "%sError in %s router: no transport defined",
                  msg_id_prefix(c), c->router->name);
        a->message = "error in router: transport missing";
        return ROUTE_DEFER;
    }
    return ROUTE_OK;
}

const struct route_driver route_manualroute_driver = {"manualroute",
                                                      manualroute_route};
