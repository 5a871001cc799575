#ifndef FAKE_TLS_H
#define FAKE_TLS_H

#include <openssl/ssl.h>

struct fake_conn;

SSL_CTX *fake_tls_server_ctx(const char *cert, const char *key);
int fake_tls_accept(struct fake_conn *c, SSL_CTX *ctx);

#endif
