#ifndef FAKE_REGEX_H
#define FAKE_REGEX_H

#include <regex.h>

#include "fake_script.h"

/* Repetitions may expand a pattern to at most this many atoms, and all
 * the patterns of one script together to at most FAKE_REGEX_MAX_TOTAL. */
#define FAKE_REGEX_MAX_ATOMS 10000
#define FAKE_REGEX_MAX_TOTAL 20000
#define FAKE_REGEX_MAX_DEPTH 64

unsigned long fake_regex_size(const char *pattern, int *too_deep);
void fake_regex_begin(void);
void fake_regex_compile(const struct fake_script_line *l, regex_t *re,
                        const char *pattern);

#endif
