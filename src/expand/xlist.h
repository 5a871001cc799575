/* xlist.h: Exim lists as the expansion engine reads them. */
#ifndef MXLAB_EXPAND_XLIST_H
#define MXLAB_EXPAND_XLIST_H

struct arena;

struct xlist {
    const char *p;
    int sep; /* 0 until the first item is read */
};

/* Starts a list. sep is the separator, or 0 for ':' unless the list
 * starts with "<" and a punctuation or control character. */
void xlist_init(struct xlist *l, const char *list, int sep);
/* The next item, or NULL at the end. */
char *xlist_next(struct xlist *l, struct arena *a);
/* The separator in use (after the first xlist_next()). */
int xlist_sep(struct xlist *l);

#endif
