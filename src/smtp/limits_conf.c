/*++
 * NAME
 *	limits_conf 3
 * SUMMARY
 *	LIMITS main options
 * SYNOPSIS
 *	#include "smtp/limits_conf.h"
 *
 *	extern const struct opt_table limits_main_opts;
 *	extern struct limits_main limits_main;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "smtp/limits_conf.h"

static const struct opt_def limits_main_defs[] = {
    {"limits_advertise_hosts", OPT_LIST,
     offsetof(struct limits_main, limits_advertise_hosts), 0},
};

static const struct limits_main limits_main_defaults = {
    .limits_advertise_hosts = "*",
};

const struct opt_table limits_main_opts = OPT_TABLE(
    "limits", limits_main_defs, struct limits_main, &limits_main_defaults);

struct limits_main limits_main;
