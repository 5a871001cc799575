/*
 * NAME
 *	discover - find scenario files and their golden folders
 * SYNOPSIS
 *	#include "discover.h"
 *
 *	int	discover_scenarios(char *const *paths, size_t n,
 *				struct strvec *out, struct buf *err);
 *	char	*discover_name(const char *path);
 *	char	*discover_golden_dir(const char *path);
 * DESCRIPTION
 *	discover_scenarios() appends to out the scenario files named by
 *	paths: a file stands for itself; a directory stands for every
 *	scenario file below it.  In directories, a scenario file is a
 *	regular file whose name starts neither with "." nor with
 *	"README" and does not end in "~"; folders starting with "." are
 *	not entered.  The list is sorted and has no duplicates.  Paths
 *	are tidied ("./" and doubled or trailing slashes dropped) but
 *	stay relative if given so.
 *
 *	discover_name() returns the name a scenario is reported by: its
 *	path after the last folder named "scenarios" (core/helo for
 *	scenarios/core/helo), or the whole path if there is none.
 *
 *	discover_golden_dir() returns the golden folder of a scenario: its
 *	path with the last folder named "scenarios" replaced by "golden"
 *	(golden/core/helo for scenarios/core/helo).
 * DIAGNOSTICS
 *	discover_scenarios() returns 0, or -1 with a message in err for a
 *	path that does not exist.  discover_golden_dir() returns NULL when
 *	the path has no "scenarios" folder.
 */

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "discover.h"
#include "fileio.h"
#include "mem.h"
#include "strvec.h"

#define DISCOVER_MAX_DEPTH 32

/* Drop "./" components, doubled slashes and a trailing slash. */
static char *
discover_tidy(const char *path)
{
    struct buf out = BUF_INIT;
    const char *s = path;

    if (*s == '/')
        buf_putc(&out, '/');
    while (*s != '\0') {
        size_t len = strcspn(s, "/");

        if (len > 0 && !(len == 1 && s[0] == '.')) {
            if (out.len > 0 && out.data[out.len - 1] != '/')
                buf_putc(&out, '/');
            buf_add(&out, s, len);
        }
        s += len;
        while (*s == '/')
            s++;
    }
    if (out.len == 0)
        buf_putc(&out, '.');
    return buf_steal(&out);
}

static int
discover_is_scenario_name(const char *name)
{
    size_t len = strlen(name);

    return name[0] != '.' && strncmp(name, "README", 6) != 0 && len > 0 &&
           name[len - 1] != '~';
}

static void
discover_walk(const char *dir, int depth, struct strvec *out)
{
    DIR *d;
    struct dirent *de;
    struct stat st;

    if (depth > DISCOVER_MAX_DEPTH || (d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *path = strcmp(dir, ".") == 0 ? mem_strdup(de->d_name)
                                           : fileio_join(dir, de->d_name);

        if (stat(path, &st) < 0)
            ; /* a dangling link: not a scenario */
        else if (S_ISDIR(st.st_mode))
            discover_walk(path, depth + 1, out);
        else if (S_ISREG(st.st_mode) && discover_is_scenario_name(de->d_name))
            strvec_push(out, path);
        free(path);
    }
    closedir(d);
}

int
discover_scenarios(char *const *paths, size_t n, struct strvec *out,
                   struct buf *err)
{
    struct stat st;

    for (size_t i = 0; i < n; i++) {
        char *path = discover_tidy(paths[i]);

        if (stat(path, &st) < 0) {
            buf_printf(err, "%s: %s", paths[i], strerror(errno));
            free(path);
            return -1;
        }
        if (S_ISDIR(st.st_mode))
            discover_walk(path, 0, out);
        else
            strvec_push(out, path);
        free(path);
    }
    strvec_sort(out);
    strvec_uniq(out);
    return 0;
}

/* The offset of the last "scenarios" folder in path, or -1. */
static long
discover_scenarios_at(const char *path)
{
    long found = -1;
    const char *s = path;

    while (*s != '\0') {
        size_t len = strcspn(s, "/");

        if (len == 9 && strncmp(s, "scenarios", 9) == 0 && s[len] == '/')
            found = s - path;
        s += len;
        while (*s == '/')
            s++;
    }
    return found;
}

char *
discover_name(const char *path)
{
    long at = discover_scenarios_at(path);

    return mem_strdup(at < 0 ? path : path + at + strlen("scenarios/"));
}

char *
discover_golden_dir(const char *path)
{
    long at = discover_scenarios_at(path);
    struct buf out = BUF_INIT;

    if (at < 0)
        return NULL;
    buf_add(&out, path, (size_t)at);
    buf_puts(&out, "golden");
    buf_puts(&out, path + at + strlen("scenarios"));
    return buf_steal(&out);
}
