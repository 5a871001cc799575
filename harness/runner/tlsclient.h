#ifndef RUNNER_TLSCLIENT_H
#define RUNNER_TLSCLIENT_H

#include <sys/types.h>

struct buf;
struct deadline;

/* The client side of a TLS session over one or two descriptors. */
struct tls_client;

/* What a tls_client_read() or tls_client_write() needs to go on. */
enum tls_io {
    TLS_IO_DONE,       /* some bytes moved */
    TLS_IO_WANT_READ,  /* wait for rfd to be readable, then retry */
    TLS_IO_WANT_WRITE, /* wait for wfd to be writable, then retry */
    TLS_IO_EOF,        /* the peer closed the session or connection */
    TLS_IO_ERROR,
};

struct tls_client_opts {
    const char *sni;  /* server name to send, or NULL */
    const char *cert; /* client certificate (PEM), or NULL */
    const char *key;  /* its private key (PEM), or NULL for cert */
};

struct tls_client *tls_client_start(int rfd, int wfd,
                                    const struct tls_client_opts *opts,
                                    const struct deadline *dl, struct buf *err);
enum tls_io tls_client_read(struct tls_client *t, char *data, size_t len,
                            size_t *got);
enum tls_io tls_client_write(struct tls_client *t, const char *data, size_t len,
                             size_t *put);
int tls_client_pending(const struct tls_client *t);
const char *tls_client_version(const struct tls_client *t);
void tls_client_free(struct tls_client *t);

#endif
