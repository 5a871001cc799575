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
        if (text2.len != text.len || memcmp(text2.s, text.s, text.len) != 0) {
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
