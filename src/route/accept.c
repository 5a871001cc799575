/*++
 * NAME
 *	accept 3
 * SUMMARY
 *	the accept router
 * SYNOPSIS
 *	#include "base/arena.h"
#include "route/accept.h"
#include "route/route_drivers.h"
#include "route/router.h"
 *
 *	extern const struct driver_info router_accept_info;
 *	extern const struct route_driver route_accept_driver;
 *
 *	int	route_get_transport(struct route_call *c)
 * DESCRIPTION
 *	The accept router has no options of its own: it accepts every
 *	address that passes the generic preconditions and hands it to
 *	the router's transport.
 *
 *	route_get_transport() expands the generic "transport" option and
 *	finds the transport of that name; every accepting driver uses it.
 * DIAGNOSTICS
 *	An unknown transport defers the address: 'transport "x" not
 *	found in NAME router'.
 *--*/

#include <stddef.h>

#include "base/arena.h"
#include "route/accept.h"
#include "route/route_drivers.h"
#include "route/router.h"

static const struct opt_def router_accept_defs[1];

/* Exim's accept router logs its local deliveries as local ones. */
static int
accept_check(struct driver_instance *d, struct gstr *err)
{
    (void)err;
    return router_default_log_as_local(d, 1);
}

const struct driver_info router_accept_info = {
    "accept",
    {"accept", router_accept_defs, 0, sizeof(struct router_accept), NULL},
    accept_check,
};

int
route_get_transport(struct route_call *c)
{
    const struct router_generic *g = c->router->generic;
    char *name;

    c->a->transport = NULL;
    if (g->transport == NULL)
        return 0;
    if (route_expand(c, "transport", g->transport, &name, NULL) < 0)
        return -1;
    c->a->transport = route_find_transport(name);
    if (c->a->transport == NULL) {
        c->a->message = arena_printf(c->rc->arena,
                                     "transport \"%s\" not found in %s router",
                                     name, c->router->name);
        return -1;
    }
    return 0;
}

static enum route_rc
accept_route(struct route_call *c)
{
    return route_get_transport(c) < 0 ? ROUTE_DEFER : ROUTE_OK;
}

const struct route_driver route_accept_driver = {"accept", accept_route};
