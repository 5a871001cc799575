/*
 * NAME
 *	exim-lab-dns - hand a real Exim's DNS queries to a scenario's fake-dns
 * SYNOPSIS
 *	exim-lab-dns LISTEN-ADDRESS UPSTREAM-PORT DIR
 * DESCRIPTION
 *	mxlab's dns_server option aims the MTA's lookups at fake-dns on a
 *	scenario's port; Exim has no such option and asks the name server
 *	of /etc/resolv.conf on port 53. ci/exim-lab.sh runs Exim in a
 *	private mount namespace whose /etc/resolv.conf names
 *	LISTEN-ADDRESS (a loopback address of the scenario's own), and
 *	starts this forwarder there.
 *
 *	It listens on LISTEN-ADDRESS port 53. Each UDP query goes on to
 *	127.0.0.1 UPSTREAM-PORT from a socket of its own, with up to 2
 *	seconds for the answer, which goes back to the client from port
 *	53, so that the resolver takes it as its name server's. A TCP
 *	connection (a resolver retrying a truncated answer) is joined to a
 *	TCP connection to the upstream, bytes relayed both ways until one
 *	side closes or nothing moves for 2 seconds. Queries and
 *	connections are handled one at a time.
 *
 *	It writes its pid to DIR/.exim-lab-dns.pid once it listens, and
 *	exits when DIR no longer exists (the scenario is over) or after
 *	five minutes without a query.
 * DIAGNOSTICS
 *	Exit status 0 when it ends as above, or when the address is
 *	already served (another copy runs for the same scenario); 1 with
 *	a message on stderr when it cannot start.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LABDNS_MAX_MSG   65535
#define LABDNS_ANSWER_MS 2000
#define LABDNS_CHECK_MS  1000
#define LABDNS_IDLE_SECS 300

static int
labdns_listen(const char *addr, struct sockaddr_in *sin, int type)
{
    int fd;
    int on = 1;

    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons(53);
    if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1) {
        fprintf(stderr, "exim-lab-dns: bad address %s\n", addr);
        exit(1);
    }
    if ((fd = socket(AF_INET, type, 0)) < 0) {
        perror("exim-lab-dns: socket");
        exit(1);
    }
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 ||
        (type == SOCK_STREAM && listen(fd, 8) < 0)) {
        if (errno == EADDRINUSE)
            exit(0);
        fprintf(stderr, "exim-lab-dns: bind %s:53: %s\n", addr,
                strerror(errno));
        exit(1);
    }
    return fd;
}

/* One query to the upstream and its answer back; 0 when answered. */
static ssize_t
labdns_ask(const struct sockaddr_in *up, const unsigned char *q, size_t qlen,
           unsigned char *answer, size_t size)
{
    struct pollfd pfd;
    ssize_t n = -1;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)up, sizeof(*up)) == 0 &&
        send(fd, q, qlen, 0) == (ssize_t)qlen) {
        pfd.fd = fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, LABDNS_ANSWER_MS) == 1)
            n = recv(fd, answer, size, 0);
    }
    close(fd);
    return n;
}

/* Relay one TCP client to the upstream until either closes or idles. */
static void
labdns_relay_tcp(int lfd, const struct sockaddr_in *up)
{
    static unsigned char chunk[4096];
    int cfd = accept(lfd, NULL, NULL);
    int ufd = socket(AF_INET, SOCK_STREAM, 0);

    if (cfd >= 0 && ufd >= 0 &&
        connect(ufd, (const struct sockaddr *)up, sizeof(*up)) == 0) {
        for (;;) {
            struct pollfd p[2] = {{cfd, POLLIN, 0}, {ufd, POLLIN, 0}};
            ssize_t n;
            int from;

            if (poll(p, 2, LABDNS_ANSWER_MS) <= 0)
                break;
            from = (p[0].revents & (POLLIN | POLLHUP)) ? 0 : 1;
            n = read(p[from].fd, chunk, sizeof(chunk));
            if (n <= 0 || write(p[1 - from].fd, chunk, (size_t)n) != n)
                break;
        }
    }
    if (cfd >= 0)
        close(cfd);
    if (ufd >= 0)
        close(ufd);
}

static void
labdns_write_pid(const char *dir)
{
    char path[4096];
    char tmp[4096];
    FILE *fp;

    if (snprintf(path, sizeof(path), "%s/.exim-lab-dns.pid", dir) >=
            (int)sizeof(path) ||
        snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid()) >=
            (int)sizeof(tmp))
        return;
    if ((fp = fopen(tmp, "w")) == NULL)
        return;
    fprintf(fp, "%ld\n", (long)getpid());
    if (fclose(fp) == 0)
        rename(tmp, path);
}

int
main(int argc, char **argv)
{
    static unsigned char query[LABDNS_MAX_MSG];
    static unsigned char answer[LABDNS_MAX_MSG];
    struct sockaddr_in me;
    struct sockaddr_in up;
    struct stat st;
    time_t last;
    int fd;
    int tfd;

    if (argc != 4) {
        fputs("usage: exim-lab-dns LISTEN-ADDRESS UPSTREAM-PORT DIR\n", stderr);
        return 1;
    }
    memset(&up, 0, sizeof(up));
    up.sin_family = AF_INET;
    up.sin_port = htons((unsigned short)atoi(argv[2]));
    up.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = labdns_listen(argv[1], &me, SOCK_DGRAM);
    tfd = labdns_listen(argv[1], &me, SOCK_STREAM);
    labdns_write_pid(argv[3]);
    last = time(NULL);
    while (stat(argv[3], &st) == 0 && time(NULL) - last < LABDNS_IDLE_SECS) {
        struct pollfd pfd[2] = {{fd, POLLIN, 0}, {tfd, POLLIN, 0}};
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t qlen;
        ssize_t alen;

        if (poll(pfd, 2, LABDNS_CHECK_MS) <= 0)
            continue;
        if (pfd[1].revents & POLLIN) {
            last = time(NULL);
            labdns_relay_tcp(tfd, &up);
        }
        if (!(pfd[0].revents & POLLIN))
            continue;
        qlen = recvfrom(fd, query, sizeof(query), 0, (struct sockaddr *)&from,
                        &flen);
        if (qlen <= 0)
            continue;
        last = time(NULL);
        alen = labdns_ask(&up, query, (size_t)qlen, answer, sizeof(answer));
        if (alen > 0)
            sendto(fd, answer, (size_t)alen, 0, (struct sockaddr *)&from, flen);
    }
    return 0;
}
