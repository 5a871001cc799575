/* dnslookup.h: the dnslookup router. */
#ifndef MXLAB_ROUTE_DNSLOOKUP_H
#define MXLAB_ROUTE_DNSLOOKUP_H

#include "conf/driver.h"
#include "conf/opt.h"

struct router_dnslookup {
    int check_secondary_mx;
    char *check_srv;
    char *fail_defer_domains;
    char *ipv4_only;
    char *ipv4_prefer;
    char *mx_domains;
    char *mx_fail_domains;
    int qualify_single;
    int rewrite_headers;
    int same_domain_copy_routing;
    int search_parents;
    char *srv_fail_domains;
    char *widen_domains;
};

extern const struct driver_info router_dnslookup_info;

#endif
