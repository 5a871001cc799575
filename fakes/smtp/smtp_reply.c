/*++
 * NAME
 *	smtp_reply 3
 * SUMMARY
 *	sending fake-smtp's replies
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_reply_code(const struct smtp_rule *r, int default_code)
 *	int	smtp_reply(struct smtp_session *s, int stage,
 *				const struct smtp_rule *r, int code,
 *				const char *text)
 * DESCRIPTION
 *	smtp_reply_code() is the code the reply at a stage will have: the
 *	rule's, or default_code when there is no rule or it gives none.
 *	Callers look at it before replying to know what the reply means
 *	(a 2xx to RCPT accepts the recipient, a 2xx after DATA has the
 *	message stored first).
 *
 *	smtp_reply() sends the reply: the rule's code and lines, or else
 *	code and text (lines separated by newlines), as a multi-line reply
 *	where there is more than one line, under the rule's action and
 *	delay and the server's fault mode (fake_fault). After a 421, the
 *	reply to QUIT, or a reply with a "drop after" point for this
 *	stage, the connection is closed.
 * DIAGNOSTICS
 *	smtp_reply() returns FAKE_IO_OK when the session goes on, else a
 *	FAKE_IO_ result saying why it ended.
 *--*/

#include <stdio.h>
#include <string.h>

#include "smtp_fake.h"

int
smtp_reply_code(const struct smtp_rule *r, int default_code)
{
    return r && r->code ? r->code : default_code;
}

static void
smtp_reply_line(struct fake_buf *wire, int code, int more, const char *text,
                size_t len)
{
    fake_buf_printf(wire, "%03d", code);
    if (more || len > 0)
        fake_buf_addch(wire, more ? '-' : ' ');
    fake_buf_append(wire, text, len);
    fake_buf_puts(wire, "\r\n");
}

static void
smtp_reply_format(struct fake_buf *wire, const struct smtp_rule *r, int code,
                  const char *text)
{
    const char *nl;
    int i;

    if (r && r->code) {
        for (i = 0; i < r->nlines; i++)
            smtp_reply_line(wire, r->code, i + 1 < r->nlines, r->lines[i],
                            strlen(r->lines[i]));
        return;
    }
    while ((nl = strchr(text, '\n')) != NULL && nl[1] != 0) {
        smtp_reply_line(wire, code, 1, text, (size_t)(nl - text));
        text = nl + 1;
    }
    smtp_reply_line(wire, code, 0, text,
                    nl ? (size_t)(nl - text) : strlen(text));
}

int
smtp_reply(struct smtp_session *s, int stage, const struct smtp_rule *r,
           int code, const char *text)
{
    static const struct fake_action plain = {FAKE_ACT_REPLY, 0};
    struct fake_buf wire, why;
    const char *last = NULL;
    int rc;

    code = smtp_reply_code(r, code);
    fake_buf_init(&wire);
    fake_buf_init(&why);
    smtp_reply_format(&wire, r, code, text);
    if (smtp_drop_find(s, stage, 0)) {
        fake_buf_printf(&why, "drop after %s, closing", smtp_stage_name(stage));
        last = fake_buf_cstr(&why);
    } else if (code == 421)
        last = "closing after 421";
    else if (stage == SMTP_QUIT)
        last = "closing after QUIT";
    rc = fake_fault_respond(s->c, r ? &r->act : &plain, wire.data, wire.len,
                            last);
    fake_buf_free(&wire);
    fake_buf_free(&why);
    return rc;
}
