/*
 * NAME
 *	escape - C-style escapes in ">>>raw" lines
 * SYNOPSIS
 *	#include "escape.h"
 *
 *	int	escape_decode(const char *in, struct buf *out,
 *				struct buf *err);
 * DESCRIPTION
 *	escape_decode() appends in to out with these escapes replaced:
 *	\r (CR), \n (LF), \t (TAB), \\ (backslash), \0 (NUL) and \xHH
 *	(the byte with hexadecimal value HH, exactly two digits).  Other
 *	characters are copied as they are.
 * DIAGNOSTICS
 *	Returns 0, or -1 with a message in err for a backslash followed
 *	by anything else (or by nothing).
 */

#include <ctype.h>

#include "buf.h"
#include "escape.h"

static int
escape_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the escape at p (after the backslash); return its length. */
static int
escape_one(const char *p, struct buf *out)
{
    switch (*p) {
    case 'r':
        buf_putc(out, '\r');
        return 1;
    case 'n':
        buf_putc(out, '\n');
        return 1;
    case 't':
        buf_putc(out, '\t');
        return 1;
    case '0':
        buf_putc(out, '\0');
        return 1;
    case '\\':
        buf_putc(out, '\\');
        return 1;
    case 'x':
        if (escape_hex(p[1]) < 0 || escape_hex(p[2]) < 0)
            return -1;
        buf_putc(out, escape_hex(p[1]) * 16 + escape_hex(p[2]));
        return 3;
    default:
        return -1;
    }
}

int
escape_decode(const char *in, struct buf *out, struct buf *err)
{
    int n;

    buf_add(out, "", 0);
    for (const char *p = in; *p != '\0'; p++) {
        if (*p != '\\') {
            buf_putc(out, *p);
            continue;
        }
        if ((n = escape_one(p + 1, out)) < 0) {
            buf_printf(err,
                       "bad escape \"\\%.3s\" (use \\r \\n \\t \\0 "
                       "\\\\ or \\xHH)",
                       p + 1);
            return -1;
        }
        p += n;
    }
    return 0;
}
