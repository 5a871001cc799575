/*++
 * NAME
 *	auth 3
 * SUMMARY
 *	options every authenticator takes
 * SYNOPSIS
 *	#include "auth/auth.h"
 *
 *	extern const struct opt_table auth_generic_opts;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "auth/auth.h"

static const struct opt_def auth_generic_defs[] = {
    {"client_condition", OPT_EXPANDED,
     offsetof(struct auth_generic, client_condition), 0},
    {"client_set_id", OPT_EXPANDED,
     offsetof(struct auth_generic, client_set_id), 0},
    {"public_name", OPT_STRING, offsetof(struct auth_generic, public_name), 0},
    {"server_advertise_condition", OPT_EXPANDED,
     offsetof(struct auth_generic, server_advertise_condition), 0},
    {"server_condition", OPT_EXPANDED,
     offsetof(struct auth_generic, server_condition), 0},
    {"server_debug_print", OPT_EXPANDED,
     offsetof(struct auth_generic, server_debug_print), OPT_UNIMPL},
    {"server_mail_auth_condition", OPT_EXPANDED,
     offsetof(struct auth_generic, server_mail_auth_condition), 0},
    {"server_set_id", OPT_EXPANDED,
     offsetof(struct auth_generic, server_set_id), 0},
};

const struct opt_table auth_generic_opts =
    OPT_TABLE("authenticator", auth_generic_defs, struct auth_generic, NULL);
