/*++
 * NAME
 *	redirect 3
 * SUMMARY
 *	the redirect router
 * SYNOPSIS
 *	#include "route/redirect.h"
 *
 *	extern const struct driver_info router_redirect_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "route/redirect.h"

static const struct opt_def router_redirect_defs[] = {
    {"allow_defer", OPT_BOOL, offsetof(struct router_redirect, allow_defer), 0},
    {"allow_fail", OPT_BOOL, offsetof(struct router_redirect, allow_fail), 0},
    {"allow_filter", OPT_BOOL, offsetof(struct router_redirect, allow_filter),
     0},
    {"allow_freeze", OPT_BOOL, offsetof(struct router_redirect, allow_freeze),
     0},
    {"check_ancestor", OPT_BOOL,
     offsetof(struct router_redirect, check_ancestor), 0},
    {"check_group", OPT_BOOL, offsetof(struct router_redirect, check_group), 0},
    {"check_owner", OPT_BOOL, offsetof(struct router_redirect, check_owner), 0},
    {"data", OPT_EXPANDED, offsetof(struct router_redirect, data), 0},
    {"directory_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, directory_transport), 0},
    {"file", OPT_EXPANDED, offsetof(struct router_redirect, file), 0},
    {"file_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, file_transport), 0},
    {"forbid_blackhole", OPT_BOOL,
     offsetof(struct router_redirect, forbid_blackhole), 0},
    {"forbid_file", OPT_BOOL, offsetof(struct router_redirect, forbid_file), 0},
    {"forbid_include", OPT_BOOL,
     offsetof(struct router_redirect, forbid_include), 0},
    {"forbid_pipe", OPT_BOOL, offsetof(struct router_redirect, forbid_pipe), 0},
    {"hide_child_in_errmsg", OPT_BOOL,
     offsetof(struct router_redirect, hide_child_in_errmsg), 0},
    {"ignore_eacces", OPT_BOOL, offsetof(struct router_redirect, ignore_eacces),
     0},
    {"ignore_enotdir", OPT_BOOL,
     offsetof(struct router_redirect, ignore_enotdir), 0},
    {"include_directory", OPT_STRING,
     offsetof(struct router_redirect, include_directory), 0},
    {"modemask", OPT_OCTAL, offsetof(struct router_redirect, modemask), 0},
    {"one_time", OPT_BOOL, offsetof(struct router_redirect, one_time), 0},
    {"owners", OPT_LIST, offsetof(struct router_redirect, owners), 0},
    {"owngroups", OPT_LIST, offsetof(struct router_redirect, owngroups), 0},
    {"pipe_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, pipe_transport), 0},
    {"qualify_domain", OPT_EXPANDED,
     offsetof(struct router_redirect, qualify_domain), 0},
    {"qualify_preserve_domain", OPT_BOOL,
     offsetof(struct router_redirect, qualify_preserve_domain), 0},
    {"reply_transport", OPT_EXPANDED,
     offsetof(struct router_redirect, reply_transport), 0},
    {"rewrite", OPT_BOOL, offsetof(struct router_redirect, rewrite), 0},
    {"skip_syntax_errors", OPT_BOOL,
     offsetof(struct router_redirect, skip_syntax_errors), 0},
    {"syntax_errors_text", OPT_EXPANDED,
     offsetof(struct router_redirect, syntax_errors_text), 0},
    {"syntax_errors_to", OPT_STRING,
     offsetof(struct router_redirect, syntax_errors_to), 0},
};

static const struct router_redirect router_redirect_defaults = {
    .modemask = 022,
    .rewrite = 1,
};

const struct driver_info router_redirect_info = {
    "redirect",
    OPT_TABLE("redirect", router_redirect_defs, struct router_redirect,
              &router_redirect_defaults),
    NULL,
};
