/*++
 * NAME
 *	dns_send 3
 * SUMMARY
 *	sending a query and waiting for its reply
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	int	dns_transact(struct arena *a, const struct dns_conf *c,
 *				long timeout_ms, int attempts,
 *				const unsigned char *query, size_t qlen,
 *				struct dns_msg *m, gstr *err)
 * DESCRIPTION
 *	Each attempt asks each server in turn over UDP, from a socket
 *	connected to it (so replies from elsewhere are not seen), and
 *	waits up to timeout_ms for a reply that carries the query's id and
 *	question. A reply with the TC bit set is asked again over TCP, of
 *	the same server, under the same time-out. Time is measured on the
 *	monotonic clock. A SERVFAIL, REFUSED or NOTIMP reply does not end
 *	the attempts, as in the C library's resolver: the next server (or
 *	attempt) is asked, and when all have been tried, the last such
 *	reply is returned (its rcode in m, nothing else). A reply to the
 *	query whose records cannot be read is the answer too, without
 *	records (m->malformed, and why in err), as the C library's
 *	resolver hands such a reply to Exim; it is not asked again.
 * DIAGNOSTICS
 *	DNS_AGAIN with the reason in err: "timed out (2 attempts of 5s)",
 *	"127.0.0.1 port 53: Connection refused", "malformed reply from
 *	127.0.0.1 port 53: ...".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "dns/dns_int.h"

enum try_result { TRY_REPLY, TRY_TIMEOUT, TRY_ERROR };

static void
server_error(gstr *err, const struct sockaddr_storage *ss, const char *what)
{
    gstr_truncate(err, 0);
    dns_conf_server_text(err, ss);
    gstr_printf(err, ": %s", what);
}

static int
open_socket(const struct sockaddr_storage *ss, socklen_t sl, int type,
            gstr *err)
{
    int fd = socket(ss->ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

    if (fd < 0) {
        server_error(err, ss, strerror(errno));
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)ss, sl) < 0 &&
        errno != EINPROGRESS) {
        server_error(err, ss, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int
same_query(const unsigned char *q, size_t qlen, const unsigned char *r,
           size_t rlen)
{
    /* id, then the question section byte for byte (names compared
     * without regard to case, which servers may change); an error
     * reply may leave the question out */
    if (rlen < 12 || r[0] != q[0] || r[1] != q[1] || !(r[2] & 0x80))
        return 0;
    if (r[4] == 0 && r[5] == 0 && (r[3] & 0x0f) != 0)
        return 1;
    if (rlen < qlen)
        return 0;
    if (r[4] != 0 || r[5] != 1)
        return 0;
    for (size_t i = 12; i < qlen; i++) {
        unsigned char a = q[i], b = r[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

static int
udp_try(const struct dns_conf *c, int s, const unsigned char *q, size_t qlen,
        long timeout_ms, unsigned char *buf, size_t *rlen, gstr *err)
{
    const struct sockaddr_storage *ss = &c->servers[s];
    long deadline = clock_ms() + timeout_ms;
    int fd = open_socket(ss, c->server_len[s], SOCK_DGRAM, err);

    if (fd < 0)
        return TRY_ERROR;
    if (send(fd, q, qlen, 0) < 0) {
        server_error(err, ss, strerror(errno));
        close(fd);
        return TRY_ERROR;
    }
    for (;;) {
        ssize_t n;
        int rc = fd_wait_until(fd, POLLIN, deadline);

        if (rc <= 0) {
            if (rc < 0)
                server_error(err, ss, strerror(errno));
            close(fd);
            return rc == 0 ? TRY_TIMEOUT : TRY_ERROR;
        }
        n = recv(fd, buf, DNS_MSG_MAX, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n < 0) {
            server_error(err, ss, strerror(errno));
            close(fd);
            return TRY_ERROR;
        }
        /* a stray or forged datagram: keep waiting for ours */
        if (!same_query(q, qlen, buf, (size_t)n))
            continue;
        close(fd);
        *rlen = (size_t)n;
        return TRY_REPLY;
    }
}

static int
tcp_io(int fd, unsigned char *p, size_t n, int out, long deadline)
{
    while (n > 0) {
        ssize_t k;
        int rc = fd_wait_until(fd, out ? POLLOUT : POLLIN, deadline);
        if (rc <= 0)
            return rc == 0 ? TRY_TIMEOUT : TRY_ERROR;
        k = out ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k < 0)
            return TRY_ERROR;
        if (k == 0) {
            errno = ECONNRESET;
            return TRY_ERROR;
        }
        p += k;
        n -= (size_t)k;
    }
    return TRY_REPLY;
}

static int
tcp_try(const struct dns_conf *c, int s, const unsigned char *q, size_t qlen,
        long timeout_ms, unsigned char *buf, size_t *rlen, gstr *err)
{
    const struct sockaddr_storage *ss = &c->servers[s];
    long deadline = clock_ms() + timeout_ms;
    unsigned char out[2 + DNS_UDP_MAX], hdr[2];
    int fd = open_socket(ss, c->server_len[s], SOCK_STREAM, err);
    int rc;
    size_t n;

    if (fd < 0)
        return TRY_ERROR;
    out[0] = (unsigned char)(qlen >> 8);
    out[1] = (unsigned char)qlen;
    memcpy(out + 2, q, qlen);
    if ((rc = tcp_io(fd, out, qlen + 2, 1, deadline)) == TRY_REPLY &&
        (rc = tcp_io(fd, hdr, 2, 0, deadline)) == TRY_REPLY) {
        n = (size_t)hdr[0] << 8 | hdr[1];
        rc = tcp_io(fd, buf, n, 0, deadline);
        *rlen = n;
    }
    if (rc == TRY_ERROR)
        server_error(err, ss, strerror(errno));
    close(fd);
    if (rc == TRY_REPLY && !same_query(q, qlen, buf, *rlen)) {
        server_error(err, ss, "reply over TCP does not match the query");
        return TRY_ERROR;
    }
    return rc;
}

/* The C library's resolver takes these answers as "this server cannot
 * help" and asks the next server, and again on the next attempt; so do
 * we, so that a lookup asks as often as Exim's does. */
static int
server_gave_up(unsigned rcode)
{
    return rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED ||
           rcode == DNS_RCODE_NOTIMP;
}

int
dns_transact(struct arena *a, const struct dns_conf *c, long timeout_ms,
             int attempts, const unsigned char *query, size_t qlen,
             struct dns_msg *m, gstr *err)
{
    unsigned char *buf = arena_alloc(a, DNS_MSG_MAX);
    int timeouts = 0, tries = 0, refusal = -1;

    for (int t = 0; t < attempts; t++)
        for (int s = 0; s < c->nservers; s++) {
            size_t rlen = 0;
            int rc;

            tries++;
            rc = udp_try(c, s, query, qlen, timeout_ms, buf, &rlen, err);
            if (rc == TRY_REPLY && (buf[2] & 0x02))
                rc = tcp_try(c, s, query, qlen, timeout_ms, buf, &rlen, err);
            if (rc == TRY_TIMEOUT)
                timeouts++;
            if (rc != TRY_REPLY)
                continue;
            gstr_truncate(err, 0);
            if (dns_wire_parse(a, buf, rlen, m, err) == 0) {
                if (!server_gave_up(m->rcode))
                    return DNS_OK;
                refusal = (int)m->rcode;
                continue;
            }
            /* Its id and question are ours (same_query()): as for the
             * C library's resolver, it is the answer, and its records
             * are not there to be read. */
            {
                char *why = arena_strdup(a, gstr_str(err));
                unsigned rcode = buf[3] & 0x0f;
                gstr_truncate(err, 0);
                gstr_adds(err, "malformed reply from ");
                dns_conf_server_text(err, &c->servers[s]);
                gstr_printf(err, ": %s", why);
                memset(m, 0, sizeof(*m));
                m->qr = 1;
                m->rcode = rcode;
                m->neg_ttl = -1;
                m->malformed = 1;
                if (!server_gave_up(rcode))
                    return DNS_OK;
                refusal = (int)rcode;
            }
        }
    if (refusal >= 0) {
        /* what the last server that answered said */
        memset(m, 0, sizeof(*m));
        m->qr = 1;
        m->rcode = (unsigned)refusal;
        m->neg_ttl = -1;
        gstr_truncate(err, 0);
        return DNS_OK;
    }
    if (timeouts == tries) {
        gstr_truncate(err, 0);
        gstr_printf(err, "timed out (%d attempt%s of ", tries,
                    tries == 1 ? "" : "s");
        if (timeout_ms % 1000 != 0)
            gstr_printf(err, "%ldms)", timeout_ms);
        else
            gstr_printf(err, "%lds)", timeout_ms / 1000);
    }
    return DNS_AGAIN;
}
