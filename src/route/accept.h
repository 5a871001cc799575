/* accept.h: the accept router. */
#ifndef MXLAB_ROUTE_ACCEPT_H
#define MXLAB_ROUTE_ACCEPT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct router_accept {
    int unused; /* no private options */
};

extern const struct driver_info router_accept_info;

#endif
