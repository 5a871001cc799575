/*++
 * NAME
 *	dnslookup 3
 * SUMMARY
 *	the dnslookup router
 * SYNOPSIS
 *	#include "route/dnslookup.h"
 *
 *	extern const struct driver_info router_dnslookup_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "route/router.h"

#include "route/dnslookup.h"

static const struct opt_def router_dnslookup_defs[] = {
    {"check_secondary_mx", OPT_BOOL,
     offsetof(struct router_dnslookup, check_secondary_mx), 0},
    {"check_srv", OPT_EXPANDED, offsetof(struct router_dnslookup, check_srv),
     OPT_UNIMPL},
    {"fail_defer_domains", OPT_LIST,
     offsetof(struct router_dnslookup, fail_defer_domains), OPT_UNIMPL},
    {"ipv4_only", OPT_EXPANDED, offsetof(struct router_dnslookup, ipv4_only),
     OPT_UNIMPL},
    {"ipv4_prefer", OPT_EXPANDED,
     offsetof(struct router_dnslookup, ipv4_prefer), OPT_UNIMPL},
    {"mx_domains", OPT_LIST, offsetof(struct router_dnslookup, mx_domains), 0},
    {"mx_fail_domains", OPT_LIST,
     offsetof(struct router_dnslookup, mx_fail_domains), OPT_UNIMPL},
    {"qualify_single", OPT_BOOL,
     offsetof(struct router_dnslookup, qualify_single), OPT_UNIMPL},
    {"rewrite_headers", OPT_BOOL,
     offsetof(struct router_dnslookup, rewrite_headers), OPT_UNIMPL},
    {"same_domain_copy_routing", OPT_BOOL,
     offsetof(struct router_dnslookup, same_domain_copy_routing), OPT_UNIMPL},
    {"search_parents", OPT_BOOL,
     offsetof(struct router_dnslookup, search_parents), OPT_UNIMPL},
    {"srv_fail_domains", OPT_LIST,
     offsetof(struct router_dnslookup, srv_fail_domains), OPT_UNIMPL},
    {"widen_domains", OPT_LIST,
     offsetof(struct router_dnslookup, widen_domains), 0},
};

static const struct router_dnslookup router_dnslookup_defaults = {
    .qualify_single = 1,
    .rewrite_headers = 1,
};

const struct driver_info router_dnslookup_info = {
    "dnslookup",
    OPT_TABLE("dnslookup", router_dnslookup_defs, struct router_dnslookup,
              &router_dnslookup_defaults),
    router_check_generic,
};
