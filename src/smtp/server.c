/*++
 * NAME
 *	server 3
 * SUMMARY
 *	the SMTP command loop
 * SYNOPSIS
 *	#include "smtp/session.h"
 *
 *	void	smtp_session_init(struct smtp_session *s, enum smtp_mode mode,
 *				int in_fd, int out_fd)
 *	int	smtp_session_run(struct smtp_session *s)
 *	void	smtp_session_free(struct smtp_session *s)
 * DESCRIPTION
 *	One SMTP session as Exim runs it: the connect ACL and the banner,
 *	then commands until QUIT, the end of the connection, a time-out
 *	or too many errors.
 *
 *	Commands are recognised by their keyword, in any case, followed by
 *	a space or the end of the line ("MAIL FROM:" and "RCPT TO:" with
 *	their colon). Each has a handler in this folder.
 *
 *	The synchronisation check enforces RFC 2920: a client may send
 *	the next command before reading the reply only where pipelining
 *	allows it. Without PIPELINING advertised every command must wait;
 *	with it, MAIL, RCPT and RSET may be followed at once, and AUTH,
 *	QUIT and HELP are never checked. A client that sends too soon gets
 *	"554 SMTP synchronization error" and the connection is closed,
 *	with a log line showing what it sent (smtp_enforce_sync turns the
 *	check off; local -bs input is never checked).
 *
 *	Unknown commands are counted; past smtp_max_unknown_commands the
 *	session ends with "500 Too many unrecognized commands".
 * DIAGNOSTICS
 *	smtp_session_run() returns -1 when the session ended without QUIT.
 *	Log lines as Exim writes them: "no MAIL in SMTP connection from
 *	...", "SMTP command timeout on[ TLS] connection from ... D=Ns",
 *	"SMTP connection from ... D=Ns closed by QUIT", for a connection
 *	lost inside a transaction "unexpected disconnection while reading
 *	SMTP command from ... D=Ns" (lost_incoming_connection), outside one
 *	"SMTP connection from ... lost D=Ns" (smtp_connection), and the
 *	drop lines for errors.
 *
 *	mxlab extension: a session that lasts longer than
 *	smtp_session_max_time (0, the default: no limit) is cut when it
 *	next waits for input, whatever it is doing, with "421 HOST: SMTP
 *	session time limit exceeded - closing connection" and the log
 *	line "SMTP session time limit exceeded on connection from ...
 *	D=Ns" ("(message abandoned)" and F=<sender> in the middle of a
 *	message); $smtp_notquit_reason is "session-timeout". It bounds a
 *	client that trickles its input, which smtp_receive_timeout, a
 *	limit on each wait, cannot.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/deadline.h"
#include "base/printing.h"
#include "base/tod.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "registry.h"
#include "smtp/smtp_int.h"
#include "smtp/tls.h"

/* session.h nonmail_free bits */
#define NM_FREE_RSET 0x1
#define NM_FREE_HELO 0x2
#define NM_FREE_STLS 0x4
#define NM_FREE_AUTH 0x8

enum cmd_sync {
    SYNC_ALWAYS, /* must be the last command of a group */
    SYNC_NOPIPE, /* must wait unless PIPELINING was advertised */
    SYNC_NEVER,  /* never checked */
};

struct smtp_cmd {
    const char *name; /* keyword, with the colon for MAIL and RCPT */
    int (*fn)(struct smtp_session *s, char *arg);
    enum cmd_sync sync;
    int mail_cmd; /* MAIL, RCPT, DATA, BDAT, QUIT: not a "nonmail" command */
    int has_arg;  /* may take an argument */
    const char *history;
};

static int cmd_rset(struct smtp_session *s, char *arg);
static int cmd_noop(struct smtp_session *s, char *arg);
static int cmd_quit(struct smtp_session *s, char *arg);
static int cmd_help(struct smtp_session *s, char *arg);
static int cmd_vrfy(struct smtp_session *s, char *arg);
static int cmd_expn(struct smtp_session *s, char *arg);
static int cmd_etrn(struct smtp_session *s, char *arg);

static const struct smtp_cmd commands[] = {
    {"HELO", smtp_cmd_helo, SYNC_ALWAYS, 0, 1, "HELO"},
    {"EHLO", smtp_cmd_ehlo, SYNC_ALWAYS, 0, 1, "EHLO"},
    {"DATA", smtp_cmd_data, SYNC_ALWAYS, 1, 0, "DATA"},
    {"VRFY", cmd_vrfy, SYNC_ALWAYS, 0, 1, "VRFY"},
    {"EXPN", cmd_expn, SYNC_ALWAYS, 0, 1, "EXPN"},
    {"NOOP", cmd_noop, SYNC_ALWAYS, 0, 1, "NOOP"},
    {"ETRN", cmd_etrn, SYNC_ALWAYS, 0, 1, "ETRN"},
    {"MAIL FROM:", smtp_cmd_mail, SYNC_NOPIPE, 1, 1, "MAIL"},
    {"RCPT TO:", smtp_cmd_rcpt, SYNC_NOPIPE, 1, 1, "RCPT"},
    {"RSET", cmd_rset, SYNC_NOPIPE, 0, 0, "RSET"},
    {"BDAT", smtp_cmd_bdat, SYNC_NEVER, 1, 1, "BDAT"},
    {"AUTH", smtp_cmd_auth, SYNC_NEVER, 0, 1, "AUTH"},
    {"STARTTLS", smtp_cmd_starttls, SYNC_ALWAYS, 0, 0, "STARTTLS"},
    {"QUIT", cmd_quit, SYNC_NEVER, 1, 0, "QUIT"},
    {"HELP", cmd_help, SYNC_NEVER, 0, 1, "HELP"},
};

/* Commands that features add (XCLIENT ...): never checked for
 * synchronisation, as Exim does not check them. */
#define EXT_CMDS_MAX 8
static struct smtp_cmd ext_cmds[EXT_CMDS_MAX];
static const struct smtp_ext_cmd *ext_defs[EXT_CMDS_MAX];
static size_t n_ext_cmds;

void
smtp_command_register(const struct smtp_ext_cmd *c)
{
    if (n_ext_cmds >= EXT_CMDS_MAX)
        return;
    ext_defs[n_ext_cmds] = c;
    ext_cmds[n_ext_cmds++] =
        (struct smtp_cmd){c->name, c->fn, SYNC_NEVER, 0, 1, c->name};
}

void
smtp_session_init(struct smtp_session *s, enum smtp_mode mode, int in_fd,
                  int out_fd)
{
    static int hooks_added;

    if (!hooks_added) {
        registry_smtp_init();
        hooks_added = 1;
    }
    memset(s, 0, sizeof(*s));
    s->mode = mode;
    s->rcpt_max = -1;
    s->nonmail_free = NM_FREE_RSET | NM_FREE_HELO | NM_FREE_STLS | NM_FREE_AUTH;
    s->nonmail_counted_host = -1;
    s->conn_arena = arena_create();
    s->msg_arena = arena_create();
    smtp_io_init(&s->io, s->conn_arena, in_fd, out_fd,
                 main_config.smtp_receive_timeout);
    smtp_io_set_busy_poll(&s->io, main_config.smtp_busy_poll);
    if (main_config.smtp_session_max_time > 0)
        smtp_io_set_deadline(
            &s->io,
            clock_ms() + (long)main_config.smtp_session_max_time * 1000);
    expand_ctx_init(&s->x, s->conn_arena);
    smtp_host_lookup_when_read(s);
    gstr_init(&s->history, s->conn_arena);
    gstr_init(&s->cmd, s->conn_arena);
    s->started = time(NULL);
    s->active_hostname = main_config.primary_hostname;
    smtp_auth_register();
}

void
smtp_session_free(struct smtp_session *s)
{
    /* A session that ends between BDAT chunks (the client went away, or
     * was dropped) still holds the message's temporary data file. */
    smtp_bdat_abort(s);
    arena_destroy(s->msg_arena);
    arena_destroy(s->conn_arena);
    s->msg_arena = s->conn_arena = NULL;
}

void
smtp_host_id(const struct smtp_session *s, struct host_id *h)
{
    memset(h, 0, sizeof(*h));
    h->address = s->host_address;
    h->port = s->host_port;
    h->name = s->host_name;
    h->helo = s->helo_name;
    h->ident = s->ident;
    h->interface_address = s->interface_address;
    h->interface_port = s->interface_port;
}

/* "connection[ Ci=N] from CLIENT", as Exim's lines about the
 * connection itself name it. */
const char *
smtp_connection_from(struct smtp_session *s)
{
    struct host_id h;
    gstr g;

    smtp_host_id(s, &h);
    gstr_init(&g, s->conn_arena);
    host_connection_from(&g, &h);
    return gstr_str(&g);
}

const char *
smtp_host_and_ident(struct smtp_session *s, int with_flag)
{
    struct host_id h;
    gstr g;

    smtp_host_id(s, &h);
    gstr_init(&g, s->conn_arena);
    host_and_ident(&g, &h, with_flag);
    return gstr_str(&g);
}

static void
set_var_int(struct smtp_session *s, const char *name, int v)
{
    expand_set_var(&s->x, name, arena_printf(s->conn_arena, "%d", v));
}

/* The connection variables that expansions and ACLs read. */
void
smtp_set_host_vars(struct smtp_session *s)
{
    struct host_id h;
    gstr full, rcv;

    smtp_host_id(s, &h);
    gstr_init(&full, s->conn_arena);
    gstr_init(&rcv, s->conn_arena);
    host_fullhost(&full, &h);
    host_rcvhost(&rcv, &h);
    expand_set_var(&s->x, "sender_host_address", s->host_address);
    /* After XCLIENT ADDR=[UNAVAILABLE] the proxy's own values must not
     * linger: without an address the three are unset. */
    if (s->host_address != NULL) {
        set_var_int(s, "sender_host_port", s->host_port);
        expand_set_var(&s->x, "sender_fullhost", gstr_str(&full));
        expand_set_var(&s->x, "sender_rcvhost", gstr_str(&rcv));
    } else {
        expand_set_var(&s->x, "sender_host_port", NULL);
        expand_set_var(&s->x, "sender_fullhost", NULL);
        expand_set_var(&s->x, "sender_rcvhost", NULL);
    }
    expand_set_var(&s->x, "sender_host_name", s->host_name);
    expand_set_var(&s->x, "sender_helo_name", s->helo_name);
    expand_set_var(&s->x, "sender_ident", s->ident);
    /* $received_ip_address and $received_port are the local end of the
     * connection, as $interface_address and $interface_port are. */
    expand_set_var(&s->x, "interface_address", s->interface_address);
    expand_set_var(&s->x, "received_ip_address", s->interface_address);
    if (s->interface_address != NULL) {
        set_var_int(s, "interface_port", s->interface_port);
        set_var_int(s, "received_port", s->interface_port);
    }
    expand_set_var(&s->x, "smtp_active_hostname", s->active_hostname);
    if (s->tls_on_connect && s->tls.active && log_selected(LS_tls_on_connect))
        /* Exim's names for TLS-on-connect sessions, with the selector */
        expand_set_var(
            &s->x, "received_protocol",
            arena_printf(s->conn_arena, "%s%sssmtp%s",
                         s->mode == SMTP_MODE_BS && s->host_address == NULL
                             ? "local-"
                             : "",
                         s->esmtp || s->authenticated_by ? "e" : "",
                         s->esmtp && s->authenticated_by ? "a" : ""));
    else
        expand_set_var(
            &s->x, "received_protocol",
            arena_printf(s->conn_arena, "%s%ssmtp%s%s",
                         s->mode == SMTP_MODE_BS && s->host_address == NULL
                             ? "local-"
                             : "",
                         s->esmtp ? "e" : "", s->tls.active ? "s" : "",
                         s->authenticated_by ? "a" : ""));
    expand_set_var(&s->x, "authenticated_id", s->authenticated_id);
    expand_set_var(&s->x, "sender_host_authenticated", s->authenticated_by);
}

void
smtp_history_add(struct smtp_session *s, const char *cmd)
{
    /* Exim keeps the last 20; so do we. */
    size_t commas = 0;

    for (size_t i = 0; i < s->history.len; i++)
        commas += s->history.s[i] == ',';
    if (commas >= 19) {
        const char *c = strchr(gstr_str(&s->history), ',');
        gstr rest;
        gstr_init(&rest, s->conn_arena);
        gstr_adds(&rest, c + 1);
        s->history = rest;
    }
    if (s->history.len > 0)
        gstr_addc(&s->history, ',');
    gstr_adds(&s->history, cmd);
}

void
smtp_incomplete_transaction_log(struct smtp_session *s, const char *what)
{
    if (s->txn.sender == NULL || !log_selected(LS_smtp_incomplete_transaction))
        return;
    gstr g;
    gstr_init(&g, s->msg_arena);
    gstr_printf(&g, "%s incomplete transaction (%s) from <%s>",
                smtp_host_and_ident(s, 1), what, s->txn.sender);
    for (size_t i = 0; i < s->txn.nrcpts; i++)
        gstr_printf(&g, "%s%s", i ? " " : " for ", s->txn.rcpts[i].address);
    log_write(LOG_MAIN, "%s", gstr_str(&g));
}

void
smtp_notquit_exit(struct smtp_session *s, const char *reason, int code,
                  const char *text)
{
    struct acl_state st;
    gstr err;

    expand_set_var(&s->x, "smtp_notquit_reason", reason);
    if (main_config.acl_smtp_notquit != NULL) {
        acl_state_init(&st, s->msg_arena);
        gstr_init(&err, s->msg_arena);
        if (acl_run(ACL_WHERE_NOTQUIT, main_config.acl_smtp_notquit, &s->x, &st,
                    &err) == ACL_ERROR)
            log_write(LOG_MAIN | LOG_PANIC,
                      "ACL for not-QUIT returned "
                      "ERROR: %s",
                      gstr_str(&err));
    }
    if (code > 0)
        smtp_reply(s, code, text);
    smtp_io_flush(&s->io);
    s->done = 1;
}

static int
cmd_rset(struct smtp_session *s, char *arg)
{
    (void)arg;
    smtp_incomplete_transaction_log(s, "RSET");
    smtp_txn_reset(s);
    smtp_reply(s, 250, "Reset OK");
    return 0;
}

static int
cmd_noop(struct smtp_session *s, char *arg)
{
    (void)arg;
    smtp_reply(s, 250, "OK");
    return 0;
}

static void log_session_end(struct smtp_session *s, int by_quit);

static int
cmd_quit(struct smtp_session *s, char *arg)
{
    char *user_msg = NULL;
    int r;

    (void)arg;
    s->quit_received = 1;
    smtp_incomplete_transaction_log(s, "QUIT");
    r = smtp_acl_stage(s, ACL_WHERE_QUIT, main_config.acl_smtp_quit, NULL, NULL,
                       &user_msg);
    (void)r; /* the QUIT ACL cannot refuse QUIT */
    /* Logged before the reply goes, so that the log is complete when
     * the client sees 221. */
    log_session_end(s, 1);
    if (user_msg != NULL)
        smtp_reply_user(s, 221, user_msg);
    else
        smtp_replyf(s, 221, "%s closing connection", s->active_hostname);
    smtp_io_flush(&s->io);
    s->done = 2;
    return 1;
}

static int
cmd_help(struct smtp_session *s, char *arg)
{
    gstr g;

    (void)arg;
    gstr_init(&g, s->msg_arena);
    gstr_adds(&g, "Commands supported:\nAUTH"); /* "214 AUTH", as Exim */
    if (smtp_tls_offered(s))
        gstr_adds(&g, " STARTTLS");
    gstr_adds(&g, " HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP");
    if (main_config.acl_smtp_etrn != NULL)
        gstr_adds(&g, " ETRN");
    if (main_config.acl_smtp_expn != NULL)
        gstr_adds(&g, " EXPN");
    if (main_config.acl_smtp_vrfy != NULL)
        gstr_adds(&g, " VRFY");
    for (size_t i = 0; i < n_ext_cmds; i++)
        if (ext_defs[i]->in_help != NULL && ext_defs[i]->in_help(s))
            gstr_printf(&g, " %s", ext_defs[i]->name);
    smtp_reply(s, 214, gstr_str(&g));
    return 0;
}

/* VRFY and EXPN: without an ACL they are refused, as Exim does; with
 * one that accepts, the answer needs routing, which comes later. */
static int
verify_command(struct smtp_session *s, int where, const char *acl,
               const char *name, char *arg, int refuse_code)
{
    char *user_msg = NULL;
    int r;

    if (acl == NULL) {
        smtp_reply(s, refuse_code, "Administrative prohibition");
        return 0;
    }
    expand_set_var(&s->x, "smtp_command_argument", arg);
    r = smtp_acl_stage(s, where, acl, arg, arg, &user_msg);
    if (r < 0)
        return 1;
    if (r == 0)
        return 0;
    smtp_replyf(s, 252, "%s <%s>: address verification is not available yet",
                name, arg);
    return 0;
}

static int
cmd_vrfy(struct smtp_session *s, char *arg)
{
    return verify_command(s, ACL_WHERE_VRFY, main_config.acl_smtp_vrfy, "VRFY",
                          arg, 252);
}

static int
cmd_expn(struct smtp_session *s, char *arg)
{
    return verify_command(s, ACL_WHERE_EXPN, main_config.acl_smtp_expn, "EXPN",
                          arg, 550);
}

static int
cmd_etrn(struct smtp_session *s, char *arg)
{
    char *user_msg = NULL;
    int r;

    if (s->txn.sender != NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "ETRN is not permitted inside a "
                                  "transaction");
    if (main_config.acl_smtp_etrn == NULL) {
        smtp_reply(s, 458, "Administrative prohibition");
        return 0;
    }
    if (log_selected(LS_etrn))
        log_write(LOG_MAIN, "ETRN %s received from %s", arg,
                  smtp_host_and_ident(s, 0));
    r = smtp_acl_stage(s, ACL_WHERE_ETRN, main_config.acl_smtp_etrn, NULL, arg,
                       &user_msg);
    if (r < 0)
        return 1;
    if (r > 0)
        smtp_reply_user(s, 250, user_msg ? user_msg : "OK");
    return 0;
}

/* Logs and answers input that arrived before the reply it should have
 * waited for, then ends the session. */
static int
sync_error(struct smtp_session *s)
{
    size_t n = s->io.in_end - s->io.in_pos;
    gstr shown;

    if (n > 150)
        n = 150;
    gstr_init(&shown, s->conn_arena);
    str_printing(&shown, s->io.in + s->io.in_pos, n);
    smtp_incomplete_transaction_log(s, "sync failure");
    log_write(LOG_MAIN | LOG_REJECT,
              "SMTP protocol synchronization error (next input sent too "
              "soon: pipelining was%s advertised): rejected \"%s\" %s next "
              "input=\"%s\" (%zu bytes)",
              s->pipelining_advertised ? "" : " not", gstr_str(&s->cmd),
              smtp_host_and_ident(s, 1), gstr_str(&shown),
              s->io.in_end - s->io.in_pos);
    smtp_notquit_exit(s, "synchronization-error", 554,
                      "SMTP synchronization error");
    return 1;
}

static int
must_sync(struct smtp_session *s, const struct smtp_cmd *c)
{
    if (!main_config.smtp_enforce_sync || s->host_address == NULL ||
        s->mode == SMTP_MODE_BH)
        return 0;
    if (c == NULL || c->sync == SYNC_ALWAYS)
        return 1;
    return c->sync == SYNC_NOPIPE && !s->pipelining_advertised;
}

static const struct smtp_cmd *
find_command(const char *line, char **arg)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const struct smtp_cmd *c = &commands[i];
        size_t n = strlen(c->name);

        if (strncasecmp(line, c->name, n) != 0)
            continue;
        if (c->name[n - 1] != ':' && line[n] != '\0' && line[n] != ' ')
            continue;
        const char *p = line + n;
        while (*p == ' ' || *p == '\t')
            p++;
        *arg = (char *)p;
        return c;
    }
    for (size_t i = 0; i < n_ext_cmds; i++) {
        size_t n = strlen(ext_cmds[i].name);

        if (strncasecmp(line, ext_cmds[i].name, n) == 0 &&
            (line[n] == '\0' || line[n] == ' ')) {
            const char *p = line + n;
            while (*p == ' ' || *p == '\t')
                p++;
            *arg = (char *)p;
            return &ext_cmds[i];
        }
    }
    return NULL;
}

static int
unknown_command(struct smtp_session *s)
{
    if (s->unknown_commands++ >= main_config.smtp_max_unknown_commands) {
        if (log_selected(LS_smtp_syntax_error))
            log_write(LOG_MAIN,
                      "SMTP syntax error in \"%s\" %s unrecognized "
                      "command",
                      gstr_str(&s->cmd), smtp_host_and_ident(s, 1));
        smtp_incomplete_transaction_log(s, "unrecognized command");
        /* As Exim: the not-QUIT ACL runs before the drop is logged. */
        smtp_notquit_exit(s, "bad-commands", 500,
                          "Too many unrecognized commands");
        log_write(LOG_MAIN | LOG_REJECT,
                  "SMTP call from %s dropped: too many unrecognized commands "
                  "(last was \"%s\")",
                  smtp_host_and_ident(s, 0), gstr_str(&s->cmd));
        return 1;
    }
    return smtp_synprot_error(s, SYNPROT_SYNTAX, 500, NULL,
                              "unrecognized command");
}

int
smtp_session_cut(struct smtp_session *s, const char *sender)
{
    if (!s->io.expired)
        return 0;
    log_write(LOG_MAIN,
              "SMTP session time limit exceeded%s on%s connection from %s%s "
              "D=%lds",
              sender ? " (message abandoned)" : "", s->tls.active ? " TLS" : "",
              smtp_host_and_ident(s, 0),
              sender ? arena_printf(s->conn_arena, " F=<%s>", sender) : "",
              (long)(time(NULL) - s->started));
    smtp_notquit_exit(s, "session-timeout", 421,
                      arena_printf(s->conn_arena,
                                   "%s: SMTP session time limit exceeded - "
                                   "closing connection",
                                   s->active_hostname));
    return 1;
}

/* Reading a command timed out (status IO_TIMEOUT) or the connection went
 * away: logs it as Exim does, tells the not-QUIT ACL, and says the session
 * must end. */
int
smtp_command_lost(struct smtp_session *s, int status)
{
    if (status == IO_TIMEOUT && smtp_session_cut(s, NULL))
        return 1;
    if (status == IO_TIMEOUT) {
        log_write(LOG_MAIN,
                  "SMTP command timeout on%s connection from %s D=%lds",
                  s->tls.active ? " TLS" : "", smtp_host_and_ident(s, 0),
                  (long)(time(NULL) - s->started));
        smtp_notquit_exit(s, "command-timeout", 421,
                          arena_printf(s->conn_arena,
                                       "%s: SMTP command timeout - closing "
                                       "connection",
                                       s->active_hostname));
        return 1;
    }
    /* between BDAT chunks Exim is still reading the message */
    if (smtp_bdat_lost(s))
        return 1;
    smtp_incomplete_transaction_log(s, "connection lost");
    smtp_notquit_exit(s, "connection-lost", 421,
                      arena_printf(s->conn_arena, "%s lost input connection",
                                   s->active_hostname));
    /* As Exim: inside a transaction under lost_incoming_connection,
     * otherwise as the end of the connection under smtp_connection. */
    if (s->txn.sender != NULL || s->txn.nrcpts > 0) {
        if (log_selected(LS_lost_incoming_connection))
            log_write(LOG_MAIN,
                      "unexpected %s while reading SMTP command from %s D=%lds",
                      s->host_address == NULL ? "EOF" : "disconnection",
                      smtp_host_and_ident(s, 0),
                      (long)(time(NULL) - s->started));
    } else if (log_selected(LS_smtp_connection))
        log_write(LOG_MAIN, "SMTP %s lost D=%lds", smtp_connection_from(s),
                  (long)(time(NULL) - s->started));
    return 1;
}

/* smtp_accept_max_nonmail, as Exim counts: every command but MAIL,
 * RCPT, DATA, BDAT and QUIT, except one RSET, one HELO or EHLO and one
 * STARTTLS per message, and the first AUTH of the connection (again
 * after STARTTLS), so that failing AUTHs add up. Returns 1 when the
 * limit is passed and the session was dropped. */
static int
nonmail_check(struct smtp_session *s, const struct smtp_cmd *c)
{
    unsigned bit = 0;

    if (c->mail_cmd)
        return 0;
    if (c->fn == cmd_rset)
        bit = NM_FREE_RSET;
    else if (c->fn == smtp_cmd_helo || c->fn == smtp_cmd_ehlo)
        bit = NM_FREE_HELO;
    else if (c->fn == smtp_cmd_starttls)
        bit = NM_FREE_STLS;
    else if (c->fn == smtp_cmd_auth)
        bit = NM_FREE_AUTH;
    if (bit != 0 && (s->nonmail_free & bit)) {
        s->nonmail_free &= ~bit;
        return 0;
    }
    if (s->nonmail_counted_host < 0)
        s->nonmail_counted_host =
            smtp_host_in_opt(s, smtp_accept_max_nonmail_hosts) != 0;
    if (!s->nonmail_counted_host ||
        ++s->nonmail_commands <= main_config.smtp_accept_max_nonmail)
        return 0;
    {
        const char *line = gstr_str(&s->cmd);
        int n = (int)strcspn(line, " \t");

        smtp_incomplete_transaction_log(s, "too many non-mail commands");
        log_write(LOG_MAIN | LOG_REJECT,
                  "SMTP call from %s dropped: too many nonmail commands "
                  "(last was \"%.*s\")",
                  smtp_host_and_ident(s, 0), n, line);
    }
    smtp_notquit_exit(s, "bad-commands", 554, "Too many nonmail commands");
    return 1;
}

/* Reads and runs one command. Returns 1 when the session is over. */
static int
smtp_one_command(struct smtp_session *s)
{
    enum io_eol eol;
    char *arg = NULL;
    const struct smtp_cmd *c;
    int r = smtp_io_getline_cut(&s->io, &s->cmd, SMTP_CMD_MAX, &eol);

    /* As Exim: an unrecognized command, and what is left of the line
     * is read as the next one. */
    if (r == IO_TOO_LONG) {
        gstr_truncate(&s->cmd, 0);
        gstr_adds(&s->cmd, "(command line too long)");
        smtp_history_add(s, "other");
        return unknown_command(s);
    }
    if (r != IO_OK)
        return smtp_command_lost(s, r);
    if (s->tls_failed) { /* after a failed STARTTLS only QUIT is served */
        c = find_command(gstr_str(&s->cmd), &arg);
        if (c != NULL && c->fn == cmd_quit)
            return cmd_quit(s, arg);
        smtp_reply(s, 554, "Security failure");
        return 0;
    }
    if (memchr(s->cmd.s, '\0', s->cmd.len) != NULL) {
        smtp_synprot_error(s, SYNPROT_SYNTAX, 0, NULL,
                           "NUL character(s) present (shown as '?')");
        smtp_reply(s, 501, "NUL characters are not allowed in SMTP commands");
        return 0;
    }
    c = find_command(gstr_str(&s->cmd), &arg);
    smtp_history_add(s, c ? c->history : "other");
    if (must_sync(s, c) && smtp_io_input_pending(&s->io))
        return sync_error(s);
    expand_set_var(&s->x, "smtp_command", gstr_str(&s->cmd));
    if (c == NULL)
        return unknown_command(s);
    if (nonmail_check(s, c))
        return 1;
    if (!c->has_arg && *arg != '\0')
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                  "unexpected argument data");
    {
        int was_tls = s->tls.active, done = c->fn(s, arg);

        /* A new message may have one RSET, HELO and STARTTLS free; a
         * new TLS session an EHLO and an AUTH. */
        if ((c->fn == smtp_cmd_data || c->fn == smtp_cmd_bdat) &&
            s->txn.sender == NULL && s->bdat == NULL)
            s->nonmail_free |= NM_FREE_RSET | NM_FREE_HELO | NM_FREE_STLS;
        if (!was_tls && s->tls.active)
            s->nonmail_free |= NM_FREE_HELO | NM_FREE_AUTH;
        return done;
    }
}

/* Expands smtp_banner and sends it as a 220 reply. */
static int
smtp_banner(struct smtp_session *s)
{
    char *text;
    gstr err;

    gstr_init(&err, s->conn_arena);
    if (expand_string(&s->x, main_config.smtp_banner, &text, &err) !=
        EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "Expansion of \"%s\" (smtp_banner) "
                  "failed: %s",
                  main_config.smtp_banner, gstr_str(&err));
        smtp_reply(s, 451, "SMTP service not available");
        smtp_io_flush(&s->io);
        return -1;
    }
    smtp_reply(s, 220, text);
    return 0;
}

static void
log_session_end(struct smtp_session *s, int by_quit)
{
    /* As Exim: QUIT is logged when it is read, the missing MAIL once
     * the session is over. */
    if (by_quit && s->host_address != NULL && log_selected(LS_smtp_connection))
        log_write(LOG_MAIN, "SMTP %s D=%lds closed by QUIT",
                  smtp_connection_from(s), (long)(time(NULL) - s->started));
    if (s->messages == 0 && log_selected(LS_smtp_no_mail))
        log_write(LOG_MAIN, "no MAIL in %sSMTP connection from %s D=%lds C=%s",
                  s->mode == SMTP_MODE_BS ? "local " : "",
                  smtp_host_and_ident(s, 0), (long)(time(NULL) - s->started),
                  gstr_str(&s->history));
}

/* Input sent before the banner breaks the rules in the same way. */
static int
early_talker(struct smtp_session *s)
{
    if (!main_config.smtp_enforce_sync || s->host_address == NULL ||
        s->mode == SMTP_MODE_BH || !smtp_io_input_pending(&s->io))
        return 0;
    gstr buf;
    gstr_init(&buf, s->conn_arena);
    enum io_eol eol;
    int rc = smtp_io_getline(&s->io, &buf, 128, &eol);
    /* A client that closed (or reset) the connection before the banner
     * sent nothing: as for Exim, that is no early talker, and the
     * session ends at its first read (found by make soak). */
    if ((rc == IO_EOF || rc == IO_ERROR) && buf.len == 0)
        return 0;
    log_write(LOG_MAIN | LOG_REJECT,
              "SMTP protocol synchronization error (input sent without "
              "waiting for greeting): rejected connection from %s input=\"%s\"",
              smtp_host_and_ident(s, 1), gstr_str(&buf));
    smtp_reply(s, 554, "SMTP synchronization error");
    smtp_io_flush(&s->io);
    return 1;
}

/* The host lists Exim checks when a session starts, in its order (the
 * order of -bh's trace). Those mxlab does not implement are unset. */
static void
host_flags_at_start(struct smtp_session *s)
{
    smtp_host_in_named(s, NULL, "host_reject_connection");
    s->sender_unqualified_ok = smtp_host_in_opt(s, sender_unqualified_hosts);
    s->recipient_unqualified_ok =
        smtp_host_in_opt(s, recipient_unqualified_hosts);
    s->helo_verify_required = smtp_host_in_opt(s, helo_verify_hosts);
    if (!s->helo_verify_required)
        s->helo_try_verify = smtp_host_in_opt(s, helo_try_verify_hosts);
    s->helo_accept_junk = smtp_host_in_opt(s, helo_accept_junk_hosts);
    smtp_host_in_named(s, NULL, "hosts_proxy");
}

int
smtp_session_run(struct smtp_session *s)
{
    char *user_msg = NULL;
    int r;

    smtp_set_host_vars(s);
    smtp_host_lookup_on_connect(s);
    host_flags_at_start(s);
    r = smtp_acl_stage(s, ACL_WHERE_CONNECT, main_config.acl_smtp_connect, NULL,
                       NULL, &user_msg);
    if (r <= 0) {
        smtp_io_flush(&s->io);
        return -1;
    }
    /* mxlab does not offer early pipelining: as Exim with the list
     * set empty (it shows in -bh) */
    if (s->host_address != NULL)
        smtp_host_in_named(s, "", "pipelining_connect_advertise_hosts");
    if (s->tls_on_connect && smtp_tls_start_on_connect(s) < 0)
        return -1;
    if (early_talker(s))
        return -1;
    if (user_msg != NULL)
        smtp_reply_user(s, 220, user_msg);
    else if (smtp_banner(s) < 0)
        return -1;
    while (!s->done)
        if (smtp_one_command(s))
            break;
    smtp_io_flush(&s->io);
    smtp_tls_end(s);
    if (s->done != 2)
        log_session_end(s, 0);
    return s->done == 2 ? 0 : -1;
}
