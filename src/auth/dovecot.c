/*++
 * NAME
 *	dovecot 3
 * SUMMARY
 *	the dovecot authenticator
 * SYNOPSIS
 *	#include "auth/dovecot.h"
 *
 *	extern const struct driver_info auth_dovecot_info;
 *
 *	int	auth_dovecot_server(struct auth_server_call *c)
 * DESCRIPTION
 *	Passes an AUTH exchange on to Dovecot's auth service (protocol
 *	1.x, the "auth-client" socket), as Exim's dovecot authenticator
 *	does: one new connection per AUTH.
 *
 *	server_socket (expanded) is a UNIX socket path when it starts
 *	with "/", else "host port" (white space between): a TCP service,
 *	as in the experimental spec's "Dovecot authenticator via inet
 *	socket". The connection, and every read and write on it, is
 *	bounded by server_timeout (an mxlab option, default 10s).
 *
 *	The handshake: Dovecot's VERSION (major 1, answered at once with
 *	"VERSION 1 0"), its MECH lines (public_name must be among them,
 *	any case), SPID, CUID, COOKIE, and DONE. Then "CPID pid" and
 *	"AUTH 1 MECH service=smtp [secured [valid-client-cert]] rip= lip=
 *	nologin resp=DATA" (as Exim: no rport= or lport=), where DATA is what
 *followed the mechanism on the AUTH line, as it was sent (base64). "secured" is
 *	sent when the client and server addresses are the same (a local
 *	client), or when the SMTP session is under TLS and server_tls is
 *	true (its default); "valid-client-cert" when, in addition, the
 *	client's certificate was verified.
 *
 *	Dovecot's CONT challenges go to the client as "334 TEXT"
 *	unchanged, and its answers back as CONT. OK must carry user=,
 *	which becomes $auth1 (so does user= on FAIL); server_condition,
 *	if set, is then an authorization check.
 *
 *	Lines are read as Exim reads them: up to a LF, at most 8191
 *	bytes, or what came before the end of the connection. In the
 *	handshake such a line without its LF is "protocol line too
 *	long", and lines other than VERSION, MECH, SPID and DONE are
 *	ignored; in the answers, the last byte of a line is dropped as
 *	if it were the LF, so an over-long OK is cut to 8190 bytes and
 *	taken.
 * DIAGNOSTICS
 *	AUTH_FAIL for Dovecot's FAIL (with "temp" too, as in Exim),
 *	AUTH_DEFER with a reason in c->defer_msg for everything else
 *	that can go wrong: the socket cannot be reached or times out, a
 *	malformed VERSION, MECH, DONE, CONT or OK line, a wrong VERSION,
 *	a missing MECH, an OK without user=.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/dovecot.h"
#include "base/arena.h"
#include "base/deadline.h"
#include "expand/expand.h"

static const struct opt_def auth_dovecot_defs[] = {
    {"server_socket", OPT_EXPANDED,
     offsetof(struct auth_dovecot, server_socket), 0},
    {"server_timeout", OPT_TIME, offsetof(struct auth_dovecot, server_timeout),
     0},
    {"server_tls", OPT_BOOL, offsetof(struct auth_dovecot, server_tls), 0},
};

static const struct auth_dovecot auth_dovecot_defaults = {
    .server_tls = 1,
    .server_timeout = 10,
};

const struct driver_info auth_dovecot_info = {
    "dovecot",
    OPT_TABLE("dovecot", auth_dovecot_defs, struct auth_dovecot,
              &auth_dovecot_defaults),
    NULL,
};

#define DC_LINE_MAX        8192 /* as Exim: a longer line is an error */
#define DC_FIELDS          16   /* fields kept of a line */
#define DC_CONNECT_TIMEOUT 5

struct dc_conn {
    int fd;
    int timeout; /* seconds for each step */
    char buf[DC_LINE_MAX];
    size_t have;
    struct auth_server_call *c;
};

static int dc_defer(struct auth_server_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
dc_defer(struct auth_server_call *c, const char *fmt, ...)
{
    va_list ap;

    gstr_truncate(&c->defer_msg, 0);
    va_start(ap, fmt);
    gstr_vprintf(&c->defer_msg, fmt, ap);
    va_end(ap);
    return AUTH_DEFER;
}

/* Connects fd to sa within the time-out. 0, or -1 with errno. */
static int
dc_connect(int fd, const struct sockaddr *sa, socklen_t len, int seconds)
{
    long deadline = clock_ms() + seconds * 1000L;
    int err = 0;
    socklen_t elen = sizeof(err);

    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    switch (fd_wait_until(fd, POLLOUT, deadline)) {
    case 0:
        errno = ETIMEDOUT;
        return -1;
    case -1:
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
        return -1;
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* Opens the socket server_socket names. fd, or -1 (reason set). */
static int
dc_open(struct auth_server_call *c, const char *spec, int timeout)
{
    int fd;

    if (spec[0] == '/') {
        struct sockaddr_un sun;

        memset(&sun, 0, sizeof(sun));
        sun.sun_family = AF_UNIX;
        if (strlen(spec) >= sizeof(sun.sun_path)) {
            dc_defer(c, "unable to connect to UNIX socket (%s): %s", spec,
                     strerror(ENAMETOOLONG));
            return -1;
        }
        strcpy(sun.sun_path, spec);
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
            dc_defer(c, "can't open UNIX socket.");
            return -1;
        }
        if (dc_connect(fd, (struct sockaddr *)&sun, sizeof(sun), timeout) < 0) {
            dc_defer(c, "unable to connect to UNIX socket (%s): %s", spec,
                     strerror(errno));
            close(fd);
            return -1;
        }
        return fd;
    }

    /* "host port" */
    char *host = arena_strdup(c->arena, spec), *port;
    struct addrinfo hints, *res = NULL;
    int r, err = ECONNREFUSED;

    for (port = host; *port != '\0' && !isspace((unsigned char)*port); port++)
        ;
    if (*port != '\0')
        *port++ = '\0';
    while (isspace((unsigned char)*port))
        port++;
    for (char *e = port + strlen(port);
         e > port && isspace((unsigned char)e[-1]);)
        *--e = '\0';
    if (*host == '\0' || *port == '\0' ||
        strspn(port, "0123456789") != strlen(port)) {
        dc_defer(c, "invalid socket '%s'", spec);
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
        dc_defer(c, "no IP address found for host %s", host);
        return -1;
    }
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (dc_connect(fd, ai->ai_addr, ai->ai_addrlen, timeout) == 0) {
            freeaddrinfo(res);
            return fd;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    dc_defer(c, "failed to connect to any address for %s: %s", host,
             strerror(err));
    return -1;
}

/* Writes all of s. 0, or -1 on error or time-out. */
static int
dc_write(struct dc_conn *dc, const char *s)
{
    size_t len = strlen(s), done = 0;
    long deadline = clock_ms() + dc->timeout * 1000L;

    while (done < len) {
        ssize_t n = send(dc->fd, s + done, len - done, MSG_NOSIGNAL);

        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (fd_wait_until(dc->fd, POLLOUT, deadline) != 1)
                return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

enum dc_read {
    DC_OK,
    DC_PARTIAL, /* no LF: 8191 bytes, or the rest before the end */
    DC_EOF,
    DC_TIMEOUT,
    DC_ERROR,
    DC_NUL
};

/* Hands the first n bytes of the buffer over as a line. */
static int
dc_take(struct dc_conn *dc, char *line, size_t n, size_t skip, int rc)
{
    memcpy(line, dc->buf, n);
    line[n] = '\0';
    dc->have -= n + skip;
    memmove(dc->buf, dc->buf + n + skip, dc->have);
    /* A NUL would hide the rest of the line. */
    return memchr(line, '\0', n) != NULL ? DC_NUL : rc;
}

/* Reads one line (LF removed) into line, of DC_LINE_MAX bytes. */
static int
dc_getline(struct dc_conn *dc, char *line)
{
    long deadline = clock_ms() + dc->timeout * 1000L;

    for (;;) {
        char *nl = memchr(dc->buf, '\n', dc->have);

        if (nl != NULL)
            return dc_take(dc, line, (size_t)(nl - dc->buf), 1, DC_OK);
        if (dc->have >= sizeof(dc->buf) - 1)
            return dc_take(dc, line, sizeof(dc->buf) - 1, 0, DC_PARTIAL);
        switch (fd_wait_until(dc->fd, POLLIN, deadline)) {
        case 0:
            return DC_TIMEOUT;
        case -1:
            return DC_ERROR;
        }
        ssize_t n =
            read(dc->fd, dc->buf + dc->have, sizeof(dc->buf) - 1 - dc->have);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0 && dc->have == 0)
            return DC_ERROR;
        if (n <= 0 && dc->have > 0)
            return dc_take(dc, line, dc->have, 0, DC_PARTIAL);
        if (n == 0)
            return DC_EOF;
        dc->have += (size_t)n;
    }
}

/* Splits a line at TABs into at most DC_FIELDS fields. */
static int
dc_split(char *line, char **args)
{
    int n = 0;

    args[n++] = line;
    for (char *p = line; *p != '\0'; p++)
        if (*p == '\t') {
            *p = '\0';
            if (n == DC_FIELDS)
                break;
            args[n++] = p + 1;
        }
    for (int i = n; i < DC_FIELDS; i++)
        args[i] = NULL;
    return n;
}

static int
dc_read_error(struct auth_server_call *c, int r)
{
    switch (r) {
    case DC_PARTIAL:
        return dc_defer(c, "authentication socket protocol line too long");
    case DC_TIMEOUT:
        return dc_defer(c, "authentication socket read timed out");
    case DC_NUL:
        return dc_defer(c, "authentication socket protocol error");
    default:
        return dc_defer(c, "authentication socket read error or premature eof");
    }
}

/* A FAIL or OK line's user=, into $auth1. */
static const char *
dc_user(struct auth_server_call *c, char **args, int nargs)
{
    for (int i = 2; i < nargs; i++)
        if (strncmp(args[i], "user=", 5) == 0) {
            c->nvars = 0;
            auth_vars_from_clear(c, args[i] + 5, strlen(args[i] + 5), 1);
            auth_set_vars(c);
            return args[i] + 5;
        }
    return NULL;
}

/* Dovecot's handshake, up to DONE; 0 when public_name was among its
 * MECH lines, else AUTH_DEFER with the reason set. */
static int
dc_handshake(struct auth_server_call *c, struct dc_conn *dc, const char *mech)
{
    char line[DC_LINE_MAX], *args[DC_FIELDS];
    int nargs, r, found = 0, have_mech = 0;

    for (;;) {
        if ((r = dc_getline(dc, line)) != DC_OK)
            return dc_read_error(c, r);
        nargs = dc_split(line, args);
        if (strcmp(args[0], "VERSION") == 0) {
            if (nargs != 3)
                return dc_defer(c, "authentication socket protocol error");
            if (atoi(args[1]) != 1)
                return dc_defer(c, "authentication socket protocol version "
                                   "mismatch");
            /* A write error shows as a read error next, as in Exim. */
            (void)dc_write(dc, "VERSION\t1\t0\n");
        } else if (strcmp(args[0], "MECH") == 0) {
            if (nargs < 2)
                return dc_defer(c, "authentication socket protocol error");
            have_mech = 1;
            if (strcasecmp(args[1], mech) == 0)
                found = 1;
        } else if (strcmp(args[0], "SPID") == 0) {
            if (!have_mech)
                return dc_defer(c, "authentication socket type mismatch "
                                   "(connected to auth-master instead of "
                                   "auth-client)");
        } else if (strcmp(args[0], "DONE") == 0) {
            if (nargs != 1)
                return dc_defer(c, "authentication socket protocol error");
            break;
        }
        /* CUID, COOKIE and anything else are ignored, as by Exim. */
    }
    if (!found)
        return dc_defer(c, "Dovecot did not advertise mechanism \"%s\" to us",
                        mech);
    return 0;
}

/* One answer line of Dovecot's; its last byte is dropped when it came
 * without a LF, as Exim does. */
static int
dc_answer_line(struct dc_conn *dc, char *line)
{
    int r = dc_getline(dc, line);

    if (r == DC_PARTIAL) {
        line[strlen(line) - 1] = '\0';
        r = DC_OK;
    }
    return r;
}

static int
dc_session(struct auth_server_call *c, struct dc_conn *dc)
{
    const char *mech = auth_public_name(c->d);
    const struct auth_dovecot *ob = c->d->priv;
    char line[DC_LINE_MAX], *args[DC_FIELDS], *answer;
    int nargs, r;
    gstr cmd;

    if ((r = dc_handshake(c, dc, mech)) != 0)
        return r;
    if (strchr(c->data, '\t') != NULL)
        return AUTH_FAIL;

    gstr_init(&cmd, c->arena);
    gstr_printf(&cmd, "CPID\t%d\nAUTH\t1\t%s\tservice=smtp\t", (int)getpid(),
                mech);
    if (c->tls && ob->server_tls)
        gstr_printf(&cmd, "secured\t%s",
                    c->tls_cert_verified ? "valid-client-cert\t" : "");
    else if (c->interface_address != NULL && c->host_address != NULL &&
             strcmp(c->interface_address, c->host_address) == 0)
        gstr_adds(&cmd, "secured\t");
    if (c->host_address != NULL)
        gstr_printf(&cmd, "rip=%s\t", c->host_address);
    if (c->interface_address != NULL)
        gstr_printf(&cmd, "lip=%s\t", c->interface_address);
    gstr_printf(&cmd, "nologin\tresp=%s\n", c->data);
    (void)dc_write(dc, gstr_str(&cmd));

    for (;;) {
        if ((r = dc_answer_line(dc, line)) != DC_OK)
            return dc_read_error(c, r);
        nargs = dc_split(line, args);
        if (nargs < 2 || atoi(args[1]) != 1)
            return dc_defer(c, "authentication socket connection id mismatch");
        if (strcasecmp(args[0], "CONT") == 0) {
            if (nargs > 3)
                return dc_defer(c, "authentication socket protocol error");
            r = c->challenge(c->io_ctx, nargs == 3 ? args[2] : "", &answer);
            if (r != AUTH_OK)
                return r;
            if (strchr(answer, '\t') != NULL)
                return AUTH_FAIL;
            gstr_truncate(&cmd, 0);
            gstr_printf(&cmd, "CONT\t1\t%s\n", answer);
            if (dc_write(dc, gstr_str(&cmd)) < 0)
                return dc_defer(c, "authentication socket write error");
        } else if (strcasecmp(args[0], "FAIL") == 0) {
            /* Exim reads no "temp": every FAIL is a failure. */
            (void)dc_user(c, args, nargs);
            return AUTH_FAIL;
        } else if (strcasecmp(args[0], "OK") == 0) {
            if (nargs < 3)
                return dc_defer(c, "authentication socket protocol error");
            if (dc_user(c, args, nargs) == NULL)
                return dc_defer(c, "authentication socket protocol error, "
                                   "username missing");
            return AUTH_OK;
        } else
            return dc_defer(c, "authentication socket protocol error");
    }
}

int
auth_dovecot_server(struct auth_server_call *c)
{
    const struct auth_dovecot *ob = c->d->priv;
    const struct auth_generic *g = c->d->generic;
    struct dc_conn *dc;
    char *spec;
    gstr err;
    int r, timeout = ob->server_timeout > 0 ? ob->server_timeout : 10;

    gstr_init(&err, c->arena);
    r = expand_string(c->x, ob->server_socket, &spec, &err);
    if (r != EXPAND_OK)
        return dc_defer(c, "failed to expand server_socket: %s",
                        r == EXPAND_FAIL ? "forced failure" : gstr_str(&err));
    dc = arena_alloc(c->arena, sizeof(*dc));
    memset(dc, 0, sizeof(*dc));
    dc->timeout = timeout;
    dc->c = c;
    dc->fd = dc_open(
        c, spec, timeout < DC_CONNECT_TIMEOUT ? timeout : DC_CONNECT_TIMEOUT);
    if (dc->fd < 0)
        return AUTH_DEFER;
    r = dc_session(c, dc);
    close(dc->fd);
    if (r == AUTH_OK)
        r = auth_check_cond(c, g->server_condition, AUTH_OK);
    return r;
}
