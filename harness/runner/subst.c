/*
 * NAME
 *	subst - replace the runner's $NAMES in scenario text
 * SYNOPSIS
 *	#include "subst.h"
 *
 *	const char *subst_name(enum subst_var var);
 *	void	subst_expand(const struct subst *s, const char *in,
 *				struct buf *out);
 *	char	*subst_string(const struct subst *s, const char *in);
 * DESCRIPTION
 *	A scenario refers to what only the run knows (its directory, its
 *	ports, the MTA under test) by upper-case names: $DIR, $PORT,
 *	$PORT2, $PORT3, $MTA, $SRCDIR and $BUILD, also written ${DIR} and
 *	so on.  A name is recognised only as a whole: $PORTS and $DIRNAME
 *	are left alone, as is everything else that starts with "$", so
 *	Exim's lower-case expansion variables pass through untouched.
 *
 *	subst_name() returns the name of var without the "$".
 *
 *	subst_expand() appends in, with the names replaced by the values
 *	in s, to out.  A name whose value is NULL is left as it is.
 *
 *	subst_string() returns the same as a new string.
 * DIAGNOSTICS
 *	None.
 */

#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "subst.h"

static const char *const subst_names[SUBST_COUNT] = {
    [SUBST_DIR] = "DIR",     [SUBST_PORT] = "PORT", [SUBST_PORT2] = "PORT2",
    [SUBST_PORT3] = "PORT3", [SUBST_MTA] = "MTA",   [SUBST_SRCDIR] = "SRCDIR",
    [SUBST_BUILD] = "BUILD",
};

const char *
subst_name(enum subst_var var)
{
    return subst_names[var];
}

static int
subst_is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The value for the name of length len at p, or NULL. */
static const char *
subst_lookup(const struct subst *s, const char *p, size_t len)
{
    for (int i = 0; i < SUBST_COUNT; i++)
        if (strlen(subst_names[i]) == len &&
            strncmp(subst_names[i], p, len) == 0)
            return s->value[i];
    return NULL;
}

/*
 * If p (just after a "$") starts a known name, return its value and
 * set *skip to the length of the reference after the "$".
 */
static const char *
subst_match(const struct subst *s, const char *p, size_t *skip)
{
    const char *value;
    size_t len = 0;
    int braced = *p == '{';

    if (braced)
        p++;
    while (subst_is_name_char(p[len]))
        len++;
    if (len == 0 || (braced && p[len] != '}'))
        return NULL;
    if ((value = subst_lookup(s, p, len)) == NULL)
        return NULL;
    *skip = len + (braced ? 2 : 0);
    return value;
}

void
subst_expand(const struct subst *s, const char *in, struct buf *out)
{
    const char *value;
    size_t skip;

    buf_add(out, "", 0);
    for (const char *p = in; *p != '\0'; p++) {
        if (*p == '$' && (value = subst_match(s, p + 1, &skip)) != NULL) {
            buf_puts(out, value);
            p += skip;
        } else {
            buf_putc(out, *p);
        }
    }
}

char *
subst_string(const struct subst *s, const char *in)
{
    struct buf out = BUF_INIT;

    subst_expand(s, in, &out);
    return buf_steal(&out);
}
