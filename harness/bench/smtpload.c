/*++
 * NAME
 *	smtpload 1
 * SUMMARY
 *	SMTP load client for make bench
 * SYNOPSIS
 *	smtpload -p PORT [-a ADDRESS] [-c SESSIONS] [-m PER_CONNECTION]
 *		[-n MESSAGES] [-t SECONDS] [-s SIZE] [-r RECIPIENT] [-l LABEL]
 *		[--waits]
 *	smtpload -p PORT [-a ADDRESS] --probe
 *	smtpload --free-port
 * DESCRIPTION
 *	Sends MESSAGES messages (default 1000) of SIZE bytes (default
 *	4096, headers and body, CRLF line ends) to ADDRESS:PORT (default
 *	127.0.0.1) over SESSIONS parallel SMTP sessions (default 1), each
 *	connection carrying up to PER_CONNECTION messages (default 10)
 *	before QUIT and a new connection. Commands go one at a time, each
 *	reply read before the next command (no PIPELINING), so that any
 *	server that speaks RFC 5321 is measured the same way. Every
 *	message has its own sender, Message-Id and body, and goes to
 *	RECIPIENT (default sink@bench.ex).
 *
 *	-t SECONDS makes MESSAGES a minimum: messages are handed out until
 *	MESSAGES have been and SECONDS have passed since the start, so
 *	that a fast server is measured over a run as long as a slow one
 *	(a run of a fifth of a second measures mostly the machine's
 *	spells). The connection that takes the last message quits after
 *	it, whatever PER_CONNECTION says. After a failure no message past
 *	MESSAGES is handed out.
 *
 *	The clock runs from the first connection to the last QUIT. The
 *	result is one line:
 *
 *	LABEL sessions=S per_conn=M size=B messages=N accepted=A failed=F
 *		seconds=T msgs_per_sec=R
 *
 *	where messages is how many were handed out, accepted counts the
 *	250 replies to the end of data and R is accepted / T.
 *
 *	--waits adds a second line with how long, on average, the client
 *	waited for each step, in microseconds, from just before it sent
 *	the command (or connected) to the end of the reply:
 *
 *	LABEL waits_us connect=C banner=B ehlo=E mail=M rcpt=R data=D
 *		dot=T quit=Q
 *
 *	connect is the connect() call alone, banner the wait for the 220
 *	after it, dot the message and its final dot up to the 250; the
 *	time the client spends making each message is in none of them.
 *	This shows which step a server spends its time in.
 *
 *	--probe connects, reads the greeting and sends QUIT: a way for
 *	scripts to wait until a daemon answers. --free-port prints a TCP
 *	port on 127.0.0.1 that nothing listens on (the kernel's choice).
 * DIAGNOSTICS
 *	Exit status 0 when every message got its 250, 1 otherwise (the
 *	first few failures are printed on stderr), 2 for bad arguments.
 *	Every read is bounded by a 30 s time-out.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_MS 30000
#define MAX_SESSIONS  1000
#define MAX_ERRORS    5 /* printed */

struct config {
    const char *address;
    int port;
    int sessions;
    int per_conn;
    long messages;
    double seconds; /* -t: hand out messages until this long, at least */
    long size;
    const char *label;
    const char *rcpt;
};

/* The steps timed by --waits. */
enum step {
    S_CONNECT,
    S_BANNER,
    S_EHLO,
    S_MAIL,
    S_RCPT,
    S_DATA,
    S_DOT,
    S_QUIT,
    S_COUNT
};
static const char *const step_names[S_COUNT] = {
    "connect", "banner", "ehlo", "mail", "rcpt", "data", "dot", "quit"};

struct session {
    int fd;
    char in[8192];
    size_t have;
    double wait_s[S_COUNT]; /* summed over the session's connections */
    long waits[S_COUNT];
};

static struct config cfg = {
    "127.0.0.1", 0, 1, 10, 1000, 0.0, 4096, "smtpload", "sink@bench.ex"};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long next_msg;          /* messages handed out */
static double deadline;        /* -t: the start, plus SECONDS */
static long accepted;          /* 250s to the data */
static long failed;            /* messages that did not get one */
static int errors_shown;       /* of MAX_ERRORS */
static int show_waits;         /* --waits */
static double wait_s[S_COUNT]; /* all sessions' */
static long waits[S_COUNT];

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One more wait of the step, which began at since. */
static void
step_done(struct session *s, enum step st, double since)
{
    s->wait_s[st] += now_s() - since;
    s->waits[st]++;
}

static void
report_error(const char *what, const char *detail)
{
    pthread_mutex_lock(&lock);
    if (errors_shown++ < MAX_ERRORS)
        fprintf(stderr, "smtpload: %s: %s\n", what, detail);
    pthread_mutex_unlock(&lock);
}

/* Hands out the number of the next message, or -1 when all are out:
 * MESSAGES of them, and then more until the deadline (-t) unless one has
 * failed (a run that fails is not measured). */
static long
claim_message(void)
{
    long n = -1;

    pthread_mutex_lock(&lock);
    if (next_msg < cfg.messages ||
        (deadline > 0 && failed == 0 && now_s() < deadline))
        n = next_msg++;
    pthread_mutex_unlock(&lock);
    return n;
}

static void
count(long ok, long bad)
{
    pthread_mutex_lock(&lock);
    accepted += ok;
    failed += bad;
    pthread_mutex_unlock(&lock);
}

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one reply, multi-line ones whole; the code of its last line, or
 * -1. The text of the last line is left in line. */
static int
read_reply(struct session *s, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(s->in, '\n', s->have);

        if (nl != NULL) {
            size_t len = (size_t)(nl - s->in) + 1;
            int last = len >= 4 && s->in[3] != '-';
            int code =
                len >= 4 && isdigit((unsigned char)s->in[0]) ? atoi(s->in) : -1;

            (void)snprintf(line, size, "%.*s", (int)(len - 1), s->in);
            memmove(s->in, s->in + len, s->have - len);
            s->have -= len;
            if (code < 0 || last)
                return code;
            continue;
        }
        if (s->have == sizeof(s->in)) {
            (void)snprintf(line, size, "(a reply line too long)");
            return -1;
        }
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, IO_TIMEOUT_MS) <= 0) {
            (void)snprintf(line, size, "(no reply within %d s)",
                           IO_TIMEOUT_MS / 1000);
            return -1;
        }
        ssize_t n = recv(s->fd, s->in + s->have, sizeof(s->in) - s->have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            (void)snprintf(line, size, "(connection %s)",
                           n == 0 ? "closed" : strerror(errno));
            return -1;
        }
        s->have += (size_t)n;
    }
}

static int
command(struct session *s, const char *cmd, int want)
{
    char buf[512], line[512];
    int n = snprintf(buf, sizeof(buf), "%s\r\n", cmd);
    int code;

    if (n < 0 || (size_t)n >= sizeof(buf) || write_all(s->fd, buf, (size_t)n))
        return -1;
    code = read_reply(s, line, sizeof(line));
    if (code != want) {
        report_error(cmd, line);
        return -1;
    }
    return 0;
}

static int
session_open(struct session *s)
{
    struct sockaddr_in a;
    char line[512];
    int one = 1;
    double t;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)cfg.port);
    if (inet_pton(AF_INET, cfg.address, &a.sin_addr) != 1)
        return -1;
    s->have = 0;
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -1;
    (void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    t = now_s();
    if (connect(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        report_error("connect", strerror(errno));
        close(s->fd);
        return -1;
    }
    step_done(s, S_CONNECT, t);
    t = now_s();
    if (read_reply(s, line, sizeof(line)) != 220) {
        report_error("greeting", line);
        close(s->fd);
        return -1;
    }
    step_done(s, S_BANNER, t);
    t = now_s();
    if (command(s, "EHLO load.bench.ex", 250) < 0) {
        close(s->fd);
        return -1;
    }
    step_done(s, S_EHLO, t);
    return 0;
}

/* QUIT, then our end of the connection is shut before the 221 is read:
 * Exim holds its 221 for up to 200 ms hoping the client closes first
 * (so that the client, not the server, keeps the TIME_WAIT), and a
 * client that waits for the 221 before closing would measure that. */
static void
session_quit(struct session *s)
{
    char line[512];
    double t = now_s();

    if (write_all(s->fd, "QUIT\r\n", 6) == 0) {
        (void)shutdown(s->fd, SHUT_WR);
        if (read_reply(s, line, sizeof(line)) == 221)
            step_done(s, S_QUIT, t);
    }
    close(s->fd);
}

/* The message as sent: headers, then body lines of 76 characters up to
 * SIZE bytes in all, then the final dot. No line starts with a dot. */
static size_t
build_message(char *out, size_t cap, long n)
{
    size_t len;
    long line = 0;

    len = (size_t)snprintf(out, cap,
                           "From: <load-%ld@bench.ex>\r\n"
                           "To: <sink@bench.ex>\r\n"
                           "Subject: bench message %ld\r\n"
                           "Message-Id: <load-%ld@bench.ex>\r\n"
                           "\r\n",
                           n, n, n);
    while (len + 3 < (size_t)cfg.size && len + 80 < cap) {
        size_t room = (size_t)cfg.size - len - 3; /* ".\r\n" after */
        size_t w = room < 78 ? room : 78;

        if (w < 3)
            w = 3;
        for (size_t i = 0; i + 2 < w; i++)
            out[len + i] = (char)('a' + (n + line + (long)i) % 26);
        out[len + w - 2] = '\r';
        out[len + w - 1] = '\n';
        len += w;
        line++;
    }
    memcpy(out + len, ".\r\n", 3);
    return len + 3;
}

/* One message on an open session: 0 when it got its 250. */
static int
send_message(struct session *s, long n, char *msg, size_t cap)
{
    char cmd[128], rcpt[300], line[512];
    size_t len = build_message(msg, cap, n);
    double t;

    (void)snprintf(cmd, sizeof(cmd), "MAIL FROM:<load-%ld@bench.ex>", n);
    (void)snprintf(rcpt, sizeof(rcpt), "RCPT TO:<%s>", cfg.rcpt);
    t = now_s();
    if (command(s, cmd, 250) < 0)
        return -1;
    step_done(s, S_MAIL, t);
    t = now_s();
    if (command(s, rcpt, 250) < 0)
        return -1;
    step_done(s, S_RCPT, t);
    t = now_s();
    if (command(s, "DATA", 354) < 0)
        return -1;
    step_done(s, S_DATA, t);
    t = now_s();
    if (write_all(s->fd, msg, len) < 0)
        return -1;
    if (read_reply(s, line, sizeof(line)) != 250) {
        report_error("end of data", line);
        return -1;
    }
    step_done(s, S_DOT, t);
    return 0;
}

static void *
worker(void *arg)
{
    size_t cap = (size_t)cfg.size + 512;
    char *msg = malloc(cap);
    struct session s;
    long n = claim_message();

    (void)arg;
    memset(&s, 0, sizeof(s));
    while (msg != NULL && n >= 0) {
        int sent = 0;

        if (session_open(&s) < 0) {
            count(0, 1);
            n = claim_message();
            continue;
        }
        while (n >= 0 && sent < cfg.per_conn) {
            if (send_message(&s, n, msg, cap) < 0) {
                count(0, 1);
                n = claim_message();
                break;
            }
            count(1, 0);
            sent++;
            n = claim_message();
        }
        session_quit(&s);
    }
    free(msg);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < S_COUNT; i++) {
        wait_s[i] += s.wait_s[i];
        waits[i] += s.waits[i];
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int
probe(void)
{
    struct session s;

    if (session_open(&s) < 0)
        return 1;
    session_quit(&s);
    return 0;
}

static int
free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return 1;
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

static void
usage(void)
{
    fprintf(stderr, "usage: smtpload -p PORT [-a ADDRESS] [-c SESSIONS] "
                    "[-m PER_CONNECTION] [-n MESSAGES] [-t SECONDS]\n"
                    "       [-s SIZE] [-r RECIPIENT] [-l LABEL] [--waits]\n"
                    "       smtpload -p PORT [-a ADDRESS] --probe\n"
                    "       smtpload --free-port\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    pthread_t tids[MAX_SESSIONS];
    int do_probe = 0;
    double t0, t1;

    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--free-port") == 0)
            return free_port();
        if (strcmp(a, "--probe") == 0) {
            do_probe = 1;
            continue;
        }
        if (strcmp(a, "--waits") == 0) {
            show_waits = 1;
            continue;
        }
        if (v == NULL || a[0] != '-' || a[1] == '\0' || a[2] != '\0')
            usage();
        i++;
        switch (a[1]) {
        case 'a':
            cfg.address = v;
            break;
        case 'p':
            cfg.port = atoi(v);
            break;
        case 'c':
            cfg.sessions = atoi(v);
            break;
        case 'm':
            cfg.per_conn = atoi(v);
            break;
        case 'n':
            cfg.messages = atol(v);
            break;
        case 't':
            cfg.seconds = atof(v);
            break;
        case 's':
            cfg.size = atol(v);
            break;
        case 'l':
            cfg.label = v;
            break;
        case 'r':
            cfg.rcpt = v;
            break;
        default:
            usage();
        }
    }
    if (cfg.port <= 0 || cfg.sessions < 1 || cfg.sessions > MAX_SESSIONS ||
        cfg.per_conn < 1 || cfg.messages < 1 ||
        !(cfg.seconds >= 0 && cfg.seconds <= 3600) || cfg.size < 256 ||
        cfg.size > 64 * 1024 * 1024 || strlen(cfg.rcpt) > 256 ||
        strpbrk(cfg.rcpt, "\r\n<>") != NULL)
        usage();
    if (do_probe)
        return probe();
    t0 = now_s();
    if (cfg.seconds > 0)
        deadline = t0 + cfg.seconds;
    for (int i = 0; i < cfg.sessions; i++)
        if (pthread_create(&tids[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "smtpload: cannot start thread %d\n", i);
            return 2;
        }
    for (int i = 0; i < cfg.sessions; i++)
        pthread_join(tids[i], NULL);
    t1 = now_s();
    printf("%s sessions=%d per_conn=%d size=%ld messages=%ld accepted=%ld "
           "failed=%ld seconds=%.3f msgs_per_sec=%.1f\n",
           cfg.label, cfg.sessions, cfg.per_conn, cfg.size, next_msg, accepted,
           failed, t1 - t0, (double)accepted / (t1 - t0));
    if (show_waits) {
        printf("%s waits_us", cfg.label);
        for (int i = 0; i < S_COUNT; i++)
            printf(" %s=%.1f", step_names[i],
                   waits[i] ? wait_s[i] * 1e6 / (double)waits[i] : 0.0);
        printf("\n");
    }
    return failed > 0 ? 1 : 0;
}
