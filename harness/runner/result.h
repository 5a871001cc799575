#ifndef RUNNER_RESULT_H
#define RUNNER_RESULT_H

#include <stddef.h>

#include "buf.h"

/* The outcome of one scenario. */
enum result_status {
    RESULT_PASS,
    RESULT_FAIL,
    RESULT_SKIP,
    RESULT_UPDATED, /* passed, and --update changed its golden files */
};

struct result {
    enum result_status status;
    char *title;       /* the scenario's title, or NULL */
    char *reason;      /* why it was skipped, or NULL */
    struct buf detail; /* lines for the TAP comments */
};

void result_init(struct result *res);
void result_free(struct result *res);
void result_set_title(struct result *res, const char *title);
void result_set_reason(struct result *res, const char *reason);
void result_encode(const struct result *res, struct buf *out);
int result_decode(const char *data, size_t len, struct result *res);

#endif
