/*++
 * NAME
 *	hostid 3
 * SUMMARY
 *	naming the client in logs and headers
 * SYNOPSIS
 *	#include "receive/hostid.h"
 *
 *	void	host_fullhost(gstr *out, const struct host_id *h)
 *	void	host_rcvhost(gstr *out, const struct host_id *h)
 *	void	host_and_ident(gstr *out, const struct host_id *h,
 *				int with_flag)
 *	void	host_connection_from(gstr *out, const struct host_id *h)
 * DESCRIPTION
 *	Exim names a remote client the same way everywhere: its verified
 *	host name if it has one, the HELO name in parentheses, and the
 *	address in brackets. With a verified name, the HELO name is left
 *	out when it is the client's own address literal or the same as the
 *	name; without one it is always shown in $sender_fullhost, and left
 *	out of $sender_rcvhost only when it is the address literal. Under
 *	the incoming_port log selector the port follows the bracket.
 *
 *	host_fullhost() is that form ($sender_fullhost);
 *	host_rcvhost() the variant for Received: headers
 *	($sender_rcvhost), where the address comes first and the HELO name
 *	and port go in parentheses; host_and_ident() the log-line field
 *	with its "H=" (and I= and U= as the selectors and facts say, and
 *	Ci=, the id of the process serving the connection, under
 *	+connection_id). host_connection_from() is what Exim's lines about
 *	the connection itself say ("lost", "closed by QUIT"): "connection
 *	Ci=N from " and the client, the id before the client there.
 *
 *	The names come from the client or its DNS (HELO, a PTR record,
 *	XCLIENT NAME, an ident answer), so each is shown through
 *	str_printing(): these forms go into Received: headers and logs.
 *--*/

#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/gstr.h"
#include "expand/ip.h"
#include "base/printing.h"
#include "log/log.h"
#include "receive/hostid.h"

/* True if the HELO name is an address literal for the client's own
 * address ("[192.0.2.1]", "[IPv6:::1]"). */
static int
helo_is_own_literal(const struct host_id *h)
{
    size_t n = strlen(h->helo);
    unsigned char a[16], b[16];
    int fa, fb;
    char ip[64];
    const char *p = h->helo + 1;

    /* A session without a client address (-bs run locally, XCLIENT
     * ADDR=[UNAVAILABLE]) has nothing to compare the literal with. */
    if (h->address == NULL || n < 3 || h->helo[0] != '[' ||
        h->helo[n - 1] != ']')
        return 0;
    if (strncasecmp(p, "IPv6:", 5) == 0 || strncasecmp(p, "IPv4:", 5) == 0)
        p += 5;
    if ((size_t)(h->helo + n - 1 - p) >= sizeof(ip))
        return 0;
    memcpy(ip, p, (size_t)(h->helo + n - 1 - p));
    ip[h->helo + n - 1 - p] = '\0';
    if (!ip_parse(ip, a, &fa) || !ip_parse(h->address, b, &fb) || fa != fb)
        return 0;
    return memcmp(a, b, sizeof(a)) == 0;
}

static int
show_helo(const struct host_id *h)
{
    if (h->helo == NULL || helo_is_own_literal(h))
        return 0;
    return h->name == NULL || strcasecmp(h->name, h->helo) != 0;
}

/* h with its client-supplied names made printable, in out's arena. */
static struct host_id
printable(gstr *out, const struct host_id *h)
{
    struct host_id p = *h;

    p.name = str_printing_dup(out->arena, h->name);
    p.helo = str_printing_dup(out->arena, h->helo);
    p.ident = str_printing_dup(out->arena, h->ident);
    return p;
}

static void
add_address(gstr *out, const struct host_id *h, int with_port)
{
    gstr_printf(out, "[%s]", h->address);
    if (with_port && h->port > 0)
        gstr_printf(out, ":%d", h->port);
}

void
host_fullhost(gstr *out, const struct host_id *hid)
{
    struct host_id hp = printable(out, hid);
    const struct host_id *h = &hp;

    if (h->address == NULL)
        return;
    /* Without a verified name the HELO name is always shown; with one,
     * only when it adds something. */
    if (h->name != NULL)
        gstr_printf(out, "%s ", h->name);
    if (h->name == NULL ? h->helo != NULL : show_helo(h))
        gstr_printf(out, "(%s) ", h->helo);
    add_address(out, h, log_selected(LS_incoming_port));
}

void
host_rcvhost(gstr *out, const struct host_id *hid)
{
    struct host_id hp = printable(out, hid);
    const struct host_id *h = &hp;
    int helo;
    int port = log_selected(LS_incoming_port) && h->port > 0;
    const char *sep = "";

    if (h->address == NULL)
        return;
    helo = show_helo(h);
    if (h->name != NULL) {
        /* Exim folds the line when both a HELO name and an ident follow. */
        gstr_printf(out, "%s%s([%s]", h->name, helo && h->ident ? "\n\t" : " ",
                    h->address);
        if (port)
            gstr_printf(out, ":%d", h->port);
        if (helo)
            gstr_printf(out, " helo=%s", h->helo);
        if (h->ident != NULL)
            gstr_printf(out, " ident=%s", h->ident);
        gstr_addc(out, ')');
        return;
    }
    gstr_printf(out, "[%s]", h->address);
    if (!port && !helo && h->ident == NULL)
        return;
    gstr_adds(out, " (");
    if (port) {
        gstr_printf(out, "port=%d", h->port);
        sep = " ";
    }
    if (helo) {
        gstr_printf(out, "%shelo=%s", sep, h->helo);
        sep = " ";
    }
    if (h->ident != NULL)
        gstr_printf(out, "%sident=%s", sep, h->ident);
    gstr_addc(out, ')');
}

static void
host_and_ident_fields(gstr *out, const struct host_id *h, int with_flag)
{
    if (h->address == NULL) {
        gstr_printf(out, "%s%s", with_flag ? "U=" : "",
                    h->ident ? h->ident : "unknown");
        return;
    }
    if (with_flag)
        gstr_adds(out, "H=");
    host_fullhost(out, h);
    if (log_selected(LS_incoming_interface) && h->interface_address) {
        gstr_printf(out, " I=[%s]", h->interface_address);
        if (h->interface_port > 0)
            gstr_printf(out, ":%d", h->interface_port);
    }
    if (h->ident != NULL)
        gstr_printf(out, " U=%s", h->ident);
}

static void
add_connection_id(gstr *out)
{
    if (log_selected(LS_connection_id))
        gstr_printf(out, " Ci=%ld", (long)getpid());
}

void
host_and_ident(gstr *out, const struct host_id *h, int with_flag)
{
    host_and_ident_fields(out, h, with_flag);
    add_connection_id(out);
}

void
host_connection_from(gstr *out, const struct host_id *h)
{
    gstr_adds(out, "connection");
    add_connection_id(out);
    gstr_adds(out, " from ");
    host_and_ident_fields(out, h, 0);
}
