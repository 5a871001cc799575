/*++
 * NAME
 *	smtp_limits 3
 * SUMMARY
 *	LIMITS (RFC 9422) in the smtp transport
 * SYNOPSIS
 *	#include "transport/smtp_limits.h"
 *
 *	void	smtp_limits_read(struct smtp_limits *l,
 *				const char *ehlo_reply, int tls_active)
 * DESCRIPTION
 *	smtp_limits_read() finds a "250-LIMITS" or "250 LIMITS" line
 *	in an EHLO reply (not its first line; the keyword in upper case,
 *	as Exim's pattern wants it) and takes MAILMAX=, RCPTMAX= and
 *	RCPTDOMAINMAX= from it, names in any case, values as their
 *	leading digits; a later item of the same name wins, 0 or garbage
 *	means no limit, unknown items are skipped.
 *
 *	As in Exim, the values count only on a TLS connection or when
 *	the server does not offer STARTTLS: a server that offers TLS may
 *	say different things after it, and those are the ones to use.
 *
 *	What the transport does with them (smtp_run.c and
 *	smtp_transaction.c): RCPTMAX lower than max_rcpt splits a
 *	message into further transactions on the same connection;
 *	MAILMAX lower than connection_max_messages
 *	closes a connection after that many transactions, within a
 *	message and across the messages of a queue run; RCPTDOMAINMAX
 *	of any value sends one recipient domain per transaction.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/smtp_limits.h"

static int
offers_starttls(const char *reply)
{
    for (const char *p = reply; (p = strchr(p, '\n')) != NULL;) {
        const char *k = ++p;
        if (strlen(k) >= 12 && strncasecmp(k + 4, "STARTTLS", 8) == 0 &&
            (k[12] == '\0' || k[12] == '\n' || k[12] == ' '))
            return 1;
    }
    return 0;
}

static const char *
find_limits(const char *reply)
{
    for (const char *p = reply; (p = strchr(p, '\n')) != NULL;) {
        const char *k = ++p;
        if (strncmp(k, "250", 3) == 0 && (k[3] == '-' || k[3] == ' ') &&
            strncmp(k + 4, "LIMITS", 6) == 0 && (k[10] == ' ' || k[10] == '\t'))
            return k + 11;
    }
    return NULL;
}

static int
value(const char **s)
{
    long n = 0;

    while (isdigit((unsigned char)**s)) {
        if (n < 1000000000)
            n = n * 10 + (**s - '0');
        (*s)++;
    }
    return (int)n;
}

void
smtp_limits_read(struct smtp_limits *l, const char *ehlo_reply, int tls_active)
{
    const char *s;

    memset(l, 0, sizeof(*l));
    if (ehlo_reply == NULL || (!tls_active && offers_starttls(ehlo_reply)) ||
        (s = find_limits(ehlo_reply)) == NULL)
        return;
    while (*s != '\0' && *s != '\n') {
        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        if (strncasecmp(s, "MAILMAX=", 8) == 0) {
            s += 8;
            l->mailmax = value(&s);
        } else if (strncasecmp(s, "RCPTMAX=", 8) == 0) {
            s += 8;
            l->rcptmax = value(&s);
        } else if (strncasecmp(s, "RCPTDOMAINMAX=", 14) == 0) {
            s += 14;
            l->rcptdomainmax = value(&s);
        }
        while (*s != '\0' && *s != '\n' && *s != ' ' && *s != '\t')
            s++;
    }
}
