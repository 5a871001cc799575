/*++
 * NAME
 *	notice 3
 * SUMMARY
 *	DSN success notices and delay warnings
 * SYNOPSIS
 *	#include "deliver/notice.h"
 *
 *	void	notice_success(struct spool_msg *m, struct address *done)
 *	void	notice_delay(struct spool_msg *m, struct address *done,
 *			struct expand_ctx *x)
 * DESCRIPTION
 *	The two reports Exim's deliver.c sends besides bounces, built in
 *	its layout (multipart/report, a text part, message/delivery-status,
 *	the message's headers as text/rfc822-headers) and spooled from <>
 *	like a bounce (report_spool(), bounce(3)), so that they are
 *	delivered at once.
 *
 *	notice_success(): a recipient given with NOTIFY=SUCCESS gets
 *	"Subject: Delivery Status Notification" when it was delivered
 *	locally ("relayed via non "Remote SMTP" router") or to a server
 *	that did not offer DSN ("relayed to non-DSN-aware mailer"); a
 *	DSN-aware server got NOTIFY itself and reports on its own.
 *
 *	notice_delay(): when addresses are deferred and the message is not
 *	a bounce, the delay_warning list (default 24h; each item a time
 *	on the queue, the last one repeating) says how many warnings
 *	should have gone by now; if more than the -H's warning count, one
 *	is sent, "Subject: Warning: message ID delayed N minutes|hours",
 *	to the sender (or errors_to), and the count is brought up to
 *	date. No warning when delay_warning_condition is false (its
 *	default excludes mailing lists, bulk and auto-submitted mail),
 *	when every deferral was "retry time not reached" (no fresh
 *	reason to give), or when the first deferred address's recipient
 *	gave NOTIFY without DELAY.
 * DIAGNOSTICS
 *	A report that cannot be spooled is logged by report_spool().
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "deliver/bounce.h"
#include "deliver/notice.h"
#include "expand/expand.h"
#include "route/address.h"
#include "spool/envelope.h"

static const struct spool_rcpt *
rcpt_of(const struct spool_msg *m, const struct address *a)
{
    const struct address *top = address_top((struct address *)a);

    if (top->rcpt_index < 0 || top->rcpt_index >= m->rcpt_count)
        return NULL;
    return &m->rcpts[top->rcpt_index];
}

static const char *
from_line(struct arena *a)
{
    struct expand_ctx x;
    char *from = NULL;
    gstr err;

    gstr_init(&err, a);
    expand_ctx_init(&x, a);
    if (expand_string(&x, main_config.dsn_from, &from, &err) != EXPAND_OK)
        from = arena_printf(a, "Mail Delivery System <Mailer-Daemon@%s>",
                            main_config.qualify_domain);
    return from;
}

static void
add_references(struct arena *a, gstr *g, const struct spool_msg *m)
{
    const char *msgid = report_header_value(a, m, "Message-Id");
    const char *refs = report_header_value(a, m, "References");

    if (msgid != NULL)
        gstr_printf(g, "References: %s%s%s\n", refs ? refs : "",
                    refs ? " " : "", msgid);
}

static void
add_dsn_action(gstr *g, const struct spool_msg *m, const struct address *a,
               const char *action, const char *status)
{
    const struct spool_rcpt *r = rcpt_of(m, a);

    if (r != NULL && r->orcpt != NULL)
        gstr_printf(g, "Original-Recipient: %s\n", r->orcpt);
    gstr_printf(g, "Action: %s\nFinal-Recipient: rfc822;%s\nStatus: %s\n",
                action, address_top((struct address *)a)->address, status);
}

/* The Reporting-MTA block and the per-recipient blocks follow. */
static void
add_status_head(gstr *g, const struct spool_msg *m, const char *bound)
{
    gstr_printf(g,
                "--%s\nContent-type: message/delivery-status\n\n"
                "Reporting-MTA: dns; %s\n",
                bound, main_config.primary_hostname);
    if (m->dsn_envid != NULL)
        gstr_printf(g, "Original-Envelope-ID: %s\n", m->dsn_envid);
    gstr_addc(g, '\n');
}

static void
add_headers_part(gstr *g, const struct spool_msg *m, const char *bound)
{
    gstr_printf(g, "--%s\nContent-type: text/rfc822-headers\n\n", bound);
    gstr_printf(g, "Return-path: <%s>\n", m->sender);
    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->type != '*')
            gstr_addn(g, h->text, h->len);
    gstr_printf(g, "\n\n--%s--\n", bound);
}

void
notice_success(struct spool_msg *m, struct address *done)
{
    struct arena *a;
    gstr g;
    char *bound;
    int any = 0;

    if (m->sender == NULL || m->sender[0] == '\0' || m->dont_deliver)
        return;
    for (struct address *x = done; x != NULL; x = x->next) {
        const struct spool_rcpt *r = rcpt_of(m, x);
        x->flags &= ~(unsigned)ADDR_NOTICE;
        if (x->result == ADDR_OK && x->transport != NULL &&
            !(x->flags & ADDR_DSN_AWARE) && r != NULL &&
            (r->dsn_flags & SPOOL_DSN_SUCCESS)) {
            x->flags |= ADDR_NOTICE;
            any = 1;
        }
    }
    if (!any)
        return;
    a = arena_create();
    gstr_init(&g, a);
    bound = report_boundary(a);
    gstr_printf(&g,
                "From: %s\nAuto-Submitted: auto-generated\nTo: %s\n"
                "Subject: Delivery Status Notification\n",
                from_line(a), m->sender);
    add_references(a, &g, m);
    gstr_printf(&g,
                "Content-Type: multipart/report; report-type=delivery-status; "
                "boundary=%s\nMIME-Version: 1.0\n\n"
                "--%s\nContent-type: text/plain; charset=us-ascii\n\n"
                "This message was created automatically by mail delivery "
                "software.\n"
                " ----- The following addresses had successful delivery "
                "notifications -----\n",
                bound, bound);
    for (struct address *x = done; x != NULL; x = x->next)
        if (x->flags & ADDR_NOTICE)
            gstr_printf(&g, "<%s> (relayed %s)\n\n", x->address,
                        x->host_used != NULL
                            ? "to non-DSN-aware mailer"
                            : "via non \"Remote SMTP\" router");
    add_status_head(&g, m, bound);
    for (struct address *x = done; x != NULL; x = x->next) {
        if (!(x->flags & ADDR_NOTICE))
            continue;
        add_dsn_action(&g, m, x, "delivered", "2.0.0");
        if (x->host_used != NULL && x->host_used->name != NULL)
            gstr_printf(&g,
                        "Remote-MTA: dns; %s\nDiagnostic-Code: smtp; 250 "
                        "Ok\n\n",
                        x->host_used->name);
        else
            gstr_adds(&g, "Diagnostic-Code: X-Exim; relayed via non SMTP "
                          "router\n\n");
        x->flags &= ~(unsigned)ADDR_NOTICE;
    }
    add_headers_part(&g, m, bound);
    report_spool(a, m, m->sender, gstr_str(&g));
    arena_destroy(a);
}

/* The delay_warning times, in seconds; n set to how many. */
static long *
warning_times(struct arena *a, int *n)
{
    struct list_iter it;
    char *item;
    long *v = NULL, t;
    int cap = 0;

    *n = 0;
    if (main_config.delay_warning == NULL)
        return NULL;
    list_iter_init(&it, main_config.delay_warning, ':');
    while ((item = list_next(&it, a)) != NULL) {
        if (tod_parse_duration(item, &t) < 0 || t <= 0)
            break;
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 8;
            v = arena_realloc(a, v, (size_t)cap * sizeof(*v),
                              (size_t)ncap * sizeof(*v));
            cap = ncap;
        }
        v[(*n)++] = t;
    }
    return v;
}

static const char *
header_line(struct arena *a, const struct spool_msg *m, const char *name)
{
    const char *v = report_header_value(a, m, name);

    return v;
}

void
notice_delay(struct spool_msg *m, struct address *done, struct expand_ctx *x)
{
    struct arena *a;
    struct address *first = NULL;
    const struct spool_rcpt *r;
    long *times, queue_time, show_time;
    int n, count, want = 0, ndefer = 0, truth = 0;
    gstr g, to, err;
    char *bound;
    const char *delay, *v;

    if (m->sender == NULL || m->sender[0] == '\0')
        return;
    for (struct address *d = done; d != NULL; d = d->next)
        if (d->result == ADDR_DEFER) {
            if (first == NULL)
                first = d;
            ndefer++;
            want |= d->basic_errno > -53;
        }
    if (first == NULL || !want)
        return;
    r = rcpt_of(m, first);
    if (r != NULL &&
        (r->dsn_flags & (SPOOL_DSN_NEVER | SPOOL_DSN_SUCCESS |
                         SPOOL_DSN_FAILURE | SPOOL_DSN_DELAY)) &&
        !(r->dsn_flags & SPOOL_DSN_DELAY))
        return;
    a = arena_create();
    times = warning_times(a, &n);
    if (n == 0)
        goto out;
    gstr_init(&err, a);
    if (main_config.delay_warning_condition != NULL &&
        (expand_condition(x, main_config.delay_warning_condition, &truth,
                          &err) != EXPAND_OK ||
         !truth))
        goto out;
    queue_time = (long)(time(NULL) - m->received_sec);
    for (count = 0; count < n; count++)
        if (queue_time < times[count])
            break;
    if (count == 0)
        goto out; /* not yet the first warning's time */
    show_time = times[count - 1];
    if (count >= n) {
        long last_gap = show_time - (n > 1 ? times[n - 2] : 0);
        long extra = (queue_time - times[n - 1]) / last_gap;
        show_time += last_gap * extra;
        count += (int)extra;
    }
    if (m->warning_count >= count)
        goto out;

    /* the recipients: each deferred address's errors_to, or the sender */
    gstr_init(&to, a);
    for (struct address *d = done; d != NULL; d = d->next) {
        const char *s;
        if (d->result != ADDR_DEFER)
            continue;
        s = d->errors_to != NULL && d->errors_to[0] != '\0' ? d->errors_to
                                                            : m->sender;
        if (strstr(gstr_str(&to), s) == NULL)
            gstr_printf(&to, "%s%s", to.len ? "," : "", s);
    }
    delay = queue_time < 120 * 60
                ? arena_printf(a, "%ld minutes", show_time / 60)
                : arena_printf(a, "%ld hours", show_time / 3600);
    bound = report_boundary(a);
    gstr_init(&g, a);
    gstr_printf(&g, "Auto-Submitted: auto-replied\nFrom: %s\nTo: %s\n",
                from_line(a), gstr_str(&to));
    add_references(a, &g, m);
    gstr_printf(&g,
                "Content-Type: multipart/report; report-type=delivery-status; "
                "boundary=%s\nMIME-Version: 1.0\n"
                "Subject: Warning: message %s delayed %s\n\n"
                "--%s\nContent-type: text/plain; charset=us-ascii\n\n"
                "This message was created automatically by mail delivery "
                "software.\n",
                bound, m->id, delay, bound);
    if (strcmp(gstr_str(&to), m->sender) == 0)
        gstr_adds(&g, "A message that you sent has not yet been delivered to "
                      "one or more of its\nrecipients after more than ");
    else
        gstr_printf(&g,
                    "A message sent by\n\n  <%s>\n\nhas not yet been "
                    "delivered to one or more of its recipients after more "
                    "than \n",
                    m->sender);
    gstr_printf(&g,
                "%s on the queue on %s.\n\nThe message identifier is:     %s\n",
                delay, main_config.primary_hostname, m->id);
    if ((v = header_line(a, m, "Subject")) != NULL)
        gstr_printf(&g, "The subject of the message is: %s\n", v);
    if ((v = header_line(a, m, "Date")) != NULL)
        gstr_printf(&g, "The date of the message is:    %s\n", v);
    gstr_printf(&g,
                "\nThe address%s to which the message has not yet been "
                "delivered %s:\n\n",
                ndefer == 1 ? "" : "es", ndefer == 1 ? "is" : "are");
    for (struct address *d = done; d != NULL; d = d->next) {
        const struct address *top = address_top(d);
        if (d->result != ADDR_DEFER)
            continue;
        gstr_printf(&g, "  %s", d->address);
        if (top != d && strcasecmp(top->address, d->address) != 0)
            gstr_printf(&g, "\n    (%sgenerated from %s)",
                        top != d->parent ? "ultimately " : "", top->address);
        if (d->host_used != NULL)
            gstr_printf(&g, "\n    host %s [%s]", d->host_used->name,
                        d->host_used->address ? d->host_used->address : "");
        report_add_error(&g, "Delay reason: ", d->message);
        gstr_addc(&g, '\n');
    }
    gstr_adds(&g, "\nNo action is required on your part. Delivery attempts "
                  "will continue for\nsome time, and this warning may be "
                  "repeated at intervals if the message\nremains "
                  "undelivered. Eventually the mail delivery software will "
                  "give up,\nand when that happens, the message will be "
                  "returned to you.\n\n");
    add_status_head(&g, m, bound);
    for (struct address *d = done; d != NULL; d = d->next) {
        if (d->result != ADDR_DEFER)
            continue;
        add_dsn_action(&g, m, d, "delayed", "4.0.0");
        if (d->host_used != NULL && d->host_used->name != NULL) {
            gstr_printf(&g, "Remote-MTA: dns; %s\n", d->host_used->name);
            report_add_diagnostic(&g, d);
        }
        gstr_addc(&g, '\n');
    }
    add_headers_part(&g, m, bound);
    report_spool(a, m, gstr_str(&to), gstr_str(&g));
    m->warning_count = count;
out:
    arena_destroy(a);
}
