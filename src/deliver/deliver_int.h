/* deliver_int.h: what the delivery area's files share. */
#ifndef MXLAB_DELIVER_DELIVER_INT_H
#define MXLAB_DELIVER_DELIVER_INT_H

#include <sys/types.h>
#include <time.h>

#include "expand/expand.h"
#include "route/address.h"
#include "spool/envelope.h"

/* One delivery run of one message. */
struct dlv {
    struct arena *a;
    const char *spool_dir;
    int split;
    struct spool_msg m;
    int lock_fd, data_fd, journal_fd;
    off_t body_offset, body_size;
    long size;
    struct expand_message xmsg;
    struct expand_ctx x;
    char *routed;            /* per recipient: taken on in this run */
    struct address *deliver; /* routed, waiting for their transport */
    struct address *done;    /* everything with a result */
    struct address **done_tail;
    struct tree_node *seen; /* unique keys routed in this run */
    time_t started;
    unsigned flags; /* DELIVER_* */
};

struct transport_call;
struct transport_driver;
/* A local delivery under the user and group that apply, in a child
 * process, when running as root (deliver_uid.c): 1 if it was done (or
 * the addresses deferred), 2 if done and the child wrote the successes
 * to journal_fd (the -J file, -1: none) itself, 0 if the caller is to
 * run the transport. */
int deliver_as_user(struct transport_call *c,
                    const struct transport_driver *drv, int journal_fd);
/* Appends the keys of the batch's delivered addresses to the -J file fd
 * and fsync()s it: 0, or -1 with errno set. */
int deliver_journal_write(int fd, const struct address *batch, struct arena *a);

/* Log lines (deliver/dlog.c), to the main log and the message log. */
void deliver_log_success(struct dlv *d, struct address *a, char flag);
void deliver_log_failure(struct dlv *d, struct address *a, int routing);
void deliver_log_defer(struct dlv *d, struct address *a, int routing);
/* prefix + the time since reception ("1m2s"), in d's arena. */
const char *deliver_qt(struct dlv *d, const char *prefix);
/* Appends "TIME text\n" to the message log (message_logs). */
void deliver_msglog(struct dlv *d, const char *text);

#endif
