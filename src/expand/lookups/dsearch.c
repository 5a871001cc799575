/*++
 * NAME
 *	dsearch 3
 * SUMMARY
 *	directory search lookup
 * SYNOPSIS
 *	#include "expand/lookups/lookup.h"
 *
 *	extern const struct lookup_driver lookup_dsearch;
 * DESCRIPTION
 *	${lookup{name}dsearch{/dir}} succeeds if /dir/name exists (lstat,
 *	so a dangling symbolic link counts) and yields the name, or the
 *	full path with the option "ret=full". "filter=file", "filter=dir"
 *	and "filter=subdir" restrict the type of entry found.
 * DIAGNOSTICS
 *	LOOKUP_ERROR if the directory does not exist or is not absolute;
 *	LOOKUP_DEFER if the key contains a slash ("key for dsearch lookup
 *	contains a slash: KEY").
 *--*/

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "expand/lookups/lookup.h"

#define DS_FULL   0x01
#define DS_FILE   0x02
#define DS_DIR    0x04
#define DS_SUBDIR 0x08

static unsigned
dsearch_opts(struct arena *a, const char *opts)
{
    struct list_iter it;
    const char *o;
    unsigned f = 0;

    list_iter_init(&it, opts, ',');
    while ((o = list_next(&it, a)) != NULL) {
        if (strcmp(o, "ret=full") == 0)
            f |= DS_FULL;
        else if (strcmp(o, "filter=file") == 0)
            f |= DS_FILE;
        else if (strcmp(o, "filter=dir") == 0)
            f |= DS_DIR;
        else if (strcmp(o, "filter=subdir") == 0)
            f |= DS_SUBDIR;
    }
    return f;
}

static int
dsearch_find(const struct lookup_call *c, char **result)
{
    struct stat st;
    unsigned f = dsearch_opts(c->a, c->opts);
    char *path;

    if (stat(c->file, &st) < 0) {
        gstr_printf(c->err, "failed to open %s for directory search: %s",
                    c->file, strerror(errno));
        return LOOKUP_ERROR;
    }
    if (c->file[0] != '/') {
        gstr_printf(c->err, "dirname '%s' for dsearch is not absolute",
                    c->file);
        return LOOKUP_ERROR;
    }
    if (strchr(c->key, '/') != NULL) {
        gstr_printf(c->err, "key for dsearch lookup contains a slash: %s",
                    c->key);
        return LOOKUP_DEFER;
    }
    path = arena_printf(c->a, "%s/%s", c->file, c->key);
    if (c->key[0] == '\0' || lstat(path, &st) < 0)
        return LOOKUP_FAIL;
    if ((f & DS_FILE) && !S_ISREG(st.st_mode))
        return LOOKUP_FAIL;
    if ((f & (DS_DIR | DS_SUBDIR)) && !S_ISDIR(st.st_mode))
        return LOOKUP_FAIL;
    if ((f & DS_SUBDIR) &&
        (strcmp(c->key, ".") == 0 || strcmp(c->key, "..") == 0))
        return LOOKUP_FAIL;
    *result = f & DS_FULL ? path : arena_strdup(c->a, c->key);
    return LOOKUP_OK;
}

const struct lookup_driver lookup_dsearch = {"dsearch", LOOKUP_SINGLE_KEY,
                                             dsearch_find};
