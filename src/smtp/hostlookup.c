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
 *	int	smtp_helo_verify(struct smtp_session *s)
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
 *
 *	smtp_helo_verify() checks the HELO name as Exim does for
 *	helo_verify_hosts and helo_try_verify_hosts: true without a
 *	client address (-bs); an address literal must start with the
 *	client's address; a name must equal the client's (looked up now
 *	if it was not) or have the client's address among its A and AAAA
 *	records. It returns 1 (verified), 0, or -1 when the DNS did not
 *	answer.
 * DIAGNOSTICS
 *	A lookup that finds no name at all is logged "no host name found
 *	for IP address IP" under the host_lookup_failed selector (on by
 *	default), as Exim logs it; a name whose addresses do not include
 *	the client's is not logged (as in Exim). Either way the session
 *	goes on without a name, $host_lookup_failed is 1 and the spool
 *	file says -host_lookup_failed; a DNS that does not answer sets
 *	$host_lookup_deferred instead.
 *--*/

#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "dns/dns.h"
#include "expand/match.h"
#include "log/log.h"
#include "smtp/smtp_int.h"

static void
host_lookup(struct smtp_session *s)
{
    const char *name = NULL;
    gstr err;
    int rc;

    if (s->host_address == NULL || s->host_name != NULL ||
        s->host_lookup_done || match_host_reverse_hook == NULL)
        return;
    s->host_lookup_done = 1;
    gstr_init(&err, s->msg_arena);
    rc = match_host_reverse_hook(&s->x, s->host_address, &name, &err);
    if (rc == MATCH_OK && name != NULL && *name != '\0') {
        s->host_name = arena_strdup(s->conn_arena, name);
        s->tainted &= ~(unsigned)SESS_TAINT_HOST_NAME; /* from the DNS */
        smtp_set_host_vars(s);
        return;
    }
    if (rc == MATCH_DEFER) {
        s->host_lookup_deferred = 1;
        expand_set_var(&s->x, "host_lookup_deferred", "1");
        return;
    }
    s->host_lookup_failed = 1;
    expand_set_var(&s->x, "host_lookup_failed", "1");
    /* As Exim: a name that does not verify is not logged here */
    if (err.len == 0 && log_selected(LS_host_lookup_failed))
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

    if (s->host_address == NULL || s->host_name != NULL)
        return;
    gstr_init(&err, s->msg_arena);
    if (match_list_traced_named(&s->x, 'd', helo,
                                main_config.helo_lookup_domains,
                                "helo_lookup_domains", &err) == MATCH_OK)
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

/* A literal verifies when it starts with the client's address (Exim
 * compares no further), also in its IPv4-mapped IPv6 form. */
static int
helo_literal_fits(const char *helo, const char *ip)
{
    if (strncmp(helo + 1, ip, strlen(ip)) == 0)
        return 1;
    return strncasecmp(ip, "::ffff:", 7) == 0 &&
           strncmp(helo + 1, ip + 7, strlen(ip) - 7) == 0;
}

int
smtp_helo_verify(struct smtp_session *s)
{
    const char **addrs = NULL;
    int deferred = 0, rc;
    gstr err;

    if (s->helo_name == NULL)
        return 0;
    if (s->host_address == NULL)
        return 1;
    if (s->helo_name[0] == '[')
        return helo_literal_fits(s->helo_name, s->host_address);
    if (s->host_name == NULL && !s->host_lookup_failed) {
        host_lookup(s);
        deferred = s->host_lookup_deferred;
    }
    if (s->host_name != NULL && strcasecmp(s->host_name, s->helo_name) == 0)
        return 1;
    gstr_init(&err, s->msg_arena);
    rc = dns_host_addresses(s->msg_arena, s->helo_name, &addrs, &err);
    if (rc == DNS_OK)
        for (size_t i = 0; addrs[i] != NULL; i++)
            if (strcmp(addrs[i], s->host_address) == 0)
                return 1;
    return deferred ? -1 : 0;
}
