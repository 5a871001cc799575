/*++
 * NAME
 *	bench-arc 1
 * SUMMARY
 *	ARC verifying throughput
 * SYNOPSIS
 *	bench-arc RECORD SECONDS MESSAGE...
 * DESCRIPTION
 *	For each MESSAGE (a file, LF or CRLF line ends, carrying an ARC
 *	chain that passes), verifies it with src/arc/ as often as it can
 *	for SECONDS on one core, the key lookups answered with the TXT
 *	value RECORD from memory (no DNS), and prints the messages per
 *	second. Each run is a whole verification as the SMTP server does
 *	it: lines fed, body hashes, every AMS and seal checked.
 * DIAGNOSTICS
 *	Exit status 1 if a message does not verify as "pass".
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arc/arc.h"
#include "base/arena.h"
#include "dkim/dkim.h"

static const char *record;

static const char *
lookup(struct arena *a, const char *name)
{
    (void)name;
    return arena_strdup(a, record);
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        perror(path);
        exit(2);
    }
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *
verify_once(const char *msg, size_t len)
{
    struct arena *a = arena_create();
    struct arc_verify *v = arc_verify_start(a);
    struct arc_result r;
    const char *p = msg, *end = msg + len, *nl, *state;

    while (p < end) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        n = (size_t)(nl - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        arc_verify_line(v, p, n);
        p = nl + 1;
    }
    arc_verify_free(v);
    state = arc_verify_finish(v, &r);
    state = strcmp(state, "pass") == 0 ? "pass" : "not pass";
    arena_destroy(a);
    return state;
}

int
main(int argc, char **argv)
{
    double secs;

    if (argc < 4) {
        fprintf(stderr, "usage: bench-arc RECORD SECONDS MESSAGE...\n");
        return 2;
    }
    record = argv[1];
    secs = atof(argv[2]);
    dkim_txt_hook = lookup;
    for (int i = 3; i < argc; i++) {
        size_t len;
        char *msg = slurp(argv[i], &len);
        unsigned long n = 0;
        double t0 = now(), t;

        if (strcmp(verify_once(msg, len), "pass") != 0) {
            fprintf(stderr, "bench-arc: %s does not verify\n", argv[i]);
            return 1;
        }
        do {
            verify_once(msg, len);
            n++;
        } while ((t = now() - t0) < secs);
        printf("mxlab-arc-verify %s (%zu bytes): %8.0f /s\n", argv[i], len,
               (double)n / t);
        free(msg);
    }
    return 0;
}
