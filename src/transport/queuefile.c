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
 *	The option table: "directory" (expanded), which must be set
 *	("directory must be set for the T transport", a configuration
 *	error, as Exim's init check). The transport itself is in
 *	queuefile_run.c.
 *--*/

#include <stddef.h>

#include "base/gstr.h"
#include "transport/queuefile.h"

static const struct opt_def transport_queuefile_defs[] = {
    {"directory", OPT_EXPANDED, offsetof(struct transport_queuefile, directory),
     0},
};

static int
queuefile_check(struct driver_instance *d, struct gstr *err)
{
    const struct transport_queuefile *ob = d->priv;

    if (ob->directory != NULL)
        return 0;
    gstr_printf(err, "directory must be set for the %s transport", d->name);
    return -1;
}

const struct driver_info transport_queuefile_info = {
    "queuefile",
    OPT_TABLE("queuefile", transport_queuefile_defs, struct transport_queuefile,
              NULL),
    queuefile_check,
};
