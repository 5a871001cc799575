/*++
 * NAME
 *	lookup 3
 * SUMMARY
 *	lookup drivers: the table, partial matching, the file cache
 * SYNOPSIS
 *	#include "expand/lookups/lookup.h"
 *
 *	const struct lookup_driver *lookup_find(const char *name)
 *	int	lookup_parse_type(struct arena *a, const char *type,
 *				struct lookup_spec *spec, gstr *err)
 *	int	lookup_run(const struct lookup_spec *spec,
 *				struct lookup_call *c, char **result)
 *	int	lookup_file_get(const char *path, const char *what,
 *				const char **data, size_t *len, gstr *err)
 *	void	lookup_file_release(void)
 *	void	lookup_file_flush(void)
 *
 *	extern const char *const registry_lookups[];
 * DESCRIPTION
 *	A lookup driver is a name, whether it takes a key and a file
 *	(single-key) or a query, and a find function. lookup_drivers[]
 *	lists them; registry_lookups[] is the same list by name, for -bV.
 *
 *	lookup_parse_type() reads the type of a ${lookup}: the driver
 *	name, optionally preceded by "partial-" (or "partialN-", or
 *	"partial(AFFIX)N-") and followed by "*" or "*@", then ",options".
 *
 *	lookup_run() does the lookup as Exim does: the key itself; then,
 *	for partial matching, the key with the affix ("*.") in front, then
 *	with leading dot-separated components removed, down to N left
 *	(N=0 ends with "*" alone); then "*@domain" for "*@"; then "*" for
 *	"*" and "*@".
 *
 *	lookup_file_get() returns a file's contents from a cache that
 *	re-reads the file when its device, inode, size or modification
 *	time change, so an edited file is seen at the next lookup. The
 *	cache holds LOOKUP_FILES_CACHED files; copies it drops while a
 *	caller still reads them (between lookup_file_get() and
 *	lookup_file_release()) are freed when the last reader is done.
 * DIAGNOSTICS
 *	LOOKUP_ERROR with a message: 'failed to open FILE for linear
 *	search: No such file or directory'. An unknown type: 'unknown
 *	lookup type "x"'.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/lookups/lookup.h"
#include "registry.h"

#define LOOKUP_FILE_MAX     (64u * 1024 * 1024)
#define LOOKUP_FILES_CACHED 64

const struct lookup_driver *const lookup_drivers[] = {
    &lookup_lsearch,
    &lookup_wildlsearch,
    &lookup_nwildlsearch,
    &lookup_iplsearch,
    &lookup_dsearch,
    &lookup_dnsdb,
    NULL,
};

/* The same, by name, for -bV (registry.h). Kept in step with
 * lookup_drivers[] by a unit test. */
const char *const registry_lookups[] = {
    "lsearch", "wildlsearch", "nwildlsearch", "iplsearch",
    "dsearch", "dnsdb",       NULL,
};

const struct lookup_driver *
lookup_find(const char *name)
{
    for (size_t i = 0; lookup_drivers[i] != NULL; i++)
        if (strcmp(lookup_drivers[i]->name, name) == 0)
            return lookup_drivers[i];
    return NULL;
}

int
lookup_parse_type(struct arena *a, const char *type, struct lookup_spec *spec,
                  gstr *err)
{
    const char *p = type;
    const char *comma = strchr(type, ',');
    size_t n;
    char *name;

    memset(spec, 0, sizeof(*spec));
    spec->partial = -1;
    spec->affix = "*.";
    if (strncmp(p, "partial", 7) == 0) {
        p += 7;
        spec->partial = 2;
        if (isdigit((unsigned char)*p)) {
            spec->partial = 0;
            while (isdigit((unsigned char)*p) && spec->partial < 100)
                spec->partial = spec->partial * 10 + (*p++ - '0');
            while (isdigit((unsigned char)*p))
                p++;
        }
        if (*p == '(') {
            const char *close = strchr(p, ')');
            if (close == NULL) {
                gstr_printf(err, "format error in lookup type \"%s\"", type);
                return -1;
            }
            spec->affix = arena_strndup(a, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        }
        if (*p != '-') {
            gstr_printf(err, "format error in lookup type \"%s\"", type);
            return -1;
        }
        p++;
        comma = strchr(p, ',');
    }
    n = comma ? (size_t)(comma - p) : strlen(p);
    name = arena_strndup(a, p, n);
    if (n >= 2 && strcmp(name + n - 2, "*@") == 0) {
        spec->star_at = 1;
        name[n - 2] = '\0';
    } else if (n >= 1 && name[n - 1] == '*') {
        spec->star = 1;
        name[n - 1] = '\0';
    }
    if ((spec->driver = lookup_find(name)) == NULL) {
        gstr_printf(err, "unknown lookup type \"%s\"", name);
        return -1;
    }
    if ((spec->partial >= 0 || spec->star || spec->star_at) &&
        !(spec->driver->flags & LOOKUP_SINGLE_KEY)) {
        gstr_printf(err,
                    "\"partial\", \"*\" and \"*@\" are for single-key "
                    "lookups only (not \"%s\")",
                    name);
        return -1;
    }
    spec->opts = comma ? arena_strdup(a, comma + 1) : NULL;
    return 0;
}

static int
try_key(const struct lookup_spec *spec, struct lookup_call *c, const char *key,
        char **result)
{
    struct lookup_call k = *c;

    k.key = key;
    k.opts = spec->opts;
    return spec->driver->find(&k, result);
}

static int
try_partial(const struct lookup_spec *spec, struct lookup_call *c,
            char **result)
{
    const char *key = c->key;
    size_t comps = *key ? 1 : 0;
    int rc;

    for (const char *p = key; *p != '\0'; p++)
        comps += *p == '.';
    /* The whole key with the affix, then shorter and shorter tails. */
    for (const char *tail = key; tail != NULL && (int)comps >= spec->partial;
         comps--) {
        char *k = arena_printf(c->a, "%s%s", spec->affix, tail);
        if ((rc = try_key(spec, c, k, result)) != LOOKUP_FAIL)
            return rc;
        tail = strchr(tail, '.');
        if (tail != NULL)
            tail++;
    }
    if (spec->partial == 0) {
        size_t n = strlen(spec->affix);
        char *k = arena_strndup(c->a, spec->affix,
                                n > 0 && spec->affix[n - 1] == '.' ? n - 1 : n);
        if ((rc = try_key(spec, c, k, result)) != LOOKUP_FAIL)
            return rc;
    }
    return LOOKUP_FAIL;
}

int
lookup_run(const struct lookup_spec *spec, struct lookup_call *c, char **result)
{
    int rc;
    const char *at;

    if (!(spec->driver->flags & LOOKUP_SINGLE_KEY))
        return try_key(spec, c, NULL, result);
    if ((rc = try_key(spec, c, c->key, result)) != LOOKUP_FAIL)
        return rc;
    if (spec->partial >= 0 &&
        (rc = try_partial(spec, c, result)) != LOOKUP_FAIL)
        return rc;
    if (spec->star_at && (at = strrchr(c->key, '@')) != NULL) {
        char *k = arena_printf(c->a, "*%s", at);
        if ((rc = try_key(spec, c, k, result)) != LOOKUP_FAIL)
            return rc;
    }
    if (spec->star || spec->star_at)
        return try_key(spec, c, "*", result);
    return LOOKUP_FAIL;
}

struct cached_file {
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct arena *arena;
    char *data;
    size_t len;
    struct cached_file *next;
};

static struct cached_file *file_cache;
static size_t files_cached;
/* Copies dropped while a caller may still read them: freed when no
 * lookup holds file data any more. */
static struct cached_file *file_retired;
static int file_busy;

static void
file_free(struct cached_file *f)
{
    arena_destroy(f->arena);
    free(f->path);
    free(f);
}

static void
file_retire(struct cached_file *f)
{
    files_cached--;
    if (file_busy == 0) {
        file_free(f);
        return;
    }
    f->next = file_retired;
    file_retired = f;
}

void
lookup_file_release(void)
{
    if (file_busy > 0 && --file_busy == 0)
        while (file_retired != NULL) {
            struct cached_file *f = file_retired;
            file_retired = f->next;
            file_free(f);
        }
}

void
lookup_file_flush(void)
{
    while (file_cache != NULL) {
        struct cached_file *f = file_cache;
        file_cache = f->next;
        file_retire(f);
    }
}

static int
file_read(const char *path, const char *what, struct cached_file *f, gstr *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    gstr g;

    if (fd < 0) {
        gstr_printf(err, "failed to open %s for %s: %s", path, what,
                    strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        gstr_printf(err, "failed to open %s for %s: %s", path, what,
                    strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        gstr_printf(err, "failed to open %s for %s: %s", path, what,
                    S_ISDIR(st.st_mode) ? "Is a directory"
                                        : "not a regular file");
        close(fd);
        return -1;
    }
    if ((size_t)st.st_size > LOOKUP_FILE_MAX) {
        gstr_printf(err, "%s for %s is too large (more than %u bytes)", path,
                    what, LOOKUP_FILE_MAX);
        close(fd);
        return -1;
    }
    f->arena = arena_create();
    gstr_init(&g, f->arena);
    for (;;) {
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        gstr_addn(&g, buf, (size_t)n);
    }
    close(fd);
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->mtime = st.st_mtim;
    f->data = (char *)gstr_str(&g);
    f->len = g.len;
    return 0;
}

int
lookup_file_get(const char *path, const char *what, const char **data,
                size_t *len, gstr *err)
{
    struct cached_file *f, **pp;
    struct stat st;

    if (stat(path, &st) < 0) {
        gstr_printf(err, "failed to open %s for %s: %s", path, what,
                    strerror(errno));
        return -1;
    }
    for (pp = &file_cache; (f = *pp) != NULL; pp = &f->next)
        if (strcmp(f->path, path) == 0)
            break;
    if (f != NULL && f->dev == st.st_dev && f->ino == st.st_ino &&
        f->size == st.st_size && f->mtime.tv_sec == st.st_mtim.tv_sec &&
        f->mtime.tv_nsec == st.st_mtim.tv_nsec) {
        *data = f->data;
        *len = f->len;
        file_busy++;
        return 0;
    }
    if (f != NULL) { /* changed: drop the old copy */
        *pp = f->next;
        file_retire(f);
    }
    if (files_cached >= LOOKUP_FILES_CACHED) { /* drop the oldest */
        for (pp = &file_cache; (*pp)->next != NULL; pp = &(*pp)->next)
            ;
        f = *pp;
        *pp = NULL;
        file_retire(f);
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL || (f->path = strdup(path)) == NULL) {
        free(f);
        gstr_adds(err, "out of memory");
        return -1;
    }
    if (file_read(path, what, f, err) < 0) {
        free(f->path);
        free(f);
        return -1;
    }
    f->next = file_cache;
    file_cache = f;
    files_cached++;
    *data = f->data;
    *len = f->len;
    file_busy++;
    return 0;
}
