/* mainopts.h: the core's main-section options. Features keep their own
 * main options beside their code (see registry.h). */
#ifndef MXLAB_CONF_MAINOPTS_H
#define MXLAB_CONF_MAINOPTS_H

#include "conf/opt.h"

#ifndef SPOOL_DIRECTORY
#define SPOOL_DIRECTORY "/var/spool/mxlab"
/* The compiled-in exim_user and exim_group (src/priv/priv.c). */
#ifndef EXIM_USER
#define EXIM_USER "mxlab"
#endif
#ifndef EXIM_GROUP
#define EXIM_GROUP "mxlab"
#endif
#endif

struct main_config {
    int accept_8bitmime;
    char *acl_not_smtp;
    char *acl_smtp_auth;
    char *acl_smtp_connect;
    char *acl_smtp_data;
    char *acl_smtp_dkim;
    char *acl_smtp_etrn;
    char *acl_smtp_expn;
    char *acl_smtp_helo;
    char *acl_smtp_mail;
    char *acl_smtp_notquit;
    char *acl_smtp_predata;
    char *acl_smtp_quit;
    char *acl_smtp_rcpt;
    char *acl_smtp_starttls;
    char *acl_smtp_vrfy;
    char *add_environment;
    int allow_domain_literals;
    int allow_mx_to_ip;
    char *auth_advertise_hosts;
    int bounce_return_body;
    int bounce_return_message;
    int bounce_return_size_limit;
    char *bounce_message_file;
    int check_log_space;
    int check_spool_inodes;
    int check_spool_space;
    char *chunking_advertise_hosts;
    char *daemon_smtp_ports;
    int daemon_startup_retries;
    int daemon_startup_sleep;
    char *delay_warning;
    char *delay_warning_condition;
    char *dns_server;
    char *dsn_advertise_hosts;
    char *dsn_from;
    char *errors_reply_to;
    char *exim_group;
    char *exim_user;
    int finduser_retries;
    char *freeze_tell;
    char *helo_accept_junk_hosts;
    char *helo_allow_chars;
    char *helo_lookup_domains;
    char *helo_try_verify_hosts;
    char *helo_verify_hosts;
    char *hosts_require_helo;
    char *hold_domains;
    char *host_lookup;
    char *hosts_connection_nolog;
    int ignore_bounce_errors_after;
    char *keep_environment;
    char *local_interfaces;
    int local_from_check;
    char *localhost_number;
    char *log_file_path;
    char *log_selector;
    int message_body_newlines;
    int message_body_visible;
    char *message_id_header_domain;
    char *message_id_header_text;
    int message_logs;
    char *message_size_limit;
    char *never_users;
    char *percent_hack_domains;
    char *pid_file_path;
    char *pipelining_advertise_hosts;
    int prdr_enable;
    char *primary_hostname;
    int print_topbitchars;
    char *process_log_path;
    char *qualify_domain;
    char *qualify_recipient;
    int queue_list_requires_admin;
    int queue_only;
    char *queue_only_file;
    int queue_run_in_order;
    char *queue_run_max;
    char *queue_smtp_domains;
    char *received_header_text;
    int received_headers_max;
    char *recipients_max;
    int recipients_max_reject;
    char *recipient_unqualified_hosts;
    char *remote_max_parallel;
    char *remote_sort_domains;
    int retry_data_expire;
    int retry_interval_max;
    char *rfc1413_hosts;
    int rfc1413_query_timeout;
    char *sender_unqualified_hosts;
    int smtp_accept_keepalive;
    int smtp_accept_max;
    char *smtp_accept_max_per_connection;
    char *smtp_accept_max_per_host;
    int smtp_accept_queue;
    int smtp_accept_queue_per_connection;
    int smtp_accept_reserve;
    char *smtp_active_hostname;
    char *smtp_banner;
    int smtp_check_spool_space;
    int smtp_connect_backlog;
    int smtp_enforce_sync;
    int smtp_max_synprot_errors;
    int smtp_max_unknown_commands;
    int smtp_process_max_use; /* mxlab extension: connections a process */
    int smtp_busy_poll;       /* mxlab extension: microseconds, 0: off */
    int smtp_receive_timeout;
    int smtp_session_max_time; /* mxlab extension: 0 = no limit */
    char *smtp_reserve_hosts;
    int smtp_return_error_details;
    char *spool_directory;
    int split_spool_directory;
    char *system_filter;
    int tcp_nodelay;
    int timeout_frozen_after;
    char *timezone;
    char *tls_advertise_hosts;
    char *tls_certificate;
    char *tls_crl;
    char *tls_dhparam;
    char *tls_on_connect_ports;
    char *tls_privatekey;
    char *tls_require_ciphers;
    char *tls_try_verify_hosts;
    char *tls_verify_certificates;
    char *tls_verify_hosts;
    char *trusted_groups;
    char *trusted_users;
    char *untrusted_set_sender;
    char *warn_message_file;
    int write_rejectlog;
    int expand_allow_run; /* mxlab extension: permits ${run} */
    /* issue 14 item 8: options Exim's test configurations use */
    int bounce_return_linesize_limit;
    int dns_cname_loops;
    int dns_retrans; /* seconds; 0: the resolver's own time-out */
    int dns_retry;   /* attempts; 0: the resolver's own count */
    char *exim_path;
    char *gecos_name;
    char *gecos_pattern;
    char *host_lookup_order;
    int smtp_accept_max_nonmail;
    char *smtp_accept_max_nonmail_hosts;
};

extern const struct opt_table main_opts;
extern struct main_config main_config;

/* Fills in defaults that depend on the machine (primary_hostname) or on
 * other options (qualify_domain); called after the main section is read. */
void main_config_derive(struct main_config *m);

#endif
