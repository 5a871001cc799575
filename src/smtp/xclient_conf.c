/*++
 * NAME
 *	xclient_conf 3
 * SUMMARY
 *	XCLIENT main options
 * SYNOPSIS
 *	#include "smtp/xclient_conf.h"
 *
 *	extern const struct opt_table xclient_main_opts;
 *	extern struct xclient_main xclient_main;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "smtp/xclient_conf.h"

static const struct opt_def xclient_main_defs[] = {
    {"hosts_xclient", OPT_LIST, offsetof(struct xclient_main, hosts_xclient),
     0},
};

const struct opt_table xclient_main_opts =
    OPT_TABLE("xclient", xclient_main_defs, struct xclient_main, NULL);

struct xclient_main xclient_main;
