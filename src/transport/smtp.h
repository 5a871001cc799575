/* smtp.h: the smtp transport. */
#ifndef MXLAB_TRANSPORT_SMTP_H
#define MXLAB_TRANSPORT_SMTP_H

#include "conf/driver.h"
#include "conf/opt.h"

struct transport_smtp {
    int address_retry_include_sender;
    int allow_localhost;
    char *authenticated_sender;
    int authenticated_sender_force;
    int command_timeout;
    int connect_timeout;
    int connection_max_messages;
    int data_timeout;
    int delay_after_cutoff;
    int dns_qualify_single;
    int dns_search_parents;
    char *dscp;
    char *fallback_hosts;
    int final_timeout;
    char *helo_data;
    char *hosts;
    char *hosts_avoid_esmtp;
    char *hosts_avoid_pipelining;
    char *hosts_avoid_tls;
    int hosts_max_try;
    int hosts_max_try_hardlimit;
    char *hosts_noproxy_tls; /* read and shown; see docs/configuration.md */
    char *hosts_nopass_tls;
    int hosts_override;
    int hosts_randomize;
    char *hosts_require_auth;
    char *hosts_require_tls;
    char *hosts_try_auth;
    char *hosts_try_chunking;
    char *interface;
    int keepalive;
    char *max_rcpt;
    char *multi_domain;
    char *port;
    char *protocol;
    char *retry_include_ip_address;
    char *serialize_hosts;
    int size_addition;
    char *tls_certificate;
    char *tls_privatekey;
    char *tls_require_ciphers;
    char *tls_sni;
    int tls_tempfail_tryclear;
    char *tls_try_verify_hosts;
    char *tls_verify_cert_hostnames;
    char *tls_verify_certificates;
    char *tls_verify_hosts;
};

extern const struct driver_info transport_smtp_info;

#endif
