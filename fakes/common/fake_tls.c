/*++
 * NAME
 *	fake_tls 3
 * SUMMARY
 *	the server side of TLS for a fake
 * SYNOPSIS
 *	#include "fake_tls.h"
 *
 *	SSL_CTX *fake_tls_server_ctx(const char *cert, const char *key)
 *	int	fake_tls_accept(struct fake_conn *c, SSL_CTX *ctx)
 * DESCRIPTION
 *	fake_tls_server_ctx() loads a certificate chain and its private key
 *	(PEM files; key NULL means the key is in the certificate file) into
 *	a server context with OpenSSL's default protocols and ciphers. No
 *	client certificate is asked for.
 *
 *	fake_tls_accept() runs the server handshake on c, within c's I/O
 *	time-out; from then on c's reads and writes go through TLS. It
 *	records "TLS started (VERSION)" or why the handshake failed.
 * DIAGNOSTICS
 *	fake_tls_server_ctx() is fatal when the files cannot be used.
 *	fake_tls_accept() returns FAKE_IO_OK or the reason it failed
 *	(FAKE_IO_ERROR for a failed handshake).
 *--*/

#include <errno.h>
#include <poll.h>

#include <openssl/err.h>

#include "fake_conn.h"
#include "fake_msg.h"
#include "fake_tls.h"
#include "fake_transcript.h"
#include "fake_wait.h"

static const char *
fake_tls_error(void)
{
    unsigned long e = ERR_peek_last_error();

    return e ? ERR_reason_error_string(e) : "unknown error";
}

SSL_CTX *
fake_tls_server_ctx(const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL)
        fake_msg_fatal("SSL_CTX_new: %s", fake_tls_error());
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        fake_msg_fatal("certificate %s: %s", cert, fake_tls_error());
    if (SSL_CTX_use_PrivateKey_file(ctx, key ? key : cert, SSL_FILETYPE_PEM) !=
        1)
        fake_msg_fatal("private key %s: %s", key ? key : cert,
                       fake_tls_error());
    if (SSL_CTX_check_private_key(ctx) != 1)
        fake_msg_fatal("%s does not match the certificate", key ? key : cert);
    return ctx;
}

int
fake_tls_accept(struct fake_conn *c, SSL_CTX *ctx)
{
    long long deadline = fake_now_ms() + c->timeout_ms;
    int rc, err;

    if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        fake_transcript_event(c->id, "TLS set-up failed: %s", fake_tls_error());
        return FAKE_IO_ERROR;
    }
    for (;;) {
        ERR_clear_error();
        if ((rc = SSL_accept(c->ssl)) == 1)
            break;
        err = SSL_get_error(c->ssl, rc);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            fake_transcript_event(c->id, "TLS handshake failed: %s",
                                  fake_tls_error());
            SSL_free(c->ssl);
            c->ssl = NULL;
            c->io_errno = EPROTO;
            return FAKE_IO_ERROR;
        }
        rc = fake_wait_fd(c->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                          deadline);
        if (rc != FAKE_WAIT_READY) {
            SSL_free(c->ssl);
            c->ssl = NULL;
            return rc == FAKE_WAIT_TIMEOUT ? FAKE_IO_TIMEOUT : FAKE_IO_TERM;
        }
    }
    fake_transcript_event(c->id, "TLS started (%s)", SSL_get_version(c->ssl));
    return FAKE_IO_OK;
}
