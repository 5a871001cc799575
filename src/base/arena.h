/* arena.h: memory that lives exactly as long as one scope. */
#ifndef MXLAB_BASE_ARENA_H
#define MXLAB_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_create(void);
void arena_destroy(struct arena *a);
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);
/* Not zeroed: for buffers that are written before they are read (a
 * large I/O buffer zeroed is a page fault per page, used or not). */
void *arena_alloc_raw(struct arena *a, size_t size);
void *arena_realloc(struct arena *a, void *old, size_t old_size,
                    size_t new_size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
size_t arena_used(const struct arena *a);

/* The arena for things that live as long as the process: the
 * configuration and what is derived from it. */
extern struct arena *arena_perm;
void arena_perm_init(void);

#endif
