/*++
 * NAME
 *	decimal 3
 * SUMMARY
 *	strict decimal numbers
 * SYNOPSIS
 *	#include "spool/decimal.h"
 *
 *	int	decimal_long(const char *s, size_t n, int allow_neg,
 *			long *out)
 *	int	decimal_int(const char *s, size_t n, int allow_neg, int *out)
 * DESCRIPTION
 *	Spool files are parsed in place, as byte ranges that are not
 *	NUL-terminated, so strtol() will not do. These accept exactly the
 *	range given: digits only, after a "-" when allow_neg is set, at
 *	least one digit, no spaces, no overflow.
 * DIAGNOSTICS
 *	-1 for anything else; *out is then unchanged.
 *--*/

#include <limits.h>

#include "spool/decimal.h"

int
decimal_long(const char *s, size_t n, int allow_neg, long *out)
{
    long v = 0;
    int neg = 0;
    size_t i = 0;

    if (n > 0 && s[0] == '-' && allow_neg) {
        neg = 1;
        i = 1;
    }
    if (i == n)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > (LONG_MAX - (s[i] - '0')) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

int
decimal_int(const char *s, size_t n, int allow_neg, int *out)
{
    long v;

    if (decimal_long(s, n, allow_neg, &v) < 0 || v > INT_MAX || v < INT_MIN)
        return -1;
    *out = (int)v;
    return 0;
}
