/* retry.h: retry data for one delivery run (Exim's retry.c). */
#ifndef MXLAB_RETRY_RETRY_H
#define MXLAB_RETRY_RETRY_H

#include <time.h>

struct address;
struct driver_instance;

/* Starts a delivery run of message msgid; queue_run: part of -q (and
 * not forced): routing and local deliveries honour retry times. force:
 * -M, -qf: hosts' retry times are ignored too. */
void retry_run_begin(const char *msgid, const char *sender, time_t received,
                     int queue_run, int force);
/* Ends it: closes the database. */
void retry_run_end(void);
/* The database and message of the delivery under way (NULL outside one),
 * for retry_wait.c. */
struct retry_db *retry_shared_db(void);
const char *retry_current_msgid(void);
/* A host deferred the message itself (4xx to MAIL or DATA): as Exim, the
 * message is then not recorded as waiting for its hosts. */
int retry_message_specific(void);

/* retry_wait.c: the messages waiting for a host (Exim's wait-<transport>
 * hints), for the message under way. */
struct host_item;
void retry_wait_add(const char *tp, const struct host_item *hosts);
int retry_wait_take(const char *tp, const char *host);
int retry_wait_others(const char *tp, const char *host);

/* Before routing a: 1 if it is to be deferred ("retry time not
 * reached"; a->basic_errno and a->message are set). */
int retry_route_check(struct address *a);
/* After routing a: a deferral sets a retry item, a success deletes
 * the routing records the check found. */
void retry_route_result(struct address *a, int deferred);
/* Before a local delivery of a: 1 if it is to be deferred ("Retry
 * time not yet reached"). */
int retry_local_check(struct address *a);
/* After a transport ran for the batch addrs (linked by next). */
void retry_transport_result(struct address *addrs, int local);
/* At the end of the run (before bounces): writes the retry database
 * and turns deferred addresses whose rules have all timed out into
 * failures ("retry timeout exceeded"). done: every address with a
 * result, linked by next. msgid for the log lines. */
void retry_update(struct address *done);

#endif
