/* fuzz_dir.h: a directory of the fuzz target's own (a spool, a
 * configuration), made once by fuzz_dir_make() from a mkdtemp() template
 * and removed with all it holds when the target exits: libFuzzer ends
 * with exit() after -max_total_time or -runs, so an atexit() handler
 * runs. */
#ifndef MXLAB_HARNESS_FUZZ_DIR_H
#define MXLAB_HARNESS_FUZZ_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char *fuzz_dir;

static int
fuzz_dir_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void
fuzz_dir_remove(void)
{
    (void)nftw(fuzz_dir, fuzz_dir_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* template: "/some/where/name-XXXXXX", changed in place; 0 or -1. */
static int
fuzz_dir_make(char *template)
{
    if (mkdtemp(template) == NULL)
        return -1;
    fuzz_dir = template;
    atexit(fuzz_dir_remove);
    return 0;
}

#endif
