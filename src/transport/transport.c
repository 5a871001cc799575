/*++
 * NAME
 *	transport 3
 * SUMMARY
 *	options every transport takes
 * SYNOPSIS
 *	#include "transport/transport.h"
 *
 *	extern const struct opt_table transport_generic_opts;
 *
 *	int	transport_check_no_filter(struct driver_instance *d,
 *			struct gstr *err)
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *
 *	transport_check_no_filter() is the check of the drivers that do
 *	not act on transport_filter (appendfile, pipe): set there, it is
 *	refused as a default-only option is, rather than ignored.
 * DIAGNOSTICS
 *	"option "transport_filter" is an Exim option that mxlab does not
 *	implement on the DRIVER transport (only its default, unset, is
 *	accepted)".
 *--*/

#include <stddef.h>

#include "base/gstr.h"
#include "transport/transport.h"

static const struct opt_def transport_generic_defs[] = {
    {"body_only", OPT_BOOL, offsetof(struct transport_generic, body_only), 0},
    {"current_directory", OPT_EXPANDED,
     offsetof(struct transport_generic, current_directory), OPT_UNIMPL},
    {"debug_print", OPT_EXPANDED,
     offsetof(struct transport_generic, debug_print), OPT_UNIMPL},
    {"delivery_date_add", OPT_BOOL,
     offsetof(struct transport_generic, delivery_date_add), 0},
    {"disable_logging", OPT_BOOL,
     offsetof(struct transport_generic, disable_logging), OPT_UNIMPL},
    {"envelope_to_add", OPT_BOOL,
     offsetof(struct transport_generic, envelope_to_add), 0},
    {"event_action", OPT_EXPANDED,
     offsetof(struct transport_generic, event_action), OPT_UNIMPL},
    {"group", OPT_EXPANDED, offsetof(struct transport_generic, group),
     OPT_GROUP},
    {"headers_add", OPT_EXPANDED,
     offsetof(struct transport_generic, headers_add), 0},
    {"headers_only", OPT_BOOL, offsetof(struct transport_generic, headers_only),
     0},
    {"headers_remove", OPT_EXPANDED,
     offsetof(struct transport_generic, headers_remove), 0},
    {"headers_rewrite", OPT_STRING,
     offsetof(struct transport_generic, headers_rewrite), 0},
    {"home_directory", OPT_EXPANDED,
     offsetof(struct transport_generic, home_directory), 0},
    {"initgroups", OPT_BOOL, offsetof(struct transport_generic, initgroups), 0},
    {"max_parallel", OPT_EXPANDED,
     offsetof(struct transport_generic, max_parallel), OPT_UNIMPL},
    {"message_size_limit", OPT_EXPANDED,
     offsetof(struct transport_generic, message_size_limit), 0},
    {"rcpt_include_affixes", OPT_BOOL,
     offsetof(struct transport_generic, rcpt_include_affixes), OPT_UNIMPL},
    {"retry_use_local_part", OPT_BOOL,
     offsetof(struct transport_generic, retry_use_local_part), 0},
    {"return_path", OPT_EXPANDED,
     offsetof(struct transport_generic, return_path), 0},
    {"return_path_add", OPT_BOOL,
     offsetof(struct transport_generic, return_path_add), 0},
    {"shadow_condition", OPT_EXPANDED,
     offsetof(struct transport_generic, shadow_condition), OPT_UNIMPL},
    {"shadow_transport", OPT_STRING,
     offsetof(struct transport_generic, shadow_transport), OPT_UNIMPL},
    {"transport_filter", OPT_EXPANDED,
     offsetof(struct transport_generic, transport_filter), 0},
    {"transport_filter_timeout", OPT_TIME,
     offsetof(struct transport_generic, transport_filter_timeout), 0},
    {"user", OPT_EXPANDED, offsetof(struct transport_generic, user), OPT_USER},
};

/* retry_use_local_part: Exim leaves it "unset", which counts as true
 * (a local delivery's retry key has the local part) and -bP shows as
 * set; the smtp transport turns an unset one off. */
static const struct transport_generic transport_generic_defaults = {
    .retry_use_local_part = TRANSPORT_RULP_UNSET,
    .transport_filter_timeout = 300,
};

const struct opt_table transport_generic_opts =
    OPT_TABLE("transport", transport_generic_defs, struct transport_generic,
              &transport_generic_defaults);

int
transport_check_no_filter(struct driver_instance *d, struct gstr *err)
{
    const struct transport_generic *g = d->generic;

    if (g->transport_filter == NULL)
        return 0;
    gstr_printf(err,
                "option \"transport_filter\" is an Exim option that mxlab "
                "does not implement on the %s transport (only its default, "
                "unset, is accepted)",
                d->info->name);
    return -1;
}
