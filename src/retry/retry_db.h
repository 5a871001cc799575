/* retry_db.h: the retry database (LMDB) under spool_directory/db/retry. */
#ifndef MXLAB_RETRY_RETRY_DB_H
#define MXLAB_RETRY_RETRY_DB_H

#include <time.h>

#include "base/gstr.h"

#define RETRY_TEXT_MAX 512

/* One record, as Exim's dbdata_retry: when it was written, when the
 * destination first failed, when it was last tried, when it may be
 * tried again, whether its rules have timed out, and the last error. */
struct retry_rec {
    time_t time_stamp;
    time_t first_failed;
    time_t last_try;
    time_t next_try;
    int basic_errno;
    int more_errno;
    int expired;
    char text[RETRY_TEXT_MAX + 1];
};

struct retry_db;

/* Opens the database; rw creates it (and spool_directory/db). NULL when
 * it cannot be opened (read-only and missing: err left empty). */
struct retry_db *retry_db_open(int rw, gstr *err);
void retry_db_close(struct retry_db *db);
/* 1 and *r filled if key has a record, 0 if not. */
int retry_db_get(struct retry_db *db, const char *key, struct retry_rec *r);
int retry_db_put(struct retry_db *db, const char *key,
                 const struct retry_rec *r);
int retry_db_del(struct retry_db *db, const char *key);
/* Calls fn for each record in key order; fn returning non-zero stops. */
int retry_db_walk(struct retry_db *db,
                  int (*fn)(const char *key, const struct retry_rec *r,
                            void *ctx),
                  void *ctx);

#endif
