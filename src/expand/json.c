/*++
 * NAME
 *	json 3
 * SUMMARY
 *	the little JSON that ${extract json} and forall_json need
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	char	*x_json_next(struct exp *e, const char **list)
 *	char	*x_json_dewrap(struct exp *e, const char *s,
 *				const char *wrap)
 * DESCRIPTION
 *	As in Exim, JSON is not parsed as a whole: x_json_next() returns
 *	the next element of a comma-separated sequence (commas inside
 *	arrays, objects and strings do not count), or NULL at the end.
 *	x_json_dewrap() removes a pair of wrapping characters ("[]", "{}"
 *	or "\"\"") after optional white space, returning what was inside
 *	(backslash escapes kept as they are).
 * DIAGNOSTICS
 *	x_json_dewrap() returns NULL with "missing 'c'" in e->msg if the
 *	string does not start with the opening character or never closes.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand_int.h"

char *
x_json_next(struct exp *e, const char **list)
{
    unsigned arrays = 0, objects = 0;
    int quoted = 0;
    const char *s = x_skip_space(*list), *item = s;

    for (; *s != '\0' && (*s != ',' || arrays || objects || quoted); s++) {
        if (!quoted) {
            switch (*s) {
            case '[':
                arrays++;
                break;
            case ']':
                arrays--;
                break;
            case '{':
                objects++;
                break;
            case '}':
                objects--;
                break;
            case '"':
                quoted = 1;
                break;
            }
        } else if (*s == '\\' && s[1] != '\0')
            s++;
        else if (*s == '"')
            quoted = 0;
    }
    *list = *s != '\0' ? s + 1 : s;
    if (item == s)
        return NULL;
    return arena_strndup(e->a, item, (size_t)(s - item));
}

char *
x_json_dewrap(struct exp *e, const char *s, const char *wrap)
{
    const char *p = x_skip_space(s);
    int same = wrap[0] == wrap[1];
    unsigned depth = 0;

    if (*p == wrap[0]) {
        const char *start = ++p;
        for (; *p != '\0'; p++) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            else if (!same && *p == wrap[0])
                depth++;
            else if (*p == wrap[1]) {
                if (depth == 0)
                    return arena_strndup(e->a, start, (size_t)(p - start));
                depth--;
            }
        }
    }
    gstr_truncate(e->msg, 0);
    gstr_printf(e->msg, "missing '%c'", wrap[1]);
    return NULL;
}
