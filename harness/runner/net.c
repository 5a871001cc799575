/*
 * NAME
 *	net - TCP ports and connections on the loopback
 * SYNOPSIS
 *	#include "net.h"
 *
 *	int	net_alloc_ports(int count, int *ports, int *lock_fd,
 *				struct buf *err);
 *	int	net_connect(const char *host, const char *port,
 *				int timeout_ms, struct buf *err);
 *	int	net_port_open(int port);
 *	int	net_parse_port(const char *text);
 * DESCRIPTION
 *	net_alloc_ports() finds count (at most 8) consecutive free TCP
 *	ports on 127.0.0.1, in a block of 8 below the kernel's range of
 *	ephemeral ports (so no outgoing connection can take one as its
 *	source port) and holds the block with an flock() on a file in
 *	/tmp/mxlab-ports until *lock_fd is closed, so that no other
 *	scenario, of this run or of another runner on the machine, is
 *	given the same ports meanwhile.  Blocks are tried from a place
 *	that depends on the pid.  Each port is checked free by binding it;
 *	it is not held: the scenario's daemon binds it soon after.
 *
 *	net_connect() opens a TCP connection to host and port (names or
 *	numbers, IPv4 or IPv6), giving up after timeout_ms.  The
 *	descriptor is blocking and close-on-exec; on failure errno says
 *	why (ECONNREFUSED, ETIMEDOUT ...).
 *
 *	net_port_open() says whether something listens on TCP port
 *	(any local address, IPv4 or IPv6).  On Linux it asks the kernel
 *	rather than connecting, so the listener sees no probe connection
 *	and logs nothing about one: a sock_diag netlink query for
 *	listening sockets on that port (the kernel walks only its table of
 *	listeners), or, where that is not allowed, the tables in
 *	/proc/net, which list every socket of the machine (the thousands
 *	in TIME_WAIT that a test run leaves too); elsewhere it tries a
 *	connection to 127.0.0.1.
 *
 *	net_parse_port() converts a decimal port number.
 * DIAGNOSTICS
 *	net_alloc_ports() returns 0, or -1 with a message in err.
 *	net_connect() returns a descriptor, or -1 with a message in err.
 *	net_parse_port() returns -1 unless text is a number 1-65535.
 */

#include <arpa/inet.h>
#ifdef __linux__
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "net.h"

/* Ports handed out lie in [NET_PORT_LOW, NET_PORT_HIGH), below Linux's
 * default ephemeral range (32768-60999). */
#define NET_PORT_LOW   20000
#define NET_PORT_HIGH  32760
#define NET_PORT_BLOCK 8

static int
net_port_free(int port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, ok;

    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((unsigned short)port);
    ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
    close(fd);
    return ok;
}

/* The lock of block b, taken without waiting: its descriptor, or -1. */
static int
net_lock_block(int b)
{
    char path[64];
    int fd;

    (void)mkdir("/tmp/mxlab-ports", 01777);
    snprintf(path, sizeof(path), "/tmp/mxlab-ports/%d", b);
    if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int
net_alloc_ports(int count, int *ports, int *lock_fd, struct buf *err)
{
    int nblocks = (NET_PORT_HIGH - NET_PORT_LOW) / NET_PORT_BLOCK;
    int start = (int)((unsigned)getpid() * 2654435761u % (unsigned)nblocks);

    if (count > NET_PORT_BLOCK)
        count = NET_PORT_BLOCK;
    for (int k = 0; k < nblocks; k++) {
        int b = (start + k) % nblocks;
        int base = NET_PORT_LOW + b * NET_PORT_BLOCK;
        int fd = net_lock_block(b);
        int i;

        if (fd < 0)
            continue;
        for (i = 0; i < count && net_port_free(base + i); i++)
            ports[i] = base + i;
        if (i == count) {
            *lock_fd = fd;
            return 0;
        }
        close(fd);
    }
    buf_printf(err, "cannot allocate %d TCP ports on 127.0.0.1 in %d-%d", count,
               NET_PORT_LOW, NET_PORT_HIGH - 1);
    return -1;
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
    int rc, e;

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
    e = errno;
    freeaddrinfo(res);
    if (fd < 0)
        buf_printf(err, "cannot connect to %s port %s: %s", host, port,
                   strerror(e));
    errno = e;
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

#ifdef __linux__
/*
 * Ask sock_diag for the TCP listeners of one family on port: 1 if there
 * is one, 0 if not, -1 if the query cannot be made or answered.
 */
static int
net_diag_listening(int family, int port)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } q;
    struct sockaddr_nl sa;
    char answer[8192];
    int fd, found = 0, done = 0;

    fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return -1;
    memset(&q, 0, sizeof(q));
    q.nlh.nlmsg_len = sizeof(q);
    q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    q.req.sdiag_family = (unsigned char)family;
    q.req.sdiag_protocol = IPPROTO_TCP;
    q.req.idiag_states = 1u << 10; /* TCP_LISTEN */
    q.req.id.idiag_sport = htons((unsigned short)port);
    memset(&sa, 0, sizeof(sa));
    sa.nl_family = AF_NETLINK;
    if (sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    /* The dump ends with NLMSG_DONE; the kernel's filter on the port is
     * only a hint (a dump of one state walks that state's table), so
     * each answer's port is checked here. A netlink socket answers a
     * local request at once: no time-out is needed. */
    while (!done) {
        ssize_t n = recv(fd, answer, sizeof(answer), 0);
        struct nlmsghdr *h = (struct nlmsghdr *)answer;

        if (n <= 0) {
            close(fd);
            return -1;
        }
        for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = 1;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                close(fd);
                return -1;
            }
            if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
                struct inet_diag_msg *m = NLMSG_DATA(h);

                if (ntohs(m->id.idiag_sport) == port && m->idiag_state == 10)
                    found = 1;
            }
        }
    }
    close(fd);
    return found;
}
#endif

int
net_port_open(int port)
{
    int v4, v6;

#ifdef __linux__
    v4 = net_diag_listening(AF_INET, port);
    v6 = v4 > 0 ? 0 : net_diag_listening(AF_INET6, port);
    if (v4 >= 0 && v6 >= 0)
        return v4 > 0 || v6 > 0;
#endif
    v4 = net_proc_listening("/proc/net/tcp", port);
    v6 = net_proc_listening("/proc/net/tcp6", port);

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
