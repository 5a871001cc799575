/* bounce.h: failure reports ("bounces") for failed addresses. */
#ifndef MXLAB_DELIVER_BOUNCE_H
#define MXLAB_DELIVER_BOUNCE_H

#include "spool/msgid.h"

struct address;
struct spool_msg;

/* deliver_bounce_hook: spools a bounce for the failed addresses in
 * done, or freezes m when it is itself a bounce. */
void bounce_send(struct spool_msg *m, struct address *done);
/* Moves up to max ids of reports bounce_send() spooled, and that
 * are still to be delivered, into ids; returns how many. */
int bounce_take_pending(char (*ids)[MSGID_LEN + 1], int max);

#endif
