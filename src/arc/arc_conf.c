/*++
 * NAME
 *	arc_conf 3
 * SUMMARY
 *	the arc_sign transport option
 * SYNOPSIS
 *	#include "arc/arc_conf.h"
 *
 *	extern const struct driver_ext arc_transport_ext;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "arc/arc_conf.h"

static const struct opt_def arc_transport_defs[] = {
    {"arc_sign", OPT_EXPANDED, offsetof(struct arc_transport, arc_sign), 0},
};

const struct driver_ext arc_transport_ext = {
    OPT_TABLE("arc", arc_transport_defs, struct arc_transport, NULL),
    "smtp",
};
