/* smtp_limits.h: the smtp transport's side of the LIMITS ESMTP extension
 * (RFC 9422): what the server's EHLO reply says, and what it means for
 * the transactions and connections. Without EXPERIMENTAL_ESMTP_LIMITS the
 * functions are stand-ins that leave every limit off. */
#ifndef MXLAB_TRANSPORT_SMTP_LIMITS_H
#define MXLAB_TRANSPORT_SMTP_LIMITS_H

#include <string.h>

/* 0: no limit from the server */
struct smtp_limits {
    int mailmax;
    int rcptmax;
    int rcptdomainmax;
};

#ifdef EXPERIMENTAL_ESMTP_LIMITS
/* Reads LIMITS from an EHLO reply (its lines joined by "\n", codes kept).
 * The values count only under TLS or when the server offers no
 * STARTTLS; otherwise l is all 0. */
void smtp_limits_read(struct smtp_limits *l, const char *ehlo_reply,
                      int tls_active);
#else
static inline void
smtp_limits_read(struct smtp_limits *l, const char *ehlo_reply, int tls_active)
{
    (void)ehlo_reply;
    (void)tls_active;
    memset(l, 0, sizeof(*l));
}
#endif

/* Recipients per transaction: the lower of the transport's max_rcpt and
 * RCPTMAX. */
static inline int
smtp_limits_rcpt(const struct smtp_limits *l, int max_rcpt)
{
    return l->rcptmax > 0 && l->rcptmax < max_rcpt ? l->rcptmax : max_rcpt;
}

/* Transactions per connection: the lower of connection_max_messages
 * (0: no limit) and MAILMAX; 0 when neither limits. */
static inline int
smtp_limits_mail(const struct smtp_limits *l, int connection_max)
{
    if (l->mailmax > 0 && (connection_max <= 0 || l->mailmax < connection_max))
        return l->mailmax;
    return connection_max > 0 ? connection_max : 0;
}

#endif
