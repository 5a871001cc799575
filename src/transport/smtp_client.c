/*++
 * NAME
 *	smtp_client 3
 * SUMMARY
 *	the wire side of an outgoing SMTP connection
 * SYNOPSIS
 *	#include "transport/smtp_client.h"
 *
 *	int	smtp_conn_open(struct smtp_conn *s, struct arena *a,
 *			const char *ip, int port, int timeout)
 *	void	smtp_conn_close(struct smtp_conn *s)
 *	int	smtp_conn_write(struct smtp_conn *s, const char *text,
 *			size_t n, int timeout)
 *	int	smtp_conn_read_reply(struct smtp_conn *s, int timeout,
 *			gstr *reply)
 *	int	smtp_conn_pending(const struct smtp_conn *s)
 * DESCRIPTION
 *	smtp_conn_open() makes a TCP connection to an IPv4 or IPv6
 *	address, giving up after timeout seconds (Exim's
 *	connect_timeout). The socket stays blocking afterwards; every
 *	read and write is bounded by poll(). The local address and port
 *	of the connection are kept in local_ip and local_port.
 *
 *	smtp_conn_read_reply() reads one SMTP reply: lines up to one
 *	whose fourth character is not "-". The lines are kept without
 *	their CRLF, joined by newlines, as Exim keeps a reply in its
 *	buffer. smtp_conn_pending() says whether bytes were read that no
 *	reply has taken yet (a server that talks out of turn).
 * DIAGNOSTICS
 *	-1 with errno: the system's, ETIMEDOUT for a time-out, 0 for a
 *	connection the peer closed, SMTP_ERRNO_SMTPFORMAT for a reply
 *	line without a three-digit code.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/deadline.h"
#include "transport/smtp_client.h"
#include "transport/smtp_tls.h"

/* Our address and port on the connection (Exim's sending_ip_address
 * and sending_port). */
static void
note_local_end(struct smtp_conn *s)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    const void *addr = NULL;

    s->local_ip[0] = '\0';
    if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0)
        return;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
        addr = &s6->sin6_addr;
        s->local_port = ntohs(s6->sin6_port);
    } else if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
        addr = &s4->sin_addr;
        s->local_port = ntohs(s4->sin_port);
    }
    if (addr == NULL ||
        inet_ntop(ss.ss_family, addr, s->local_ip, sizeof(s->local_ip)) == NULL)
        s->local_ip[0] = '\0';
}

int
smtp_conn_open(struct smtp_conn *s, struct arena *a, const char *ip, int port,
               int timeout)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, err, flags;
    socklen_t elen = sizeof(err);

    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->a = a;
    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':') != NULL) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        sl = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1) {
            errno = EINVAL;
            return -1;
        }
        sl = sizeof(*s4);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        if (errno != EINPROGRESS) {
            err = errno;
            close(fd);
            errno = err;
            return -1;
        }
        if (fd_wait_until(fd, POLLOUT, clock_ms() + (long)timeout * 1000) <=
            0) {
            close(fd);
            errno = ETIMEDOUT;
            return -1;
        }
        /* ECONNRESET: the connection was made and the peer reset it
         * before we looked; the read of the greeting meets that, as
         * after a blocking connect (Exim's), not the connect. */
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ||
            (err != 0 && err != ECONNRESET)) {
            close(fd);
            errno = err ? err : ECONNREFUSED;
            return -1;
        }
    }
    (void)fcntl(fd, F_SETFL, flags);
    /* Commands and data go out in whole buffers; without this the final
     * dot, written after the data, waited for the server's delayed
     * acknowledgement of the data (Nagle's algorithm): up to 40 ms a
     * message. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
    s->fd = fd;
    note_local_end(s);
    return 0;
}

void
smtp_conn_close(struct smtp_conn *s)
{
    smtp_tls_close(s);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

int
smtp_conn_write(struct smtp_conn *s, const char *text, size_t n, int timeout)
{
    long deadline = clock_ms() + (long)timeout * 1000;
    size_t off = 0;

    if (s->tls != NULL)
        return smtp_tls_write(s, text, n, deadline) < 0 ? -1 : 0;
    while (off < n) {
        ssize_t w;
        int r = fd_wait_until(s->fd, POLLOUT, deadline);
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0)
            return -1;
        w = send(s->fd, text + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w < 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* One line into line, without its line end and the white space before
 * it (as Exim). room is what is left of the reply's buffer: as in
 * Exim, a line that would leave fewer than 4 bytes of it is malformed,
 * and what was read of it is kept. 0, or -1 with errno. */
static int
read_line(struct smtp_conn *s, long deadline, size_t room, gstr *line)
{
    gstr_truncate(line, 0);
    for (;;) {
        while (s->pos < s->len) {
            char c = s->buf[s->pos++];
            if (c == '\n') {
                while (line->len > 0 &&
                       isspace((unsigned char)line->s[line->len - 1]))
                    gstr_truncate(line, line->len - 1);
                return 0;
            }
            gstr_addc(line, c);
            if (line->len + 4 > room) {
                errno = SMTP_ERRNO_SMTPFORMAT;
                return -1;
            }
        }
        ssize_t n;
        int r;
        if (s->tls != NULL &&
            (n = smtp_tls_read(s, s->buf, sizeof(s->buf))) >= 0)
            goto got;
        if (s->tls != NULL && errno != EAGAIN)
            return -1;
        r = fd_wait_until(s->fd, POLLIN, deadline);
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0)
            return -1;
        if (s->tls != NULL)
            continue; /* readable: TLS reads it */
        n = recv(s->fd, s->buf, sizeof(s->buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -1;
    got:
        if (n == 0) {
            errno = 0;
            return -1;
        }
        s->pos = 0;
        s->len = (size_t)n;
    }
}

int
smtp_conn_read_reply(struct smtp_conn *s, int timeout, gstr *reply)
{
    long deadline = clock_ms() + (long)timeout * 1000;
    size_t room = SMTP_REPLY_MAX;
    gstr line;
    int code = -1;

    gstr_init(&line, s->a);
    gstr_truncate(reply, 0);
    for (;;) {
        const char *l;
        int rc = read_line(s, deadline, room, &line);
        if (rc < 0 && errno != SMTP_ERRNO_SMTPFORMAT)
            return -1;
        l = line.s;
        if (reply->len > 0)
            gstr_addc(reply, '\n');
        gstr_addn(reply, l, line.len);
        if (rc < 0) /* over-long: the reply as far as it was read */
            return -1;
        room -= line.len + 1;
        if (line.len < 3 || l[0] < '1' || l[0] > '5' || l[1] < '0' ||
            l[1] > '9' || l[2] < '0' || l[2] > '9' ||
            (line.len > 3 && l[3] != ' ' && l[3] != '-')) {
            errno = SMTP_ERRNO_SMTPFORMAT;
            return -1;
        }
        code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
        if (line.len == 3 || l[3] == ' ')
            return code;
    }
}

int
smtp_conn_pending(const struct smtp_conn *s)
{
    return s->pos < s->len;
}
