/* benchlib.h: what bench-dkim and bench-arc share: the clock, the key
 * file, its DKIM key record served from memory, and OpenSSL's own RSA
 * rates as the limit beside mxlab's. */
#ifndef MXLAB_HARNESS_BENCHLIB_H
#define MXLAB_HARNESS_BENCHLIB_H

/* Seconds on the monotonic clock. */
double bench_now(void);
/* The file at path (up to 16 KB), or exit 2 with perror(). */
char *bench_read_file(const char *path);
/* Makes the "v=DKIM1; k=rsa; p=..." record of the PEM key and answers
 * every key lookup with it (dkim_txt_hook): no DNS in a benchmark. */
void bench_serve_key(const char *pem);
/* OpenSSL alone, for secs each: RSA signatures and verifications of a
 * SHA-256 digest per second with the PEM key. */
void bench_openssl_rates(const char *pem, double secs, double *sign,
                         double *verify);

#endif
