/*++
 * NAME
 *	dlog 3
 * SUMMARY
 *	delivery log lines
 * SYNOPSIS
 *	#include "deliver/deliver_int.h"
 *
 *	void	deliver_log_success(struct dlv *d, struct address *a,
 *			char flag)
 *	void	deliver_log_failure(struct dlv *d, struct address *a,
 *			int routing)
 *	void	deliver_log_defer(struct dlv *d, struct address *a,
 *			int routing)
 *	const char *deliver_qt(struct dlv *d, const char *prefix)
 *	void	deliver_msglog(struct dlv *d, const char *text)
 * DESCRIPTION
 *	The lines of Exim's deliver.c (delivery_log(), failure_log(),
 *	deferral_log()):
 *
 *	"=> addr <top> [F=<sender>] [P=<return path>] R=r T=t [S=]
 *	[H=host [ip][:port]] [PS=seq] [L] [C="reply"] [QT=] [DT=]", with
 *	"->" for further addresses of one SMTP transaction and "*>"
 *	under -N. A pipe or file delivery shows the command or
 *	path and the top address; a local delivery by a router with
 *	log_as_local (the accept router's default) just the local part
 *	and the top address; an address that differs from its top
 *	address shows that in angle brackets. Addresses are written
 *	local_part@domain, without a stripped prefix or suffix.
 *
 *	"** addr <top> [F=] [P=] [R=r] [T=t] [H=] [PS=] [X= CV= DN=]:
 *	message", with ": " and the system error first when there is
 *	one; "** addr: Unrouteable address" when no router took it.
 *
 *	"== addr <top> R=r T=t defer (errno): [strerror: ]message", or
 *	"R=r defer ..." for a routing deferral.
 *
 *	The message log gets "addr: T transport succeeded", "routing
 *	failed for ..." or "T transport failed for ..." and the defer
 *	lines, each with a time stamp.
 * DIAGNOSTICS
 *	A message log that cannot be written is ignored, as Exim does.
 *--*/

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "base/tod.h"
#include "conf/driver.h"
#include "conf/mainopts.h"
#include "deliver/deliver_int.h"
#include "log/log.h"
#include "route/router.h"
#include "transport/tpcall.h"

void
deliver_msglog(struct dlv *d, const char *text)
{
    gstr path, line;
    int fd;

    if (!main_config.message_logs)
        return;
    gstr_init(&path, d->a);
    if (d->split)
        gstr_printf(&path, "%s/msglog/%c/%s", d->spool_dir, d->m.id[5],
                    d->m.id);
    else
        gstr_printf(&path, "%s/msglog/%s", d->spool_dir, d->m.id);
    fd = open(path.s, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return;
    gstr_init(&line, d->a);
    tod_log(&line, time(NULL));
    gstr_printf(&line, " %s\n", text);
    (void)!write(fd, line.s, line.len);
    close(fd);
}

/* Exim passes a delivery's error text from the delivery process to its
 * parent escaped and cut at 1024 characters, so that is what its ** and ==
 * lines (and its bounces) show: a multi-line SMTP reply appears with "\n"
 * escapes, never with a raw newline. */
static const char *
message_as_logged(struct dlv *d, struct address *a)
{
    gstr g;

    if (a->message == NULL)
        return NULL;
    gstr_init(&g, d->a);
    str_printing(&g, a->message, strlen(a->message));
    if (g.len > 1024)
        gstr_truncate(&g, 1024);
    a->message = (char *)gstr_str(&g);
    return a->message;
}

static void
add_duration(gstr *g, long secs)
{
    if (secs < 0)
        secs = 0;
    tod_format_duration(g, secs);
}

const char *
deliver_qt(struct dlv *d, const char *prefix)
{
    gstr g;

    gstr_init(&g, d->a);
    gstr_adds(&g, prefix);
    add_duration(&g, (long)(time(NULL) - d->m.received_sec));
    return g.s;
}

/* A successful local delivery by a router with log_as_local shows
 * just the local part. */
static int
as_local(const struct address *a)
{
    const struct router_generic *g =
        a->router ? (const struct router_generic *)a->router->generic : NULL;
    const struct transport_driver *drv =
        a->transport ? transport_driver_for(a->transport) : NULL;

    return g != NULL && g->log_as_local > 0 && drv != NULL && drv->local;
}

/* Exim's string_log_address(). */
static void
log_address(gstr *g, const struct address *a, int success)
{
    const struct address *top = a;
    int pfr = (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) != 0;
    size_t start;

    while (top->parent != NULL)
        top = top->parent;
    if (pfr) {
        gstr_adds(g, a->address);
    } else if (success && as_local(a)) {
        gstr_adds(g, a->local_part);
    } else {
        start = g->len;
        gstr_printf(g, "%s@%s", a->local_part, a->domain);
        if (strcasecmp(g->s + start, top->address) == 0 &&
            strncmp(g->s + start, top->address, strlen(a->local_part)) == 0)
            return;
    }
    if (pfr && a->parent != NULL && a->parent != top)
        gstr_printf(g, " (%s)", a->parent->address);
    gstr_printf(g, " <%s>", top->address);
}

/* Exim's d_hostlog(): " H=name [ip]" with ":port" under
 * +outgoing_port, for a remote delivery's host; "*" after it for a
 * connection kept from an earlier message; then I=, our end of the
 * connection. */
static void
add_host(gstr *g, const struct address *a)
{
    const struct host_item *h = a->host_used;

    if (h == NULL)
        return;
    gstr_printf(g, " H=%s [%s]", h->name, h->address ? h->address : "");
    if (log_selected(LS_outgoing_port))
        gstr_printf(g, ":%d", h->port > 0 ? h->port : 25);
    if (a->flags & ADDR_CONT_CONN)
        gstr_addc(g, '*');
    /* Exim's d_log_interface(): our end, under +incoming_interface with
     * outgoing_interface (on by default), ":port" under +outgoing_port */
    if (h->sending_ip != NULL && log_selected(LS_incoming_interface) &&
        log_selected(LS_outgoing_interface)) {
        gstr_printf(g, " I=[%s]", h->sending_ip);
        if (log_selected(LS_outgoing_port))
            gstr_printf(g, ":%d", h->sending_port);
    }
}

/* Exim's d_tlslog(): X=, CV= and DN= for a delivery over TLS (no DN= on
 * a kept connection). */
static void
add_tls(gstr *g, const struct address *a)
{
    if (a->tls_cipher == NULL)
        return;
    if (log_selected(LS_tls_cipher))
        gstr_printf(g, " X=%s", a->tls_cipher);
    if (log_selected(LS_tls_certificate_verified))
        gstr_printf(g, " CV=%s", a->tls_cert_verified ? "yes" : "no");
    /* On a kept connection Exim's continued delivery knows the cipher
     * and the verification, not the peer's DN. */
    if (log_selected(LS_tls_peerdn) && a->tls_peerdn != NULL &&
        !(a->flags & ADDR_CONT_CONN)) {
        gstr_adds(g, " DN=\"");
        str_printing(g, a->tls_peerdn, strlen(a->tls_peerdn));
        gstr_addc(g, '"');
    }
}

/* " PS=seq" under +protocol_detail: the commands that opened the SMTP
 * session (e EHLO, h HELO, l LHLO, s STARTTLS, a AUTH), on the first
 * address of the transaction that opened it. */
static void
add_proto_seq(gstr *g, const struct address *a)
{
    if (a->proto_seq != NULL && a->proto_seq[0] != '\0' &&
        log_selected(LS_protocol_detail))
        gstr_printf(g, " PS=%s", a->proto_seq);
}

/* C="..." under +smtp_confirmation: the reply to the final dot, with
 * quotes and backslashes escaped, at most 1024 bytes. */
static void
add_confirmation(gstr *g, const struct address *a)
{
    if (a->host_used == NULL || a->message == NULL ||
        !log_selected(LS_smtp_confirmation))
        return;
    gstr_adds(g, " C=\"");
    for (size_t i = 0; i < 1024 && a->message[i] != '\0'; i++) {
        if (a->message[i] == '"' || a->message[i] == '\\')
            gstr_addc(g, '\\');
        gstr_addc(g, a->message[i]);
    }
    gstr_addc(g, '"');
}

static void
add_sender_rp(gstr *g, struct dlv *d, const struct address *a)
{
    if (log_selected(LS_sender_on_delivery))
        gstr_printf(g, " F=<%s>", d->m.sender);
    if (a->return_path != NULL && log_selected(LS_return_path_on_delivery))
        gstr_printf(g, " P=<%s>", a->return_path);
}

void
deliver_log_success(struct dlv *d, struct address *a, char flag)
{
    gstr g;

    gstr_init(&g, d->a);
    gstr_printf(&g, "%s %c> ", d->m.id, d->m.dont_deliver ? '*' : flag);
    log_address(&g, a, 1);
    add_sender_rp(&g, d, a);
    if (a->router != NULL)
        gstr_printf(&g, " R=%s", a->router->name);
    gstr_printf(&g, " T=%s", a->transport->name);
    if (log_selected(LS_delivery_size))
        gstr_printf(&g, " S=%ld", a->size);
    add_host(&g, a);
    add_proto_seq(&g, a); /* Exim: H=, PS=, then X= CV= DN= */
    add_tls(&g, a);
    /* A=, as Exim's delivery_log(); not on a kept connection, where
     * Exim's continued delivery does not know the authenticator. */
    if (a->authenticator != NULL && !(a->flags & ADDR_CONT_CONN)) {
        gstr_printf(&g, " A=%s", a->authenticator);
        if (a->auth_id != NULL) {
            gstr_printf(&g, ":%s", a->auth_id);
            /* +smtp_mailauth: the AUTH= sender of the MAIL command */
            if (log_selected(LS_smtp_mailauth) && a->auth_sender != NULL)
                gstr_printf(&g, ":%s", a->auth_sender);
        }
    }
    if ((a->flags & ADDR_PIPELINED) && log_selected(LS_pipelining))
        gstr_adds(&g, " L");
    if (a->flags & ADDR_CHUNKING) /* always, as Exim */
        gstr_adds(&g, " K");
    if (a->dkim_used != NULL && log_selected(LS_dkim_verbose))
        gstr_printf(&g, " DKIM=%s", a->dkim_used);
    add_confirmation(&g, a);
    if (log_selected(LS_queue_time))
        gstr_adds(&g, deliver_qt(d, " QT="));
    if (log_selected(LS_deliver_time)) {
        gstr_adds(&g, " DT=");
        add_duration(&g, (long)(time(NULL) - d->started));
    }
    log_write(LOG_MAIN, "%s", g.s);
    if (!d->m.dont_deliver)
        deliver_msglog(d, arena_printf(d->a, "%s: %s transport succeeded",
                                       a->address, a->transport->name));
}

void
deliver_log_failure(struct dlv *d, struct address *a, int routing)
{
    gstr g;

    gstr_init(&g, d->a);
    log_address(&g, a, 0);
    add_sender_rp(&g, d, a);
    if (a->router != NULL)
        gstr_printf(&g, " R=%s", a->router->name);
    if (a->transport != NULL && !routing)
        gstr_printf(&g, " T=%s", a->transport->name);
    if (!routing) {
        add_host(&g, a);
        add_proto_seq(&g, a);
        add_tls(&g, a);
    }
    /* ": " as Exim's failure_log() (4.96 to the current one). */
    if (a->basic_errno > 0)
        gstr_printf(&g, ": %s", strerror(a->basic_errno));
    if (message_as_logged(d, a) != NULL)
        gstr_printf(&g, ": %s", a->message);
    if (log_selected(LS_deliver_time)) {
        gstr_adds(&g, " DT=");
        add_duration(&g, (long)(time(NULL) - d->started));
    }
    log_write(LOG_MAIN, "%s ** %s", d->m.id, g.s);
    deliver_msglog(d, arena_printf(d->a, "%s failed for %s",
                                   routing || a->transport == NULL
                                       ? "routing"
                                       : arena_printf(d->a, "%s transport",
                                                      a->transport->name),
                                   g.s));
}

void
deliver_log_defer(struct dlv *d, struct address *a, int routing)
{
    gstr g;

    gstr_init(&g, d->a);
    log_address(&g, a, 0);
    if (!routing && a->transport != NULL) {
        if (a->router != NULL)
            gstr_printf(&g, " R=%s", a->router->name);
        gstr_printf(&g, " T=%s", a->transport->name);
    } else if (a->router != NULL) {
        gstr_printf(&g, " R=%s", a->router->name);
    } else {
        gstr_adds(&g, " routing");
    }
    gstr_printf(&g, " defer (%d)", a->basic_errno);
    if (a->basic_errno > 0)
        gstr_printf(&g, ": %s", strerror(a->basic_errno));
    if (!routing)
        add_host(&g, a);
    if (log_selected(LS_deliver_time)) {
        gstr_adds(&g, " DT=");
        add_duration(&g, (long)(time(NULL) - d->started));
    }
    if (message_as_logged(d, a) != NULL)
        gstr_printf(&g, ": %s", a->message);
    if (d->m.deliver_firsttime || a->basic_errno > -52) /* ERRNO_RETRY_BASE */
        deliver_msglog(d, g.s);
    /* "retry time not reached" and the like: under +retry_defer */
    if (a->basic_errno > -52 || log_selected(LS_retry_defer))
        log_write(LOG_MAIN | (a->flags & ADDR_LOG_PANIC ? LOG_PANIC : 0),
                  "%s == %s", d->m.id, g.s);
}
