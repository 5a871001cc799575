/*
 * NAME
 *	tlsclient - TLS for the SMTP client (STARTTLS, TLS on connect)
 * SYNOPSIS
 *	#include "tlsclient.h"
 *
 *	struct tls_client *tls_client_start(int rfd, int wfd,
 *				const struct tls_client_opts *opts,
 *				const struct deadline *dl, struct buf *err);
 *	enum tls_io tls_client_read(struct tls_client *t, char *data,
 *				size_t len, size_t *got);
 *	enum tls_io tls_client_write(struct tls_client *t,
 *				const char *data, size_t len, size_t *put);
 *	int	tls_client_pending(const struct tls_client *t);
 *	const char *tls_client_version(const struct tls_client *t);
 *	void	tls_client_free(struct tls_client *t);
 * DESCRIPTION
 *	A scenario's SMTP client is a test tool, not a mail client: it
 *	verifies no certificate, so any server certificate will do, and
 *	it offers what OpenSSL's defaults offer.
 *
 *	tls_client_start() runs the client side of a TLS handshake over
 *	rfd and wfd (a socket twice, or a child's stdout and stdin), which
 *	must be non-blocking, finishing by dl.  opts may give a server
 *	name to send (SNI) and a client certificate and key.
 *
 *	tls_client_read() and tls_client_write() move up to len bytes and
 *	store how many in *got or *put.  They never block: when OpenSSL
 *	needs the network they say which way, and the caller polls and
 *	calls again.
 *
 *	tls_client_pending() says whether decrypted bytes are waiting, so
 *	the caller knows not to poll for them.
 *
 *	tls_client_version() names the protocol ("TLSv1.3").
 *
 *	tls_client_free() forgets the session; it sends no close_notify,
 *	since the SMTP dialogue decides how a connection ends.
 * DIAGNOSTICS
 *	tls_client_start() returns NULL with a message in err (OpenSSL's
 *	reason, or a time-out).
 */

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdlib.h>

#include "buf.h"
#include "deadline.h"
#include "mem.h"
#include "tlsclient.h"

struct tls_client {
    SSL_CTX *ctx;
    SSL *ssl;
    int rfd;
    int wfd;
};

static void
tls_client_error(struct buf *err, const char *what)
{
    unsigned long code = ERR_get_error();
    char text[256];

    if (code == 0) {
        buf_printf(err, "%s failed", what);
        return;
    }
    ERR_error_string_n(code, text, sizeof(text));
    buf_printf(err, "%s failed: %s", what, text);
    ERR_clear_error();
}

static int
tls_client_credentials(struct tls_client *t, const struct tls_client_opts *opts,
                       struct buf *err)
{
    const char *key = opts->key ? opts->key : opts->cert;

    if (opts->cert == NULL)
        return 0;
    if (SSL_CTX_use_certificate_chain_file(t->ctx, opts->cert) != 1) {
        tls_client_error(err, "loading the client certificate");
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1) {
        tls_client_error(err, "loading the client key");
        return -1;
    }
    return 0;
}

static int
tls_client_setup(struct tls_client *t, const struct tls_client_opts *opts,
                 struct buf *err)
{
    if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
        tls_client_error(err, "SSL_CTX_new");
        return -1;
    }
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
    if (tls_client_credentials(t, opts, err) < 0)
        return -1;
    if ((t->ssl = SSL_new(t->ctx)) == NULL) {
        tls_client_error(err, "SSL_new");
        return -1;
    }
    if (SSL_set_rfd(t->ssl, t->rfd) != 1 || SSL_set_wfd(t->ssl, t->wfd) != 1 ||
        (opts->sni != NULL &&
         SSL_set_tlsext_host_name(t->ssl, opts->sni) != 1)) {
        tls_client_error(err, "setting up the TLS session");
        return -1;
    }
    return 0;
}

/* Wait for what OpenSSL wants; -1 on time-out or interruption. */
static int
tls_client_wait(const struct tls_client *t, int want, const struct deadline *dl)
{
    struct pollfd pfd;

    if (deadline_interrupted || deadline_expired(dl))
        return -1;
    pfd.fd = want == SSL_ERROR_WANT_WRITE ? t->wfd : t->rfd;
    pfd.events = want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
    pfd.revents = 0;
    poll(&pfd, 1, deadline_left_ms(dl));
    return 0;
}

static int
tls_client_handshake(struct tls_client *t, const struct deadline *dl,
                     struct buf *err)
{
    int rc;
    int why;

    while ((rc = SSL_connect(t->ssl)) != 1) {
        why = SSL_get_error(t->ssl, rc);
        if (why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE) {
            tls_client_error(err, "the TLS handshake");
            return -1;
        }
        if (tls_client_wait(t, why, dl) < 0) {
            buf_puts(err, deadline_interrupted
                              ? "the TLS handshake was interrupted"
                              : "the TLS handshake timed out");
            return -1;
        }
    }
    return 0;
}

struct tls_client *
tls_client_start(int rfd, int wfd, const struct tls_client_opts *opts,
                 const struct deadline *dl, struct buf *err)
{
    struct tls_client *t = mem_array(1, sizeof(*t));

    t->rfd = rfd;
    t->wfd = wfd;
    if (tls_client_setup(t, opts, err) < 0 ||
        tls_client_handshake(t, dl, err) < 0) {
        tls_client_free(t);
        return NULL;
    }
    return t;
}

static enum tls_io
tls_client_io_result(struct tls_client *t, int rc)
{
    switch (SSL_get_error(t->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        return TLS_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return TLS_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return TLS_IO_EOF;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return TLS_IO_EOF; /* the connection closed without close_notify */
    default:
        ERR_clear_error();
        return TLS_IO_ERROR;
    }
}

enum tls_io
tls_client_read(struct tls_client *t, char *data, size_t len, size_t *got)
{
    int rc = SSL_read_ex(t->ssl, data, len, got);

    return rc == 1 ? TLS_IO_DONE : tls_client_io_result(t, rc);
}

enum tls_io
tls_client_write(struct tls_client *t, const char *data, size_t len,
                 size_t *put)
{
    int rc = SSL_write_ex(t->ssl, data, len, put);

    return rc == 1 ? TLS_IO_DONE : tls_client_io_result(t, rc);
}

int
tls_client_pending(const struct tls_client *t)
{
    return SSL_pending(t->ssl) > 0;
}

const char *
tls_client_version(const struct tls_client *t)
{
    return SSL_get_version(t->ssl);
}

void
tls_client_free(struct tls_client *t)
{
    if (t == NULL)
        return;
    SSL_free(t->ssl);
    SSL_CTX_free(t->ctx);
    free(t);
}
