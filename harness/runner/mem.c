/*
 * NAME
 *	mem - allocation that cannot fail
 * SYNOPSIS
 *	#include "mem.h"
 *
 *	void	*mem_alloc(size_t size);
 *	void	*mem_array(size_t count, size_t size);
 *	void	*mem_grow(void *ptr, size_t count, size_t size);
 *	char	*mem_strdup(const char *s);
 *	char	*mem_strndup(const char *s, size_t len);
 * DESCRIPTION
 *	mem_alloc() returns size bytes of uninitialised memory.
 *
 *	mem_array() returns zeroed memory for count objects of the given
 *	size.
 *
 *	mem_grow() resizes ptr (which may be NULL) to hold count objects
 *	of the given size, checking the multiplication for overflow.
 *
 *	mem_strdup() and mem_strndup() copy a string; mem_strndup() copies
 *	at most len bytes and always terminates the copy.
 *
 *	Release everything with free(3).
 * DIAGNOSTICS
 *	Running out of memory or a size overflow is fatal.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "msg.h"

void *
mem_alloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL)
        msg_fatal("out of memory (%zu bytes)", size);
    return p;
}

void *
mem_array(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (p == NULL)
        msg_fatal("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *
mem_grow(void *ptr, size_t count, size_t size)
{
    size_t bytes;
    void *p;

    if (size != 0 && count > SIZE_MAX / size)
        msg_fatal("allocation size overflow (%zu x %zu)", count, size);
    bytes = count * size;
    p = realloc(ptr, bytes ? bytes : 1);
    if (p == NULL)
        msg_fatal("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

char *
mem_strndup(const char *s, size_t len)
{
    size_t n = strnlen(s, len);
    char *p = mem_alloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
mem_strdup(const char *s)
{
    return mem_strndup(s, strlen(s));
}
