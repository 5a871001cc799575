/*++
 * NAME
 *	dcc_conf 3
 * SUMMARY
 *	DCC main options
 * SYNOPSIS
 *	#include "dcc/dcc_conf.h"
 *
 *	extern const struct opt_table dcc_main_opts;
 *	extern struct dcc_main dcc_main;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values: dccifd_address (a unix socket, or "<host>
 *	<port>"), dccifd_options (the first line of each request, default
 *	"header"), dcc_direct_add_header (add the X-DCC header to the
 *	message). dccifd_timeout (default 30s) is an mxlab addition: how
 *	long one exchange with dccifd may take in all; Exim has no limit.
 *--*/

#include <stddef.h>

#include "dcc/dcc_conf.h"

static const struct opt_def dcc_main_defs[] = {
    {"dcc_direct_add_header", OPT_BOOL,
     offsetof(struct dcc_main, dcc_direct_add_header), 0},
    {"dccifd_address", OPT_STRING, offsetof(struct dcc_main, dccifd_address),
     0},
    {"dccifd_options", OPT_STRING, offsetof(struct dcc_main, dccifd_options),
     0},
    {"dccifd_timeout", OPT_TIME, offsetof(struct dcc_main, dccifd_timeout), 0},
};

static const struct dcc_main dcc_main_defaults = {
    .dccifd_address = "/usr/local/dcc/var/dccifd",
    .dccifd_options = "header",
    .dccifd_timeout = 30,
};

const struct opt_table dcc_main_opts =
    OPT_TABLE("dcc", dcc_main_defs, struct dcc_main, &dcc_main_defaults);

struct dcc_main dcc_main;
