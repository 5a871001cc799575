/*++
 * NAME
 *	rlog 3
 * SUMMARY
 *	the client as Exim names it, and the reception log lines
 * SYNOPSIS
 *	#include "receive/receive.h"
 *
 *	void	receive_fullhost(gstr *out, const struct receive_params *p)
 *	void	receive_rcvhost(gstr *out, const struct receive_params *p)
 *	void	receive_host_field(gstr *out,
 *			const struct receive_params *p)
 *	char	*receive_log_line(struct receive *r)
 *	char	*receive_log_toobig(struct receive *r)
 *	char	*receive_log_refused(struct receive *r, const char *why)
 *	const char *receive_reject_block(struct receive *r)
 * DESCRIPTION
 *	receive_fullhost() is Exim's $sender_fullhost: "name [ip]" for a
 *	verified host name, "name (helo) [ip]" when the HELO name
 *	differs from it, "(helo) [ip]" or "[ip]" without a verified name;
 *	":port" follows "]" under log_selector +incoming_port.
 *	receive_rcvhost() is $sender_rcvhost, the client part of the
 *	Received: header: "name ([ip] helo=x)", or "[ip] (port=N helo=x
 *	ident=y)" without a verified name. A HELO that is the client's
 *	own IP literal is not repeated.
 *
 *	receive_host_field() appends what Exim's add_host_info_for_log()
 *	writes before P=: " H=<fullhost>", " I=[ip]:port" under
 *	+incoming_interface, and " U=<ident>". Rejection lines of the
 *	SMTP layer use it too.
 *
 *	receive_log_line() builds the "<=" line in Exim's field order:
 *	<= sender [H= [I=]] [U=] P= [L] [X= [CV=] [DN=] [SNI=]]
 *	[A=driver[:id[:sender]]] [PRX=] [K] S= [M8S=] [RT=] [id=|id*=]
 *	[T="subject"] [from <sender>] [for rcpt ...], each optional part
 *	under its log_selector.
 *
 *	receive_log_refused() is the text Exim logs for a message refused
 *	while its data is read, "rejected from <sender> H=...: why";
 *	receive_log_toobig() is the one for message_size_limit.
 *
 *	receive_reject_block() is what Exim's reject log adds to a
 *	rejection once the message has headers (+rejected_header):
 *	"Envelope-from: <s>", "Envelope-to: <r>" and up to four more
 *	recipients ("    ..." for the rest) when there are recipients,
 *	then every header line with its type letter. NULL when the
 *	selector is off.
 * DIAGNOSTICS
 *	None.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "base/tod.h"
#include "log/log.h"
#include "receive/addr.h"
#include "receive/hostid.h"
#include "receive/receive_int.h"
#include "spool/spool_body.h"

static void
params_host_id(const struct receive_params *p, struct host_id *h)
{
    memset(h, 0, sizeof(*h));
    h->address = p->host_address;
    h->port = p->host_port;
    h->name = p->host_name;
    h->helo = p->helo_name;
    h->ident = p->ident;
    h->interface_address = p->interface_address;
    h->interface_port = p->interface_port;
}

void
receive_fullhost(gstr *out, const struct receive_params *p)
{
    struct host_id h;

    params_host_id(p, &h);
    host_fullhost(out, &h);
}

void
receive_rcvhost(gstr *out, const struct receive_params *p)
{
    struct host_id h;

    params_host_id(p, &h);
    host_rcvhost(out, &h);
}

void
receive_host_field(gstr *out, const struct receive_params *p)
{
    if (p->host_address != NULL) {
        gstr_adds(out, " H=");
        receive_fullhost(out, p);
        if (log_selected(LS_incoming_interface) && p->interface_address)
            gstr_printf(out, " I=[%s]:%d", p->interface_address,
                        p->interface_port);
    }
    if (p->ident != NULL)
        gstr_printf(out, " U=%s", p->ident);
}

static void
add_tls(gstr *g, const struct receive_params *p)
{
    if (log_selected(LS_tls_cipher) && p->tls_cipher)
        gstr_printf(g, " X=%s", p->tls_cipher);
    if (log_selected(LS_tls_certificate_verified) && p->tls_cipher)
        gstr_printf(g, " CV=%s", p->tls_certificate_verified ? "yes" : "no");
    if (log_selected(LS_tls_peerdn) && p->tls_peerdn) {
        gstr_adds(g, " DN=\"");
        str_printing(g, p->tls_peerdn, strlen(p->tls_peerdn));
        gstr_addc(g, '"');
    }
    if (log_selected(LS_tls_sni) && p->tls_sni) {
        gstr_adds(g, " SNI=");
        str_printing(g, p->tls_sni, strlen(p->tls_sni));
    }
}

/* id= (or id*= for one mxlab made, under +msg_id_created): the
 * addr-spec of the Message-ID. */
static void
add_msgid(struct receive *r, gstr *g)
{
    const struct spool_header *h = r->msgid_header;

    if (!log_selected(LS_msg_id) || h == NULL ||
        (r->msgid_created && !log_selected(LS_msg_id_created)))
        return;
    const char *colon = memchr(h->text, ':', h->len);
    const char *v = colon + 1, *end = h->text + h->len;
    const char *why;
    int dom;
    char *copy = arena_strndup(r->a, v, (size_t)(end - v));
    for (char *s = copy; *s; s++)
        if (*s == '\n')
            *s = ' ';
    char *id = addr_extract(r->a, copy, strlen(copy), &dom, &why);
    if (id == NULL || *id == '\0')
        return;
    gstr_adds(g, r->msgid_created ? " id*=" : " id=");
    str_printing(g, id, strlen(id));
}

static void
add_subject(struct receive *r, gstr *g)
{
    char *s = "";
    gstr q;

    if (!log_selected(LS_subject) || r->subject_header == NULL)
        return;
    if (r->p.ctx != NULL &&
        expand_string(r->p.ctx, "$h_subject:", &s, NULL) != EXPAND_OK)
        s = "";
    gstr_init(&q, r->a);
    gstr_addc(&q, '"');
    for (int i = 0; i < 100 && s[i] != '\0'; i++) {
        if (s[i] == '"' || s[i] == '\\')
            gstr_addc(&q, '\\');
        gstr_addc(&q, s[i]);
    }
    gstr_addc(&q, '"');
    gstr_adds(g, " T=");
    str_printing(g, q.s, q.len);
}

static long
message_size(struct receive *r)
{
    long body = r->committed ? (long)spool_body_size(r->body) : r->body_bytes;

    return (long)spool_msg_header_size(&r->m) + body + 1;
}

/* extras: the "from" and "for" parts, which Exim adds as it writes the
 * main log line only (the message log does not get them). */
char *
receive_log_line_ex(struct receive *r, int extras)
{
    const struct receive_params *p = &r->p;
    gstr g;

    gstr_init(&g, r->a);
    gstr_printf(&g, "<= %s", *p->sender ? p->sender : "<>");
    if (p->message_reference != NULL)
        gstr_printf(&g, " R=%s", p->message_reference);
    receive_host_field(&g, p);
    if (p->protocol != NULL)
        gstr_printf(&g, " P=%s", p->protocol);
    if (log_selected(LS_pipelining) && p->pipelining_advertised)
        gstr_adds(&g, p->pipelining_used ? " L" : " L-");
    add_tls(&g, p);
    if (p->auth_driver != NULL) {
        gstr_printf(&g, " A=%s", p->auth_driver);
        if (p->auth_id != NULL) {
            gstr_printf(&g, ":%s", p->auth_id);
            if (log_selected(LS_smtp_mailauth) && p->auth_sender)
                gstr_printf(&g, ":%s", p->auth_sender);
        }
    }
    if (log_selected(LS_proxy) && p->proxy_local_address)
        gstr_printf(&g, " PRX=%s", p->proxy_local_address);
    if (p->chunking)
        gstr_adds(&g, " K");
    gstr_printf(&g, " S=%ld", message_size(r));
    if (log_selected(LS_8bitmime))
        gstr_printf(&g, " M8S=%d", p->body_8bitmime);
    if (log_selected(LS_dkim) && r->dkim_domain != NULL) {
        gstr_adds(&g, " DKIM=");
        str_printing(&g, r->dkim_domain, strlen(r->dkim_domain));
    }
    if (log_selected(LS_dkim) && r->arc_pass)
        gstr_adds(&g, " ARC");
    if (log_selected(LS_receive_time)) {
        gstr_adds(&g, " RT=");
        tod_format_duration(&g, (long)(r->complete.tv_sec - r->start.tv_sec));
    }
    add_msgid(r, &g);
    add_subject(r, &g);
    if (!extras)
        return (char *)gstr_str(&g);
    if (log_selected(LS_received_sender))
        gstr_printf(&g, " from <%s>", p->sender);
    if (log_selected(LS_received_recipients) && r->nraw > 0) {
        gstr_adds(&g, " for");
        for (int i = 0; i < r->nraw; i++)
            gstr_printf(&g, " %s", r->raw_rcpts[i]);
    }
    return (char *)gstr_str(&g);
}

char *
receive_log_line(struct receive *r)
{
    return receive_log_line_ex(r, 1);
}

char *
receive_log_refused(struct receive *r, const char *why)
{
    gstr g, h;

    gstr_init(&g, r->a);
    gstr_init(&h, r->a);
    receive_host_field(&h, &r->p);
    gstr_printf(&g, "rejected from <%s>%s: %s", r->p.sender, gstr_str(&h), why);
    return (char *)gstr_str(&g);
}

char *
receive_log_toobig(struct receive *r)
{
    return receive_log_refused(
        r, arena_printf(r->a, "message too big: read=%ld max=%ld",
                        r->toobig_size, r->p.message_size_limit));
}

const char *
receive_reject_block(struct receive *r)
{
    struct spool_msg *m = &r->m;
    gstr g;
    int i;

    if (!log_selected(LS_rejected_header))
        return NULL;
    gstr_init(&g, r->a);
    if (m->rcpt_count > 0) {
        gstr_printf(&g, "Envelope-from: <%s>\n", m->sender ? m->sender : "");
        gstr_printf(&g, "Envelope-to: <%s>\n", m->rcpts[0].address);
        for (i = 1; i < m->rcpt_count && i < 5; i++)
            gstr_printf(&g, "    <%s>\n", m->rcpts[i].address);
        if (i < m->rcpt_count)
            gstr_adds(&g, "    ...\n");
    }
    /* (the Received: header is still empty when the data was too big) */
    for (struct spool_header *h = m->headers; h != NULL; h = h->next)
        if (h->text != NULL && h->len > 0) {
            gstr_printf(&g, "%c ", h->type);
            gstr_addn(&g, h->text, h->len);
        }
    return gstr_str(&g);
}
