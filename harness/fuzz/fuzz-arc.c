/*++
 * NAME
 *	fuzz-arc 1
 * SUMMARY
 *	libFuzzer target for the ARC header parsers and the ARC verifier
 * SYNOPSIS
 *	make fuzz-arc [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is read three ways: as the value of each of the three
 *	ARC header fields, parsed with every extraction mode
 *	(arc_line_parse()) and added to a chain (arc_chain_add(), for
 *	verifying and for signing, then arc_chain_domains()); and as a
 *	whole message fed line by line to the ARC verifier, whose key
 *	lookups are answered from memory (dkim_txt_hook) with the input
 *	itself as the record, so nothing reaches the network.
 *
 *	Anything the sanitizers report, a crash, or an input that takes
 *	longer than the time-out is a bug.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arc/arc.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *record;

static const char *
txt_from_input(struct arena *a, const char *name)
{
    (void)a;
    (void)name;
    return record;
}

static void
fields(struct arena *a, const uint8_t *data, size_t size)
{
    static const char *const names[] = {
        "ARC-Authentication-Results: ", "ARC-Message-Signature: ",
        "ARC-Seal: "};
    struct arc_chain sign, verify;

    arc_chain_init(&sign, a);
    arc_chain_init(&verify, a);
    for (int k = 0; k < 3; k++) {
        gstr field;
        size_t off = strlen(names[k]) - 1;
        gstr_init(&field, a);
        gstr_adds(&field, names[k]);
        gstr_addn(&field, (const char *)data, size);
        for (int x = ARC_X_INSTANCE; x <= ARC_X_ALL; x++) {
            struct arc_line al;
            memset(&al, 0, sizeof(al));
            if (arc_line_parse(a, &al, field.s, field.len, off,
                               (enum arc_extract)x) == NULL &&
                x == ARC_X_ALL && k == ARC_AMS)
                (void)arc_ams_as_dkim(a, &al);
        }
        (void)arc_chain_add(&verify, field.s, field.len, 0);
        (void)arc_chain_add(&sign, field.s, field.len, 1);
    }
    (void)arc_chain_domains(a, &verify);
    (void)arc_chain_domains(a, &sign);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_create();
    struct arc_result r;
    struct arc_verify *v;
    const char *p, *nl;
    gstr out;

    fields(a, data, size);
    record = arena_strndup(a, (const char *)data, size);
    dkim_txt_hook = txt_from_input;
    v = arc_verify_start(a);
    for (p = (const char *)data; p < (const char *)data + size; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)((const char *)data + size - p));
        if (nl == NULL)
            nl = (const char *)data + size;
        arc_verify_line(v, p, (size_t)(nl - p));
    }
    arc_verify_free(v);
    (void)arc_verify_finish(v, &r);
    gstr_init(&out, a);
    arc_authres(&r, "127.0.0.1", &out);
    arena_destroy(a);
    return 0;
}
