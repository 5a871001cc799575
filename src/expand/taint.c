/*++
 * NAME
 *	taint 3
 * SUMMARY
 *	which expansion results carry data from the message or session
 * SYNOPSIS
 *	#include "expand/expand.h"
 *
 *	int	expand_var_tainted(const char *name)
 *
 *	#include "expand/expand_int.h"
 *
 *	void	x_taint_mark(struct exp *e)
 *	int	x_taint_op_clean(const char *base)
 * DESCRIPTION
 *	Exim marks data that came with a message or an SMTP session
 *	(addresses, the HELO name, headers, the body, what a client
 *	authenticated as ...) as tainted, and a value made from tainted
 *	data stays tainted. mxlab does not refuse tainted file names as
 *	Exim does; it tracks taint only as far as the spool needs it:
 *	an ACL variable set from such data is written "--aclm" to the -H
 *	file, read back with its mark, and passes the mark on to
 *	variables set from it.
 *
 *	The model is one mark per expansion (ctx->tainted after
 *	expand_string()): the result is tainted when a tainted value was
 *	copied into it, directly or through an operator or item that
 *	copies text from its arguments. Not copied, so not tainting, as
 *	in Exim: what a condition reads (its truth value is all that
 *	flows on; the numbered variables a match sets carry the
 *	condition's mark), the key and file of a lookup (whose result
 *	is untainted), and the operators of x_taint_op_clean(), which
 *	compute a digest or a number.
 *
 *	expand_var_tainted() says whether a variable's value is tainted
 *	when set: the variables Exim fills from what the client or the
 *	message said. ACL variables carry their own mark
 *	(expand_set_acl_var_taint()). Approximations, where Exim knows
 *	better because its mark travels with the memory: an address that
 *	a router made from untainted data (a redirect list in the
 *	configuration) still has a tainted $local_part here; an empty
 *	value taints nothing; $sender_host_address is taken as
 *	untainted (the socket's), also after XCLIENT or PROXY.
 *
 *	x_taint_mark() marks the expansion in progress tainted.
 *	x_taint_op_clean() says whether operator base (without its
 *	"_N" parameters) computes a fresh untainted value.
 *--*/

#include <stdlib.h>
#include <string.h>

#include "expand/expand.h"
#include "expand/expand_int.h"

/* The variables whose values come from the client or the message
 * (sorted, for bsearch). */
static const char *const tainted_vars[] = {
    "address_file",
    "address_pipe",
    "auth1",
    "auth2",
    "auth3",
    "auth4",
    "authenticated_fail_id",
    "authenticated_id",
    "authenticated_sender",
    "bmi_alt_location",
    "bmi_base64_tracker_verdict",
    "bmi_base64_verdict",
    "dcc_header",
    "dcc_result",
    "dkim_cur_signer",
    "dkim_domain",
    "dkim_headernames",
    "dkim_identity",
    "dkim_key_notes",
    "dkim_selector",
    "dkim_signers",
    "dnslist_text",
    "domain",
    "local_part",
    "local_part_prefix",
    "local_part_suffix",
    "message_body",
    "message_body_end",
    "message_headers",
    "message_headers_raw",
    "original_domain",
    "original_local_part",
    "parent_domain",
    "parent_local_part",
    "received_for",
    "recipients",
    "reply_address",
    "return_path",
    "sender_address",
    "sender_address_domain",
    "sender_address_local_part",
    "sender_fullhost",
    "sender_helo_name",
    "sender_host_name",
    "sender_ident",
    "sender_rcvhost",
    "smtp_command",
    "smtp_command_argument",
    "smtp_command_history",
    "tls_in_peerdn",
    "tls_in_sni",
    "tls_peerdn",
    "tls_sni",
};

/* Operators whose result is a digest or a number made afresh. */
static const char *const clean_ops[] = {
    "base32",    "base32d", "base62", "base62d", "eval",    "eval10",
    "listcount", "md5",     "nh",     "nhash",   "randint", "sha1",
    "sha2",      "sha256",  "sha3",   "strlen",
};

static int
cmp_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static int
in_table(const char *name, const char *const *table, size_t n)
{
    return bsearch(name, table, n, sizeof(*table), cmp_name) != NULL;
}

int
expand_var_tainted(const char *name)
{
    return in_table(name, tainted_vars,
                    sizeof(tainted_vars) / sizeof(tainted_vars[0]));
}

void
x_taint_mark(struct exp *e)
{
    e->tainted = 1;
}

int
x_taint_op_clean(const char *base)
{
    return in_table(base, clean_ops, sizeof(clean_ops) / sizeof(clean_ops[0]));
}
