/*++
 * NAME
 *	fake_conn 3
 * SUMMARY
 *	one peer connection: timed, recorded line and byte I/O
 * SYNOPSIS
 *	#include "fake_conn.h"
 *
 *	void	fake_conn_init(struct fake_conn *c, int fd, unsigned long id,
 *				int timeout_ms, const struct fake_fault *fault)
 *	int	fake_conn_read_line(struct fake_conn *c,
 *				struct fake_buf *line, size_t max)
 *	int	fake_conn_read_bytes(struct fake_conn *c,
 *				struct fake_buf *out, size_t n)
 *	int	fake_conn_write(struct fake_conn *c, const char *data,
 *				size_t len)
 *	int	fake_conn_send(struct fake_conn *c, const char *data,
 *				size_t len)
 *	int	fake_conn_send_last(struct fake_conn *c, const char *data,
 *				size_t len, const char *why)
 *	size_t	fake_conn_discard_input(struct fake_conn *c)
 *	int	fake_conn_drain(struct fake_conn *c)
 *	void	fake_conn_end(struct fake_conn *c, int why)
 *	void	fake_conn_close(struct fake_conn *c)
 * DESCRIPTION
 *	A fake_conn is the accepted socket (made non-blocking), its input
 *	buffer, its TLS state once a session started TLS (see fake_tls),
 *	the connection number for the transcript, the I/O time-out and
 *	the server-wide fault mode. Every read and write waits at most
 *	timeout_ms for the peer, and a SIGTERM ends the wait.
 *
 *	fake_conn_read_line() reads one line into line (replacing what was
 *	there), with its line ending (LF or CRLF) if it had one, and
 *	records it in the transcript. A line longer than max is cut to
 *	max bytes; the rest, up to its LF, is read and dropped.
 *
 *	fake_conn_read_bytes() appends exactly n bytes (BDAT chunks, say)
 *	to out and records them line by line.
 *
 *	fake_conn_write() sends bytes unrecorded; fake_conn_send() sends
 *	and records them as '>' lines. fake_conn_send_last() does that for
 *	the last reply before the fake closes (a 221 to QUIT, a 421): it
 *	records the close (the event why) before it sends, so the transcript of
 *a client that reconnects at once still lists this connection's end first.
 *
 *	fake_conn_discard_input() drops what the peer sent that was not
 *	read yet, records it as received lines and says how much it was
 *	(input that came in before a TLS handshake must not be taken as
 *	coming through TLS).
 *
 *	fake_conn_drain() reads and records what the peer sends until it
 *	closes, the time-out or a SIGTERM: how a fake hangs. When the peer
 *	closes (records it) it keeps its own side open until the time-out
 *	or a SIGTERM, as a silent server would: a client that shut down
 *	its sending side after a pipelined QUIT (as Exim does after the
 *	final dot) must meet its own time-out, not an end of file.
 *
 *	fake_conn_end() records why a session ended (one of the FAKE_IO_
 *	results) as an event, once; fake_conn_close() closes the connection.
 * DIAGNOSTICS
 *	The I/O functions return FAKE_IO_OK or FAKE_IO_EOF (the peer
 *	closed; a partial line is still returned and recorded),
 *	FAKE_IO_TIMEOUT, FAKE_IO_TERM (SIGTERM), FAKE_IO_ERROR (errno in
 *	io_errno) or, for an over-long line, FAKE_IO_TOOLONG.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "fake_conn.h"
#include "fake_transcript.h"
#include "fake_wait.h"

void
fake_conn_init(struct fake_conn *c, int fd, unsigned long id, int timeout_ms,
               const struct fake_fault *fault)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->id = id;
    c->timeout_ms = timeout_ms;
    c->fault = *fault;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int
fake_conn_wait(struct fake_conn *c, short events, long long deadline)
{
    switch (fake_wait_fd(c->fd, events, deadline)) {
    case FAKE_WAIT_READY:
        return FAKE_IO_OK;
    case FAKE_WAIT_TIMEOUT:
        return FAKE_IO_TIMEOUT;
    }
    return FAKE_IO_TERM;
}

/* One read of whatever is there (plain or TLS), waiting for it. */
static int
fake_conn_fill(struct fake_conn *c)
{
    long long deadline = fake_now_ms() + c->timeout_ms;
    size_t room;
    ssize_t n;
    int rc, err;

    if (c->in_off > 0) {
        memmove(c->in, c->in + c->in_off, c->in_len);
        c->in_off = 0;
    }
    room = sizeof(c->in) - c->in_len;
    for (;;) {
        short want = POLLIN;

        if (c->ssl) {
            ERR_clear_error();
            rc = SSL_read(c->ssl, c->in + c->in_len, (int)room);
            if (rc > 0) {
                c->in_len += (size_t)rc;
                return FAKE_IO_OK;
            }
            err = SSL_get_error(c->ssl, rc);
            if (err == SSL_ERROR_ZERO_RETURN)
                return FAKE_IO_EOF;
            if (err == SSL_ERROR_WANT_WRITE)
                want = POLLOUT;
            else if (err != SSL_ERROR_WANT_READ) {
                c->io_errno = errno ? errno : EPROTO;
                return err == SSL_ERROR_SYSCALL && errno == 0 ? FAKE_IO_EOF
                                                              : FAKE_IO_ERROR;
            }
        } else {
            n = read(c->fd, c->in + c->in_len, room);
            if (n > 0) {
                c->in_len += (size_t)n;
                return FAKE_IO_OK;
            }
            if (n == 0)
                return FAKE_IO_EOF;
            if (errno != EAGAIN && errno != EINTR) {
                c->io_errno = errno;
                return FAKE_IO_ERROR;
            }
        }
        if ((rc = fake_conn_wait(c, want, deadline)) != FAKE_IO_OK)
            return rc;
    }
}

int
fake_conn_read_line(struct fake_conn *c, struct fake_buf *line, size_t max)
{
    char *nl;
    size_t take;
    int rc, toolong = 0;

    fake_buf_reset(line);
    for (;;) {
        nl = memchr(c->in + c->in_off, '\n', c->in_len);
        take = nl ? (size_t)(nl - (c->in + c->in_off)) + 1 : c->in_len;
        if (line->len + take > max) {
            toolong = 1;
            if (line->len < max)
                fake_buf_append(line, c->in + c->in_off, max - line->len);
        } else
            fake_buf_append(line, c->in + c->in_off, take);
        c->in_off += take;
        c->in_len -= take;
        if (nl)
            break;
        if ((rc = fake_conn_fill(c)) != FAKE_IO_OK) {
            if (line->len > 0) {
                fake_transcript_line(c->id, FAKE_TR_RECV, line->data,
                                     line->len);
                fake_transcript_event(c->id, "no end of line");
            }
            return rc;
        }
    }
    fake_transcript_line(c->id, FAKE_TR_RECV, line->data, line->len);
    if (toolong) {
        fake_transcript_event(c->id, "line longer than %zu octets, cut", max);
        return FAKE_IO_TOOLONG;
    }
    return FAKE_IO_OK;
}

int
fake_conn_read_bytes(struct fake_conn *c, struct fake_buf *out, size_t n)
{
    size_t start = out->len, take;
    int rc;

    while (n > 0) {
        if (c->in_len == 0 && (rc = fake_conn_fill(c)) != FAKE_IO_OK) {
            fake_transcript_lines(c->id, FAKE_TR_RECV, out->data + start,
                                  out->len - start);
            return rc;
        }
        take = c->in_len < n ? c->in_len : n;
        fake_buf_append(out, c->in + c->in_off, take);
        c->in_off += take;
        c->in_len -= take;
        n -= take;
    }
    fake_transcript_lines(c->id, FAKE_TR_RECV, out->data + start,
                          out->len - start);
    return FAKE_IO_OK;
}

int
fake_conn_write(struct fake_conn *c, const char *data, size_t len)
{
    long long deadline = fake_now_ms() + c->timeout_ms;
    ssize_t n;
    int rc, err;

    while (len > 0) {
        short want = POLLOUT;

        if (c->ssl) {
            ERR_clear_error();
            rc = SSL_write(c->ssl, data, (int)(len > 65536 ? 65536 : len));
            n = rc;
            if (rc <= 0) {
                err = SSL_get_error(c->ssl, rc);
                if (err == SSL_ERROR_WANT_READ)
                    want = POLLIN;
                else if (err != SSL_ERROR_WANT_WRITE) {
                    c->io_errno = errno ? errno : EPROTO;
                    return FAKE_IO_ERROR;
                }
            }
        } else {
            n = write(c->fd, data, len);
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                c->io_errno = errno;
                return FAKE_IO_ERROR;
            }
        }
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if ((rc = fake_conn_wait(c, want, deadline)) != FAKE_IO_OK)
            return rc;
    }
    return FAKE_IO_OK;
}

int
fake_conn_send(struct fake_conn *c, const char *data, size_t len)
{
    fake_transcript_lines(c->id, FAKE_TR_SENT, data, len);
    return fake_conn_write(c, data, len);
}

int
fake_conn_send_last(struct fake_conn *c, const char *data, size_t len,
                    const char *why)
{
    fake_transcript_lines(c->id, FAKE_TR_SENT, data, len);
    fake_transcript_event(c->id, "%s", why);
    c->ended = 1;
    return fake_conn_write(c, data, len);
}

size_t
fake_conn_discard_input(struct fake_conn *c)
{
    size_t n = c->in_len;

    fake_transcript_lines(c->id, FAKE_TR_RECV, c->in + c->in_off, n);
    c->in_off = c->in_len = 0;
    return n;
}

int
fake_conn_drain(struct fake_conn *c)
{
    struct fake_buf line;
    int rc;

    fake_buf_init(&line);
    while ((rc = fake_conn_read_line(c, &line, 65536)) == FAKE_IO_OK ||
           rc == FAKE_IO_TOOLONG)
        ;
    fake_buf_free(&line);
    if (rc == FAKE_IO_EOF) {
        fake_conn_end(c, rc);
        (void)fake_sleep_ms(c->timeout_ms);
    }
    return rc;
}

void
fake_conn_end(struct fake_conn *c, int why)
{
    if (c->ended)
        return;
    c->ended = 1;
    switch (why) {
    case FAKE_IO_EOF:
        fake_transcript_event(c->id, "closed by the peer");
        break;
    case FAKE_IO_TIMEOUT:
        fake_transcript_event(c->id, "timed out after %d ms, closing",
                              c->timeout_ms);
        break;
    case FAKE_IO_TERM:
        fake_transcript_event(c->id, "terminated (SIGTERM), closing");
        break;
    case FAKE_IO_ERROR:
        fake_transcript_event(c->id, "I/O error: %s", strerror(c->io_errno));
        break;
    default:
        fake_transcript_event(c->id, "closed");
        break;
    }
}

void
fake_conn_close(struct fake_conn *c)
{
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}
