/*++
 * NAME
 *	arena 3
 * SUMMARY
 *	scoped memory pools
 * SYNOPSIS
 *	#include "base/arena.h"
 *
 *	struct arena *arena_create(void)
 *	void	arena_destroy(struct arena *a)
 *	void	arena_reset(struct arena *a)
 *	void	*arena_alloc(struct arena *a, size_t size)
 *	void	*arena_alloc_raw(struct arena *a, size_t size)
 *	void	*arena_realloc(struct arena *a, void *old, size_t old_size,
 *				size_t new_size)
 *	char	*arena_strdup(struct arena *a, const char *s)
 *	char	*arena_strndup(struct arena *a, const char *s, size_t n)
 *	char	*arena_printf(struct arena *a, const char *fmt, ...)
 * DESCRIPTION
 *	An arena hands out memory that is released all at once, when the
 *	scope it belongs to (the process, a connection, a message, a
 *	delivery) ends. Nothing allocated from an arena is freed alone, so
 *	leaks and double frees of single objects do not arise.
 *
 *	arena_alloc() returns zeroed memory aligned for any type;
 *	arena_alloc_raw() the same memory not zeroed, for a buffer that is
 *	written before it is read (zeroing a large one faults in every
 *	page of it, used or not).
 *	arena_realloc() grows the most recent allocation in place when it
 *	can, otherwise copies. arena_reset() releases everything but keeps
 *	the first block for reuse; arena_destroy() releases the arena too.
 *
 *	Large requests get a block of their own, so a huge string does not
 *	waste the rest of a shared block.
 * DIAGNOSTICS
 *	Out of memory is fatal (msg_fatal).
 *--*/

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/msg.h"

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    max_align_t data[];
};

struct arena {
    struct arena_block *head;
    void *last; /* most recent allocation, for in-place growth */
    size_t total;
};

struct arena *arena_perm;

static void *
xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL)
        msg_fatal("out of memory (wanted %zu bytes)", n);
    return p;
}

struct arena *
arena_create(void)
{
    struct arena *a = xmalloc(sizeof(*a));

    memset(a, 0, sizeof(*a));
    return a;
}

void
arena_perm_init(void)
{
    if (arena_perm == NULL)
        arena_perm = arena_create();
}

static void
arena_free_blocks(struct arena_block *b)
{
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void
arena_destroy(struct arena *a)
{
    if (a == NULL)
        return;
    arena_free_blocks(a->head);
    free(a);
}

void
arena_reset(struct arena *a)
{
    arena_free_blocks(a->head);
    a->head = NULL;
    a->last = NULL;
    a->total = 0;
}

static size_t
round_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static struct arena_block *
arena_new_block(struct arena *a, size_t need)
{
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    struct arena_block *b;

    if (size > SIZE_MAX - sizeof(*b))
        msg_fatal("arena request too large (%zu bytes)", need);
    b = xmalloc(sizeof(*b) + size);
    b->size = size;
    b->used = 0;
    if (need > ARENA_BLOCK / 2 && a->head != NULL) {
        /* A block of its own, behind the current one, which stays open. */
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
    }
    return b;
}

void *
arena_alloc_raw(struct arena *a, size_t size)
{
    struct arena_block *b = a->head;
    size_t need = round_up(size ? size : 1);
    void *p;

    if (need < size)
        msg_fatal("arena request too large (%zu bytes)", size);
    if (b == NULL || b->size - b->used < need)
        b = arena_new_block(a, need);
    p = (char *)b->data + b->used;
    b->used += need;
    a->total += need;
    a->last = p;
    return p;
}

void *
arena_alloc(struct arena *a, size_t size)
{
    void *p = arena_alloc_raw(a, size);

    memset(p, 0, round_up(size ? size : 1));
    return p;
}

void *
arena_realloc(struct arena *a, void *old, size_t old_size, size_t new_size)
{
    struct arena_block *b = a->head;
    void *p;

    if (old == NULL)
        return arena_alloc(a, new_size);
    if (new_size <= old_size)
        return old;
    if (old == a->last && b != NULL && (char *)old >= (char *)b->data &&
        (char *)old < (char *)b->data + b->size) {
        size_t off = (size_t)((char *)old - (char *)b->data);
        size_t need = round_up(new_size);

        if (need >= new_size && off + need <= b->size) {
            size_t before = b->used;

            b->used = off + need;
            a->total += b->used - before;
            memset((char *)old + old_size, 0, new_size - old_size);
            return old;
        }
    }
    p = arena_alloc_raw(a, new_size);
    memcpy(p, old, old_size);
    memset((char *)p + old_size, 0, round_up(new_size) - old_size);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *p;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        msg_panic("arena_vprintf: bad format \"%s\"", fmt);
    p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t
arena_used(const struct arena *a)
{
    return a->total;
}
