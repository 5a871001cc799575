/*++
 * NAME
 *	fake_buf 3
 * SUMMARY
 *	growable byte buffers and checked allocation
 * SYNOPSIS
 *	#include "fake_buf.h"
 *
 *	void	fake_buf_init(struct fake_buf *b)
 *	void	fake_buf_free(struct fake_buf *b)
 *	void	fake_buf_reset(struct fake_buf *b)
 *	void	fake_buf_append(struct fake_buf *b, const void *data,
 *				size_t len)
 *	void	fake_buf_puts(struct fake_buf *b, const char *s)
 *	void	fake_buf_addch(struct fake_buf *b, int ch)
 *	void	fake_buf_printf(struct fake_buf *b, const char *fmt, ...)
 *	void	fake_buf_vprintf(struct fake_buf *b, const char *fmt,
 *				va_list ap)
 *	const char *fake_buf_cstr(struct fake_buf *b)
 *	char	*fake_strdup(const char *s)
 *	char	*fake_strndup(const char *s, size_t n)
 *	void	*fake_alloc(size_t size)
 *	void	*fake_realloc(void *p, size_t nmemb, size_t size)
 * DESCRIPTION
 *	A fake_buf holds bytes (NULs allowed) and grows as needed; data is
 *	always followed by a NUL that len does not count, so
 *	fake_buf_cstr() can hand it to string functions.
 *
 *	fake_buf_reset() empties a buffer and keeps its memory;
 *	fake_buf_free() releases it. fake_buf_printf() appends formatted
 *	text.
 *
 *	fake_alloc() returns zeroed memory; fake_realloc() checks the
 *	multiplication nmemb * size for overflow.
 * DIAGNOSTICS
 *	Running out of memory or an impossible size is fatal.
 *--*/

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_buf.h"
#include "fake_msg.h"

void *
fake_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);

    if (p == NULL)
        fake_msg_fatal("out of memory");
    return p;
}

void *
fake_realloc(void *p, size_t nmemb, size_t size)
{
    size_t total;
    void *q;

    if (size && nmemb > SIZE_MAX / size)
        fake_msg_fatal("allocation too large");
    total = nmemb * size;
    if ((q = realloc(p, total > 0 ? total : 1)) == NULL)
        fake_msg_fatal("out of memory");
    return q;
}

char *
fake_strndup(const char *s, size_t n)
{
    char *p = fake_alloc(n + 1);

    memcpy(p, s, n);
    return p;
}

char *
fake_strdup(const char *s)
{
    return fake_strndup(s, strlen(s));
}

void
fake_buf_init(struct fake_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void
fake_buf_free(struct fake_buf *b)
{
    free(b->data);
    fake_buf_init(b);
}

void
fake_buf_reset(struct fake_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

static void
fake_buf_reserve(struct fake_buf *b, size_t more)
{
    size_t need;

    if (more > SIZE_MAX - b->len - 1)
        fake_msg_fatal("buffer too large");
    need = b->len + more + 1;
    if (need <= b->cap)
        return;
    if (b->cap == 0)
        b->cap = 128;
    while (b->cap < need)
        b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
    b->data = fake_realloc(b->data, b->cap, 1);
}

void
fake_buf_append(struct fake_buf *b, const void *data, size_t len)
{
    fake_buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = 0;
}

void
fake_buf_puts(struct fake_buf *b, const char *s)
{
    fake_buf_append(b, s, strlen(s));
}

void
fake_buf_addch(struct fake_buf *b, int ch)
{
    char c = (char)ch;

    fake_buf_append(b, &c, 1);
}

void
fake_buf_vprintf(struct fake_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        fake_msg_fatal("bad format: %s", fmt);
    fake_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
}

void
fake_buf_printf(struct fake_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fake_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *
fake_buf_cstr(struct fake_buf *b)
{
    if (b->data == NULL)
        fake_buf_reserve(b, 0), b->data[0] = 0;
    return b->data;
}
