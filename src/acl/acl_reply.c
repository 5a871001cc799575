/*++
 * NAME
 *	acl_reply 3
 * SUMMARY
 *	SMTP replies and rejection log lines for ACL outcomes
 * SYNOPSIS
 *	#include "acl/acl.h"
 *
 *	void	acl_reply_get(enum acl_where where, int rc,
 *				const struct acl_state *st,
 *				struct acl_reply *r)
 *	void	acl_reply_format(const struct acl_reply *r,
 *				int no_multiline, gstr *out)
 *	void	acl_reject_line(enum acl_where where, int rc,
 *				struct expand_ctx *x,
 *				const struct acl_state *st, gstr *out)
 *	void	acl_log_reject(enum acl_where where, int rc,
 *				struct expand_ctx *x,
 *				const struct acl_state *st)
 *	void	acl_discard_line(struct expand_ctx *x,
 *				const struct acl_state *st, int by_mail,
 *				gstr *out)
 * DESCRIPTION
 *	A denial answers with the code Exim uses for the ACL (550; 503
 *	for AUTH, 458 for ETRN, 252 for VRFY) and the text of "message",
 *	or "Administrative prohibition". A deferral or an error answers
 *	451 "Temporary local problem - please try later", or the message
 *	of a defer verb. A message may start with its own code ("550 " or
 *	"550 5.7.1 "), whose first digit must be the default one; for
 *	accept it replaces the success code (250; 354 for PREDATA, 220
 *	for the connect ACL; QUIT always 221).
 *
 *	A message text longer than 75 characters is broken into the lines
 *	of a multi-line reply as Exim breaks it: each line that runs past
 *	75 characters is cut at a blank between its 36th and 75th
 *	character, the last blank that follows a colon if there is one,
 *	else the last blank; failing that at the next blank or newline
 *	after it. The blank becomes the line break.
 *
 *	The rejection line is "PREFIX F=<sender> rejected RCPT <x@y>:
 *	LOG" (F= for RCPT and DATA only, with A=authenticator:id when
 *	authenticated); "temporarily rejected" for 4xx; DATA appears as
 *	"DATA" (PREDATA) and "after DATA"; the connect ACL as 'connection
 *	in "connect" ACL'. Only the first line of a multi-line log
 *	message is logged. st->log_reject_block, when set, follows the
 *	line in the reject log.
 * DIAGNOSTICS
 *	A code with the wrong first digit is reported in the panic log
 *	('configured error code starts with incorrect digit (expected 5)
 *	in "..."') and the default code is used.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand.h"
#include "log/log.h"

static const char *
fail_code(enum acl_where where)
{
    switch (where) {
    case ACL_WHERE_AUTH:
        return "503";
    case ACL_WHERE_ETRN:
        return "458";
    case ACL_WHERE_VRFY:
        return "252";
    default:
        return "550";
    }
}

static const char *
ok_code(enum acl_where where)
{
    switch (where) {
    case ACL_WHERE_CONNECT:
    case ACL_WHERE_STARTTLS:
        return "220";
    case ACL_WHERE_PREDATA:
        return "354";
    case ACL_WHERE_QUIT:
        return "221";
    default:
        return "250";
    }
}

/* Length of a leading "ddd " or "ddd d.ddd.ddd " (with its final
 * space), or 0. */
static size_t
code_len(const char *m)
{
    const char *p = m;

    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
        !isdigit((unsigned char)p[2]) || !isspace((unsigned char)p[3]))
        return 0;
    p += 4;
    for (;;) {
        const char *q = p;
        int ok = isdigit((unsigned char)*q) && q[1] == '.';
        if (ok) {
            q += 2;
            int n = 0;
            while (isdigit((unsigned char)*q) && n < 3)
                q++, n++;
            ok = n > 0 && *q == '.';
        }
        if (ok) {
            q++;
            int n = 0;
            while (isdigit((unsigned char)*q) && n < 3)
                q++, n++;
            ok = n > 0 && isspace((unsigned char)*q);
        }
        if (!ok)
            break;
        p = q + 1;
    }
    return (size_t)(p - m);
}

/* A code at the start of text replaces r->code (unless check finds
 * the wrong first digit); either way it is taken off the text. */
static void
code_override(struct acl_reply *r, int check, int keep_code)
{
    size_t n;

    if (r->text == NULL || (n = code_len(r->text)) == 0)
        return;
    if (check && r->text[0] != r->code[0])
        log_write(LOG_MAIN | LOG_PANIC,
                  "configured error code starts with incorrect digit "
                  "(expected %c) in \"%s\"",
                  r->code[0], r->text);
    else if (!keep_code) {
        size_t k = n - 1 < sizeof(r->code) - 1 ? n - 1 : sizeof(r->code) - 1;
        memcpy(r->code, r->text, k);
        r->code[k] = '\0';
    }
    r->text += n;
}

static void
set_code(struct acl_reply *r, const char *code)
{
    memcpy(r->code, code, 4); /* three digits and the NUL */
}

void
acl_reply_get(enum acl_where where, int rc, const struct acl_state *st,
              struct acl_reply *r)
{
    const char *msg = st->user_message;

    r->drop = rc == ACL_FAIL_DROP;
    r->text = msg;
    switch (rc) {
    case ACL_OK:
    case ACL_DISCARD:
        set_code(r, ok_code(where));
        code_override(r, where != ACL_WHERE_QUIT, where == ACL_WHERE_QUIT);
        break;
    case ACL_FAIL:
    case ACL_FAIL_DROP:
        set_code(r, fail_code(where));
        code_override(r, where != ACL_WHERE_VRFY, 0);
        if (r->text == NULL)
            r->text = "Administrative prohibition";
        break;
    default:
        set_code(r, "451");
        code_override(r, 1, 0);
        if (!st->temp_details || msg == NULL)
            r->text = "Temporary local problem - please try later";
        break;
    }
}

/* Exim's line breaking of a long message (its string_split_message()
 * rule, in our own code): a malloc'ed copy with some blanks turned into
 * newlines, or NULL when the text is short enough. */
static char *
split_long(const char *text)
{
    enum { WIDTH = 75, MIN_CUT = 35 };
    char *copy, *line;

    if (strlen(text) <= WIDTH || (copy = strdup(text)) == NULL)
        return NULL;
    line = copy;
    for (;;) {
        char *end = line, *cut = NULL;
        int n = 0;

        while (n < WIDTH && *end != '\0' && *end != '\n')
            end++, n++;
        if (*end == '\0')
            break;
        if (*end == '\n') {
            line = end + 1;
            continue;
        }
        for (char *t = end; t > line + MIN_CUT; t--)
            if (*t == ' ') {
                if (t[-1] == ':') {
                    cut = t;
                    break;
                }
                if (cut == NULL)
                    cut = t;
            }
        if (cut == NULL)
            for (char *t = end + 1; *t != '\0'; t++)
                if (*t == ' ' || *t == '\n') {
                    cut = t;
                    break;
                }
        if (cut == NULL)
            break;
        *cut = '\n';
        line = cut + 1;
    }
    return copy;
}

const char *
acl_split_message(struct arena *a, const char *text)
{
    char *split = text ? split_long(text) : NULL;
    const char *copy;

    if (split == NULL)
        return text;
    copy = arena_strdup(a, split);
    free(split);
    return copy;
}

void
acl_reply_format(const struct acl_reply *r, int no_multiline, gstr *out)
{
    const char *code = r->code, *ext = "";
    char *split = split_long(r->text ? r->text : "");
    const char *t = split ? split : r->text ? r->text : "";
    char base[4];

    memcpy(base, code, 3);
    base[3] = '\0';
    if (strlen(code) > 4)
        ext = code + 4;
    for (;;) {
        const char *nl = strchr(t, '\n');
        int last = nl == NULL || no_multiline || nl[1] == '\0';
        size_t n = nl ? (size_t)(nl - t) : strlen(t);
        gstr_printf(out, "%s%c%s%s%.*s\r\n", base, last ? ' ' : '-', ext,
                    ext[0] ? " " : "", (int)n, t);
        if (last)
            break;
        t = nl + 1;
    }
    free(split);
}

void
acl_reply_format_more(const struct acl_reply *r, const char *text,
                      int no_multiline, gstr *out)
{
    const char *ext = strlen(r->code) > 4 ? r->code + 4 : "";

    if (no_multiline)
        return;
    while (text != NULL && *text != '\0') {
        size_t n = strcspn(text, "\n");
        gstr_printf(out, "%.3s-%s%s%.*s\r\n", r->code, ext, ext[0] ? " " : "",
                    (int)n, text);
        text += n;
        if (*text == '\n')
            text++;
    }
}

static const char *
what_text(enum acl_where where, const struct acl_state *st,
          struct expand_ctx *x)
{
    const char *place = st->cmd_data ? st->cmd_data : "in \"connect\" ACL";
    int lim = 100;

    switch (where) {
    case ACL_WHERE_PREDATA:
        return "DATA";
    case ACL_WHERE_DATA:
        return "after DATA";
    case ACL_WHERE_AUTH: {
        const char *p = place;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        lim = (int)(p - place);
        break;
    }
    default:
        break;
    }
    return arena_printf(x->arena, "%s %.*s", acl_where_name(where), lim, place);
}

static void
sender_info(struct expand_ctx *x, const struct acl_state *st, gstr *out)
{
    const char *s = st->sender_unrewritten != NULL
                        ? st->sender_unrewritten
                        : expand_get_var(x, "sender_address");
    const char *auth = expand_get_var(x, "sender_host_authenticated");
    const char *id = expand_get_var(x, "authenticated_id");

    gstr_printf(out, " F=<%s>", s ? s : "");
    if (auth != NULL && auth[0] != '\0') {
        gstr_printf(out, " A=%s", auth);
        if (id != NULL && id[0] != '\0')
            gstr_printf(out, ":%s", id);
    }
}

void
acl_reject_line(enum acl_where where, int rc, struct expand_ctx *x,
                const struct acl_state *st, gstr *out)
{
    const char *log = st->log_message, *nl;
    const char *prefix = st->log_prefix ? st->log_prefix : "";
    int temp = rc == ACL_DEFER || rc == ACL_ERROR;

    if (log != NULL && rc == ACL_FAIL) {
        /* a code the message could not use is shown as the real one */
        size_t n = code_len(log);
        if (n > 0 && log[0] != fail_code(where)[0] && where != ACL_WHERE_VRFY)
            log = arena_printf(x->arena, "%s %s", fail_code(where), log + n);
    }
    if (where == ACL_WHERE_NOT_SMTP) {
        const char *s = expand_get_var(x, "sender_address");
        gstr_printf(out, "%s%sF=<%s> rejected by non-SMTP ACL", prefix,
                    prefix[0] ? " " : "", s ? s : "");
    } else {
        gstr_adds(out, prefix);
        if (st->log_tls != NULL)
            gstr_adds(out, st->log_tls);
        if (where == ACL_WHERE_RCPT || where == ACL_WHERE_DATA)
            sender_info(x, st, out);
        gstr_printf(out, "%s%srejected %s", out->len ? " " : "",
                    temp ? "temporarily " : "", what_text(where, st, x));
    }
    if (log != NULL) {
        nl = strchr(log, '\n');
        gstr_printf(out, ": %.*s", nl ? (int)(nl - log) : (int)strlen(log),
                    log);
    }
}

void
acl_log_reject(enum acl_where where, int rc, struct expand_ctx *x,
               const struct acl_state *st)
{
    gstr line;

    if (st->log_reject_target == 0)
        return;
    if (where == ACL_WHERE_CONNECT && !log_selected(LS_connection_reject))
        return;
    gstr_init(&line, x->arena);
    acl_reject_line(where, rc, x, st, &line);
    log_write_block(st->log_reject_target, st->log_reject_block, "%s",
                    gstr_str(&line));
}

void
acl_discard_line(struct expand_ctx *x, const struct acl_state *st, int by_mail,
                 gstr *out)
{
    const char *s = expand_get_var(x, "sender_address");
    const char *prefix = st->log_prefix ? st->log_prefix : "";
    const char *log = st->log_message, *nl;

    gstr_printf(out, "%s%sF=<%s> RCPT %s: discarded by %s ACL", prefix,
                prefix[0] ? " " : "", s ? s : "",
                st->cmd_data ? st->cmd_data : "", by_mail ? "MAIL" : "RCPT");
    if (log != NULL) {
        nl = strchr(log, '\n');
        gstr_printf(out, ": %.*s", nl ? (int)(nl - log) : (int)strlen(log),
                    log);
    }
}
