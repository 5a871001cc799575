/*++
 * NAME
 *	fuzz-spool 1
 * SUMMARY
 *	libFuzzer target for the spool -H reader
 * SYNOPSIS
 *	make fuzz-spool [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is read as the text of a -H spool file by
 *	spool_parse_header() (src/spool/spool_read.c), the code every
 *	queue run, -bp, -Mvh and delivery trust, and which must cope
 *	with a file that a crash, a full disk or another program left
 *	damaged. The id on line 1 is not checked (the target passes
 *	NULL), so that the rest of the file is reached.
 *
 *	Beyond what the sanitizers catch it checks: a file that reads
 *	without error is written back by spool_format_header() to text
 *	that reads again without error, with the same sender, recipient
 *	count and header count, and that text written once more is the
 *	same (the writer is a fixed point). A failure is an abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/envelope.h"
#include "spool/spool_read.h"
#include "spool/spool_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count_headers(const struct spool_msg *m)
{
    size_t n = 0;

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        n++;
    return n;
}

/* The ACL variables are written in the order of Exim's tree, whose
 * shape depends on the order they were read in, so a second pass may
 * list them in another order, as Exim's own rewrite of a -H file does.
 * Same lines in another order is the same file. */
struct line {
    const char *s;
    size_t n;
};

static int
cmp_line(const void *x, const void *y)
{
    const struct line *p = x, *q = y;
    size_t n = p->n < q->n ? p->n : q->n;
    int c = memcmp(p->s, q->s, n);

    return c != 0 ? c : (p->n > q->n) - (p->n < q->n);
}

/* The lines of g (values may hold NULs), sorted; their number. */
static size_t
sorted_lines(struct arena *a, const gstr *g, struct line **out)
{
    struct line *l = arena_alloc(a, (g->len + 1) * sizeof(*l));
    const char *p = g->s, *end = g->s + g->len;
    size_t n = 0;

    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
        l[n].s = p;
        l[n++].n = len;
        p += len + 1;
    }
    qsort(l, n, sizeof(*l), cmp_line);
    *out = l;
    return n;
}

static int
same_lines(struct arena *a, const gstr *x, const gstr *y)
{
    struct line *lx, *ly;
    size_t nx, ny;

    if (x->len != y->len)
        return 0;
    nx = sorted_lines(a, x, &lx);
    ny = sorted_lines(a, y, &ly);
    if (nx != ny)
        return 0;
    for (size_t i = 0; i < nx; i++)
        if (cmp_line(&lx[i], &ly[i]) != 0)
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    struct spool_msg m, again, third;
    gstr err, text, text2;

    if (size > 256 * 1024)
        return 0;
    a = arena_create();
    gstr_init(&err, a);
    if (spool_parse_header((const char *)data, size, NULL, a, &m, &err) ==
        SPOOL_READ_OK) {
        gstr_init(&text, a);
        spool_format_header(&text, &m);
        gstr_truncate(&err, 0);
        if (spool_parse_header(text.s, text.len, NULL, a, &again, &err) !=
            SPOOL_READ_OK)
            abort();
        if (strcmp(again.sender, m.sender) != 0 ||
            again.rcpt_count != m.rcpt_count ||
            count_headers(&again) != count_headers(&m))
            abort();
        gstr_init(&text2, a);
        spool_format_header(&text2, &again);
        /* Exim's string_printing() leaves "\\" as it is while the
         * reader undoes escapes, so a value holding a backslash may read
         * back otherwise: Exim's format has the same ambiguity
         * (docs/reliability.md). Without one, the file must be the same. */
        if ((text2.len != text.len || memcmp(text2.s, text.s, text.len) != 0) &&
            memchr(text.s, '\\', text.len) == NULL &&
            !same_lines(a, &text, &text2)) {
            /* A third pass tells a reader bug from a writer that
             * needs two passes to settle. */
            if (spool_parse_header(text2.s, text2.len, NULL, a, &third, &err) !=
                SPOOL_READ_OK)
                abort();
            abort();
        }
    }
    arena_destroy(a);
    return 0;
}
