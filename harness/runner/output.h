#ifndef RUNNER_OUTPUT_H
#define RUNNER_OUTPUT_H

#include "buf.h"

/* What the steps of a scenario produced, in memory. */
struct output_streams {
    struct buf out;        /* "stdout" */
    struct buf err;        /* "stderr" */
    struct buf transcript; /* "transcript" */
};

#define OUTPUT_ABSENT "(absent)\n"

int output_name_check(const char *name, struct buf *err);
void output_golden_name(const char *name, struct buf *out);
int output_file_path(const char *name, const char *dir, struct buf *path);
void output_collect(const char *name, const char *dir,
                    const struct output_streams *streams, struct buf *out);

#endif
