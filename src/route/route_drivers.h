/* route_drivers.h: the router drivers' code, for route.c's table. */
#ifndef MXLAB_ROUTE_ROUTE_DRIVERS_H
#define MXLAB_ROUTE_ROUTE_DRIVERS_H

#include "route/route.h"

extern const struct route_driver route_accept_driver;
extern const struct route_driver route_redirect_driver;
extern const struct route_driver route_manualroute_driver;
extern const struct route_driver route_dnslookup_driver;

/* The generic "transport" option of c->router, expanded and looked up
 * into c->a->transport (NULL when unset). 0, or -1 with a->message. */
int route_get_transport(struct route_call *c);

/* Parses redirection data (Exim's parse_forward_list) into children of
 * c->a. Returns ROUTE_REROUTED, ROUTE_DECLINE (nothing generated),
 * ROUTE_DISCARD, ROUTE_FAIL, ROUTE_DEFER; a->message says why. For the
 * unit tests too. */
enum route_rc redirect_parse(struct route_call *c, const char *data, int depth);

#endif
