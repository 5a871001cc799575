/*++
 * NAME
 *	io 3
 * SUMMARY
 *	buffered SMTP input and output with time-outs
 * SYNOPSIS
 *	#include "smtp/io.h"
 *
 *	void	smtp_io_init(struct smtp_io *io, struct arena *a, int in_fd,
 *				int out_fd, int timeout)
 *	void	smtp_io_set_deadline(struct smtp_io *io, long deadline)
 *	void	smtp_io_set_busy_poll(struct smtp_io *io, long limit_us)
 *	int	smtp_io_getline_cut(struct smtp_io *io, gstr *line,
 *				size_t max, enum io_eol *eol)
 *	int	smtp_io_getline(struct smtp_io *io, gstr *line, size_t max,
 *				enum io_eol *eol)
 *	int	smtp_io_read_bytes(struct smtp_io *io, gstr *out, size_t len)
 *	int	smtp_io_input_pending(struct smtp_io *io)
 *	void	smtp_io_printf(struct smtp_io *io, const char *fmt, ...)
 *	int	smtp_io_flush(struct smtp_io *io)
 *	int	smtp_io_flush_early(struct smtp_io *io)
 * DESCRIPTION
 *	The byte stream of one SMTP session: a socket, or stdin and stdout
 *	under -bs. Input is read in large blocks and handed out a line at
 *	a time; output is collected and sent by smtp_io_flush(), which the
 *	server calls whenever it must wait for the client (that is what
 *	makes pipelined replies go out together). smtp_io_flush_early()
 *	sends at once unless more input is already buffered, for a reply
 *	after which the server has more work of its own: the client reads
 *	the reply while that work is done.
 *
 *	Every read and every write waits at most the time-out given to
 *	smtp_io_init(), with poll(), or, for reads on a plain blocking
 *	socket without a session deadline, with the socket's SO_RCVTIMEO
 *	(one system call instead of two); a client that stops talking ends
 *	the session with IO_TIMEOUT instead of holding the process. On a
 *	socket a reply is sent without waiting first (MSG_DONTWAIT), and
 *	poll() waits only when the socket's buffer is full. A client
 *	that keeps talking, slowly, meets the deadline of
 *	smtp_io_set_deadline() (smtp_session_max_time): past it, no more
 *	input is taken, also IO_TIMEOUT, with io->expired set.
 *
 *	smtp_io_getline() reports how each line ended: CR LF, a bare LF,
 *	or not at all; a line longer than max is skipped to its end.
 *	smtp_io_getline_cut() (SMTP commands) stops there instead, as
 *	Exim, leaving the rest of the line to be read as the next one.
 *	A bare CR is kept inside the line; the DATA reader
 *	decides what it means. smtp_io_input_pending() tells whether the
 *	client has sent more than the server has read, which is how the
 *	synchronisation check catches a client that does not wait for
 *	replies.
 *
 *	With smtp_io_set_busy_poll(), such a plain read first polls the
 *	socket for up to limit_us microseconds (smtp/busypoll.c), when a
 *	CPU is spare and the client's last command came within eight times
 *	that of the wait's start (a client on the same machine; waking
 *	from a sleep takes time of its own). A new session takes its
 *	client as quick. A slower client ends the polling until it is
 *	quick again, so a client across a real network costs one poll
 *	a session, for its first command.
 *
 *	The read and write calls go through struct io_ops so that TLS can
 *	replace them after STARTTLS.
 * DIAGNOSTICS
 *	Status codes (enum io_status); errno is kept for IO_ERROR.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "smtp/busypoll.h"
#include "smtp/io.h"

#define IO_BUFFER       16384
#define IO_QUICK_FACTOR 8 /* see io_read_plain() */

void
smtp_io_init(struct smtp_io *io, struct arena *a, int in_fd, int out_fd,
             int timeout)
{
    memset(io, 0, sizeof(*io));
    io->in_fd = in_fd;
    io->out_fd = out_fd;
    io->timeout = timeout > 0 ? timeout : 300;
    io->in_size = IO_BUFFER;
    io->in = arena_alloc_raw(a, io->in_size);
    io->out = gstr_new(a);
    /* On a blocking socket the kernel can time a read out by itself,
     * which saves a poll() before every read of a plain session. */
    int fl = fcntl(in_fd, F_GETFL);
    struct timeval tv = {.tv_sec = io->timeout};
    io->read_waits =
        fl >= 0 && !(fl & O_NONBLOCK) &&
        setsockopt(in_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0;
}

/* Whether a read on the socket may be left to wait on its own: no TLS
 * layer, which needs poll() for what it holds, and no session deadline,
 * which can come before the time-out. */
static int
io_read_waits(const struct smtp_io *io)
{
    return io->read_waits && io->ops == NULL && io->deadline == 0;
}

void
smtp_io_set_deadline(struct smtp_io *io, long deadline)
{
    io->deadline = deadline;
    io->expired = 0;
}

/* Waits for fd to become ready; IO_OK, IO_TIMEOUT or IO_ERROR. */
static int
io_wait_until(int fd, short events, long until)
{
    switch (fd_wait_until(fd, events, until)) {
    case 1:
        return IO_OK;
    case 0:
        return IO_TIMEOUT;
    default:
        return IO_ERROR;
    }
}

static int
io_wait(int fd, short events, int timeout)
{
    return io_wait_until(fd, events, clock_ms() + (long)timeout * 1000);
}

/* Waits for input: the time-out, or the session's deadline if that
 * comes first (io->expired is then set). */
static int
io_wait_input(struct smtp_io *io)
{
    long until = clock_ms() + (long)io->timeout * 1000;
    int r;

    if (io->deadline > 0 && io->deadline < until) {
        r = io_wait_until(io->in_fd, POLLIN, io->deadline);
        if (r == IO_TIMEOUT)
            io->expired = 1;
        return r;
    }
    return io_wait_until(io->in_fd, POLLIN, until);
}

void
smtp_io_set_busy_poll(struct smtp_io *io, long limit_us)
{
    io->busy_poll_us = limit_us > 0 ? limit_us : 0;
    /* The first wait (for the EHLO after the banner) polls too: a
     * client across a network costs one poll, one on this machine
     * saves a wake-up. */
    io->client_quick = io->busy_poll_us > 0;
}

/* A read that waits on its own (io_read_waits()), polling first for a
 * quick client; each wait's length decides whether the next polls. */
static ssize_t
io_read_plain(struct smtp_io *io, void *buf, size_t len)
{
    long start;
    ssize_t n;

    if (io->busy_poll_us == 0)
        return read(io->in_fd, buf, len);
    start = clock_us();
    if (io->client_quick && busy_poll_cpu_spare()) {
        n = busy_poll_read(io->in_fd, buf, len, io->busy_poll_us);
        if (n >= 0 || errno != EAGAIN)
            return n;
    }
    n = read(io->in_fd, buf, len);
    /* Sleeping and being woken takes time of its own: a wait a few
     * times the polling time still shows a client on this machine. */
    io->client_quick = clock_us() - start <= io->busy_poll_us * IO_QUICK_FACTOR;
    return n;
}

static ssize_t
io_raw_read(struct smtp_io *io, void *buf, size_t len)
{
    if (io->ops != NULL)
        return io->ops->read(io->ops_ctx, buf, len);
    if (io_read_waits(io))
        return io_read_plain(io, buf, len);
    return read(io->in_fd, buf, len);
}

/* Refills the input buffer; IO_OK, IO_EOF, IO_TIMEOUT or IO_ERROR. */
static int
io_fill(struct smtp_io *io)
{
    ssize_t n;
    int r;

    if (io->eof)
        return IO_EOF;
    if (io->in_pos > 0 && io->in_pos == io->in_end)
        io->in_pos = io->in_end = 0;
    if (io->in_end == io->in_size) { /* compact */
        memmove(io->in, io->in + io->in_pos, io->in_end - io->in_pos);
        io->in_end -= io->in_pos;
        io->in_pos = 0;
    }
    for (;;) {
        if (io->deadline > 0 && clock_ms() >= io->deadline) {
            io->expired = 1; /* even if more is there to read */
            return IO_TIMEOUT;
        }
        if (io->ops == NULL || io->ops->pending(io->ops_ctx) == 0) {
            r = smtp_io_flush(io); /* never wait with replies unsent */
            if (r != IO_OK)
                return r;
            if (!io_read_waits(io) && (r = io_wait_input(io)) != IO_OK)
                return r;
        }
        n = io_raw_read(io, io->in + io->in_end, io->in_size - io->in_end);
        if (n > 0) {
            io->in_end += (size_t)n;
            io->bytes_in += (unsigned long)n;
            return IO_OK;
        }
        if (n == 0) {
            io->eof = 1;
            return IO_EOF;
        }
        if (errno == EAGAIN && io_read_waits(io))
            return IO_TIMEOUT; /* SO_RCVTIMEO ran out */
        if (errno == EINTR || errno == EAGAIN)
            continue;
        io->error = errno;
        return IO_ERROR;
    }
}

/* A line read up to its LF: drop a CR before it, say which ending. */
static int
line_ended(gstr *line, enum io_eol *eol)
{
    if (line->len > 0 && line->s[line->len - 1] == '\r') {
        gstr_truncate(line, line->len - 1);
        *eol = IO_EOL_CRLF;
    } else {
        *eol = IO_EOL_LF;
    }
    return IO_OK;
}

int
smtp_io_getline(struct smtp_io *io, gstr *line, size_t max, enum io_eol *eol)
{
    int too_long = 0;

    gstr_truncate(line, 0);
    *eol = IO_EOL_NONE;
    for (;;) {
        char *start = io->in + io->in_pos;
        size_t avail = io->in_end - io->in_pos;
        char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;

        if (!too_long) {
            if (line->len + take > max) {
                too_long = 1;
            } else {
                gstr_addn(line, start, take);
            }
        }
        if (nl != NULL) {
            io->in_pos += take + 1;
            if (too_long)
                return IO_TOO_LONG;
            return line_ended(line, eol);
        }
        io->in_pos += take;
        int r = io_fill(io);
        if (r == IO_EOF && (line->len > 0 || too_long))
            return too_long ? IO_TOO_LONG : IO_OK; /* last line, no end */
        if (r != IO_OK)
            return r;
    }
}

int
smtp_io_getline_cut(struct smtp_io *io, gstr *line, size_t max,
                    enum io_eol *eol)
{
    gstr_truncate(line, 0);
    *eol = IO_EOL_NONE;
    for (;;) {
        char *start = io->in + io->in_pos;
        size_t avail = io->in_end - io->in_pos;
        char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;

        if (line->len + take > max) {
            /* the byte after the first max is read and dropped */
            io->in_pos += max - line->len + 1;
            return IO_TOO_LONG;
        }
        gstr_addn(line, start, take);
        if (nl != NULL) {
            io->in_pos += take + 1;
            return line_ended(line, eol);
        }
        io->in_pos += take;
        int r = io_fill(io);
        if (r == IO_EOF && line->len > 0)
            return IO_OK; /* last line, no end */
        if (r != IO_OK)
            return r;
    }
}

int
smtp_io_getc(struct smtp_io *io)
{
    if (io->in_pos == io->in_end) {
        int r = io_fill(io);
        if (r != IO_OK)
            return r;
    }
    return (unsigned char)io->in[io->in_pos++];
}

void
smtp_io_take_text(struct smtp_io *io, gstr *out)
{
    const char *p = io->in + io->in_pos;
    const char *lf = memchr(p, '\n', io->in_end - io->in_pos);
    size_t i = lf != NULL ? (size_t)(lf - p) : io->in_end - io->in_pos;
    const char *cr = memchr(p, '\r', i);

    if (cr != NULL)
        i = (size_t)(cr - p);
    gstr_addn(out, p, i);
    io->in_pos += i;
}

int
smtp_io_read_bytes(struct smtp_io *io, gstr *out, size_t len)
{
    while (len > 0) {
        size_t avail = io->in_end - io->in_pos;

        if (avail == 0) {
            int r = io_fill(io);
            if (r != IO_OK)
                return r;
            continue;
        }
        size_t take = avail < len ? avail : len;
        gstr_addn(out, io->in + io->in_pos, take);
        io->in_pos += take;
        len -= take;
    }
    return IO_OK;
}

/* Whether input the client sent is held in the process already: in the
 * buffer, or in the TLS layer. */
static int
io_input_held(struct smtp_io *io)
{
    return io->in_pos < io->in_end ||
           (io->ops != NULL && io->ops->pending(io->ops_ctx) > 0);
}

int
smtp_io_input_pending(struct smtp_io *io)
{
    struct pollfd p;

    if (io_input_held(io))
        return 1;
    if (io->eof)
        return 0;
    p.fd = io->in_fd;
    p.events = POLLIN;
    p.revents = 0;
    return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int
smtp_io_flush_early(struct smtp_io *io)
{
    return io_input_held(io) ? IO_OK : smtp_io_flush(io);
}

void
smtp_io_discard_input(struct smtp_io *io)
{
    io->in_pos = io->in_end = 0;
}

void
smtp_io_write(struct smtp_io *io, const char *p, size_t n)
{
    gstr_addn(io->out, p, n);
}

void
smtp_io_printf(struct smtp_io *io, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gstr_vprintf(io->out, fmt, ap);
    va_end(ap);
}

int
smtp_io_flush(struct smtp_io *io)
{
    size_t off = 0;
    /* A reply almost always fits in a socket's buffer: it is sent without
     * waiting (the socket stays blocking), and poll() waits, bounded by
     * the time-out, only when the buffer is full. A pipe (-bs) is waited
     * for before each write, which could otherwise block for ever. */
    int wait = io->out_pipe;

    while (off < io->out->len) {
        const char *p = io->out->s + off;
        size_t len = io->out->len - off;
        ssize_t n;

        if (wait && io->ops == NULL) {
            int r = io_wait(io->out_fd, POLLOUT, io->timeout);
            if (r != IO_OK) {
                gstr_truncate(io->out, 0);
                return r;
            }
        }
        if (io->ops != NULL)
            n = io->ops->write(io->ops_ctx, p, len);
        else if (io->out_pipe)
            n = write(io->out_fd, p, len);
        else
            n = send(io->out_fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK && !io->out_pipe) {
            io->out_pipe = wait = 1;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wait = 1;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            io->error = errno;
            gstr_truncate(io->out, 0);
            return IO_ERROR;
        }
        off += (size_t)n;
        wait = io->out_pipe;
    }
    gstr_truncate(io->out, 0);
    return IO_OK;
}
