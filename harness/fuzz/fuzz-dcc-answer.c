/*++
 * NAME
 *	fuzz-dcc-answer 1
 * SUMMARY
 *	libFuzzer target for the dccifd answer parser
 * SYNOPSIS
 *	make fuzz-dcc-answer [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is read as a whole dccifd answer by dcc_answer_parse()
 *	(src/dcc/dcc_answer.c), the code that turns what dccifd sent into
 *	the verdict, the recipient line and $dcc_header. Beyond what the
 *	sanitizers catch, it checks the promises the rest of mxlab relies
 *	on: a header, when there is one, starts with "X-DCC", ends with
 *	one LF, is at most DCC_HEADER_LIMIT bytes plus the TABs added, and
 *	holds only printable ASCII, TAB and LF, every line after the first
 *	starting with a blank (so it is one header field and cannot start
 *	another); the verdict is the first byte.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "dcc/dcc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_header(const char *h)
{
    size_t n = strlen(h);

    if (n < 6 || strncmp(h, "X-DCC", 5) != 0 || h[n - 1] != '\n')
        abort();
    if (n > 2 * (DCC_HEADER_LIMIT + 1))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch != '\n' && ch != '\t' && (ch < 0x20 || ch > 0x7e))
            abort();
        if (ch == '\n' && i + 1 < n && h[i + 1] != ' ' && h[i + 1] != '\t')
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_create();
    struct dcc_answer ans;

    dcc_answer_parse((const char *)data, size, a, &ans);
    if (size > 0 && data[0] != '\n' && ans.verdict != (char)data[0])
        abort();
    if (ans.rcpts == NULL || strlen(ans.rcpts) != ans.rcpts_len)
        abort();
    if (ans.header != NULL)
        check_header(ans.header);
    arena_destroy(a);
    return 0;
}
