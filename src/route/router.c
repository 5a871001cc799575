/*++
 * NAME
 *	router 3
 * SUMMARY
 *	options every router takes
 * SYNOPSIS
 *	#include "route/router.h"
 *
 *	extern const struct opt_table router_generic_opts;
 *
 *	int	router_default_log_as_local(struct driver_instance *d,
 *			int value)
 *	int	router_check_generic(struct driver_instance *d, gstr *err)
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values; route.c acts on them. log_as_local starts
 *	unset: each driver's check hook gives it the driver's default
 *	(true for accept, false for the others), as Exim's driver
 *	initialisation does.
 *--*/

#include <stddef.h>

#include "route/router.h"

static const struct opt_def router_generic_defs[] = {
    {"address_data", OPT_EXPANDED,
     offsetof(struct router_generic, address_data), 0},
    {"cannot_route_message", OPT_EXPANDED,
     offsetof(struct router_generic, cannot_route_message), 0},
    {"caseful_local_part", OPT_BOOL,
     offsetof(struct router_generic, caseful_local_part), 0},
    {"check_local_user", OPT_BOOL,
     offsetof(struct router_generic, check_local_user), 0},
    {"condition", OPT_EXPANDED, offsetof(struct router_generic, condition), 0},
    {"debug_print", OPT_EXPANDED, offsetof(struct router_generic, debug_print),
     OPT_UNIMPL},
    {"disable_logging", OPT_BOOL,
     offsetof(struct router_generic, disable_logging), OPT_UNIMPL},
    {"domains", OPT_LIST, offsetof(struct router_generic, domains), 0},
    {"errors_to", OPT_EXPANDED, offsetof(struct router_generic, errors_to), 0},
    {"expn", OPT_BOOL, offsetof(struct router_generic, expn), OPT_UNIMPL},
    {"fail_verify_recipient", OPT_BOOL,
     offsetof(struct router_generic, fail_verify_recipient), 0},
    {"fail_verify_sender", OPT_BOOL,
     offsetof(struct router_generic, fail_verify_sender), 0},
    {"fallback_hosts", OPT_LIST,
     offsetof(struct router_generic, fallback_hosts), 0},
    {"group", OPT_STRING, offsetof(struct router_generic, group), OPT_GROUP},
    {"headers_add", OPT_EXPANDED, offsetof(struct router_generic, headers_add),
     0},
    {"headers_remove", OPT_EXPANDED,
     offsetof(struct router_generic, headers_remove), 0},
    {"ignore_target_hosts", OPT_LIST,
     offsetof(struct router_generic, ignore_target_hosts), OPT_UNIMPL},
    {"initgroups", OPT_BOOL, offsetof(struct router_generic, initgroups), 0},
    {"local_part_prefix", OPT_LIST,
     offsetof(struct router_generic, local_part_prefix), 0},
    {"local_part_prefix_optional", OPT_BOOL,
     offsetof(struct router_generic, local_part_prefix_optional), 0},
    {"local_part_suffix", OPT_LIST,
     offsetof(struct router_generic, local_part_suffix), 0},
    {"local_part_suffix_optional", OPT_BOOL,
     offsetof(struct router_generic, local_part_suffix_optional), 0},
    {"local_parts", OPT_LIST, offsetof(struct router_generic, local_parts), 0},
    {"log_as_local", OPT_BOOL, offsetof(struct router_generic, log_as_local),
     0},
    {"more", OPT_BOOL, offsetof(struct router_generic, more), 0},
    {"pass_on_timeout", OPT_BOOL,
     offsetof(struct router_generic, pass_on_timeout), 0},
    {"pass_router", OPT_STRING, offsetof(struct router_generic, pass_router),
     OPT_UNIMPL},
    {"redirect_router", OPT_STRING,
     offsetof(struct router_generic, redirect_router), OPT_UNIMPL},
    {"repeat_use", OPT_BOOL, offsetof(struct router_generic, repeat_use), 0},
    {"require_files", OPT_LIST, offsetof(struct router_generic, require_files),
     0},
    {"retry_use_local_part", OPT_BOOL,
     offsetof(struct router_generic, retry_use_local_part), 0},
    {"router_home_directory", OPT_EXPANDED,
     offsetof(struct router_generic, router_home_directory), 0},
    {"self", OPT_STRING, offsetof(struct router_generic, self), 0},
    {"senders", OPT_LIST, offsetof(struct router_generic, senders), 0},
    {"set", OPT_EXPANDED, offsetof(struct router_generic, set), 0},
    {"transport", OPT_EXPANDED, offsetof(struct router_generic, transport), 0},
    {"transport_current_directory", OPT_EXPANDED,
     offsetof(struct router_generic, transport_current_directory), OPT_UNIMPL},
    {"transport_home_directory", OPT_EXPANDED,
     offsetof(struct router_generic, transport_home_directory), OPT_UNIMPL},
    {"translate_ip_address", OPT_EXPANDED,
     offsetof(struct router_generic, translate_ip_address), OPT_UNIMPL},
    {"unseen", OPT_BOOL, offsetof(struct router_generic, unseen), 0},
    {"user", OPT_EXPANDED, offsetof(struct router_generic, user), OPT_USER},
    {"verify_only", OPT_BOOL, offsetof(struct router_generic, verify_only), 0},
    {"verify_recipient", OPT_BOOL,
     offsetof(struct router_generic, verify_recipient), 0},
    {"verify_sender", OPT_BOOL, offsetof(struct router_generic, verify_sender),
     0},
};

static const struct router_generic router_generic_defaults = {
    .expn = 1,
    .log_as_local = -1, /* unset: the driver decides */
    .more = 1,
    .repeat_use = 1,
    .self = "freeze",
    .verify_recipient = 1,
    .verify_sender = 1,
};

const struct opt_table router_generic_opts =
    OPT_TABLE("router", router_generic_defs, struct router_generic,
              &router_generic_defaults);

int
router_default_log_as_local(struct driver_instance *d, int value)
{
    struct router_generic *g = d->generic;

    if (g->log_as_local < 0)
        g->log_as_local = value;
    return 0;
}

int
router_check_generic(struct driver_instance *d, struct gstr *err)
{
    (void)err;
    return router_default_log_as_local(d, 0);
}
