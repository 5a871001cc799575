#ifndef RUNNER_GOLDEN_H
#define RUNNER_GOLDEN_H

#include <stddef.h>

#include "buf.h"

/* One expected output: its golden file name and its normalised text. */
struct golden_item {
    char *name;
    struct buf text;
};

#define GOLDEN_DIFF_MAX_LINES 400

int golden_compare(const char *dir, const struct golden_item *items, size_t n,
                   void (*both)(struct buf *), struct buf *report);
int golden_update(const char *dir, const struct golden_item *items, size_t n,
                  struct buf *report);

#endif
