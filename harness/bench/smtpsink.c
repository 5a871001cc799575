/*++
 * NAME
 *	smtpsink 1
 * SUMMARY
 *	null SMTP server for make bench
 * SYNOPSIS
 *	smtpsink -p PORT [-P PIDFILE]
 * DESCRIPTION
 *	Listens on 127.0.0.1:PORT and answers every SMTP session as a
 *	server that accepts everything and keeps nothing: 220 on
 *	connect, 250 to EHLO, HELO, MAIL, RCPT, RSET and NOOP, 354 to
 *	DATA, 250 to the end of the data, 221 to QUIT (then it closes),
 *	500 to anything else. The message data is read and dropped.
 *
 *	One process, one thread, non-blocking sockets under epoll: no
 *	fork, no file, no fsync per message, so it measures what the load
 *	client (smtpload) and loopback TCP can do on this machine, the
 *	ceiling any MTA is compared against. It does not advertise
 *	PIPELINING, but a client that pipelines anyway is answered in
 *	order.
 *
 *	With -P the process id is written to PIDFILE once it listens.
 *	SIGTERM or SIGINT ends it.
 * DIAGNOSTICS
 *	Set-up failures (bad arguments, port in use) go to stderr with
 *	exit status 2. A client idle for 30 s is disconnected.
 *--*/

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IDLE_TIMEOUT_S 30
#define LINE_MAX_LEN   1000 /* longer lines are cut (RFC 5321 allows 1000) */
#define MAX_EVENTS     64

struct client {
    int fd;
    int in_data; /* reading message data */
    time_t last; /* last activity, for the idle time-out */
    char line[LINE_MAX_LEN];
    size_t len;     /* bytes of the current line kept */
    char out[4096]; /* replies not yet written */
    size_t out_len;
    int closing;         /* close once out is written */
    struct client *next; /* all clients, for the idle sweep */
    struct client **prevp;
};

static volatile sig_atomic_t stop;
static struct client *clients;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void
sink_usage(void)
{
    fputs("usage: smtpsink -p PORT [-P PIDFILE]\n", stderr);
    exit(2);
}

static void
client_reply(struct client *c, const char *text)
{
    size_t n = strlen(text);

    if (c->out_len + n > sizeof(c->out)) {
        c->closing = 1; /* a client that never reads its replies */
        return;
    }
    memcpy(c->out + c->out_len, text, n);
    c->out_len += n;
}

static int
verb_is(const char *line, size_t len, const char *verb)
{
    size_t n = strlen(verb);

    return len >= n && strncasecmp(line, verb, n) == 0 &&
           (len == n || line[n] == ' ' || line[n] == ':');
}

/* One complete line (without CR LF). */
static void
client_line(struct client *c, const char *line, size_t len)
{
    if (c->in_data) {
        if (len == 1 && line[0] == '.') {
            c->in_data = 0;
            client_reply(c, "250 OK\r\n");
        }
        return;
    }
    if (verb_is(line, len, "EHLO"))
        client_reply(c, "250-sink.bench.ex\r\n250 8BITMIME\r\n");
    else if (verb_is(line, len, "HELO"))
        client_reply(c, "250 sink.bench.ex\r\n");
    else if (verb_is(line, len, "MAIL") || verb_is(line, len, "RCPT") ||
             verb_is(line, len, "RSET") || verb_is(line, len, "NOOP"))
        client_reply(c, "250 OK\r\n");
    else if (verb_is(line, len, "DATA")) {
        c->in_data = 1;
        client_reply(c, "354 go ahead\r\n");
    } else if (verb_is(line, len, "QUIT")) {
        client_reply(c, "221 bye\r\n");
        c->closing = 1;
    } else
        client_reply(c, "500 unknown command\r\n");
}

static void
client_input(struct client *c, const char *buf, size_t n)
{
    for (size_t i = 0; i < n && !c->closing; i++) {
        if (buf[i] == '\n') {
            size_t len = c->len;

            if (len > 0 && c->line[len - 1] == '\r')
                len--;
            client_line(c, c->line, len);
            c->len = 0;
        } else if (c->len < sizeof(c->line)) {
            c->line[c->len++] = buf[i];
        }
    }
}

static void
client_free(struct client *c)
{
    close(c->fd);
    *c->prevp = c->next;
    if (c->next != NULL)
        c->next->prevp = c->prevp;
    free(c);
}

/* Write what is pending; 0 to keep the client, -1 to drop it. */
static int
client_flush(struct client *c)
{
    while (c->out_len > 0) {
        ssize_t w = write(c->fd, c->out, c->out_len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return 0; /* the socket buffer is full; EPOLLOUT is not
                       * watched, but replies are tiny and the client
                       * waits for each, so this does not happen */
        if (w <= 0)
            return -1;
        memmove(c->out, c->out + w, c->out_len - (size_t)w);
        c->out_len -= (size_t)w;
    }
    return c->closing ? -1 : 0;
}

static void
client_readable(struct client *c)
{
    char buf[65536];

    for (;;) {
        ssize_t r = read(c->fd, buf, sizeof(buf));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            break;
        if (r <= 0) {
            client_free(c);
            return;
        }
        c->last = time(NULL);
        client_input(c, buf, (size_t)r);
        if (c->closing)
            break;
    }
    if (client_flush(c) < 0)
        client_free(c);
}

static void
sink_accept(int lfd, int ep)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct epoll_event ev;
        struct client *c;

        if (fd < 0)
            return;
        /* Replies go out at once, as from Exim's daemon (tcp_nodelay):
         * a client that writes its QUIT right behind the final dot
         * would otherwise wait for a delayed ACK. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
        if ((c = calloc(1, sizeof(*c))) == NULL) {
            close(fd);
            return;
        }
        c->fd = fd;
        c->last = time(NULL);
        c->next = clients;
        c->prevp = &clients;
        if (clients != NULL)
            clients->prevp = &c->next;
        clients = c;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            client_free(c);
            continue;
        }
        client_reply(c, "220 sink.bench.ex ESMTP null sink\r\n");
        if (client_flush(c) < 0)
            client_free(c);
    }
}

static void
sink_sweep_idle(void)
{
    time_t now = time(NULL);
    struct client *c = clients;

    while (c != NULL) {
        struct client *next = c->next;

        if (now - c->last > IDLE_TIMEOUT_S)
            client_free(c);
        c = next;
    }
}

static int
sink_listen(int port)
{
    struct sockaddr_in sin;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        listen(fd, 512) < 0) {
        fprintf(stderr, "smtpsink: 127.0.0.1:%d: %s\n", port, strerror(errno));
        exit(2);
    }
    return fd;
}

int
main(int argc, char **argv)
{
    struct epoll_event ev, events[MAX_EVENTS];
    const char *pidfile = NULL;
    int port = 0;
    int c, lfd, ep;

    while ((c = getopt(argc, argv, "p:P:")) != -1) {
        if (c == 'p')
            port = atoi(optarg);
        else if (c == 'P')
            pidfile = optarg;
        else
            sink_usage();
    }
    if (port <= 0 || port > 65535 || optind != argc)
        sink_usage();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    lfd = sink_listen(port);
    if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("smtpsink: epoll_create1");
        exit(2);
    }
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    if (pidfile != NULL) {
        FILE *fp = fopen(pidfile, "w");

        if (fp == NULL || fprintf(fp, "%ld\n", (long)getpid()) < 0 ||
            fclose(fp) != 0) {
            fprintf(stderr, "smtpsink: %s: %s\n", pidfile, strerror(errno));
            exit(2);
        }
    }
    while (!stop) {
        int n = epoll_wait(ep, events, MAX_EVENTS, 1000);

        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == NULL)
                sink_accept(lfd, ep);
            else
                client_readable(events[i].data.ptr);
        }
        sink_sweep_idle();
    }
    return 0;
}
