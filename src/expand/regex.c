/*++
 * NAME
 *	regex 3
 * SUMMARY
 *	PCRE2 regular expressions, compiled once and cached
 * SYNOPSIS
 *	#include "expand/regex.h"
 *
 *	pcre2_code *expand_regex_compile(const char *pattern, int caseless,
 *				gstr *err, int *owned)
 *	int	expand_regex_exec(const pcre2_code *re, const char *subject,
 *				size_t len, size_t start,
 *				pcre2_match_data *md, gstr *err)
 *	size_t	expand_regex_cache_size(void)
 *
 *	int	x_regex_match(struct exp *e, const char *subject,
 *				const char *pattern, int set_nums)
 *	int	x_regex_sg(struct exp *e, const char *subject,
 *				const char *pattern, const char *replacement,
 *				gstr *out)
 * DESCRIPTION
 *	expand_regex_compile() returns the compiled form of a pattern,
 *	compiling it the first time only; the cache lives as long as the
 *	process (configuration strings repeat, and the set of distinct
 *	patterns is small). It holds at most REGEX_CACHE_MAX patterns and
 *	REGEX_CACHE_BYTES of compiled code;
 *	beyond that a new one is compiled each time, *owned is set, and
 *	the caller frees it with pcre2_code_free().
 *
 *	Matching runs with PCRE2 match and depth limits, so that a
 *	pattern with catastrophic backtracking fails with an error
 *	instead of hanging.
 *
 *	x_regex_match() is the "match" condition: on a match it sets $0
 *	to $9 from the captured substrings. x_regex_sg() is ${sg}: each
 *	match is replaced by the replacement, expanded with $0..$9 set.
 * DIAGNOSTICS
 *	A bad pattern: 'regular expression error in "PATTERN": MESSAGE at
 *	offset N'. A match that hits a limit: 'regular expression
 *	"PATTERN": match limit exceeded'.
 *--*/

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand_int.h"
#include "expand/regex.h"

#define REGEX_CACHE_MAX   1024
#define REGEX_CACHE_BYTES (16u * 1024 * 1024)
#define REGEX_MATCH_LIMIT 1000000
#define REGEX_DEPTH_LIMIT 10000

struct regex_entry {
    char *pattern;
    int caseless;
    pcre2_code *code;
    struct regex_entry *next;
};

static struct regex_entry *regex_cache;
static size_t regex_cached;
static size_t regex_cached_bytes;
static pcre2_match_context *regex_mctx;

size_t
expand_regex_cache_size(void)
{
    return regex_cached;
}

pcre2_code *
expand_regex_compile(const char *pattern, int caseless, gstr *err, int *owned)
{
    struct regex_entry *r;
    pcre2_code *code;
    int ecode;
    PCRE2_SIZE eoff;

    *owned = 0;
    for (r = regex_cache; r != NULL; r = r->next)
        if (r->caseless == caseless && strcmp(r->pattern, pattern) == 0)
            return r->code;
    code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                         caseless ? PCRE2_CASELESS : 0, &ecode, &eoff, NULL);
    if (code == NULL) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(ecode, buf, sizeof(buf));
        gstr_printf(err, "regular expression error in \"%s\": %s at offset %zu",
                    pattern, (char *)buf, (size_t)eoff);
        return NULL;
    }
    size_t size = 0;
    pcre2_pattern_info(code, PCRE2_INFO_SIZE, &size);
    if (regex_cached >= REGEX_CACHE_MAX ||
        regex_cached_bytes + size > REGEX_CACHE_BYTES) {
        /* The cache is full: the caller owns this one. Entries are never
         * evicted, since a caller may still hold one. */
        *owned = 1;
        return code;
    }
    r = malloc(sizeof(*r));
    if (r == NULL || (r->pattern = strdup(pattern)) == NULL) {
        free(r);
        pcre2_code_free(code);
        gstr_adds(err, "out of memory compiling a regular expression");
        return NULL;
    }
    r->caseless = caseless;
    r->code = code;
    r->next = regex_cache;
    regex_cache = r;
    regex_cached++;
    regex_cached_bytes += size;
    return code;
}

int
expand_regex_exec(const pcre2_code *re, const char *subject, size_t len,
                  size_t start, pcre2_match_data *md, gstr *err)
{
    int rc;

    if (regex_mctx == NULL) {
        regex_mctx = pcre2_match_context_create(NULL);
        pcre2_set_match_limit(regex_mctx, REGEX_MATCH_LIMIT);
        pcre2_set_depth_limit(regex_mctx, REGEX_DEPTH_LIMIT);
    }
    rc = pcre2_match(re, (PCRE2_SPTR)subject, len, start, 0, md, regex_mctx);
    if (rc >= 0)
        return rc == 0 ? 1 : rc;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof(buf));
    gstr_printf(err, "regular expression match failed: %s", (char *)buf);
    return -1;
}

static void
set_nums(struct exp *e, const char *subject, pcre2_match_data *md, int n)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

    e->nmax = -1;
    for (int i = 0; i < n && i < 10; i++) {
        if (ov[2 * i] == PCRE2_UNSET) {
            e->num[i] = "";
            e->numlen[i] = 0;
        } else {
            e->num[i] = arena_strndup(e->a, subject + ov[2 * i],
                                      ov[2 * i + 1] - ov[2 * i]);
            e->numlen[i] = ov[2 * i + 1] - ov[2 * i];
        }
        e->nmax = i;
    }
}

int
x_regex_match(struct exp *e, const char *subject, const char *pattern,
              int want_nums)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int rc, owned;

    gstr_truncate(e->msg, 0);
    if ((re = expand_regex_compile(pattern, 0, e->msg, &owned)) == NULL)
        return -1;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = expand_regex_exec(re, subject, strlen(subject), 0, md, e->msg);
    if (rc > 0 && want_nums)
        set_nums(e, subject, md, rc);
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    return rc < 0 ? -1 : rc > 0;
}

int
x_regex_sg(struct exp *e, const char *subject, const char *pattern,
           const char *replacement, gstr *out)
{
    pcre2_code *re;
    pcre2_match_data *md;
    size_t len = strlen(subject), pos = 0;
    struct exp saved;
    int rc = EXPAND_OK, owned;

    gstr_truncate(e->msg, 0);
    if ((re = expand_regex_compile(pattern, 0, e->msg, &owned)) == NULL)
        return EXPAND_ERROR;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    x_save_nums(e, &saved);
    while (pos <= len) {
        int n = expand_regex_exec(re, subject, len, pos, md, e->msg);
        if (n < 0) {
            rc = EXPAND_ERROR;
            break;
        }
        if (n == 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        char *rep;
        if ((rc = x_add(e, out, subject + pos, ov[0] - pos)) != EXPAND_OK)
            break;
        set_nums(e, subject, md, n);
        if ((rc = x_sub_expand(e, replacement, 0, &rep)) != EXPAND_OK)
            break;
        if ((rc = x_adds(e, out, rep)) != EXPAND_OK)
            break;
        if (ov[1] == ov[0]) {
            /* An empty match: copy one character and move on. */
            if (ov[0] < len && (rc = x_add(e, out, subject + ov[0], 1)) != 0)
                break;
            pos = ov[0] + 1;
        } else
            pos = ov[1];
        if (++e->steps > X_MAX_STEPS) {
            rc = x_error(e, NULL,
                         "expansion too complex (more than %lu "
                         "steps)",
                         X_MAX_STEPS);
            break;
        }
    }
    if (rc == EXPAND_OK && pos < len)
        rc = x_add(e, out, subject + pos, len - pos);
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    x_restore_nums(e, &saved);
    return rc;
}
