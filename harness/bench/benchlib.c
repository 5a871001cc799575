/*++
 * NAME
 *	benchlib 3
 * SUMMARY
 *	the clock, the key and OpenSSL's limits for bench-dkim and bench-arc
 * SYNOPSIS
 *	#include "benchlib.h"
 * DESCRIPTION
 *	See benchlib.h. Both benchmarks measure mxlab's signing and
 *	verifying beside OpenSSL's bare RSA operations on the same key, so
 *	that a figure reads as a fraction of the machine's limit.
 *--*/

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "benchlib.h"
#include "dkim/dkim.h"

static char record[2048];

double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *
bench_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static char buf[16384];
    size_t n;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *
key_record(struct arena *a, const char *name)
{
    (void)a;
    (void)name;
    return record;
}

void
bench_serve_key(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    gstr_adds(&g, "v=DKIM1; k=rsa; p=");
    b64_encode(&g, der, (size_t)n);
    snprintf(record, sizeof(record), "%s", gstr_str(&g));
    OPENSSL_free(der);
    EVP_PKEY_free(k);
    BIO_free(bio);
    arena_destroy(a);
    dkim_txt_hook = key_record;
}

void
bench_openssl_rates(const char *pem, double secs, double *sign, double *verify)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    unsigned char d[32] = {1}, sig[512];
    size_t slen = sizeof(sig);
    long n = 0;
    double t0 = bench_now();

    while (bench_now() - t0 < secs) {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        slen = sizeof(sig);
        EVP_PKEY_sign_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
        EVP_PKEY_sign(c, sig, &slen, d, sizeof(d));
        EVP_PKEY_CTX_free(c);
        n++;
    }
    *sign = (double)n / (bench_now() - t0);
    n = 0;
    t0 = bench_now();
    while (bench_now() - t0 < secs) {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        EVP_PKEY_verify_init(c);
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
        EVP_PKEY_CTX_set_signature_md(c, EVP_sha256());
        EVP_PKEY_verify(c, sig, slen, d, sizeof(d));
        EVP_PKEY_CTX_free(c);
        n++;
    }
    *verify = (double)n / (bench_now() - t0);
    EVP_PKEY_free(k);
    BIO_free(bio);
}
