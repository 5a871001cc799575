/*++
 * NAME
 *	smtp 3
 * SUMMARY
 *	the smtp transport
 * SYNOPSIS
 *	#include "transport/smtp.h"
 *
 *	extern const struct driver_info transport_smtp_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP.
 *--*/

#include <stddef.h>

#include "transport/smtp.h"
#include "transport/transport.h"

static const struct opt_def transport_smtp_defs[] = {
    {"address_retry_include_sender", OPT_BOOL,
     offsetof(struct transport_smtp, address_retry_include_sender), 0},
    {"allow_localhost", OPT_BOOL,
     offsetof(struct transport_smtp, allow_localhost), 0},
    {"authenticated_sender", OPT_EXPANDED,
     offsetof(struct transport_smtp, authenticated_sender), 0},
    {"authenticated_sender_force", OPT_BOOL,
     offsetof(struct transport_smtp, authenticated_sender_force), 0},
    {"command_timeout", OPT_TIME,
     offsetof(struct transport_smtp, command_timeout), 0},
    {"connect_timeout", OPT_TIME,
     offsetof(struct transport_smtp, connect_timeout), 0},
    {"connection_max_messages", OPT_INT,
     offsetof(struct transport_smtp, connection_max_messages), 0},
    {"data_timeout", OPT_TIME, offsetof(struct transport_smtp, data_timeout),
     0},
    {"delay_after_cutoff", OPT_BOOL,
     offsetof(struct transport_smtp, delay_after_cutoff), OPT_UNIMPL},
    {"dns_qualify_single", OPT_BOOL,
     offsetof(struct transport_smtp, dns_qualify_single), OPT_UNIMPL},
    {"dns_search_parents", OPT_BOOL,
     offsetof(struct transport_smtp, dns_search_parents), OPT_UNIMPL},
    {"dscp", OPT_EXPANDED, offsetof(struct transport_smtp, dscp), OPT_UNIMPL},
    {"fallback_hosts", OPT_LIST,
     offsetof(struct transport_smtp, fallback_hosts), 0},
    {"final_timeout", OPT_TIME, offsetof(struct transport_smtp, final_timeout),
     0},
    {"helo_data", OPT_EXPANDED, offsetof(struct transport_smtp, helo_data), 0},
    {"hosts", OPT_EXPANDED, offsetof(struct transport_smtp, hosts), 0},
    {"hosts_avoid_esmtp", OPT_LIST,
     offsetof(struct transport_smtp, hosts_avoid_esmtp), 0},
    {"hosts_avoid_pipelining", OPT_LIST,
     offsetof(struct transport_smtp, hosts_avoid_pipelining), 0},
    {"hosts_avoid_tls", OPT_LIST,
     offsetof(struct transport_smtp, hosts_avoid_tls), 0},
    {"hosts_max_try", OPT_INT, offsetof(struct transport_smtp, hosts_max_try),
     0},
    {"hosts_max_try_hardlimit", OPT_INT,
     offsetof(struct transport_smtp, hosts_max_try_hardlimit), 0},
    {"hosts_noproxy_tls", OPT_LIST,
     offsetof(struct transport_smtp, hosts_noproxy_tls), 0},
    {"hosts_nopass_tls", OPT_LIST,
     offsetof(struct transport_smtp, hosts_nopass_tls), OPT_UNIMPL},
    {"hosts_override", OPT_BOOL,
     offsetof(struct transport_smtp, hosts_override), 0},
    {"hosts_randomize", OPT_BOOL,
     offsetof(struct transport_smtp, hosts_randomize), 0},
    {"hosts_require_auth", OPT_LIST,
     offsetof(struct transport_smtp, hosts_require_auth), 0},
    {"hosts_require_tls", OPT_LIST,
     offsetof(struct transport_smtp, hosts_require_tls), 0},
    {"hosts_try_auth", OPT_LIST,
     offsetof(struct transport_smtp, hosts_try_auth), 0},
    {"hosts_try_chunking", OPT_LIST,
     offsetof(struct transport_smtp, hosts_try_chunking), 0},
    {"interface", OPT_EXPANDED, offsetof(struct transport_smtp, interface),
     OPT_UNIMPL},
    {"keepalive", OPT_BOOL, offsetof(struct transport_smtp, keepalive), 0},
    {"max_rcpt", OPT_EXPANDED, offsetof(struct transport_smtp, max_rcpt), 0},
    {"multi_domain", OPT_EXPANDED,
     offsetof(struct transport_smtp, multi_domain), OPT_XBOOL},
    {"port", OPT_EXPANDED, offsetof(struct transport_smtp, port), 0},
    {"protocol", OPT_STRING, offsetof(struct transport_smtp, protocol), 0},
    {"retry_include_ip_address", OPT_EXPANDED,
     offsetof(struct transport_smtp, retry_include_ip_address),
     OPT_UNIMPL | OPT_XBOOL},
    {"serialize_hosts", OPT_LIST,
     offsetof(struct transport_smtp, serialize_hosts), OPT_UNIMPL},
    {"size_addition", OPT_INT, offsetof(struct transport_smtp, size_addition),
     0},
    {"tls_certificate", OPT_EXPANDED,
     offsetof(struct transport_smtp, tls_certificate), 0},
    {"tls_privatekey", OPT_EXPANDED,
     offsetof(struct transport_smtp, tls_privatekey), 0},
    {"tls_require_ciphers", OPT_EXPANDED,
     offsetof(struct transport_smtp, tls_require_ciphers), 0},
    {"tls_sni", OPT_EXPANDED, offsetof(struct transport_smtp, tls_sni), 0},
    {"tls_tempfail_tryclear", OPT_BOOL,
     offsetof(struct transport_smtp, tls_tempfail_tryclear), 0},
    {"tls_try_verify_hosts", OPT_LIST,
     offsetof(struct transport_smtp, tls_try_verify_hosts), 0},
    {"tls_verify_cert_hostnames", OPT_LIST,
     offsetof(struct transport_smtp, tls_verify_cert_hostnames), 0},
    {"tls_verify_certificates", OPT_EXPANDED,
     offsetof(struct transport_smtp, tls_verify_certificates), 0},
    {"tls_verify_hosts", OPT_LIST,
     offsetof(struct transport_smtp, tls_verify_hosts), 0},
};

static const struct transport_smtp transport_smtp_defaults = {
    .address_retry_include_sender = 1,
    .command_timeout = 300,
    .connect_timeout = 300,
    .connection_max_messages = 500,
    .data_timeout = 300,
    .delay_after_cutoff = 1,
    .dns_qualify_single = 1,
    .final_timeout = 600,
    .helo_data = "$primary_hostname",
    .hosts_max_try = 5,
    .hosts_max_try_hardlimit = 50,
    .hosts_try_chunking = "*",
    .keepalive = 1,
    .max_rcpt = "100",
    .multi_domain = "true",
    .protocol = "smtp",
    .retry_include_ip_address = "true",
    .size_addition = 1024,
    .tls_tempfail_tryclear = 1,
    .tls_try_verify_hosts = "*",
    .tls_verify_cert_hostnames = "*",
    .tls_verify_certificates = "system",
};

/* retry_use_local_part left unset is false for a remote transport, as
 * Exim's smtp transport sets it (what -bP shows; retry.md). */
static int
transport_smtp_check(struct driver_instance *d, struct gstr *err)
{
    struct transport_generic *g = d->generic;

    (void)err;
    if (g->retry_use_local_part == TRANSPORT_RULP_UNSET)
        g->retry_use_local_part = 0;
    return 0;
}

const struct driver_info transport_smtp_info = {
    "smtp",
    OPT_TABLE("smtp", transport_smtp_defs, struct transport_smtp,
              &transport_smtp_defaults),
    transport_smtp_check,
};
