/* receive.h: building a message from its lines into the spool, as Exim's
 * receive_msg() does: header parsing, the headers Exim adds on
 * reception, the -H/-D files, and the "<=" log line. SMTP (DATA, BDAT)
 * and local submission both use it. */
#ifndef MXLAB_RECEIVE_RECEIVE_H
#define MXLAB_RECEIVE_RECEIVE_H

#include <stddef.h>
#include <sys/types.h>

struct arena;
struct expand_ctx;
struct expand_message;
struct gstr;
struct spool_msg;
struct spool_rcpt;

enum receive_result {
    RECEIVE_ERROR = -1, /* err says what; the message is lost */
    RECEIVE_OK = 0,
    RECEIVE_TOOBIG = 1, /* message_size_limit passed: read on to the end,
                           then reply "552 Message size exceeds maximum
                           permitted" and receive_abort() */
};

/* Where an ACL's add_header puts its text. */
enum receive_hpos {
    RECEIVE_AT_END = 0,         /* the default */
    RECEIVE_AT_START = 1,       /* :at_start: */
    RECEIVE_AFTER_RECEIVED = 2, /* :after_received: */
    RECEIVE_AT_START_RFC = 3,   /* :at_start_rfc: */
};

/* What the caller knows about the message before its data. Strings are
 * copied; whatever does not apply is NULL or 0. */
struct receive_params {
    /* envelope */
    const char *sender;             /* without <>; "" for a bounce */
    const struct spool_rcpt *rcpts; /* the RCPTs, DSN fields included */
    int nrcpts;
    int dsn_ret;           /* SPOOL_DSN_RET_* */
    const char *dsn_envid; /* xtext as received */

    /* how it came */
    const char *protocol;     /* $received_protocol: "esmtp", "local" ... */
    const char *host_address; /* NULL: not over TCP/IP (local) */
    int host_port;
    const char *host_name; /* verified reverse name, or NULL */
    const char *helo_name;
    const char *interface_address;
    int interface_port;
    const char *ident;           /* RFC 1413 ident, or the caller's login */
    const char *active_hostname; /* when smtp_active_hostname differs */
    const char *auth_driver;     /* authenticator name: A=, -host_auth */
    const char *auth_pubname;    /* its mechanism: -host_auth_pubname */
    const char *auth_id;         /* $authenticated_id */
    const char *auth_sender;     /* AUTH= on MAIL: $authenticated_sender */
    const char *tls_cipher;      /* X= */
    const char *tls_ver;         /* "TLS1.3" */
    const char *tls_cipher_std;  /* $tls_in_cipher_std */
    const char *tls_peerdn;
    const char *tls_sni;
    int tls_peercert;             /* the client showed a certificate (CV=) */
    const char *tls_ourcert;      /* PEM of our certificate, or NULL */
    const char *tls_peercert_pem; /* PEM of the client's, or NULL */
    int tls_certificate_verified;
    const char *proxy_local_address; /* PRX= under +proxy */
    int pipelining_advertised;       /* " L" under +pipelining */
    int host_lookup_failed;          /* -host_lookup_failed */
    int host_lookup_deferred;        /* -host_lookup_deferred */
    int pipelining_used;             /* " L-" when advertised, not used */
    int chunking;                    /* BDAT: " K" */
    int body_8bitmime;               /* M8S= under +8bitmime: 0, 7 or 8 */
    unsigned tainted;                /* SPOOL_TAINT() bits for the -H */

    /* the caller (line 2 of the -H); login NULL: the real user */
    const char *login;
    long uid, gid;

    /* local submission (no host_address) */
    int not_smtp;     /* read from the command line, not SMTP */
    int sender_local; /* Exim's sender_local: "-local", auth_id */
    /* The sender as given when sender verification in an ACL rewrote
     * it (Exim's sender_address_unrewritten), else NULL: reception does
     * not apply the F rules again, and a From: it adds shows this. */
    const char *sender_unrewritten;
    int trusted_caller;            /* may set the sender; no Sender: fixup */
    int sender_set_untrusted;      /* "-sender_set_untrusted" */
    int sender_forced;             /* -f was given */
    const char *originator_name;   /* gecos: From:/Sender: phrase */
    int extract_rcpts;             /* -t: recipients from To:/Cc:/Bcc: */
    int extract_bad_ok;            /* -t: bad addresses are not fatal while
                                      others are left (Exim's -oem, which
                                      mails them to the sender) */
    const char *message_reference; /* -E<id>: " R=<id>" after the sender */
    int allow_unqualified;         /* both allow_unqualified_* flags */
    int suppress_local_fixups;     /* no Message-Id:/Date:/From: added */
    int submission_mode;           /* control = submission: fixups too */

    long message_size_limit; /* bytes, already expanded; 0: none */

    /* Given every line as received (dot-unstuffed, without its line
     * ending) before it is parsed: DKIM verification. NULL: none. */
    void (*line_sink)(void *arg, const char *line, size_t len);
    void *line_sink_arg;

    /* NULL: main_config.spool_directory */
    const char *spool_directory;

    /* Expansions (received_header_text, message_id_header_*); receive
     * sets message variables in it and, after receive_finish(), points
     * ctx->msg at the message so that $h_* and $message_body work. */
    struct expand_ctx *ctx;
};

struct receive;

/* A new message: allocates its id (msgid_generate) and opens the -D
 * file under a temporary name. Everything lives in msg_arena. NULL with
 * err set when the spool cannot be written. */
struct receive *receive_start(struct arena *msg_arena,
                              const struct receive_params *p, struct gstr *err);
/* One logical line without its line ending. See receive(3) for what a
 * line may hold. RECEIVE_OK, RECEIVE_TOOBIG (sticky: later lines are
 * swallowed), or RECEIVE_ERROR. */
int receive_line(struct receive *r, const char *line, size_t len);
/* 1 while the header section is being read. */
int receive_in_headers(const struct receive *r);
/* The data has ended: types the headers, takes recipients from them
 * (-t), adds Message-Id:, From:, Sender:, Date: as Exim does, and the
 * Received: header. RECEIVE_OK, RECEIVE_TOOBIG, or RECEIVE_ERROR with
 * err set (no recipients for -t, received_header_text failing). After
 * a -t failure, and for a message over message_size_limit, the headers
 * are as Exim has them then (typed, Message-Id:, From:, Date: added;
 * no Received:), for the report to the sender and the reject log. */
int receive_finish(struct receive *r, struct gstr *err);
/* After receive_finish() of a -t message: the To:, Cc: and Bcc: items
 * that were not addresses (*n of them; NULL when none), and whether
 * addresses were left out because the command line named them. */
struct receive_bad_rcpt {
    const char *text; /* the item, printable */
    const char *why;  /* Exim's parse error */
};
const struct receive_bad_rcpt *receive_bad_rcpts(const struct receive *r,
                                                 int *n, int *ignored);
/* For a refused local message's report, the body bytes Exim would have
 * read: all of them, or for a message over message_size_limit those up
 * to the byte that passed it. */
long receive_body_read(const struct receive *r);
/* ACL header changes (after receive_finish). text is "Name: value"
 * with or without its final newline; several lines make one header
 * unless a line starts a new "Name:". */
void receive_add_header(struct receive *r, const char *text,
                        enum receive_hpos pos);
/* Marks every header named in the colon list as deleted ('*'). */
void receive_remove_headers(struct receive *r, const char *list);
/* Writes -D and -H, each fsynced, and the message log. Only after 0 may
 * the caller reply 250. -1 with err set: nothing is left on disk. */
int receive_commit(struct receive *r, struct gstr *err);
/* receive_commit() in two steps, for a caller that replies between them:
 * the spool files (as above), then the message log. The -D lock is held
 * until receive_close(), so no delivery can start before the second. */
int receive_commit_spool(struct receive *r, struct gstr *err);
void receive_write_msglog(struct receive *r);
/* Discards the message: temporary and uncommitted files are removed. */
void receive_abort(struct receive *r);
/* Drops the -D lock after a commit (for callers that do not go on to
 * deliver). */
void receive_close(struct receive *r);

/* The client's name, found by a host lookup after the data started (a
 * DATA ACL's verify = reverse_host_lookup): as in Exim it goes into the
 * -H file and the reception line, not into the Received: header, which
 * is made before. Nothing when a name is known already. Copied. */
void receive_set_host_name(struct receive *r, const char *name);
/* The domain of a passing DKIM signature, for " DKIM=" on the
 * reception line (+dkim); NULL for none. Copied. */
void receive_set_dkim(struct receive *r, const char *domain);
/* An ARC chain passed verify = arc: " ARC" on the reception line
 * (+dkim), as Exim writes it. */
void receive_set_arc(struct receive *r, int pass);

/* The "<= ..." text of the reception log line (without the id). */
char *receive_log_line(struct receive *r);
/* "rejected from <s> H=...: message too big: read=N max=M" text. */
char *receive_log_toobig(struct receive *r);
/* "rejected from <s> H=...: <why>", for a message refused while its
 * data is read. */
char *receive_log_refused(struct receive *r, const char *why);
/* The lines Exim's reject log adds after a rejection of a message with
 * headers: envelope and headers with their type letters (see rlog(3));
 * NULL under -rejected_header. */
const char *receive_reject_block(struct receive *r);
/* " H=host [I=...]" and " U=ident" as Exim writes them for this
 * client (nothing for a local message without ident); shared with the
 * SMTP layer's rejection lines. */
void receive_host_field(struct gstr *out, const struct receive_params *p);
/* Exim's $sender_fullhost ("name (helo) [ip]:port") and $sender_rcvhost
 * ("name ([ip] helo=x)"); empty for a local message. */
void receive_fullhost(struct gstr *out, const struct receive_params *p);
void receive_rcvhost(struct gstr *out, const struct receive_params *p);

const char *receive_id(const struct receive *r);
/* For content scanners in the data and not-SMTP ACLs: the -D file's
 * descriptor, with what was received so far written out; its body
 * starts at *offset (after the id line). -1 when it cannot be read. */
int receive_body_fd(struct receive *r, off_t *offset);
/* The envelope and headers being built: ACL variables, frozen, -N and
 * the like may be set on it before receive_commit(). */
struct spool_msg *receive_msg(struct receive *r);
/* The ACL variables of an expansion context ($acl_c*, $acl_m*, newest
 * first, as the context keeps them) go into the message with their
 * taint marks, in the order they were first set, as Exim's tree holds
 * them; that order decides the order of the -aclc and -aclm lines. */
struct expand_kv;
void receive_keep_aclvars(struct receive *r, const struct expand_kv *vars);
/* An ACL (or local_scan) asked for no immediate delivery: the message
 * log gets "no immediate delivery: queued by ACL" as in Exim. Call
 * before receive_commit(); a freeze is set on receive_msg() (frozen,
 * frozen_at) and logged "frozen by ACL" likewise. */
void receive_set_queued(struct receive *r);
/* The headers and (the visible part of) the body, for $h_ and
 * $message_body; valid after receive_finish(). */
struct expand_message *receive_expand_message(struct receive *r);
/* Bytes so far: headers and body, LF line ends. */
long receive_size(const struct receive *r);
/* The "total" of Exim's reply to BDAT LAST: the size with a CR LF for
 * every line, as Exim counts it (not the bytes of the chunks). */
long receive_chunking_total(const struct receive *r);

#endif
