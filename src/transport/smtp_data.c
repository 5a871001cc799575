/*++
 * NAME
 *	smtp_data 3
 * SUMMARY
 *	the smtp transport's message after DATA
 * SYNOPSIS
 *	#include "transport/smtp_data.h"
 *
 *	int	smtp_data_write(struct transport_call *c,
 *				struct smtp_conn *conn, int timeout,
 *				int *err_no, gstr *err)
 *	int	smtp_data_chunking_usable(const struct transport_call *c)
 *	int	smtp_data_render(struct transport_call *c, int fd,
 *				long *sig_len, int *signed_msg, int *err_no,
 *				gstr *err)
 * DESCRIPTION
 *	Sends the message of a transport call in SMTP's form (CRLF line
 *	ends, leading dots doubled), in one of three ways:
 *
 *	Through transport_filter: the command's output is the message.
 *
 *	DKIM-signed, when dkim_domain, dkim_selector and
 *	dkim_private_key are set (src/dkim/dkim_transport.c): the message
 *	is first written to a memory file as it will go out (the filter's
 *	output, with transport_filter), the DKIM-Signature fields are made
 *	from it, and the fields go out in front of it, as Exim's transport
 *	puts them.
 *
 *	ARC-sealed, when arc_sign is set (src/arc/sign_transport.c,
 *	through the registry): the same way; the ARC set goes in front of
 *	the DKIM-Signature fields.
 *
 *	Otherwise straight from the spool (through TLS when it is on).
 *
 *	smtp_data_render() makes the message the same ways for BDAT
 *	(smtp_bdat.c) into a file: no dot-stuffing and no final dot.
 *	smtp_data_chunking_usable() says whether BDAT may be used: as
 *	in Exim, not with transport_filter unless the message is
 *	DKIM-signed.
 * DIAGNOSTICS
 *	A filter that fails: -2 with its message (errno -24, as Exim). A
 *	signing failure under dkim_strict: -2 with the reason, errno
 *	EACCES, as Exim defers then. arc_sign that cannot be expanded:
 *	-3 with "failed to expand arc_sign" (a send failure, as Exim).
 *--*/

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim_transport.h"
#include "registry.h"
#include "transport/smtp_client.h"
#include "transport/smtp_data.h"
#include "transport/smtp_tls.h"
#include "transport/tpcall.h"
#include "transport/tpfilter.h"
#include "transport/transport.h"

static int
fd_sink(void *ctx, const char *p, size_t n)
{
    int fd = *(int *)ctx;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Text on its way to the server (conn), or to a file for BDAT (fd,
 * when conn is NULL): CRLF line ends, leading dots doubled when stuff
 * is set. count is what went out. */
struct data_out {
    struct smtp_conn *conn;
    int timeout;
    gstr buf;
    int bol;
    int stuff;
    int fd;
    long count;
};

static int
out_flush(struct data_out *f)
{
    int rc;

    if (f->conn != NULL)
        rc = smtp_conn_write(f->conn, f->buf.s, f->buf.len, f->timeout);
    else
        rc = fd_sink(&f->fd, f->buf.s, f->buf.len);
    f->count += (long)f->buf.len;
    gstr_truncate(&f->buf, 0);
    return rc;
}

static int
out_sink(void *ctx, const char *p, size_t n)
{
    struct data_out *f = ctx;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r')
            continue;
        if (f->stuff && f->bol && p[i] == '.')
            gstr_addc(&f->buf, '.');
        if (p[i] == '\n')
            gstr_addc(&f->buf, '\r');
        gstr_addc(&f->buf, p[i]);
        f->bol = p[i] == '\n';
    }
    return f->buf.len >= 16384 ? out_flush(f) : 0;
}

static int
write_filtered(struct transport_call *c, struct data_out *f, const char *filter,
               int *err_no, gstr *err)
{
    char *cmd;
    int rc;

    if (transport_expand(c, filter, &cmd) < 0)
        return -2;
    rc = tpfilter_run(c, cmd, out_sink, f, err);
    if (rc == -2)
        return -1;
    if (rc < 0) {
        *err_no = SMTP_ERRNO_FILTER_FAIL;
        return -2;
    }
    if (!f->bol)
        gstr_adds(&f->buf, "\r\n");
    return out_flush(f);
}

/* The message to a memory file (through transport_filter if there is
 * one), the signatures, then both out. */
static int
write_signed(struct transport_call *c, struct data_out *f, const char *filter,
             long *sig_len, int *err_no, gstr *err)
{
    static const struct tp_write_opts raw = {NULL, NULL, NULL, NULL, 1};
    int fd = memfd_create("mxlab-dkim", MFD_CLOEXEC);
    const char *used;
    char buf[16384], *cmd;
    ssize_t n;
    gstr sigs;
    long count;
    int rc;

    if (fd < 0)
        return -1;
    gstr_init(&sigs, c->arena);
    if (filter != NULL) {
        if (transport_expand(c, filter, &cmd) < 0) {
            close(fd);
            return -2;
        }
        rc = tpfilter_run(c, cmd, fd_sink, &fd, err);
        if (rc < 0) {
            close(fd);
            if (rc == -2)
                return -1;
            *err_no = SMTP_ERRNO_FILTER_FAIL;
            return -2;
        }
    } else if (transport_write_message(c, fd, &raw, err) < 0) {
        close(fd);
        return -1;
    }
    count = c->bytes_written;
    used = NULL;
    if (dkim_transport_wanted(c) &&
        dkim_transport_sign(c, fd, &sigs, &used, err) < 0) {
        close(fd);
        *err_no = EACCES;
        return -2;
    }
    if (registry_arc_sign(c, fd, &sigs, err) < 0) {
        *err_no = errno;
        close(fd);
        return -3;
    }
    gstr_truncate(err, 0);
    if ((sigs.len > 0 && out_sink(f, sigs.s, sigs.len) < 0) ||
        lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    if (sig_len != NULL)
        *sig_len = f->count + (long)f->buf.len;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (out_sink(f, buf, (size_t)n) < 0) {
            n = -1;
            break;
        }
    close(fd);
    if (n < 0 || out_flush(f) < 0)
        return -1;
    c->bytes_written = count + (long)sigs.len;
    c->dkim_used = used;
    return 0;
}

int
smtp_data_write(struct transport_call *c, struct smtp_conn *conn, int timeout,
                int *err_no, gstr *err)
{
    static const struct tp_write_opts opts = {NULL, NULL, ".", "..", 1};
    const struct transport_generic *g = c->tp->generic;
    struct data_out f = {conn, timeout, {0}, 1, 1, -1, 0};
    struct timeval tv = {timeout, 0};

    gstr_init(&f.buf, c->arena);
    c->dkim_used = NULL;
    (void)setsockopt(conn->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (dkim_transport_wanted(c) || registry_arc_sign_wanted(c))
        return write_signed(c, &f, g->transport_filter, NULL, err_no, err);
    if (g->transport_filter != NULL)
        return write_filtered(c, &f, g->transport_filter, err_no, err);
    if (conn->tls != NULL)
        return smtp_tls_write_message(conn, c, &opts, err, timeout);
    return transport_write_message(c, conn->fd, &opts, err);
}

int
smtp_data_chunking_usable(const struct transport_call *c)
{
    const struct transport_generic *g = c->tp->generic;

    return g->transport_filter == NULL || dkim_transport_wanted(c);
}

int
smtp_data_render(struct transport_call *c, int fd, long *sig_len,
                 int *signed_msg, int *err_no, gstr *err)
{
    static const struct tp_write_opts opts = {NULL, NULL, NULL, NULL, 1};
    const struct transport_generic *g = c->tp->generic;
    struct data_out f = {NULL, 0, {0}, 1, 0, fd, 0};
    long sl = 0;
    int rc;

    gstr_init(&f.buf, c->arena);
    c->dkim_used = NULL;
    *sig_len = -1;
    *signed_msg = dkim_transport_wanted(c) || registry_arc_sign_wanted(c);
    if (*signed_msg) {
        rc = write_signed(c, &f, g->transport_filter, &sl, err_no, err);
        /* through a filter only the signatures are Exim's first chunk */
        if (rc == 0 && g->transport_filter != NULL)
            *sig_len = sl;
        return rc;
    }
    return transport_write_message(c, fd, &opts, err);
}
