/*++
 * NAME
 *	tod 3
 * SUMMARY
 *	time stamps and durations
 * SYNOPSIS
 *	#include "base/tod.h"
 *
 *	void	tod_log(gstr *out, time_t t)
 *	void	tod_full(gstr *out, time_t t)
 *	int	tod_parse_duration(const char *s, long *secs)
 *	void	tod_format_duration(gstr *out, long secs)
 * DESCRIPTION
 *	tod_log() appends the time stamp that starts a log line,
 *	tod_full() the RFC 5322 date used in Received: and Date: headers,
 *	both in local time (TZ decides; the scenario runner sets UTC).
 *
 *	Durations are written as Exim writes them: a sequence of numbers
 *	each followed by w, d, h, m or s; a plain number is seconds.
 *	tod_format_duration() produces the shortest such form.
 * DIAGNOSTICS
 *	tod_parse_duration() returns -1 for an empty string, a unit letter
 *	it does not know, a missing number, or overflow.
 *--*/

#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "base/gstr.h"
#include "base/tod.h"

static void
tod_add(gstr *out, time_t t, const char *fmt)
{
    char buf[64];
    struct tm tm;

    localtime_r(&t, &tm);
    if (strftime(buf, sizeof(buf), fmt, &tm) == 0)
        buf[0] = '\0';
    gstr_adds(out, buf);
}

void
tod_log(gstr *out, time_t t)
{
    tod_add(out, t, "%Y-%m-%d %H:%M:%S");
}

void
tod_full(gstr *out, time_t t)
{
    static const char *const day[] = {"Sun", "Mon", "Tue", "Wed",
                                      "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    long off;
    char sign;

    localtime_r(&t, &tm);
    off = tm.tm_gmtoff / 60;
    sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    /* Day and month names are always English, whatever the locale. */
    gstr_printf(out, "%s, %02d %s %d %02d:%02d:%02d %c%02ld%02ld",
                day[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

static long
unit_seconds(char c)
{
    switch (c) {
    case 'w':
        return 7 * 24 * 3600;
    case 'd':
        return 24 * 3600;
    case 'h':
        return 3600;
    case 'm':
        return 60;
    case 's':
        return 1;
    default:
        return -1;
    }
}

int
tod_parse_duration(const char *s, long *secs)
{
    long total = 0;

    if (s == NULL || *s == '\0')
        return -1;
    while (*s != '\0') {
        long n = 0, unit;

        if (!isdigit((unsigned char)*s))
            return -1;
        while (isdigit((unsigned char)*s)) {
            if (n > (LONG_MAX - 9) / 10)
                return -1;
            n = n * 10 + (*s++ - '0');
        }
        if (*s == '\0')
            unit = 1;
        else if ((unit = unit_seconds(*s++)) < 0)
            return -1;
        if (n > (LONG_MAX - total) / unit)
            return -1;
        total += n * unit;
    }
    *secs = total;
    return 0;
}

void
tod_format_duration(gstr *out, long secs)
{
    static const char units[] = "wdhms";
    int any = 0;

    if (secs < 0) {
        gstr_addc(out, '-');
        secs = -secs;
    }
    for (const char *u = units; *u != '\0'; u++) {
        long per = unit_seconds(*u);

        if (secs >= per) {
            gstr_printf(out, "%ld%c", secs / per, *u);
            secs %= per;
            any = 1;
        }
    }
    if (!any)
        gstr_adds(out, "0s");
}
