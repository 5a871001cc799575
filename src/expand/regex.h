/* regex.h: PCRE2 regular expressions, compiled once and cached. */
#ifndef MXLAB_EXPAND_REGEX_H
#define MXLAB_EXPAND_REGEX_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stddef.h>

#include "base/gstr.h"

/* The compiled pattern, or NULL with err set. It belongs to the cache
 * unless *owned is set (the cache is full); then the caller frees it. */
pcre2_code *expand_regex_compile(const char *pattern, int caseless, gstr *err,
                                 int *owned);
/* 1 or more (the number of pairs set) for a match, 0 for none, -1 with
 * err set if matching failed (a limit reached). */
int expand_regex_exec(const pcre2_code *re, const char *subject, size_t len,
                      size_t start, pcre2_match_data *md, gstr *err);
size_t expand_regex_cache_size(void);

#endif
