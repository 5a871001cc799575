#ifndef RUNNER_RUN_H
#define RUNNER_RUN_H

struct result;

/* What every scenario of one runner invocation shares. */
struct mta_info;

struct run_opts {
    const char *mta;          /* absolute path of the MTA under test */
    const char *srcdir;       /* the working directory: $SRCDIR */
    const char *build;        /* the build directory: $BUILD */
    const char *faketime_lib; /* NULL when libfaketime was not found */
    int update;               /* --update */
    int keep;                 /* --keep */
    int verbose;              /* -v */
    const char *mta_user;     /* --mta-user NAME, or NULL */
    long mta_uid;             /* --mta-user: owner of $DIR, or -1 */
    long mta_gid;
    int foreign;                     /* the MTA is not mxlab: the golden files
                                        were made with another MTA */
    const struct mta_info *mta_info; /* its -bV, for "requires KIND" */
};

#define RUN_COMMAND_MS 30000 /* exec, sh, smtp exec */
#define RUN_LISTEN_MS  10000 /* daemon, waitport */
#define RUN_WAITFOR_MS 10000 /* waitfor */
#define RUN_STOP_MS    5000  /* SIGTERM to SIGKILL at the end */
#define RUN_SETTLE_MS  5000  /* for the daemon's children at the end */

/* Where scenario directories go: $TMPDIR, else /dev/shm if it is a
 * tmpfs with at least 1 GiB free, else /tmp. Decided at the first call
 * and kept: the runner calls it before it forks its workers. */
const char *run_scratch_base(void);

void run_scenario(const char *path, const char *golden_dir,
                  const struct run_opts *opts, struct result *res);

#endif
