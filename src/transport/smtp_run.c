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
 *	the same connection: MAIL FROM with
 *	SIZE= when the server offers SIZE (the message size with the
 *	blank line after the headers, one byte per line for the CRs,
 *	plus size_addition, as Exim), RET= and ENVID= when
 *	it offers DSN; RCPT TO with NOTIFY= and ORCPT= likewise; DATA;
 *	the message with CRLF line ends and leading dots doubled; the
 *	final dot. Under PIPELINING MAIL, the RCPTs and DATA go in one
 *	write. Every reply is awaited for command_timeout (the final
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
#include "transport/smtp_limits.h"
#include "transport/smtp_tls.h"
#include "transport/tpcall.h"
#include "transport/tpdrivers.h"
#include "transport/tpfilter.h"
#include "transport/transport.h"

#define SMTP_ERRNO_HOST_IS_LOCAL (-50)
#define SMTP_ERROR_LEAD          "SMTP error from remote mail server after "

struct smtp_sess {
    struct transport_call *c;
    const struct transport_smtp *ob;
    struct arena *a;
    struct smtp_conn conn;
    struct host_item *host;
    int last_host;
    char *helo;
    int esmtp, pipelining, size_ok, dsn_ok;
    gstr reply;
    const char *cmd;    /* the last command, for messages */
    int pipe_active;    /* "pipelined " in messages */
    int need_rset;      /* a transaction failed: RSET before the next MAIL */
    int dead;           /* the connection cannot be used any more */
    int reused;         /* a connection kept from an earlier message */
    int messages;       /* transactions on this connection */
    int stop;           /* an error no other host would mend */
    struct address **v; /* the addresses of the call */
    size_t n;
    int hosts_seen;         /* hosts considered */
    int hosts_retry;        /* skipped: retry time not reached */
    int hosts_retry_exp;    /* of those, with their rules timed out */
    struct smtp_limits lim; /* the server's LIMITS (smtp_limits.c) */
    char *open_before;      /* addresses open when a connection began */
    char *limit_cont;       /* sent after a LIMITS split: "*" */
    int smtps;              /* protocol = smtps: TLS on connect */
    int tls_offered;        /* the EHLO reply offered STARTTLS */
    int tls_clear;          /* TLS failed: this attempt stays in the clear */
    int tls_failed;         /* the handshake failed (may retry in clear) */
    const char *auth_name;  /* client authenticator used (A=), smtp_auth.c */
    const char *auth_id;
    const char *mail_auth; /* the sender in this MAIL's AUTH=, or NULL */
};

int (*smtp_retry_host_check)(struct transport_call *c, struct host_item *h);
void (*smtp_retry_host_failed)(struct transport_call *c,
                               const struct host_item *h, int err,
                               const char *msg);

/* Reply text as Exim logs it (its string_printing()): lines joined
 * by "\n" written as backslash and n, other control characters and
 * bytes above 126 escaped as \r, \t ... or \ooo. */
static char *
printable(struct arena *a, const char *s)
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
        smtp_retry_host_failed(s->c, h, err, msg);
}

/* Exim's write_logs(): what went wrong with a host; the host is noted
 * for retry. */
static void
smtp_write_logs(struct smtp_sess *s, const struct host_item *h, const char *msg,
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
    host_deferred(s, h, err, msg);
}

/* Sets every address still open (deferred, in this attempt) to rc. */
static void
set_open(struct smtp_sess *s, enum addr_result rc, int err, const char *msg,
         int with_host)
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
static char
check_response(struct smtp_sess *s, int *err, const char **msg)
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
                         pl, s->cmd, printable(s->a, s->reply.s));
        return '4';
    }
    if (s->reply.len > 0) {
        *msg = arena_printf(s->a,
                            "SMTP error from remote mail server after %s%s: %s",
                            pl, s->cmd, printable(s->a, s->reply.s));
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

static int
send_cmd(struct smtp_sess *s, const char *text)
{
    if (smtp_conn_write(&s->conn, text, strlen(text), s->ob->command_timeout) <
        0)
        return -1;
    return 0;
}

static int
read_reply(struct smtp_sess *s, int timeout)
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

/* DSN information for a failure in a transaction (after MAIL, DATA,
 * the final dot, or the session breaking down there): the greeting and
 * the EHLO/HELO reply, on the open addresses of batch (of every open
 * address when batch is NULL), as Exim's set_errno() is given them
 * there. A 5xx or 4xx to RCPT is the address's own result and carries
 * none. A connection taken over from an earlier message has neither,
 * as in Exim, whose continued connection reads no greeting. */
static void
note_transaction(struct smtp_sess *s, struct address **batch, size_t nb)
{
    struct address **v = batch != NULL ? batch : s->v;
    size_t n = batch != NULL ? nb : s->n;

    for (size_t i = 0; i < n; i++)
        if (v[i]->result == ADDR_PENDING) {
            v[i]->smtp_greeting = s->reused ? NULL : s->host->greeting;
            v[i]->helo_response = s->reused ? NULL : s->host->helo_response;
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
    code = check_response(s, &err, &msg);
    rc = !s->last_host ? ADDR_DEFER : code == '5' ? ADDR_FAIL : ADDR_DEFER;
    set_open(s, rc, err, msg, 1);
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
        set_open(s, ADDR_DEFER, ac.basic_errno, ac.message, 0);
        /* an authenticator's own error (-48) is Exim's ERROR: no item */
        if (ac.basic_errno == SMTP_ERRNO_AUTHFAIL)
            host_deferred(s, s->host, ac.basic_errno, ac.message);
        (void)send_cmd(s, "QUIT\r\n");
        (void)read_reply(s, 5);
        s->dead = 1;
        return -1;
    case SMTP_AUTH_SEND_FAIL:
        s->cmd = ac.cmd;
        set_open(s, ADDR_DEFER, errno,
                 arena_printf(s->a, "smtp send to %s [%s] failed: %s",
                              s->host->name, s->host->address, strerror(errno)),
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
    code = read_reply(s, s->ob->command_timeout);
    if (code > 0 || s->reply.len > 0)
        s->host->greeting = first_line(s->a, s->reply.s);
    if (code / 100 != 2) {
        setup_failed(s, code < 0 ? errno : 0);
        return -1;
    }
    s->esmtp = !host_in_list(s, s->ob->hosts_avoid_esmtp);
    if (s->esmtp) {
        s->cmd = arena_printf(s->a, "EHLO %s", s->helo);
        if (send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0)
            goto send_failed;
        ps_add(s, 'e');
        code = read_reply(s, s->ob->command_timeout);
        if (code < 0) {
            setup_failed(s, errno);
            return -1;
        }
        s->esmtp = code / 100 == 2;
    }
    if (!s->esmtp) {
        s->cmd = arena_printf(s->a, "HELO %s", s->helo);
        if (send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0)
            goto send_failed;
        ps_add(s, 'h');
        code = read_reply(s, s->ob->command_timeout);
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
    if (s->esmtp && session_auth(s) < 0)
        return -1;
    return 0;
send_failed:
    s->reply.len = 0;
    note_setup(s);
    set_open(s, ADDR_DEFER, errno,
             arena_printf(s->a, "smtp send to %s [%s] failed: %s",
                          s->host->name, s->host->address, strerror(errno)),
             1);
    smtp_write_logs(s, s->host, s->v[0]->message, s->v[0]->basic_errno);
    s->dead = 1;
    return -1;
}

/* Message size for SIZE=, as Exim computes it: the headers that are
 * sent, the blank line after them and the body, plus one for each
 * header and body line (the CRs; the blank line's is not counted). */
static long
wire_size(struct smtp_sess *s)
{
    const struct spool_msg *m = s->c->msg->m;
    long lines = m->body_linecount;

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->type != '*')
            for (size_t i = 0; i < h->len; i++)
                lines += h->text[i] == '\n';
    return s->c->msg->size + 1 + lines + s->ob->size_addition;
}

static char *
mail_command(struct smtp_sess *s)
{
    const struct spool_msg *m = s->c->msg->m;
    gstr g;

    gstr_init(&g, s->a);
    gstr_printf(&g, "MAIL FROM:<%s>",
                s->c->return_path ? s->c->return_path : "");
    if (s->size_ok)
        gstr_printf(&g, " SIZE=%ld", wire_size(s));
    if (s->dsn_ok) {
        if (m->dsn_ret == SPOOL_DSN_RET_HDRS)
            gstr_adds(&g, " RET=HDRS");
        else if (m->dsn_ret == SPOOL_DSN_RET_FULL)
            gstr_adds(&g, " RET=FULL");
        if (m->dsn_envid != NULL)
            gstr_printf(&g, " ENVID=%s", m->dsn_envid);
    }
    const char *auth_err = NULL;
    const char *auth = smtp_auth_mail_option(
        s->c->x, s->a, s->auth_name != NULL, s->ob->authenticated_sender,
        s->ob->authenticated_sender_force, &s->mail_auth, &auth_err);
    if (auth_err != NULL)
        log_write(LOG_MAIN | LOG_PANIC, "%s", auth_err);
    gstr_adds(&g, auth ? auth : "");
    return (char *)gstr_str(&g);
}

static char *
rcpt_command(struct smtp_sess *s, const struct address *a)
{
    const struct spool_msg *m = s->c->msg->m;
    gstr g;

    gstr_init(&g, s->a);
    gstr_printf(&g, "RCPT TO:<%s@%s>", a->local_part, a->domain);
    if (s->dsn_ok && a->parent == NULL && a->rcpt_index >= 0 &&
        a->rcpt_index < m->rcpt_count) {
        const struct spool_rcpt *r = &m->rcpts[a->rcpt_index];
        int f = r->dsn_flags;
        if (!(f & SPOOL_DSN_LASTHOP)) {
            if (f & SPOOL_DSN_NEVER) {
                gstr_adds(&g, " NOTIFY=NEVER");
            } else if (f & (SPOOL_DSN_SUCCESS | SPOOL_DSN_FAILURE |
                            SPOOL_DSN_DELAY)) {
                const char *sep = " NOTIFY=";
                if (f & SPOOL_DSN_SUCCESS)
                    gstr_printf(&g, "%sSUCCESS", sep), sep = ",";
                if (f & SPOOL_DSN_FAILURE)
                    gstr_printf(&g, "%sFAILURE", sep), sep = ",";
                if (f & SPOOL_DSN_DELAY)
                    gstr_printf(&g, "%sDELAY", sep);
            }
            if (r->orcpt != NULL)
                gstr_printf(&g, " ORCPT=%s", r->orcpt);
        }
    }
    return (char *)gstr_str(&g);
}

/* A message error (after MAIL, DATA or the final dot): 5xx fails the
 * batch, anything else defers it. */
static void
message_error(struct smtp_sess *s, struct address **batch, size_t nb, int err)
{
    const char *msg;
    char code = check_response(s, &err, &msg);

    note_transaction(s, batch, nb);
    for (size_t i = 0; i < nb; i++) {
        struct address *a = batch[i];
        if (a->result != ADDR_PENDING)
            continue;
        a->result = code == '5' ? ADDR_FAIL : ADDR_DEFER;
        a->basic_errno = err;
        a->message = (char *)msg;
        a->host_used = s->host;
    }
    if (code != '5') /* Exim logs the host for every temporary one */
        smtp_write_logs(s, s->host, msg, err);
}

/* A session error in a transaction: every open address defers. */
static void
session_error(struct smtp_sess *s, int err)
{
    const char *msg;

    (void)check_response(s, &err, &msg);
    note_transaction(s, NULL, 0);
    set_open(s, ADDR_DEFER, err, msg, 1);
    smtp_write_logs(s, s->host, msg, err);
    s->dead = 1;
}

/* The message after DATA (smtp_data.c), then the final dot. 0; -1
 * for a write error (errno); -2 when the message could not be made
 * (the addresses have their results). */
static int
write_data(struct smtp_sess *s)
{
    gstr err;
    int rc, e = 0;

    gstr_init(&err, s->a);
    rc = smtp_data_write(s->c, &s->conn, s->ob->data_timeout, &e, &err);
    /* a signing failure under dkim_strict (EACCES) and arc_sign are
     * Exim's SEND_FAILED: a host error */
    if (rc == -3 || (rc == -2 && e == EACCES)) {
        const char *m =
            arena_printf(s->a, "smtp send to %s [%s] failed: %s", s->host->name,
                         s->host->address, gstr_str(&err));
        note_transaction(s, NULL, 0);
        set_open(s, ADDR_DEFER, e, m, 1);
        smtp_write_logs(s, s->host, m, e);
        s->stop = 1;
        return -2;
    }
    if (rc == -2) {
        if (err.len > 0) {
            note_transaction(s, NULL, 0);
            set_open(s, ADDR_DEFER, e, gstr_str(&err), 1);
        }
        s->stop = 1;
        return -2;
    }
    if (rc < 0)
        return -1;
    if (smtp_conn_write(&s->conn, ".\r\n", 3, s->ob->data_timeout) < 0)
        return -1;
    s->c->bytes_written += 3; /* Exim counts the final dot too */
    return 0;
}

/* The RCPT replies. Returns how many were accepted, or -1 after a
 * session error. */
static int
read_rcpt_replies(struct smtp_sess *s, struct address **batch, size_t nb,
                  int *accepted, char **cmds)
{
    int n = 0, done = 0, too_many = 0;

    for (size_t i = 0; i < nb; i++) {
        struct address *a = batch[i];
        int code;

        if (!s->pipelining && too_many)
            break; /* the rest go in the next transaction */
        if (!s->pipelining &&
            send_cmd(s, arena_printf(s->a, "%s\r\n", cmds[i])) < 0) {
            s->cmd = cmds[i];
            session_error(s, errno);
            return -1;
        }
        code = read_reply(s, s->ob->command_timeout);
        a->host_used = s->host;
        if (code / 100 == 2) {
            accepted[i] = 1;
            n++;
            done++;
            continue;
        }
        if (code < 0 && errno == ETIMEDOUT) {
            int e = ETIMEDOUT;
            for (size_t j = 0; j < s->n; j++)
                if (s->v[j]->result == ADDR_PENDING) {
                    s->v[j]->result = ADDR_DEFER;
                    s->v[j]->basic_errno = e;
                    s->v[j]->message =
                        arena_printf(s->a, "SMTP timeout after RCPT TO:<%s@%s>",
                                     a->local_part, a->domain);
                    s->v[j]->host_used = s->host;
                }
            /* As Exim: no host line and no host retry record; the
             * address whose RCPT timed out gets an address retry. */
            a->flags |= ADDR_RCPT_TIMEOUT;
            s->dead = 1;
            return -1;
        }
        if (code < 0 || s->reply.len == 0) {
            s->cmd =
                arena_printf(s->a, "RCPT TO:<%s@%s>", a->local_part, a->domain);
            s->pipe_active = 0;
            session_error(s, code < 0 ? errno : 0);
            return -1;
        }
        a->message =
            arena_printf(s->a,
                         "SMTP error from remote mail server after "
                         "RCPT TO:<%s@%s>: %s",
                         a->local_part, a->domain, printable(s->a, s->reply.s));
        transport_msglog(s->c, "H=%s [%s] %s", s->host->name, s->host->address,
                         a->message);
        if (code / 100 == 5) {
            a->result = ADDR_FAIL;
            a->basic_errno = 0;
            done++;
        } else if (code == 452 && done > 0 && s->pipelining) {
            /* "too many recipients" after some went through: as Exim,
             * the address stays open for a further transaction on this
             * connection (transactions() sends it). Only under
             * PIPELINING: Exim looks for an earlier 2xx or 5xx among the
             * replies it reads together, and without PIPELINING it reads
             * each RCPT's reply alone, so there a 452 is a deferral like
             * any 4xx. */
            a->message = NULL;
            too_many = 1;
        } else {
            a->result = ADDR_DEFER;
            a->basic_errno = SMTP_ERRNO_RCPT4XX;
        }
    }
    return n;
}

/* One transaction for batch. 0, or -1 when the session is over. */
static int
transaction(struct smtp_sess *s, struct address **batch, size_t nb)
{
    char *mail = mail_command(s);
    char **cmds = arena_alloc(s->a, nb * sizeof(*cmds));
    int *accepted = arena_alloc(s->a, nb * sizeof(*accepted));
    int code, n, rc;
    gstr out;

    memset(accepted, 0, nb * sizeof(*accepted));
    /* As Exim: a failed transaction is reset only when another one
     * follows on the connection; QUIT needs no RSET before it. */
    if (s->need_rset) {
        s->cmd = "RSET";
        if (send_cmd(s, "RSET\r\n") < 0) {
            session_error(s, errno);
            return -1;
        }
        if (read_reply(s, s->ob->command_timeout) < 0) {
            session_error(s, errno);
            return -1;
        }
        s->need_rset = 0;
    }
    s->c->bytes_written = 0;
    gstr_init(&out, s->a);
    gstr_printf(&out, "%s\r\n", mail);
    for (size_t i = 0; i < nb; i++) {
        cmds[i] = rcpt_command(s, batch[i]);
        if (s->pipelining)
            gstr_printf(&out, "%s\r\n", cmds[i]);
    }
    if (s->pipelining)
        gstr_adds(&out, "DATA\r\n");
    s->pipe_active = s->pipelining;
    s->cmd = mail;
    if (smtp_conn_write(&s->conn, out.s, out.len, s->ob->command_timeout) < 0) {
        session_error(s, errno);
        return -1;
    }
    code = read_reply(s, s->ob->command_timeout);
    if (code / 100 != 2) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_MAIL4XX : 0;
        if (code < 0 && err != ETIMEDOUT) {
            session_error(s, err);
            return -1;
        }
        message_error(s, batch, nb, err);
        if (code < 0) {
            s->dead = 1;
            return -1;
        }
        if (s->pipelining) { /* the RCPT and DATA replies */
            for (size_t i = 0; i <= nb; i++)
                if (read_reply(s, s->ob->command_timeout) < 0)
                    return s->dead = 1, -1;
        }
        s->need_rset = 1; /* sent before the next MAIL, if any */
        return 0;
    }
    n = read_rcpt_replies(s, batch, nb, accepted, cmds);
    if (n < 0)
        return -1;
    if (!s->pipelining) {
        if (n == 0) {
            s->need_rset = 1;
            return 0;
        }
        if (send_cmd(s, "DATA\r\n") < 0) {
            s->cmd = "DATA";
            session_error(s, errno);
            return -1;
        }
    }
    s->cmd = "DATA";
    code = read_reply(s, s->ob->command_timeout);
    if (n == 0) {
        /* nothing accepted: a 354 all the same gets an empty message */
        if (code / 100 == 3) {
            (void)smtp_conn_write(&s->conn, ".\r\n", 3, s->ob->command_timeout);
            (void)read_reply(s, s->ob->final_timeout);
        }
        s->need_rset = 1; /* sent before the next MAIL, if any */
        return 0;
    }
    if (code / 100 != 3) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_DATA4XX : 0;
        if (code < 0) {
            session_error(s, err);
            return -1;
        }
        message_error(s, batch, nb, err);
        s->need_rset = 1; /* sent before the next MAIL, if any */
        return 0;
    }
    s->pipe_active = 0;
    s->c->bytes_written = 0;
    if ((rc = write_data(s)) < 0) {
        int err = errno == EAGAIN ? ETIMEDOUT : errno;
        if (rc == -2) { /* the filter failed: DATA cannot be ended */
            s->dead = 1;
            return -1;
        }
        s->cmd = "sending data block";
        s->reply.len = 0;
        session_error(s, err);
        return -1;
    }
    s->cmd = "end of data";
    code = read_reply(s, s->ob->final_timeout);
    if (code / 100 != 2) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_DATA4XX : 0;
        message_error(s, batch, nb, err);
        if (code < 0) {
            s->dead = 1;
            return -1;
        }
        return 0;
    }
    for (size_t i = 0, first = 1; i < nb; i++) {
        struct address *a = batch[i];
        if (!accepted[i])
            continue;
        a->result = ADDR_OK;
        a->basic_errno = 0;
        a->message = arena_strdup(s->a, printable(s->a, s->reply.s));
        a->host_used = s->host;
        a->authenticator = s->auth_name;
        a->auth_id = s->auth_id;
        a->auth_sender = s->mail_auth;
        a->dkim_used = s->c->dkim_used;
        a->size = s->c->bytes_written;
        if (first)
            a->flags &= ~(unsigned)ADDR_SMTP_MORE;
        else
            a->flags |= ADDR_SMTP_MORE;
        if (s->pipelining)
            a->flags |= ADDR_PIPELINED;
        else
            a->flags &= ~(unsigned)ADDR_PIPELINED;
        if (s->dsn_ok) /* the server reports on NOTIFY=SUCCESS itself */
            a->flags |= ADDR_DSN_AWARE;
        first = 0;
    }
    return 0;
}

static int
max_rcpt(struct smtp_sess *s)
{
    char *v;
    long n;

    if (s->ob->max_rcpt == NULL ||
        transport_expand(s->c, s->ob->max_rcpt, &v) < 0)
        return 100;
    n = strtol(v, NULL, 10);
    return n <= 0 ? 100000 : (int)n;
}

static int
multi_domain(struct smtp_sess *s)
{
    char *v;

    if (s->ob->multi_domain == NULL ||
        transport_expand(s->c, s->ob->multi_domain, &v) < 0)
        return 1;
    return !(strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
             strcmp(v, "0") == 0 || *v == '\0');
}

/* remote_max_parallel = 1: Exim then delivers the batches of a message
 * one after another and hands the open connection on to the next one
 * (logged "*"); with more, each batch runs at once on a connection of its
 * own. mxlab delivers serially either way, but connects as Exim does. */
static int
serial_remote(struct smtp_sess *s)
{
    const char *v = main_config.remote_max_parallel;
    char *out = NULL;

    if (v == NULL)
        return 0;
    if (strchr(v, '$') != NULL) {
        if (expand_string(s->c->x, v, &out, NULL) != EXPAND_OK || out == NULL)
            return 0;
        v = out;
    }
    return strtol(v, NULL, 10) == 1;
}

/* The transactions of one session: batches of open addresses, at most
 * max_rcpt each, or RCPTMAX when the server's LIMITS say less; one domain
 * each unless multi_domain (or under RCPTDOMAINMAX). A split the
 * server's limits cause goes on in this connection, and its transactions
 * are logged as continued ("*"), as Exim's are; a split by the
 * transport's own max_rcpt needs a new connection (unless
 * remote_max_parallel is 1: then it goes on here, continued), and so does
 * reaching connection_max_messages or MAILMAX: then 1 is returned with
 * addresses left open. Recipients a server refused with 452 after others went
 * through (RFC 5321's "too many recipients", what a server that enforces
 * RCPTMAX says) are sent again in the next transaction, as Exim does. */
static int
transactions(struct smtp_sess *s)
{
    int maxr = max_rcpt(s), multi = multi_domain(s);
    int per = smtp_limits_rcpt(&s->lim, maxr);
    int mailmax = smtp_limits_mail(&s->lim, s->ob->connection_max_messages);
    int sent = 0, own_split = 0, by_limits = per < maxr, retry_452 = 0;
    int serial = serial_remote(s);
    char *tried = arena_alloc(s->a, s->n);

    if (s->lim.rcptdomainmax > 0 && multi) {
        multi = 0;
        by_limits = 1;
    }
    memset(tried, 0, s->n);
    for (;;) {
        struct address **batch = arena_alloc(s->a, s->n * sizeof(*batch));
        size_t *idx = arena_alloc(s->a, s->n * sizeof(*idx));
        size_t nb = 0;
        const char *dom = NULL;

        for (size_t i = 0; i < s->n && nb < (size_t)per; i++) {
            struct address *a = s->v[i];
            if (a->result != ADDR_PENDING || tried[i])
                continue;
            if (!multi && dom != NULL && strcasecmp(dom, a->domain) != 0)
                continue;
            dom = a->domain;
            idx[nb] = i;
            batch[nb++] = a;
        }
        if (nb == 0)
            return 0;
        int split = sent > 0 && own_split;
        if ((split && !serial) || (mailmax > 0 && s->messages >= mailmax))
            return 1;
        for (size_t j = 0; j < nb; j++) {
            tried[idx[j]] = 1;
            s->limit_cont[idx[j]] =
                sent > 0 && (by_limits || retry_452 || split);
        }
        own_split = nb == (size_t)maxr && per == maxr;
        s->messages++;
        sent++;
        if (transaction(s, batch, nb) < 0)
            return 0;
        /* recipients a 452 left open are sent again at once */
        for (size_t j = 0; j < nb; j++)
            if (batch[j]->result == ADDR_PENDING) {
                tried[idx[j]] = 0;
                retry_452 = 1;
                own_split = 0;
            }
    }
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
        set_open(s, ADDR_DEFER, SMTP_ERRNO_HOST_IS_LOCAL,
                 arena_printf(s->a, "%s transport found host %s to be local",
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
    int esmtp, pipelining, size_ok, dsn_ok, messages, need_rset;
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
        (void)send_cmd(s, "QUIT\r\n");
        (void)read_reply(s, 5);
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
        if (send_cmd(s, "STARTTLS\r\n") < 0) {
            setup_failed(s, errno);
            return -1;
        }
        ps_add(s, 's');
        code = read_reply(s, s->ob->command_timeout);
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
        set_open(s, ADDR_DEFER, SMTP_ERRNO_TLSFAILURE,
                 arena_printf(s->a, "TLS session: %s", err), 1);
        s->tls_failed = 1;
        s->dead = 1;
        return -1;
    }
    smtp_tls_set_vars(&s->conn, s->c->x);
    if (s->smtps)
        return 0;
    s->pipelining = s->size_ok = s->dsn_ok = s->tls_offered = 0;
    s->cmd = arena_printf(s->a, "EHLO %s", s->helo);
    if (send_cmd(s, arena_printf(s->a, "%s\r\n", s->cmd)) < 0) {
        setup_failed(s, errno);
        return -1;
    }
    ps_add(s, 'e');
    code = read_reply(s, s->ob->command_timeout);
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
    set_open(s, ADDR_DEFER, SMTP_ERRNO_TLSREQUIRED, msg, 1);
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
    s->esmtp = s->pipelining = s->size_ok = s->dsn_ok = 0;
    s->auth_name = s->auth_id = NULL;
    s->pipe_active = 0;
    s->messages = 0;
    memset(&s->lim, 0, sizeof(s->lim));
}

/* One host: a kept connection to it, or a new one; another new one
 * while transactions() asks for it (max_rcpt, MAILMAX). */
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
            smtp_tls_set_vars(&s->conn, s->c->x);
            again = transactions(s);
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
        if (session_start(s) == 0) {
            (void)retry_wait_take(s->c->tp->name, h->name);
            again = transactions(s);
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
