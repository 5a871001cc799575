/*++
 * NAME
 *	printing 3
 * SUMMARY
 *	making text printable for logs
 * SYNOPSIS
 *	#include "base/printing.h"
 *
 *	void	str_printing(gstr *out, const char *s, size_t n)
 * DESCRIPTION
 *	Text that came from outside (a client's command, a header, a
 *	configuration value with a newline) is escaped before it goes into
 *	a log line or a one-line display, as Exim's string_printing() does:
 *	the usual C escapes for newline, carriage return, backspace,
 *	vertical tab, form feed and tab, and a backslash with three octal
 *	digits for any other byte outside printable ASCII. Printable bytes,
 *	the backslash included, are copied as they are.
 *--*/

#include <string.h>

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
