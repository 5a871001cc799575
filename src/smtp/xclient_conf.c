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
 *	The option table and defaults: hosts_xclient (Exim's name; unset,
 *	so nobody may use XCLIENT) and the mxlab extension
 *	hosts_xclient_port_optional (unset: every first XCLIENT must
 *	carry PORT, as the spec says). The command is in xclient.c.
 *--*/

#include <stddef.h>

#include "smtp/xclient_conf.h"

static const struct opt_def xclient_main_defs[] = {
    {"hosts_xclient", OPT_LIST, offsetof(struct xclient_main, hosts_xclient),
     0},
    {"hosts_xclient_port_optional", OPT_LIST,
     offsetof(struct xclient_main, hosts_xclient_port_optional), 0},
};

const struct opt_table xclient_main_opts =
    OPT_TABLE("xclient", xclient_main_defs, struct xclient_main, NULL);

struct xclient_main xclient_main;
