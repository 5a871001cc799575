/* list.h: Exim lists ("a : b : c", "<; a;b", "::" for a literal colon). */
#ifndef MXLAB_BASE_LIST_H
#define MXLAB_BASE_LIST_H

#include <stddef.h>

struct arena;
struct gstr;

struct list_iter {
    const char *p;
    char sep;
};

/* Starts iterating list; a leading "<c" changes the separator to c. */
void list_iter_init(struct list_iter *it, const char *list, char default_sep);
/* Next item, trimmed, doubled separators undone; NULL at the end. */
char *list_next(struct list_iter *it, struct arena *a);
size_t list_count(const char *list, char default_sep);
/* Appends item to a list being built with separator sep, doubling any
 * separator inside it. */
void list_append(struct gstr *g, char sep, const char *item);

#endif
