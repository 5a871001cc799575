/*++
 * NAME
 *	tls_common 3
 * SUMMARY
 *	OpenSSL helpers shared by the TLS server and client
 * SYNOPSIS
 *	#include "smtp/tls_common.h"
 *
 *	const char *tlsc_error(struct arena *a, const char *fallback)
 *	void	tlsc_info(SSL *ssl, struct arena *a, struct tls_info *ti)
 *	int	tlsc_load_verify(SSL_CTX *ctx, const char *where,
 *				struct arena *a, const char **err)
 *	int	tlsc_load_cert(SSL_CTX *ctx, const char *cert,
 *				const char *key, struct arena *a,
 *				const char **err)
 *	int	tlsc_selfsigned(const char *cn, EVP_PKEY **key, X509 **crt)
 *	int	tlsc_handshake(SSL *ssl, int server, long deadline,
 *				struct arena *a, const char **err)
 *	ssize_t	tlsc_read(SSL *ssl, void *buf, size_t len)
 *	ssize_t	tlsc_write(SSL *ssl, const void *buf, size_t len,
 *				long deadline)
 *	void	tlsc_close(SSL *ssl)
 *	void	tlsc_nonblock(int fd)
 * DESCRIPTION
 *	The pieces of TLS that do not depend on the direction.
 *
 *	tlsc_info() names a finished session the way Exim does: the
 *	protocol as "TLS1.3" (OpenSSL's "TLSv1.3" without the v), the
 *	cipher as "VERSION:CIPHER:BITS" for X= and $tls_in_cipher, the
 *	IETF name for $tls_in_cipher_std, the peer's subject as OpenSSL's
 *	one-line form ("/O=Test/CN=client.test.ex") for DN= and
 *	$tls_in_peerdn, and whether its certificate was verified (CV=).
 *
 *	The descriptors are non-blocking once TLS starts; every wait is
 *	a poll() bounded by a deadline (clock_ms()), so a peer that
 *	stops in the middle of a record or a handshake cannot hold the
 *	process.
 *
 *	tlsc_load_verify() understands "system" (OpenSSL's default
 *	certificate store), a directory (hashed, c_rehash style) and a
 *	PEM file holding one or more certificates.
 * DIAGNOSTICS
 *	Errors are OpenSSL's own strings ("error:0A000086:SSL routines::
 *	certificate verify failed"), or "timed out"; as Exim, a server
 *	whose client does not speak a known TLS version says which it
 *	offered: "(SSL_accept): (TLSv1.3)".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "smtp/tls_common.h"

const char *
tlsc_error(struct arena *a, const char *fallback)
{
    unsigned long e = ERR_get_error();
    char buf[256];

    ERR_clear_error();
    if (e == 0)
        return fallback;
    ERR_error_string_n(e, buf, sizeof(buf));
    return arena_strdup(a, buf);
}

/* A certificate as PEM text, or NULL. */
static char *
cert_pem(X509 *crt, struct arena *a)
{
    BIO *b;
    char *data, *out = NULL;
    long n;

    if (crt == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
        return NULL;
    if (PEM_write_bio_X509(b, crt) == 1 && (n = BIO_get_mem_data(b, &data)) > 0)
        out = arena_strndup(a, data, (size_t)n);
    BIO_free(b);
    ERR_clear_error();
    return out;
}

void
tlsc_info(SSL *ssl, struct arena *a, struct tls_info *ti)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
    const char *v = SSL_get_version(ssl), *sni;
    char dn[512];
    X509 *peer;
    int bits = 0;
    size_t j = 0;
    char *ver = arena_alloc(a, strlen(v) + 1);

    for (const char *p = v; *p != '\0'; p++) /* TLSv1.3 -> TLS1.3 */
        if (*p != 'v')
            ver[j++] = *p;
    ver[j] = '\0';
    ti->active = 1;
    ti->ver = ver;
    if (c != NULL) {
        SSL_CIPHER_get_bits(c, &bits);
        ti->bits = bits;
        ti->cipher =
            arena_printf(a, "%s:%s:%d", ver, SSL_CIPHER_get_name(c), bits);
        ti->cipher_std = arena_strdup(a, SSL_CIPHER_standard_name(c));
    }
    sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (sni != NULL && ti->sni == NULL)
        ti->sni = arena_strdup(a, sni);
    ti->ourcert = cert_pem(SSL_get_certificate(ssl), a);
    peer = SSL_get1_peer_certificate(ssl);
    if (peer != NULL) {
        ti->peercert = 1;
        ti->peercert_pem = cert_pem(peer, a);
        if (X509_NAME_oneline(X509_get_subject_name(peer), dn, sizeof(dn)))
            ti->peerdn = arena_strdup(a, dn);
        X509_free(peer);
        ti->cert_verified =
            !ti->verify_override && SSL_get_verify_result(ssl) == X509_V_OK;
    }
}

int
tlsc_load_verify(SSL_CTX *ctx, const char *where, struct arena *a,
                 const char **err)
{
    struct stat st;
    int ok;

    if (strcmp(where, "system") == 0) {
        ok = SSL_CTX_set_default_verify_paths(ctx);
    } else if (stat(where, &st) < 0) {
        *err = arena_printf(a, "%s: %s", where, strerror(errno));
        return -1;
    } else if (S_ISDIR(st.st_mode)) {
        ok = SSL_CTX_load_verify_locations(ctx, NULL, where);
    } else {
        ok = SSL_CTX_load_verify_locations(ctx, where, NULL);
        /* The server also names the acceptable CAs to the client. */
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(where);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
    }
    if (!ok) {
        *err = arena_printf(a, "%s: %s", where,
                            tlsc_error(a, "cannot load certificates"));
        return -1;
    }
    return 0;
}

int
tlsc_load_cert(SSL_CTX *ctx, const char *cert, const char *key, struct arena *a,
               const char **err)
{
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        *err =
            arena_printf(a, "(SSL_CTX_use_certificate_chain_file file=%s): %s",
                         cert, tlsc_error(a, "cannot load"));
        return -1;
    }
    if (key == NULL)
        key = cert;
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        *err = arena_printf(a, "(SSL_CTX_use_PrivateKey_file file=%s): %s", key,
                            tlsc_error(a, "cannot load"));
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        *err = arena_printf(a, "(SSL_CTX_check_private_key file=%s): %s", key,
                            tlsc_error(a, "key does not match"));
        return -1;
    }
    return 0;
}

int
tlsc_selfsigned(const char *cn, EVP_PKEY **keyp, X509 **crtp)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *crt = X509_new();
    X509_NAME *name;

    if (key == NULL || crt == NULL)
        goto fail;
    X509_set_version(crt, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(crt), 1);
    X509_gmtime_adj(X509_getm_notBefore(crt), -60);
    X509_gmtime_adj(X509_getm_notAfter(crt), 365L * 24 * 3600);
    X509_set_pubkey(crt, key);
    name = X509_get_subject_name(crt);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               (const unsigned char *)"mxlab self-signed", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(crt, name);
    if (!X509_sign(crt, key, EVP_sha256()))
        goto fail;
    *keyp = key;
    *crtp = crt;
    return 0;
fail:
    EVP_PKEY_free(key);
    X509_free(crt);
    return -1;
}

void
tlsc_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Waits as OpenSSL asks: 1 ready, 0 timed out, -1 error. */
static int
tls_wait(SSL *ssl, int want, long deadline)
{
    if (want == SSL_ERROR_WANT_READ)
        return fd_wait_until(SSL_get_rfd(ssl), POLLIN, deadline);
    return fd_wait_until(SSL_get_wfd(ssl), POLLOUT, deadline);
}

/* The reasons that say the client does not speak a TLS version we
 * know (or no TLS at all). */
static int
not_a_tls_client(int reason)
{
    return reason == SSL_R_WRONG_VERSION_NUMBER ||
           reason == SSL_R_VERSION_TOO_LOW ||
           reason == SSL_R_UNKNOWN_PROTOCOL ||
           reason == SSL_R_UNSUPPORTED_PROTOCOL;
}

int
tlsc_handshake(SSL *ssl, int server, long deadline, struct arena *a,
               const char **err)
{
    const char *what = server ? "SSL_accept" : "SSL_connect";

    ERR_clear_error();
    if (server)
        SSL_set_accept_state(ssl);
    else
        SSL_set_connect_state(ssl);
    for (;;) {
        int r = SSL_do_handshake(ssl);
        int e;

        if (r == 1)
            return 1;
        e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = tls_wait(ssl, e, deadline);
            if (w == 0) {
                *err = arena_printf(a, "(%s): timed out", what);
                return 0;
            }
            if (w < 0) {
                *err = arena_printf(a, "(%s): %s", what, strerror(errno));
                return -1;
            }
            continue;
        }
        if (e == SSL_ERROR_ZERO_RETURN ||
            (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) ==
                                       SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
            ERR_clear_error();
            *err = arena_printf(a, "%s: TCP connection closed by peer", what);
            return -1;
        }
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
            if (errno == 0 || errno == EAGAIN)
                *err =
                    arena_printf(a, "%s: TCP connection closed by peer", what);
            else
                *err =
                    arena_printf(a, "(%s): syscall %s", what, strerror(errno));
            return -1;
        }
        if (server && e == SSL_ERROR_SSL &&
            not_a_tls_client(ERR_GET_REASON(ERR_peek_error()))) {
            /* Exim names the version it offered, not OpenSSL's error:
             * "(SSL_accept): (TLSv1.3)" */
            ERR_clear_error();
            *err = arena_printf(a, "(%s): (%s)", what, SSL_get_version(ssl));
            return -1;
        }
        *err = arena_printf(a, "(%s): %s", what,
                            tlsc_error(a, "handshake failed"));
        return -1;
    }
}

ssize_t
tlsc_read(SSL *ssl, void *buf, size_t len)
{
    for (;;) {
        int r, e;

        ERR_clear_error();
        errno = 0;
        r = SSL_read(ssl, buf, len > 65536 ? 65536 : (int)len);
        if (r > 0)
            return r;
        e = SSL_get_error(ssl, r);
        switch (e) {
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_WANT_READ:
            errno = EAGAIN;
            return -1;
        case SSL_ERROR_WANT_WRITE:
            /* rare (a key update): give it a moment to go out */
            if (tls_wait(ssl, e, clock_ms() + 30000) <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            continue;
        case SSL_ERROR_SYSCALL:
            if (errno == 0)
                return 0; /* closed without close_notify */
            return -1;
        default:
            ERR_clear_error();
            errno = EPROTO;
            return -1;
        }
    }
}

ssize_t
tlsc_write(SSL *ssl, const void *buf, size_t len, long deadline)
{
    size_t done = 0;

    while (done < len) {
        size_t n = len - done;
        int r, e;

        ERR_clear_error();
        r = SSL_write(ssl, (const char *)buf + done,
                      n > 65536 ? 65536 : (int)n);
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = tls_wait(ssl, e, deadline);
            if (w == 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            if (w < 0)
                return -1;
            continue;
        }
        ERR_clear_error();
        if (e != SSL_ERROR_SYSCALL || errno == 0)
            errno = EPIPE;
        return -1;
    }
    return (ssize_t)len;
}

void
tlsc_close(SSL *ssl)
{
    if (ssl == NULL)
        return;
    ERR_clear_error();
    if (!(SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN))
        SSL_shutdown(ssl); /* non-blocking: one try */
    ERR_clear_error();
    SSL_free(ssl);
}
