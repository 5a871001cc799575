/* gstr.h: growable strings, allocated from an arena. */
#ifndef MXLAB_BASE_GSTR_H
#define MXLAB_BASE_GSTR_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* s is always NUL-terminated after any gstr_ call; len excludes the NUL.
 * The bytes may contain NULs (binary-safe appends). */
typedef struct gstr {
    char *s;
    size_t len;
    size_t cap;
    struct arena *arena;
} gstr;

void gstr_init(gstr *g, struct arena *a);
gstr *gstr_new(struct arena *a);
void gstr_addn(gstr *g, const char *p, size_t n);
void gstr_adds(gstr *g, const char *s);
/* One byte; inline, as the data reader appends most bytes this way. */
static inline void
gstr_addc(gstr *g, char c)
{
    if (g->len + 1 < g->cap) {
        g->s[g->len++] = c;
        g->s[g->len] = '\0';
    } else
        gstr_addn(g, &c, 1);
}
void gstr_printf(gstr *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gstr_vprintf(gstr *g, const char *fmt, va_list ap);
void gstr_truncate(gstr *g, size_t len);
const char *gstr_str(gstr *g);

#endif
