/*++
 * NAME
 *	smtp_run 3
 * SUMMARY
 *	the smtp transport: delivery to remote hosts
 * SYNOPSIS
 *	#include "transport/tpdrivers.h"
 *
 *	extern const struct transport_driver transport_smtp_driver;
 *	void	smtp_transport_close_idle(void)
 *	void	smtp_transport_hold_idle(int on)
 *	int	smtp_transport_overrides_hosts(
 *			const struct driver_instance *tp)
 * DESCRIPTION
 *	Delivers the addresses of one call (those the delivery process
 *	grouped for one host list) as Exim's smtp transport does.
 *
 *	The hosts are the router's, or the transport's "hosts" option
 *	when the router gave none or under hosts_override (those are
 *	looked up here; one that is this machine is refused unless
 *	allow_localhost: "T transport found host H to be local"). The
 *	port is a host's own, else "port" (default 25).
 *
 *	Each host in turn, while addresses are left deferred: connect
 *	(connect_timeout), the greeting, EHLO helo_data (HELO when EHLO
 *	is refused, or at once for hosts_avoid_esmtp; no pipelining
 *	for hosts_avoid_pipelining), then one transaction per max_rcpt
 *	addresses, each batch on a new connection as Exim's separate
 *	transport calls have it (and per domain unless multi_domain),
 *	with the server's LIMITS (smtp_limits.c) splitting further on
 *	the same connection (the transactions are smtp_transaction.c's):
 *	MAIL FROM with SIZE= when the server offers SIZE (the message
 *	size with the blank line after the headers, one byte per line
 *	for the CRs, plus size_addition, as Exim), RET= and ENVID= when
 *	it offers DSN; RCPT TO with NOTIFY= and ORCPT= likewise; DATA;
 *	the message with CRLF line ends and leading dots doubled; the
 *	final dot. Under PIPELINING MAIL, the RCPTs and DATA go in one
 *	write. When the server offers CHUNKING and the host is in
 *	hosts_try_chunking (default "*"), BDAT replaces DATA
 *	(smtp_bdat.c). Every reply is awaited for command_timeout (the final
 *	dot's for final_timeout), every write of the message for
 *	data_timeout. At most hosts_max_try hosts are tried
 *	(hosts_max_try_hardlimit counts those that could not be looked
 *	up too). Addresses that every host deferred go on to
 *	fallback_hosts (the router's, else the transport's), looked up
 *	here like the transport's own hosts.
 *
 *	After a message the connection is kept (up to
 *	connection_max_messages transactions, or the server's MAILMAX if
 *	lower) when another message waits for the host (retry_wait.c, as
 *	Exim's wait-<transport> hints), for the next message to the same
 *	host if it is a waiting one; that one goes straight on with MAIL
 *	and is logged with "*" after the host. smtp_transport_close_idle()
 *	sends the QUIT when no message follows; while
 *	smtp_transport_hold_idle() is on, the kept connection is neither
 *	used nor replaced. smtp_transport_overrides_hosts() tells -bt
 *	whether a transport's hosts replace the router's.
 *
 *	Results per address: accepted at the end of data, delivered
 *	(the reply is kept as the confirmation for C="...", the first
 *	address of a transaction is logged "=>", the others "->"); 5xx
 *	to RCPT, failed; 4xx, deferred (errno -44). Errors that concern
 *	the whole session (greeting, EHLO/HELO, time-outs, a closed
 *	connection, connection refused) defer every address still open
 *	and the next host is tried; a 5xx at the start of the session
 *	from the last host fails them. Errors after MAIL, DATA and the
 *	final dot are message errors: 5xx fails, 4xx defers. Each
 *	host that defers is logged as Exim's write_logs() does:
 *	"H=name [ip]: message" or "H=name [ip] Connection refused".
 *
 *	With transport_filter the message goes through the command first
 *	(tpfilter_run()); a filter that fails defers the addresses with
 *	Exim's "transport filter process failed (N)" (errno -24), drops
 *	the connection and tries no other host.
 *
 *	Each host used keeps the greeting and the EHLO/HELO reply (first
 *	lines); a failure while setting up the session (up to and
 *	including STARTTLS and the EHLO after it) copies them to the
 *	addresses for DSN information. An error that carries the
 *	server's reply is marked ADDR_PASS_MSG (it may go into a
 *	bounce). The commands that opened the session (EHLO "e", HELO
 *	"h", STARTTLS or TLS on connect "s") are kept on the first open
 *	address for protocol_detail.
 * DIAGNOSTICS
 *	Exim's messages and errno values: "SMTP error from remote mail
 *	server after RCPT TO:<x>: 550 ...", "SMTP timeout after ...",
 *	"Remote host closed connection in response to ...", "Malformed
 *	SMTP reply in response to ...", defer (111) for a refused
 *	connection, (110) for time-outs.
 *--*/

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "conf/conf.h"
#include "expand/match.h"
#include "log/log.h"
#include "expand/expand.h"
#include "retry/retry.h"
#include "route/hosts.h"
#include "route/router.h"
#include "spool/envelope.h"
#include "transport/smtp.h"
#include "transport/smtp_auth.h"
#include "transport/smtp_client.h"
#include "transport/smtp_data.h"
#include "transport/smtp_retry.h"
#include "transport/smtp_run_int.h"
#include "transport/smtp_limits.h"
#include "transport/smtp_tls.h"
#include "transport/tpcall.h"
#include "transport/tpdrivers.h"
#include "transport/tpfilter.h"
#include "transport/transport.h"

#define SMTP_ERRNO_HOST_IS_LOCAL (-50)
#define SMTP_ERROR_LEAD          "SMTP error from remote mail server after "

int (*smtp_retry_host_check)(struct transport_call *c, struct host_item *h);
void (*smtp_retry_host_failed)(struct transport_call *c,
                               const struct host_item *h, int err,
                               const char *msg, int message);

/* Reply text as Exim logs it (its string_printing()): lines joined
 * by "\n" written as backslash and n, other control characters and
 * bytes above 126 escaped as \r, \t ... or \ooo. */
char *
smtp_printable(struct arena *a, const char *s)
{
    gstr g;

    gstr_init(&g, a);
    str_printing(&g, s, strlen(s));
    return (char *)gstr_str(&g);
}

static char *
first_line(struct arena *a, const char *s)
{
    const char *nl = strchr(s, '\n');

    return nl ? arena_strndup(a, s, (size_t)(nl - s)) : arena_strdup(a, s);
}

/* A host deferred the call: noted for retry, as Exim adds a host retry
 * item for every DEFER from a host, whether or not a host error line is
 * logged (a failed TLS handshake and AUTH required but not achieved have
 * none). */
static void
host_deferred(struct smtp_sess *s, const struct host_item *h, int err,
              const char *msg)
{
    if (smtp_retry_host_failed != NULL)
        smtp_retry_host_failed(s->c, h, err, msg, 0);
}

static void write_logs(struct smtp_sess *s, const struct host_item *h,
                       const char *msg, int err);

/* Exim's write_logs(): what went wrong with a host; the host is noted
 * for retry. */
void
smtp_write_logs(struct smtp_sess *s, const struct host_item *h, const char *msg,
                int err)
{
    write_logs(s, h, msg, err);
    host_deferred(s, h, err, msg);
}

/* The same for a message error that deferred (a 4xx, or a time-out or
 * closed connection after MAIL or the end of data): as Exim's
 * message_defer, the retry item is for this message at the host, not
 * for the host. */
void
smtp_write_logs_message(struct smtp_sess *s, const struct host_item *h,
                        const char *msg, int err)
{
    write_logs(s, h, msg, err);
    if (smtp_retry_host_failed != NULL)
        smtp_retry_host_failed(s->c, h, err, msg, 1);
}

static void
write_logs(struct smtp_sess *s, const struct host_item *h, const char *msg,
           int err)
{
    gstr g;

    gstr_init(&g, s->a);
    gstr_printf(&g, "%s H=%s [%s]", s->c->msg->m->id, h->name, h->address);
    if (log_selected(LS_outgoing_port))
        gstr_printf(&g, ":%d", h->port);
    if (msg != NULL) {
        gstr_printf(&g, ": %s", msg);
        if (err > 0)
            gstr_printf(&g, ": %s", strerror(err));
    } else {
        gstr_printf(&g, " %s", err > 0 ? strerror(err) : "unknown error");
    }
    log_write(LOG_MAIN, "%s", g.s);
    /* the message log has the line too, without the id */
    transport_msglog(s->c, "%s", g.s + strlen(s->c->msg->m->id) + 1);
}

/* Sets every address still open (deferred, in this attempt) to rc. */
void
smtp_set_open(struct smtp_sess *s, enum addr_result rc, int err,
              const char *msg, int with_host)
{
    for (size_t i = 0; i < s->n; i++) {
        struct address *a = s->v[i];
        if (a->result != ADDR_PENDING)
            continue;
        a->result = rc;
        a->basic_errno = err;
        a->message = msg ? arena_strdup(s->a, msg) : NULL;
        if (with_host)
            a->host_used = s->host;
    }
}

/* Exim's check_response(): the message for a failed read of the reply
 * to s->cmd. Sets *err; returns the reply's first digit, or '4'. */
char
smtp_check_response(struct smtp_sess *s, int *err, const char **msg)
{
    const char *pl = s->pipe_active ? "pipelined " : "";

    if (*err == ETIMEDOUT) {
        *msg = arena_printf(s->a, "SMTP timeout after %s%s", pl, s->cmd);
        if (s->c->bytes_written > 0) /* Exim's transport_count */
            *msg = arena_printf(s->a, "%s (%ld bytes written)", *msg,
                                s->c->bytes_written);
        return '4';
    }
    if (*err == SMTP_ERRNO_SMTPFORMAT) {
        *msg =
            arena_printf(s->a, "Malformed SMTP reply in response to %s%s: %s",
                         pl, s->cmd, smtp_printable(s->a, s->reply.s));
        return '4';
    }
    if (s->reply.len > 0) {
        *msg = arena_printf(s->a,
                            "SMTP error from remote mail server after %s%s: %s",
                            pl, s->cmd, smtp_printable(s->a, s->reply.s));
        return s->reply.s[0];
    }
    if (*err == 0 || *err == ECONNRESET) {
        *err = SMTP_ERRNO_SMTPCLOSED;
        *msg = arena_printf(s->a,
                            "Remote host closed connection in response "
                            "to %s%s",
                            pl, s->cmd);
    } else {
        *msg = arena_printf(s->a, "%s [%s]", s->host->name, s->host->address);
    }
    return '4';
}

int
smtp_send_cmd(struct smtp_sess *s, const char *text)
{
    if (smtp_conn_write(&s->conn, text, strlen(text), s->ob->command_timeout) <
        0)
        return -1;
    return 0;
}

int
smtp_read_reply(struct smtp_sess *s, int timeout)
{
    return smtp_conn_read_reply(&s->conn, timeout, &s->reply);
}

/* DSN information for a failure while setting up the session: the
 * greeting and, past it, the reply to the last EHLO/HELO (the one that
 * failed, if that is what failed), on every open address. */
static void
note_setup(struct smtp_sess *s)
{
    int at_greeting =
        s->cmd == NULL || strcmp(s->cmd, "initial connection") == 0;
    int at_helo = s->cmd != NULL && (strncmp(s->cmd, "EHLO ", 5) == 0 ||
                                     strncmp(s->cmd, "HELO ", 5) == 0);
    char *helo = at_greeting                   ? NULL
                 : at_helo && s->reply.len > 0 ? first_line(s->a, s->reply.s)
                                               : s->host->helo_response;

    for (size_t i = 0; i < s->n; i++)
        if (s->v[i]->result == ADDR_PENDING) {
            s->v[i]->smtp_greeting = s->host->greeting;
            s->v[i]->helo_response = helo;
        }
}

/* protocol_detail: c ("e" EHLO, "h" HELO, "l" LHLO, "s" STARTTLS, "a"
 * AUTH) added to the session's sequence, kept on the first open
 * address as Exim keeps it on the transaction's first address. */
static void
ps_add(struct smtp_sess *s, char c)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i]->result == ADDR_PENDING) {
            struct address *a = s->v[i];
            a->proto_seq =
                arena_printf(s->a, "%s%c", a->proto_seq ? a->proto_seq : "", c);
            return;
        }
}

/* A failure while setting up the session (greeting, EHLO, HELO):
 * every open address is deferred, or failed for a 5xx from the last
 * host. */
static void
setup_failed(struct smtp_sess *s, int err)
{
    const char *msg;
    char code;
    enum addr_result rc;

    note_setup(s);
    code = smtp_check_response(s, &err, &msg);
    rc = !s->last_host ? ADDR_DEFER : code == '5' ? ADDR_FAIL : ADDR_DEFER;
    smtp_set_open(s, rc, err, msg, 1);
    smtp_write_logs(s, s->host, msg, err);
    s->dead = err != 0;
}

/* The EHLO reply's keywords. */
static void
read_ehlo_keywords(struct smtp_sess *s)
{
    const char *p = s->reply.s;

    while ((p = strchr(p, '\n')) != NULL) {
        const char *k = ++p + 4;
        size_t n = strcspn(k, " \n");
        if (n == 10 && strncasecmp(k, "PIPELINING", n) == 0)
            s->pipelining = 1;
        else if (n == 4 && strncasecmp(k, "SIZE", n) == 0)
            s->size_ok = 1;
        else if (n == 3 && strncasecmp(k, "DSN", n) == 0)
            s->dsn_ok = 1;
        else if (n == 8 && strncasecmp(k, "STARTTLS", n) == 0)
            s->tls_offered = 1;
        else if (n == 8 && strncasecmp(k, "CHUNKING", n) == 0)
            s->chunking = 1;
    }
}

/* 1 if the session's host is in a host list option (by address, or
 * by the name it was routed under). */
static int
host_in_list(struct smtp_sess *s, const char *list)
{
    gstr err;

    if (list == NULL)
        return 0;
    gstr_init(&err, s->a);
    return match_host(s->c->x, s->host->address, s->host->name, list, &err) ==
           MATCH_OK;
}

static int smtp_start_tls(struct smtp_sess *s);
static int smtp_tls_step(struct smtp_sess *s);
/* AUTH after EHLO (smtp_auth.c); -1 when the host is given up. */
static int
session_auth(struct smtp_sess *s)
{
    struct smtp_auth_call ac = {0};
    int rc;

    ac.conn = &s->conn;
    ac.a = s->a;
    ac.x = s->c->x;
    ac.timeout = s->ob->command_timeout;
    ac.ehlo_reply = arena_strdup(s->a, s->reply.s ? s->reply.s : "");
    ac.require = host_in_list(s, s->ob->hosts_require_auth);
    ac.try_auth = host_in_list(s, s->ob->hosts_try_auth);
    ac.host_name = s->host->name;
    ac.host_address = s->host->address;
    ac.msgid = s->c->msg->m->id;
    ac.reply = &s->reply;
    rc = smtp_auth_client(&ac);
    /* protocol_detail: "a" for each authenticator tried, as Exim's
     * try_authenticator() records it, whatever the outcome */
    for (int i = 0; i < ac.attempts; i++)
        ps_add(s, 'a');
    switch (rc) {
    case SMTP_AUTH_OK:
        s->auth_name = ac.authenticator;
        s->auth_id = ac.auth_id;
        return 0;
    case SMTP_AUTH_DEFER:
        smtp_set_open(s, ADDR_DEFER, ac.basic_errno, ac.message, 0);
        /* an authenticator's own error (-48) is Exim's ERROR: no item */
        if (ac.basic_errno == SMTP_ERRNO_AUTHFAIL)
            host_deferred(s, s->host, ac.basic_errno, ac.message);
        (void)smtp_send_cmd(s, "QUIT\r\n");
        (void)smtp_read_reply(s, 5);
        s->dead = 1;
        return -1;
    case SMTP_AUTH_SEND_FAIL:
        s->cmd = ac.cmd;
        smtp_set_open(s, ADDR_DEFER, errno,
                      arena_printf(s->a, "smtp send to %s [%s] failed: %s",
                                   s->host->name, s->host->address,
                                   strerror(errno)),
                      1);
        smtp_write_logs(s, s->host, s->v[0]->message, errno);
        s->dead = 1;
        return -1;
    default:
        /* a 4xx answer leaves the connection usable for QUIT, as in
         * Exim; setup_failed() marks it dead after an I/O error */
        s->cmd = ac.cmd;
        setup_failed(s, errno);
        return -1;
    }
}

static int
session_start(struct smtp_sess *s)
{
    int code;

    if (s->smtps && smtp_start_tls(s) < 0)
        return -1;
    s->cmd = "initial connection";
    code = smtp_read_reply(s, s->ob->command_timeout);
    if (code > 0 || s->reply.len > 0)
        s->host->greeting = first_line(s->a, s->reply.s);
    if (code / 100 != 2) {
        setup_failed(s, code < 0 ? errno : 0);
        return -1;
    }
    s->esmtp = !host_in_list(s, s->ob->hosts_avoid_esmtp);
    if (s->esmtp) {
        s->cmd = arena_printf(s->a, "EHLO %s", s->helo);
        if (smtp_send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0)
            goto send_failed;
        ps_add(s, 'e');
        code = smtp_read_reply(s, s->ob->command_timeout);
        if (code < 0) {
            setup_failed(s, errno);
            return -1;
        }
        s->esmtp = code / 100 == 2;
    }
    if (!s->esmtp) {
        s->cmd = arena_printf(s->a, "HELO %s", s->helo);
        if (smtp_send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0)
            goto send_failed;
        ps_add(s, 'h');
        code = smtp_read_reply(s, s->ob->command_timeout);
        if (code / 100 != 2) {
            setup_failed(s, code < 0 ? errno : 0);
            return -1;
        }
    }
    s->host->helo_response = first_line(s->a, s->reply.s);
    if (s->esmtp) {
        read_ehlo_keywords(s);
        /* the values count under TLS, or when the server offers no
         * STARTTLS (smtp_start_tls() reads them again after it) */
        smtp_limits_read(&s->lim, s->reply.s, s->conn.tls != NULL);
    }
    if (smtp_tls_step(s) < 0)
        return -1;
    if (s->pipelining && host_in_list(s, s->ob->hosts_avoid_pipelining))
        s->pipelining = 0;
    if (s->chunking && !host_in_list(s, s->ob->hosts_try_chunking))
        s->chunking = 0;
    if (s->esmtp && session_auth(s) < 0)
        return -1;
    return 0;
send_failed:
    s->reply.len = 0;
    note_setup(s);
    smtp_set_open(s, ADDR_DEFER, errno,
                  arena_printf(s->a, "smtp send to %s [%s] failed: %s",
                               s->host->name, s->host->address,
                               strerror(errno)),
                  1);
    smtp_write_logs(s, s->host, s->v[0]->message, s->v[0]->basic_errno);
    s->dead = 1;
    return -1;
}

/* The hosts: the router's, or the transport's own. NULL with the
 * addresses deferred when there are none. */
static struct host_item *
get_hosts(struct transport_call *c, const struct transport_smtp *ob, int *own)
{
    char *list;

    *own = 0;
    if (c->addrs->hosts != NULL && !(ob->hosts_override && ob->hosts))
        return c->addrs->hosts;
    if (ob->hosts == NULL) {
        transport_set_result(c, ADDR_DEFER, 0,
                             arena_printf(c->arena,
                                          "%s transport called with no hosts "
                                          "set",
                                          c->tp->name));
        return NULL;
    }
    if (transport_expand(c, ob->hosts, &list) < 0)
        return NULL;
    *own = 1;
    return host_list_parse(c->arena, list, ob->hosts_randomize);
}

static int
get_port(struct transport_call *c, const struct transport_smtp *ob)
{
    char *v, *end;
    long p;
    struct servent *se;

    if (ob->port == NULL)
        return 25;
    if (transport_expand(c, ob->port, &v) < 0)
        return -1;
    p = strtol(v, &end, 10);
    if (*end == '\0' && p > 0 && p < 65536)
        return (int)p;
    if ((se = getservbyname(v, "tcp")) != NULL)
        return ntohs((unsigned short)se->s_port);
    transport_set_result(c, ADDR_DEFER, 0,
                         arena_printf(c->arena,
                                      "invalid port number or service "
                                      "name: %s",
                                      v));
    return -1;
}

/* Own hosts are looked up here. 0 to try h; 1 to skip it; -1 to stop
 * (the addresses have their results). */
static int
prepare_host(struct smtp_sess *s, struct host_item *h, int own)
{
    gstr err;
    enum host_find rc;

    if (h->address == NULL) {
        gstr_init(&err, s->a);
        rc = host_find_addresses(s->a, h, &err);
        if (rc != HOST_FOUND) {
            for (size_t i = 0; i < s->n; i++)
                if (s->v[i]->result == ADDR_PENDING) {
                    s->v[i]->basic_errno = SMTP_ERRNO_UNKNOWNHOST;
                    s->v[i]->message = arena_printf(
                        s->a, "failed to lookup IP address for %s", h->name);
                }
            return 1;
        }
    }
    if (own && !s->ob->allow_localhost && host_is_local(s->c->x, h->address)) {
        smtp_set_open(s, ADDR_DEFER, SMTP_ERRNO_HOST_IS_LOCAL,
                      arena_printf(s->a,
                                   "%s transport found host %s to be local",
                                   s->c->tp->name, h->name),
                      0);
        return -1;
    }
    return 0;
}

/* A connection kept open after a message, for the next message of a
 * queue run to the same host (Exim's continued connections). */
static struct smtp_idle {
    int active;
    struct smtp_conn conn;
    char ip[64], tp[64], helo[256];
    int port;
    int esmtp, pipelining, size_ok, dsn_ok, chunking, messages, need_rset;
    struct smtp_limits lim;
    char greeting[512], helo_response[512];
    char auth_name[128], auth_id[256];
} idle;

static int idle_held;
static long kept_lost;

long
smtp_transport_kept_lost(void)
{
    return kept_lost;
}

void
smtp_transport_hold_idle(int on)
{
    idle_held += on ? 1 : -1;
    if (idle_held < 0)
        idle_held = 0;
}

void
smtp_transport_close_idle(void)
{
    gstr reply;
    struct arena *a;

    if (!idle.active)
        return;
    idle.active = 0;
    a = arena_create();
    idle.conn.a = a;
    gstr_init(&reply, a);
    if (smtp_conn_write(&idle.conn, "QUIT\r\n", 6, 5) == 0)
        (void)smtp_conn_read_reply(&idle.conn, 5, &reply);
    smtp_conn_close(&idle.conn);
    arena_destroy(a);
}

static void
copy_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Ends the session: the connection is kept for the next message when
 * a message went (keep), connection_max_messages allows, and the
 * server has not said more than it was asked; else QUIT (unless the
 * connection is dead). */
static void
session_end(struct smtp_sess *s, int keep)
{
    int max = smtp_limits_mail(&s->lim, s->ob->connection_max_messages);

    if (s->dead) {
        smtp_conn_close(&s->conn);
        return;
    }
    /* Exim keeps a connection only for a message recorded as waiting
     * for the host (retry_wait.c): one never tried opens its own. */
    if (keep && !retry_wait_others(s->c->tp->name, s->host->name))
        keep = 0;
    if (!keep || idle_held || (max > 0 && s->messages >= max) ||
        smtp_conn_pending(&s->conn) ||
        strlen(s->host->address) >= sizeof(idle.ip) ||
        strlen(s->helo) >= sizeof(idle.helo) ||
        strlen(s->c->tp->name) >= sizeof(idle.tp)) {
        (void)smtp_send_cmd(s, "QUIT\r\n");
        (void)smtp_read_reply(s, 5);
        smtp_conn_close(&s->conn);
        return;
    }
    smtp_transport_close_idle();
    idle.conn = s->conn;
    idle.conn.a = NULL;
    copy_text(idle.ip, sizeof(idle.ip), s->host->address);
    copy_text(idle.tp, sizeof(idle.tp), s->c->tp->name);
    copy_text(idle.helo, sizeof(idle.helo), s->helo);
    copy_text(idle.greeting, sizeof(idle.greeting), s->host->greeting);
    copy_text(idle.helo_response, sizeof(idle.helo_response),
              s->host->helo_response);
    idle.port = s->host->port;
    idle.esmtp = s->esmtp;
    idle.pipelining = s->pipelining;
    idle.need_rset = s->need_rset;
    idle.size_ok = s->size_ok;
    idle.dsn_ok = s->dsn_ok;
    idle.chunking = s->chunking;
    idle.messages = s->messages;
    idle.lim = s->lim;
    copy_text(idle.auth_name, sizeof(idle.auth_name), s->auth_name);
    copy_text(idle.auth_id, sizeof(idle.auth_id), s->auth_id);
    idle.active = 1;
    s->conn.fd = -1;
    s->conn.tls = NULL;
}

/* Takes the kept connection if it goes to h the same way: 1 if so. */
static int
session_reuse(struct smtp_sess *s, struct host_item *h)
{
    if (!idle.active || idle_held)
        return 0;
    if (strcmp(idle.ip, h->address) != 0 || idle.port != h->port ||
        strcmp(idle.tp, s->c->tp->name) != 0 ||
        strcmp(idle.helo, s->helo) != 0 ||
        !retry_wait_take(s->c->tp->name, h->name)) {
        smtp_transport_close_idle();
        return 0;
    }
    idle.active = 0;
    s->conn = idle.conn;
    s->conn.a = s->a;
    s->esmtp = idle.esmtp;
    s->pipelining = idle.pipelining;
    s->need_rset = idle.need_rset;
    s->size_ok = idle.size_ok;
    s->dsn_ok = idle.dsn_ok;
    s->chunking = idle.chunking;
    s->messages = idle.messages;
    s->lim = idle.lim;
    s->auth_name =
        idle.auth_name[0] ? arena_strdup(s->a, idle.auth_name) : NULL;
    s->auth_id = idle.auth_id[0] ? arena_strdup(s->a, idle.auth_id) : NULL;
    /* No RSET unless the last transaction failed (need_rset), as in
     * Exim. */
    h->greeting = arena_strdup(s->a, idle.greeting);
    h->helo_response = arena_strdup(s->a, idle.helo_response);
    return 1;
}

/* The addresses still open. */
static size_t
open_count(const struct smtp_sess *s)
{
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        n += s->v[i]->result == ADDR_PENDING;
    return n;
}

/* TLS on the connection (transport/smtp_tls.c does the handshake).
 *
 * STARTTLS when the EHLO reply offers it, unless hosts_avoid_tls (or
 * this attempt is the retry in the clear); a refusal (5xx, or 4xx with
 * tls_tempfail_tryclear) goes on in the clear, other errors defer.
 * After the handshake EHLO is sent again. Under protocol = smtps the
 * handshake comes first, before the greeting. */
static int
smtp_start_tls(struct smtp_sess *s)
{
    const char *err = "synch error before connect";
    int code;

    if (s->smtps)
        ps_add(s, 's'); /* protocol_detail: TLS on connect */
    if (!s->smtps) {
        s->cmd = "STARTTLS";
        if (smtp_send_cmd(s, "STARTTLS\r\n") < 0) {
            setup_failed(s, errno);
            return -1;
        }
        ps_add(s, 's');
        code = smtp_read_reply(s, s->ob->command_timeout);
        if (code < 0 || (code / 100 == 4 && !s->ob->tls_tempfail_tryclear)) {
            setup_failed(s, code < 0 ? errno : 0);
            return -1;
        }
        if (code / 100 != 2)
            return 0; /* refused: in the clear */
    }
    /* Anything the server sent before the handshake is an injection. */
    if (smtp_conn_pending(&s->conn) ||
        smtp_tls_client_start(&s->conn, s->ob, s->c->x, s->host,
                              s->ob->command_timeout, &err) < 0) {
        note_setup(s);
        smtp_set_open(s, ADDR_DEFER, SMTP_ERRNO_TLSFAILURE,
                      arena_printf(s->a, "TLS session: %s", err), 1);
        s->tls_failed = 1;
        s->dead = 1;
        return -1;
    }
    smtp_tls_set_vars(&s->conn, s->c->x);
    if (s->smtps)
        return 0;
    s->pipelining = s->size_ok = s->dsn_ok = s->tls_offered = 0;
    s->chunking = 0;
    s->cmd = arena_printf(s->a, "EHLO %s", s->helo);
    if (smtp_send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0) {
        setup_failed(s, errno);
        return -1;
    }
    ps_add(s, 'e');
    code = smtp_read_reply(s, s->ob->command_timeout);
    if (code / 100 != 2) {
        setup_failed(s, code < 0 ? errno : 0);
        return -1;
    }
    s->host->helo_response = first_line(s->a, s->reply.s);
    read_ehlo_keywords(s);
    smtp_limits_read(&s->lim, s->reply.s, 1);
    return 0;
}

/* After EHLO: STARTTLS if it is to be used, then hosts_require_tls. */
static int
smtp_tls_step(struct smtp_sess *s)
{
    const char *msg;
    int offered = s->tls_offered;

    if (s->conn.tls == NULL && s->esmtp && s->tls_offered && !s->tls_clear &&
        !host_in_list(s, s->ob->hosts_avoid_tls) && smtp_start_tls(s) < 0)
        return -1;
    if (s->conn.tls != NULL ||
        (!s->smtps && !host_in_list(s, s->ob->hosts_require_tls)))
        return 0;
    msg = arena_printf(s->a, "a TLS session is required, but %s",
                       offered ? "an attempt to start TLS failed"
                               : "the server did not offer TLS support");
    smtp_set_open(s, ADDR_DEFER, SMTP_ERRNO_TLSREQUIRED, msg, 1);
    smtp_write_logs(s, s->host, msg, SMTP_ERRNO_TLSREQUIRED);
    return -1;
}

/* A failed handshake: again in the clear, as Exim, when
 * tls_tempfail_tryclear and the host is not in hosts_require_tls.
 * 1 to try again; else the host is noted for retry. */
static int
smtp_tls_retry_clear(struct smtp_sess *s, struct host_item *h)
{
    const char *msg = NULL;

    if (!s->tls_failed)
        return 0;
    s->tls_failed = 0;
    for (size_t i = 0; i < s->n && msg == NULL; i++)
        if (s->v[i]->result == ADDR_DEFER &&
            s->v[i]->basic_errno == SMTP_ERRNO_TLSFAILURE)
            msg = s->v[i]->message;
    if (msg == NULL)
        return 0;
    if (s->smtps || !s->ob->tls_tempfail_tryclear ||
        host_in_list(s, s->ob->hosts_require_tls)) {
        host_deferred(s, h, SMTP_ERRNO_TLSFAILURE, msg);
        return 0;
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i]->result == ADDR_DEFER &&
            s->v[i]->basic_errno == SMTP_ERRNO_TLSFAILURE)
            s->v[i]->result = ADDR_PENDING;
    /* with the message id, as Exim writes it during a delivery */
    log_write(LOG_MAIN,
              "%s %s: delivering unencrypted to H=%s [%s] (not in "
              "hosts_require_tls)",
              s->c->msg->m->id, msg, h->name, h->address);
    s->tls_clear = 1;
    s->dead = 0;
    s->esmtp = s->pipelining = s->size_ok = s->dsn_ok = s->tls_offered = 0;
    s->chunking = 0;
    return 1;
}

/* The TLS details of the connection go with each address it delivered,
 * for X=, CV= and DN= on the delivery line. */
static void
smtp_tls_mark(struct smtp_sess *s, const struct host_item *h)
{
    const struct tls_info *t = &s->conn.tlsi;

    if (s->conn.tls == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        struct address *a = s->v[i];
        if ((a->result != ADDR_OK && a->result != ADDR_FAIL) ||
            a->host_used != h)
            continue;
        a->tls_cipher = t->cipher;
        a->tls_peerdn = t->peerdn;
        a->tls_cert_verified = t->cert_verified;
    }
}

/* Marks the addresses this connection dealt with (open when it began,
 * now with this host) as sent down a kept connection or after a LIMITS
 * split ("*" after H= in the log), or not. */
static void
mark_continued(struct smtp_sess *s, const struct host_item *h)
{
    /* Exim's "*" follows a count kept over the addresses in their
     * order: a transaction that continued the connection raises it, and
     * it stays raised for the addresses after that one, even those sent
     * in an earlier transaction (with RCPTDOMAINMAX a1, b1, a2 go as
     * a1 a2, then b1: a2 is logged with "*") */
    int seq = 0;

    for (size_t i = 0; i < s->n; i++) {
        struct address *a = s->v[i];
        if (a->host_used != h || !s->open_before[i])
            continue;
        seq |= s->limit_cont[i];
        if (s->reused || seq)
            a->flags |= ADDR_CONT_CONN;
        else
            a->flags &= ~(unsigned)ADDR_CONT_CONN;
    }
}

static void
connection_begins(struct smtp_sess *s, struct host_item *h)
{
    if (s->open_before == NULL) {
        s->open_before = arena_alloc(s->a, s->n + 1);
        s->limit_cont = arena_alloc(s->a, s->n + 1);
    }
    for (size_t i = 0; i < s->n; i++) {
        s->open_before[i] = s->v[i]->result == ADDR_PENDING;
        s->limit_cont[i] = 0;
    }
    s->host = h;
    s->dead = 0;
    s->esmtp = s->pipelining = s->size_ok = s->dsn_ok = s->chunking = 0;
    s->auth_name = s->auth_id = NULL;
    s->pipe_active = 0;
    s->messages = 0;
    memset(&s->lim, 0, sizeof(s->lim));
}

/* Our end of the connection to h, for I= on the delivery lines. */
static void
note_sending_end(struct smtp_sess *s, struct host_item *h)
{
    h->sending_ip =
        s->conn.local_ip[0] ? arena_strdup(s->a, s->conn.local_ip) : NULL;
    h->sending_port = s->conn.local_port;
}

/* keepalive, as Exim's ip_keepalive(): a peer that vanished is noticed
 * on a connection that waits long for a reply. */
static void
keepalive_on(int fd)
{
    int one = 1;

    (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
}

/* One host: a kept connection to it, or a new one; another new one
 * while smtp_transactions() asks for it (max_rcpt, MAILMAX). */
static void
try_host(struct smtp_sess *s, struct host_item *h, int port)
{
    int again;

    if (h->port <= 0)
        h->port = port;
    do {
        again = 0;
        connection_begins(s, h);
        if ((s->reused = session_reuse(s, h)) != 0) {
            int before = s->messages;
            note_sending_end(s, h);
            smtp_tls_set_vars(&s->conn, s->c->x);
            again = smtp_transactions(s);
            if (s->dead && s->messages <= before + 1)
                kept_lost++; /* the first transaction found it gone */
            mark_continued(s, h);
            smtp_tls_mark(s, h);
            session_end(s, !again);
            continue;
        }
        h->greeting = h->helo_response = NULL;
        if (smtp_conn_open(&s->conn, s->a, h->address, h->port,
                           s->ob->connect_timeout) < 0) {
            int err = errno;
            for (size_t i = 0; i < s->n; i++)
                if (s->v[i]->result == ADDR_PENDING) {
                    s->v[i]->basic_errno = err;
                    s->v[i]->message = NULL;
                    s->v[i]->host_used = NULL;
                }
            smtp_write_logs(s, h, NULL, err);
            return;
        }
        note_sending_end(s, h);
        if (s->ob->keepalive)
            keepalive_on(s->conn.fd);
        if (session_start(s) == 0) {
            (void)retry_wait_take(s->c->tp->name, h->name);
            again = smtp_transactions(s);
            mark_continued(s, h);
            smtp_tls_mark(s, h);
            session_end(s, !again);
            continue;
        }
        session_end(s, 0);
        again = smtp_tls_retry_clear(s, h);
    } while (again && open_count(s) > 0 && !s->stop);
    s->tls_clear = 0;
}

/* Tries the hosts of one list in turn while addresses are open, at
 * most hosts_max_try of them (hosts_max_try_hardlimit counting those
 * that could not be looked up). more: another list (fallback_hosts)
 * follows, so the last host here is not the last one. */
static void
try_hosts(struct smtp_sess *s, struct host_item *hosts, int own, int port,
          int more)
{
    int tried = 0, seen = 0;

    for (struct host_item *h = hosts; h != NULL; h = h->next) {
        int rc;
        if (open_count(s) == 0 || s->stop)
            break;
        if ((s->ob->hosts_max_try > 0 && tried >= s->ob->hosts_max_try) ||
            (s->ob->hosts_max_try_hardlimit > 0 &&
             seen >= s->ob->hosts_max_try_hardlimit))
            break;
        seen++;
        rc = prepare_host(s, h, own);
        if (rc < 0)
            break;
        if (rc > 0)
            continue;
        s->hosts_seen++;
        if (smtp_retry_host_check != NULL &&
            (rc = smtp_retry_host_check(s->c, h)) != SMTP_HOST_USABLE) {
            s->hosts_retry++;
            s->hosts_retry_exp += rc == SMTP_HOST_EXPIRED;
            continue;
        }
        s->last_host = h->next == NULL && !more;
        try_host(s, h, port);
        tried++;
        /* what is deferred now goes on to the next host */
        for (size_t i = 0; i < s->n && !s->last_host; i++)
            if (s->v[i]->result == ADDR_DEFER) {
                s->v[i]->result = ADDR_PENDING;
                s->v[i]->smtp_greeting = s->v[i]->helo_response = NULL;
            }
    }
}

/* fallback_hosts: the router's, else the transport's; NULL if none. */
static struct host_item *
fallback_hosts(struct transport_call *c, const struct transport_smtp *ob)
{
    const struct address *a = c->addrs;
    const char *list = ob->fallback_hosts;

    if (a->router != NULL) {
        const struct router_generic *g = a->router->generic;
        if (g->fallback_hosts != NULL)
            list = g->fallback_hosts;
    }
    return list ? host_list_parse(c->arena, list, 0) : NULL;
}

static void
smtp_deliver(struct transport_call *c)
{
    struct smtp_sess s;
    struct host_item *hosts, *fallback;
    struct sigaction ign, old_pipe;
    int own, port;
    size_t i;

    memset(&s, 0, sizeof(s));
    s.c = c;
    s.ob = c->tp->priv;
    s.a = c->arena;
    s.conn.fd = -1;
    s.smtps = s.ob->protocol != NULL && strcmp(s.ob->protocol, "smtps") == 0;
    gstr_init(&s.reply, s.a);
    for (struct address *a = c->addrs; a != NULL; a = a->next)
        s.n++;
    s.v = arena_alloc(s.a, s.n * sizeof(*s.v));
    i = 0;
    for (struct address *a = c->addrs; a != NULL; a = a->next) {
        a->result = ADDR_PENDING;
        a->basic_errno = 0;
        a->message = NULL;
        a->host_used = NULL;
        a->smtp_greeting = a->helo_response = a->proto_seq = NULL;
        a->flags &= ~(unsigned)(ADDR_SMTP_MORE | ADDR_PASS_MSG);
        s.v[i++] = a;
    }
    if ((hosts = get_hosts(c, s.ob, &own)) == NULL)
        return;
    if ((port = get_port(c, s.ob)) < 0)
        return;
    if (transport_expand(
            c, s.ob->helo_data ? s.ob->helo_data : "$primary_hostname",
            &s.helo) < 0)
        return;
    fallback = fallback_hosts(c, s.ob);
    /* a server that goes away mid-message is an error, not a signal */
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old_pipe);
    try_hosts(&s, hosts, own, port, fallback != NULL);
    if (fallback != NULL)
        try_hosts(&s, fallback, 1, port, 0);
    sigaction(SIGPIPE, &old_pipe, NULL);
    /* Deferred addresses make the message wait for these hosts (Exim's
     * transport_update_waiting()), unless one message per connection
     * is all the transport allows. */
    for (i = 0; i < s.n; i++)
        if (s.v[i]->result == ADDR_PENDING || s.v[i]->result == ADDR_DEFER) {
            if (s.ob->connection_max_messages != 1)
                retry_wait_add(c->tp->name, hosts);
            break;
        }
    for (i = 0; i < s.n; i++) {
        struct address *a = s.v[i];
        /* a remote server's reply may go to the sender (DSNs) */
        if (a->message != NULL &&
            strncmp(a->message, SMTP_ERROR_LEAD, strlen(SMTP_ERROR_LEAD)) == 0)
            a->flags |= ADDR_PASS_MSG;
        if (a->result != ADDR_PENDING)
            continue;
        a->result = ADDR_DEFER;
        if (a->basic_errno == 0 && a->message == NULL && s.hosts_retry > 0 &&
            s.hosts_retry == s.hosts_seen) {
            /* Exim's wording; all expired and no fallback left: a bounce */
            a->basic_errno = SMTP_ERRNO_HRETRY;
            if (s.hosts_retry_exp == s.hosts_retry) {
                a->message = arena_printf(s.a,
                                          "all hosts for '%s' have been "
                                          "failing for a long time (and "
                                          "retry time not reached)",
                                          a->domain);
                a->result = ADDR_FAIL;
            } else {
                a->message = arena_printf(s.a,
                                          "retry time not reached for any "
                                          "host for '%s'",
                                          a->domain);
            }
        } else if (a->basic_errno == 0 && a->message == NULL) {
            a->basic_errno = SMTP_ERRNO_HRETRY;
            a->message = arena_printf(s.a,
                                      "all host address lookups for '%s' "
                                      "failed permanently",
                                      a->domain);
        }
    }
}

int
smtp_transport_overrides_hosts(const struct driver_instance *tp)
{
    const struct transport_smtp *ob = tp->priv;

    return tp->info == &transport_smtp_info && ob->hosts_override &&
           ob->hosts != NULL;
}

void
smtp_transport_queued(const struct driver_instance *tp, struct expand_ctx *x,
                      struct address *a)
{
    const struct transport_smtp *ob = tp->priv;
    struct arena *ar;
    char *list;

    if (tp->info != &transport_smtp_info || ob->connection_max_messages == 1)
        return;
    if (a->hosts != NULL && !(ob->hosts_override && ob->hosts)) {
        retry_wait_add(tp->name, a->hosts);
        return;
    }
    if (ob->hosts == NULL)
        return;
    ar = arena_create();
    if (expand_string(x, ob->hosts, &list, NULL) == EXPAND_OK)
        retry_wait_add(tp->name,
                       host_list_parse(ar, list, ob->hosts_randomize));
    arena_destroy(ar);
}

/* multi_domain = false: Exim's delivery process gives each domain a
 * transport call of its own (and so a connection of its own). */
static int
smtp_one_domain(const struct driver_instance *tp, struct expand_ctx *x)
{
    const struct transport_smtp *ob = tp->priv;
    char *v = NULL;

    if (ob == NULL || ob->multi_domain == NULL ||
        expand_string(x, ob->multi_domain, &v, NULL) != EXPAND_OK || v == NULL)
        return 0;
    return strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
           strcmp(v, "0") == 0 || *v == '\0';
}

const struct transport_driver transport_smtp_driver = {"smtp", 0, smtp_deliver,
                                                       smtp_one_domain};
