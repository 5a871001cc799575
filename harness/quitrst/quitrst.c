/*++
 * NAME
 *	quitrst 1
 * SUMMARY
 *	an SMTP client that resets the connection right after QUIT
 * SYNOPSIS
 *	quitrst [--host ADDR] --port PORT [--starttls | --tls-on-connect]
 *		[--wait MS] [--last COMMAND]
 * DESCRIPTION
 *	Behaves like the clients (Outlook among them) that protocol_detail
 *	is about: it connects, reads the greeting, says EHLO, optionally
 *	starts TLS (STARTTLS, then EHLO again; or, with --tls-on-connect,
 *	before the greeting, as for SMTPS; no certificate checks),
 *	sends QUIT (or COMMAND, to show a reset that does not follow a
 *	QUIT), waits MS milliseconds (default 200) so that it has surely
 *	arrived, and then closes the socket with SO_LINGER 0:
 *	the kernel sends a TCP RST, without the 221 reply being read and
 *	without a TLS close_notify.
 *
 *	What it did goes to the standard output, one line a step
 *	("greeting 220", "EHLO 250", "TLS started", "QUIT sent" (or
 *	"COMMAND sent"),
 *	"reset"), for a scenario to compare.
 * DIAGNOSTICS
 *	Exit status 0 on success, 1 when a step fails (with a message on
 *	the standard error). Every read and write waits at most 10 s.
 *--*/

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define IO_TIMEOUT_MS 10000

static int fd = -1;
static SSL *ssl;

static void
die(const char *what)
{
    fprintf(stderr, "quitrst: %s\n", what);
    exit(1);
}

/* TLS on the connection, no certificate checks. */
static void
start_tls(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL || (ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
        die("cannot set up TLS");
    SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
    if (SSL_connect(ssl) != 1)
        die("TLS handshake failed");
    printf("TLS started\n");
}

static void
wait_fd(short ev)
{
    struct pollfd p = {fd, ev, 0};
    int r;

    do
        r = poll(&p, 1, IO_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        die(r == 0 ? "timed out" : strerror(errno));
}

static void
send_line(const char *line)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "%s\r\n", line);

    if (ssl != NULL) {
        if (SSL_write(ssl, buf, n) != n)
            die("SSL_write failed");
        return;
    }
    for (int off = 0; off < n;) {
        ssize_t w;
        wait_fd(POLLOUT);
        w = write(fd, buf + off, (size_t)(n - off));
        if (w < 0 && errno != EINTR)
            die(strerror(errno));
        if (w > 0)
            off += (int)w;
    }
}

/* One byte, waiting at most IO_TIMEOUT_MS (the socket blocks, but a
 * poll() comes first when nothing is buffered). */
static int
get_byte(void)
{
    unsigned char c;
    ssize_t n;

    if (ssl != NULL) {
        if (SSL_pending(ssl) == 0)
            wait_fd(POLLIN);
        n = SSL_read(ssl, &c, 1);
    } else {
        wait_fd(POLLIN);
        n = read(fd, &c, 1);
    }
    if (n <= 0)
        die("connection closed");
    return c;
}

/* Reads one reply; returns its code. */
static int
read_reply(void)
{
    char line[1024];

    for (;;) {
        size_t n = 0;
        int c;
        while ((c = get_byte()) != '\n')
            if (n < sizeof(line) - 1)
                line[n++] = (char)c;
        line[n] = '\0';
        if (n < 3)
            die("malformed reply");
        if (n == 3 || line[3] != '-')
            return atoi(line);
    }
}

int
main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *last = "QUIT";
    int port = 0, starttls = 0, on_connect = 0, wait_ms = 200, code;
    struct sockaddr_in sa;
    struct linger lg = {1, 0};
    struct timespec ts;
    struct timeval tv = {IO_TIMEOUT_MS / 1000, 0};

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
            wait_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--last") == 0 && i + 1 < argc)
            last = argv[++i];
        else if (strcmp(argv[i], "--starttls") == 0)
            starttls = 1;
        else if (strcmp(argv[i], "--tls-on-connect") == 0)
            on_connect = 1;
        else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: quitrst [--host ADDR] --port PORT "
                   "[--starttls | --tls-on-connect] [--wait MS] "
                   "[--last COMMAND]\n"
                   "EHLO, QUIT (or COMMAND), then a TCP reset; see "
                   "quitrst(1).\n");
            return 0;
        } else {
            fprintf(stderr, "usage: quitrst [--host ADDR] --port PORT "
                            "[--starttls | --tls-on-connect] [--wait MS] "
                            "[--last COMMAND]\n");
            return 2;
        }
    }
    if (port <= 0 || port > 65535)
        die("--port is required");
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        die("bad --host (an IPv4 address)");
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die(strerror(errno));
    /* bounds the blocking TLS handshake and writes too */
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (on_connect)
        start_tls();
    printf("greeting %d\n", read_reply());
    send_line("EHLO quitrst.test.ex");
    printf("EHLO %d\n", read_reply());
    if (starttls && !on_connect) {
        send_line("STARTTLS");
        if ((code = read_reply()) != 220)
            die("STARTTLS refused");
        start_tls();
        send_line("EHLO quitrst.test.ex");
        printf("EHLO %d\n", read_reply());
    }
    if (strlen(last) > 400)
        die("--last is too long");
    send_line(last);
    printf("%s sent\n", last);
    fflush(stdout);
    ts.tv_sec = wait_ms / 1000;
    ts.tv_nsec = (long)(wait_ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
        die(strerror(errno));
    close(fd); /* no SSL_shutdown: no close_notify, just the RST */
    printf("reset\n");
    return 0;
}
