/* lookup.h: lookup drivers for ${lookup} and lists (lsearch, wildlsearch,
 * nwildlsearch, iplsearch, dsearch, dnsdb). */
#ifndef MXLAB_EXPAND_LOOKUPS_LOOKUP_H
#define MXLAB_EXPAND_LOOKUPS_LOOKUP_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

enum lookup_result {
    LOOKUP_OK,    /* found: *result set */
    LOOKUP_FAIL,  /* not found */
    LOOKUP_DEFER, /* could not tell: err set */
    LOOKUP_ERROR, /* the file or directory cannot be opened: err set */
};

#define LOOKUP_SINGLE_KEY 0x01 /* ${lookup{key}type{file}} */
#define LOOKUP_QUERY      0x02 /* ${lookup type{query}} */

/* One lookup to do. */
struct lookup_call {
    struct arena *a;  /* the result and scratch memory */
    const char *file; /* file or directory, or the query */
    const char *key;  /* NULL for query-style lookups */
    const char *opts; /* ",opt,opt" after the type, or NULL */
    gstr *err;        /* what a DEFER was */
    /* wildlsearch expands its keys; this does it (NULL: no expansion). */
    int (*expand)(void *arg, const char *in, char **out, gstr *err);
    void *expand_arg;
};

struct lookup_driver {
    const char *name;
    unsigned flags;
    int (*find)(const struct lookup_call *c, char **result);
};

/* The drivers, in the order -bV prints them; NULL-terminated. */
extern const struct lookup_driver *const lookup_drivers[];

const struct lookup_driver *lookup_find(const char *name);

/* A type as written in ${lookup}: "lsearch", "partial-lsearch*@",
 * "partial2(.)-wildlsearch", "dsearch,ret=full". Returns 0 and fills in
 * the parts, or -1 with a message in err. */
struct lookup_spec {
    const struct lookup_driver *driver;
    int partial;       /* -1: no partial matching, else the minimum */
    const char *affix; /* "*." by default */
    int star;          /* trailing "*": try "*" last */
    int star_at;       /* trailing "*@": try "*@domain", then "*" */
    const char *opts;
};
int lookup_parse_type(struct arena *a, const char *type,
                      struct lookup_spec *spec, gstr *err);

/* Does the lookup with the partial and default-key options. */
int lookup_run(const struct lookup_spec *spec, struct lookup_call *c,
               char **result);

/* File contents, re-read when the file changes (device, inode, size or
 * modification time). Returns 0, or -1 with err set ("failed to open
 * FILE for WHAT: REASON"). After a 0 the data stays valid until the
 * matching lookup_file_release(), even if a nested lookup re-reads the
 * file or pushes it out of the cache. */
int lookup_file_get(const char *path, const char *what, const char **data,
                    size_t *len, gstr *err);
void lookup_file_release(void);
void lookup_file_flush(void);

/* Drivers (lsearch.c, dsearch.c, dnsdb.c). */
extern const struct lookup_driver lookup_lsearch, lookup_wildlsearch,
    lookup_nwildlsearch, lookup_iplsearch, lookup_dsearch, lookup_dnsdb;

#endif
