/*++
 * NAME
 *	smtp_bdat 3
 * SUMMARY
 *	the smtp transport: a transaction with BDAT (CHUNKING, RFC 3030)
 * SYNOPSIS
 *	#include "transport/smtp_run_int.h"
 *	#include "transport/smtp_bdat.h"
 *
 *	int	smtp_bdat_transaction(struct smtp_sess *s,
 *				const struct smtp_tx *t)
 *	size_t	smtp_bdat_plan(const char *head, long head_len,
 *				int byte_units, long total, long *sizes,
 *				size_t max)
 * DESCRIPTION
 *	When the server offers CHUNKING and the host is in
 *	hosts_try_chunking (default "*"), smtp_transaction.c hands each
 *	transaction here; as in Exim, not when the message goes through
 *	transport_filter without being DKIM-signed (then DATA is used).
 *
 *	The message is made first (smtp_data_render(): CRLF line ends,
 *	no dot-stuffing, no final dot), then sent in the chunks Exim
 *	sends (smtp_bdat_plan()): the whole message in one "BDAT n LAST"
 *	when it is at most 8192 bytes; else a first chunk with the
 *	headers (signatures included; only the signatures when a filtered
 *	message was signed) and a "BDAT n LAST" with the rest; headers
 *	longer than Exim's 8 KB buffer go in chunks of 8191 or 8192 bytes
 *	before that.
 *
 *	Under PIPELINING, MAIL, the RCPTs and the first BDAT with its data
 *	go in one flight, and their replies are read after it, then the
 *	chunk's. Without it, MAIL and each RCPT wait for their replies
 *	first, and no BDAT is sent when no RCPT was accepted. Each chunk's
 *	reply is awaited before the next chunk, for command_timeout (the
 *	last one's for final_timeout); the data is written within
 *	data_timeout.
 *
 *	The reply to BDAT LAST is the message's: a 2xx delivers the
 *	accepted addresses (flagged for " K" on the delivery line, with
 *	the reply as the confirmation C="...").
 * DIAGNOSTICS
 *	Exim's wording, which names the data stage rather than BDAT: a
 *	refused last chunk, or a MAIL refused or an RCPT reply lost in a
 *	pipelined flight that ended the message, is "SMTP error from
 *	remote mail server after [pipelined ]end of data: <reply>"; a
 *	refused earlier chunk is "... after [pipelined ]sending data
 *	block: <reply>" ("pipelined " while the flight's replies are not
 *	all read). 5xx fails the open addresses, 4xx defers them (errno
 *	-46, -45 for a refused MAIL). A time-out or a closed connection
 *	after the end of data defers them as a message error ("SMTP
 *	timeout after end of data (N bytes written)", "Remote host closed
 *	connection in response to end of data"); while sending data, it
 *	is a host error: every open address defers and the connection is
 *	given up. After a refused chunk the next transaction on the
 *	connection starts with RSET.
 *--*/

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "transport/smtp.h"
#include "transport/smtp_bdat.h"
#include "transport/smtp_client.h"
#include "transport/smtp_data.h"
#include "transport/smtp_run_int.h"
#include "transport/tpcall.h"
#include "transport/transport.h"

#define STAGE_SENDING "sending data block"
#define STAGE_END     "end of data"

/* The message as it goes out, and its chunks. */
struct bdat_msg {
    int fd;
    long total;
    long *sizes;
    size_t n;
};

size_t
smtp_bdat_plan(const char *head, long head_len, int byte_units, long total,
               long *sizes, size_t max)
{
    size_t n = 0;
    long start = 0, len = head_len, rest;

    if (head != NULL) {
        /* Exim's buffer is written out (a chunk) when it holds more than
         * 8190 bytes before the next step is added */
        len = 0;
        for (long i = 0; i < head_len;) {
            long step = !byte_units && head[i] == '\r' && i + 1 < head_len &&
                                head[i + 1] == '\n'
                            ? 2
                            : 1;
            if (len > SMTP_BDAT_BUFFER - 2) {
                if (n + 2 > max)
                    return 0;
                sizes[n++] = len;
                start += len;
                len = 0;
            }
            len += step;
            i += step;
        }
    }
    rest = total - start;
    if (rest > SMTP_BDAT_BUFFER && len > 0) {
        if (n + 2 > max)
            return 0;
        sizes[n++] = len;
        rest -= len;
    }
    if (n + 1 > max)
        return 0;
    sizes[n++] = rest;
    return n;
}

/* The bytes up to and with the blank line after the headers, read into
 * *head; their length. */
static long
head_read(struct arena *a, int fd, long total, char **head)
{
    gstr g;
    char buf[16384];
    ssize_t r;

    gstr_init(&g, a);
    while (g.len < (size_t)total &&
           (r = pread(fd, buf, sizeof(buf), (off_t)g.len)) > 0) {
        size_t from = g.len > 3 ? g.len - 3 : 0;
        char *end;
        gstr_addn(&g, buf, (size_t)r);
        if (g.len >= 2 && memcmp(g.s, "\r\n", 2) == 0) {
            *head = g.s;
            return 2;
        }
        end = memmem(g.s + from, g.len - from, "\r\n\r\n", 4);
        if (end != NULL) {
            *head = g.s;
            return end + 4 - g.s;
        }
    }
    *head = (char *)gstr_str(&g);
    return (long)g.len;
}

/* Makes the message and its chunks. 0; -1 for an I/O error (errno);
 * -2 when it could not be made (the addresses have their results). */
static int
bdat_prepare(struct smtp_sess *s, struct bdat_msg *m)
{
    const struct transport_generic *g = s->c->tp->generic;
    long sig_len, head_len;
    int e = 0, signed_msg = 0, rc;
    char *head = NULL;
    gstr err;
    size_t max;

    if ((m->fd = memfd_create("mxlab-bdat", MFD_CLOEXEC)) < 0)
        return -1;
    gstr_init(&err, s->a);
    rc = smtp_data_render(s->c, m->fd, &sig_len, &signed_msg, &e, &err);
    if ((rc = smtp_tx_data_failed(s, rc, e, &err)) < 0)
        return rc;
    if ((m->total = lseek(m->fd, 0, SEEK_END)) < 0)
        return -1;
    if (sig_len >= 0)
        head_len = sig_len;
    else if (g->body_only)
        head_len = 0;
    else
        head_len = head_read(s->a, m->fd, m->total, &head);
    max = (size_t)(head_len / (SMTP_BDAT_BUFFER - 2)) + 3;
    m->sizes = arena_alloc(s->a, max * sizeof(*m->sizes));
    m->n = smtp_bdat_plan(sig_len >= 0 ? NULL : head, head_len, signed_msg,
                          m->total, m->sizes, max);
    if (m->n == 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* len bytes of the message from off to the server. 0, or -1 with
 * errno. */
static int
bdat_send_data(struct smtp_sess *s, const struct bdat_msg *m, long off,
               long len)
{
    char buf[16384];

    while (len > 0) {
        size_t want = len < (long)sizeof(buf) ? (size_t)len : sizeof(buf);
        ssize_t r = pread(m->fd, buf, want, (off_t)off);
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            return -1;
        }
        if (smtp_conn_write(&s->conn, buf, (size_t)r, s->ob->data_timeout) < 0)
            return -1;
        s->c->bytes_written += r; /* Exim's transport_count: data only */
        off += r;
        len -= r;
    }
    return 0;
}

/* A failed write of a command or data: a host error. */
static int
bdat_write_failed(struct smtp_sess *s, int err)
{
    s->cmd = STAGE_SENDING;
    s->reply.len = 0;
    smtp_tx_session_error(s, err == EAGAIN ? ETIMEDOUT : err);
    return -1;
}

/* The message failed at this host (err); a reply that did not come
 * (code < 0) also ends the connection: -1. */
static int
message_failed(struct smtp_sess *s, const struct smtp_tx *t, int code, int err)
{
    smtp_tx_message_error(s, t->batch, t->nb, err);
    if (code < 0) {
        s->dead = 1;
        return -1;
    }
    return 0;
}

/* MAIL was refused, or its reply did not come; discard: the replies
 * still to read in a pipelined flight. */
static int
bdat_mail_failed(struct smtp_sess *s, const struct smtp_tx *t, int code,
                 size_t discard)
{
    int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_MAIL4XX : 0;

    /* as Exim, a time-out is a message error after MAIL or the end of
     * data, a host error while data is still to be sent */
    if (code < 0 && (err != ETIMEDOUT || strcmp(s->cmd, STAGE_SENDING) == 0)) {
        smtp_tx_session_error(s, err);
        return -1;
    }
    if (message_failed(s, t, code, err) < 0)
        return -1;
    for (size_t i = 0; i < discard; i++)
        if (smtp_read_reply(s, s->ob->command_timeout) < 0) {
            s->dead = 1;
            return -1;
        }
    s->need_rset = 1;
    return 0;
}

/* A chunk was refused, or its reply did not come. As Exim: after the
 * end of data a message error; before it, a lost reply is a host
 * error. */
static int
bdat_chunk_failed(struct smtp_sess *s, const struct smtp_tx *t, int code,
                  int last)
{
    int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_DATA4XX : 0;

    if (code < 0 && !last) {
        smtp_tx_session_error(s, err);
        return -1;
    }
    if (message_failed(s, t, code, err) < 0)
        return -1;
    s->need_rset = 1; /* sent before the next MAIL, if any */
    return 0;
}

/* RCPTs that got "452 too many recipients" after others went through
 * (smtp_tx_read_rcpts() leaves them open with the reply): Exim, which
 * reads the RCPT replies only after the message under CHUNKING, has
 * already chosen the next batch then, so they are not sent again on
 * this connection but deferred with the reply (errno 0). */
static void
too_many_deferred(const struct smtp_tx *t)
{
    for (size_t i = 0; i < t->nb; i++) {
        struct address *a = t->batch[i];
        if (a->result == ADDR_PENDING && a->message != NULL) {
            a->result = ADDR_DEFER;
            a->basic_errno = 0;
        }
    }
}

/* Without PIPELINING: MAIL and the RCPTs, each awaiting its reply. 1
 * to go on with the data; 0 when the transaction is over (nothing
 * accepted); -1 when the session is. */
static int
bdat_envelope(struct smtp_sess *s, const struct smtp_tx *t)
{
    int code, n;

    s->pipe_active = 0;
    s->cmd = t->mail;
    if (smtp_send_cmd(s, arena_printf(s->a, "%s\r\n", t->mail)) < 0) {
        smtp_tx_session_error(s, errno);
        return -1;
    }
    code = smtp_read_reply(s, s->ob->command_timeout);
    if (code / 100 != 2)
        return bdat_mail_failed(s, t, code, 0) < 0 ? -1 : 0;
    n = smtp_tx_read_rcpts(s, t->batch, t->nb, t->accepted, t->cmds);
    if (n < 0)
        return -1;
    if (n == 0) {
        s->need_rset = 1;
        return 0;
    }
    return 1;
}

/* The chunks, each with its reply; under PIPELINING the first goes
 * with MAIL and the RCPTs, whose replies are read before its own. */
static int
bdat_send_chunks(struct smtp_sess *s, const struct smtp_tx *t,
                 const struct bdat_msg *m)
{
    long off = 0;

    s->c->bytes_written = 0;
    s->pipe_active = s->pipelining;
    for (size_t i = 0; i < m->n; i++) {
        int last = i + 1 == m->n, flight = i == 0 && s->pipelining, code;
        char *cmd = arena_printf(s->a, "BDAT %ld%s\r\n", m->sizes[i],
                                 last ? " LAST" : "");
        gstr *out = t->pipe_out;

        if (flight)
            gstr_adds(out, cmd);
        if ((flight ? smtp_conn_write(&s->conn, out->s, out->len,
                                      s->ob->command_timeout)
                    : smtp_send_cmd(s, cmd)) < 0 ||
            bdat_send_data(s, m, off, m->sizes[i]) < 0)
            return bdat_write_failed(s, errno);
        off += m->sizes[i];
        s->data_stage = s->cmd = last ? STAGE_END : STAGE_SENDING;
        if (flight) {
            code = smtp_read_reply(s, s->ob->command_timeout);
            if (code / 100 != 2)
                return bdat_mail_failed(s, t, code, t->nb + 1);
            if (smtp_tx_read_rcpts(s, t->batch, t->nb, t->accepted, t->cmds) <
                0)
                return -1;
        }
        code = smtp_read_reply(s, last ? s->ob->final_timeout
                                       : s->ob->command_timeout);
        if (code / 100 != 2)
            return bdat_chunk_failed(s, t, code, last);
        s->pipe_active = 0;
    }
    smtp_tx_delivered(s, t->batch, t->nb, t->accepted);
    too_many_deferred(t);
    return 0;
}

int
smtp_bdat_transaction(struct smtp_sess *s, const struct smtp_tx *t)
{
    struct bdat_msg m = {-1, 0, NULL, 0};
    int rc;

    s->data_stage = NULL;
    if (!s->pipelining && (rc = bdat_envelope(s, t)) <= 0)
        return rc;
    rc = bdat_prepare(s, &m);
    if (rc == -2) { /* the message could not be made */
        s->dead = 1;
    } else if (rc < 0) {
        rc = bdat_write_failed(s, errno);
    } else {
        rc = bdat_send_chunks(s, t, &m);
    }
    if (m.fd >= 0)
        close(m.fd);
    s->data_stage = NULL;
    return rc < 0 ? -1 : 0;
}
