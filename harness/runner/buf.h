#ifndef RUNNER_BUF_H
#define RUNNER_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte string.  data is always NUL-terminated once anything
 * has been added; len does not count the terminator.
 */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};

#define BUF_INIT                                                               \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_drop_front(struct buf *b, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void buf_add_indented(struct buf *b, const char *prefix, const char *text,
                      size_t len);
const char *buf_str(const struct buf *b);
char *buf_steal(struct buf *b);

#endif
