/*++
 * NAME
 *	retry_cli 3
 * SUMMARY
 *	listing and tidying the retry database
 * SYNOPSIS
 *	#include "retry/retry_cli.h"
 *
 *	int	retry_cli_is_mode(const char *flag)
 *	int	retry_cli_run(const char *flag, char **args, int nargs)
 * DESCRIPTION
 * .IP "mxlab -dumpdb [retry]"
 *	Lists every record as exim_dumpdb does, in key order: a line
 *	"  key basic_errno more_errno text", then "first_failed
 *	last_try  next_try" with "*" when the record has expired. Times
 *	are written "YYYY-MM-DD HH:MM:SS" (Exim writes "DD-Mon-YYYY").
 * .IP "mxlab -tidydb [-t time] [retry]"
 *	As exim_tidydb: removes records not written for time (default
 *	30d): "deleted KEY (too old)"; and message-specific records
 *	("...:ID") whose message is no longer on the spool: "deleted KEY
 *	(no message)". It first prints "Tidying mxlab hints database
 *	SPOOL/db/retry" and last "Tidying complete".
 * DIAGNOSTICS
 *	An unknown database name or a bad time: a usage message, status 1.
 *	A database that does not exist yet is empty for -dumpdb.
 *--*/

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/tod.h"
#include "conf/mainopts.h"
#include "retry/retry_cli.h"
#include "retry/retry_db.h"
#include "spool/spool_path.h"

int
retry_cli_is_mode(const char *flag)
{
    return strcmp(flag, "-dumpdb") == 0 || strcmp(flag, "-tidydb") == 0;
}

static void
put_time(time_t t)
{
    char buf[64];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    fputs(buf, stdout);
}

static int
dump_one(const char *key, const struct retry_rec *r, void *ctx)
{
    (void)ctx;
    if (strncmp(key, "W:", 2) == 0)
        return 0; /* a wait record (retry_wait.c), not a retry record */
    printf("  %s %d %d %s\n", key, r->basic_errno, r->more_errno, r->text);
    put_time(r->first_failed);
    fputs("  ", stdout);
    put_time(r->last_try);
    fputs("  ", stdout);
    put_time(r->next_try);
    printf("%s\n", r->expired ? " *" : "");
    return 0;
}

struct tidy {
    struct arena *a;
    time_t oldest;
    char **del;
    const char **why;
    size_t n, cap;
};

/* 1 if key ends ":ID" and that message is not on the spool. */
static int
message_gone(struct arena *a, const char *key)
{
    const char *id = strrchr(key, ':');
    struct stat st;
    gstr err, path;

    if (id == NULL)
        return 0;
    id++;
    gstr_init(&err, a);
    if (spool_path_check_id(id, &err) < 0)
        return 0;
    gstr_init(&path, a);
    gstr_printf(&path, "%s/input/%s-D", main_config.spool_directory, id);
    if (stat(path.s, &st) == 0)
        return 0;
    gstr_truncate(&path, 0);
    gstr_printf(&path, "%s/input/%c/%s-D", main_config.spool_directory, id[5],
                id);
    return stat(path.s, &st) != 0;
}

static int
tidy_one(const char *key, const struct retry_rec *r, void *ctx)
{
    struct tidy *t = ctx;
    const char *why = NULL;

    if (r->time_stamp < t->oldest)
        why = "too old";
    else if (message_gone(t->a, key))
        why = "no message";
    if (why == NULL)
        return 0;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 32;
        t->del = arena_realloc(t->a, t->del, t->cap * sizeof(*t->del),
                               ncap * sizeof(*t->del));
        t->why = arena_realloc(t->a, t->why, t->cap * sizeof(*t->why),
                               ncap * sizeof(*t->why));
        t->cap = ncap;
    }
    t->del[t->n] = arena_strdup(t->a, key);
    t->why[t->n++] = why;
    return 0;
}

static int
usage(const char *flag)
{
    fprintf(stderr, "mxlab: usage: mxlab %s%s [retry]\n", flag,
            strcmp(flag, "-tidydb") == 0 ? " [-t <time>]" : "");
    return 1;
}

int
retry_cli_run(const char *flag, char **args, int nargs)
{
    struct retry_db *db;
    struct tidy t;
    long keep = 30L * 24 * 3600;
    gstr err;
    int i = 0, tidy = strcmp(flag, "-tidydb") == 0, status = 0;

    if (tidy && i + 1 < nargs + 1 && i < nargs && strcmp(args[i], "-t") == 0) {
        if (i + 1 >= nargs || tod_parse_duration(args[i + 1], &keep) < 0)
            return usage(flag);
        i += 2;
    }
    if (i < nargs && strcmp(args[i], "retry") == 0)
        i++;
    if (i < nargs)
        return usage(flag);
    memset(&t, 0, sizeof(t));
    t.a = arena_create();
    gstr_init(&err, t.a);
    db = retry_db_open(tidy, &err);
    if (db == NULL && err.len > 0) {
        fprintf(stderr, "mxlab: %s\n", gstr_str(&err));
        arena_destroy(t.a);
        return 1;
    }
    if (!tidy) {
        if (db != NULL)
            (void)retry_db_walk(db, dump_one, NULL);
    } else {
        printf("Tidying mxlab hints database %s/db/retry\n",
               main_config.spool_directory);
        t.oldest = time(NULL) - keep;
        (void)retry_db_walk(db, tidy_one, &t);
        for (size_t k = 0; k < t.n; k++) {
            if (retry_db_del(db, t.del[k]) < 0)
                status = 1;
            printf("deleted %s (%s)\n", t.del[k], t.why[k]);
        }
        printf("Tidying complete\n");
    }
    fflush(stdout);
    retry_db_close(db);
    arena_destroy(t.a);
    return status;
}
