/* tls_common.h: what the TLS server (src/smtp/tls.c) and the smtp
 * transport's TLS client (src/transport/smtp_tls.c) share: OpenSSL
 * set-up, Exim's names for a session's cipher and peer, certificate
 * loading and verification, and I/O bounded by a deadline. */
#ifndef MXLAB_SMTP_TLS_COMMON_H
#define MXLAB_SMTP_TLS_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "smtp/tls_info.h"

struct arena;

/* The text of OpenSSL's oldest queued error (or fallback), queue
 * cleared. */
const char *tlsc_error(struct arena *a, const char *fallback);

/* Fills ti from a finished handshake. */
void tlsc_info(SSL *ssl, struct arena *a, struct tls_info *ti);

/* Loads trusted certificates for verification: "system" (OpenSSL's
 * default places), a directory, or a file. 0, or -1 with *err. */
int tlsc_load_verify(SSL_CTX *ctx, const char *where, struct arena *a,
                     const char **err);

/* Loads a certificate chain (PEM) and its key (the certificate file
 * when key is NULL). 0, or -1 with *err. */
int tlsc_load_cert(SSL_CTX *ctx, const char *cert, const char *key,
                   struct arena *a, const char **err);

/* Makes a self-signed certificate for cn (an EC P-256 key). */
int tlsc_selfsigned(const char *cn, EVP_PKEY **key, X509 **crt);

/* Runs the handshake on a non-blocking descriptor until deadline.
 * 1 done, 0 timed out, -1 failed (*err says why). */
int tlsc_handshake(SSL *ssl, int server, long deadline, struct arena *a,
                   const char **err);

/* Reads what the session has (non-blocking). >0 bytes, 0 end of data
 * (close_notify or the peer closed), -1 with errno EAGAIN (nothing yet),
 * or another errno. */
ssize_t tlsc_read(SSL *ssl, void *buf, size_t len);

/* Writes everything, waiting until deadline. len, or -1 with errno
 * (ETIMEDOUT for a time-out). */
ssize_t tlsc_write(SSL *ssl, const void *buf, size_t len, long deadline);

/* Sends close_notify without waiting for the answer, then frees. */
void tlsc_close(SSL *ssl);

/* Puts fd into non-blocking mode. */
void tlsc_nonblock(int fd);

#endif
