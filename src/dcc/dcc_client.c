/*++
 * NAME
 *	dcc_client 3
 * SUMMARY
 *	one exchange with dccifd
 * SYNOPSIS
 *	#include "dcc/dcc_client.h"
 *
 *	int	dcc_addr_parse(const char *text, struct arena *a,
 *				struct dcc_addr *addr)
 *	enum dcc_io dcc_client_exchange(const struct dcc_addr *addr,
 *				const struct dcc_request *req, int timeout,
 *				gstr *answer, int *err_no)
 * DESCRIPTION
 *	dcc_addr_parse() reads dccifd_address as Exim does: a value that
 *	starts with "/" is a unix-domain socket; anything else must be a
 *	host and a port separated by blanks. Exim takes an IPv4 address or
 *	a name there; mxlab also takes an IPv6 address (an extension).
 *
 *	dcc_client_exchange() makes one connection (dccifd serves one
 *	message per connection), writes the request head, the header
 *	lines and then the body from the spool file, half-closes the
 *	connection (dccifd answers only then) and reads the answer until
 *	dccifd closes. The whole exchange must end within timeout
 *	seconds: dccifd_timeout, an mxlab addition (Exim waits for ever).
 * DIAGNOSTICS
 *	dcc_addr_parse() returns -1 for a value that is neither form.
 *	dcc_client_exchange() says which step failed; *err_no holds the
 *	errno of that step (0 for a time-out).
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "dcc/dcc_client.h"

int
dcc_addr_parse(const char *text, struct arena *a, struct dcc_addr *addr)
{
    const char *p = text, *h, *q;
    char *end;
    unsigned long port;

    memset(addr, 0, sizeof(*addr));
    if (text == NULL || *text == '\0')
        return -1;
    if (text[0] == '/') {
        if (strlen(text) >= sizeof(((struct sockaddr_un *)0)->sun_path))
            return -1;
        addr->path = text;
        return 0;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    h = p;
    while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
    if (p == h)
        return -1;
    addr->host = arena_strndup(a, h, (size_t)(p - h));
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    port = strtoul(p, &end, 10);
    for (q = end; *q == ' ' || *q == '\t'; q++)
        ;
    if (port == 0 || port > 65535 || *q != '\0')
        return -1;
    addr->port = (unsigned)port;
    return 0;
}

/* A non-blocking connect that ends by the deadline. */
static int
client_connect(int fd, const struct sockaddr *sa, socklen_t len, long deadline)
{
    int soerr = 0;
    socklen_t sl = sizeof(soerr);

    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    switch (fd_wait_until(fd, POLLOUT, deadline)) {
    case 1:
        break;
    case 0:
        errno = ETIMEDOUT;
        return -1;
    default:
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
        return -1;
    if (soerr != 0) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static int
client_open(const struct dcc_addr *addr, long deadline, enum dcc_io *why)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    memset(&ss, 0, sizeof(ss));
    if (addr->path != NULL) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, addr->path, strlen(addr->path) + 1);
        len = sizeof(*un);
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, addr->host, &in4->sin_addr) == 1) {
            in4->sin_family = AF_INET;
            in4->sin_port = htons((unsigned short)addr->port);
            len = sizeof(*in4);
        } else if (inet_pton(AF_INET6, addr->host, &in6->sin6_addr) == 1) {
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons((unsigned short)addr->port);
            len = sizeof(*in6);
        } else {
            struct addrinfo hints, *res = NULL;
            memset(&hints, 0, sizeof(hints));
            hints.ai_socktype = SOCK_STREAM;
            if (getaddrinfo(addr->host, NULL, &hints, &res) != 0 ||
                res == NULL) {
                *why = DCC_IO_CONNECT;
                errno = EHOSTUNREACH;
                return -1;
            }
            memcpy(&ss, res->ai_addr, res->ai_addrlen);
            len = res->ai_addrlen;
            freeaddrinfo(res);
            if (ss.ss_family == AF_INET)
                in4->sin_port = htons((unsigned short)addr->port);
            else
                in6->sin6_port = htons((unsigned short)addr->port);
        }
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *why = DCC_IO_SOCKET;
        return -1;
    }
    if (client_connect(fd, (struct sockaddr *)&ss, len, deadline) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        *why = DCC_IO_CONNECT;
        return -1;
    }
    return fd;
}

/* Writes all of p, waiting for room up to the deadline. */
static enum dcc_io
client_write(int fd, const char *p, size_t n, long deadline)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return DCC_IO_WRITE;
        switch (fd_wait_until(fd, POLLOUT, deadline)) {
        case 1:
            break;
        case 0:
            errno = 0;
            return DCC_IO_TIMEOUT;
        default:
            return DCC_IO_WRITE;
        }
    }
    return DCC_IO_OK;
}

static enum dcc_io
client_send_body(int fd, const struct dcc_request *req, long deadline)
{
    char buf[16384];
    off_t off = req->body_off;
    enum dcc_io rc;

    for (;;) {
        ssize_t n = pread(req->body_fd, buf, sizeof(buf), off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return DCC_IO_BODY;
        if (n == 0)
            return DCC_IO_OK;
        off += n;
        if ((rc = client_write(fd, buf, (size_t)n, deadline)) != DCC_IO_OK)
            return rc;
    }
}

static enum dcc_io
client_read_all(int fd, gstr *answer, long deadline)
{
    char buf[4096];

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            gstr_addn(answer, buf, (size_t)n);
            continue;
        }
        if (n == 0)
            return DCC_IO_OK;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return DCC_IO_READ;
        switch (fd_wait_until(fd, POLLIN, deadline)) {
        case 1:
            break;
        case 0:
            errno = 0;
            return DCC_IO_TIMEOUT;
        default:
            return DCC_IO_READ;
        }
    }
}

enum dcc_io
dcc_client_exchange(const struct dcc_addr *addr, const struct dcc_request *req,
                    int timeout, gstr *answer, int *err_no)
{
    long deadline = clock_ms() + (long)timeout * 1000;
    enum dcc_io rc = DCC_IO_OK;
    int fd;

    *err_no = 0;
    if ((fd = client_open(addr, deadline, &rc)) < 0) {
        *err_no = errno;
        return rc;
    }
    rc = client_write(fd, req->head, req->head_len, deadline);
    if (rc == DCC_IO_OK)
        rc = client_write(fd, req->headers, req->headers_len, deadline);
    if (rc == DCC_IO_OK)
        rc = client_send_body(fd, req, deadline);
    if (rc == DCC_IO_OK && shutdown(fd, SHUT_WR) < 0)
        rc = DCC_IO_SHUTDOWN;
    if (rc == DCC_IO_OK)
        rc = client_read_all(fd, answer, deadline);
    *err_no = rc == DCC_IO_OK ? 0 : errno;
    close(fd);
    return rc;
}
