/*++
 * NAME
 *	smtp_tls 3
 * SUMMARY
 *	the smtp transport's TLS client
 * SYNOPSIS
 *	#include "transport/smtp_tls.h"
 *
 *	int	smtp_tls_client_start(struct smtp_conn *c,
 *			const struct transport_smtp *ob, struct expand_ctx *x,
 *			const struct host_item *h, int timeout,
 *			const char **err)
 *	ssize_t	smtp_tls_read(struct smtp_conn *c, void *buf, size_t len)
 *	ssize_t	smtp_tls_write(struct smtp_conn *c, const void *buf,
 *			size_t n, long deadline)
 *	void	smtp_tls_close(struct smtp_conn *c)
 *	void	smtp_tls_set_vars(const struct smtp_conn *c,
 *			struct expand_ctx *x)
 * DESCRIPTION
 *	The TLS handshake of an outgoing connection, after "220" to
 *	STARTTLS or at once for protocol = smtps, as Exim's smtp
 *	transport does it:
 *
 *	The server's certificate is verified when the host matches
 *	tls_verify_hosts (a failure ends the handshake) or
 *	tls_try_verify_hosts (default "*": a failure is logged and the
 *	session goes on, CV=no), against tls_verify_certificates
 *	("system" by default, or a file or directory). For a host that
 *	matches tls_verify_cert_hostnames (default "*") the certificate
 *	must also name the host (its name, or its address when it was
 *	given as one), checked as a DNS name as Exim does: an iPAddress
 *	entry does not match. tls_sni (expanded) is sent as the server name.
 *	tls_certificate and tls_privatekey give a client certificate,
 *	tls_require_ciphers OpenSSL's cipher list.
 *
 *	The handshake waits at most the timeout given (command_timeout);
 *	afterwards every read and write goes through TLS, each bounded by
 *	the caller's deadline.
 * DIAGNOSTICS
 *	"[ID ][IP] SSL verify error: depth=N error=TEXT cert=DN" and
 *	"[ID ][IP] SSL verify error: certificate name mismatch: DN="..."
 *	H="..."" in the main log, as Exim; errors in *err as
 *	"(SSL_connect): REASON" or "(OPTION): REASON".
 *--*/

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"
#include "route/address.h"
#include "smtp/tls_common.h"
#include "transport/smtp.h"
#include "transport/smtp_client.h"
#include "transport/smtp_tls.h"
#include "transport/tpcall.h"

struct client_verify {
    const struct host_item *h;
    const char *id_prefix;  /* "ID " in a delivery, as Exim's lines */
    const char *check_name; /* tls_verify_cert_hostnames: NULL for none */
    int optional;
    int override; /* a failure was let through */
};

static int verify_index = -1;

static int
in_list(struct expand_ctx *x, const struct host_item *h, const char *list)
{
    gstr err;

    if (list == NULL || *list == '\0')
        return 0;
    gstr_init(&err, x->arena);
    return match_host(x, h->address, h->name, list, &err) == MATCH_OK;
}

static int
expand_opt(struct expand_ctx *x, const char *name, const char *in, char **out,
           const char **err)
{
    gstr e;

    *out = NULL;
    if (in == NULL)
        return 0;
    gstr_init(&e, x->arena);
    if (expand_string(x, in, out, &e) != EXPAND_OK) {
        *err = arena_printf(x->arena, "(%s): expansion of \"%s\" failed: %s",
                            name, in, gstr_str(&e));
        return -1;
    }
    if (*out != NULL && **out == '\0')
        *out = NULL;
    return 0;
}

/* Does the certificate name the host? As Exim, the host's name (or
 * the address it was given as) is checked as a DNS name only: an
 * iPAddress entry does not match. */
static int
names_host(X509 *cert, const char *name)
{
    return X509_check_host(cert, name, 0,
                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                               X509_CHECK_FLAG_SINGLE_LABEL_SUBDOMAINS,
                           NULL) == 1;
}

static int
verify_callback(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl =
        X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct client_verify *cv = SSL_get_ex_data(ssl, verify_index);
    X509 *cert = X509_STORE_CTX_get_current_cert(xs);
    int depth = X509_STORE_CTX_get_error_depth(xs);
    char dn[256] = "";

    if (cv == NULL)
        return ok;
    if (cert != NULL)
        X509_NAME_oneline(X509_get_subject_name(cert), dn, sizeof(dn));
    if (!ok) {
        log_write(
            LOG_MAIN, "%s[%s] SSL verify error: depth=%d error=%s cert=%s",
            cv->id_prefix, cv->h->address, depth,
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(xs)), dn);
        if (!cv->optional)
            return 0;
        cv->override = 1;
        return 1;
    }
    if (depth == 0 && cv->check_name != NULL && cert != NULL &&
        !names_host(cert, cv->check_name)) {
        log_write(LOG_MAIN,
                  "%s[%s] SSL verify error: certificate name mismatch: "
                  "DN=\"%s\" H=\"%s\"",
                  cv->id_prefix, cv->h->address, dn, cv->check_name);
        if (!cv->optional) /* no error code set: OpenSSL's alert is
                               then "internal error", as with Exim */
            return 0;
        cv->override = 1;
    }
    return 1;
}

int
smtp_tls_client_start(struct smtp_conn *c, const struct transport_smtp *ob,
                      struct expand_ctx *x, const struct host_item *h,
                      int timeout, const char **err)
{
    struct arena *a = x->arena;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = NULL;
    struct client_verify cv;
    char *cert, *key, *ciphers, *cas, *sni;
    int mode = SSL_VERIFY_NONE, r;

    memset(&cv, 0, sizeof(cv));
    cv.h = h;
    {
        const char *id = expand_get_var(x, "message_exim_id");
        cv.id_prefix = id && *id ? arena_printf(a, "%s ", id) : "";
    }
    if (ctx == NULL) {
        *err = arena_printf(a, "(SSL_CTX_new): %s", tlsc_error(a, "failed"));
        return -1;
    }
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
                                 SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    if (expand_opt(x, "tls_certificate", ob->tls_certificate, &cert, err) < 0 ||
        expand_opt(x, "tls_privatekey", ob->tls_privatekey, &key, err) < 0 ||
        expand_opt(x, "tls_require_ciphers", ob->tls_require_ciphers, &ciphers,
                   err) < 0 ||
        expand_opt(x, "tls_verify_certificates", ob->tls_verify_certificates,
                   &cas, err) < 0 ||
        expand_opt(x, "tls_sni", ob->tls_sni, &sni, err) < 0)
        goto fail;
    if (cert != NULL) {
        const char *e;
        if (tlsc_load_cert(ctx, cert, key, a, &e) < 0) {
            *err = e; /* Exim's "(WHAT file=F): REASON" */
            goto fail;
        }
    }
    if (ciphers != NULL && SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
        *err = arena_printf(a, "(SSL_CTX_set_cipher_list): %s",
                            tlsc_error(a, "bad cipher list"));
        goto fail;
    }
    if (cas != NULL) {
        if (in_list(x, h, ob->tls_verify_hosts))
            mode = SSL_VERIFY_PEER;
        else if (in_list(x, h, ob->tls_try_verify_hosts)) {
            mode = SSL_VERIFY_PEER;
            cv.optional = 1;
        }
    }
    if (mode != SSL_VERIFY_NONE) {
        const char *e;
        if (tlsc_load_verify(ctx, cas, a, &e) < 0) {
            *err = arena_printf(a, "(tls_verify_certificates): %s", e);
            goto fail;
        }
        if (in_list(x, h, ob->tls_verify_cert_hostnames))
            cv.check_name = h->name;
    }
    if (verify_index < 0)
        verify_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ssl = SSL_new(ctx);
    if (ssl == NULL) {
        *err = arena_printf(a, "(SSL_new): %s", tlsc_error(a, "failed"));
        goto fail;
    }
    SSL_set_ex_data(ssl, verify_index, &cv);
    SSL_set_verify(ssl, mode, mode != SSL_VERIFY_NONE ? verify_callback : NULL);
    if (sni != NULL)
        SSL_set_tlsext_host_name(ssl, sni);
    tlsc_nonblock(c->fd);
    SSL_set_fd(ssl, c->fd);
    memset(&c->tlsi, 0, sizeof(c->tlsi));
    r = tlsc_handshake(ssl, 0, clock_ms() + (long)timeout * 1000, a, err);
    SSL_set_ex_data(ssl, verify_index, NULL);
    if (r != 1)
        goto fail;
    c->tlsi.verify_override = cv.override;
    /* Kept with a connection that may outlive this delivery's arena. */
    tlsc_info(ssl, arena_perm, &c->tlsi);
    if (mode == SSL_VERIFY_NONE)
        c->tlsi.cert_verified = 0;
    c->tlsi.sni = sni ? arena_strdup(arena_perm, sni) : NULL;
    c->tls = ssl;
    SSL_CTX_free(ctx);
    return 0;
fail:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return -1;
}

ssize_t
smtp_tls_read(struct smtp_conn *c, void *buf, size_t len)
{
    return tlsc_read(c->tls, buf, len);
}

ssize_t
smtp_tls_write(struct smtp_conn *c, const void *buf, size_t n, long deadline)
{
    return tlsc_write(c->tls, buf, n, deadline);
}

int
smtp_tls_write_message(struct smtp_conn *c, struct transport_call *call,
                       const struct tp_write_opts *o, gstr *err, int timeout)
{
    int fd = memfd_create("mxlab-smtp-tls", MFD_CLOEXEC);
    char buf[16384];
    ssize_t n;
    int rc = 0;

    if (fd < 0)
        return -1;
    if (transport_write_message(call, fd, o, err) < 0 ||
        lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (tlsc_write(c->tls, buf, (size_t)n,
                       clock_ms() + (long)timeout * 1000) < 0) {
            rc = -1;
            break;
        }
    if (n < 0)
        rc = -1;
    n = errno;
    close(fd);
    errno = (int)n;
    return rc;
}

void
smtp_tls_close(struct smtp_conn *c)
{
    if (c->tls == NULL)
        return;
    tlsc_close(c->tls);
    c->tls = NULL;
}

void
smtp_tls_set_vars(const struct smtp_conn *c, struct expand_ctx *x)
{
    const struct tls_info *t = &c->tlsi;
    int on = c->tls != NULL;

    expand_set_var(x, "tls_out_cipher", on ? t->cipher : NULL);
    expand_set_var(x, "tls_out_cipher_std", on ? t->cipher_std : NULL);
    expand_set_var(x, "tls_out_ver", on ? t->ver : NULL);
    expand_set_var(x, "tls_out_bits",
                   on ? arena_printf(x->arena, "%d", t->bits) : "0");
    expand_set_var(x, "tls_out_peerdn", on ? t->peerdn : NULL);
    expand_set_var(x, "tls_out_sni", on ? t->sni : NULL);
    expand_set_var(x, "tls_out_certificate_verified",
                   on && t->cert_verified ? "1" : "0");
}
