#ifndef RUNNER_NORMALISE_H
#define RUNNER_NORMALISE_H

#include <stdio.h>

struct buf;

/* What varies from run to run of one scenario. */
struct norm_params {
    const char *dir;
    const char *mta;
    const char *srcdir;
    const char *ports[3];
    long long epoch_lo;
    long long epoch_hi;
    const char *mta_user; /* --mta-user, or NULL */
    long mta_uid;
    long mta_gid;
};

struct norm;

struct norm *norm_create(const struct norm_params *p, struct buf *err);
void norm_apply(struct norm *n, struct buf *text);
void norm_free(struct norm *n);
void norm_print_rules(FILE *fp);
void norm_foreign(struct buf *text);

#endif
