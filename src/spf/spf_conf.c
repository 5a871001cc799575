/*++
 * NAME
 *	spf_conf 3
 * SUMMARY
 *	the SPF main options
 * SYNOPSIS
 *	#include "spf/spf_conf.h"
 *
 *	extern const struct opt_table spf_main_opts;
 *	extern struct spf_main spf_main;
 * DESCRIPTION
 *	spf_guess (the record spf_guess falls back to, Exim's default
 *	"v=spf1 a/24 mx/24 ptr ?all") and spf_smtp_comment_template (the
 *	explanation for $spf_smtp_comment, expanded when the SPF library
 *	is set up; default "Please%_see%_http://www.open-spf.org/Why").
 *--*/

#include <stddef.h>

#include "spf/spf_conf.h"

static const struct opt_def spf_main_defs[] = {
    {"spf_guess", OPT_STRING, offsetof(struct spf_main, spf_guess), 0},
    {"spf_smtp_comment_template", OPT_EXPANDED,
     offsetof(struct spf_main, spf_smtp_comment_template), 0},
};

static const struct spf_main spf_main_defaults = {
    .spf_guess = "v=spf1 a/24 mx/24 ptr ?all",
    .spf_smtp_comment_template = "Please%_see%_http://www.open-spf.org/Why",
};

const struct opt_table spf_main_opts =
    OPT_TABLE("spf", spf_main_defs, struct spf_main, &spf_main_defaults);

struct spf_main spf_main;
