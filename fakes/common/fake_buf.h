#ifndef FAKE_BUF_H
#define FAKE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct fake_buf {
    char *data;
    size_t len;
    size_t cap;
};

void fake_buf_init(struct fake_buf *b);
void fake_buf_free(struct fake_buf *b);
void fake_buf_reset(struct fake_buf *b);
void fake_buf_append(struct fake_buf *b, const void *data, size_t len);
void fake_buf_puts(struct fake_buf *b, const char *s);
void fake_buf_addch(struct fake_buf *b, int ch);
void fake_buf_printf(struct fake_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void fake_buf_vprintf(struct fake_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
const char *fake_buf_cstr(struct fake_buf *b);
char *fake_strdup(const char *s);
char *fake_strndup(const char *s, size_t n);
void *fake_alloc(size_t size);
void *fake_realloc(void *p, size_t nmemb, size_t size);

#endif
