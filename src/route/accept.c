/*++
 * NAME
 *	accept 3
 * SUMMARY
 *	the accept router
 * SYNOPSIS
 *	#include "route/accept.h"
 *
 *	extern const struct driver_info router_accept_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "route/accept.h"

static const struct opt_def router_accept_defs[1];

const struct driver_info router_accept_info = {
    "accept",
    {"accept", router_accept_defs, 0, sizeof(struct router_accept), NULL},
    NULL,
};
