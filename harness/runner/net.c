/*
 * NAME
 *	net - TCP ports and connections on the loopback
 * SYNOPSIS
 *	#include "net.h"
 *
 *	int	net_alloc_ports(int count, int *ports, struct buf *err);
 *	int	net_connect(const char *host, const char *port,
 *				int timeout_ms, struct buf *err);
 *	int	net_port_open(int port);
 *	int	net_parse_port(const char *text);
 * DESCRIPTION
 *	net_alloc_ports() finds count distinct free TCP ports on
 *	127.0.0.1 by binding port 0 that many times at once and noting
 *	what the kernel chose.  The ports are free when it returns, not
 *	reserved: a scenario's daemon binds them soon after.
 *
 *	net_connect() opens a TCP connection to host and port (names or
 *	numbers, IPv4 or IPv6), giving up after timeout_ms.  The
 *	descriptor is blocking and close-on-exec.
 *
 *	net_port_open() says whether something listens on TCP port
 *	(any local address, IPv4 or IPv6).  On Linux it reads the
 *	kernel's socket tables in /proc/net rather than connecting, so
 *	the listener sees no probe connection and logs nothing about
 *	one; elsewhere it tries a connection to 127.0.0.1.
 *
 *	net_parse_port() converts a decimal port number.
 * DIAGNOSTICS
 *	net_alloc_ports() returns 0, or -1 with a message in err.
 *	net_connect() returns a descriptor, or -1 with a message in err.
 *	net_parse_port() returns -1 unless text is a number 1-65535.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "net.h"

static int
net_bind_any(int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

int
net_alloc_ports(int count, int *ports, struct buf *err)
{
    int fds[8];
    int rc = 0;
    int i;

    if (count > 8)
        count = 8;
    for (i = 0; i < count; i++) {
        if ((fds[i] = net_bind_any(&ports[i])) < 0) {
            buf_printf(err, "cannot allocate a TCP port on 127.0.0.1: %s",
                       strerror(errno));
            rc = -1;
            break;
        }
    }
    while (i-- > 0)
        close(fds[i]);
    return rc;
}

/* Finish a non-blocking connect(2) on fd within timeout_ms. */
static int
net_wait_connected(int fd, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLOUT, 0};
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    int n;

    do
        n = poll(&pfd, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return -1;
    if (soerr != 0) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static int
net_try_connect(const struct addrinfo *ai, int timeout_ms)
{
    int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int saved;

    if (fd < 0)
        return -1;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
        (errno != EINPROGRESS || net_wait_connected(fd, timeout_ms) < 0)) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    fcntl(fd, F_SETFL, 0);
    return fd;
}

int
net_connect(const char *host, const char *port, int timeout_ms, struct buf *err)
{
    struct addrinfo hints;
    struct addrinfo *res;
    int fd = -1;
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
        buf_printf(err, "cannot resolve %s port %s: %s", host, port,
                   gai_strerror(rc));
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
        fd = net_try_connect(ai, timeout_ms);
    if (fd < 0)
        buf_printf(err, "cannot connect to %s port %s: %s", host, port,
                   strerror(errno));
    freeaddrinfo(res);
    return fd;
}

/*
 * Scan one of /proc/net/tcp{,6} for a listening socket on port: 1 if
 * found, 0 if not, -1 if the table cannot be read.
 */
static int
net_proc_listening(const char *table, int port)
{
    struct buf text = BUF_INIT;
    const char *line;
    unsigned local_port;
    unsigned state;
    int found = 0;

    if (fileio_read(table, &text) < 0) {
        buf_free(&text);
        return -1;
    }
    for (line = buf_str(&text); (line = strchr(line, '\n')) != NULL;) {
        line++;
        /* "  0: 0100007F:1F90 00000000:0000 0A ..." */
        if (sscanf(line, "%*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
                   &local_port, &state) == 2 &&
            (int)local_port == port && state == 0x0A)
            found = 1;
    }
    buf_free(&text);
    return found;
}

static int
net_connect_probe(int port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int ok;

    if (fd < 0)
        return 0;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
    close(fd);
    return ok;
}

int
net_port_open(int port)
{
    int v4 = net_proc_listening("/proc/net/tcp", port);
    int v6 = net_proc_listening("/proc/net/tcp6", port);

    if (v4 < 0 && v6 < 0)
        return net_connect_probe(port);
    return v4 > 0 || v6 > 0;
}

int
net_parse_port(const char *text)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 65535)
        return -1;
    return (int)v;
}
