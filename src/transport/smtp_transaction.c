/*++
 * NAME
 *	smtp_transaction 3
 * SUMMARY
 *	the smtp transport: the transactions of a session
 * SYNOPSIS
 *	#include "transport/smtp_run_int.h"
 *
 *	int	smtp_transactions(struct smtp_sess *s)
 * DESCRIPTION
 *	smtp_transactions() runs the transactions of one session that
 *	smtp_run.c has set up (greeting, EHLO, TLS, AUTH done): the open
 *	addresses in batches of at most max_rcpt (or the server's
 *	RCPTMAX, smtp_limits.c), per domain unless multi_domain, each
 *	with MAIL FROM (SIZE=, RET=, ENVID=, AUTH= as the server offers
 *	them), RCPT TO (NOTIFY=, ORCPT=), DATA, the message
 *	(smtp_data.c) and the final dot, pipelined under PIPELINING; or,
 *	under CHUNKING, BDAT chunks instead of DATA (smtp_bdat.c, which
 *	uses the smtp_tx_* helpers here).
 *	It sets each address's result from the replies, as described in
 *	smtp_run(3): 5xx to RCPT fails it, 4xx defers it; errors after
 *	MAIL, DATA and the final dot are message errors (5xx fails, 4xx
 *	defers the batch); errors of the session defer every open
 *	address.
 *
 *	Returns 1 when addresses are left for a new connection (a split
 *	by max_rcpt, connection_max_messages or MAILMAX reached), else
 *	0 (nothing more to send on this connection, or it broke down).
 * SEE ALSO
 *	smtp_run.c, the session around the transactions.
 *--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "log/log.h"
#include "route/hosts.h"
#include "spool/envelope.h"
#include "transport/smtp.h"
#include "transport/smtp_auth.h"
#include "transport/smtp_client.h"
#include "transport/smtp_data.h"
#include "transport/smtp_limits.h"
#include "transport/smtp_run_int.h"
#include "transport/smtp_retry.h"
#include "transport/tpcall.h"
#include "transport/transport.h"

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
void
smtp_tx_message_error(struct smtp_sess *s, struct address **batch, size_t nb,
                      int err)
{
    const char *msg;
    char code = smtp_check_response(s, &err, &msg);

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
        smtp_write_logs_message(s, s->host, msg, err);
}

/* A session error in a transaction: every open address defers. */
void
smtp_tx_session_error(struct smtp_sess *s, int err)
{
    const char *msg;

    (void)smtp_check_response(s, &err, &msg);
    note_transaction(s, NULL, 0);
    smtp_set_open(s, ADDR_DEFER, err, msg, 1);
    smtp_write_logs(s, s->host, msg, err);
    s->dead = 1;
}

/* After the message was made (rc as smtp_data_write() returns it):
 * -2 when it could not be made (the addresses have their results,
 * the host is given up), -1 for a write error, else 0. */
int
smtp_tx_data_failed(struct smtp_sess *s, int rc, int e, gstr *err)
{
    /* a signing failure under dkim_strict (EACCES) and arc_sign are
     * Exim's SEND_FAILED: a host error */
    if (rc == -3 || (rc == -2 && e == EACCES)) {
        const char *m =
            arena_printf(s->a, "smtp send to %s [%s] failed: %s", s->host->name,
                         s->host->address, gstr_str(err));
        note_transaction(s, NULL, 0);
        smtp_set_open(s, ADDR_DEFER, e, m, 1);
        smtp_write_logs(s, s->host, m, e);
        s->stop = 1;
        return -2;
    }
    if (rc == -2) {
        if (err->len > 0) {
            note_transaction(s, NULL, 0);
            smtp_set_open(s, ADDR_DEFER, e, gstr_str(err), 1);
        }
        s->stop = 1;
        return -2;
    }
    return rc < 0 ? -1 : 0;
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
    if ((rc = smtp_tx_data_failed(s, rc, e, &err)) < 0)
        return rc;
    if (smtp_conn_write(&s->conn, ".\r\n", 3, s->ob->data_timeout) < 0)
        return -1;
    s->c->bytes_written += 3; /* Exim counts the final dot too */
    return 0;
}

/* The RCPT replies. Returns how many were accepted, or -1 after a
 * session error. */
int
smtp_tx_read_rcpts(struct smtp_sess *s, struct address **batch, size_t nb,
                   int *accepted, char **cmds)
{
    int n = 0, done = 0, too_many = 0;

    for (size_t i = 0; i < nb; i++) {
        struct address *a = batch[i];
        int code;

        if (!s->pipelining && too_many)
            break; /* the rest go in the next transaction */
        if (!s->pipelining &&
            smtp_send_cmd(s, arena_printf(s->a, "%s\r\n", cmds[i])) < 0) {
            s->cmd = cmds[i];
            smtp_tx_session_error(s, errno);
            return -1;
        }
        code = smtp_read_reply(s, s->ob->command_timeout);
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
            /* in a BDAT flight Exim names the data stage instead */
            if (s->data_stage != NULL) {
                s->cmd = s->data_stage;
            } else {
                s->cmd = arena_printf(s->a, "RCPT TO:<%s@%s>", a->local_part,
                                      a->domain);
                s->pipe_active = 0;
            }
            smtp_tx_session_error(s, code < 0 ? errno : 0);
            return -1;
        }
        a->message = arena_printf(s->a,
                                  "SMTP error from remote mail server after "
                                  "RCPT TO:<%s@%s>: %s",
                                  a->local_part, a->domain,
                                  smtp_printable(s->a, s->reply.s));
        transport_msglog(s->c, "H=%s [%s] %s", s->host->name, s->host->address,
                         a->message);
        if (code / 100 == 5) {
            a->result = ADDR_FAIL;
            a->basic_errno = 0;
            done++;
        } else if (code == 452 && done > 0 && s->pipelining) {
            /* "too many recipients" after some went through: as Exim,
             * the address stays open for a further transaction on this
             * connection (smtp_transactions() sends it). Only under
             * PIPELINING: Exim looks for an earlier 2xx or 5xx among the
             * replies it reads together, and without PIPELINING it reads
             * each RCPT's reply alone, so there a 452 is a deferral like
             * any 4xx. Under CHUNKING the reply is kept: Exim reads it
             * only after the message went, too late for a further
             * transaction, and defers the address with it
             * (smtp_bdat.c). */
            if (!s->chunking_used)
                a->message = NULL;
            a->basic_errno = 0;
            too_many = 1;
        } else {
            a->result = ADDR_DEFER;
            a->basic_errno = SMTP_ERRNO_RCPT4XX;
        }
    }
    return n;
}

/* The delivery process journals the accepted addresses at once: the
 * window in which a kill makes the server get the message again ends
 * here, not after QUIT. */
static void
tell_delivered(struct smtp_sess *s, struct address **batch, size_t nb,
               const int *accepted)
{
    struct address **ok;
    size_t n = 0;

    if (s->c->delivered == NULL)
        return;
    ok = arena_alloc(s->a, (nb + 1) * sizeof(*ok));
    for (size_t i = 0; i < nb; i++)
        if (accepted[i])
            ok[n++] = batch[i];
    if (n > 0)
        s->c->delivered(s->c->delivered_ctx, ok, n);
}

/* The final reply accepted the message: the accepted addresses are
 * delivered, the reply kept as their confirmation. */
void
smtp_tx_delivered(struct smtp_sess *s, struct address **batch, size_t nb,
                  const int *accepted)
{
    for (size_t i = 0, first = 1; i < nb; i++) {
        struct address *a = batch[i];
        if (!accepted[i])
            continue;
        a->result = ADDR_OK;
        a->basic_errno = 0;
        a->message = arena_strdup(s->a, smtp_printable(s->a, s->reply.s));
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
        if (s->chunking_used)
            a->flags |= ADDR_CHUNKING;
        else
            a->flags &= ~(unsigned)ADDR_CHUNKING;
        if (s->dsn_ok) /* the server reports on NOTIFY=SUCCESS itself */
            a->flags |= ADDR_DSN_AWARE;
        first = 0;
    }
    tell_delivered(s, batch, nb, accepted);
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
        if (smtp_send_cmd(s, "RSET\r\n") < 0) {
            smtp_tx_session_error(s, errno);
            return -1;
        }
        if (smtp_read_reply(s, s->ob->command_timeout) < 0) {
            smtp_tx_session_error(s, errno);
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
    /* CHUNKING: BDAT instead of DATA (smtp_bdat.c) */
    s->chunking_used = s->chunking && smtp_data_chunking_usable(s->c);
    if (s->chunking_used) {
        struct smtp_tx tx = {batch, nb, mail, cmds, accepted, &out};
        return smtp_bdat_transaction(s, &tx);
    }
    if (s->pipelining)
        gstr_adds(&out, "DATA\r\n");
    s->pipe_active = s->pipelining;
    s->cmd = mail;
    if (smtp_conn_write(&s->conn, out.s, out.len, s->ob->command_timeout) < 0) {
        smtp_tx_session_error(s, errno);
        return -1;
    }
    code = smtp_read_reply(s, s->ob->command_timeout);
    if (code / 100 != 2) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_MAIL4XX : 0;
        if (code < 0 && err != ETIMEDOUT) {
            smtp_tx_session_error(s, err);
            return -1;
        }
        smtp_tx_message_error(s, batch, nb, err);
        if (code < 0) {
            s->dead = 1;
            return -1;
        }
        if (s->pipelining) { /* the RCPT and DATA replies */
            for (size_t i = 0; i <= nb; i++)
                if (smtp_read_reply(s, s->ob->command_timeout) < 0)
                    return s->dead = 1, -1;
        }
        s->need_rset = 1; /* sent before the next MAIL, if any */
        return 0;
    }
    n = smtp_tx_read_rcpts(s, batch, nb, accepted, cmds);
    if (n < 0)
        return -1;
    if (!s->pipelining) {
        if (n == 0) {
            s->need_rset = 1;
            return 0;
        }
        if (smtp_send_cmd(s, "DATA\r\n") < 0) {
            s->cmd = "DATA";
            smtp_tx_session_error(s, errno);
            return -1;
        }
    }
    s->cmd = "DATA";
    code = smtp_read_reply(s, s->ob->command_timeout);
    if (n == 0) {
        /* nothing accepted: a 354 all the same gets an empty message */
        if (code / 100 == 3) {
            (void)smtp_conn_write(&s->conn, ".\r\n", 3, s->ob->command_timeout);
            (void)smtp_read_reply(s, s->ob->final_timeout);
        }
        s->need_rset = 1; /* sent before the next MAIL, if any */
        return 0;
    }
    if (code / 100 != 3) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_DATA4XX : 0;
        if (code < 0) {
            smtp_tx_session_error(s, err);
            return -1;
        }
        smtp_tx_message_error(s, batch, nb, err);
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
        smtp_tx_session_error(s, err);
        return -1;
    }
    s->cmd = "end of data";
    code = smtp_read_reply(s, s->ob->final_timeout);
    if (code / 100 != 2) {
        int err = code < 0 ? errno : code / 100 == 4 ? SMTP_ERRNO_DATA4XX : 0;
        smtp_tx_message_error(s, batch, nb, err);
        if (code < 0) {
            s->dead = 1;
            return -1;
        }
        return 0;
    }
    smtp_tx_delivered(s, batch, nb, accepted);
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
int
smtp_transactions(struct smtp_sess *s)
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
