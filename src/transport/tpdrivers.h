/* tpdrivers.h: the transport drivers' code, for tpcall.c's table. */
#ifndef MXLAB_TRANSPORT_TPDRIVERS_H
#define MXLAB_TRANSPORT_TPDRIVERS_H

#include "transport/tpcall.h"

struct driver_instance;

extern const struct transport_driver transport_appendfile_driver;
extern const struct transport_driver transport_pipe_driver;
extern const struct transport_driver transport_smtp_driver;
#ifdef EXPERIMENTAL_QUEUEFILE
extern const struct transport_driver transport_queuefile_driver;
#endif
/* Ends (QUIT) the SMTP connection the smtp transport keeps open after a
 * message for the next one; the delivery process calls it when no
 * more messages follow (after a queue run, after a single delivery). */
void smtp_transport_close_idle(void);
/* While on (nested: a count), the kept connection is left alone: a
 * delivery of a report made in the middle of a queue run opens its own
 * connection and closes it, as Exim's separate process for the report
 * does. */
void smtp_transport_hold_idle(int on);
/* How many deliveries went down a kept connection that turned out to be
 * dead (the server had closed it), since the program started. */
long smtp_transport_kept_lost(void);
/* 1 if tp is an smtp transport whose own hosts replace a router's
 * (hosts_override with hosts): -bt then shows no hosts, as Exim. */
int smtp_transport_overrides_hosts(const struct driver_instance *tp);
/* -qq's first pass: a remote delivery is queued, not made; if tp is an
 * smtp transport, the message is recorded as waiting for the hosts it
 * would use (the router's, or its own hosts expanded in x), as Exim's
 * smtp transport does under queue_smtp. */
struct expand_ctx;
struct address;
void smtp_transport_queued(const struct driver_instance *tp,
                           struct expand_ctx *x, struct address *a);

#endif
