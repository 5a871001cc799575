/*
 * NAME
 *	fakeclock - the running clock a scenario's processes share
 * SYNOPSIS
 *	#include "fakeclock.h"
 *
 *	void	fakeclock_init(struct fakeclock *c, long long start);
 *	void	fakeclock_set(struct fakeclock *c, long long when);
 *	void	fakeclock_advance(struct fakeclock *c, long long seconds);
 *	long long fakeclock_now(const struct fakeclock *c);
 *	long long fakeclock_latest(const struct fakeclock *c);
 *	void	fakeclock_spec(const struct fakeclock *c, struct buf *out);
 *	char	*fakeclock_find_lib(void);
 *	void	fakeclock_forget(long pid);
 *	void	fakeclock_sweep(time_t since);
 * DESCRIPTION
 *	Children run under libfaketime with FAKETIME set to a fixed offset
 *	("+N" or "-N" seconds) from the real clock, so the fake clock
 *	runs at the real rate and every process of a scenario, whenever
 *	it starts, reads the same time.  (libfaketime's "@DATE" form
 *	would start a new clock in every process.)
 *
 *	fakeclock_init() starts the clock at start (epoch seconds) now;
 *	fakeclock_set() puts it at when, from now on; fakeclock_advance()
 *	moves it forward.  These affect processes started afterwards
 *	only: libfaketime reads FAKETIME when a process starts.
 *
 *	fakeclock_now() is the fake time now.  fakeclock_latest() is the
 *	latest fake time any process of the scenario can have seen, and
 *	together with c->earliest bounds the epoch times that output
 *	normalisation treats as the scenario's.
 *
 *	fakeclock_spec() appends the FAKETIME value for the clock.
 *
 *	fakeclock_find_lib() returns the path of libfaketime.so.1: the
 *	MXLAB_FAKETIME_LIB environment variable if set, else the first
 *	of the usual Debian places that exists.
 *
 *	libfaketime (0.9.10) gives a process that does not inherit them
 *	(FAKETIME_SHARED) a shared memory segment and a semaphore in
 *	/dev/shm, named after its pid, and removes them only if the process
 *	ends with exit(); dash and the MTAs' daemons end with _exit() or a
 *	signal. fakeclock_forget() removes the two files of pid.
 *	fakeclock_sweep() removes those of every pid that no longer runs,
 *	if modified at or after since: the runner calls it once all its
 *	scenarios have ended, for what processes it did not start itself
 *	left (an MTA's pipe transport, its ${run}). A process that inherited
 *	the name of a removed pair keeps the segment it mapped, and
 *	libfaketime makes a new pair for one started later.
 * DIAGNOSTICS
 *	fakeclock_find_lib() returns NULL when the library is not found.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fakeclock.h"
#include "mem.h"

void
fakeclock_init(struct fakeclock *c, long long start)
{
    c->offset = start - (long long)time(NULL);
    c->earliest = start;
    c->max_offset = c->offset;
}

void
fakeclock_set(struct fakeclock *c, long long when)
{
    c->offset = when - (long long)time(NULL);
    if (when < c->earliest)
        c->earliest = when;
    if (c->offset > c->max_offset)
        c->max_offset = c->offset;
}

void
fakeclock_advance(struct fakeclock *c, long long seconds)
{
    c->offset += seconds;
    if (c->offset > c->max_offset)
        c->max_offset = c->offset;
}

long long
fakeclock_now(const struct fakeclock *c)
{
    return (long long)time(NULL) + c->offset;
}

long long
fakeclock_latest(const struct fakeclock *c)
{
    return (long long)time(NULL) + c->max_offset;
}

void
fakeclock_spec(const struct fakeclock *c, struct buf *out)
{
    buf_printf(out, "%+lld", c->offset);
}

static char *
fakeclock_glob(const char *pattern)
{
    glob_t g;
    char *found = NULL;

    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
        found = mem_strdup(g.gl_pathv[0]);
    globfree(&g);
    return found;
}

char *
fakeclock_find_lib(void)
{
    static const char *const places[] = {
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/*/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    };
    const char *env = getenv("MXLAB_FAKETIME_LIB");
    char *found;

    if (env != NULL && *env != '\0')
        return access(env, R_OK) == 0 ? mem_strdup(env) : NULL;
    for (size_t i = 0; i < sizeof(places) / sizeof(*places); i++)
        if ((found = fakeclock_glob(places[i])) != NULL)
            return found;
    return NULL;
}

/* The names libfaketime gives its files in /dev/shm, before the pid. */
static const char *const faketime_prefix[] = {"faketime_shm_",
                                              "sem.faketime_sem_"};

void
fakeclock_forget(long pid)
{
    char path[64];

    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "/dev/shm/%s%ld", faketime_prefix[i], pid);
        (void)unlink(path);
    }
}

/* The pid in one of libfaketime's file names, or -1. */
static long
faketime_pid(const char *name)
{
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(faketime_prefix[i]);
        char *end;
        long pid;

        if (strncmp(name, faketime_prefix[i], n) != 0)
            continue;
        errno = 0;
        pid = strtol(name + n, &end, 10);
        if (end != name + n && *end == '\0' && errno == 0 && pid > 0)
            return pid;
    }
    return -1;
}

void
fakeclock_sweep(time_t since)
{
    DIR *d = opendir("/dev/shm");
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        long pid = faketime_pid(e->d_name);
        struct stat st;

        if (pid < 0 ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            st.st_mtime < since)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* running, or not ours to ask about */
        (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}
