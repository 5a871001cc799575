/* arc_smtp.h: ARC verification of a message received over SMTP: the
 * verify = arc ACL condition, the $arc_* variables, the ARC tag of the
 * reception line and the arc= entry of ${authresults}. */
#ifndef MXLAB_ARC_ARC_SMTP_H
#define MXLAB_ARC_ARC_SMTP_H

#include <stddef.h>

struct arena;
struct expand_ctx;

/* Registers verify = arc and the ${authresults} hook (once). */
void arc_init(void);

/* A message's data starts: a is its arena, NULL when DKIM verification
 * is off for it (verify = arc then defers, as in Exim). Forgets the
 * last message's result and clears $arc_state, $arc_state_reason and
 * $arc_domains in x. */
void arc_msg_start(struct arena *a, struct expand_ctx *x);
/* One line of the message as received (a receive line sink). */
void arc_msg_line(const char *line, size_t len);
/* The end of the data (or the message is given up): the body hashes
 * are finished, releasing what they hold outside the arena. verify =
 * arc still works after it, until the next arc_msg_start(). */
void arc_msg_done(void);
/* Forgets the last message's verification (a session process about to
 * serve another connection). */
void arc_session_reset(void);

#endif
