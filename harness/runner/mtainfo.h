#ifndef RUNNER_MTAINFO_H
#define RUNNER_MTAINFO_H

#include "strvec.h"

struct buf;

/* What the MTA under test says it was built with (its -bV). */
struct mta_info {
    int loaded;                   /* -bV ran and printed a version line */
    int is_mxlab;                 /* the version line names mxlab */
    int is_exim;                  /* ... or Exim ("Exim version ...") */
    char *version;                /* the first line of -bV */
    struct strvec support;        /* words of "Support for:" */
    struct strvec authenticators; /* "Authenticators:" */
    struct strvec routers;        /* "Routers:" */
    struct strvec transports;     /* "Transports:" (appendfile/maildir
                                     also counts as appendfile) */
    struct strvec lookups;        /* "Lookups (built-in):" */
};

int mta_info_load(struct mta_info *mi, const char *mta, struct buf *err);
int mta_info_parse(struct mta_info *mi, const char *text);
int mta_info_kind_known(const char *kind);
int mta_info_meets(const struct mta_info *mi, const char *kind,
                   const char *name, struct buf *why);
void mta_info_free(struct mta_info *mi);

#endif
