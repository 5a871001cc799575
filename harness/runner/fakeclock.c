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
 * DIAGNOSTICS
 *	fakeclock_find_lib() returns NULL when the library is not found.
 */

#include <glob.h>
#include <stdlib.h>
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
