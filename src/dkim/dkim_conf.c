/*++
 * NAME
 *	dkim_conf 3
 * SUMMARY
 *	the DKIM main options
 * SYNOPSIS
 *	#include "dkim/dkim_conf.h"
 *
 *	extern const struct opt_table dkim_main_opts;
 *	extern struct dkim_main dkim_main;
 * DESCRIPTION
 *	The verification options, with Exim's names, types and defaults:
 *	dkim_verify_hashes (sha256:sha512), dkim_verify_keytypes
 *	(ed25519:rsa), dkim_verify_min_keysizes (rsa=1024 ed25519=250),
 *	dkim_verify_minimal (false) and dkim_verify_signers
 *	($dkim_signers, expanded per message).
 *--*/

#include <stddef.h>

#include "dkim/dkim_conf.h"

static const struct opt_def dkim_main_defs[] = {
    {"dkim_verify_hashes", OPT_STRING,
     offsetof(struct dkim_main, dkim_verify_hashes), 0},
    {"dkim_verify_keytypes", OPT_STRING,
     offsetof(struct dkim_main, dkim_verify_keytypes), 0},
    {"dkim_verify_min_keysizes", OPT_STRING,
     offsetof(struct dkim_main, dkim_verify_min_keysizes), 0},
    {"dkim_verify_minimal", OPT_BOOL,
     offsetof(struct dkim_main, dkim_verify_minimal), 0},
    {"dkim_verify_signers", OPT_EXPANDED,
     offsetof(struct dkim_main, dkim_verify_signers), 0},
};

static const struct dkim_main dkim_main_defaults = {
    .dkim_verify_hashes = "sha256:sha512",
    .dkim_verify_keytypes = "ed25519:rsa",
    .dkim_verify_min_keysizes = "rsa=1024 ed25519=250",
    .dkim_verify_signers = "$dkim_signers",
};

const struct opt_table dkim_main_opts =
    OPT_TABLE("dkim", dkim_main_defs, struct dkim_main, &dkim_main_defaults);

struct dkim_main dkim_main;
