/*++
 * NAME
 *	xlist 3
 * SUMMARY
 *	Exim lists, read exactly as Exim's string_nextinlist() reads them
 * SYNOPSIS
 *	#include "expand/xlist.h"
 *
 *	void	xlist_init(struct xlist *l, const char *list, int sep)
 *	char	*xlist_next(struct xlist *l, struct arena *a)
 *	int	xlist_sep(struct xlist *l)
 * DESCRIPTION
 *	Items are separated by a colon, or by the character after a
 *	leading "<" when that is punctuation or a control character
 *	("<; a;b", "<\n a\nb"). White space before an item is skipped
 *	(unless it is the separator), white space after it is removed. A
 *	doubled separator stands for one in the data, except for control
 *	character separators, which cannot be doubled. An empty item
 *	between two separators is "".
 *
 *	The expansion engine uses this instead of base/list.h so that
 *	${map}, ${filter}, ${reduce}, ${sort}, forall, inlist and list
 *	matching see the same items as Exim.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/xlist.h"

void
xlist_init(struct xlist *l, const char *list, int sep)
{
    l->p = list ? list : "";
    l->sep = sep;
}

static const char *
skip_space(const char *s, int sep)
{
    while (*s != '\0' && isspace((unsigned char)*s) && *s != sep)
        s++;
    return s;
}

int
xlist_sep(struct xlist *l)
{
    if (l->sep == 0) {
        const char *s = skip_space(l->p, 0);
        if (s[0] == '<' &&
            (ispunct((unsigned char)s[1]) || iscntrl((unsigned char)s[1]))) {
            l->sep = (unsigned char)s[1];
            s += 2;
            s = skip_space(s, l->sep);
        } else
            l->sep = ':';
        l->p = s;
    }
    return l->sep;
}

char *
xlist_next(struct xlist *l, struct arena *a)
{
    int sep = xlist_sep(l);
    int special = iscntrl(sep);
    const char *s = skip_space(l->p, sep);
    gstr g;

    if (*s == '\0') {
        l->p = s;
        return NULL;
    }
    gstr_init(&g, a);
    if (*s == sep) {
        if (*++s != sep || special) {
            l->p = s;
            return (char *)gstr_str(&g);
        }
    }
    for (;;) {
        const char *ss = s + 1;
        while (*ss != '\0' && *ss != sep)
            ss++;
        gstr_addn(&g, s, (size_t)(ss - s));
        s = ss;
        if (*s == '\0' || *++s != sep || special)
            break;
    }
    size_t n = g.len;
    while (n > 0 && isspace((unsigned char)g.s[n - 1]) &&
           (n == 1 || g.s[n - 2] != '\\'))
        n--;
    gstr_truncate(&g, n);
    l->p = s;
    return (char *)gstr_str(&g);
}
