/* manualroute.h: the manualroute router. */
#ifndef MXLAB_ROUTE_MANUALROUTE_H
#define MXLAB_ROUTE_MANUALROUTE_H

#include "conf/driver.h"
#include "conf/opt.h"

struct router_manualroute {
    char *host_all_ignored;
    char *host_find_failed;
    int hosts_randomize;
    char *route_data;
    char *route_list;
    int same_domain_copy_routing;
};

extern const struct driver_info router_manualroute_info;

#endif
