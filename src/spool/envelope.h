/* envelope.h: everything a -H spool file holds, as typed fields. */
#ifndef MXLAB_SPOOL_ENVELOPE_H
#define MXLAB_SPOOL_ENVELOPE_H

#include <stddef.h>
#include <time.h>

#include "spool/msgid.h"

struct arena;
struct tree_node;

/* DSN flags of a recipient (RFC 3461 NOTIFY, and ORCPT seen at the last
 * hop), as Exim stores them. */
#define SPOOL_DSN_LASTHOP 0x01
#define SPOOL_DSN_NEVER   0x02
#define SPOOL_DSN_SUCCESS 0x04
#define SPOOL_DSN_FAILURE 0x08
#define SPOOL_DSN_DELAY   0x10

/* DSN RET= */
#define SPOOL_DSN_RET_NONE 0
#define SPOOL_DSN_RET_FULL 1
#define SPOOL_DSN_RET_HDRS 2

struct spool_rcpt {
    char *address;
    char *orcpt;     /* DSN ORCPT as received ("rfc822;a@b"), or NULL */
    int dsn_flags;   /* SPOOL_DSN_* */
    char *errors_to; /* or NULL */
    int pno;         /* parent index for one_time children, else -1 */
    /* As the submitter gave it, before qualification (the "for" list of
     * the <= line shows this, as Exim's raw recipients); not spooled.
     * NULL means the same as address. */
    const char *raw;
};

/* ACL variable acl_c<name> (kind 'c') or acl_m<name> (kind 'm'): name is
 * what follows "acl_c"/"acl_m", e.g. "0" or "_foo". The value may hold
 * any bytes, newlines and NULs included. */
struct spool_aclvar {
    struct spool_aclvar *next;
    char kind;
    char *name;
    char *value;
    size_t len;
    int tainted;  /* "--aclm ..." */
    char *quoter; /* "--(quoter)aclm ...", or NULL */
};

/* A header as the spool holds it: its type character (' ' other, 'B'
 * Bcc, 'C' Cc, 'F' From, 'I' Message-ID, 'P' Received, 'R' Reply-To,
 * 'S' Sender, 'T' To, '*' deleted or superseded) and its full text,
 * continuation lines and the final LF included. */
struct spool_header {
    struct spool_header *next;
    char type;
    char *text;
    size_t len;
};

/* An option line mxlab does not know, kept verbatim (no LF) so that
 * rewriting a -H keeps it. */
struct spool_optline {
    struct spool_optline *next;
    char *line;
};

/* Values that carry Exim's taint mark ("--name value") on the spool:
 * bits of spool_msg.tainted. */
enum spool_field {
    SPOOL_F_HELO_NAME,
    SPOOL_F_HOST_ADDRESS,
    SPOOL_F_HOST_NAME,
    SPOOL_F_HOST_AUTH,
    SPOOL_F_HOST_AUTH_PUBNAME,
    SPOOL_F_INTERFACE_ADDRESS,
    SPOOL_F_ACTIVE_HOSTNAME,
    SPOOL_F_IDENT,
    SPOOL_F_RECEIVED_PROTOCOL,
    SPOOL_F_AUTH_ID,
    SPOOL_F_AUTH_SENDER,
    SPOOL_F_BMI_VERDICTS,
    SPOOL_F_TLS_CIPHER,
    SPOOL_F_TLS_PEERDN,
    SPOOL_F_TLS_SNI,
    SPOOL_F_TLS_OURCERT,
    SPOOL_F_TLS_PEERCERT,
    SPOOL_F_TLS_VER,
    SPOOL_F_DSN_ENVID,
};
#define SPOOL_TAINT(f) (1u << (f))

struct spool_msg {
    struct arena *arena; /* where everything below lives */
    char id[MSGID_LEN + 1];

    /* the fixed lines */
    char *login; /* caller; at most 63 bytes are written */
    long uid, gid;
    char *sender; /* without <>; "" for a bounce */
    time_t received_sec;
    long received_usec;
    time_t complete_sec; /* received_time_complete; 0 = not written */
    long complete_usec;
    int warning_count;

    /* option lines; NULL or 0 = not written */
    unsigned tainted; /* SPOOL_TAINT() bits */
    char *helo_name;
    char *host_address; /* without brackets */
    int host_port;
    char *host_name;
    char *host_auth;
    char *host_auth_pubname;
    char *interface_address;
    int interface_port;
    char *active_hostname;
    char *ident;
    char *received_protocol;
    struct spool_aclvar *aclvars; /* in the order they were set */
    long body_linecount;
    int spool_file_wireformat; /* then no -body_linecount */
    long max_received_linelength;
    long body_zerocount;
    char *auth_id;
    char *auth_sender;
    int allow_unqualified_recipient;
    int allow_unqualified_sender;
    int deliver_firsttime;
    int frozen; /* -frozen <frozen_at> */
    time_t frozen_at;
    int dont_deliver; /* -N */
    int host_lookup_deferred;
    int host_lookup_failed;
    int local;
    int localerror;
    int manual_thaw;
    int sender_set_untrusted;
    char *bmi_verdicts; /* Brightmail; written when not NULL */
    int tls_certificate_verified;
    char *tls_cipher;
    char *tls_peerdn;    /* raw; escaped on the spool as Exim does */
    char *tls_sni;       /* raw; escaped likewise */
    char *tls_ourcert;   /* PEM, raw; its newlines are "\n" on the spool */
    char *tls_peercert;  /* likewise, the client's (always "--") */
    char tls_resumption; /* 'A'+flags, 0 = not written */
    char *tls_ver;
    char *dsn_envid; /* xtext as received */
    int dsn_ret;     /* SPOOL_DSN_RET_* */
    struct spool_optline *unknown;

    /* addresses already delivered */
    struct tree_node *nonrecipients;

    struct spool_rcpt *rcpts;
    int rcpt_count;
    int rcpt_cap;

    struct spool_header *headers;
    struct spool_header *headers_last;
};

/* A message with nothing set: uid, gid -1; login and sender "". */
void spool_msg_init(struct spool_msg *m, struct arena *a, const char *id);
struct spool_rcpt *spool_msg_add_rcpt(struct spool_msg *m, const char *address);
struct spool_header *spool_msg_add_header(struct spool_msg *m, char type,
                                          const char *text, size_t len);
/* Sets (or replaces) an ACL variable; the value is copied. */
struct spool_aclvar *spool_msg_set_aclvar(struct spool_msg *m, char kind,
                                          const char *name, const char *value,
                                          size_t len);
struct spool_aclvar *spool_msg_get_aclvar(const struct spool_msg *m, char kind,
                                          const char *name);
void spool_msg_add_unknown(struct spool_msg *m, const char *line);
/* The non-recipients tree: returns 1 if added, 0 if already there. */
int spool_msg_add_nonrcpt(struct spool_msg *m, const char *address);
int spool_msg_is_nonrcpt(const struct spool_msg *m, const char *address);
/* Bytes of the headers that will be transmitted (type not '*'). */
size_t spool_msg_header_size(const struct spool_msg *m);

#endif
