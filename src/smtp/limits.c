/*++
 * NAME
 *	limits 3
 * SUMMARY
 *	the LIMITS ESMTP extension, server side
 * SYNOPSIS
 *	#include "smtp/limits.h"
 *
 *	void	limits_smtp_init(void)
 * DESCRIPTION
 *	The EHLO reply carries "LIMITS MAILMAX=n RCPTMAX=m" (RFC 9422)
 *	right after SIZE when the client matches limits_advertise_hosts
 *	(default "*"). MAILMAX is smtp_accept_max_per_connection,
 *	expanded at each EHLO; RCPTMAX is recipients_max, expanded once
 *	per connection. A value of 0 is left out, and with both 0 there
 *	is no LIMITS line, as in Exim. RCPTDOMAINMAX is never advertised.
 *
 *	The limits themselves are enforced by MAIL and RCPT (mail.c),
 *	whether they were advertised or not.
 *--*/

#include "base/gstr.h"
#include "smtp/ehlo.h"
#include "smtp/limits.h"
#include "smtp/limits_conf.h"
#include "smtp/smtp_int.h"

static int
limits_advertise(struct smtp_session *s, gstr *out)
{
    long mailmax = smtp_mailmax(s), rcptmax = smtp_rcptmax(s);

    if ((mailmax <= 0 && rcptmax <= 0) ||
        !smtp_host_in_named(s, limits_main.limits_advertise_hosts,
                            "limits_advertise_hosts"))
        return 0;
    gstr_adds(out, "LIMITS");
    if (mailmax > 0)
        gstr_printf(out, " MAILMAX=%ld", mailmax);
    if (rcptmax > 0)
        gstr_printf(out, " RCPTMAX=%ld", rcptmax);
    return 1;
}

static struct ehlo_keyword limits_keyword = {EHLO_AFTER_SIZE, limits_advertise,
                                             NULL};

void
limits_smtp_init(void)
{
    smtp_ehlo_register(&limits_keyword);
}
