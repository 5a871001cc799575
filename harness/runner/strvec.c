/*
 * NAME
 *	strvec - growable string arrays
 * SYNOPSIS
 *	#include "strvec.h"
 *
 *	struct strvec sv = STRVEC_INIT;
 *
 *	void	strvec_init(struct strvec *sv);
 *	void	strvec_free(struct strvec *sv);
 *	void	strvec_push(struct strvec *sv, const char *s);
 *	void	strvec_push_take(struct strvec *sv, char *s);
 *	void	strvec_sort(struct strvec *sv);
 *	void	strvec_sort_by(struct strvec *sv,
 *			int (*cmp)(const char *, const char *));
 *	void	strvec_uniq(struct strvec *sv);
 *	int	strvec_contains(const struct strvec *sv, const char *s);
 *	char *const *strvec_argv(struct strvec *sv);
 * DESCRIPTION
 *	A struct strvec owns its strings and keeps v[n] == NULL, so v can
 *	be handed to execve(2) as it is.
 *
 *	strvec_push() appends a copy of s; strvec_push_take() appends s
 *	itself, which must have come from malloc(3).
 *
 *	strvec_sort() sorts by strcmp(3); strvec_uniq() then drops
 *	adjacent duplicates.  strvec_sort_by() sorts by cmp.
 *
 *	strvec_contains() says whether s is an element.
 *
 *	strvec_argv() returns the NULL-terminated array (never NULL).
 * DIAGNOSTICS
 *	Running out of memory is fatal.
 */

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "strvec.h"

void
strvec_init(struct strvec *sv)
{
    sv->v = NULL;
    sv->n = 0;
    sv->cap = 0;
}

void
strvec_free(struct strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    strvec_init(sv);
}

void
strvec_push_take(struct strvec *sv, char *s)
{
    if (sv->n + 2 > sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = mem_grow(sv->v, sv->cap, sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
}

void
strvec_push(struct strvec *sv, const char *s)
{
    strvec_push_take(sv, mem_strdup(s));
}

static int
strvec_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strvec_sort(struct strvec *sv)
{
    if (sv->n > 1)
        qsort(sv->v, sv->n, sizeof(*sv->v), strvec_compare);
}

/* qsort(3) has no context argument; sorts do not nest or run in threads. */
static int (*strvec_by)(const char *, const char *);

static int
strvec_compare_by(const void *a, const void *b)
{
    return strvec_by(*(char *const *)a, *(char *const *)b);
}

void
strvec_sort_by(struct strvec *sv, int (*cmp)(const char *, const char *))
{
    strvec_by = cmp;
    if (sv->n > 1)
        qsort(sv->v, sv->n, sizeof(*sv->v), strvec_compare_by);
}

void
strvec_uniq(struct strvec *sv)
{
    size_t out = 0;

    for (size_t i = 0; i < sv->n; i++) {
        if (out > 0 && strcmp(sv->v[out - 1], sv->v[i]) == 0) {
            free(sv->v[i]);
            continue;
        }
        sv->v[out++] = sv->v[i];
    }
    sv->n = out;
    if (sv->v != NULL)
        sv->v[out] = NULL;
}

int
strvec_contains(const struct strvec *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return 1;
    return 0;
}

char *const *
strvec_argv(struct strvec *sv)
{
    if (sv->v == NULL) {
        sv->cap = 4;
        sv->v = mem_array(sv->cap, sizeof(*sv->v));
    }
    return sv->v;
}
