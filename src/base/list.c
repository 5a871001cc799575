/*++
 * NAME
 *	list 3
 * SUMMARY
 *	Exim list iteration
 * SYNOPSIS
 *	#include "base/list.h"
 *
 *	void	list_iter_init(struct list_iter *it, const char *list,
 *				char default_sep)
 *	char	*list_next(struct list_iter *it, struct arena *a)
 *	size_t	list_count(const char *list, char default_sep)
 *	void	list_append(gstr *g, char sep, const char *item)
 * DESCRIPTION
 *	Exim's lists are strings of items separated by a character, a colon
 *	unless the list starts with "<" and a punctuation character, which
 *	then becomes the separator ("<; 192.0.2.1 ; ::1"). A doubled
 *	separator stands for one literal separator inside an item. White
 *	space around each item is removed. An item that is empty or only
 *	white space between two separators is returned as "".
 *
 *	list_next() returns each item in turn, allocated in the arena, and
 *	NULL when the list is exhausted. list_append() is its inverse.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"

static const char *
skip_space(const char *p)
{
    while (*p != '\0' && isspace((unsigned char)*p))
        p++;
    return p;
}

void
list_iter_init(struct list_iter *it, const char *list, char default_sep)
{
    const char *p = skip_space(list ? list : "");

    it->sep = default_sep;
    if (p[0] == '<' && p[1] != '\0' && ispunct((unsigned char)p[1])) {
        it->sep = p[1];
        p += 2;
    }
    it->p = p;
}

char *
list_next(struct list_iter *it, struct arena *a)
{
    const char *p = skip_space(it->p);
    gstr item;

    if (*p == '\0') {
        it->p = p;
        return NULL;
    }
    gstr_init(&item, a);
    for (;;) {
        const char *sep = strchr(p, it->sep);

        if (sep == NULL) {
            gstr_adds(&item, p);
            p += strlen(p);
            break;
        }
        gstr_addn(&item, p, (size_t)(sep - p));
        if (sep[1] == it->sep) { /* doubled: a literal separator */
            gstr_addc(&item, it->sep);
            p = sep + 2;
            continue;
        }
        p = sep + 1;
        break;
    }
    it->p = p;
    size_t len = item.len;
    while (len > 0 && isspace((unsigned char)item.s[len - 1]))
        len--;
    gstr_truncate(&item, len);
    return (char *)gstr_str(&item);
}

size_t
list_count(const char *list, char default_sep)
{
    struct arena *a = arena_create();
    struct list_iter it;
    size_t n = 0;

    list_iter_init(&it, list, default_sep);
    while (list_next(&it, a) != NULL)
        n++;
    arena_destroy(a);
    return n;
}

void
list_append(gstr *g, char sep, const char *item)
{
    if (g->len > 0)
        gstr_addc(g, sep);
    for (const char *p = item; *p != '\0'; p++) {
        gstr_addc(g, *p);
        if (*p == sep)
            gstr_addc(g, sep);
    }
}
