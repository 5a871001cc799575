/*++
 * NAME
 *	dovecot 3
 * SUMMARY
 *	the dovecot authenticator
 * SYNOPSIS
 *	#include "auth/auth.h"
#include "auth/dovecot.h"
 *
 *	extern const struct driver_info auth_dovecot_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "auth/auth.h"
#include "auth/dovecot.h"

static const struct opt_def auth_dovecot_defs[] = {
    {"server_socket", OPT_EXPANDED,
     offsetof(struct auth_dovecot, server_socket), 0},
    {"server_tls", OPT_BOOL, offsetof(struct auth_dovecot, server_tls), 0},
};

const struct driver_info auth_dovecot_info = {
    "dovecot",
    OPT_TABLE("dovecot", auth_dovecot_defs, struct auth_dovecot, NULL),
    NULL,
};

int
auth_dovecot_server(struct auth_server_call *c)
{
    gstr_adds(&c->defer_msg, "dovecot authenticator not yet available");
    return AUTH_DEFER;
}
