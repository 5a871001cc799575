/*++
 * NAME
 *	plaintext 3
 * SUMMARY
 *	the plaintext authenticator
 * SYNOPSIS
 *	#include "auth/plaintext.h"
 *
 *	extern const struct driver_info auth_plaintext_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "auth/plaintext.h"

static const struct opt_def auth_plaintext_defs[] = {
    {"client_ignore_invalid_base64", OPT_BOOL,
     offsetof(struct auth_plaintext, client_ignore_invalid_base64), 0},
    {"client_send", OPT_EXPANDED, offsetof(struct auth_plaintext, client_send),
     0},
    {"server_prompts", OPT_EXPANDED,
     offsetof(struct auth_plaintext, server_prompts), 0},
};

const struct driver_info auth_plaintext_info = {
    "plaintext",
    OPT_TABLE("plaintext", auth_plaintext_defs, struct auth_plaintext, NULL),
    NULL,
};
