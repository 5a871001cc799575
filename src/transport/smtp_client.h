/* smtp_client.h: the wire side of an outgoing SMTP connection: connect
 * with a time-out, write commands, read replies (multi-line ones
 * joined), each bounded by a time-out. */
#ifndef MXLAB_TRANSPORT_SMTP_CLIENT_H
#define MXLAB_TRANSPORT_SMTP_CLIENT_H

#include <stddef.h>

#include "base/gstr.h"
#include "smtp/tls_info.h"

struct arena;

/* Exim's own error numbers (macros.h) for what the system has none. */
#define SMTP_ERRNO_SMTPCLOSED  (-18)
#define SMTP_ERRNO_SMTPFORMAT  (-19)
#define SMTP_ERRNO_UNKNOWNHOST (-32)
#define SMTP_ERRNO_RCPT4XX     (-44)
#define SMTP_ERRNO_MAIL4XX     (-45)
#define SMTP_ERRNO_DATA4XX     (-46)
#define SMTP_ERRNO_HRETRY      (-54)

struct smtp_conn {
    int fd;
    struct arena *a;
    char buf[8192];
    size_t len, pos;
    void *tls;            /* SSL * once TLS is on (smtp_tls.c) */
    struct tls_info tlsi; /* what the handshake gave */
    char local_ip[64];    /* our end, once connected ("" if unknown) */
    int local_port;
};

/* Connects to ip (v4 or v6 text) and port within timeout seconds.
 * 0, or -1 with errno (ETIMEDOUT for a time-out). */
int smtp_conn_open(struct smtp_conn *s, struct arena *a, const char *ip,
                   int port, int timeout);
void smtp_conn_close(struct smtp_conn *s);
/* Writes text as it is within timeout seconds. 0 or -1 with errno. */
int smtp_conn_write(struct smtp_conn *s, const char *text, size_t n,
                    int timeout);
/* The most a reply may hold, all its lines together (Exim's response
 * buffer is as large): a longer one is a format error, so a server
 * cannot make the transport read without end; as in Exim, what was
 * read (up to 4093 bytes) is kept for the message. */
#define SMTP_REPLY_MAX 4096

/* Reads one reply within timeout seconds: its lines, without CRLF,
 * joined by "\n" into reply (emptied first). Returns the reply code
 * (100..599), or -1 with errno: ETIMEDOUT, 0 when the connection
 * closed, SMTP_ERRNO_SMTPFORMAT for a line that is no reply. */
int smtp_conn_read_reply(struct smtp_conn *s, int timeout, gstr *reply);
/* Bytes already read but not yet taken (a server that talks first). */
int smtp_conn_pending(const struct smtp_conn *s);

#endif
