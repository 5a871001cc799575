/*++
 * NAME
 *	session 3
 * SUMMARY
 *	one client of fake-xclient-proxy
 * SYNOPSIS
 *	#include "proxy.h"
 *
 *	int	proxy_session_run(struct fake_conn *c, void *ctx)
 * DESCRIPTION
 *	Does what nginx's mail proxy does for an SMTP client: greets it,
 *	answers EHLO/HELO itself (offering AUTH PLAIN LOGIN when the
 *	script lists users), checks AUTH PLAIN and AUTH LOGIN against the
 *	users, and at the client's MAIL command connects upstream, reads
 *	the greeting, sends EHLO with its own name, then XCLIENT with the
 *	client's values (the attributes and their order as the script
 *	says), then EHLO (or HELO) with the client's own greeting name,
 *	and hands over: the MAIL command and everything after it is
 *	relayed both ways until one side closes.
 *
 *	Values: ADDR the client's address ("IPV6:" before an IPv6 one
 *	unless "ipv6-prefix no"), PORT its port, LOGIN the user it
 *	authenticated as (xtext; left out when there is none, as nginx
 *	does), NAME the script's name (default [UNAVAILABLE], not
 *	encoded), DESTADDR/DESTPORT the proxy's own address and port;
 *	HELO and PROTO the client's greeting. The script can replace each.
 *
 *	The transcript shows the client side with "<" and ">", the
 *	upstream side with "}" (sent upstream) and "{" (received).
 * DIAGNOSTICS
 *	A failure upstream (no connection, a refused EHLO or XCLIENT)
 *	gives the client nginx's "451 4.3.2 Internal server error" and
 *	closes both sides.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "../common/fake_buf.h"
#include "../common/fake_fault.h"
#include "../common/fake_transcript.h"
#include "../common/fake_wait.h"
#include "proxy.h"

struct upstream {
    int fd;
    unsigned long id;
    int timeout_ms;
    char in[16384];
    size_t off, len;
};

struct client_state {
    char *helo;
    int esmtp;
    char *login;
};

/* The proxy's own replies, subject to the --fault modes. */
static int
send_client(struct fake_conn *c, const char *text)
{
    static const struct fake_action reply = {FAKE_ACT_REPLY, 0};

    return fake_fault_respond(c, &reply, text, strlen(text), NULL);
}

/* Writes all of data to fd within timeout_ms. */
static int
write_all(int fd, const char *data, size_t len, int timeout_ms)
{
    long long deadline = fake_now_ms() + timeout_ms;

    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
        if (fake_wait_fd(fd, POLLOUT, deadline) <= 0)
            return -1;
    }
    return 0;
}

static int
up_send(struct upstream *u, const char *line)
{
    fake_transcript_lines(u->id, PROXY_TR_UP_SENT, line, strlen(line));
    return write_all(u->fd, line, strlen(line), u->timeout_ms);
}

/* One line from upstream (without its CRLF); 0, or -1. */
static int
up_line(struct upstream *u, struct fake_buf *line)
{
    long long deadline = fake_now_ms() + u->timeout_ms;

    fake_buf_reset(line);
    for (;;) {
        char *nl = memchr(u->in + u->off, '\n', u->len);
        size_t take = nl ? (size_t)(nl - (u->in + u->off)) + 1 : u->len;

        fake_buf_append(line, u->in + u->off, take);
        u->off += take;
        u->len -= take;
        if (nl) {
            fake_transcript_line(u->id, PROXY_TR_UP_RECV, line->data,
                                 line->len);
            return 0;
        }
        u->off = 0;
        if (fake_wait_fd(u->fd, POLLIN, deadline) <= 0)
            return -1;
        ssize_t n = read(u->fd, u->in, sizeof(u->in));
        if (n <= 0)
            return -1;
        u->len = (size_t)n;
    }
}

/* A whole reply from upstream: its code, or -1. */
static int
up_reply(struct upstream *u)
{
    struct fake_buf line;
    int code = -1;

    fake_buf_init(&line);
    for (;;) {
        if (up_line(u, &line) < 0 || line.len < 3 ||
            !isdigit((unsigned char)line.data[0])) {
            code = -1;
            break;
        }
        code = atoi(line.data);
        if (line.len < 4 || line.data[3] != '-')
            break;
    }
    fake_buf_free(&line);
    return code;
}

static int
up_connect(struct upstream *u, const struct proxy_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    long long deadline = fake_now_ms() + u->timeout_ms;
    int err = 0;
    socklen_t el = sizeof(err);

    memset(&ss, 0, sizeof(ss));
    if (inet_pton(AF_INET, cfg->upstream_host,
                  &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ss.ss_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons(cfg->upstream_port);
        sl = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, cfg->upstream_host,
                         &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ss.ss_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(cfg->upstream_port);
        sl = sizeof(struct sockaddr_in6);
    } else
        return -1;
    u->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (u->fd < 0)
        return -1;
    if (connect(u->fd, (struct sockaddr *)&ss, sl) == 0)
        return 0;
    if (errno != EINPROGRESS || fake_wait_fd(u->fd, POLLOUT, deadline) <= 0 ||
        getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0)
        return -1;
    return 0;
}

static void
xtext(struct fake_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < '!' || ch > '~' || ch == '+' || ch == '=')
            fake_buf_printf(out, "+%02X", ch);
        else
            fake_buf_addch(out, ch);
    }
}

/* An address and port of a socket, as text. */
static void
sock_name(int fd, int peer, char *addr, size_t n, int *port)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    addr[0] = '\0';
    *port = 0;
    if ((peer ? getpeername(fd, (struct sockaddr *)&ss, &sl)
              : getsockname(fd, (struct sockaddr *)&ss, &sl)) < 0)
        return;
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr,
                  (socklen_t)n);
        *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr,
                  (socklen_t)n);
        *port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
}

static void
add_address(struct fake_buf *out, const struct proxy_config *cfg, const char *a)
{
    if (cfg->ipv6_prefix && strchr(a, ':') != NULL)
        fake_buf_puts(out, "IPV6:");
    fake_buf_puts(out, a);
}

static char *
xclient_line(struct fake_conn *c, const struct proxy_config *cfg,
             const struct client_state *st)
{
    struct fake_buf b;
    char caddr[64], laddr[64];
    int cport, lport;

    sock_name(c->fd, 1, caddr, sizeof(caddr), &cport);
    sock_name(c->fd, 0, laddr, sizeof(laddr), &lport);
    fake_buf_init(&b);
    fake_buf_puts(&b, "XCLIENT");
    for (int i = 0; i < cfg->nattrs; i++) {
        const char *a = cfg->attrs[i];

        if (strcasecmp(a, "LOGIN") == 0 && cfg->login == NULL &&
            st->login == NULL)
            continue; /* nginx sends LOGIN only for a logged-in client */
        fake_buf_printf(&b, " %s=", a);
        if (strcasecmp(a, "ADDR") == 0) {
            add_address(&b, cfg, cfg->addr ? cfg->addr : caddr);
        } else if (strcasecmp(a, "PORT") == 0) {
            if (cfg->port)
                fake_buf_puts(&b, cfg->port);
            else
                fake_buf_printf(&b, "%d", cport);
        } else if (strcasecmp(a, "DESTADDR") == 0) {
            add_address(&b, cfg, cfg->destaddr ? cfg->destaddr : laddr);
        } else if (strcasecmp(a, "DESTPORT") == 0) {
            if (cfg->destport)
                fake_buf_puts(&b, cfg->destport);
            else
                fake_buf_printf(&b, "%d", lport);
        } else if (strcasecmp(a, "LOGIN") == 0)
            xtext(&b, cfg->login ? cfg->login : st->login);
        else if (strcasecmp(a, "NAME") == 0)
            fake_buf_puts(&b, cfg->name);
        else if (strcasecmp(a, "HELO") == 0)
            xtext(&b, st->helo ? st->helo : "[UNAVAILABLE]");
        else if (strcasecmp(a, "PROTO") == 0)
            fake_buf_puts(&b, st->esmtp ? "ESMTP" : "SMTP");
    }
    fake_buf_puts(&b, "\r\n");
    return (char *)fake_buf_cstr(&b);
}

/* Relays both ways until one side closes or is silent too long. */
static int
pump(struct fake_conn *c, struct upstream *u)
{
    struct fake_buf part[2];
    int rc = FAKE_IO_EOF;

    fake_buf_init(&part[0]);
    fake_buf_init(&part[1]);
    /* what the client already sent (pipelined after MAIL) */
    if (c->in_len > 0) {
        fake_transcript_lines(c->id, FAKE_TR_RECV, c->in + c->in_off,
                              c->in_len);
        fake_transcript_lines(u->id, PROXY_TR_UP_SENT, c->in + c->in_off,
                              c->in_len);
        if (write_all(u->fd, c->in + c->in_off, c->in_len, u->timeout_ms) < 0)
            return FAKE_IO_ERROR;
        c->in_off = c->in_len = 0;
    }
    if (u->len > 0) {
        fake_transcript_lines(u->id, PROXY_TR_UP_RECV, u->in + u->off, u->len);
        fake_transcript_lines(c->id, FAKE_TR_SENT, u->in + u->off, u->len);
        if (fake_conn_write(c, u->in + u->off, u->len) != FAKE_IO_OK)
            return FAKE_IO_ERROR;
        u->len = 0;
    }
    for (;;) {
        struct pollfd p[2] = {{c->fd, POLLIN, 0}, {u->fd, POLLIN, 0}};
        long long deadline = fake_now_ms() + c->timeout_ms;
        char buf[16384];
        int r = fake_wait_fds(p, 2, deadline);

        if (r == 0) {
            rc = FAKE_IO_TIMEOUT;
            break;
        }
        if (r < 0) {
            rc = FAKE_IO_TERM;
            break;
        }
        for (int side = 0; side < 2; side++) {
            if (!(p[side].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(p[side].fd, buf, sizeof(buf));
            if (n <= 0) {
                /* one event whichever side went first: after QUIT both
                 * close at about the same time */
                fake_transcript_event(c->id, "relay over, closing both "
                                             "sides");
                goto done;
            }
            /* whole lines into the transcript, both sides */
            struct fake_buf *pb = &part[side];
            fake_buf_append(pb, buf, (size_t)n);
            char *nl;
            while ((nl = memchr(pb->data, '\n', pb->len)) != NULL) {
                size_t ll = (size_t)(nl - pb->data) + 1;
                if (side == 0) {
                    fake_transcript_line(c->id, FAKE_TR_RECV, pb->data, ll);
                    fake_transcript_line(u->id, PROXY_TR_UP_SENT, pb->data, ll);
                } else {
                    fake_transcript_line(u->id, PROXY_TR_UP_RECV, pb->data, ll);
                    fake_transcript_line(c->id, FAKE_TR_SENT, pb->data, ll);
                }
                memmove(pb->data, pb->data + ll, pb->len - ll);
                pb->len -= ll;
            }
            if (side == 0 ? write_all(u->fd, buf, (size_t)n, u->timeout_ms) < 0
                          : fake_conn_write(c, buf, (size_t)n) != FAKE_IO_OK) {
                rc = FAKE_IO_ERROR;
                goto done;
            }
        }
    }
done:
    fake_buf_free(&part[0]);
    fake_buf_free(&part[1]);
    c->ended = 1;
    return rc;
}

static int
upstream_failed(struct fake_conn *c, struct upstream *u, const char *why)
{
    fake_transcript_event(c->id, "upstream: %s", why);
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    fake_conn_send_last(c, "451 4.3.2 Internal server error\r\n", 33,
                        "closing after an upstream failure");
    return FAKE_IO_CLOSED;
}

/* Connects upstream, introduces the client, sends its MAIL command and
 * relays the rest. */
static int
hand_over(struct fake_conn *c, const struct proxy_config *cfg,
          const struct client_state *st, const char *mail)
{
    struct upstream u = {.fd = -1, .id = c->id, .timeout_ms = c->timeout_ms};
    char buf[512];
    int code, rc;

    fake_transcript_event(c->id, "upstream: connecting to %s port %d",
                          cfg->upstream_host, cfg->upstream_port);
    if (up_connect(&u, cfg) < 0)
        return upstream_failed(c, &u, "cannot connect");
    if (up_reply(&u) / 100 != 2)
        return upstream_failed(c, &u, "no 2xx greeting");
    snprintf(buf, sizeof(buf), "EHLO %s\r\n", cfg->hostname);
    if (up_send(&u, buf) < 0 || up_reply(&u) != 250)
        return upstream_failed(c, &u, "EHLO refused");
    if (cfg->fault == PROXY_FAULT_XCLIENT_LINE) {
        snprintf(buf, sizeof(buf), "%s\r\n", cfg->fault_line);
        if (up_send(&u, buf) < 0 || (code = up_reply(&u)) < 0)
            return upstream_failed(c, &u, "no reply to XCLIENT");
        if (code != 220 && code != 250)
            return upstream_failed(c, &u, "XCLIENT refused");
    } else if (cfg->nattrs > 0) {
        char *x = xclient_line(c, cfg, st);
        rc = up_send(&u, x);
        free(x);
        if (rc < 0 || (code = up_reply(&u)) < 0)
            return upstream_failed(c, &u, "no reply to XCLIENT");
        if (code != 220 && code != 250)
            return upstream_failed(c, &u, "XCLIENT refused");
    }
    if (cfg->fault == PROXY_FAULT_DROP_XCLIENT) {
        fake_transcript_event(c->id, "fault: drop-after-xclient");
        close(u.fd);
        fake_conn_send_last(c, "451 4.3.2 Internal server error\r\n", 33,
                            "closing (fault drop-after-xclient)");
        return FAKE_IO_CLOSED;
    }
    if (cfg->fault != PROXY_FAULT_NO_EHLO && st->helo != NULL) {
        snprintf(buf, sizeof(buf), "%s %s\r\n", st->esmtp ? "EHLO" : "HELO",
                 st->helo);
        if (up_send(&u, buf) < 0 || up_reply(&u) != 250)
            return upstream_failed(c, &u, "EHLO after XCLIENT refused");
    }
    if (up_send(&u, mail) < 0)
        return upstream_failed(c, &u, "write failed");
    rc = pump(c, &u);
    close(u.fd);
    return rc;
}

static char *
b64_decode(const char *in, size_t *outlen)
{
    size_t n = strlen(in);
    unsigned char *out = malloc(n + 4);
    int len;

    if (out == NULL)
        return NULL;
    len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (len < 0 || n % 4 != 0) {
        free(out);
        return NULL;
    }
    while (n > 0 && in[n - 1] == '=') { /* EVP counts the padding */
        n--;
        len--;
    }
    out[len] = '\0';
    *outlen = (size_t)len;
    return (char *)out;
}

static const char *
check_user(const struct proxy_config *cfg, const char *user, const char *pw)
{
    for (int i = 0; i < cfg->nusers; i++)
        if (strcmp(cfg->users[i].name, user) == 0 &&
            strcmp(cfg->users[i].password, pw) == 0)
            return cfg->users[i].name;
    return NULL;
}

/* Reads one line from the client, without CRLF. */
static int
client_line(struct fake_conn *c, struct fake_buf *line)
{
    int rc = fake_conn_read_line(c, line, 4096);

    if (rc == FAKE_IO_OK) {
        while (line->len > 0 && (line->data[line->len - 1] == '\n' ||
                                 line->data[line->len - 1] == '\r'))
            line->len--;
        line->data[line->len] = '\0';
    }
    return rc;
}

static int
do_auth(struct fake_conn *c, const struct proxy_config *cfg,
        struct client_state *st, char *arg)
{
    struct fake_buf line;
    char *mech = arg, *init = NULL, *user = NULL, *pw = NULL, *dec;
    size_t dl;
    int rc = FAKE_IO_OK;

    fake_buf_init(&line);
    if ((init = strchr(arg, ' ')) != NULL)
        *init++ = '\0';
    if (st->login != NULL) {
        send_client(c, "503 5.5.1 Error: already authenticated\r\n");
        goto out;
    }
    if (strcasecmp(mech, "PLAIN") == 0) {
        if (init == NULL) {
            send_client(c, "334 \r\n");
            if ((rc = client_line(c, &line)) != FAKE_IO_OK)
                goto out;
            init = line.data;
        }
        dec = b64_decode(init, &dl);
        if (dec != NULL) {
            char *u = memchr(dec, '\0', dl);
            char *p =
                u ? memchr(u + 1, '\0', dl - (size_t)(u + 1 - dec)) : NULL;
            if (p != NULL) {
                user = strdup(u + 1);
                pw = strdup(p + 1);
            }
            free(dec);
        }
    } else if (strcasecmp(mech, "LOGIN") == 0) {
        if (init != NULL)
            user = b64_decode(init, &dl);
        else {
            send_client(c, "334 VXNlcm5hbWU6\r\n");
            if ((rc = client_line(c, &line)) != FAKE_IO_OK)
                goto out;
            user = b64_decode(line.data, &dl);
        }
        send_client(c, "334 UGFzc3dvcmQ6\r\n");
        if ((rc = client_line(c, &line)) != FAKE_IO_OK)
            goto out;
        pw = b64_decode(line.data, &dl);
    } else {
        send_client(c, "504 5.5.4 Unrecognized authentication type\r\n");
        goto out;
    }
    const char *who = user && pw ? check_user(cfg, user, pw) : NULL;
    if (who != NULL) {
        st->login = strdup(who);
        send_client(c, "235 2.0.0 OK\r\n");
    } else
        send_client(c, "535 5.7.8 Error: authentication failed\r\n");
out:
    free(user);
    free(pw);
    fake_buf_free(&line);
    return rc;
}

int
proxy_session_run(struct fake_conn *c, void *ctx)
{
    const struct proxy_config *cfg = ctx;
    struct client_state st = {NULL, 0, NULL};
    struct fake_buf line, out;
    int rc;

    fake_buf_init(&line);
    fake_buf_init(&out);
    if (cfg->greeting)
        fake_buf_printf(&out, "220 %s\r\n", cfg->greeting);
    else
        fake_buf_printf(&out, "220 %s ESMTP ready\r\n", cfg->hostname);
    if ((rc = send_client(c, out.data)) != FAKE_IO_OK)
        goto out;
    for (;;) {
        char *cmd, *arg;

        if ((rc = client_line(c, &line)) != FAKE_IO_OK)
            break;
        cmd = line.data;
        arg = cmd + strcspn(cmd, " ");
        if (*arg)
            *arg++ = '\0';
        if (strcasecmp(cmd, "EHLO") == 0 || strcasecmp(cmd, "HELO") == 0) {
            if (*arg == '\0') {
                send_client(c, "501 5.5.2 Syntax: EHLO hostname\r\n");
                continue;
            }
            free(st.helo);
            st.helo = strdup(arg);
            st.esmtp = toupper((unsigned char)cmd[0]) == 'E';
            fake_buf_reset(&out);
            if (!st.esmtp)
                fake_buf_printf(&out, "250 %s\r\n", cfg->hostname);
            else {
                fake_buf_printf(&out, "250-%s\r\n", cfg->hostname);
                if (cfg->nusers > 0)
                    fake_buf_puts(&out, "250-AUTH PLAIN LOGIN\r\n");
                fake_buf_puts(&out, "250 8BITMIME\r\n");
            }
            if ((rc = send_client(c, out.data)) != FAKE_IO_OK)
                break;
        } else if (strcasecmp(cmd, "AUTH") == 0 && cfg->nusers > 0) {
            if ((rc = do_auth(c, cfg, &st, arg)) != FAKE_IO_OK)
                break;
        } else if (strcasecmp(cmd, "MAIL") == 0) {
            if (cfg->auth_required && st.login == NULL) {
                send_client(c, "530 5.7.0 Authentication required\r\n");
                continue;
            }
            fake_buf_reset(&out);
            fake_buf_printf(&out, "MAIL %s\r\n", arg);
            rc = hand_over(c, cfg, &st, out.data);
            break;
        } else if (strcasecmp(cmd, "QUIT") == 0) {
            fake_conn_send_last(c, "221 2.0.0 Bye\r\n", 15,
                                "closing after QUIT");
            rc = FAKE_IO_CLOSED;
            break;
        } else if (strcasecmp(cmd, "RSET") == 0 || strcasecmp(cmd, "NOOP") == 0)
            send_client(c, "250 2.0.0 OK\r\n");
        else
            send_client(c, "502 5.5.2 Error: command not recognized\r\n");
    }
out:
    free(st.helo);
    free(st.login);
    fake_buf_free(&line);
    fake_buf_free(&out);
    return rc;
}
