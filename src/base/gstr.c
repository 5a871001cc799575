/*++
 * NAME
 *	gstr 3
 * SUMMARY
 *	growable strings
 * SYNOPSIS
 *	#include "base/gstr.h"
 *
 *	void	gstr_init(gstr *g, struct arena *a)
 *	gstr	*gstr_new(struct arena *a)
 *	void	gstr_addn(gstr *g, const char *p, size_t n)
 *	void	gstr_adds(gstr *g, const char *s)
 *	void	gstr_addc(gstr *g, char c)
 *	void	gstr_printf(gstr *g, const char *fmt, ...)
 *	void	gstr_truncate(gstr *g, size_t len)
 *	const char *gstr_str(gstr *g)
 * DESCRIPTION
 *	A gstr is a string that grows as text is appended, with its memory
 *	in an arena; it is released with the arena. The buffer is always
 *	NUL-terminated, so g->s can be passed where a C string is wanted.
 *	gstr_str() returns "" for a string that was never written.
 * DIAGNOSTICS
 *	Growth past SIZE_MAX is a panic; out of memory is fatal.
 *--*/

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"

void
gstr_init(gstr *g, struct arena *a)
{
    g->s = NULL;
    g->len = 0;
    g->cap = 0;
    g->arena = a;
}

gstr *
gstr_new(struct arena *a)
{
    gstr *g = arena_alloc(a, sizeof(*g));

    gstr_init(g, a);
    return g;
}

static void
gstr_reserve(gstr *g, size_t extra)
{
    size_t want, cap;

    if (extra > SIZE_MAX - g->len - 1)
        msg_panic("gstr: string too long");
    want = g->len + extra + 1;
    if (want <= g->cap)
        return;
    cap = g->cap ? g->cap : 64;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    g->s = arena_realloc(g->arena, g->s, g->cap, cap);
    g->cap = cap;
}

void
gstr_addn(gstr *g, const char *p, size_t n)
{
    gstr_reserve(g, n);
    if (n > 0)
        memcpy(g->s + g->len, p, n);
    g->len += n;
    g->s[g->len] = '\0';
}

void
gstr_adds(gstr *g, const char *s)
{
    gstr_addn(g, s, strlen(s));
}

void
gstr_vprintf(gstr *g, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    size_t room = g->cap > g->len ? g->cap - g->len : 0;

    /* Formatted once where the text fits the room there is, which is
     * most of the time; twice where it does not. */
    va_copy(ap2, ap);
    n = vsnprintf(room > 0 ? g->s + g->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        msg_panic("gstr_printf: bad format \"%s\"", fmt);
    if ((size_t)n >= room) {
        gstr_reserve(g, (size_t)n);
        vsnprintf(g->s + g->len, (size_t)n + 1, fmt, ap);
    }
    g->len += (size_t)n;
}

void
gstr_printf(gstr *g, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gstr_vprintf(g, fmt, ap);
    va_end(ap);
}

void
gstr_truncate(gstr *g, size_t len)
{
    if (len < g->len) {
        g->len = len;
        g->s[len] = '\0';
    }
}

const char *
gstr_str(gstr *g)
{
    if (g->s == NULL)
        gstr_reserve(g, 0), g->s[0] = '\0';
    return g->s;
}
