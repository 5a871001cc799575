/* fake_fuzz.h: what the fuzz targets for the fakes' script parsers
 * share. The fakes are small daemons that read their script once and
 * die on the first error (exit(1) or exit(2), memory left to the
 * kernel); a fuzz target must survive both, many times a second. So
 * each target includes the fake's own parser files after this header,
 * which redirects, for those files only,
 *
 *	exit()		to a longjmp() back to the target,
 *	malloc() and friends, getline(), fopen()/fclose()
 *			to versions that remember what is live, so that
 *			fz_reset() frees it all after each input,
 *	stderr		to /dev/null (the error text is built all the
 *			same).
 *
 * Include it before anything else; include the fake's .c files after
 * it; call fz_begin() (through setjmp) and fz_reset() around each run.
 * Memory that libc allocates inside regcomp() is not tracked, so these
 * targets run without leak detection. */
#ifndef MXLAB_HARNESS_FAKE_FUZZ_H
#define MXLAB_HARNESS_FAKE_FUZZ_H

#define _GNU_SOURCE 1
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
    return "detect_leaks=0";
}

static jmp_buf fz_jmp;
static void **fz_live;
static size_t fz_nlive, fz_cap;
static FILE *fz_open[16];
static FILE *fz_null;

static __attribute__((unused)) void
fz_track(void *p)
{
    if (p == NULL)
        return;
    if (fz_nlive == fz_cap) {
        size_t cap = fz_cap ? 2 * fz_cap : 256;
        void **v = realloc(fz_live, cap * sizeof(*v));
        if (v == NULL)
            abort();
        fz_live = v;
        fz_cap = cap;
    }
    fz_live[fz_nlive++] = p;
}

static __attribute__((unused)) void
fz_untrack(void *p)
{
    if (p == NULL)
        return;
    for (size_t i = fz_nlive; i-- > 0;)
        if (fz_live[i] == p) {
            fz_live[i] = fz_live[--fz_nlive];
            return;
        }
}

static __attribute__((unused)) void *
fz_malloc(size_t n)
{
    void *p = malloc(n);
    fz_track(p);
    return p;
}

static __attribute__((unused)) void *
fz_calloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    fz_track(p);
    return p;
}

static __attribute__((unused)) void *
fz_realloc(void *old, size_t n)
{
    void *p;

    fz_untrack(old);
    if ((p = realloc(old, n)) == NULL && n > 0) {
        fz_track(old);
        return NULL;
    }
    fz_track(p);
    return p;
}

static __attribute__((unused)) void
fz_free(void *p)
{
    fz_untrack(p);
    free(p);
}

static __attribute__((unused)) char *
fz_strdup(const char *s)
{
    char *p = strdup(s);
    fz_track(p);
    return p;
}

static __attribute__((unused)) char *
fz_strndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    fz_track(p);
    return p;
}

static __attribute__((unused)) ssize_t
fz_getline(char **line, size_t *cap, FILE *f)
{
    ssize_t n;

    fz_untrack(*line);
    n = getline(line, cap, f);
    fz_track(*line);
    return n;
}

static __attribute__((unused)) FILE *
fz_fopen(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);

    for (size_t i = 0; f != NULL && i < sizeof(fz_open) / sizeof(*fz_open); i++)
        if (fz_open[i] == NULL) {
            fz_open[i] = f;
            return f;
        }
    if (f != NULL)
        abort(); /* more files open at once than a script parser needs */
    return NULL;
}

static __attribute__((unused)) int
fz_fclose(FILE *f)
{
    for (size_t i = 0; i < sizeof(fz_open) / sizeof(*fz_open); i++)
        if (fz_open[i] == f)
            fz_open[i] = NULL;
    return fclose(f);
}

static void fz_exit(int status) __attribute__((noreturn));
static __attribute__((unused)) void
fz_exit(int status)
{
    (void)status;
    longjmp(fz_jmp, 1);
}

/* Frees what the parser left: after a run, whether it ended or died. */
static __attribute__((unused)) void
fz_reset(void)
{
    for (size_t i = 0; i < fz_nlive; i++)
        free(fz_live[i]);
    fz_nlive = 0;
    for (size_t i = 0; i < sizeof(fz_open) / sizeof(*fz_open); i++)
        if (fz_open[i] != NULL) {
            fclose(fz_open[i]);
            fz_open[i] = NULL;
        }
}

static __attribute__((unused)) FILE *
fz_stderr(void)
{
    if (fz_null == NULL && (fz_null = fopen("/dev/null", "w")) == NULL)
        abort();
    return fz_null;
}

static char fz_script_path[64];

static void
fz_remove_script(void)
{
    (void)unlink(fz_script_path);
}

/* Writes the input to a file of its own for a parser that takes a path
 * (removed at exit). Returns the path. */
static const char *
fz_write_script(const uint8_t *data, size_t size)
{
    FILE *f;

    if (fz_script_path[0] == '\0') {
        snprintf(fz_script_path, sizeof(fz_script_path),
                 "/dev/shm/fuzz-script.%ld", (long)getpid());
        atexit(fz_remove_script);
    }
    if ((f = fopen(fz_script_path, "w")) == NULL)
        abort();
    if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    return fz_script_path;
}

#define malloc(n)        fz_malloc(n)
#define calloc(n, s)     fz_calloc(n, s)
#define realloc(p, n)    fz_realloc(p, n)
#define free(p)          fz_free(p)
#define strdup(s)        fz_strdup(s)
#define strndup(s, n)    fz_strndup(s, n)
#define getline(l, c, f) fz_getline(l, c, f)
#define fopen(p, m)      fz_fopen(p, m)
#define fclose(f)        fz_fclose(f)
#define exit(s)          fz_exit(s)
#undef stderr
#define stderr fz_stderr()

#endif
