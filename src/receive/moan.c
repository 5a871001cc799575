/*++
 * NAME
 *	moan 3
 * SUMMARY
 *	the report to the sender of a refused local message
 * SYNOPSIS
 *	#include "receive/moan.h"
 *
 *	int	moan_to_sender(const struct moan *m,
 *			const struct submit_opts *o, const char *sender)
 * DESCRIPTION
 *	Exim's moan_to_sender(). When a message from the command line is
 *	refused (a recipient argument that is not an address, -t without
 *	recipients or with bad addresses, message_size_limit, a deny of
 *	acl_not_smtp) and the error mode is -oem (the default), -oee or
 *	-oew, the sender is told in a report, which is submitted as a
 *	new local message the way Exim's child process submits it
 *	("-t -oem -oi -f <> -E<id>"): sender <>, recipients from its To:,
 *	-localerror in the -H, " R=<id>" after the sender on its "<="
 *	line, the message_size_limit and acl_not_smtp of any message,
 *	and delivered as any message (-odi when the refused one had it).
 *
 *	The report is Exim's text: Auto-Submitted: auto-replied, From:
 *	(dsn_from), To: the sender, References: (the refused message's
 *	Message-Id: after the ids of its References: or In-Reply-To:),
 *	a Subject: and wording for each kind of error, then (under
 *	bounce_return_message) "------ This is a copy of your message,
 *	including all the headers. ------", the headers as they were
 *	when the error was found, an empty line and the body as read
 *	(bounce_return_body; else "a copy of the headers"). As in Exim,
 *	a body line longer than bounce_return_linesize_limit loses its
 *	end and its newline, and a line longer than the smaller of
 *	bounce_return_size_limit and message_size_limit is cut there
 *	and ends the copy ("No more than N characters of the body are
 *	included" is said when the message is larger than that limit).
 *	For a bad recipient argument nothing has been read: the copy is
 *	the rest of the standard input, up to a line "." unless -i.
 * DIAGNOSTICS
 *	Without a sender to send to (the sender is <>), or when o is
 *	itself a report (-E), the error is only logged, as Exim words it:
 *	"Error while reading message with no usable sender address
 *	(R=<id>): message too big (limit set to N)" and the like. A
 *	report that is refused in turn leaves "Child mail process
 *	returned status N" in the main log. Either way the result is 0.
 *--*/

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "deliver/deliver.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/cli.h"
#include "receive/moan.h"
#include "receive/receive_int.h"

struct copy {
    gstr *out;
    long size_limit; /* a line longer than this ends the copy; 0: none */
    long linesize;   /* bounce_return_linesize_limit */
    int dot_ends;    /* a line "." ends the input (stdin without -i) */
    int done;
    int skipping; /* the rest of a line too long */
    gstr line;    /* the line being gathered */
};

/* One line (with its newline unless the input ended), as Exim's loop
 * of fgets() into a buffer of linesize + 2 bytes copies it. */
static void
copy_line(struct copy *c, const char *s, size_t n)
{
    size_t chunk = (size_t)c->linesize + 1;

    if (c->done)
        return;
    if (c->dot_ends && n == 2 && s[0] == '.' && s[1] == '\n') {
        gstr_addc(c->out, '.'); /* Exim writes the dot, not its newline */
        c->done = 1;
        return;
    }
    if (n > chunk)
        n = chunk; /* the rest of the line is skipped */
    if (c->size_limit > 0 && (long)n > c->size_limit) {
        gstr_addn(c->out, s, (size_t)c->size_limit);
        c->done = 1;
        return;
    }
    gstr_addn(c->out, s, n);
}

static void
copy_bytes(struct copy *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n && !c->done; i++) {
        gstr_addc(&c->line, s[i]);
        if (s[i] == '\n') {
            copy_line(c, c->line.s, c->line.len);
            gstr_truncate(&c->line, 0);
        }
    }
}

static void
copy_end(struct copy *c)
{
    if (c->line.len > 0)
        copy_line(c, c->line.s, c->line.len);
}

/* The rest of the standard input: a recipient argument was bad. */
static void
copy_stdin(struct copy *c)
{
    char buf[65536];
    ssize_t got;

    while (!c->done && (got = read(0, buf, sizeof(buf))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        copy_bytes(c, buf, (size_t)got);
    }
    copy_end(c);
}

/* The body as read, from the -D file. */
static void
copy_body(struct copy *c, struct receive *r)
{
    char buf[65536];
    long left = receive_body_read(r);
    off_t off;
    int fd = receive_body_fd(r, &off);

    while (fd >= 0 && left > 0 && !c->done) {
        size_t want = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
        ssize_t got = pread(fd, buf, want, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        copy_bytes(c, buf, (size_t)got);
        off += got;
        left -= got;
    }
    copy_end(c);
}

/* The header's value: after the colon and white space, with its
 * newline. */
static const char *
header_value(const struct spool_header *h)
{
    const char *v = memchr(h->text, ':', h->len);

    if (v == NULL)
        return "\n";
    for (v++; *v == ' ' || *v == '\t'; v++)
        ;
    return v;
}

static int
named(const struct spool_header *h, const char *name)
{
    size_t n = strlen(name);

    return h->type != '*' && h->len > n && strncasecmp(h->text, name, n) == 0;
}

/* Exim's moan_write_references(): "References:" with up to twelve ids
 * of the message's References: (or In-Reply-To:), the first and the
 * latest, then its Message-Id:. */
static void
write_references(gstr *out, struct receive *r)
{
    const struct spool_header *h, *refs = NULL;
    const char *msgid = NULL, *ids[12];
    int nids = 0;

    for (h = r->m.headers; h != NULL; h = h->next)
        if (h->type == 'I')
            msgid = header_value(h);
    for (h = r->m.headers; h != NULL && refs == NULL; h = h->next)
        if (named(h, "References:"))
            refs = h;
    for (h = r->m.headers; h != NULL && refs == NULL; h = h->next)
        if (named(h, "In-Reply-To:"))
            refs = h;
    if (refs == NULL && msgid == NULL)
        return;
    gstr_adds(out, "References:");
    if (refs != NULL) {
        const char *s = header_value(refs);
        while ((s = strchr(s, '<')) != NULL) {
            const char *e = strchr(s, '>');
            if (e == NULL)
                break;
            const char *id = arena_strndup(r->a, s, (size_t)(e + 1 - s));
            if (nids == 12) { /* keep the first; drop the second */
                memmove(ids + 1, ids + 2, sizeof(ids[0]) * 10);
                ids[11] = id;
            } else
                ids[nids++] = id;
            s = e + 1;
        }
        for (int i = 0; i < nids; i++)
            gstr_printf(out, " %s", ids[i]);
    }
    if (msgid != NULL)
        gstr_printf(out, " %s", msgid);
    else
        gstr_addc(out, '\n');
}

static const char *
report_from(struct arena *a)
{
    struct expand_ctx x;
    char *from = NULL;
    gstr err;

    gstr_init(&err, a);
    expand_ctx_init(&x, a);
    if (expand_string(&x, main_config.dsn_from, &from, &err) == EXPAND_OK)
        return from;
    log_write(LOG_MAIN | LOG_PANIC,
              "Failed to expand dsn_from (using default): %s", gstr_str(&err));
    return arena_printf(a, "Mail Delivery System <Mailer-Daemon@%s>",
                        main_config.qualify_domain);
}

/* The Subject: line, the empty line and Exim's words for the error. */
static void
write_text(gstr *out, const struct moan *m)
{
    const char *t1 = m->text1 ? m->text1 : "";
    size_t n = strlen(t1);

    switch (m->error) {
    case MOAN_BADARGADDRESS:
        gstr_adds(out, "Subject: Mail failure - malformed recipient address\n\n"
                       "A message that you sent contained a recipient "
                       "address that was incorrectly\nconstructed:\n\n");
        gstr_printf(out, "  %s  %s\n", t1, m->text2 ? m->text2 : "");
        if (n > 0 && t1[n - 1] == '.')
            gstr_adds(out, "\nRecipient addresses must not end with a '.' "
                           "character.\n");
        gstr_adds(out, "\nThe message has not been delivered to any "
                       "recipients.\n");
        break;
    case MOAN_BADADDRESS:
    case MOAN_BADNOADDRESS:
        gstr_adds(out, "Subject: Mail failure - malformed recipient address\n\n"
                       "A message that you sent contained one or more "
                       "recipient addresses that were\nincorrectly "
                       "constructed:\n\n");
        for (int i = 0; i < m->nbad; i++)
            gstr_printf(out, "  %s: %s\n", m->bad[i].text, m->bad[i].why);
        gstr_adds(out, m->nbad == 1 ? "\nThis address has been ignored. "
                                    : "\nThese addresses have been ignored. ");
        gstr_adds(out, m->error == MOAN_BADADDRESS
                           ? "The other addresses in the message were\n"
                             "syntactically valid and have been passed on "
                             "for an attempt at delivery.\n"
                           : "There were no other addresses in your\n"
                             "message, and so no attempt at delivery was "
                             "possible.\n");
        break;
    case MOAN_IGADDRESS:
        gstr_adds(out, "Subject: Mail failure - no recipient addresses\n\n"
                       "A message that you sent using the -t command line "
                       "option contained no\naddresses that were not also "
                       "on the command line, and were therefore\n"
                       "suppressed. This left no recipient addresses, and "
                       "so no delivery could\nbe attempted.\n");
        break;
    case MOAN_NOADDRESS:
        gstr_adds(out, "Subject: Mail failure - no recipient addresses\n\n"
                       "A message that you sent contained no recipient "
                       "addresses, and therefore no\ndelivery could be "
                       "attempted.\n");
        break;
    case MOAN_TOOBIG:
        gstr_adds(out, "Subject: Mail failure - message too big\n\n"
                       "A message that you sent was longer than the maximum "
                       "size allowed on this\nsystem. It was not delivered "
                       "to any recipients.\n");
        break;
    case MOAN_LOCAL_ACL:
        gstr_adds(out, "Subject: Mail failure - rejected by local scanning "
                       "code\n\nA message that you sent was rejected by the "
                       "local scanning code that\nchecks incoming messages "
                       "on this system.");
        if (m->text1 != NULL)
            gstr_printf(out, " The following error was given:\n\n  %s",
                        m->text1);
        gstr_addc(out, '\n');
        break;
    }
}

/* Exim's size_limit for the copy: bounce_return_size_limit, or the
 * message's own limit when that is smaller (none is known before the
 * message is read). */
static long
copy_limit(const struct moan *m)
{
    long limit = main_config.bounce_return_size_limit;
    long own;

    if (m->r == NULL)
        return 0;
    own = m->r->p.message_size_limit > 0 ? m->r->p.message_size_limit
                                         : 2147483647L;
    return limit == 0 || limit > own ? own : limit;
}

static void
write_copy(gstr *out, const struct moan *m, const struct submit_opts *o,
           struct arena *a)
{
    struct copy c;
    long limit = copy_limit(m), size;

    if (!main_config.bounce_return_message)
        return;
    if (main_config.bounce_return_body) {
        gstr_adds(out, "\n------ This is a copy of your message, including "
                       "all the headers.");
        size = m->r == NULL              ? 0
               : m->error == MOAN_TOOBIG ? m->r->p.message_size_limit + 1
                                         : receive_size(m->r);
        if (limit > 0 && limit < size)
            gstr_printf(out,
                        "\n------ No more than %ld%s characters of the body "
                        "are included.\n\n",
                        limit % 1024 == 0 ? limit / 1024 : limit,
                        limit % 1024 == 0 ? "K" : "");
        else
            gstr_adds(out, " ------\n\n");
    } else
        gstr_adds(out, "\n------ This is a copy of the headers that were "
                       "received before the error\n       was detected.\n\n");
    if (m->r != NULL)
        for (const struct spool_header *h = m->r->m.headers; h != NULL;
             h = h->next) {
            /* with -t, Exim reports bad addresses before it makes the
             * Received: header, the first */
            if (m->error == MOAN_BADADDRESS && h == m->r->received)
                continue;
            if (h->text != NULL && h->len > 0)
                gstr_addn(out, h->text, h->len);
        }
    gstr_addc(out, '\n');
    if (!main_config.bounce_return_body)
        return;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.size_limit = limit;
    c.linesize = main_config.bounce_return_linesize_limit;
    gstr_init(&c.line, a);
    if (m->r == NULL) {
        c.dot_ends = !o->no_dot;
        copy_stdin(&c);
    } else
        copy_body(&c, m->r);
}

/* Without a report: the log line Exim writes instead. */
static void
log_unsent(const struct moan *m, const struct submit_opts *o)
{
    gstr g;
    struct arena *a = arena_create();

    gstr_init(&g, a);
    gstr_adds(&g, "Error while reading message with no usable sender address");
    if (o->reference != NULL)
        gstr_printf(&g, " (R=%s)", o->reference);
    switch (m->error) {
    case MOAN_BADARGADDRESS:
        gstr_printf(&g, ": at least one malformed recipient address: %s - %s",
                    m->text1 ? m->text1 : "", m->text2 ? m->text2 : "");
        break;
    case MOAN_BADADDRESS:
    case MOAN_BADNOADDRESS:
        gstr_printf(&g, ": at least one malformed recipient address: %s - %s",
                    m->nbad > 0 ? m->bad[0].text : "",
                    m->nbad > 0 ? m->bad[0].why : "");
        break;
    case MOAN_IGADDRESS:
    case MOAN_NOADDRESS:
        gstr_adds(&g, ": no recipient addresses");
        break;
    case MOAN_TOOBIG:
        gstr_printf(&g, ": message too big (limit set to %ld)",
                    m->r ? m->r->p.message_size_limit : 0L);
        break;
    case MOAN_LOCAL_ACL:
        gstr_printf(&g, ": rejected by non-SMTP ACL: %s",
                    m->text1 ? m->text1 : "");
        break;
    }
    log_write(LOG_MAIN, "%s", gstr_str(&g));
    arena_destroy(a);
}

/* The report goes in as Exim's child process would take it. */
static int
submit_report(const char *text, size_t len, const struct submit_opts *o,
              struct receive *r)
{
    struct submit_opts c;
    char saved_mode = deliver_odmode;
    int status;

    memset(&c, 0, sizeof(c));
    c.sender = "<>";
    c.extract = 1;
    c.no_dot = 1;
    c.errmode = 'm';
    c.local_error = 1;
    c.reference = r != NULL ? receive_id(r) : NULL;
    c.delivery = o->delivery == 'i' ? 'i' : 0; /* not -odq: Exim's child
                                                  is not given it */
    c.input = text;
    c.input_len = len;
    deliver_odmode = c.delivery;
    status = receive_cli_submit(&c, NULL, 0);
    deliver_odmode = saved_mode;
    log_panic_to_stderr(1);
    log_set_message_id(r != NULL ? receive_id(r) : NULL);
    if (status != 0)
        log_write(LOG_MAIN, "Child mail process returned status %d", status);
    return status == 0;
}

int
moan_to_sender(const struct moan *m, const struct submit_opts *o,
               const char *sender)
{
    struct arena *a;
    gstr out;
    int ok;

    if (sender == NULL || *sender == '\0' || o->local_error) {
        log_unsent(m, o);
        return 0;
    }
    a = arena_create();
    gstr_init(&out, a);
    gstr_printf(&out, "Auto-Submitted: auto-replied\nFrom: %s\nTo: %s\n",
                report_from(a), sender);
    if (m->r != NULL)
        write_references(&out, m->r);
    write_text(&out, m);
    write_copy(&out, m, o, a);
    ok = submit_report(out.s, out.len, o, m->r);
    arena_destroy(a);
    return ok;
}
