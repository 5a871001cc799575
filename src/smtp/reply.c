/*++
 * NAME
 *	reply 3
 * SUMMARY
 *	SMTP replies and error accounting
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	void	smtp_reply(struct smtp_session *s, int code, const char *text)
 *	void	smtp_reply_user(struct smtp_session *s, int code,
 *				const char *text)
 *	void	smtp_reply_more(struct smtp_session *s, int code,
 *				const char *text)
 *	void	smtp_note_rcpt_response(struct smtp_session *s,
 *				const char *text)
 *	int	smtp_synprot_error(struct smtp_session *s, enum synprot type,
 *				int code, const char *data, const char *text)
 *	void	smtp_notquit_exit(struct smtp_session *s, const char *reason,
 *				int code, const char *text)
 * DESCRIPTION
 *	Replies are queued on the session's output and go out when the
 *	server next waits for input, so that pipelined replies leave
 *	together. A text with newlines becomes a multi-line reply ("550-"
 *	on every line but the last). Each line is passed through
 *	str_printing(), so that nothing a client sent (a HELO name, an
 *	XCLIENT value, a rejected argument) can end a reply early or put
 *	control bytes on the wire.
 *
 *	smtp_reply_user() sends a text that came from the configuration
 *	(an ACL's message): if it starts with a three-digit code of the
 *	same class as the default, that code is used instead, as in
 *	Exim.
 *
 *	smtp_reply_more() sends lines that are not the last of a reply.
 *
 *	While a RCPT command's first reply is outstanding
 *	(txn.rcpt_in_progress), the first reply sent is noted, as Exim
 *	does: a fixed text with its code ("503 sender not yet given"), a
 *	configured one without; smtp_note_rcpt_response() notes an ACL's.
 *	When no recipient was accepted and every RCPT got the same reply,
 *	DATA quotes it ("503-All RCPT commands were rejected with this
 *	error:").
 *
 *	smtp_synprot_error() logs "SMTP syntax error in "CMD" H=... TEXT"
 *	or "SMTP protocol error ..." under the smtp_syntax_error and
 *	smtp_protocol_error selectors, and counts it. Past
 *	smtp_max_synprot_errors the session is dropped with the reply
 *	"Too many syntax or protocol errors", with the error's own code,
 *	after the error itself (as a continuation line), and a log line
 *	that says so.
 *--*/

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "smtp/smtp_int.h"

void
smtp_note_rcpt_response(struct smtp_session *s, const char *text)
{
    struct smtp_txn *t = &s->txn;

    if (!t->rcpt_in_progress)
        return;
    t->rcpt_in_progress = 0;
    if (t->rcpt_response == NULL)
        t->rcpt_response = arena_strdup(s->msg_arena, text);
    else if (strcmp(t->rcpt_response, text) != 0)
        t->rcpt_response_differs = 1;
}

/* Exim keeps a fixed reply with its code ("503 sender not yet given"),
 * a configured one (an ACL's message) without. */
static void
note_reply(struct smtp_session *s, int code, const char *text, int with_code)
{
    if (!s->txn.rcpt_in_progress)
        return;
    smtp_note_rcpt_response(
        s,
        with_code ? arena_printf(s->msg_arena, "%03d %s", code, text) : text);
}

static void
reply_lines(struct smtp_session *s, int code, const char *text, int last)
{
    const char *p = text;
    gstr line;

    gstr_init(&line, s->msg_arena);
    for (;;) {
        const char *nl = strchr(p, '\n');
        int final = nl == NULL && last;

        gstr_truncate(&line, 0);
        str_printing(&line, p, nl ? (size_t)(nl - p) : strlen(p));
        smtp_io_printf(&s->io, "%03d%c%s\r\n", code, final ? ' ' : '-',
                       gstr_str(&line));
        if (nl == NULL)
            break;
        p = nl + 1;
    }
}

void
smtp_reply(struct smtp_session *s, int code, const char *text)
{
    note_reply(s, code, text, 1);
    reply_lines(s, code, text, 1);
}

void
smtp_reply_more(struct smtp_session *s, int code, const char *text)
{
    reply_lines(s, code, text, 0);
}

void
smtp_replyf(struct smtp_session *s, int code, const char *fmt, ...)
{
    va_list ap;
    gstr g;

    gstr_init(&g, s->conn_arena);
    va_start(ap, fmt);
    gstr_vprintf(&g, fmt, ap);
    va_end(ap);
    smtp_reply(s, code, gstr_str(&g));
}

void
smtp_reply_user(struct smtp_session *s, int code, const char *text)
{
    if (isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[1]) &&
        isdigit((unsigned char)text[2]) &&
        (text[3] == ' ' || text[3] == '-' || text[3] == '\0') &&
        text[0] == '0' + code / 100) {
        code = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
        text += text[3] == '\0' ? 3 : 4;
    }
    note_reply(s, code, text, 0);
    reply_lines(s, code, text, 1);
}

int
smtp_synprot_error(struct smtp_session *s, enum synprot type, int code,
                   const char *data, const char *text)
{
    int too_many;

    if (log_selected(type == SYNPROT_SYNTAX ? LS_smtp_syntax_error
                                            : LS_smtp_protocol_error))
        log_write(LOG_MAIN, "SMTP %s error in \"%s\" %s %s",
                  type == SYNPROT_SYNTAX ? "syntax" : "protocol",
                  gstr_str(&s->cmd), smtp_host_and_ident(s, 1), text);
    too_many = ++s->synprot_errors > main_config.smtp_max_synprot_errors;
    if (too_many)
        log_write(LOG_MAIN | LOG_REJECT,
                  "SMTP call from %s dropped: too many syntax or protocol "
                  "errors (last command was \"%s\",  C=%s)",
                  smtp_host_and_ident(s, 0), gstr_str(&s->cmd),
                  gstr_str(&s->history));
    if (code > 0) {
        gstr g;
        gstr_init(&g, s->conn_arena);
        if (data != NULL)
            gstr_printf(&g, "%s: ", data);
        gstr_adds(&g, text);
        note_reply(s, code, gstr_str(&g), 1);
        reply_lines(s, code, gstr_str(&g), !too_many);
    }
    if (too_many) {
        /* the same code as the error, as Exim's synprot_error() */
        smtp_notquit_exit(s, "bad-command-synprot", code,
                          "Too many syntax or protocol errors");
        return 1;
    }
    return 0;
}
