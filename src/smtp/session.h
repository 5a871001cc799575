/* session.h: one SMTP session, from the greeting to QUIT. */
#ifndef MXLAB_SMTP_SESSION_H
#define MXLAB_SMTP_SESSION_H

#include <stddef.h>
#include <time.h>

#include "acl/acl.h"
#include "base/gstr.h"
#include "expand/expand.h"
#include "smtp/io.h"
#include "smtp/tls_info.h"

struct arena;
struct data_reader;
struct dkim_msg;

enum smtp_mode {
    SMTP_MODE_DAEMON, /* a connection accepted by -bd */
    SMTP_MODE_BS,     /* -bs: a local caller on stdin and stdout */
    SMTP_MODE_BH,     /* -bh: host checking, nothing is delivered */
};

struct smtp_rcpt {
    char *address;
    char *orcpt;     /* ORCPT= value (xtext-decoded) or NULL */
    unsigned notify; /* DSN flags as in the spool's recipient lines */
};

/* State that lasts for one mail transaction (MAIL to end of DATA). */
struct smtp_txn {
    char *sender; /* NULL before MAIL; "" for the null sender */
    long size;    /* SIZE= */
    int body_8bit;
    int dsn_ret; /* 0, 1 FULL, 2 HDRS */
    char *dsn_envid;
    char *auth_sender;
    struct smtp_rcpt *rcpts;
    size_t nrcpts;
    size_t rcpts_cap;
    int rcpt_defer_count;
    int rcpt_fail_count;
    int too_many_logged; /* "too many recipients" is logged once */
    /* The first reply to each RCPT, as Exim keeps it: when every RCPT
     * got the same one, DATA quotes it. */
    int rcpt_in_progress; /* a RCPT's first reply is still to come */
    int rcpt_response_differs;
    char *rcpt_response;
};

enum {
    SESS_TAINT_HOST_ADDRESS = 1, /* XCLIENT ADDR */
    SESS_TAINT_HOST_NAME = 2,    /* XCLIENT NAME */
    SESS_TAINT_AUTH_ID = 4,      /* AUTH's server_set_id, XCLIENT LOGIN */
};

struct smtp_session {
    enum smtp_mode mode;
    struct arena *conn_arena; /* freed when the session ends */
    struct arena *msg_arena;  /* reset after each transaction */
    struct smtp_io io;
    struct expand_ctx x; /* variables for expansions and ACLs */

    /* The client. Under -bs, host_address is NULL. */
    char *host_address;
    int host_port;
    char *host_name;        /* verified reverse lookup, or NULL */
    int host_lookup_done;   /* hostlookup.c: at most one lookup a session */
    int host_lookup_failed; /* no verified name: $host_lookup_failed */
    /* Host lists checked once, when the session starts, as in Exim. */
    int sender_unqualified_ok;    /* sender_unqualified_hosts */
    int recipient_unqualified_ok; /* recipient_unqualified_hosts */
    int helo_verify_required;     /* helo_verify_hosts */
    int helo_try_verify;          /* helo_try_verify_hosts */
    int helo_accept_junk;         /* helo_accept_junk_hosts */
    int host_lookup_deferred;     /* the DNS did not answer */
    char *interface_address;
    int interface_port;
    char *ident; /* login of a local caller */
    char *active_hostname;

    char *helo_name;
    int helo_seen;
    int esmtp;
    int pipelining_advertised;
    int chunking_advertised;
    int dsn_advertised;
    int auth_advertised;
    unsigned long long auth_advertised_set; /* bit i: auths[i] offered */
    char *authenticated_id; /* $authenticated_id (server_set_id), or NULL */
    char *authenticated_by; /* the authenticator's name (A=), or NULL */
    char *auth_pubname;     /* its mechanism (-host_auth_pubname) */
    /* Which of the client's values it sent itself (AUTH, XCLIENT), so
     * that the -H file marks them tainted ("--name"), as Exim does. */
    unsigned tainted; /* SESS_TAINT_* */

    /* XCLIENT: a proxy passed on its client (src/smtp/xclient.c) */
    int proxy_session;
    char *proxy_local_address; /* the proxy's inside values */
    int proxy_local_port;
    char *proxy_external_address; /* DESTADDR, DESTPORT */
    int proxy_external_port;
    char *proxy_peer_address; /* the proxy itself, for its host lists */
    int mail_commands; /* MAIL and XCLIENT, for the per-connection limit */
    long rcpt_max;     /* recipients_max, expanded once; -1 not yet */

    /* TLS (src/smtp/tls.c). tls.active is 1 once STARTTLS (or TLS on
     * connect) finished its handshake; ask smtp_session_tls(). The
     * client's certificate: tls.peercert, tls.cert_verified, tls.peerdn. */
    struct tls_info tls;
    int tls_advertised; /* STARTTLS was in the last EHLO reply */
    int tls_on_connect; /* the port is in tls_on_connect_ports */
    int tls_failed;     /* a failed STARTTLS: only QUIT is served */
    void *tls_ssl;      /* the OpenSSL session (SSL *) */

    struct acl_state acl; /* ACL state for the connection */
    struct smtp_txn txn;
    struct data_reader *bdat; /* a BDAT message under way */
    struct dkim_msg *dkim;    /* DKIM verification of the message read */
    int messages;             /* accepted in this session */
    int connection_count;     /* the daemon's, this one included; 0 if none */
    int synprot_errors;
    int unknown_commands;
    int nonmail_commands;
    /* smtp_accept_max_nonmail: commands not counted just now (one RSET,
     * HELO/EHLO and STARTTLS per message, the first AUTH), and whether
     * the client is in smtp_accept_max_nonmail_hosts (-1: not asked). */
    unsigned nonmail_free;
    int nonmail_counted_host;
    int done;          /* the session is over */
    int quit_received; /* QUIT was read (protocol_detail's reset case) */
    time_t started;
    /* Commands seen, for the C= field of "no MAIL" and drop log lines. */
    gstr history;
    gstr cmd; /* the current command line */
};

/* Runs a session on the given descriptors until QUIT or the end of the
 * connection. Returns 0, or -1 if it ended abnormally. */
int smtp_session_run(struct smtp_session *s);

void smtp_session_init(struct smtp_session *s, enum smtp_mode mode, int in_fd,
                       int out_fd);
void smtp_session_free(struct smtp_session *s);

/* 1 when the session runs under TLS (after STARTTLS or on a
 * tls_on_connect port), else 0. s->tls has the details. */
int smtp_session_tls(const struct smtp_session *s);
/* 1 when the client showed a certificate that was verified. */
int smtp_session_tls_cert_verified(const struct smtp_session *s);

#endif
