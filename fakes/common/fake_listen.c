/*++
 * NAME
 *	fake_listen 3
 * SUMMARY
 *	listening sockets from address specifications
 * SYNOPSIS
 *	#include "fake_listen.h"
 *
 *	void	fake_listen_open(const char *spec, struct fake_listener *l)
 *	void	fake_listen_close(struct fake_listener *l)
 *	void	fake_listen_peer_name(const struct sockaddr_storage *sa,
 *				socklen_t len, char *buf, size_t size)
 * DESCRIPTION
 *	fake_listen_open() opens a listening socket for one of:
 *
 *	    PORT		127.0.0.1, that port
 *	    ADDR:PORT	an IPv4 address
 *	    [ADDR]:PORT	an IPv6 address, e.g. [::1]:2525
 *	    unix:PATH, or a PATH starting with / or .
 *			a unix-domain stream socket (an old socket file
 *			there is removed first)
 *
 *	TCP sockets get SO_REUSEADDR so a fake can be restarted on the
 *	same port at once. fake_listen_close() closes the socket and
 *	removes a unix socket's file.
 *
 *	fake_listen_peer_name() formats a peer address for the transcript
 *	as [ADDR]:PORT, or "unix socket".
 * DIAGNOSTICS
 *	A bad specification or a socket that cannot listen is fatal.
 *--*/

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake_buf.h"
#include "fake_listen.h"
#include "fake_msg.h"

static int
fake_listen_port(const char *text)
{
    char *end;
    long port;

    errno = 0;
    port = strtol(text, &end, 10);
    if (errno || end == text || *end || port < 1 || port > 65535)
        return -1;
    return (int)port;
}

static void
fake_listen_unix(const char *path, struct fake_listener *l)
{
    struct sockaddr_un sun;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path))
        fake_msg_fatal("unix socket path too long: %s", path);
    memcpy(sun.sun_path, path, strlen(path));
    if ((l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        fake_msg_fatal("socket: %s", strerror(errno));
    unlink(path);
    if (bind(l->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
        fake_msg_fatal("bind %s: %s", path, strerror(errno));
    if (listen(l->fd, 64) < 0)
        fake_msg_fatal("listen %s: %s", path, strerror(errno));
    l->unix_path = fake_strdup(path);
}

static void
fake_listen_tcp(const char *spec, struct fake_listener *l)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    const char *colon = strrchr(spec, ':');
    char addr[64];
    size_t alen;
    int port, one = 1;

    if (colon == NULL) {
        colon = spec - 1;
        alen = 0;
    } else
        alen = (size_t)(colon - spec);
    if ((port = fake_listen_port(colon + 1)) < 0 || alen >= sizeof(addr))
        fake_msg_usage("bad listen address: %s", spec);
    memcpy(addr, spec, alen);
    addr[alen] = 0;
    memset(&ss, 0, sizeof(ss));
    if (alen == 0) {
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin->sin_port = htons((unsigned short)port);
    } else if (addr[0] == '[' && addr[alen - 1] == ']') {
        addr[alen - 1] = 0;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, addr + 1, &sin6->sin6_addr) != 1)
            fake_msg_usage("bad IPv6 address: %s", spec);
    } else {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
            fake_msg_usage("bad IPv4 address: %s", spec);
    }
    if ((l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        fake_msg_fatal("socket: %s", strerror(errno));
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ss.ss_family == AF_INET6)
        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(l->fd, (struct sockaddr *)&ss,
             ss.ss_family == AF_INET6 ? sizeof(*sin6) : sizeof(*sin)) < 0)
        fake_msg_fatal("bind %s: %s", spec, strerror(errno));
    if (listen(l->fd, 64) < 0)
        fake_msg_fatal("listen %s: %s", spec, strerror(errno));
}

void
fake_listen_open(const char *spec, struct fake_listener *l)
{
    l->fd = -1;
    l->unix_path = NULL;
    if (strncmp(spec, "unix:", 5) == 0)
        fake_listen_unix(spec + 5, l);
    else if (spec[0] == '/' || spec[0] == '.')
        fake_listen_unix(spec, l);
    else
        fake_listen_tcp(spec, l);
}

void
fake_listen_close(struct fake_listener *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    if (l->unix_path) {
        unlink(l->unix_path);
        free(l->unix_path);
        l->unix_path = NULL;
    }
}

void
fake_listen_peer_name(const struct sockaddr_storage *sa, socklen_t len,
                      char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN];
    const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

    (void)len;
    if (sa->ss_family == AF_INET &&
        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)))
        snprintf(buf, size, "[%s]:%u", addr, ntohs(sin->sin_port));
    else if (sa->ss_family == AF_INET6 &&
             inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr)))
        snprintf(buf, size, "[%s]:%u", addr, ntohs(sin6->sin6_port));
    else
        snprintf(buf, size, "unix socket");
}
