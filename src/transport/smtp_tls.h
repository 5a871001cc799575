/* smtp_tls.h: TLS for the smtp transport's connections (STARTTLS and
 * protocol = smtps). */
#ifndef MXLAB_TRANSPORT_SMTP_TLS_H
#define MXLAB_TRANSPORT_SMTP_TLS_H

#include <stddef.h>
#include <sys/types.h>

struct smtp_conn;
struct transport_smtp;
struct expand_ctx;
struct host_item;

#define SMTP_ERRNO_TLSFAILURE  (-37) /* Exim's ERRNO_TLSFAILURE */
#define SMTP_ERRNO_TLSREQUIRED (-38) /* Exim's ERRNO_TLSREQUIRED */

/* The handshake on an open connection to h, within timeout seconds,
 * with the transport's certificate, cipher, verification and SNI
 * options. 0 and c->tlsi filled; -1 with *err ("(SSL_connect): ...",
 * or a configuration problem). */
int smtp_tls_client_start(struct smtp_conn *c, const struct transport_smtp *ob,
                          struct expand_ctx *x, const struct host_item *h,
                          int timeout, const char **err);
/* I/O on a TLS connection: as read() (-1 EAGAIN: wait for input) and
 * as a complete write bounded by deadline (clock_ms()). */
ssize_t smtp_tls_read(struct smtp_conn *c, void *buf, size_t len);
ssize_t smtp_tls_write(struct smtp_conn *c, const void *buf, size_t n,
                       long deadline);
/* The message, as transport_write_message() writes it, through TLS:
 * each write bounded by timeout seconds. 0, or -1 with errno. */
struct transport_call;
struct tp_write_opts;
struct gstr;
int smtp_tls_write_message(struct smtp_conn *c, struct transport_call *call,
                           const struct tp_write_opts *o, struct gstr *err,
                           int timeout);
/* close_notify and free (the socket stays open). */
void smtp_tls_close(struct smtp_conn *c);
/* Sets $tls_out_* from c (empty when not under TLS). */
void smtp_tls_set_vars(const struct smtp_conn *c, struct expand_ctx *x);

#endif
