/* smtp_run_int.h: what the files of the smtp transport's delivery
 * (smtp_run.c, smtp_transaction.c, smtp_bdat.c) share: the session and its
 * reply and error helpers. Not for use outside src/transport/. */
#ifndef MXLAB_TRANSPORT_SMTP_RUN_INT_H
#define MXLAB_TRANSPORT_SMTP_RUN_INT_H

#include <stddef.h>

#include "base/gstr.h"
#include "route/address.h"
#include "transport/smtp_client.h"
#include "transport/smtp_limits.h"

struct arena;
struct transport_call;
struct transport_smtp;
struct host_item;

struct smtp_sess {
    struct transport_call *c;
    const struct transport_smtp *ob;
    struct arena *a;
    struct smtp_conn conn;
    struct host_item *host;
    int last_host;
    char *helo;
    int esmtp, pipelining, size_ok, dsn_ok;
    int chunking;      /* CHUNKING offered, host in hosts_try_chunking */
    int chunking_used; /* this transaction sends BDAT */
    gstr reply;
    const char *cmd;        /* the last command, for messages */
    int pipe_active;        /* "pipelined " in messages */
    const char *data_stage; /* replies read in a BDAT flight: its name */
    int need_rset;      /* a transaction failed: RSET before the next MAIL */
    int dead;           /* the connection cannot be used any more */
    int reused;         /* a connection kept from an earlier message */
    int messages;       /* transactions on this connection */
    int stop;           /* an error no other host would mend */
    struct address **v; /* the addresses of the call */
    size_t n;
    int hosts_seen;         /* hosts considered */
    int hosts_retry;        /* skipped: retry time not reached */
    int hosts_retry_exp;    /* of those, with their rules timed out */
    struct smtp_limits lim; /* the server's LIMITS (smtp_limits.c) */
    char *open_before;      /* addresses open when a connection began */
    char *limit_cont;       /* sent after a LIMITS split: "*" */
    int smtps;              /* protocol = smtps: TLS on connect */
    int tls_offered;        /* the EHLO reply offered STARTTLS */
    int tls_clear;          /* TLS failed: this attempt stays in the clear */
    int tls_failed;         /* the handshake failed (may retry in clear) */
    const char *auth_name;  /* client authenticator used (A=), smtp_auth.c */
    const char *auth_id;
    const char *mail_auth; /* the sender in this MAIL's AUTH=, or NULL */
};
/* Reply text as Exim logs it (its string_printing()). */
char *smtp_printable(struct arena *a, const char *s);
/* Exim's write_logs(): what went wrong with a host; noted for retry. */
void smtp_write_logs(struct smtp_sess *s, const struct host_item *h,
                     const char *msg, int err);
/* The same for a deferred message error: the retry item is for this
 * message at the host (Exim's message_defer). */
void smtp_write_logs_message(struct smtp_sess *s, const struct host_item *h,
                             const char *msg, int err);
/* Sets every address still open (deferred, in this attempt) to rc. */
void smtp_set_open(struct smtp_sess *s, enum addr_result rc, int err,
                   const char *msg, int with_host);
/* Exim's check_response(): the message for a failed read of the reply
 * to s->cmd. Sets *err; returns the reply's first digit, or '4'. */
char smtp_check_response(struct smtp_sess *s, int *err, const char **msg);
int smtp_send_cmd(struct smtp_sess *s, const char *text);
int smtp_read_reply(struct smtp_sess *s, int timeout);

/* The transactions of one session (smtp_transaction.c). */
int smtp_transactions(struct smtp_sess *s);

/* One transaction: its addresses, MAIL and RCPT commands, which RCPTs
 * were accepted, and (under PIPELINING) MAIL and the RCPTs as they go
 * out together. */
struct smtp_tx {
    struct address **batch;
    size_t nb;
    char *mail;
    char **cmds;
    int *accepted;
    gstr *pipe_out;
};
/* A message error (after MAIL, DATA, BDAT or the end of data): 5xx
 * fails the open addresses of batch, anything else defers them. */
void smtp_tx_message_error(struct smtp_sess *s, struct address **batch,
                           size_t nb, int err);
/* A session error in a transaction: every open address defers. */
void smtp_tx_session_error(struct smtp_sess *s, int err);
/* The RCPT replies (sending each RCPT first without PIPELINING): how
 * many were accepted, or -1 after a session error. */
int smtp_tx_read_rcpts(struct smtp_sess *s, struct address **batch, size_t nb,
                       int *accepted, char **cmds);
/* After the message was made (rc, e, err as smtp_data_write() gives
 * them): -2 when it could not be made (results set, host given up),
 * -1 for a write error, else 0. */
int smtp_tx_data_failed(struct smtp_sess *s, int rc, int e, gstr *err);
/* The final reply accepted the message: the accepted ones are
 * delivered. */
void smtp_tx_delivered(struct smtp_sess *s, struct address **batch, size_t nb,
                       const int *accepted);

/* A transaction that sends the message with BDAT (smtp_bdat.c). 0, or
 * -1 when the session is over. */
int smtp_bdat_transaction(struct smtp_sess *s, const struct smtp_tx *t);

#endif
