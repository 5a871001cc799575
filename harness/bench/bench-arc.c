/*++
 * NAME
 *	bench-arc 1
 * SUMMARY
 *	ARC sealing and chain verifying throughput
 * SYNOPSIS
 *	bench-arc KEY.pem [SECONDS]
 * DESCRIPTION
 *	Seals a 4 KB message (one ARC set: the body hash, an
 *	ARC-Message-Signature and an ARC-Seal, two RSA signatures with the
 *	key) as often as it can for SECONDS (default 3) on one core, then
 *	verifies a chain of one set and a chain of three sets (each seal
 *	over an Authentication-Results of its own saying arc=pass), the
 *	key record answered from memory (no DNS). Prints messages per
 *	second for each; OpenSSL's rates for one RSA signature and one
 *	verification of a SHA-256 digest are printed beside, as the limits
 *	(a set needs two signatures; a chain of N sets 2N verifications).
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc/arc.h"
#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "benchlib.h"
#include "dkim/dkim.h"

static const char *pem;

/* One set over msg (CRLF lines): the set and msg into out. */
static int
seal(struct arena *a, const char *msg, gstr *out)
{
    const char *sep = strstr(msg, "\r\n\r\n"), *why;
    struct dkim_body *b =
        dkim_body_new(a, DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, -1);
    struct arc_sign_req r = {"test.ex", "sel", pem, 0, 0, 0, 0, "192.0.2.1"};
    const unsigned char *bh;
    size_t bhlen;
    gstr err;
    int rc;

    for (const char *p = sep + 4, *nl; *p != '\0'; p = nl + 2) {
        nl = strstr(p, "\r\n");
        dkim_body_line(b, p, (size_t)(nl - p));
    }
    dkim_body_finish(b, &bh, &bhlen);
    gstr_init(&err, a);
    rc = arc_sign_set(a, &r, msg, (size_t)(sep - msg) + 2, "", 0, bh, bhlen,
                      out, &why, &err);
    dkim_body_free(b);
    if (rc != 1) {
        fprintf(stderr, "sealing failed: %s\n", rc < 0 ? gstr_str(&err) : why);
        exit(1);
    }
    gstr_adds(out, msg);
    return 0;
}

static const char *
verify(struct arena *a, const char *msg, unsigned *inst)
{
    struct arc_verify *v = arc_verify_start(a);
    struct arc_result r;
    const char *state;

    for (const char *p = msg, *nl; *p != '\0'; p = nl + 2) {
        nl = strstr(p, "\r\n");
        arc_verify_line(v, p, (size_t)(nl - p));
    }
    state = arc_verify_finish(v, &r);
    *inst = r.received_instance;
    arc_verify_free(v);
    return state;
}

static void
verify_rate(const char *msg, unsigned want, double secs)
{
    long n = 0;
    double t0 = bench_now();

    while (bench_now() - t0 < secs) {
        struct arena *a = arena_create();
        unsigned inst;
        const char *state = verify(a, msg, &inst);
        if (strcmp(state, "pass") != 0 || inst != want) {
            fprintf(stderr, "chain of %u: %s (i=%u)\n", want, state, inst);
            exit(1);
        }
        arena_destroy(a);
        n++;
    }
    printf("mxlab-verify-%u: %8.0f /s  (a chain of %u set%s)\n", want,
           (double)n / (bench_now() - t0), want, want > 1 ? "s" : "");
}

static void
openssl_rate(double secs)
{
    double sign, verify;

    bench_openssl_rates(pem, secs, &sign, &verify);
    printf("openssl-sign:    %8.0f /s  (one RSA-2048 signature; a set "
           "needs two)\n",
           sign);
    printf("openssl-verify:  %8.0f /s  (one RSA-2048 verification; a "
           "chain of N needs 2N)\n",
           verify);
}

int
main(int argc, char **argv)
{
    double secs = argc > 2 ? atof(argv[2]) : 3.0, t0;
    struct arena *perm = arena_create();
    gstr msg, one, chain;
    long n = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: bench-arc KEY.pem [SECONDS]\n");
        return 2;
    }
    pem = bench_read_file(argv[1]);
    bench_serve_key(pem);
    gstr_init(&msg, perm);
    gstr_adds(&msg, "Authentication-Results: test.ex; arc=none\r\n"
                    "From: Alice <alice@test.ex>\r\nTo: Bob <bob@test.ex>\r\n"
                    "Subject: benchmark\r\nDate: Mon, 06 May 2024 09:00:00 "
                    "+0000\r\nMessage-ID: <bench@test.ex>\r\n\r\n");
    while (msg.len < 4096)
        gstr_adds(&msg, "The quick brown fox jumps over the lazy dog, "
                        "again and again and again.\r\n");

    t0 = bench_now();
    while (bench_now() - t0 < secs) {
        struct arena *a = arena_create();
        gstr out;
        gstr_init(&out, a);
        seal(a, msg.s, &out);
        if (n == 0) {
            gstr_init(&one, perm);
            gstr_adds(&one, out.s);
        }
        arena_destroy(a);
        n++;
    }
    printf("mxlab-seal:      %8.0f /s  (4 KB message, one set, RSA-2048)\n",
           (double)n / (bench_now() - t0));

    gstr_init(&chain, perm);
    gstr_adds(&chain, one.s);
    for (int i = 2; i <= 3; i++) {
        gstr next, in;
        gstr_init(&in, perm);
        gstr_adds(&in, "Authentication-Results: test.ex; arc=pass\r\n");
        gstr_adds(&in, chain.s);
        gstr_init(&next, perm);
        seal(perm, in.s, &next);
        gstr_truncate(&chain, 0);
        gstr_adds(&chain, next.s);
    }
    verify_rate(one.s, 1, secs);
    verify_rate(chain.s, 3, secs);
    openssl_rate(secs);
    return 0;
}
