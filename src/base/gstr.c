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
 *
 *	gstr_printf() formats as snprintf() does; the common conversions
 *	(%s, %c, %d, %u and their long and size_t forms, with a width)
 *	are done by gstr itself, the rest by vsnprintf().
 * DIAGNOSTICS
 *	Growth past SIZE_MAX is a panic; out of memory is fatal.
 *--*/

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
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

/* Appends n characters c. */
static void
gstr_pad(gstr *g, char c, size_t n)
{
    gstr_reserve(g, n);
    memset(g->s + g->len, c, n);
    g->len += n;
    g->s[g->len] = '\0';
}

/* Appends a number in decimal, at least width characters wide, padded
 * with zeros (zero) or spaces on the left, as printf does. */
static void
gstr_number(gstr *g, unsigned long long v, int negative, size_t width, int zero)
{
    char digits[24];
    size_t n = 0, len;

    do
        digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    len = n + (negative != 0);
    if (!zero && width > len)
        gstr_pad(g, ' ', width - len);
    if (negative)
        gstr_addc(g, '-');
    if (zero && width > len)
        gstr_pad(g, '0', width - len);
    gstr_addn(g, digits + sizeof(digits) - n, n);
}

/* The conversions that most formats are made of, done here because
 * vsnprintf() costs ten times as much for them: %%, %c, %s, %.*s and
 * %.Ns (s not NULL), and %d, %i and %u with no length, l, ll or z;
 * each with an optional width, and numbers with an optional 0 flag.
 * Returns 0, or -1 with nothing appended (g->len as it was) for any
 * other format, which gstr_vprintf() leaves to vsnprintf(). */
static int
gstr_fast_format(gstr *g, const char *fmt, va_list ap)
{
    size_t start = g->len;

    for (const char *p = fmt; *p != '\0'; p++) {
        const char *lit = p;
        size_t width = 0, prec = SIZE_MAX;
        int zero = 0, lng = 0, size = 0;

        while (*p != '\0' && *p != '%')
            p++;
        if (p > lit)
            gstr_addn(g, lit, (size_t)(p - lit));
        if (*p == '\0')
            break;
        p++;
        if (*p == '0')
            zero = 1, p++;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (size_t)(*p++ - '0');
        if (*p == '.') {
            p++;
            if (*p == '*') {
                int pr = va_arg(ap, int);
                prec = pr < 0 ? SIZE_MAX : (size_t)pr;
                p++;
            } else
                for (prec = 0; *p >= '0' && *p <= '9'; p++)
                    prec = prec * 10 + (size_t)(*p - '0');
        }
        if (*p == 'z')
            size = 1, p++;
        else
            while (*p == 'l' && lng < 2)
                lng++, p++;
        switch (*p) {
        case '%':
            if (width || prec != SIZE_MAX || zero || size || lng)
                goto other;
            gstr_addc(g, '%');
            break;
        case 'c':
            if (zero || size || lng || prec != SIZE_MAX)
                goto other;
            if (width > 1)
                gstr_pad(g, ' ', width - 1);
            gstr_addc(g, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *str;
            size_t n;

            if (zero || size || lng || (str = va_arg(ap, const char *)) == NULL)
                goto other;
            n = prec == SIZE_MAX ? strlen(str) : strnlen(str, prec);
            if (width > n)
                gstr_pad(g, ' ', width - n);
            gstr_addn(g, str, n);
            break;
        }
        case 'd':
        case 'i': {
            long long v;

            if (prec != SIZE_MAX)
                goto other;
            if (size)
                v = (long long)va_arg(ap, ssize_t);
            else if (lng == 2)
                v = va_arg(ap, long long);
            else if (lng == 1)
                v = va_arg(ap, long);
            else
                v = va_arg(ap, int);
            gstr_number(
                g, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v,
                v < 0, width, zero);
            break;
        }
        case 'u': {
            unsigned long long v;

            if (prec != SIZE_MAX)
                goto other;
            if (size)
                v = va_arg(ap, size_t);
            else if (lng == 2)
                v = va_arg(ap, unsigned long long);
            else if (lng == 1)
                v = va_arg(ap, unsigned long);
            else
                v = va_arg(ap, unsigned int);
            gstr_number(g, v, 0, width, zero);
            break;
        }
        default:
            goto other;
        }
    }
    if (g->s == NULL) /* as the vsnprintf() path leaves it: allocated */
        (void)gstr_str(g);
    return 0;
other:
    g->len = start;
    if (g->s != NULL)
        g->s[start] = '\0';
    return -1;
}

void
gstr_vprintf(gstr *g, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, fast;
    size_t room;

    va_copy(ap2, ap);
    fast = gstr_fast_format(g, fmt, ap2);
    va_end(ap2);
    if (fast == 0)
        return;
    /* Formatted once where the text fits the room there is, which is
     * most of the time; twice where it does not. */
    room = g->cap > g->len ? g->cap - g->len : 0;
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
