/* smtp_retry.h: how the smtp transport asks about and reports hosts'
 * retry state (set by the retry area, retry(3); NULL: no retry data). */
#ifndef MXLAB_TRANSPORT_SMTP_RETRY_H
#define MXLAB_TRANSPORT_SMTP_RETRY_H

struct transport_call;
struct host_item;

#define SMTP_HOST_USABLE  0
#define SMTP_HOST_RETRY   1 /* retry time not reached */
#define SMTP_HOST_EXPIRED 2 /* not reached, and its rules timed out */

/* Before a host is tried: one of SMTP_HOST_*. */
extern int (*smtp_retry_host_check)(struct transport_call *c,
                                    struct host_item *h);
/* A host or this message at a host (message set, or err -45/-46: a
 * 4xx to MAIL or DATA, or another of Exim's message errors) failed
 * temporarily; msg NULL for a connection that was not made. */
extern void (*smtp_retry_host_failed)(struct transport_call *c,
                                      const struct host_item *h, int err,
                                      const char *msg, int message);

#endif
