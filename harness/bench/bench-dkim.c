/*++
 * NAME
 *	bench-dkim 1
 * SUMMARY
 *	DKIM signing and verifying throughput
 * SYNOPSIS
 *	bench-dkim KEY.pem [SECONDS]
 * DESCRIPTION
 *	Signs a 4 KB message with the RSA key (relaxed/relaxed,
 *	rsa-sha256, Exim's default header list) as often as it can for
 *	SECONDS (default 3) on one core, then verifies the signed message
 *	the same way (the key record answered from memory, no DNS), and
 *	prints messages per second for each, and how many body bytes each
 *	operation hashed. OpenSSL's own rate for the same key (one
 *	RSA-2048 sign or verify of a SHA-256 digest) is printed beside,
 *	as the limit.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "benchlib.h"
#include "dkim/dkim.h"
#include "dkim/dkim_sign.h"

static void
feed_lines(const char *msg, void (*fn)(void *, const char *, size_t), void *arg)
{
    const char *p = msg, *nl;

    while (*p != '\0') {
        nl = strchr(p, '\n');
        fn(arg, p, (size_t)(nl - p));
        p = nl + 1;
    }
}

static void
signer_line(void *g, const char *line, size_t len)
{
    dkim_signer_line(g, line, len);
}

/* OpenSSL alone: RSA sign and verify of a SHA-256 digest. */
static void
openssl_rates(const char *pem, double secs)
{
    double sign, verify;

    bench_openssl_rates(pem, secs, &sign, &verify);
    printf("openssl-sign:   %8.0f /s\n", sign);
    printf("openssl-verify: %8.0f /s\n", verify);
}

int
main(int argc, char **argv)
{
    double secs = argc > 2 ? atof(argv[2]) : 3.0, t0;
    const char *pem;
    gstr msg, signed_msg;
    struct arena *perm = arena_create();
    long n = 0;
    unsigned long hashed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: bench-dkim KEY.pem [SECONDS]\n");
        return 2;
    }
    pem = bench_read_file(argv[1]);
    bench_serve_key(pem);
    gstr_init(&msg, perm);
    gstr_adds(&msg, "From: Alice <alice@test.ex>\nTo: Bob <bob@test.ex>\n"
                    "Subject: benchmark\nDate: Mon, 06 May 2024 09:00:00 "
                    "+0000\nMessage-ID: <bench@test.ex>\n\n");
    while (msg.len < 4096)
        gstr_adds(&msg, "The quick brown fox jumps over the lazy dog, "
                        "again and again and again.\n");

    /* signing */
    t0 = bench_now();
    while (bench_now() - t0 < secs) {
        struct arena *a = arena_create();
        struct dkim_signer *g = dkim_signer_new(a);
        struct dkim_sign_req r = {0};
        gstr out, err;
        r.domain = "test.ex";
        r.selector = "sel";
        r.privkey = pem;
        r.canon = DKIM_CANON_RELAXED;
        r.hash = DKIM_HASH_SHA256;
        gstr_init(&out, a);
        gstr_init(&err, a);
        if (dkim_signer_add(g, &r, &err) < 0) {
            fprintf(stderr, "%s\n", gstr_str(&err));
            return 1;
        }
        feed_lines(msg.s, signer_line, g);
        dkim_signer_finish(g, &out, &err);
        if (n == 0) {
            gstr_init(&signed_msg, perm);
            for (size_t i = 0; i < out.len; i++)
                if (out.s[i] != '\r')
                    gstr_addc(&signed_msg, out.s[i]);
            gstr_adds(&signed_msg, msg.s);
        }
        dkim_signer_free(g);
        arena_destroy(a);
        n++;
    }
    printf("mxlab-sign:     %8.0f /s  (4 KB message, RSA-2048)\n",
           (double)n / (bench_now() - t0));

    /* verifying */
    n = 0;
    t0 = bench_now();
    while (bench_now() - t0 < secs) {
        struct arena *a = arena_create();
        struct dkim_verify *v = dkim_verify_start(a);
        struct dkim_verify_opts o = {"sha256", "rsa", "rsa=1024", 0};
        const char *err;
        feed_lines(signed_msg.s, dkim_verify_line, v);
        struct dkim_sig *s = dkim_verify_finish(v, &o, &err);
        if (s == NULL || s->status != DKIM_PASS) {
            fprintf(stderr, "verification did not pass\n");
            return 1;
        }
        hashed = dkim_body_hashed(s->body);
        dkim_verify_free(v);
        arena_destroy(a);
        n++;
    }
    printf("mxlab-verify:   %8.0f /s\n", (double)n / (bench_now() - t0));
    printf("body bytes hashed per message: %lu (body %zu bytes, each once)\n",
           hashed, msg.len - (size_t)(strstr(msg.s, "\n\n") + 2 - msg.s));
    openssl_rates(pem, secs);
    return 0;
}
