/*++
 * NAME
 *	fuzz-dkim 1
 * SUMMARY
 *	libFuzzer target for the DKIM parsers and verifier
 * SYNOPSIS
 *	make fuzz-dkim [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is read three ways: as the value of a DKIM-Signature
 *	field (dkim_sig_parse()), as a key record (dkim_pubkey_parse()),
 *	and as a whole message fed line by line to the verifier, whose key
 *	lookups are answered from memory (dkim_txt_hook) with the input
 *	itself as the record, so nothing reaches the network.
 *
 *	Anything the sanitizers report, a crash, or an input that takes
 *	longer than the time-out is a bug.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_create();
    struct dkim_verify_opts o = {"sha256:sha512:sha1", "ed25519:rsa",
                                 "rsa=1024 ed25519=250", 0};
    char *text = arena_strndup(a, (const char *)data, size);
    const char *err = NULL, *p, *nl;
    gstr field;
    struct dkim_verify *v;

    gstr_init(&field, a);
    gstr_adds(&field, "DKIM-Signature: ");
    gstr_addn(&field, (const char *)data, size);
    (void)dkim_sig_parse(a, field.s, field.len);
    (void)dkim_pubkey_parse(a, text);

    record = text;
    dkim_txt_hook = txt_from_input;
    v = dkim_verify_start(a);
    for (p = (const char *)data; p < (const char *)data + size; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)((const char *)data + size - p));
        if (nl == NULL)
            nl = (const char *)data + size;
        dkim_verify_line(v, p, (size_t)(nl - p));
    }
    (void)dkim_verify_finish(v, &o, &err);
    dkim_verify_free(v);
    arena_destroy(a);
    return 0;
}
