/*++
 * NAME
 *	data 3
 * SUMMARY
 *	DATA and BDAT: the message itself
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	int	smtp_cmd_data(struct smtp_session *s, char *arg)
 *	int	smtp_cmd_bdat(struct smtp_session *s, char *arg)
 *	void	smtp_data_prepare(struct smtp_session *s)
 * DESCRIPTION
 *	After the predata ACL, DATA reads the message up to the line with
 *	a single dot and hands it to the receive library line by line,
 *	dot-unstuffed. After the data ACL accepts, the message is
 *	committed to the spool (written and fsynced) and only then is
 *	"250 OK id=..." sent. Then a delivery process is started for it
 *	(deliver_after_reception()), which the session does not wait for,
 *	unless the message is to wait for a queue run (-odq, queue_only,
 *	control = queue_only, a freeze, or load: smtp_accept_queue and
 *	smtp_accept_queue_per_connection, logged "no immediate delivery:
 *	..."); -odi delivers before the session goes on.
 *
 *	Line endings follow Exim's rules against SMTP smuggling. When the
 *	first line of the message ends in CR LF, the message is taken to
 *	be in strict CR LF form: a bare LF is not a line ending but is
 *	stored as a space, and only CR LF "." CR LF ends the data. Without
 *	that first CR LF, bare LFs end lines too and LF "." LF ends the
 *	data, for clients that never send CR. A bare CR always ends a
 *	line; a dot after one is ordinary text. So no hidden "\en.\en",
 *	"\en.\er\en" or "\er.\er" sequence can end one message early and
 *	start another.
 *
 *	BDAT (CHUNKING) takes the message in chunks of an exact size, no
 *	dot-stuffing; "BDAT n LAST" ends it. As in Exim, no predata ACL
 *	runs for it, a refused BDAT's chunk is read and thrown away, and
 *	a message whose first header line ends in a bare LF is refused
 *	(552) once that header field is complete.
 *
 *	smtp_data_prepare(), after a RCPT's 250 has gone, makes the file
 *	the next message's -H will be written to (spool_path_prepare_temp()),
 *	while the client writes its next command, rather than after the
 *	data, while it waits for the 250. Not under -bh, which keeps
 *	nothing, nor with split_spool_directory, where the -H's directory
 *	depends on the message id.
 * DIAGNOSTICS
 *	A connection lost or timed out in the middle of the data loses the
 *	message (never half of one) with Exim's log lines; a message over
 *	message_size_limit is read to its end and refused with 552. The
 *	-D file is made after the 354, as in Exim; when it cannot be (or
 *	the spool cannot be written later), the data is read to its end,
 *	the reason logged to the main and panic logs, and the reply is
 *	451 (Exim ends the connection with 421).
 *--*/

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "authres/authres.h"
#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "conf/opt.h"
#include "deliver/deliver.h"
#include "dkim/dkim_smtp.h"
#ifdef EXPERIMENTAL_ARC
#include "arc/arc_smtp.h"
#endif
#include "log/log.h"
#include "priv/priv.h"
#include "receive/receive.h"
#include "rewrite/rewrite.h"
#include "smtp/smtp_int.h"
#include "spool/envelope.h"
#include "spool/spool_path.h"
#include "registry.h"

/* What ended the data. */
enum data_end {
    DATA_DOT,     /* the terminating dot */
    DATA_EOF,     /* the client went away */
    DATA_TIMEOUT, /* the client stopped sending */
    DATA_ERROR,   /* the spool could not be written */
};

struct data_reader {
    struct smtp_session *s;
    struct receive *r;
    gstr line;
    int toobig;
    int failed;
    int first_crlf; /* BDAT: -1 until the first line ends, then 1 for CR LF */
    int lf_header;  /* BDAT: the first line, a header field, ended in LF */
    int lf_refused; /* BDAT: that header field is complete: refuse */
    gstr lf_text;   /* BDAT: that field's text, for the reject log */
};

static void
data_emit(struct data_reader *d)
{
    int rc;

    if (!d->failed) {
        rc = receive_line(d->r, d->line.s ? d->line.s : "", d->line.len);
        if (rc == RECEIVE_TOOBIG)
            d->toobig = 1;
        else if (rc == RECEIVE_ERROR)
            d->failed = 1;
    }
    gstr_truncate(&d->line, 0);
}

/* Exim's line-ending rules, one byte at a time; see DESCRIPTION. */
static enum data_end
data_read_dot(struct data_reader *d)
{
    enum { LINESTART, NORMAL, HAD_CR, HAD_DOT, HAD_DOT_CR } st = LINESTART;
    struct smtp_io *io = &d->s->io;
    int strict = -1; /* decided by the first line's ending */
    for (;;) {
        int c = smtp_io_getc(io);

        if (c == IO_TIMEOUT)
            return DATA_TIMEOUT;
        if (c < 0)
            return DATA_EOF;
        char ch = (char)c;

        switch (st) {
        case LINESTART:
            if (ch == '.') {
                st = HAD_DOT;
                continue;
            }
            st = NORMAL;
            /* FALLTHROUGH */
        case NORMAL:
            if (ch == '\r') {
                st = HAD_CR;
                continue;
            }
            if (ch == '\n') {
                if (strict < 0)
                    strict = 0;
                if (strict) {
                    ch = ' ';
                } else {
                    data_emit(d);
                    st = LINESTART;
                    continue;
                }
            }
            break;
        case HAD_CR:
            data_emit(d);
            if (ch == '\n') {
                if (strict < 0)
                    strict = 1;
                st = LINESTART;
                continue;
            }
            if (ch == '\r')
                continue; /* another bare CR */
            st = NORMAL;
            break;
        case HAD_DOT:
            if (ch == '\n') {
                if (strict != 1)
                    return DATA_DOT;
                ch = ' ';
            } else if (ch == '\r') {
                st = HAD_DOT_CR;
                continue;
            }
            st = NORMAL;
            break;
        case HAD_DOT_CR:
            if (ch == '\n')
                return DATA_DOT;
            data_emit(d); /* the CR ended a line holding nothing */
            if (ch == '\r') {
                st = HAD_CR;
                continue;
            }
            st = NORMAL;
            break;
        }
        gstr_addc(&d->line, ch);
        /* the rest of a line's text, as far as it is buffered, in one
         * step: in NORMAL every byte but CR and LF is taken as it is */
        if (st == NORMAL)
            smtp_io_take_text(io, &d->line);
    }
}

static void
fill_params(struct smtp_session *s, struct receive_params *p,
            struct spool_rcpt *rcpts)
{
    struct smtp_txn *t = &s->txn;

    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < t->nrcpts; i++) {
        memset(&rcpts[i], 0, sizeof(rcpts[i]));
        rcpts[i].address = t->rcpts[i].address;
        rcpts[i].orcpt = t->rcpts[i].orcpt;
        rcpts[i].dsn_flags = (int)t->rcpts[i].notify;
        rcpts[i].pno = -1;
    }
    p->sender = t->sender;
    /* sender verification rewrote the sender ($sender_address): as
     * Exim, the message takes it, and it is not rewritten again */
    const char *verified = expand_get_var(&s->x, "sender_address");
    if (verified != NULL && t->sender != NULL &&
        strcmp(verified, t->sender) != 0) {
        p->sender = verified;
        p->sender_unrewritten = t->sender;
    }
    p->rcpts = rcpts;
    p->nrcpts = (int)t->nrcpts;
    p->dsn_ret = t->dsn_ret;
    p->dsn_envid = t->dsn_envid;
    p->protocol = expand_get_var(&s->x, "received_protocol");
    p->host_address = s->host_address;
    p->host_port = s->host_port;
    p->host_name = s->host_name;
    p->host_lookup_failed = s->host_lookup_failed;
    p->host_lookup_deferred = s->host_lookup_deferred;
    p->helo_name = s->helo_name;
    p->interface_address = s->interface_address;
    p->interface_port = s->interface_port;
    p->ident = s->ident;
    p->auth_driver = s->authenticated_by;
    p->auth_pubname = s->auth_pubname;
    p->auth_id = s->authenticated_id;
    if (s->proxy_session)
        p->proxy_local_address = s->proxy_local_address;
    p->auth_sender = t->auth_sender;
    p->pipelining_advertised = s->pipelining_advertised;
    if (s->tls.active) {
        p->tls_cipher = s->tls.cipher;
        p->tls_ver = s->tls.ver;
        p->tls_cipher_std = s->tls.cipher_std;
        p->tls_peerdn = s->tls.peerdn;
        p->tls_sni = s->tls.sni;
        p->tls_peercert = s->tls.peercert;
        p->tls_ourcert = s->tls.ourcert;
        p->tls_peercert_pem = s->tls.peercert_pem;
        p->tls_certificate_verified = s->tls.peercert && s->tls.cert_verified;
    }
    p->body_8bitmime = t->body_8bit ? 8 : 0;
    /* Root, like Exim's own user, is a trusted caller: it may set any
     * sender without a Sender: header being added, and its messages are
     * not "local" in Exim's sense. */
    p->trusted_caller = s->mode == SMTP_MODE_BS && priv_caller_uid() == 0;
    p->sender_local = s->mode == SMTP_MODE_BS && !p->trusted_caller;
    /* What the client said about itself is tainted (--helo_name), and
     * so is its host name, from the DNS, XCLIENT or -oMs, as in Exim. */
    if (s->helo_name != NULL)
        p->tainted |= SPOOL_TAINT(SPOOL_F_HELO_NAME);
    /* So is what it sent in XCLIENT and what AUTH made of its data. */
    if (s->tainted & SESS_TAINT_HOST_ADDRESS)
        p->tainted |= SPOOL_TAINT(SPOOL_F_HOST_ADDRESS);
    if (s->host_name != NULL || (s->tainted & SESS_TAINT_HOST_NAME))
        p->tainted |= SPOOL_TAINT(SPOOL_F_HOST_NAME);
    if (s->tainted & SESS_TAINT_AUTH_ID)
        p->tainted |= SPOOL_TAINT(SPOOL_F_AUTH_ID);
    /* So are the server name it asked for and its certificate (Exim's
     * --tls_sni, --tls_peercert); our own certificate is not. */
    if (s->tls.active && s->tls.sni != NULL)
        p->tainted |= SPOOL_TAINT(SPOOL_F_TLS_SNI);
    if (s->tls.active && s->tls.peercert_pem != NULL)
        p->tainted |= SPOOL_TAINT(SPOOL_F_TLS_PEERCERT);
    p->allow_unqualified = s->mode == SMTP_MODE_BS;
    p->ctx = &s->x;
}

static long
size_limit(struct smtp_session *s)
{
    char *v;
    long long n;

    if (expand_string(&s->x, main_config.message_size_limit, &v, NULL) !=
            EXPAND_OK ||
        opt_parse_int(v, &n) < 0)
        return 0;
    return (long)n;
}

/* $recipients from here on: the recipients as reception rewrote them
 * (the T rules of "begin rewrite"), as Exim's DATA ACL sees them. */
static void
rewritten_recipients(struct smtp_session *s, struct receive *r)
{
    const struct spool_msg *m = receive_msg(r);
    const char **v;

    if (!(rewrite_global()->existflags & RW_ENVTO))
        return;
    v = arena_alloc(s->msg_arena, (size_t)(m->rcpt_count + 1) * sizeof(*v));
    for (int i = 0; i < m->rcpt_count; i++)
        v[i] = m->rcpts[i].address;
    v[m->rcpt_count] = NULL;
    s->x.recipients = v;
}

/* The data ACL's header changes and controls go into the message. */
static void
apply_acl_results(struct smtp_session *s, struct receive *r)
{
    struct spool_msg *m = receive_msg(r);

    for (struct acl_header *h = s->acl.headers; h != NULL; h = h->next)
        receive_add_header(r, h->text, (enum receive_hpos)h->pos);
    for (struct acl_strlist *l = s->acl.remove_headers; l != NULL; l = l->next)
        receive_remove_headers(r, l->s);
    if (s->acl.controls & ACL_CTL_FREEZE) {
        m->frozen = 1;
        m->frozen_at = time(NULL);
    }
    /* As Exim: a message falsely refused must not send a DSN */
    if (s->acl.controls & (ACL_CTL_FAKEREJECT | ACL_CTL_FAKEDEFER))
        for (int i = 0; i < m->rcpt_count; i++)
            m->rcpts[i].dsn_flags = (m->rcpts[i].dsn_flags &
                                     ~(SPOOL_DSN_SUCCESS | SPOOL_DSN_DELAY)) |
                                    SPOOL_DSN_NEVER;
    receive_keep_aclvars(r, s->x.acl_vars);
}

/* The verifier holds digests outside the arena; they go with the
 * message, whatever became of it. */
static void
data_dkim_done(struct smtp_session *s)
{
    dkim_msg_free(s->dkim);
    s->dkim = NULL;
#ifdef EXPERIMENTAL_ARC
    arc_msg_done();
#endif
}

static int
data_dkim_acl(void *arg)
{
    struct smtp_session *s = arg;

    return smtp_acl_run(s, ACL_WHERE_DKIM, main_config.acl_smtp_dkim, NULL, "");
}

/* Exim's DKIM step between the end of the data and the data ACL:
 * verification and acl_smtp_dkim. 1 to go on, 0 refused (replied),
 * -1 the connection is to be dropped. */
static int
data_dkim(struct smtp_session *s, struct receive *r)
{
    char *user_msg = NULL;
    int rc;

    if (s->dkim == NULL)
        return 1;
    s->acl.user_message = s->acl.log_message = NULL;
    s->acl.message = r; /* open to content checks, as in the DATA ACL */
    rc = dkim_msg_finish(s->dkim, &s->x, receive_id(r),
                         main_config.acl_smtp_dkim, data_dkim_acl, s);
    s->acl.message = NULL;
    receive_set_dkim(r, dkim_msg_firstpass(s->dkim));
    data_dkim_done(s);
    /* the DKIM ACL's messages are not the 250's text */
    rc = smtp_acl_answer(s, ACL_WHERE_DKIM, rc, &user_msg);
    return rc == 2 ? 1 : rc;
}

static void
data_lost(struct smtp_session *s, struct receive *r, enum data_end why)
{
    data_dkim_done(s);
    if (why == DATA_TIMEOUT && smtp_session_cut(s, s->txn.sender)) {
        receive_abort(r); /* smtp_session_max_time (mxlab) */
        return;
    }
    if (why == DATA_TIMEOUT) {
        /* Exim names the client by $sender_fullhost alone here */
        const char *full = expand_get_var(&s->x, "sender_fullhost");
        log_write(LOG_MAIN,
                  "SMTP data timeout (message abandoned) on "
                  "connection from %s F=<%s> D=%lds",
                  full != NULL && *full != '\0' ? full : "local process",
                  s->txn.sender, (long)(time(NULL) - s->started));
        /* Exim's words, its final dot included */
        smtp_notquit_exit(s, "data-timeout", 421,
                          arena_printf(s->msg_arena,
                                       "%s SMTP incoming data timeout - "
                                       "closing connection.",
                                       s->active_hostname));
    } else {
        if (log_selected(LS_lost_incoming_connection))
            log_write(LOG_MAIN, "SMTP %s lost while reading message data",
                      smtp_connection_from(s));
        smtp_notquit_exit(s, "connection-lost", 0, NULL);
    }
    receive_abort(r);
}

/* The reception line; "(=" instead of "<=" when the client is told
 * the message was refused (control = fakereject or fakedefer). */
static void
data_log_received(struct smtp_session *s, struct receive *r)
{
    char *line = receive_log_line(r);

    if ((s->acl.controls & (ACL_CTL_FAKEREJECT | ACL_CTL_FAKEDEFER)) &&
        line[0] == '<' && line[1] == '=')
        line[0] = '(';
    log_write(LOG_MAIN, "%s %s", receive_id(r), line);
}

/* Whether a message just accepted is to wait for a queue run, as
 * Exim's session_local_queue_only: queue_only (or -odq, or
 * queue_only_file) quietly; under load, with the reason logged (log
 * selector delay_delivery), whether or not an ACL queued or froze it:
 * smtp_accept_queue against the daemon's connections when this one
 * started (ignored when not below smtp_accept_max, as Exim), and
 * smtp_accept_queue_per_connection against the messages of this
 * session, this one included. */
static int
data_should_queue(struct smtp_session *s, const char *id)
{
    const struct main_config *m = &main_config;

    if (deliver_should_queue())
        return 1;
    if (m->smtp_accept_queue > 0 &&
        m->smtp_accept_queue <= m->smtp_accept_max &&
        s->connection_count > m->smtp_accept_queue) {
        if (log_selected(LS_delay_delivery))
            log_write(LOG_MAIN,
                      "%s no immediate delivery: too many connections (%d, "
                      "max %d)",
                      id, s->connection_count, m->smtp_accept_queue);
        return 1;
    }
    if (m->smtp_accept_queue_per_connection > 0 &&
        s->messages + 1 > m->smtp_accept_queue_per_connection) {
        if (log_selected(LS_delay_delivery))
            log_write(LOG_MAIN,
                      "%s no immediate delivery: more than %d messages "
                      "received in one connection",
                      id, m->smtp_accept_queue_per_connection);
        return 1;
    }
    return 0;
}

/* After the data: the data ACL, then the spool, then the reply. After
 * BDAT LAST (chunk >= 0), Exim's default reply has two lines: the
 * chunk's size and the message's, then the id. */
static int
data_finish(struct smtp_session *s, struct receive *r, int toobig, long chunk)
{
    char *user_msg = NULL, *id;
    int rc, deliverable;
    gstr err;

    gstr_init(&err, s->msg_arena);
    /* Exim asks this of the first header line; mxlab does not take
     * "From " lines from any host, so the list is unset (seen in -bh) */
    if (s->host_address != NULL)
        smtp_host_in_named(s, NULL, "ignore_fromline_hosts");
    if (!toobig && (rc = receive_finish(r, &err)) == RECEIVE_TOOBIG)
        toobig = 1;
    if (toobig || err.len > 0)
        data_dkim_done(s);
    if (toobig) {
        log_write_block(LOG_MAIN | LOG_REJECT | LOG_SEL(LS_size_reject),
                        smtp_reject_block(s, r), "%s", receive_log_toobig(r));
        receive_abort(r);
        smtp_reply(s, 552, "Message size exceeds maximum permitted");
        smtp_txn_reset(s);
        return 0;
    }
    if (err.len > 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
        receive_abort(r);
        smtp_reply(s, 451, "Temporary local problem - please try later");
        smtp_txn_reset(s);
        return 0;
    }
    s->x.msg = receive_expand_message(r);
    rewritten_recipients(s, r);
    expand_set_var(&s->x, "message_exim_id", receive_id(r));
    expand_set_var(&s->x, "message_id", receive_id(r));
    rc = data_dkim(s, r);
    if (rc <= 0) {
        receive_abort(r);
        s->x.msg = NULL;
        smtp_txn_reset(s);
        return rc < 0;
    }
    rc = smtp_acl_stage_message(s, ACL_WHERE_DATA, main_config.acl_smtp_data, r,
                                &user_msg);
    if (rc <= 0) {
        receive_abort(r);
        s->x.msg = NULL;
        smtp_txn_reset(s);
        return rc < 0;
    }
    apply_acl_results(s, r);
    receive_set_host_name(r, s->host_name); /* an ACL may have found it */
    if (s->acl.controls & ACL_CTL_QUEUE)
        receive_set_queued(r);
    if (s->mode == SMTP_MODE_BH) { /* host checking: nothing is kept */
        data_log_received(s, r);   /* on stderr, as Exim */
        receive_abort(r);
        /* as Exim: the reply, then the warning */
        smtp_replyf(s, 250, "OK id=%s", receive_id(r));
        smtp_io_printf(&s->io, "\n**** SMTP testing: that is not a real "
                               "message id!\n\n");
        s->messages++;
        s->x.msg = NULL;
        smtp_txn_reset(s);
        return 0;
    }
    registry_before_commit(r, &s->acl);
    gstr_truncate(&err, 0);
    if (receive_commit_spool(r, &err) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
        smtp_reply(s, 451, "Temporary local problem - please try later");
        s->x.msg = NULL;
        smtp_txn_reset(s);
        return 0;
    }
    /* The message is safe: the reply goes out now, and the message log
     * and the "<=" line are written while the client reads it (Exim
     * writes them first; the order in the logs is the same). */
    if (s->acl.controls & (ACL_CTL_FAKEREJECT | ACL_CTL_FAKEDEFER))
        smtp_reply_user(s, s->acl.controls & ACL_CTL_FAKEREJECT ? 550 : 450,
                        acl_split_message(s->msg_arena, s->acl.fake_message));
    else if (user_msg != NULL)
        smtp_reply_user(s, 250, user_msg);
    else if (chunk >= 0)
        smtp_replyf(s, 250, " %ld byte chunk, total %ld\nOK id=%s", chunk,
                    receive_chunking_total(r), receive_id(r));
    else
        smtp_replyf(s, 250, "OK id=%s", receive_id(r));
    smtp_io_flush_early(&s->io);
    receive_write_msglog(r);
    data_log_received(s, r);
    if (s->acl.controls & ACL_CTL_FREEZE)
        log_write(LOG_MAIN, "%s frozen by ACL", receive_id(r));
    id = arena_strdup(s->msg_arena, receive_id(r));
    /* Exim's daemon has forgotten the freeze by the time it decides,
     * so a frozen message gets a delivery process too, which logs
     * "Message is frozen"; under -bs it does not. */
    deliverable =
        !(s->acl.controls & ACL_CTL_QUEUE) &&
        (s->mode == SMTP_MODE_DAEMON ||
         (!(s->acl.controls & ACL_CTL_FREEZE) && !receive_msg(r)->frozen));
    receive_close(r);
    /* a delivery process, unless the message is to wait in the queue */
    if (!data_should_queue(s, id) && deliverable)
        deliver_after_reception(id, deliver_odmode == 'i');
    s->messages++;
    s->x.msg = NULL;
    smtp_txn_reset(s);
    return 0;
}

void
smtp_data_prepare(struct smtp_session *s)
{
    gstr dir;

    if (s->mode == SMTP_MODE_BH || main_config.split_spool_directory)
        return;
    smtp_io_flush_early(&s->io); /* the client reads while this is done */
    gstr_init(&dir, s->msg_arena);
    spool_path_dir(&dir, main_config.spool_directory, 0);
    spool_path_prepare_temp(dir.s);
}

/* Checks that a transaction can take data; replies if not. */
static int
data_allowed(struct smtp_session *s, const char *cmd, int *stop)
{
    *stop = 0;
    if (s->txn.too_many_logged && main_config.recipients_max_reject) {
        /* recipients_max_reject: the whole message is refused, and a
         * new MAIL may follow without RSET, as in Exim */
        smtp_reply(s, 554, "Too many recipients");
        smtp_txn_reset(s);
        return 0;
    }
    if (s->txn.nrcpts > 0)
        return 1;
    if (s->txn.rcpt_response != NULL && !s->txn.rcpt_response_differs) {
        smtp_reply_more(s, 503,
                        "All RCPT commands were rejected with this "
                        "error:");
        smtp_reply_more(s, 503, s->txn.rcpt_response);
    }
    if (s->pipelining_advertised && s->txn.rcpt_fail_count > 0)
        smtp_replyf(s, 503, "Valid RCPT command must precede %s", cmd);
    else
        *stop = smtp_synprot_error(
            s, SYNPROT_PROTOCOL, 503, NULL,
            arena_printf(s->msg_arena, "valid RCPT command must precede %s",
                         cmd));
    return 0;
}

#ifdef EXPERIMENTAL_ARC
/* ARC's verifier reads the message next to DKIM's. */
static void
data_line_sink(void *arg, const char *line, size_t len)
{
    dkim_msg_line(arg, line, len);
    arc_msg_line(line, len);
}
#endif

static struct receive *
data_start(struct smtp_session *s, int chunking)
{
    struct receive_params p;
    struct spool_rcpt *rcpts;
    struct receive *r;
    gstr err;

    rcpts = arena_alloc(s->msg_arena, (s->txn.nrcpts + 1) * sizeof(*rcpts));
    fill_params(s, &p, rcpts);
    p.chunking = chunking;
    p.message_size_limit = size_limit(s);
    data_dkim_done(s);
    authres_set_dkim(NULL); /* the last message's, for ${authresults} */
    if (!(s->acl.controls & ACL_CTL_DKIM_DISABLE_VERIFY)) {
        s->dkim = dkim_msg_start(s->msg_arena);
        p.line_sink = dkim_msg_line;
        p.line_sink_arg = s->dkim;
    }
#ifdef EXPERIMENTAL_ARC
    arc_msg_start(s->dkim ? s->msg_arena : NULL, &s->x);
    if (s->dkim)
        p.line_sink = data_line_sink;
#endif
    gstr_init(&err, s->msg_arena);
    r = receive_start(s->msg_arena, &p, &err);
    if (r == NULL)
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
    return r;
}

int
smtp_cmd_data(struct smtp_session *s, char *arg)
{
    struct data_reader d;
    char *user_msg = NULL;
    enum data_end end;
    int stop, rc;

    (void)arg;
    if (!data_allowed(s, "DATA", &stop))
        return stop;
    rc = smtp_acl_stage(s, ACL_WHERE_PREDATA, main_config.acl_smtp_predata,
                        NULL, NULL, &user_msg);
    if (rc <= 0)
        return rc < 0;
    memset(&d, 0, sizeof(d));
    d.s = s;
    gstr_init(&d.line, s->msg_arena);
    smtp_reply_user(s, 354,
                    user_msg ? user_msg
                             : "Enter message, ending with \".\" on a line "
                               "by itself");
    smtp_io_flush(&s->io);
    /* The -D file is made while the client starts to send, as Exim
     * makes it after its 354. If it cannot be, the data is read and
     * thrown away and the reply to it is a 451. */
    d.r = data_start(s, 0);
    d.failed = d.r == NULL;
    end = data_read_dot(&d);
    if (end != DATA_DOT) {
        data_lost(s, d.r, end);
        return 1;
    }
    if (d.line.len > 0)
        data_emit(&d);
    if (d.failed) {
        data_dkim_done(s);
        receive_abort(d.r);
        smtp_reply(s, 451, "Temporary local problem - please try later");
        smtp_txn_reset(s);
        return 0;
    }
    return data_finish(s, d.r, d.toobig, -1);
}

/* Exim's header syntax: printable characters up to a colon, then
 * perhaps blanks; the line must not start with white space. */
static int
bdat_is_header(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] > ' ' && p[i] < 0x7f && p[i] != ':')
        i++;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i < n && p[i] == ':';
}

/* Under CHUNKING Exim refuses a message whose first line, a header
 * field, ends in a bare LF. It does so once that field, continuation
 * lines included, is complete: when a line starts that is not a
 * continuation, or the data ends. Called at the end of each line. */
static void
bdat_check_line_end(struct data_reader *d)
{
    int crlf = d->line.len > 0 && d->line.s[d->line.len - 1] == '\r';

    if (d->first_crlf < 0) {
        d->first_crlf = crlf;
        if (!crlf && bdat_is_header(d->line.s, d->line.len))
            d->lf_header = 1;
    }
    if (d->lf_header) {
        gstr_addn(&d->lf_text, d->line.s, d->line.len);
        gstr_addc(&d->lf_text, '\n');
    }
}

/* Feeds a chunk: lines end in LF; a CR before the LF is dropped. Stops
 * at a refusal (lf_refused); the rest of the chunk is dropped. */
static void
bdat_feed(struct data_reader *d, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d->lf_header && d->line.len == 0 && p[i] != ' ' && p[i] != '\t') {
            d->lf_refused = 1;
            return;
        }
        if (p[i] == '\n') {
            bdat_check_line_end(d);
            if (d->line.len > 0 && d->line.s[d->line.len - 1] == '\r')
                gstr_truncate(&d->line, d->line.len - 1);
            data_emit(d);
        } else {
            gstr_addc(&d->line, p[i]);
        }
    }
}

/* Exim's refusal of a bare-LF header under CHUNKING: a 552, no message
 * id yet, the message thrown away; the session goes on. */
static int
bdat_refuse_lf(struct smtp_session *s, struct data_reader *d)
{
    const char *block = NULL;
    gstr g;

    if (log_selected(LS_rejected_header)) {
        gstr_init(&g, s->msg_arena);
        gstr_printf(&g, "Envelope-from: <%s>\n", s->txn.sender);
        gstr_printf(&g, "Envelope-to: <%s>\n", s->txn.rcpts[0].address);
        for (size_t i = 1; i < s->txn.nrcpts && i < 5; i++)
            gstr_printf(&g, "    <%s>\n", s->txn.rcpts[i].address);
        if (s->txn.nrcpts > 5)
            gstr_adds(&g, "    ...\n");
        gstr_adds(&g, "  ");
        gstr_addn(&g, d->lf_text.s, d->lf_text.len);
        block = gstr_str(&g);
    }
    if (log_selected(LS_size_reject))
        log_write_block(LOG_MAIN | LOG_REJECT, block, "%s",
                        receive_log_refused(d->r, "Non-CRLF-terminated header, "
                                                  "under CHUNKING: message "
                                                  "abandoned"));
    data_dkim_done(s);
    receive_abort(d->r);
    s->bdat = NULL;
    smtp_reply(s, 552, "Message header not CRLF terminated");
    smtp_txn_reset(s);
    return 0;
}

int
smtp_cmd_bdat(struct smtp_session *s, char *arg)
{
    char *end;
    long size;
    int last = 0, stop;
    gstr chunk;

    if (!s->chunking_advertised)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "BDAT command used when CHUNKING not "
                                  "advertised");
    size = strtol(arg, &end, 10);
    if (end == arg || size < 0)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 501, NULL,
                                  "missing size for BDAT command");
    while (*end == ' ')
        end++;
    if (strcasecmp(end, "LAST") == 0)
        last = 1;
    else if (*end != '\0')
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                  "invalid BDAT argument");
    gstr_init(&chunk, s->msg_arena);
    if (s->bdat == NULL) {
        struct receive *r;

        /* as in Exim, a refused BDAT's chunk is read and thrown away,
         * and there is no predata ACL for BDAT */
        if (!data_allowed(s, "BDAT", &stop)) {
            /* a lost connection shows at the next command */
            if (!stop)
                (void)smtp_io_read_bytes(&s->io, &chunk, (size_t)size);
            return stop;
        }
        r = data_start(s, 1);
        if (r == NULL) {
            smtp_reply(s, 451, "Temporary local problem - please try later");
            return 0;
        }
        s->bdat = arena_alloc(s->msg_arena, sizeof(*s->bdat));
        s->bdat->s = s;
        s->bdat->r = r;
        s->bdat->first_crlf = -1;
        gstr_init(&s->bdat->line, s->msg_arena);
        gstr_init(&s->bdat->lf_text, s->msg_arena);
    }
    int r = smtp_io_read_bytes(&s->io, &chunk, (size_t)size);
    if (r != IO_OK) {
        data_lost(s, s->bdat->r, r == IO_TIMEOUT ? DATA_TIMEOUT : DATA_EOF);
        s->bdat = NULL;
        return 1;
    }
    bdat_feed(s->bdat, chunk.s ? chunk.s : "", chunk.len);
    if (last && s->bdat->lf_header)
        s->bdat->lf_refused = 1; /* the data ended the field */
    if (s->bdat->lf_refused)
        return bdat_refuse_lf(s, s->bdat);
    if (!last) {
        smtp_replyf(s, 250, "%ld byte chunk received", size);
        return 0;
    }
    struct data_reader *d = s->bdat;
    struct receive *rcv = d->r;
    s->bdat = NULL;
    if (d->line.len > 0)
        data_emit(d);
    if (d->failed) {
        data_dkim_done(s);
        receive_abort(rcv);
        smtp_reply(s, 451, "Temporary local problem - please try later");
        smtp_txn_reset(s);
        return 0;
    }
    return data_finish(s, rcv, d->toobig, size);
}

int
smtp_bdat_lost(struct smtp_session *s)
{
    struct data_reader *d = s->bdat;
    const char *where = "";

    if (d == NULL)
        return 0;
    /* Exim's words for where the message was: in a header line, at the
     * start of one (the headers may have ended), or in the body */
    if (receive_in_headers(d->r))
        where = d->line.len > 0 ? " (header)" : " (after header)";
    smtp_bdat_abort(s); /* no file is left once the loss is logged */
    if (log_selected(LS_lost_incoming_connection) ||
        log_selected(LS_smtp_connection))
        log_write(LOG_MAIN, "SMTP %s lost while reading message data%s",
                  smtp_connection_from(s), where);
    smtp_notquit_exit(s, "connection-lost", 0, NULL);
    return 1;
}

void
smtp_bdat_abort(struct smtp_session *s)
{
    if (s->bdat == NULL)
        return;
    data_dkim_done(s);
    receive_abort(s->bdat->r);
    s->bdat = NULL;
}
