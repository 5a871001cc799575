/*++
 * NAME
 *	manualroute 3
 * SUMMARY
 *	the manualroute router
 * SYNOPSIS
 *	#include "route/manualroute.h"
 *
 *	extern const struct driver_info router_manualroute_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "route/router.h"

#include "route/manualroute.h"

static const struct opt_def router_manualroute_defs[] = {
    {"host_all_ignored", OPT_STRING,
     offsetof(struct router_manualroute, host_all_ignored), 0},
    {"host_find_failed", OPT_STRING,
     offsetof(struct router_manualroute, host_find_failed), 0},
    {"hosts_randomize", OPT_BOOL,
     offsetof(struct router_manualroute, hosts_randomize), 0},
    {"route_data", OPT_EXPANDED,
     offsetof(struct router_manualroute, route_data), 0},
    {"route_list", OPT_STRING, offsetof(struct router_manualroute, route_list),
     0},
    {"same_domain_copy_routing", OPT_BOOL,
     offsetof(struct router_manualroute, same_domain_copy_routing), OPT_UNIMPL},
};

static const struct router_manualroute router_manualroute_defaults = {
    .host_all_ignored = "defer",
    .host_find_failed = "freeze",
};

const struct driver_info router_manualroute_info = {
    "manualroute",
    OPT_TABLE("manualroute", router_manualroute_defs, struct router_manualroute,
              &router_manualroute_defaults),
    router_check_generic,
};
