/*
 * NAME
 *	tap - report results in the Test Anything Protocol
 * SYNOPSIS
 *	#include "tap.h"
 *
 *	void	tap_plan(FILE *fp, size_t n);
 *	void	tap_result(FILE *fp, size_t number, const char *name,
 *				const struct result *res,
 *				struct tap_counts *counts);
 *	void	tap_summary(FILE *fp, const struct tap_counts *counts);
 * DESCRIPTION
 *	tap_plan() prints "1..n".
 *
 *	tap_result() prints one test line and counts it:
 *
 *	    ok 3 - core/helo - HELO is answered
 *	    not ok 4 - core/ehlo - EHLO lists the extensions
 *	    ok 5 - dcc/reject - a DCC reject # SKIP requires dccifd
 *	    ok 6 - core/bv - -bV works # updated
 *
 *	then the result's detail, each line as a "# " comment.  A "#" in
 *	the name or title is written "\#", as TAP wants.  An updated
 *	scenario counts as passed.
 *
 *	tap_summary() prints the last line, "N passed, N failed, N
 *	skipped".
 * DIAGNOSTICS
 *	None.  Output is flushed after each result.
 */

#include <string.h>

#include "result.h"
#include "tap.h"

void
tap_plan(FILE *fp, size_t n)
{
    fprintf(fp, "1..%zu\n", n);
    fflush(fp);
}

static void
tap_escaped(FILE *fp, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '#')
            fputc('\\', fp);
        fputc(*s, fp);
    }
}

static void
tap_comments(FILE *fp, const struct buf *detail)
{
    const char *s = buf_str(detail);
    const char *end = s + detail->len;

    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

        fputs(len ? "# " : "#", fp);
        fwrite(s, 1, len, fp);
        fputc('\n', fp);
        s += len + (nl != NULL);
    }
}

void
tap_result(FILE *fp, size_t number, const char *name, const struct result *res,
           struct tap_counts *counts)
{
    fprintf(fp, "%s %zu - ", res->status == RESULT_FAIL ? "not ok" : "ok",
            number);
    tap_escaped(fp, name);
    if (res->title != NULL) {
        fputs(" - ", fp);
        tap_escaped(fp, res->title);
    }
    if (res->status == RESULT_SKIP) {
        fputs(" # SKIP ", fp);
        tap_escaped(fp, res->reason ? res->reason : "skipped");
    } else if (res->status == RESULT_UPDATED) {
        fputs(" # updated", fp);
    }
    fputc('\n', fp);
    tap_comments(fp, &res->detail);
    fflush(fp);
    if (res->status == RESULT_FAIL)
        counts->failed++;
    else if (res->status == RESULT_SKIP)
        counts->skipped++;
    else
        counts->passed++;
}

void
tap_summary(FILE *fp, const struct tap_counts *counts)
{
    fprintf(fp, "%zu passed, %zu failed, %zu skipped\n", counts->passed,
            counts->failed, counts->skipped);
    fflush(fp);
}
