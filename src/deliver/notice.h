/* notice.h: DSN success notices and delay warnings (notice(3)). */
#ifndef MXLAB_DELIVER_NOTICE_H
#define MXLAB_DELIVER_NOTICE_H

struct address;
struct expand_ctx;
struct spool_msg;

/* After a delivery run: a success notice to the sender for the
 * addresses in done delivered now whose recipient asked for one
 * (NOTIFY=SUCCESS) and that did not go to a DSN-aware server. */
void notice_success(struct spool_msg *m, struct address *done);
/* After a run that leaves addresses deferred: a delay warning when
 * delay_warning says one is due (m->warning_count is updated; the
 * caller rewrites the -H). x: the message's expansion context. */
void notice_delay(struct spool_msg *m, struct address *done,
                  struct expand_ctx *x);

#endif
