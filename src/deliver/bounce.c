/*++
 * NAME
 *	bounce 3
 * SUMMARY
 *	failure reports for failed addresses
 * SYNOPSIS
 *	#include "deliver/bounce.h"
 *
 *	int	bounce_errors_ignored(const struct spool_msg *m)
 *	void	bounce_send(struct spool_msg *m, struct address *done)
 * DESCRIPTION
 *	bounce_send() is the delivery's deliver_bounce_hook. done is
 *	every address with a result from one delivery run; those that
 *	failed (ADDR_FAIL) are reported, as Exim's send_bounce_message():
 *	one report for each distinct errors_to (the envelope sender for
 *	addresses without one), spooled as a new message from <> with
 *	protocol "local" and logged "<= <> R=<id> U=... P=local S=...".
 *
 *	The report is an RFC 3464 multipart/report in Exim's layout:
 *	X-Failed-Recipients:, Auto-Submitted: auto-replied, From:
 *	(dsn_from), To:, References:, Content-Type:, MIME-Version:,
 *	Subject:; a text/plain part with Exim's wording, a
 *	message/delivery-status part, and the original message
 *	(message/rfc822), or its headers only (text/rfc822-headers) for
 *	RET=HDRS, when bounce_return_body is false, the -D file is larger
 *	than bounce_return_size_limit rounded up to a multiple of 8192 (as
 *	Exim's buffer), or a line of the message as received was longer
 *	than bounce_return_linesize_limit; the last two (and RET=FULL
 *	without bounce_return_body) add "X-Exim-DSN-Information: Due to
 *	administrative limits only headers are returned" after the
 *	headers. bounce_return_message false leaves the third part out.
 *	As Exim, the failed addresses are taken last failure first: the
 *	first not yet dealt with is ignored ("error ignored", after the
 *	reports made so far are delivered) or starts a report that takes
 *	every other with the same report address.
 *
 *	The delivery-status part names the addresses in the reverse order
 *	of the text part and X-Failed-Recipients:, as Exim's does.
 *
 *	A DSN_INFO build adds the lines of dsn_info(3) to each recipient
 *	block. Diagnostic-Code is written only for an error the sender
 *	may see (ADDR_PASS_MSG), folded and cut after 950 characters as
 *	Exim does; the text part cuts an error line after 254.
 *
 *	A failed bounce (sender <>) is not reported: an address that
 *	timed out under the retry rules, or any address once the message
 *	is older than ignore_bounce_errors_after (bounce_errors_ignored()),
 *	is logged "error ignored" and is done with (unless it has an
 *	errors address); the other failed addresses are turned into deferrals
 *	and the message is frozen, logged "Frozen (delivery error
 *	message)", as in Exim.
 *
 *	As in Exim, the report is delivered at once: its id is kept
 *	for bounce_take_pending(), and deliver_message() delivers it once
 *	the failed message is finished with. Under -N the report is
 *	spooled with -N. report_spool() and the other report_ helpers
 *	are shared with the success notices and delay warnings
 *	(notice(3)).
 * DIAGNOSTICS
 *	A report that cannot be spooled is logged to the main and panic
 *	logs.
 *--*/

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "deliver/bounce.h"
#include "deliver/deliver.h"
#ifdef EXPERIMENTAL_DSN_INFO
#include "deliver/dsn_info.h"
#endif
#include "expand/expand.h"
#include "log/log.h"
#include "receive/receive.h"
#include "route/address.h"
#include "route/hosts.h"
#include "spool/envelope.h"
#include "spool/spool_path.h"

/* Reports spooled by this process and not yet delivered. */
#define BOUNCE_PENDING_MAX 16
static char pending[BOUNCE_PENDING_MAX][MSGID_LEN + 1];
static int npending;

int
bounce_take_pending(char (*ids)[MSGID_LEN + 1], int max)
{
    int n = npending < max ? npending : max;

    memcpy(ids, pending, (size_t)n * sizeof(pending[0]));
    memmove(pending, pending + n, (size_t)(npending - n) * sizeof(pending[0]));
    npending -= n;
    return n;
}

static int
same(const char *x, const char *y)
{
    if (x == NULL || y == NULL)
        return x == y;
    return strcmp(x, y) == 0;
}

/* 1 if f failed and the sender asked for a report of its failure:
 * NOTIFY given without FAILURE asks for none (RFC 3461), and so does
 * errors_to = "". */
static int
wants_report(const struct spool_msg *m, const struct address *f)
{
    const struct address *top = address_top((struct address *)f);
    int fl;

    if (f->result != ADDR_FAIL ||
        (f->errors_to != NULL && f->errors_to[0] == '\0'))
        return 0;
    if (top->rcpt_index < 0 || top->rcpt_index >= m->rcpt_count)
        return 1;
    fl = m->rcpts[top->rcpt_index].dsn_flags;
    return !(fl & (SPOOL_DSN_NEVER | SPOOL_DSN_SUCCESS | SPOOL_DSN_FAILURE |
                   SPOOL_DSN_DELAY)) ||
           (fl & SPOOL_DSN_FAILURE) != 0;
}

/* In the report being written (bounce_send() marks them). */
static int
reportable(const struct spool_msg *m, const struct address *f,
           const char *errors_to)
{
    (void)m;
    (void)errors_to;
    return (f->flags & ADDR_IN_REPORT) != 0;
}

/* Where f's report goes: its errors_to, or NULL for the sender (also
 * for errors_to = "", as Exim's errors_address is then unset). */
static const char *
report_to(const struct address *f)
{
    return f->errors_to != NULL && f->errors_to[0] != '\0' ? f->errors_to
                                                           : NULL;
}

/* The error text as Exim's print_address_error(): a line break after
 * ": " once the line is long enough, each line indented 4. */
char *
report_boundary(struct arena *a)
{
    /* Zero-padded, unlike Exim's, so that a bounce's size (S=) does not
     * change from run to run with the number of digits drawn. */
    return arena_printf(a, "%ld-eximdsn-%010ld", (long)time(NULL),
                        (long)(host_random() & 0x7fffffff));
}

void
report_add_error(gstr *g, const char *lead, const char *s)
{
    size_t count = strlen(lead);

    if (s == NULL)
        return;
    gstr_printf(g, "\n    %s", lead);
    while (*s != '\0') {
        if (*s == '\n' || (*s == '\\' && s[1] == 'n')) {
            gstr_adds(g, "\n    ");
            s += *s == '\n' ? 1 : 2;
            count = 0;
            continue;
        }
        gstr_addc(g, *s);
        count++;
        if (*s++ == ':' && *s == ' ' && count > 45) {
            gstr_adds(g, "\n   ");
            count = 0;
        } else if (count > 254) { /* Exim's arbitrary limit */
            gstr_adds(g, "[truncated]");
            break;
        }
    }
}

/* What a report says of a failed address. For a failure at a remote
 * host, the host's own reply (ADDR_PASS_MSG) or else only what is meant
 * for the sender (user_message: "retry timeout exceeded"), as Exim's
 * print_address_error(): a TLS or connection error is not the sender's
 * business. */
const char *
report_error_text(const struct address *x)
{
    if (x->flags & (ADDR_CANCELLED | ADDR_QUIET_REPORT))
        return NULL;
    if (x->host_used != NULL && !(x->flags & ADDR_PASS_MSG))
        return x->user_message;
    return x->message;
}

const char *
report_host_lead(struct arena *a, const struct address *x)
{
    if (x->host_used == NULL)
        return "";
    return arena_printf(a, "host %s [%s]\n    ", x->host_used->name,
                        x->host_used->address ? x->host_used->address : "");
}

/* The Diagnostic-Code: what follows the first ": " of an error the
 * sender may see (a remote server's reply), each line break (a newline,
 * or backslash-n as replies are logged) followed by a space (RFC
 * 3461), cut with "[truncated]" after 950 characters, as Exim's
 * print_dsn_diagnostic_code(). */
void
report_add_diagnostic(gstr *g, const struct address *a)
{
    const char *p, *s = a->message;
    size_t cnt;

    if (!(a->flags & ADDR_PASS_MSG) || s == NULL ||
        (p = strstr(s, ": ")) == NULL)
        return;
    gstr_adds(g, "Diagnostic-Code: smtp; ");
    cnt = strlen("Diagnostic-Code: smtp; ");
    for (p += 2; *p != '\0';) {
        if (cnt > 950) {
            gstr_adds(g, "[truncated]");
            break;
        }
        if (*p == '\n' || (*p == '\\' && p[1] == 'n')) {
            gstr_adds(g, "\n ");
            p += *p == '\n' ? 1 : 2;
            cnt += 2;
        } else {
            gstr_addc(g, *p++);
            cnt++;
        }
    }
    gstr_addc(g, '\n');
}

/* The -D file's body (after its "id-D" line). */
static char *
read_body(struct arena *a, const struct spool_msg *m, size_t *len,
          long *file_size)
{
    gstr path;
    FILE *f;
    char *buf = NULL, *nl;
    size_t n = 0;
    long sz;

    gstr_init(&path, a);
    spool_path_file(&path, main_config.spool_directory,
                    main_config.split_spool_directory, "", m->id, "-D");
    *len = 0;
    *file_size = 0;
    if ((f = fopen(path.s, "r")) == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = arena_alloc(a, (size_t)sz + 1);
        n = fread(buf, 1, (size_t)sz, f);
        buf[n] = '\0';
        *file_size = (long)n;
    }
    fclose(f);
    if (buf == NULL || (nl = memchr(buf, '\n', n)) == NULL)
        return NULL;
    *len = n - (size_t)(nl + 1 - buf);
    return nl + 1;
}

const char *
report_header_value(struct arena *a, const struct spool_msg *m,
                    const char *name)
{
    size_t nl = strlen(name);

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->type != '*' && h->len > nl && h->text[nl] == ':' &&
            strncasecmp(h->text, name, nl) == 0) {
            const char *v = h->text + nl + 1;
            size_t k;
            while (*v == ' ' || *v == '\t')
                v++;
            k = strlen(v);
            while (k > 0 && (v[k - 1] == '\n' || v[k - 1] == ' '))
                k--;
            return arena_printf(a, "%.*s", (int)k, v);
        }
    return NULL;
}

/* One report to rcpt for the failed addresses in done whose errors_to
 * is errors_to (NULL: the sender's). */
/* Spools text (headers, blank line, body) as a new message from <>
 * to rcpt, logged "<= <> R=<id of m> ...", to be delivered at once
 * (bounce_take_pending()). */
void
report_spool(struct arena *a, const struct spool_msg *m, const char *rcpt,
             const char *text)
{
    struct receive_params p;
    struct spool_rcpt r;
    struct expand_ctx x;
    struct receive *rv;
    struct passwd *pw = getpwuid(getuid());
    gstr err;
    char *line, *logl;

    gstr_init(&err, a);
    expand_ctx_init(&x, a);
    memset(&p, 0, sizeof(p));
    memset(&r, 0, sizeof(r));
    r.address = (char *)rcpt;
    r.pno = -1;
    p.sender = "";
    p.rcpts = &r;
    p.nrcpts = 1;
    p.protocol = "local";
    p.not_smtp = 1;
    p.trusted_caller = 1;
    p.allow_unqualified = 1; /* a local submission, as Exim's child exim */
    p.login = pw != NULL ? pw->pw_name : "root";
    p.ident = p.login;
    p.uid = (long)getuid();
    p.gid = (long)getgid();
    p.ctx = &x;
    if ((rv = receive_start(a, &p, &err)) == NULL) {
        log_write(LOG_MAIN | LOG_PANIC, "%s bounce: %s", m->id, gstr_str(&err));
        return;
    }
    line = (char *)text;
    for (char *e; *line != '\0'; line = e + 1) {
        if ((e = strchr(line, '\n')) == NULL)
            e = line + strlen(line);
        if (receive_line(rv, line, (size_t)(e - line)) == RECEIVE_ERROR)
            break;
        if (*e == '\0')
            break;
    }
    /* -N goes on to the report, as Exim's child_exec_exim() passes it */
    receive_msg(rv)->dont_deliver = m->dont_deliver || deliver_dont_deliver;
    receive_msg(rv)->localerror = 1; /* Exim submits it with -E */
    if (receive_finish(rv, &err) != RECEIVE_OK ||
        receive_commit(rv, &err) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s bounce not spooled: %s", m->id,
                  gstr_str(&err));
        receive_abort(rv);
        return;
    }
    if (npending < BOUNCE_PENDING_MAX)
        snprintf(pending[npending++], sizeof(pending[0]), "%s", receive_id(rv));
    logl = receive_log_line(rv);
    if (strncmp(logl, "<= <>", 5) == 0)
        log_write(LOG_MAIN, "%s <= <> R=%s%s", receive_id(rv), m->id, logl + 5);
    else
        log_write(LOG_MAIN, "%s %s", receive_id(rv), logl);
    receive_close(rv);
}

static const char dsn_limit_note[] =
    "X-Exim-DSN-Information: Due to administrative limits only headers are "
    "returned";

static void
send_one(struct arena *a, struct spool_msg *m, struct address *done,
         const char *errors_to, const char *rcpt)
{
    struct expand_ctx x;
    gstr msg, err;
    char *from = NULL, *bound;
    const char *refs, *msgid, *body;
    size_t blen = 0, nrep;
    long dsize = 0;
    struct address **rep;
    int first = 1, hdrs_only, to_sender = errors_to == NULL;

    gstr_init(&msg, a);
    gstr_init(&err, a);
    expand_ctx_init(&x, a);
    if (expand_string(&x, main_config.dsn_from, &from, &err) != EXPAND_OK)
        from = arena_printf(a, "Mail Delivery System <Mailer-Daemon@%s>",
                            main_config.qualify_domain);
    bound = report_boundary(a);

    /* headers */
    gstr_adds(&msg, "X-Failed-Recipients: ");
    for (struct address *f = done; f != NULL; f = f->next) {
        if (!reportable(m, f, errors_to))
            continue;
        gstr_printf(&msg, "%s%s", first ? "" : ",\n  ", f->address);
        first = 0;
    }
    gstr_adds(&msg, "\nAuto-Submitted: auto-replied\n");
    gstr_printf(&msg, "From: %s\nTo: %s\n", from, rcpt);
    msgid = report_header_value(a, m, "Message-Id");
    refs = report_header_value(a, m, "References");
    if (msgid != NULL)
        gstr_printf(&msg, "References: %s%s%s\n", refs ? refs : "",
                    refs ? " " : "", msgid);
    gstr_printf(&msg,
                "Content-Type: multipart/report; "
                "report-type=delivery-status; boundary=%s\n"
                "MIME-Version: 1.0\n"
                "Subject: Mail delivery failed%s\n\n",
                bound, to_sender ? ": returning message to sender" : "");

    /* the text part */
    gstr_printf(&msg,
                "--%s\nContent-type: text/plain; charset=us-ascii\n\n"
                "This message was created automatically by mail delivery "
                "software.\n\n",
                bound);
    if (to_sender)
        gstr_adds(&msg, "A message that you sent could not be delivered to "
                        "one or more of its\nrecipients. This is a permanent "
                        "error. The following address(es) failed:\n");
    else
        gstr_printf(&msg,
                    "A message sent by\n\n  <%s>\n\ncould not be delivered "
                    "to one or more of its recipients. The following\n"
                    "address(es) failed:\n",
                    m->sender);
    /* one empty line before the addresses, none between them (Exim) */
    gstr_addc(&msg, '\n');
    for (struct address *f = done; f != NULL; f = f->next) {
        if (!reportable(m, f, errors_to))
            continue;
        if (f->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY))
            gstr_printf(&msg, "  %s %s\n    generated by %s",
                        f->flags & ADDR_PIPE ? "pipe to" : "save to",
                        f->address, address_top(f)->address);
        else
            gstr_printf(&msg, "  %s", f->address);
        report_add_error(&msg, report_host_lead(a, f), report_error_text(f));
        gstr_addc(&msg, '\n');
    }

    /* the delivery-status part */
    gstr_printf(&msg,
                "\n--%s\nContent-type: message/delivery-status\n\n"
                "Reporting-MTA: dns; %s\n",
                bound, main_config.primary_hostname);
    if (m->dsn_envid != NULL)
        gstr_printf(&msg, "Original-Envelope-ID: %s\n", m->dsn_envid);
    gstr_addc(&msg, '\n');
    /* Exim writes these from the list it built while writing the text
     * part, at its front: in the reverse order of the text part */
    nrep = 0;
    for (struct address *f = done; f != NULL; f = f->next)
        if (reportable(m, f, errors_to))
            nrep++;
    rep = arena_alloc(a, (nrep ? nrep : 1) * sizeof(*rep));
    nrep = 0;
    for (struct address *f = done; f != NULL; f = f->next)
        if (reportable(m, f, errors_to))
            rep[nrep++] = f;
    while (nrep > 0) {
        struct address *f = rep[--nrep];
        const struct spool_rcpt *sr = NULL;
        if (f->rcpt_index >= 0 && f->rcpt_index < m->rcpt_count)
            sr = &m->rcpts[f->rcpt_index];
        if (sr != NULL && sr->orcpt != NULL)
            gstr_printf(&msg, "Original-Recipient: %s\n", sr->orcpt);
        gstr_printf(&msg,
                    "Action: failed\nFinal-Recipient: rfc822;%s\n"
                    "Status: 5.0.0\n",
                    address_top(f)->address);
        if (f->host_used != NULL && f->host_used->name != NULL) {
            gstr_printf(&msg, "Remote-MTA: dns; %s\n", f->host_used->name);
#ifdef EXPERIMENTAL_DSN_INFO
            dsn_info_host(&msg, f);
#endif
            report_add_diagnostic(&msg, f);
        }
#ifdef EXPERIMENTAL_DSN_INFO
        else
            dsn_info_nohost(&msg, f);
#endif
        gstr_addc(&msg, '\n');
    }

    /* the returned message */
    if (main_config.bounce_return_message) {
        const char *limited = NULL;
        body = read_body(a, m, &blen, &dsize);
        /* Exim's choice: RET=HDRS; no bounce_return_body (with the note
         * when RET=FULL asked for more); a line longer than the limit
         * anywhere in the message as received, or a -D file larger than
         * bounce_return_size_limit rounded up to Exim's 8 KiB buffer
         * (with the note) */
        if (m->dsn_ret == SPOOL_DSN_RET_HDRS || body == NULL) {
            hdrs_only = 1;
        } else if (!main_config.bounce_return_body) {
            hdrs_only = 1;
            if (m->dsn_ret == SPOOL_DSN_RET_FULL)
                limited = dsn_limit_note;
        } else if (m->max_received_linelength >
                       main_config.bounce_return_linesize_limit ||
                   (main_config.bounce_return_size_limit > 0 &&
                    dsize > (main_config.bounce_return_size_limit / 8192 + 1) *
                                8192L)) {
            hdrs_only = 1;
            limited = dsn_limit_note;
        } else {
            hdrs_only = 0;
        }
        gstr_printf(&msg, "--%s\nContent-type: %s\n", bound,
                    hdrs_only ? "text/rfc822-headers" : "message/rfc822");
        gstr_printf(&msg, "\nReturn-path: <%s>\n", m->sender);
        for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
            if (h->type != '*')
                gstr_addn(&msg, h->text, h->len);
        /* the note is added after the headers, as a transport's
         * headers_add; the empty line after the headers is written
         * without the body too */
        if (limited != NULL)
            gstr_printf(&msg, "%s\n", limited);
        gstr_addc(&msg, '\n');
        if (!hdrs_only) {
            gstr_addn(&msg, body, blen);
            if (blen > 0 && body[blen - 1] != '\n')
                gstr_addc(&msg, '\n');
        }
        gstr_addc(&msg, '\n');
    }
    gstr_printf(&msg, "--%s--\n", bound);

    report_spool(a, m, rcpt, gstr_str(&msg));
}

/* Exim keeps its failed addresses on a list it adds to at the front, so
 * its reports (X-Failed-Recipients:, the text, the order of the reports
 * and of the "error ignored" lines) name them last failure first. done is
 * in the order the addresses were finished: this returns copies of its
 * failed entries, in the arena, in reverse. */
static struct address *
failed_in_exim_order(struct arena *a, const struct address *done)
{
    struct address *rev = NULL;

    for (const struct address *f = done; f != NULL; f = f->next) {
        struct address *c;

        if (f->result != ADDR_FAIL)
            continue;
        c = arena_alloc(a, sizeof(*c));
        *c = *f;
        c->next = rev;
        rev = c;
    }
    return rev;
}

static void
log_ignored(const struct spool_msg *m, const struct address *f, const char *why)
{
    const struct address *pa = f->parent;

    log_write(LOG_MAIN, "%s %s%s%s%s: error ignored%s", m->id, f->address,
              pa ? " <" : "", pa ? pa->address : "", pa ? ">" : "", why);
}

void (*bounce_deliver_pending_hook)(void);

int
bounce_errors_ignored(const struct spool_msg *m)
{
    const int limit = main_config.ignore_bounce_errors_after;

    return (m->sender == NULL || m->sender[0] == '\0') &&
           time(NULL) - m->received_sec >= limit;
}

void
bounce_send(struct spool_msg *m, struct address *done)
{
    struct arena *a;
    int spooled = 0;

    if (m->sender == NULL || m->sender[0] == '\0') {
        int any = 0;
        for (struct address *f = done; f != NULL; f = f->next) {
            if (f->result != ADDR_FAIL)
                continue;
            if (((f->flags & ADDR_RETRY_TIMEDOUT) ||
                 bounce_errors_ignored(m)) &&
                f->errors_to == NULL) {
                log_ignored(m, f, "");
                continue;
            }
            f->result = ADDR_DEFER;
            any = 1;
        }
        if (any && !m->frozen) {
            m->frozen = 1;
            m->frozen_at = time(NULL);
            log_write(LOG_MAIN, "%s Frozen (delivery error message)", m->id);
        }
        return;
    }
    a = arena_create();
    done = failed_in_exim_order(a, done);
    /* Exim's loop: the first address not yet dealt with is either
     * ignored ("error ignored") or starts a report that takes every
     * other failed address with the same report address, whether it
     * asked for a report or not. */
    for (struct address *f = done; f != NULL; f = f->next) {
        const char *to;
        if (f->flags & ADDR_REPORTED)
            continue;
        f->flags |= ADDR_REPORTED;
        if (!wants_report(m, f)) {
            if (spooled && bounce_deliver_pending_hook != NULL)
                bounce_deliver_pending_hook();
            spooled = 0;
            log_ignored(m, f,
                        f->errors_to != NULL && f->errors_to[0] == '\0'
                            ? ""
                            : ": RFC 3461 DSN, failure notify not requested");
            continue;
        }
        to = report_to(f);
        for (struct address *g = f; g != NULL; g = g->next)
            if (g == f ||
                (!(g->flags & ADDR_REPORTED) && same(report_to(g), to)))
                g->flags |= ADDR_IN_REPORT | ADDR_REPORTED;
        send_one(a, m, done, to, to ? to : m->sender);
        spooled = 1;
        for (struct address *g = done; g != NULL; g = g->next)
            g->flags &= ~(unsigned)ADDR_IN_REPORT;
    }
    arena_destroy(a);
}
