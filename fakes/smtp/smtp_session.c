/*++
 * NAME
 *	smtp_session 3
 * SUMMARY
 *	fake-smtp's side of one SMTP connection
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_session_run(struct fake_conn *c, void *ctx)
 *	void	smtp_session_reset(struct smtp_session *s)
 * DESCRIPTION
 *	smtp_session_run() is the fake_session_fn of fake-smtp (ctx: the
 *	struct smtp_config). It sends the greeting, then reads commands and
 *	answers each with the script's reply or a sensible default, keeping
 *	the state a real server keeps (HELO/EHLO, the transaction, the
 *	recipients accepted, BDAT chunks, TLS), and stores each message
 *	accepted (smtp_store).
 *
 *	Commands out of sequence or with bad syntax get the usual 5xx
 *	replies before the script is asked: MAIL before HELO/EHLO, RCPT
 *	before MAIL, DATA without an accepted recipient. After a greeting
 *	that is not 2xx, every command but QUIT gets 503 (RFC 5321 3.1).
 *	Input that arrives with STARTTLS, before the handshake, is dropped
 *	and recorded, never taken as coming through TLS.
 *
 *	smtp_session_reset() ends the mail transaction.
 * DIAGNOSTICS
 *	smtp_session_run() returns why the session ended, a FAKE_IO_ result.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fake_tls.h"
#include "../common/fake_transcript.h"
#include "smtp_fake.h"

#define SMTP_MAX_COMMAND 4096

typedef int (*smtp_cmd_fn)(struct smtp_session *s);

void
smtp_session_reset(struct smtp_session *s)
{
    int i;

    fake_buf_reset(&s->mail);
    for (i = 0; i < s->nrcpts; i++)
        free(s->rcpts[i]);
    free(s->rcpts);
    s->rcpts = NULL;
    s->nrcpts = 0;
    fake_buf_reset(&s->body);
    s->bdat = 0;
    s->too_big = 0;
}

/* Replies with the script's rule for the stage, or the default. */
static int
smtp_answer(struct smtp_session *s, int stage, const char *arg, int code,
            const char *text, int *final_code)
{
    const struct smtp_rule *r = smtp_rule_find(s, stage, arg);

    if (final_code)
        *final_code = smtp_reply_code(r, code);
    return smtp_reply(s, stage, r, code, text);
}

/* A reply the script does not decide: syntax and sequence errors. */
static int
smtp_error(struct smtp_session *s, int stage, int code, const char *text)
{
    return smtp_reply(s, stage, NULL, code, text);
}

/* The address in "FROM:<addr> params" (prefix "FROM:"), or -1. */
static int
smtp_address(const char *arg, const char *prefix, struct fake_buf *addr)
{
    size_t n = strlen(prefix);
    const char *lt, *gt;

    if (strncasecmp(arg, prefix, n) != 0)
        return -1;
    for (lt = arg + n; *lt == ' '; lt++)
        ;
    if (*lt != '<' || (gt = strchr(lt, '>')) == NULL)
        return -1;
    fake_buf_reset(addr);
    fake_buf_append(addr, lt + 1, (size_t)(gt - lt - 1));
    return 0;
}

static int
smtp_cmd_helo(struct smtp_session *s, int ehlo)
{
    int stage = ehlo ? SMTP_EHLO : SMTP_HELO, code, rc;
    struct fake_buf text;

    if (*s->arg == 0)
        return smtp_error(s, stage, 501, "5.5.4 HELO/EHLO requires a domain");
    smtp_session_reset(s);
    fake_buf_init(&text);
    if (ehlo)
        smtp_keywords(s, &text, s->arg);
    else
        fake_buf_printf(&text, "%s Hello %s", s->host, s->arg);
    rc = smtp_answer(s, stage, s->arg, 250, fake_buf_cstr(&text), &code);
    if (code / 100 == 2)
        s->helo = ehlo ? 2 : 1;
    fake_buf_free(&text);
    return rc;
}

static int
smtp_cmd_ehlo(struct smtp_session *s)
{
    return smtp_cmd_helo(s, 1);
}

static int
smtp_cmd_helo1(struct smtp_session *s)
{
    return smtp_cmd_helo(s, 0);
}

static int
smtp_cmd_mail(struct smtp_session *s)
{
    struct fake_buf addr;
    int code, rc;

    if (!s->helo)
        return smtp_error(s, SMTP_MAIL, 503, "5.5.1 EHLO or HELO first");
    if (s->mail.len > 0)
        return smtp_error(s, SMTP_MAIL, 503, "5.5.1 MAIL already given");
    fake_buf_init(&addr);
    if (smtp_address(s->arg, "FROM:", &addr) < 0)
        rc = smtp_error(s, SMTP_MAIL, 501, "5.5.4 Syntax: MAIL FROM:<address>");
    else {
        rc = smtp_answer(s, SMTP_MAIL, addr.len ? fake_buf_cstr(&addr) : "<>",
                         250, "OK", &code);
        if (code / 100 == 2)
            fake_buf_puts(&s->mail, s->line.data);
    }
    fake_buf_free(&addr);
    return rc;
}

static int
smtp_cmd_rcpt(struct smtp_session *s)
{
    struct fake_buf addr;
    int code, rc;

    if (s->mail.len == 0)
        return smtp_error(s, SMTP_RCPT, 503, "5.5.1 MAIL first");
    fake_buf_init(&addr);
    if (smtp_address(s->arg, "TO:", &addr) < 0)
        rc = smtp_error(s, SMTP_RCPT, 501, "5.5.4 Syntax: RCPT TO:<address>");
    else {
        rc = smtp_answer(s, SMTP_RCPT, fake_buf_cstr(&addr), 250, "Accepted",
                         &code);
        if (code / 100 == 2) {
            s->rcpts = fake_realloc(s->rcpts, (size_t)s->nrcpts + 1,
                                    sizeof(*s->rcpts));
            s->rcpts[s->nrcpts++] = fake_strdup(s->line.data);
        }
    }
    fake_buf_free(&addr);
    return rc;
}

/* The reply after a whole message: store it first if it is a 2xx. */
static int
smtp_finish(struct smtp_session *s)
{
    const struct smtp_rule *r;
    struct fake_buf text;
    int seq = 0, rc;

    smtp_count(s, SMTP_DATA);
    r = smtp_rule_find(s, SMTP_DATA, NULL);
    fake_buf_init(&text);
    if (s->too_big)
        rc = smtp_error(s, SMTP_DATA, 552, "5.3.4 Message too big");
    else if (smtp_reply_code(r, 250) / 100 == 2 && smtp_store(s, &seq) < 0)
        rc = smtp_error(s, SMTP_DATA, 451, "4.3.0 Could not store the message");
    else {
        fake_buf_printf(&text, "2.0.0 OK queued as %d", seq);
        rc = smtp_reply(s, SMTP_DATA, r, 250, fake_buf_cstr(&text));
    }
    fake_buf_free(&text);
    smtp_session_reset(s);
    return rc;
}

static int
smtp_cmd_data(struct smtp_session *s)
{
    int code, rc;

    if (*s->arg)
        return smtp_error(s, SMTP_DATA_CMD, 501,
                          "5.5.4 DATA takes no argument");
    if (s->mail.len == 0)
        return smtp_error(s, SMTP_DATA_CMD, 503, "5.5.1 MAIL first");
    if (s->bdat)
        return smtp_error(s, SMTP_DATA_CMD, 503, "5.5.1 BDAT in progress");
    if (s->nrcpts == 0)
        return smtp_error(s, SMTP_DATA_CMD, 503, "5.5.1 No valid recipients");
    rc = smtp_answer(s, SMTP_DATA_CMD, NULL, 354,
                     "Enter message, ending with \".\" on a line by itself",
                     &code);
    if (rc != FAKE_IO_OK || code / 100 != 3)
        return rc;
    if ((rc = smtp_data_read(s)) != FAKE_IO_OK)
        return rc;
    return smtp_finish(s);
}

static int
smtp_bdat_args(const char *arg, size_t *size, int *last)
{
    char *end;
    unsigned long long v;

    if (!isdigit((unsigned char)*arg))
        return -1;
    errno = 0;
    v = strtoull(arg, &end, 10);
    if (errno || v > (unsigned long long)1 << 40)
        return -1;
    *size = (size_t)v;
    while (*end == ' ')
        end++;
    *last = strcasecmp(end, "LAST") == 0;
    return *last || *end == 0 ? 0 : -1;
}

static int
smtp_cmd_bdat(struct smtp_session *s)
{
    struct fake_buf text;
    size_t size;
    int last, code, rc;

    if (smtp_bdat_args(s->arg, &size, &last) < 0)
        return smtp_error(s, SMTP_BDAT, 501, "5.5.4 Syntax: BDAT SIZE [LAST]");
    if ((rc = smtp_bdat_read(s, size)) != FAKE_IO_OK)
        return rc;
    if (s->mail.len == 0 || s->nrcpts == 0)
        return smtp_error(s, SMTP_BDAT, 503, "5.5.1 No valid recipients");
    if (s->bdat < 0)
        return smtp_error(s, SMTP_BDAT, 503, "5.5.1 An earlier BDAT failed");
    if (last)
        return smtp_finish(s);
    fake_buf_init(&text);
    fake_buf_printf(&text, "2.0.0 %zu octets received", size);
    rc = smtp_answer(s, SMTP_BDAT, NULL, 250, fake_buf_cstr(&text), &code);
    s->bdat = code / 100 == 2 ? 1 : -1;
    fake_buf_free(&text);
    return rc;
}

static int
smtp_cmd_rset(struct smtp_session *s)
{
    smtp_session_reset(s);
    return smtp_answer(s, SMTP_RSET, NULL, 250, "Reset OK", NULL);
}

static int
smtp_cmd_noop(struct smtp_session *s)
{
    return smtp_answer(s, SMTP_NOOP, NULL, 250, "OK", NULL);
}

static int
smtp_cmd_quit(struct smtp_session *s)
{
    struct fake_buf text;
    int rc;

    fake_buf_init(&text);
    fake_buf_printf(&text, "%s closing connection", s->host);
    rc = smtp_answer(s, SMTP_QUIT, NULL, 221, fake_buf_cstr(&text), NULL);
    fake_buf_free(&text);
    return rc == FAKE_IO_OK ? FAKE_IO_CLOSED : rc;
}

static int
smtp_cmd_vrfy(struct smtp_session *s)
{
    return smtp_answer(s, SMTP_VRFY, s->arg, 252,
                       "2.1.5 Cannot VRFY user, but will accept message", NULL);
}

static int
smtp_cmd_expn(struct smtp_session *s)
{
    return smtp_answer(s, SMTP_EXPN, s->arg, 502, "5.5.1 EXPN not available",
                       NULL);
}

static int
smtp_cmd_help(struct smtp_session *s)
{
    return smtp_answer(s, SMTP_HELP, NULL, 214,
                       "2.0.0 Commands: HELO EHLO MAIL RCPT DATA BDAT RSET "
                       "NOOP QUIT VRFY EXPN HELP STARTTLS AUTH",
                       NULL);
}

static int
smtp_cmd_starttls(struct smtp_session *s)
{
    SSL_CTX *tls = s->cfg->tls;
    size_t junk;
    int code, rc;

    if (*s->arg)
        return smtp_error(s, SMTP_STARTTLS, 501,
                          "5.5.4 STARTTLS takes no argument");
    if (s->c->ssl)
        return smtp_error(s, SMTP_STARTTLS, 503, "5.5.1 TLS already active");
    rc = smtp_answer(
        s, SMTP_STARTTLS, NULL, tls ? 220 : 454,
        tls ? "2.0.0 Ready to start TLS" : "4.7.0 TLS not available", &code);
    if (rc != FAKE_IO_OK || code != 220)
        return rc;
    if ((junk = fake_conn_discard_input(s->c)) > 0)
        fake_transcript_event(s->c->id,
                              "discarded %zu octets sent before the TLS "
                              "handshake",
                              junk);
    if (tls == NULL) {
        fake_transcript_event(s->c->id, "no certificate (--tls-cert), "
                                        "cannot start TLS");
        return FAKE_IO_CLOSED;
    }
    if ((rc = fake_tls_accept(s->c, tls)) != FAKE_IO_OK)
        return rc;
    s->helo = 0;
    smtp_session_reset(s);
    return FAKE_IO_OK;
}

static int
smtp_cmd_auth(struct smtp_session *s)
{
    char *mech, *initial, *sp;
    int rc;

    if (*s->arg == 0)
        return smtp_error(s, SMTP_AUTH, 501, "5.5.4 AUTH needs a mechanism");
    if (s->helo != 2)
        return smtp_error(s, SMTP_AUTH, 503, "5.5.1 EHLO first");
    if (s->mail.len > 0)
        return smtp_error(s, SMTP_AUTH, 503, "5.5.1 Not during a transaction");
    mech = fake_strdup(s->arg);
    initial = (sp = strchr(mech, ' ')) != NULL ? sp + 1 : NULL;
    if (sp)
        *sp = 0;
    rc = smtp_auth_exchange(s, mech, initial);
    if (rc == FAKE_IO_OK)
        rc = smtp_answer(s, SMTP_AUTH, mech, 235,
                         "2.7.0 Authentication succeeded", NULL);
    else if (rc == 1)
        rc = FAKE_IO_OK;
    free(mech);
    return rc;
}

static int
smtp_cmd_other(struct smtp_session *s)
{
    const struct smtp_rule *r = smtp_rule_find(s, SMTP_COMMAND, s->arg);

    if (r)
        return smtp_reply(s, SMTP_COMMAND, r, 250, "OK");
    smtp_count(s, SMTP_UNKNOWN);
    return smtp_answer(s, SMTP_UNKNOWN, s->arg, 500,
                       "5.5.1 Unrecognized command", NULL);
}

static const struct {
    const char *verb;
    int stage;
    smtp_cmd_fn fn;
} smtp_commands[] = {
    {"HELO", SMTP_HELO, smtp_cmd_helo1},
    {"EHLO", SMTP_EHLO, smtp_cmd_ehlo},
    {"MAIL", SMTP_MAIL, smtp_cmd_mail},
    {"RCPT", SMTP_RCPT, smtp_cmd_rcpt},
    {"DATA", SMTP_DATA_CMD, smtp_cmd_data},
    {"BDAT", SMTP_BDAT, smtp_cmd_bdat},
    {"RSET", SMTP_RSET, smtp_cmd_rset},
    {"NOOP", SMTP_NOOP, smtp_cmd_noop},
    {"QUIT", SMTP_QUIT, smtp_cmd_quit},
    {"VRFY", SMTP_VRFY, smtp_cmd_vrfy},
    {"EXPN", SMTP_EXPN, smtp_cmd_expn},
    {"HELP", SMTP_HELP, smtp_cmd_help},
    {"STARTTLS", SMTP_STARTTLS, smtp_cmd_starttls},
    {"AUTH", SMTP_AUTH, smtp_cmd_auth},
};

static int
smtp_dispatch(struct smtp_session *s)
{
    size_t i;

    for (i = 0; i < sizeof(smtp_commands) / sizeof(smtp_commands[0]); i++) {
        if (strcasecmp(s->verb, smtp_commands[i].verb) != 0)
            continue;
        smtp_count(s, smtp_commands[i].stage);
        if (s->refused && smtp_commands[i].stage != SMTP_QUIT)
            return smtp_error(s, smtp_commands[i].stage, 503,
                              "5.5.1 Bad sequence of commands");
        return smtp_commands[i].fn(s);
    }
    smtp_count(s, SMTP_COMMAND);
    if (s->refused)
        return smtp_error(s, SMTP_UNKNOWN, 503,
                          "5.5.1 Bad sequence of commands");
    return smtp_cmd_other(s);
}

/* Splits the command line (line ending removed) into verb and arg. */
static void
smtp_split(struct smtp_session *s)
{
    struct fake_buf *l = &s->line;
    char *sp;

    while (l->len > 0 &&
           (l->data[l->len - 1] == '\n' || l->data[l->len - 1] == '\r'))
        l->data[--l->len] = 0;
    free(s->verb);
    free(s->arg);
    sp = strchr(fake_buf_cstr(l), ' ');
    s->verb = sp ? fake_strndup(l->data, (size_t)(sp - l->data))
                 : fake_strdup(l->data);
    while (sp && *sp == ' ')
        sp++;
    s->arg = fake_strdup(sp ? sp : "");
}

static int
smtp_greet(struct smtp_session *s)
{
    struct fake_buf text;
    int code, rc;

    if (s->cfg->tls_on_connect &&
        (rc = fake_tls_accept(s->c, s->cfg->tls)) != FAKE_IO_OK)
        return rc;
    smtp_count(s, SMTP_GREETING);
    fake_buf_init(&text);
    fake_buf_printf(&text, "%s ESMTP fake-smtp", s->host);
    rc = smtp_answer(s, SMTP_GREETING, NULL, 220, fake_buf_cstr(&text), &code);
    s->refused = code / 100 != 2;
    fake_buf_free(&text);
    return rc;
}

static int
smtp_loop(struct smtp_session *s)
{
    int rc;

    for (;;) {
        rc = fake_conn_read_line(s->c, &s->line, SMTP_MAX_COMMAND);
        if (rc == FAKE_IO_TOOLONG)
            rc = smtp_error(s, SMTP_UNKNOWN, 500, "5.5.2 Line too long");
        else if (rc == FAKE_IO_OK) {
            smtp_split(s);
            rc = smtp_dispatch(s);
        }
        if (rc != FAKE_IO_OK)
            return rc;
    }
}

int
smtp_session_run(struct fake_conn *c, void *ctx)
{
    struct smtp_session s;
    int rc;

    memset(&s, 0, sizeof(s));
    s.c = c;
    s.cfg = ctx;
    s.host = s.cfg->hostname;
    fake_buf_init(&s.line);
    fake_buf_init(&s.mail);
    fake_buf_init(&s.body);
    rc = smtp_greet(&s);
    if (rc == FAKE_IO_OK)
        rc = smtp_loop(&s);
    smtp_session_reset(&s);
    fake_buf_free(&s.line);
    fake_buf_free(&s.mail);
    fake_buf_free(&s.body);
    free(s.verb);
    free(s.arg);
    return rc;
}
