/*++
 * NAME
 *	bmi_conf 3
 * SUMMARY
 *	Brightmail router preconditions; Brightmail main options
 * SYNOPSIS
 *	#include "bmi/bmi_conf.h"
 *
 *	extern const struct driver_ext bmi_router_ext;
 *	extern const struct opt_table bmi_main_opts;
 *	extern struct bmi_main bmi_main;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "bmi/bmi_conf.h"

static const struct opt_def bmi_router_defs[] = {
    {"bmi_deliver_alternate", OPT_BOOL,
     offsetof(struct bmi_router, bmi_deliver_alternate), 0},
    {"bmi_deliver_default", OPT_BOOL,
     offsetof(struct bmi_router, bmi_deliver_default), 0},
    {"bmi_dont_deliver", OPT_BOOL,
     offsetof(struct bmi_router, bmi_dont_deliver), 0},
    {"bmi_rule", OPT_STRING, offsetof(struct bmi_router, bmi_rule), 0},
};

const struct driver_ext bmi_router_ext = {
    OPT_TABLE("bmi", bmi_router_defs, struct bmi_router, NULL),
    NULL,
};

static const struct opt_def bmi_main_defs[] = {
    {"bmi_config_file", OPT_STRING, offsetof(struct bmi_main, bmi_config_file),
     0},
};

static const struct bmi_main bmi_main_defaults = {
    .bmi_config_file = "/opt/brightmail/etc/brightmail.cfg",
};

const struct opt_table bmi_main_opts =
    OPT_TABLE("bmi", bmi_main_defs, struct bmi_main, &bmi_main_defaults);

struct bmi_main bmi_main;
