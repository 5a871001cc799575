/*++
 * NAME
 *	tls 3
 * SUMMARY
 *	the TLS server: STARTTLS and TLS on connect
 * SYNOPSIS
 *	#include "smtp/tls.h"
 *
 *	int	smtp_tls_daemon_init(void)
 *	int	smtp_tls_on_connect_port(int port)
 *	int	smtp_tls_start_on_connect(struct smtp_session *s)
 *	void	smtp_tls_end(struct smtp_session *s)
 *	int	smtp_session_tls(const struct smtp_session *s)
 *	int	smtp_session_tls_cert_verified(const struct smtp_session *s)
 *
 *	#include "smtp/smtp_int.h"
 *
 *	int	smtp_cmd_starttls(struct smtp_session *s, char *arg)
 * DESCRIPTION
 *	STARTTLS (RFC 3207) as Exim's server offers it. EHLO advertises
 *	STARTTLS to clients that match tls_advertise_hosts (default: all)
 *	while the session is not yet under TLS. The command runs
 *	acl_smtp_starttls, abandons any transaction, answers "220 TLS go
 *	ahead" and runs the handshake, bounded by smtp_receive_timeout.
 *	Afterwards the session starts again as RFC 3207 requires: the
 *	HELO name, EHLO state and any authentication are forgotten and
 *	the client must send EHLO again; $received_protocol becomes
 *	"smtps", then "esmtps" after EHLO. Input the client sent behind
 *	STARTTLS, before the handshake, is thrown away, never read as
 *	if it had come through TLS.
 *
 *	The server's certificate is tls_certificate with tls_privatekey
 *	(both expanded for each connection; the key may be in the
 *	certificate file). Without tls_certificate the daemon logs Exim's
 *	warning at start-up and makes a self-signed certificate for
 *	primary_hostname. tls_require_ciphers is OpenSSL's cipher list;
 *	as Exim, the daemon does not start when it (expanded at start-up)
 *	names no cipher OpenSSL knows.
 *
 *	Client certificates: a client matching tls_verify_hosts must show
 *	a certificate that verifies against tls_verify_certificates, or
 *	the handshake fails; one matching tls_try_verify_hosts is asked
 *	for a certificate, and a bad or missing one only leaves
 *	$tls_in_certificate_verified at 0 (CV=no). A failed verification
 *	is logged "[IP] SSL verify error: depth=N error=TEXT cert=DN".
 *
 *	A port in tls_on_connect_ports (SMTPS, submissions) starts TLS
 *	before the banner.
 *
 *	Once TLS is on, reads and writes go through the io layer's hooks
 *	(struct io_ops), each bounded by the session's time-out. The
 *	variables $tls_in_cipher, $tls_in_cipher_std, $tls_in_ver (and
 *	$tls_in_protocol, the same), $tls_in_bits, $tls_in_peerdn,
 *	$tls_in_sni, $tls_in_certificate_verified and the old names
 *	without "in_" are set; the "encrypted" ACL condition and X=, CV=,
 *	DN=, SNI= on "<=" lines follow from them.
 *
 *	smtp_session_tls() tells other code (the dovecot authenticator's
 *	"secured", for one) whether the session is under TLS.
 *
 *	A write that fails in the socket is logged "SSL_write: (from H)
 *	syscall: ERROR" as Exim, except when the client sent QUIT and
 *	reset the connection (ECONNRESET) before the reply: then, under
 *	+protocol_detail only, "[IP] after QUIT, client reset TCP before
 *	SMTP response and TLS close".
 * DIAGNOSTICS
 *	At daemon start-up: "tls_require_ciphers invalid:
 *	SSL_CTX_set_cipher_list(LIST) failed: REASON" (Exim's words),
 *	"tls_require_ciphers invalid: failed to expand tls_require_ciphers".
 *
 *	"454 TLS currently unavailable" when the configuration is at fault
 *	(a certificate that cannot be loaded, a bad cipher list), logged
 *	"TLS error on connection from H (WHAT): REASON". A handshake that
 *	fails is logged the same way, and the session then answers
 *	"554 Security failure" to everything but QUIT, as Exim does; so
 *	does a second STARTTLS ("554 Already in TLS").
 *--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "smtp/ehlo.h"
#include "smtp/smtp_int.h"
#include "smtp/tls.h"
#include "smtp/tls_common.h"

enum { TLS_OK = 0, TLS_DEFER = 1, TLS_FAIL = -1 };

/* The self-signed certificate, made once (by the daemon before it
 * forks, or at the first STARTTLS). */
static EVP_PKEY *ss_key;
static X509 *ss_crt;

/* What the verify callback needs. */
struct verify_state {
    struct smtp_session *s;
    int optional; /* tls_try_verify_hosts */
};

static int verify_index = -1;

int
smtp_session_tls(const struct smtp_session *s)
{
    return s != NULL && s->tls.active;
}

int
smtp_session_tls_cert_verified(const struct smtp_session *s)
{
    return smtp_session_tls(s) && s->tls.peercert && s->tls.cert_verified;
}

static int
tls_advertise_set(void)
{
    const char *l = main_config.tls_advertise_hosts;

    return l != NULL && *l != '\0' && strcmp(l, ":") != 0;
}

static int
make_selfsigned(void)
{
    if (ss_crt != NULL)
        return 0;
    return tlsc_selfsigned(main_config.primary_hostname, &ss_key, &ss_crt);
}

/* Exim's check before the daemon starts: NULL, or why the list is no
 * good. */
static const char *
ciphers_invalid(struct arena *a)
{
    struct expand_ctx x;
    const char *why = NULL;
    char *list;
    SSL_CTX *ctx;
    gstr e;

    if (main_config.tls_require_ciphers == NULL)
        return NULL;
    expand_ctx_init(&x, a);
    gstr_init(&e, a);
    if (expand_string(&x, main_config.tls_require_ciphers, &list, &e) !=
        EXPAND_OK)
        return "failed to expand tls_require_ciphers";
    if (*list == '\0' || (ctx = SSL_CTX_new(TLS_server_method())) == NULL)
        return NULL;
    if (SSL_CTX_set_cipher_list(ctx, list) != 1)
        why = arena_printf(a, "SSL_CTX_set_cipher_list(%s) failed: %s", list,
                           tlsc_error(a, "no cipher match"));
    SSL_CTX_free(ctx);
    return why;
}

int
smtp_tls_daemon_init(void)
{
    const char *why, *file;
    int line;

    if (!tls_advertise_set() && main_config.tls_on_connect_ports == NULL)
        return 0;
    if (main_config.tls_certificate == NULL) {
        log_write(LOG_MAIN | LOG_CONT,
                  "Warning: No server certificate defined; will use a "
                  "selfsigned one.\n Suggested action: either install "
                  "a certificate or change tls_advertise_hosts option");
        if (make_selfsigned() < 0)
            log_write(LOG_MAIN | LOG_PANIC,
                      "TLS error: cannot make a self-signed certificate: %s",
                      tlsc_error(arena_perm, "unknown error"));
    }
    if ((why = ciphers_invalid(arena_perm)) == NULL)
        return 0;
    log_write(LOG_PANIC, "tls_require_ciphers invalid: %s", why);
    if (conf_option_origin("tls_require_ciphers", &file, &line) == 0)
        fprintf(stderr, "mxlab: %s:%d: tls_require_ciphers invalid: %s\n", file,
                line, why);
    else
        fprintf(stderr, "mxlab: tls_require_ciphers invalid: %s\n", why);
    return -1;
}

int
smtp_tls_on_connect_port(int port)
{
    struct list_iter it;
    const char *item;

    if (main_config.tls_on_connect_ports == NULL)
        return 0;
    list_iter_init(&it, main_config.tls_on_connect_ports, ':');
    while ((item = list_next(&it, arena_perm)) != NULL)
        if (atoi(item) == port && port > 0)
            return 1;
    return 0;
}

/* Expands a string option in the session's context. NULL for unset;
 * -1 on failure with *err. */
static int
expand_opt(struct smtp_session *s, const char *name, const char *value,
           char **out, const char **err)
{
    gstr e;

    *out = NULL;
    if (value == NULL)
        return 0;
    gstr_init(&e, s->msg_arena);
    if (expand_string(&s->x, value, out, &e) != EXPAND_OK) {
        *err =
            arena_printf(s->msg_arena, "(%s): expansion of \"%s\" failed: %s",
                         name, value, gstr_str(&e));
        return -1;
    }
    if (*out != NULL && **out == '\0')
        *out = NULL;
    return 0;
}

static int
verify_callback(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl =
        X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct verify_state *vs = SSL_get_ex_data(ssl, verify_index);
    X509 *cert = X509_STORE_CTX_get_current_cert(xs);
    char dn[256] = "";

    if (ok || vs == NULL)
        return ok;
    if (cert != NULL)
        X509_NAME_oneline(X509_get_subject_name(cert), dn, sizeof(dn));
    log_write(LOG_MAIN, "[%s] SSL verify error: depth=%d error=%s cert=%s",
              vs->s->host_address ? vs->s->host_address : "",
              X509_STORE_CTX_get_error_depth(xs),
              X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)), dn);
    if (!vs->optional)
        return 0;
    vs->s->tls.verify_override = 1;
    return 1;
}

/* The OpenSSL context for this connection. TLS_OK, or TLS_DEFER with
 * *err (a configuration problem). */
static int
server_ctx(struct smtp_session *s, SSL_CTX **ctxp, int *verify_mode,
           const char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char *cert, *key, *ciphers, *cas;

    *verify_mode = SSL_VERIFY_NONE;
    if (ctx == NULL) {
        *err = arena_printf(s->msg_arena, "(SSL_CTX_new): %s",
                            tlsc_error(s->msg_arena, "failed"));
        return TLS_DEFER;
    }
    *ctxp = ctx;
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (expand_opt(s, "tls_certificate", main_config.tls_certificate, &cert,
                   err) < 0 ||
        expand_opt(s, "tls_privatekey", main_config.tls_privatekey, &key, err) <
            0 ||
        expand_opt(s, "tls_require_ciphers", main_config.tls_require_ciphers,
                   &ciphers, err) < 0 ||
        expand_opt(s, "tls_verify_certificates",
                   main_config.tls_verify_certificates, &cas, err) < 0)
        return TLS_DEFER;
    if (cert != NULL) {
        const char *e;
        if (tlsc_load_cert(ctx, cert, key, s->msg_arena, &e) < 0) {
            *err = e; /* Exim's "(WHAT file=F): REASON" */
            return TLS_DEFER;
        }
    } else {
        if (make_selfsigned() < 0 ||
            SSL_CTX_use_certificate(ctx, ss_crt) != 1 ||
            SSL_CTX_use_PrivateKey(ctx, ss_key) != 1) {
            *err = arena_printf(s->msg_arena, "(selfsigned certificate): %s",
                                tlsc_error(s->msg_arena, "failed"));
            return TLS_DEFER;
        }
    }
    if (ciphers != NULL && SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
        *err = arena_printf(s->msg_arena, "(SSL_CTX_set_cipher_list): %s",
                            tlsc_error(s->msg_arena, "bad cipher list"));
        return TLS_DEFER;
    }
    if (cas != NULL) {
        if (smtp_host_in_opt(s, tls_verify_hosts))
            *verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        else if (smtp_host_in_opt(s, tls_try_verify_hosts))
            *verify_mode = SSL_VERIFY_PEER;
        if (*verify_mode != SSL_VERIFY_NONE) {
            const char *e;
            if (tlsc_load_verify(ctx, cas, s->msg_arena, &e) < 0) {
                *err = arena_printf(s->msg_arena,
                                    "(tls_verify_certificates): %s", e);
                return TLS_DEFER;
            }
        }
    }
    return TLS_OK;
}

static ssize_t
tls_io_read(void *ctx, void *buf, size_t len)
{
    struct smtp_session *s = ctx;

    return tlsc_read(s->tls_ssl, buf, len);
}

/* A write that failed in the socket (Exim's SSL_ERROR_SYSCALL case): a
 * client that sent QUIT and reset the connection without waiting for
 * the reply or closing TLS (Outlook does this) is logged as such under
 * +protocol_detail, and not at all without it; anything else is an
 * SSL_write error. */
static void
log_write_failure(struct smtp_session *s, int err)
{
    struct host_id h;

    if (err == 0 || err == ETIMEDOUT || err == EAGAIN)
        return;
    if (err == ECONNRESET && s->quit_received) {
        if (log_selected(LS_protocol_detail)) {
            smtp_host_id(s, &h);
            log_write(LOG_MAIN,
                      "[%s] after QUIT, client reset TCP before SMTP "
                      "response and TLS close",
                      h.address ? h.address : "");
        }
        return;
    }
    if (err != EPIPE)
        log_write(LOG_MAIN, "SSL_write: (from %s) syscall: %s",
                  smtp_host_and_ident(s, 0), strerror(err));
}

static ssize_t
tls_io_write(void *ctx, const void *buf, size_t len)
{
    struct smtp_session *s = ctx;
    ssize_t n = tlsc_write(s->tls_ssl, buf, len,
                           clock_ms() + (long)s->io.timeout * 1000);

    if (n < 0) {
        int err = errno;
        log_write_failure(s, err);
        errno = err;
    }
    return n;
}

static size_t
tls_io_pending(void *ctx)
{
    struct smtp_session *s = ctx;

    return (size_t)SSL_pending(s->tls_ssl);
}

static const struct io_ops tls_ops = {tls_io_read, tls_io_write,
                                      tls_io_pending};

static void
set_tls_vars(struct smtp_session *s)
{
    struct expand_ctx *x = &s->x;
    const struct tls_info *t = &s->tls;
    const char *bits = arena_printf(s->conn_arena, "%d", t->bits);
    const char *cv = t->peercert && t->cert_verified ? "1" : "0";

    expand_set_var(x, "tls_in_cipher", t->cipher);
    expand_set_var(x, "tls_cipher", t->cipher);
    expand_set_var(x, "tls_in_cipher_std", t->cipher_std);
    expand_set_var(x, "tls_in_ver", t->ver);
    expand_set_var(x, "tls_in_protocol", t->ver);
    expand_set_var(x, "tls_in_bits", bits);
    expand_set_var(x, "tls_bits", bits);
    expand_set_var(x, "tls_in_peerdn", t->peerdn);
    expand_set_var(x, "tls_peerdn", t->peerdn);
    expand_set_var(x, "tls_in_sni", t->sni);
    expand_set_var(x, "tls_sni", t->sni);
    expand_set_var(x, "tls_in_certificate_verified", cv);
    expand_set_var(x, "tls_certificate_verified", cv);
}

/* The handshake, after the "220 TLS go ahead" (or before the banner).
 * TLS_OK, TLS_DEFER (nothing sent yet) or TLS_FAIL, with *err. */
static int
server_start(struct smtp_session *s, int starttls, const char **err)
{
    SSL_CTX *ctx = NULL;
    SSL *ssl;
    struct verify_state vs;
    int mode, r;

    r = server_ctx(s, &ctx, &mode, err);
    if (r != TLS_OK) {
        SSL_CTX_free(ctx);
        return r;
    }
    if (verify_index < 0)
        verify_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ssl = SSL_new(ctx);
    SSL_CTX_free(ctx); /* the SSL keeps its own reference */
    if (ssl == NULL) {
        *err = arena_printf(s->msg_arena, "(SSL_new): %s",
                            tlsc_error(s->msg_arena, "failed"));
        return TLS_DEFER;
    }
    vs.s = s;
    vs.optional = !(mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    SSL_set_ex_data(ssl, verify_index, &vs);
    SSL_set_verify(ssl, mode, mode != SSL_VERIFY_NONE ? verify_callback : NULL);
    if (starttls) {
        smtp_reply(s, 220, "TLS go ahead");
        if (smtp_io_flush(&s->io) != IO_OK) {
            SSL_free(ssl);
            *err = "(STARTTLS): connection lost";
            return TLS_FAIL;
        }
    }
    /* Anything sent behind STARTTLS came in the clear: drop it. */
    smtp_io_discard_input(&s->io);
    tlsc_nonblock(s->io.in_fd);
    s->io.read_waits = 0; /* even if the handshake fails: non-blocking now */
    if (s->io.out_fd != s->io.in_fd)
        tlsc_nonblock(s->io.out_fd);
    SSL_set_rfd(ssl, s->io.in_fd);
    SSL_set_wfd(ssl, s->io.out_fd);
    memset(&s->tls, 0, sizeof(s->tls));
    r = tlsc_handshake(ssl, 1, clock_ms() + (long)s->io.timeout * 1000,
                       s->msg_arena, err);
    SSL_set_ex_data(ssl, verify_index, NULL);
    if (r != 1) {
        SSL_free(ssl);
        return TLS_FAIL;
    }
    tlsc_info(ssl, s->conn_arena, &s->tls);
    s->tls_ssl = ssl;
    s->io.ops = &tls_ops;
    s->io.ops_ctx = s;
    set_tls_vars(s);
    return TLS_OK;
}

static void
log_tls_error(struct smtp_session *s, const char *err)
{
    log_write(LOG_MAIN, "TLS error on %s %s", smtp_connection_from(s), err);
}

int
smtp_tls_start_on_connect(struct smtp_session *s)
{
    const char *err = "";

    if (server_start(s, 0, &err) == TLS_OK)
        return 0;
    log_tls_error(s, err);
    return -1;
}

void
smtp_tls_end(struct smtp_session *s)
{
    if (s->tls_ssl == NULL)
        return;
    tlsc_close(s->tls_ssl);
    s->tls_ssl = NULL;
    s->io.ops = NULL;
}

int
smtp_cmd_starttls(struct smtp_session *s, char *arg)
{
    char *user_msg = NULL;
    const char *err = "";
    int r;

    if (!s->tls_advertised)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "STARTTLS command used when not "
                                  "advertised");
    if (main_config.acl_smtp_starttls != NULL) {
        r = smtp_acl_stage(s, ACL_WHERE_STARTTLS, main_config.acl_smtp_starttls,
                           NULL, arg, &user_msg);
        if (r < 0)
            return 1;
        if (r == 0)
            return 0;
    }
    smtp_incomplete_transaction_log(s, "STARTTLS");
    smtp_txn_reset(s);
    if (s->tls.active) {
        log_tls_error(s, "(STARTTLS received after TLS started): ");
        smtp_reply(s, 554, "Already in TLS");
        s->tls_failed = 1;
        return 0;
    }
    r = server_start(s, 1, &err);
    if (r == TLS_OK) {
        /* RFC 3207: forget what the client told before. */
        s->helo_seen = 0;
        s->esmtp = 0;
        s->helo_name = NULL;
        s->pipelining_advertised = 0;
        s->chunking_advertised = 0;
        s->dsn_advertised = 0;
        smtp_auth_reset(s); /* and smtp_set_host_vars() */
        return 0;
    }
    log_tls_error(s, err);
    if (r == TLS_DEFER) {
        smtp_reply(s, 454, "TLS currently unavailable");
        return 0;
    }
    /* The handshake failed: whatever follows is not trusted. */
    s->tls_failed = 1;
    return 0;
}

int
smtp_tls_offered(struct smtp_session *s)
{
    return !s->tls.active && tls_advertise_set() &&
           smtp_host_in_opt(s, tls_advertise_hosts);
}

static int
advertise_starttls(struct smtp_session *s, struct gstr *out)
{
    s->tls_advertised = 0;
    if (!smtp_tls_offered(s))
        return 0;
    s->tls_advertised = 1;
    gstr_adds(out, "STARTTLS");
    return 1;
}

static struct ehlo_keyword starttls_keyword = {EHLO_AFTER_CHUNKING,
                                               advertise_starttls, NULL};

__attribute__((constructor)) static void
tls_register(void)
{
    smtp_ehlo_register(&starttls_keyword);
}
