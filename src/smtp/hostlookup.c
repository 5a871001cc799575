/*++
 * NAME
 *	hostlookup 3
 * SUMMARY
 *	the client's host name, looked up as Exim does
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	void	smtp_host_lookup_on_connect(struct smtp_session *s)
 *	void	smtp_host_lookup_for_helo(struct smtp_session *s,
 *				const char *helo)
 *	void	smtp_host_lookup_when_read(struct smtp_session *s)
 *	void	smtp_host_name_adopt(struct smtp_session *s)
 * DESCRIPTION
 *	A client's host name is looked up (a PTR record whose name's
 *	addresses include the client's address, so that the name is
 *	verified) when the client is in host_lookup, at the start of the
 *	session, or when its HELO/EHLO names something in
 *	helo_lookup_domains (default "@ : @[]": this server's own name or
 *	one of its address literals), because a log line that shows only
 *	"H=(mx.test.ex)" for a stranger that greets with the server's own
 *	name would mislead. A name found becomes $sender_host_name and is
 *	shown in H= ("H=name (helo) [ip]").
 *
 *	smtp_host_lookup_when_read() makes the session's expansions look
 *	the name up when $sender_host_name is read while unset, as Exim's
 *	does (a logwrite or condition that names it).
 *
 *	Only one lookup is made per session (none again after XCLIENT gave
 *	another address, as in Exim).
 *
 *	smtp_host_name_adopt() takes the name an ACL found (verify =
 *	reverse_host_lookup sets $sender_host_name) for the rest of the
 *	session, as Exim rebuilds its sender_fullhost then: H= fields,
 *	and the reception line of a message whose DATA ACL found it.
 * DIAGNOSTICS
 *	A lookup that finds no verified name is logged "no host name found
 *	for IP address IP" under the host_lookup_failed selector (on by
 *	default), as Exim logs it; the session goes on without a name.
 *	(Exim words a name whose addresses do not include the client's
 *	differently, in a message kept for later rejections; mxlab logs
 *	both cases the same way.)
 *--*/

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"
#include "smtp/smtp_int.h"

static void
host_lookup(struct smtp_session *s)
{
    const char *name = NULL;
    gstr err;

    if (s->host_address == NULL || s->host_name != NULL ||
        s->host_lookup_done || match_host_reverse_hook == NULL)
        return;
    s->host_lookup_done = 1;
    gstr_init(&err, s->msg_arena);
    if (match_host_reverse_hook(&s->x, s->host_address, &name, &err) ==
            MATCH_OK &&
        name != NULL && *name != '\0') {
        s->host_name = arena_strdup(s->conn_arena, name);
        s->tainted &= ~(unsigned)SESS_TAINT_HOST_NAME; /* from the DNS */
        smtp_set_host_vars(s);
        return;
    }
    /* as Exim, only when no name was found at all (not when one was
     * found that does not look up to the address again) */
    if (log_selected(LS_host_lookup_failed) && err.len == 0)
        log_write(LOG_MAIN, "no host name found for IP address %s",
                  s->host_address);
}

void
smtp_host_lookup_on_connect(struct smtp_session *s)
{
    if (s->host_address != NULL && smtp_host_in_opt(s, host_lookup))
        host_lookup(s);
}

void
smtp_host_lookup_for_helo(struct smtp_session *s, const char *helo)
{
    gstr err;

    if (s->host_address == NULL || s->host_name != NULL ||
        main_config.helo_lookup_domains == NULL)
        return;
    gstr_init(&err, s->msg_arena);
    if (match_domain(&s->x, helo, main_config.helo_lookup_domains, &err) ==
        MATCH_OK)
        host_lookup(s);
}

/* $sender_host_name read while unset. */
static void
lookup_when_read(struct expand_ctx *x)
{
    host_lookup((struct smtp_session *)x->conn);
}

void
smtp_host_lookup_when_read(struct smtp_session *s)
{
    s->x.conn = s;
    s->x.host_name_lookup = lookup_when_read;
}

void
smtp_host_name_adopt(struct smtp_session *s)
{
    const char *name;

    if (s->host_address == NULL || s->host_name != NULL)
        return;
    name = expand_get_var(&s->x, "sender_host_name");
    if (name == NULL || *name == '\0')
        return;
    s->host_name = arena_strdup(s->conn_arena, name);
    s->host_lookup_done = 1;
    smtp_set_host_vars(s);
}
