/*++
 * NAME
 *	printing 3
 * SUMMARY
 *	making text printable for logs
 * SYNOPSIS
 *	#include "base/printing.h"
 *
 *	void	str_printing(gstr *out, const char *s, size_t n)
 *
 *	const char *str_printing_dup(struct arena *a, const char *s)
 *
 *	int	str_is_printing(const char *s)
 * DESCRIPTION
 *	Text that came from outside (a client's command, a header, a
 *	configuration value with a newline) is escaped before it goes into
 *	a log line or a one-line display, as Exim's string_printing() does:
 *	the usual C escapes for newline, carriage return, backspace,
 *	vertical tab, form feed and tab, and a backslash with three octal
 *	digits for any other byte outside printable ASCII. Printable bytes,
 *	the backslash included, are copied as they are.
 *
 *	Every string that comes from the network passes this function
 *	before it reaches a log line, a header or an SMTP reply: log_write()
 *	and the reply writer apply it to everything they are given, and the
 *	client's names (HELO, host name, ident) are kept in this form.
 *	Escaping is idempotent on its own output, so a string escaped
 *	early and again at the sink is unchanged.
 *
 *	str_printing_dup() returns s escaped, in the arena (s itself, not
 *	copied, when it needs no escaping; NULL for NULL).
 *
 *	str_is_printing() is true when s has only printable ASCII.
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"

void
str_printing(gstr *out, const char *s, size_t n)
{
    static const char from[] = "\n\r\b\v\f\t";
    static const char to[] = "nrbvft";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c != 0 ? strchr(from, c) : NULL;

        if (c >= 0x20 && c < 0x7f)
            gstr_addc(out, (char)c);
        else if (e != NULL)
            gstr_printf(out, "\\%c", to[e - from]);
        else
            gstr_printf(out, "\\%03o", c);
    }
}

int
str_is_printing(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

const char *
str_printing_dup(struct arena *a, const char *s)
{
    gstr g;

    if (s == NULL || str_is_printing(s))
        return s;
    gstr_init(&g, a);
    str_printing(&g, s, strlen(s));
    return gstr_str(&g);
}
