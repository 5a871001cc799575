/*++
 * NAME
 *	fake-dns 1
 * SUMMARY
 *	a DNS server on the loopback that answers from a zone file
 * SYNOPSIS
 *	fake-dns --zone FILE [--port N] [--address IP]
 *		[--transcript FILE] [--pid-file FILE]
 *	fake-dns --help
 * DESCRIPTION
 *	fake-dns answers DNS queries over UDP and TCP on the same port
 *	(53 by default) of one address (127.0.0.1 by default) from a zone
 *	file of "NAME [TTL] TYPE DATA" lines; see docs/dns.md for the
 *	format and the fault modes (SERVFAIL, REFUSED, TIMEOUT, TRUNCATE,
 *	GARBAGE) a name can be given. It is authoritative for every name:
 *	a name that is not in the file is NXDOMAIN, a name that is there
 *	without records of the type asked for is an empty NOERROR answer.
 *	CNAME chains are followed within the zone and sent whole, the way
 *	a recursive server sends them. A UDP answer longer than 512 octets
 *	is truncated (TC set, no records), so the client retries over TCP.
 *
 *	Each query is written to the transcript as one line: transport,
 *	name, type, and what was answered. The listening TCP socket lets
 *	a test harness see that the server is up. SIGTERM and SIGINT end
 *	it cleanly (the pid file is removed).
 * DIAGNOSTICS
 *	A bad zone file is reported as "fake-dns: FILE:LINE: message" and
 *	the exit status is 2; so are a bad option and a port that cannot
 *	be bound.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fake-dns.h"

static volatile sig_atomic_t fdns_stop;
static FILE *fdns_transcript;

static void
fdns_on_signal(int sig)
{
    (void)sig;
    fdns_stop = 1;
}

static void
fdns_usage(FILE *f)
{
    fputs("usage: fake-dns --zone FILE [--port N] [--address IP]\n"
          "                [--transcript FILE] [--pid-file FILE]\n"
          "\n"
          "A DNS server on UDP and TCP that answers from a zone file.\n"
          "  --zone FILE        the records: lines of NAME [TTL] TYPE DATA\n"
          "                     (A, AAAA, MX, TXT, PTR, CNAME, NS, SRV, SOA),\n"
          "                     or NAME MODE with MODE one of SERVFAIL,\n"
          "                     REFUSED, TIMEOUT (no answer), TRUNCATE (TC\n"
          "                     over UDP), GARBAGE (a malformed answer)\n"
          "  --port N           the port, UDP and TCP (default 53)\n"
          "  --address IP       the address to listen on (default 127.0.0.1)\n"
          "  --transcript FILE  append one line per query received\n"
          "  --pid-file FILE    write the process id there\n"
          "  --help             this text\n"
          "See docs/dns.md.\n",
          f);
}

void
fdns_die(const char *fmt, ...)
{
    va_list ap;

    fputs("fake-dns: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void
fdns_log(const char *fmt, ...)
{
    va_list ap;

    if (fdns_transcript == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(fdns_transcript, fmt, ap);
    va_end(ap);
    fputc('\n', fdns_transcript);
    fflush(fdns_transcript);
}

static int
fdns_bind(const char *addr, unsigned port, int type)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    int fd, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        len = sizeof(*s4);
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        len = sizeof(*s6);
    } else
        fdns_die("--address %s: not an IP address", addr);
    if ((fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0)) < 0)
        fdns_die("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0)
        fdns_die("bind %s port %u (%s): %s", addr, port,
                 type == SOCK_DGRAM ? "udp" : "tcp", strerror(errno));
    if (type == SOCK_STREAM && listen(fd, 16) < 0)
        fdns_die("listen: %s", strerror(errno));
    return fd;
}

static void
fdns_serve_udp(const struct fdns_zone *z, int fd)
{
    unsigned char q[FDNS_MSG_MAX], r[FDNS_MSG_MAX];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
    char note[FDNS_NOTE_MAX];
    size_t rlen;

    if (n <= 0)
        return;
    rlen = fdns_answer(z, q, (size_t)n, 1, r, sizeof(r), note, sizeof(note));
    fdns_log("udp %s", note);
    if (rlen > 0)
        sendto(fd, r, rlen, 0, (struct sockaddr *)&from, flen);
}

/* Reads exactly n octets, waiting at most 5 s for each piece. */
static int
fdns_read_full(int fd, unsigned char *p, size_t n)
{
    while (n > 0) {
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t k;
        if (poll(&pf, 1, 5000) <= 0 || fdns_stop)
            return -1;
        k = read(fd, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void
fdns_serve_tcp(const struct fdns_zone *z, int lfd)
{
    unsigned char q[FDNS_MSG_MAX], r[FDNS_MSG_MAX + 2], hdr[2];
    char note[FDNS_NOTE_MAX];
    int fd = accept(lfd, NULL, NULL);

    if (fd < 0)
        return;
    while (fdns_read_full(fd, hdr, 2) == 0) {
        size_t qlen = (size_t)hdr[0] << 8 | hdr[1], rlen;
        if (fdns_read_full(fd, q, qlen) < 0)
            break;
        rlen = fdns_answer(z, q, qlen, 0, r + 2, sizeof(r) - 2, note,
                           sizeof(note));
        fdns_log("tcp %s", note);
        if (rlen == 0)
            break; /* TIMEOUT, or not a query: close */
        r[0] = (unsigned char)(rlen >> 8);
        r[1] = (unsigned char)rlen;
        if (write(fd, r, rlen + 2) != (ssize_t)(rlen + 2))
            break;
    }
    close(fd);
}

static void
fdns_write_pid(const char *path)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        fdns_die("%s: %s", path, strerror(errno));
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
}

int
main(int argc, char **argv)
{
    const char *zone_file = NULL, *address = "127.0.0.1", *pid_file = NULL;
    const char *transcript = NULL;
    unsigned long port = 53;
    struct fdns_zone zone;
    struct sigaction sa;
    int ufd, tfd;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0) {
            fdns_usage(stdout);
            return 0;
        }
        if (i + 1 >= argc)
            fdns_die("%s: unknown option or missing argument (see --help)", o);
        if (strcmp(o, "--zone") == 0)
            zone_file = argv[++i];
        else if (strcmp(o, "--address") == 0)
            address = argv[++i];
        else if (strcmp(o, "--transcript") == 0)
            transcript = argv[++i];
        else if (strcmp(o, "--pid-file") == 0)
            pid_file = argv[++i];
        else if (strcmp(o, "--port") == 0) {
            char *end;
            port = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || port == 0 || port > 65535)
                fdns_die("--port %s: not a port number", argv[i]);
        } else
            fdns_die("%s: unknown option (see --help)", o);
    }
    if (zone_file == NULL)
        fdns_die("--zone FILE is required (see --help)");
    fdns_zone_load(&zone, zone_file);
    if (transcript != NULL &&
        (fdns_transcript = fopen(transcript, "a")) == NULL)
        fdns_die("%s: %s", transcript, strerror(errno));
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fdns_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ufd = fdns_bind(address, (unsigned)port, SOCK_DGRAM);
    tfd = fdns_bind(address, (unsigned)port, SOCK_STREAM);
    if (pid_file != NULL)
        fdns_write_pid(pid_file);
    while (!fdns_stop) {
        struct pollfd pf[2] = {{ufd, POLLIN, 0}, {tfd, POLLIN, 0}};
        if (poll(pf, 2, -1) < 0)
            continue;
        if (pf[0].revents & POLLIN)
            fdns_serve_udp(&zone, ufd);
        if (pf[1].revents & POLLIN)
            fdns_serve_tcp(&zone, tfd);
    }
    close(ufd);
    close(tfd);
    if (pid_file != NULL)
        unlink(pid_file);
    if (fdns_transcript != NULL)
        fclose(fdns_transcript);
    return 0;
}
