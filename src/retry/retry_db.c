/*++
 * NAME
 *	retry_db 3
 * SUMMARY
 *	the retry database
 * SYNOPSIS
 *	#include "retry/retry_db.h"
 *
 *	struct retry_db *retry_db_open(int rw, gstr *err)
 *	void	retry_db_close(struct retry_db *db)
 *	int	retry_db_get(struct retry_db *db, const char *key,
 *			struct retry_rec *r)
 *	int	retry_db_put(struct retry_db *db, const char *key,
 *			const struct retry_rec *r)
 *	int	retry_db_del(struct retry_db *db, const char *key)
 *	int	retry_db_walk(struct retry_db *db, int (*fn)(...), void *ctx)
 * DESCRIPTION
 *	Exim keeps its hints in spool_directory/db; mxlab's retry hints
 *	are an LMDB environment in the single file
 *	spool_directory/db/retry (with its lock file retry-lock). Keys are
 *	Exim's ("T:host:ip[:port]", "R:domain", "R:local@domain[:<sender>]",
 *	"T:local@domain"); the value is a fixed-size header (the times,
 *	the error numbers, the expired flag) followed by the error text.
 *	LMDB serialises writers between processes, and every change is
 *	its own transaction, so a delivery process that dies leaves the
 *	database consistent.
 *
 *	A handle must not cross a fork(): open, use, close.
 * DIAGNOSTICS
 *	retry_db_open() returns NULL with a message in err; the other
 *	functions return -1 on an LMDB error.
 *--*/

#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "conf/mainopts.h"
#include "retry/retry_db.h"

struct retry_db {
    MDB_env *env;
    MDB_dbi dbi;
};

/* The value on disk. */
struct disk_rec {
    int64_t time_stamp, first_failed, last_try, next_try;
    int32_t basic_errno, more_errno, expired, text_len;
};

struct retry_db *
retry_db_open(int rw, gstr *err)
{
    struct retry_db *db;
    MDB_txn *txn;
    char path[4096];
    struct stat st;
    int rc;

    snprintf(path, sizeof(path), "%s/db", main_config.spool_directory);
    if (rw)
        (void)mkdir(path, 0750);
    snprintf(path, sizeof(path), "%s/db/retry", main_config.spool_directory);
    if (!rw && stat(path, &st) < 0)
        return NULL;
    db = calloc(1, sizeof(*db));
    if (db == NULL)
        return NULL;
    if ((rc = mdb_env_create(&db->env)) != 0 ||
        (rc = mdb_env_set_mapsize(db->env, 64UL << 20)) != 0 ||
        (rc = mdb_env_open(db->env, path, MDB_NOSUBDIR | MDB_NOTLS, 0640)) !=
            0) {
        gstr_printf(err, "cannot open retry database %s: %s", path,
                    mdb_strerror(rc));
        if (db->env != NULL)
            mdb_env_close(db->env);
        free(db);
        return NULL;
    }
    if ((rc = mdb_txn_begin(db->env, NULL, 0, &txn)) != 0 ||
        (rc = mdb_dbi_open(txn, NULL, 0, &db->dbi)) != 0 ||
        (rc = mdb_txn_commit(txn)) != 0) {
        gstr_printf(err, "cannot open retry database %s: %s", path,
                    mdb_strerror(rc));
        mdb_env_close(db->env);
        free(db);
        return NULL;
    }
    return db;
}

void
retry_db_close(struct retry_db *db)
{
    if (db == NULL)
        return;
    mdb_env_close(db->env);
    free(db);
}

static void
decode(const MDB_val *v, struct retry_rec *r)
{
    struct disk_rec d;
    size_t n;

    memset(r, 0, sizeof(*r));
    if (v->mv_size < sizeof(d))
        return;
    memcpy(&d, v->mv_data, sizeof(d));
    r->time_stamp = (time_t)d.time_stamp;
    r->first_failed = (time_t)d.first_failed;
    r->last_try = (time_t)d.last_try;
    r->next_try = (time_t)d.next_try;
    r->basic_errno = d.basic_errno;
    r->more_errno = d.more_errno;
    r->expired = d.expired;
    n = v->mv_size - sizeof(d);
    if (n > RETRY_TEXT_MAX)
        n = RETRY_TEXT_MAX;
    memcpy(r->text, (const char *)v->mv_data + sizeof(d), n);
    r->text[n] = '\0';
}

int
retry_db_get(struct retry_db *db, const char *key, struct retry_rec *r)
{
    MDB_txn *txn;
    MDB_val k = {strlen(key), (void *)key}, v;
    int rc;

    if (db == NULL || mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn) != 0)
        return 0;
    rc = mdb_get(txn, db->dbi, &k, &v);
    if (rc == 0)
        decode(&v, r);
    mdb_txn_abort(txn);
    return rc == 0;
}

int
retry_db_put(struct retry_db *db, const char *key, const struct retry_rec *r)
{
    MDB_txn *txn;
    struct disk_rec d;
    size_t tl = strnlen(r->text, RETRY_TEXT_MAX);
    char buf[sizeof(d) + RETRY_TEXT_MAX];
    MDB_val k = {strlen(key), (void *)key}, v = {sizeof(d) + tl, buf};

    if (db == NULL || mdb_txn_begin(db->env, NULL, 0, &txn) != 0)
        return -1;
    memset(&d, 0, sizeof(d));
    d.time_stamp = r->time_stamp;
    d.first_failed = r->first_failed;
    d.last_try = r->last_try;
    d.next_try = r->next_try;
    d.basic_errno = r->basic_errno;
    d.more_errno = r->more_errno;
    d.expired = r->expired;
    d.text_len = (int32_t)tl;
    memcpy(buf, &d, sizeof(d));
    memcpy(buf + sizeof(d), r->text, tl);
    if (mdb_put(txn, db->dbi, &k, &v, 0) != 0) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) == 0 ? 0 : -1;
}

int
retry_db_del(struct retry_db *db, const char *key)
{
    MDB_txn *txn;
    MDB_val k = {strlen(key), (void *)key};
    int rc;

    if (db == NULL || mdb_txn_begin(db->env, NULL, 0, &txn) != 0)
        return -1;
    rc = mdb_del(txn, db->dbi, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) == 0 ? 0 : -1;
}

int
retry_db_walk(struct retry_db *db,
              int (*fn)(const char *key, const struct retry_rec *r, void *ctx),
              void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    struct arena *a;
    int op = MDB_FIRST, stop = 0;

    if (db == NULL || mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn) != 0)
        return -1;
    if (mdb_cursor_open(txn, db->dbi, &cur) != 0) {
        mdb_txn_abort(txn);
        return -1;
    }
    a = arena_create();
    while (!stop && mdb_cursor_get(cur, &k, &v, op) == 0) {
        struct retry_rec r;
        char *key = arena_strndup(a, k.mv_data, k.mv_size);
        op = MDB_NEXT;
        decode(&v, &r);
        stop = fn(key, &r, ctx);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    arena_destroy(a);
    return 0;
}
