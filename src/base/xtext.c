/*++
 * NAME
 *	xtext 3
 * SUMMARY
 *	RFC 3461 xtext
 * SYNOPSIS
 *	#include "base/xtext.h"
 *
 *	void	xtext_encode(gstr *out, const char *in, size_t len)
 *	int	xtext_decode(gstr *out, const char *in, size_t len)
 * DESCRIPTION
 *	xtext carries arbitrary bytes in ESMTP parameters (ENVID, ORCPT,
 *	XCLIENT values): printable ASCII other than "+" and "=" stands for
 *	itself, every other byte is "+" and two upper-case hex digits.
 *	xtext_decode() also accepts lower-case hex digits, as Exim does.
 * DIAGNOSTICS
 *	xtext_decode() returns -1 when "+" is not followed by two hex
 *	digits.
 *--*/

#include <ctype.h>

#include "base/gstr.h"
#include "base/xtext.h"

void
xtext_encode(gstr *out, const char *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c < '!' || c > '~' || c == '+' || c == '=')
            gstr_printf(out, "+%02X", c);
        else
            gstr_addc(out, (char)c);
    }
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)toupper((unsigned char)c);
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
xtext_decode(gstr *out, const char *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi, lo;

        if (in[i] != '+') {
            gstr_addc(out, in[i]);
            continue;
        }
        if (i + 2 >= len || (hi = hexval(in[i + 1])) < 0 ||
            (lo = hexval(in[i + 2])) < 0)
            return -1;
        gstr_addc(out, (char)(hi << 4 | lo));
        i += 2;
    }
    return 0;
}
