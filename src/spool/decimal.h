/* decimal.h: strict decimal numbers in byte ranges (no NUL needed).
 * Belongs in src/base; kept here until base grows it. */
#ifndef MXLAB_SPOOL_DECIMAL_H
#define MXLAB_SPOOL_DECIMAL_H

#include <stddef.h>

/* The n bytes at s are all digits (after one "-" if allow_neg) and fit:
 * 0 and *out set; else -1. */
int decimal_long(const char *s, size_t n, int allow_neg, long *out);
int decimal_int(const char *s, size_t n, int allow_neg, int *out);

#endif
