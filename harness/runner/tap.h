#ifndef RUNNER_TAP_H
#define RUNNER_TAP_H

#include <stddef.h>
#include <stdio.h>

struct result;

struct tap_counts {
    size_t passed;
    size_t failed;
    size_t skipped;
};

void tap_plan(FILE *fp, size_t n);
void tap_result(FILE *fp, size_t number, const char *name,
                const struct result *res, struct tap_counts *counts);
void tap_summary(FILE *fp, const struct tap_counts *counts);

#endif
