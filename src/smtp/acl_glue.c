/*++
 * NAME
 *	acl_glue 3
 * SUMMARY
 *	running an ACL at an SMTP stage
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	int	smtp_acl_stage(struct smtp_session *s, int where,
 *				const char *acl, const char *recipient,
 *				const char *cmd_data, char **user_msg)
 *	int	smtp_acl_stage_message(struct smtp_session *s, int where,
 *				const char *acl, struct receive *r,
 *				char **user_msg)
 *
 *	int	smtp_acl_run(struct smtp_session *s, int where,
 *				const char *acl, const char *recipient,
 *				const char *cmd_data)
 *	int	smtp_acl_answer(struct smtp_session *s, int where, int rc,
 *				char **user_msg)
 * DESCRIPTION
 *	Runs the ACL that an acl_smtp_* option names for one stage of the
 *	session and turns a refusal into what Exim does: the rejection log
 *	line (main and reject logs), the SMTP reply (the ACL's message, or
 *	Exim's default for the stage and verb), and for "drop" the end of
 *	the connection. Under TLS the rejection line names the session
 *	after the host (X=, CV=, DN=, SNI=, as the "<=" line's selectors
 *	allow), as Exim's does. For an acceptance it only passes back the ACL's
 *	message, for the caller's success reply. After the data, the
 *	lines carry the message id and a rejection is followed in the
 *	reject log by the envelope and the headers (+rejected_header).
 *	Under TLS a rejection line carries X=, CV=, DN= and SNI= (as the
 *	log selectors ask) after the host, as Exim's does.
 *
 *	smtp_acl_stage() is smtp_acl_run() (which returns the acl_rc)
 *	followed by smtp_acl_answer(); the DKIM stage runs the ACL once per
 *	signature and writes its own log line in between.
 * DIAGNOSTICS
 *	An ACL that fails with an error is answered with a temporary error
 *	and logged as "temporarily rejected", as in Exim. Discarded
 *	recipients and messages are logged as Exim logs them.
 *--*/

#include <string.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "log/log.h"
#include "receive/receive.h"
#include "smtp/smtp_int.h"
#include "spool/envelope.h"

/* What Exim's reject log adds to a rejection once the message has
 * headers (receive_reject_block()). */
const char *
smtp_reject_block(struct smtp_session *s, struct receive *r)
{
    (void)s;
    return r != NULL && receive_msg(r) != NULL ? receive_reject_block(r) : NULL;
}

static void
glue_flush(void *arg)
{
    struct smtp_session *s = arg;

    smtp_io_flush(&s->io);
}

/* The ACL state is set up at the first ACL of a connection. */
static void
glue_init(struct smtp_session *s)
{
    struct acl_state *st = &s->acl;

    if (st->conn_arena != NULL)
        return;
    acl_state_init(st, s->conn_arena);
    st->peer_fd = s->io.in_fd;
    st->flush = glue_flush;
    st->flush_arg = s;
    st->host_checking = s->mode == SMTP_MODE_BH;
}

/* What Exim puts after the host on a rejection under TLS: X=, CV=,
 * DN=, SNI=, as its log selectors ask. NULL outside TLS. */
static const char *
tls_log_fields(struct smtp_session *s)
{
    gstr g;

    if (!s->tls.active || s->tls.cipher == NULL)
        return NULL;
    gstr_init(&g, s->msg_arena);
    if (log_selected(LS_tls_cipher))
        gstr_printf(&g, " X=%s", s->tls.cipher);
    if (log_selected(LS_tls_certificate_verified))
        gstr_printf(&g, " CV=%s",
                    s->tls.peercert && s->tls.cert_verified ? "yes" : "no");
    if (log_selected(LS_tls_peerdn) && s->tls.peerdn != NULL) {
        gstr_adds(&g, " DN=\"");
        str_printing(&g, s->tls.peerdn, strlen(s->tls.peerdn));
        gstr_addc(&g, '"');
    }
    if (log_selected(LS_tls_sni) && s->tls.sni != NULL) {
        gstr_adds(&g, " SNI=");
        str_printing(&g, s->tls.sni, strlen(s->tls.sni));
    }
    return gstr_str(&g);
}

int
smtp_acl_run(struct smtp_session *s, int where, const char *acl,
             const char *recipient, const char *cmd_data)
{
    struct acl_state *st = &s->acl;
    gstr err;
    int rc;

    glue_init(s);
    /* after the data, log_write() puts the message id first */
    st->log_prefix = smtp_host_and_ident(s, 1);
    st->log_tls = tls_log_fields(s);
    st->recipient = recipient;
    st->cmd_data = cmd_data;
    gstr_init(&err, s->msg_arena);
    rc = acl_run((enum acl_where)where, acl, &s->x, st, &err);
    smtp_host_name_adopt(s);
    return rc;
}

/* Exim's smtp_handle_acl_fail(): a failed sender verification is told
 * once per message, in the main and reject logs ("sender verify fail for
 * <a>: why", before the rejection's own line) and, for a refusal, in
 * lines before the reply's own. Returns those lines, or NULL. */
static const char *
sender_verify_told(struct smtp_session *s, int rc)
{
    struct acl_state *st = &s->acl;

    if (st->sverify_address == NULL || st->sverify_told)
        return NULL;
    st->sverify_told = 1;
    log_write(LOG_MAIN | LOG_REJECT, "%s sender verify %s for <%s>%s%s",
              smtp_host_and_ident(s, 1), st->sverify_defer ? "defer" : "fail",
              st->sverify_address, st->sverify_message ? ": " : "",
              st->sverify_message ? st->sverify_message : "");
    if (rc != ACL_FAIL || st->sverify_user == NULL)
        return NULL;
    return arena_printf(s->msg_arena, "Verification failed for <%s>\n%s",
                        st->sverify_address, st->sverify_user);
}

int
smtp_acl_answer(struct smtp_session *s, int where, int rc, char **user_msg)
{
    struct acl_state *st = &s->acl;
    struct acl_reply reply;
    gstr out;
    const char *told;

    *user_msg = NULL;
    if (rc == ACL_DISCARD &&
        (where == ACL_WHERE_RCPT || where == ACL_WHERE_MAIL)) {
        gstr_init(&out, s->msg_arena);
        acl_discard_line(&s->x, st, where == ACL_WHERE_MAIL, &out);
        log_write(LOG_MAIN | LOG_REJECT, "%s", gstr_str(&out));
    }
    if (rc == ACL_OK || rc == ACL_DISCARD) {
        if (st->user_message != NULL)
            *user_msg = arena_strdup(s->msg_arena, st->user_message);
        return rc == ACL_DISCARD ? 2 : 1;
    }
    told = sender_verify_told(s, rc);
    st->log_reject_block = NULL;
    if ((where == ACL_WHERE_DATA || where == ACL_WHERE_DKIM) &&
        st->message != NULL)
        st->log_reject_block = smtp_reject_block(s, st->message);
    acl_log_reject((enum acl_where)where, rc, &s->x, st);
    st->log_reject_block = NULL;
    acl_reply_get((enum acl_where)where, rc, st, &reply);
    gstr_init(&out, s->msg_arena);
    if (told != NULL)
        acl_reply_format_more(&reply, told,
                              (st->controls & ACL_CTL_NO_MULTILINE) != 0, &out);
    acl_reply_format(&reply, (st->controls & ACL_CTL_NO_MULTILINE) != 0, &out);
    smtp_note_rcpt_response(s, reply.text ? reply.text : "");
    smtp_io_write(&s->io, out.s ? out.s : "", out.len);
    if (reply.drop) {
        smtp_notquit_exit(s, "acl-drop", 0, NULL);
        return -1;
    }
    return 0;
}

int
smtp_acl_stage(struct smtp_session *s, int where, const char *acl,
               const char *recipient, const char *cmd_data, char **user_msg)
{
    int rc = smtp_acl_run(s, where, acl, recipient, cmd_data);

    return smtp_acl_answer(s, where, rc, user_msg);
}

int
smtp_acl_stage_message(struct smtp_session *s, int where, const char *acl,
                       struct receive *r, char **user_msg)
{
    int rc;

    glue_init(s);
    s->acl.message = r;
    rc = smtp_acl_stage(s, where, acl, NULL, NULL, user_msg);
    s->acl.message = NULL;
    return rc;
}
