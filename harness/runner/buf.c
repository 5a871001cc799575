/*
 * NAME
 *	buf - growable byte strings
 * SYNOPSIS
 *	#include "buf.h"
 *
 *	struct buf b = BUF_INIT;
 *
 *	void	buf_init(struct buf *b);
 *	void	buf_free(struct buf *b);
 *	void	buf_reset(struct buf *b);
 *	void	buf_add(struct buf *b, const void *data, size_t len);
 *	void	buf_drop_front(struct buf *b, size_t n);
 *	void	buf_puts(struct buf *b, const char *s);
 *	void	buf_putc(struct buf *b, int c);
 *	void	buf_printf(struct buf *b, const char *fmt, ...);
 *	void	buf_add_indented(struct buf *b, const char *prefix,
 *				const char *text, size_t len);
 *	const char *buf_str(const struct buf *b);
 *	char	*buf_steal(struct buf *b);
 * DESCRIPTION
 *	A struct buf holds bytes (NULs allowed) and grows as needed.
 *	The contents are always NUL-terminated so they can be used as a
 *	C string when they hold text.
 *
 *	buf_init() makes b empty; buf_free() releases its memory and
 *	leaves it empty; buf_reset() empties it but keeps the memory.
 *
 *	buf_add(), buf_puts(), buf_putc() and buf_printf() append.
 *
 *	buf_drop_front() removes the first n bytes (all, if there are
 *	fewer).
 *
 *	buf_add_indented() appends text line by line, each line
 *	preceded by prefix and ended with a newline (one is supplied
 *	when the text does not end with one).
 *
 *	buf_str() returns the contents as a string ("" when empty).
 *
 *	buf_steal() returns the contents as a malloc'd string owned by the
 *	caller and leaves b empty.
 * DIAGNOSTICS
 *	Running out of memory is fatal.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"

void
buf_init(struct buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_free(struct buf *b)
{
    free(b->data);
    buf_init(b);
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static void
buf_reserve(struct buf *b, size_t extra)
{
    size_t need;
    size_t cap;

    if (extra > (size_t)-1 - b->len - 1)
        msg_fatal("string too long");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    b->data = mem_grow(b->data, cap, 1);
    b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void
buf_drop_front(struct buf *b, size_t n)
{
    if (n >= b->len) {
        buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
    char ch = (char)c;

    buf_add(b, &ch, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        msg_fatal("buf_vprintf: bad format \"%s\"", fmt);
    if ((size_t)n < sizeof(small)) {
        buf_add(b, small, (size_t)n);
        return;
    }
    buf_reserve(b, (size_t)n);
    if (vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap) != n)
        msg_fatal("buf_vprintf: inconsistent length for \"%s\"", fmt);
    b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void
buf_add_indented(struct buf *b, const char *prefix, const char *text,
                 size_t len)
{
    const char *end = text + len;
    const char *nl;

    while (text < end) {
        nl = memchr(text, '\n', (size_t)(end - text));
        if (nl == NULL)
            nl = end;
        buf_puts(b, prefix);
        buf_add(b, text, (size_t)(nl - text));
        buf_putc(b, '\n');
        text = nl < end ? nl + 1 : end;
    }
}

const char *
buf_str(const struct buf *b)
{
    return b->data != NULL ? b->data : "";
}

char *
buf_steal(struct buf *b)
{
    char *s;

    if (b->data == NULL)
        return mem_strdup("");
    s = b->data;
    buf_init(b);
    return s;
}
