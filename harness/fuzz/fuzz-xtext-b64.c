/*++
 * NAME
 *	fuzz-xtext-b64 1
 * SUMMARY
 *	libFuzzer target for the xtext and base64 codecs
 * SYNOPSIS
 *	make fuzz-xtext-b64 [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is decoded as RFC 3461 xtext (xtext_decode) and as
 *	base64 (b64_decode, src/base), and encoded by both. Beyond what
 *	the sanitizers catch it checks the round trips the rest of mxlab
 *	relies on (ORCPT= and ENVID= in the spool, AUTH data): what is
 *	encoded decodes back to the same bytes; what decodes encodes to
 *	text that decodes to the same bytes again; an encoding holds only
 *	printable ASCII; decode's count is the number of bytes appended.
 *	A failure is reported with abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/xtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_printable(const gstr *g)
{
    for (size_t i = 0; i < g->len; i++)
        if ((unsigned char)g->s[i] < 0x21 || (unsigned char)g->s[i] > 0x7e)
            abort();
}

static void
check_same(const gstr *g, const void *p, size_t n)
{
    if (g->len != n || (n > 0 && memcmp(g->s, p, n) != 0))
        abort();
}

static void
xtext_round_trips(struct arena *a, const char *in, size_t n)
{
    gstr enc, dec, again;

    gstr_init(&enc, a);
    gstr_init(&dec, a);
    gstr_init(&again, a);
    xtext_encode(&enc, in, n);
    check_printable(&enc);
    if (xtext_decode(&dec, enc.s != NULL ? enc.s : "", enc.len) != 0)
        abort();
    check_same(&dec, in, n);

    gstr_truncate(&dec, 0);
    gstr_truncate(&enc, 0);
    if (xtext_decode(&dec, in, n) == 0) {
        xtext_encode(&enc, dec.s != NULL ? dec.s : "", dec.len);
        if (xtext_decode(&again, enc.s != NULL ? enc.s : "", enc.len) != 0)
            abort();
        check_same(&again, dec.s, dec.len);
    }
}

static void
b64_round_trips(struct arena *a, const char *in, size_t n)
{
    gstr enc, dec, again;
    ssize_t got;

    gstr_init(&enc, a);
    gstr_init(&dec, a);
    gstr_init(&again, a);
    b64_encode(&enc, (const unsigned char *)in, n);
    check_printable(&enc);
    if (enc.len % 4 != 0)
        abort();
    got = b64_decode(&dec, enc.s != NULL ? enc.s : "", enc.len);
    if (got != (ssize_t)n)
        abort();
    check_same(&dec, in, n);

    gstr_truncate(&dec, 0);
    gstr_truncate(&enc, 0);
    got = b64_decode(&dec, in, n);
    if (got >= 0) {
        if ((size_t)got != dec.len)
            abort();
        b64_encode(&enc, (const unsigned char *)(dec.s ? dec.s : ""), dec.len);
        if (b64_decode(&again, enc.s != NULL ? enc.s : "", enc.len) !=
            (ssize_t)dec.len)
            abort();
        check_same(&again, dec.s, dec.len);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    char *in;

    if (size > 64 * 1024)
        return 0;
    a = arena_create();
    in = arena_alloc(a, size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    xtext_round_trips(a, in, size);
    b64_round_trips(a, in, size);
    arena_destroy(a);
    return 0;
}
