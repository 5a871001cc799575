/* bounce.h: failure reports ("bounces") for failed addresses. */
#ifndef MXLAB_DELIVER_BOUNCE_H
#define MXLAB_DELIVER_BOUNCE_H

struct address;
struct spool_msg;

/* deliver_bounce_hook: spools a bounce for the failed addresses in
 * done, or freezes m when it is itself a bounce. */
void bounce_send(struct spool_msg *m, struct address *done);

#endif
