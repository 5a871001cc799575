/*++
 * NAME
 *	mainopts 3
 * SUMMARY
 *	the core's main-section options
 * SYNOPSIS
 *	#include "conf/mainopts.h"
 *
 *	extern const struct opt_table main_opts;
 *	extern struct main_config main_config;
 *
 *	void	main_config_derive(struct main_config *m)
 * DESCRIPTION
 *	The table of main options that the core knows, with Exim's names,
 *	types and defaults. main_config holds the values once the
 *	configuration is read; it is not changed after that.
 *
 *	main_config_derive() fills in what defaults to something else:
 *	primary_hostname from uname(), qualify_domain from it,
 *	qualify_recipient from qualify_domain, and exim_path from the
 *	running binary (/proc/self/exe).
 *--*/

#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/arena.h"
#include "conf/mainopts.h"

static const struct opt_def main_defs[] = {
    {"accept_8bitmime", OPT_BOOL, offsetof(struct main_config, accept_8bitmime),
     0},
    {"acl_not_smtp", OPT_STRING, offsetof(struct main_config, acl_not_smtp), 0},
    {"acl_smtp_auth", OPT_STRING, offsetof(struct main_config, acl_smtp_auth),
     0},
    {"acl_smtp_connect", OPT_STRING,
     offsetof(struct main_config, acl_smtp_connect), 0},
    {"acl_smtp_data", OPT_STRING, offsetof(struct main_config, acl_smtp_data),
     0},
    {"acl_smtp_dkim", OPT_STRING, offsetof(struct main_config, acl_smtp_dkim),
     0},
    {"acl_smtp_etrn", OPT_STRING, offsetof(struct main_config, acl_smtp_etrn),
     0},
    {"acl_smtp_expn", OPT_STRING, offsetof(struct main_config, acl_smtp_expn),
     0},
    {"acl_smtp_helo", OPT_STRING, offsetof(struct main_config, acl_smtp_helo),
     0},
    {"acl_smtp_mail", OPT_STRING, offsetof(struct main_config, acl_smtp_mail),
     0},
    {"acl_smtp_notquit", OPT_STRING,
     offsetof(struct main_config, acl_smtp_notquit), 0},
    {"acl_smtp_predata", OPT_STRING,
     offsetof(struct main_config, acl_smtp_predata), 0},
    {"acl_smtp_quit", OPT_STRING, offsetof(struct main_config, acl_smtp_quit),
     0},
    {"acl_smtp_rcpt", OPT_STRING, offsetof(struct main_config, acl_smtp_rcpt),
     0},
    {"acl_smtp_starttls", OPT_STRING,
     offsetof(struct main_config, acl_smtp_starttls), 0},
    {"acl_smtp_vrfy", OPT_STRING, offsetof(struct main_config, acl_smtp_vrfy),
     0},
    {"add_environment", OPT_LIST, offsetof(struct main_config, add_environment),
     OPT_UNIMPL},
    {"allow_domain_literals", OPT_BOOL,
     offsetof(struct main_config, allow_domain_literals), 0},
    {"allow_mx_to_ip", OPT_BOOL, offsetof(struct main_config, allow_mx_to_ip),
     OPT_UNIMPL},
    {"auth_advertise_hosts", OPT_LIST,
     offsetof(struct main_config, auth_advertise_hosts), 0},
    {"bounce_return_body", OPT_BOOL,
     offsetof(struct main_config, bounce_return_body), 0},
    {"bounce_return_message", OPT_BOOL,
     offsetof(struct main_config, bounce_return_message), 0},
    {"bounce_return_size_limit", OPT_MKINT,
     offsetof(struct main_config, bounce_return_size_limit), 0},
    {"bounce_return_linesize_limit", OPT_MKINT,
     offsetof(struct main_config, bounce_return_linesize_limit), 0},
    {"bounce_message_file", OPT_EXPANDED,
     offsetof(struct main_config, bounce_message_file), OPT_UNIMPL},
    {"check_log_space", OPT_MKINT,
     offsetof(struct main_config, check_log_space), 0},
    {"check_spool_inodes", OPT_INT,
     offsetof(struct main_config, check_spool_inodes), 0},
    {"check_spool_space", OPT_MKINT,
     offsetof(struct main_config, check_spool_space), 0},
    {"chunking_advertise_hosts", OPT_LIST,
     offsetof(struct main_config, chunking_advertise_hosts), 0},
    {"daemon_smtp_ports", OPT_LIST,
     offsetof(struct main_config, daemon_smtp_ports), 0},
    {"daemon_startup_retries", OPT_INT,
     offsetof(struct main_config, daemon_startup_retries), 0},
    {"daemon_startup_sleep", OPT_TIME,
     offsetof(struct main_config, daemon_startup_sleep), 0},
    {"delay_warning", OPT_LIST, offsetof(struct main_config, delay_warning), 0},
    {"delay_warning_condition", OPT_EXPANDED,
     offsetof(struct main_config, delay_warning_condition), 0},
    {"dns_cname_loops", OPT_INT, offsetof(struct main_config, dns_cname_loops),
     0},
    {"dns_retrans", OPT_TIME, offsetof(struct main_config, dns_retrans), 0},
    {"dns_retry", OPT_INT, offsetof(struct main_config, dns_retry), 0},
    {"dns_server", OPT_EXPANDED, offsetof(struct main_config, dns_server), 0},
    {"dsn_advertise_hosts", OPT_LIST,
     offsetof(struct main_config, dsn_advertise_hosts), 0},
    {"dsn_from", OPT_EXPANDED, offsetof(struct main_config, dsn_from), 0},
    {"errors_reply_to", OPT_EXPANDED,
     offsetof(struct main_config, errors_reply_to), OPT_UNIMPL},
    {"exim_group", OPT_STRING, offsetof(struct main_config, exim_group), 0},
    {"exim_user", OPT_STRING, offsetof(struct main_config, exim_user), 0},
    {"exim_path", OPT_STRING, offsetof(struct main_config, exim_path), 0},
    {"expand_allow_run", OPT_BOOL,
     offsetof(struct main_config, expand_allow_run), 0},
    {"finduser_retries", OPT_INT,
     offsetof(struct main_config, finduser_retries), OPT_UNIMPL},
    {"freeze_tell", OPT_EXPANDED, offsetof(struct main_config, freeze_tell), 0},
    {"gecos_name", OPT_EXPANDED, offsetof(struct main_config, gecos_name), 0},
    {"gecos_pattern", OPT_STRING, offsetof(struct main_config, gecos_pattern),
     0},
    {"helo_accept_junk_hosts", OPT_LIST,
     offsetof(struct main_config, helo_accept_junk_hosts), 0},
    {"helo_allow_chars", OPT_STRING,
     offsetof(struct main_config, helo_allow_chars), 0},
    {"helo_lookup_domains", OPT_LIST,
     offsetof(struct main_config, helo_lookup_domains), 0},
    {"helo_try_verify_hosts", OPT_LIST,
     offsetof(struct main_config, helo_try_verify_hosts), OPT_UNIMPL},
    {"helo_verify_hosts", OPT_LIST,
     offsetof(struct main_config, helo_verify_hosts), 0},
    {"hold_domains", OPT_LIST, offsetof(struct main_config, hold_domains),
     OPT_UNIMPL},
    {"host_lookup", OPT_LIST, offsetof(struct main_config, host_lookup), 0},
    {"host_lookup_order", OPT_LIST,
     offsetof(struct main_config, host_lookup_order), 0},
    {"hosts_connection_nolog", OPT_LIST,
     offsetof(struct main_config, hosts_connection_nolog), 0},
    {"hosts_require_helo", OPT_LIST,
     offsetof(struct main_config, hosts_require_helo), 0},
    {"ignore_bounce_errors_after", OPT_TIME,
     offsetof(struct main_config, ignore_bounce_errors_after), 0},
    {"keep_environment", OPT_LIST,
     offsetof(struct main_config, keep_environment), OPT_UNIMPL},
    {"local_interfaces", OPT_LIST,
     offsetof(struct main_config, local_interfaces), 0},
    {"local_from_check", OPT_BOOL,
     offsetof(struct main_config, local_from_check), 0},
    {"localhost_number", OPT_EXPANDED,
     offsetof(struct main_config, localhost_number), 0},
    {"log_file_path", OPT_STRING, offsetof(struct main_config, log_file_path),
     0},
    {"log_selector", OPT_STRING, offsetof(struct main_config, log_selector), 0},
    {"message_body_newlines", OPT_BOOL,
     offsetof(struct main_config, message_body_newlines), 0},
    {"message_body_visible", OPT_INT,
     offsetof(struct main_config, message_body_visible), 0},
    {"message_id_header_domain", OPT_EXPANDED,
     offsetof(struct main_config, message_id_header_domain), 0},
    {"message_id_header_text", OPT_EXPANDED,
     offsetof(struct main_config, message_id_header_text), 0},
    {"message_logs", OPT_BOOL, offsetof(struct main_config, message_logs), 0},
    {"message_size_limit", OPT_EXPANDED,
     offsetof(struct main_config, message_size_limit), 0},
    {"never_users", OPT_LIST, offsetof(struct main_config, never_users), 0},
    {"percent_hack_domains", OPT_LIST,
     offsetof(struct main_config, percent_hack_domains), OPT_UNIMPL},
    {"pid_file_path", OPT_STRING, offsetof(struct main_config, pid_file_path),
     0},
    {"pipelining_advertise_hosts", OPT_LIST,
     offsetof(struct main_config, pipelining_advertise_hosts), 0},
    {"prdr_enable", OPT_BOOL, offsetof(struct main_config, prdr_enable), 0},
    {"primary_hostname", OPT_STRING,
     offsetof(struct main_config, primary_hostname), 0},
    {"print_topbitchars", OPT_BOOL,
     offsetof(struct main_config, print_topbitchars), OPT_UNIMPL},
    {"process_log_path", OPT_STRING,
     offsetof(struct main_config, process_log_path), OPT_UNIMPL},
    {"qualify_domain", OPT_STRING, offsetof(struct main_config, qualify_domain),
     0},
    {"qualify_recipient", OPT_STRING,
     offsetof(struct main_config, qualify_recipient), 0},
    {"queue_list_requires_admin", OPT_BOOL,
     offsetof(struct main_config, queue_list_requires_admin), OPT_UNIMPL},
    {"queue_only", OPT_BOOL, offsetof(struct main_config, queue_only), 0},
    {"queue_only_file", OPT_EXPANDED,
     offsetof(struct main_config, queue_only_file), 0},
    /* mxlab always runs the queue in arrival order: true is its default
     * and the one value it takes (Exim's default is false, random). */
    {"queue_run_in_order", OPT_BOOL,
     offsetof(struct main_config, queue_run_in_order), OPT_UNIMPL},
    {"queue_run_max", OPT_EXPANDED, offsetof(struct main_config, queue_run_max),
     0},
    {"queue_smtp_domains", OPT_LIST,
     offsetof(struct main_config, queue_smtp_domains), OPT_UNIMPL},
    {"received_header_text", OPT_EXPANDED,
     offsetof(struct main_config, received_header_text), 0},
    {"received_headers_max", OPT_INT,
     offsetof(struct main_config, received_headers_max), 0},
    {"recipients_max", OPT_EXPANDED,
     offsetof(struct main_config, recipients_max), 0},
    {"recipients_max_reject", OPT_BOOL,
     offsetof(struct main_config, recipients_max_reject), 0},
    {"recipient_unqualified_hosts", OPT_LIST,
     offsetof(struct main_config, recipient_unqualified_hosts), 0},
    {"remote_max_parallel", OPT_EXPANDED,
     offsetof(struct main_config, remote_max_parallel), 0},
    {"remote_sort_domains", OPT_LIST,
     offsetof(struct main_config, remote_sort_domains), OPT_UNIMPL},
    {"retry_data_expire", OPT_TIME,
     offsetof(struct main_config, retry_data_expire), 0},
    {"retry_interval_max", OPT_TIME,
     offsetof(struct main_config, retry_interval_max), 0},
    {"rfc1413_hosts", OPT_LIST, offsetof(struct main_config, rfc1413_hosts), 0},
    {"rfc1413_query_timeout", OPT_TIME,
     offsetof(struct main_config, rfc1413_query_timeout), OPT_UNIMPL},
    {"sender_unqualified_hosts", OPT_LIST,
     offsetof(struct main_config, sender_unqualified_hosts), 0},
    {"smtp_accept_keepalive", OPT_BOOL,
     offsetof(struct main_config, smtp_accept_keepalive), 0},
    {"smtp_accept_max", OPT_INT, offsetof(struct main_config, smtp_accept_max),
     0},
    {"smtp_accept_max_nonmail", OPT_INT,
     offsetof(struct main_config, smtp_accept_max_nonmail), 0},
    {"smtp_accept_max_nonmail_hosts", OPT_LIST,
     offsetof(struct main_config, smtp_accept_max_nonmail_hosts), 0},
    {"smtp_accept_max_per_connection", OPT_EXPANDED,
     offsetof(struct main_config, smtp_accept_max_per_connection), 0},
    {"smtp_accept_max_per_host", OPT_EXPANDED,
     offsetof(struct main_config, smtp_accept_max_per_host), 0},
    {"smtp_accept_queue", OPT_INT,
     offsetof(struct main_config, smtp_accept_queue), 0},
    {"smtp_accept_queue_per_connection", OPT_INT,
     offsetof(struct main_config, smtp_accept_queue_per_connection), 0},
    {"smtp_accept_reserve", OPT_INT,
     offsetof(struct main_config, smtp_accept_reserve), OPT_UNIMPL},
    {"smtp_active_hostname", OPT_EXPANDED,
     offsetof(struct main_config, smtp_active_hostname), OPT_UNIMPL},
    {"smtp_banner", OPT_EXPANDED, offsetof(struct main_config, smtp_banner), 0},
    {"smtp_busy_poll", OPT_INT, offsetof(struct main_config, smtp_busy_poll),
     0},
    {"smtp_check_spool_space", OPT_BOOL,
     offsetof(struct main_config, smtp_check_spool_space), 0},
    {"smtp_connect_backlog", OPT_INT,
     offsetof(struct main_config, smtp_connect_backlog), 0},
    {"smtp_enforce_sync", OPT_BOOL,
     offsetof(struct main_config, smtp_enforce_sync), 0},
    {"smtp_max_synprot_errors", OPT_INT,
     offsetof(struct main_config, smtp_max_synprot_errors), 0},
    {"smtp_max_unknown_commands", OPT_INT,
     offsetof(struct main_config, smtp_max_unknown_commands), 0},
    {"smtp_process_max_use", OPT_INT,
     offsetof(struct main_config, smtp_process_max_use), 0},
    {"smtp_receive_timeout", OPT_TIME,
     offsetof(struct main_config, smtp_receive_timeout), 0},
    {"smtp_session_max_time", OPT_TIME,
     offsetof(struct main_config, smtp_session_max_time), 0},
    {"smtp_reserve_hosts", OPT_LIST,
     offsetof(struct main_config, smtp_reserve_hosts), OPT_UNIMPL},
    {"smtp_return_error_details", OPT_BOOL,
     offsetof(struct main_config, smtp_return_error_details), OPT_UNIMPL},
    {"spool_directory", OPT_STRING,
     offsetof(struct main_config, spool_directory), 0},
    {"split_spool_directory", OPT_BOOL,
     offsetof(struct main_config, split_spool_directory), 0},
    {"system_filter", OPT_STRING, offsetof(struct main_config, system_filter),
     OPT_UNIMPL},
    {"tcp_nodelay", OPT_BOOL, offsetof(struct main_config, tcp_nodelay), 0},
    {"timeout_frozen_after", OPT_TIME,
     offsetof(struct main_config, timeout_frozen_after), OPT_UNIMPL},
    {"timezone", OPT_STRING, offsetof(struct main_config, timezone),
     OPT_UNIMPL},
    {"tls_advertise_hosts", OPT_LIST,
     offsetof(struct main_config, tls_advertise_hosts), 0},
    {"tls_certificate", OPT_EXPANDED,
     offsetof(struct main_config, tls_certificate), 0},
    {"tls_crl", OPT_EXPANDED, offsetof(struct main_config, tls_crl),
     OPT_UNIMPL},
    {"tls_dhparam", OPT_EXPANDED, offsetof(struct main_config, tls_dhparam),
     OPT_UNIMPL},
    {"tls_on_connect_ports", OPT_LIST,
     offsetof(struct main_config, tls_on_connect_ports), 0},
    {"tls_privatekey", OPT_EXPANDED,
     offsetof(struct main_config, tls_privatekey), 0},
    {"tls_require_ciphers", OPT_EXPANDED,
     offsetof(struct main_config, tls_require_ciphers), 0},
    {"tls_try_verify_hosts", OPT_LIST,
     offsetof(struct main_config, tls_try_verify_hosts), 0},
    {"tls_verify_certificates", OPT_EXPANDED,
     offsetof(struct main_config, tls_verify_certificates), 0},
    {"tls_verify_hosts", OPT_LIST,
     offsetof(struct main_config, tls_verify_hosts), 0},
    {"trusted_groups", OPT_LIST, offsetof(struct main_config, trusted_groups),
     OPT_UNIMPL},
    {"trusted_users", OPT_LIST, offsetof(struct main_config, trusted_users), 0},
    {"untrusted_set_sender", OPT_LIST,
     offsetof(struct main_config, untrusted_set_sender), OPT_UNIMPL},
    {"warn_message_file", OPT_EXPANDED,
     offsetof(struct main_config, warn_message_file), OPT_UNIMPL},
    {"write_rejectlog", OPT_BOOL, offsetof(struct main_config, write_rejectlog),
     0},
};

static const struct main_config main_defaults = {
    .accept_8bitmime = 1,
    .auth_advertise_hosts = "*",
    .bounce_return_body = 1,
    .bounce_return_message = 1,
    .bounce_return_linesize_limit = 998,
    .bounce_return_size_limit = 100 * 1024,
    .check_log_space = 10 * 1024 * 1024,
    .check_spool_inodes = 100,
    .check_spool_space = 10 * 1024 * 1024,
    .chunking_advertise_hosts = "*",
    .daemon_smtp_ports = "smtp",
    .daemon_startup_retries = 9,
    .daemon_startup_sleep = 30,
    .delay_warning = "24h",
    .delay_warning_condition =
        "${if or {{ !eq{$h_list-id:$h_list-post:$h_list-subscribe:}{} }"
        "{ match{$h_precedence:}{(?i)bulk|list|junk} }"
        "{ match{$h_auto-submitted:}{(?i)auto-generated|auto-replied} }}"
        " {no}{yes}}",
    .dns_cname_loops = 1,
    .exim_group = EXIM_GROUP,
    .exim_user = EXIM_USER,
    .dsn_from = "Mail Delivery System <Mailer-Daemon@$qualify_domain>",
    .helo_lookup_domains = "@ : @[]",
    .host_lookup_order = "bydns:byaddr",
    .ignore_bounce_errors_after = 10 * 7 * 24 * 3600,
    .local_from_check = 1,
    .local_interfaces = "<; ::0 ; 0.0.0.0",
    .message_body_visible = 500,
    .message_logs = 1,
    .message_size_limit = "50M",
    .pipelining_advertise_hosts = "*",
    .hosts_require_helo = "*",
    .queue_list_requires_admin = 1,
    .queue_run_in_order = 1,
    .queue_run_max = "5",
    .received_header_text =
        "Received: ${if def:sender_rcvhost {from $sender_rcvhost\n\t}"
        "{${if def:sender_ident {from ${quote_local_part:$sender_ident} }}"
        "${if def:sender_helo_name {(helo=$sender_helo_name)\n\t}}}}"
        "by $primary_hostname "
        "${if def:received_protocol {with $received_protocol }}"
        "${if def:tls_in_ver { ($tls_in_ver)}}"
        "${if def:tls_in_cipher_std { tls $tls_in_cipher_std\n\t}}"
        "(mxlab $version_number)\n\t"
        "${if def:sender_address {(envelope-from <$sender_address>)\n\t}}"
        "id $message_exim_id"
        "${if def:received_for {\n\tfor $received_for}}",
    .received_headers_max = 30,
    .recipients_max = "50000",
    .remote_max_parallel = "4",
    .retry_data_expire = 7 * 24 * 3600,
    .retry_interval_max = 24 * 3600,
    .rfc1413_hosts = "@[]",
    .smtp_accept_keepalive = 1,
    .smtp_accept_max = 20,
    .smtp_process_max_use = 100,
    .smtp_busy_poll = 20,
    .smtp_accept_max_nonmail = 10,
    .smtp_accept_max_nonmail_hosts = "*",
    .smtp_accept_max_per_connection = "1000",
    .smtp_accept_queue_per_connection = 10,
    .smtp_banner = "$smtp_active_hostname ESMTP mxlab $version_number "
                   "$tod_full",
    .smtp_check_spool_space = 1,
    .smtp_connect_backlog = 20,
    .tcp_nodelay = 1,
    .smtp_enforce_sync = 1,
    .smtp_max_synprot_errors = 3,
    .smtp_max_unknown_commands = 3,
    .smtp_receive_timeout = 300,
    .spool_directory = SPOOL_DIRECTORY,
    .tls_advertise_hosts = "*",
    .tls_verify_certificates = "system",
    .write_rejectlog = 1,
};

const struct opt_table main_opts =
    OPT_TABLE("main", main_defs, struct main_config, &main_defaults);

struct main_config main_config;

void
main_config_derive(struct main_config *m)
{
    if (m->primary_hostname == NULL) {
        struct utsname u;

        if (uname(&u) == 0)
            m->primary_hostname = arena_strdup(arena_perm, u.nodename);
        else
            m->primary_hostname = "localhost";
    }
    if (m->qualify_domain == NULL)
        m->qualify_domain = m->primary_hostname;
    if (m->exim_path == NULL) {
        /* Exim's default is its own installed binary: this one. */
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
        if (n > 0)
            m->exim_path = arena_strndup(arena_perm, buf, (size_t)n);
    }
    if (m->qualify_recipient == NULL)
        m->qualify_recipient = m->qualify_domain;
}
