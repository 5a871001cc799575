/*++
 * NAME
 *	queuefile 3
 * SUMMARY
 *	the queuefile transport
 * SYNOPSIS
 *	#include "transport/queuefile.h"
 *
 *	extern const struct driver_info transport_queuefile_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "transport/queuefile.h"

static const struct opt_def transport_queuefile_defs[] = {
    {"directory", OPT_EXPANDED, offsetof(struct transport_queuefile, directory),
     0},
};

const struct driver_info transport_queuefile_info = {
    "queuefile",
    OPT_TABLE("queuefile", transport_queuefile_defs, struct transport_queuefile,
              NULL),
    NULL,
};
