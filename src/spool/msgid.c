/*++
 * NAME
 *	msgid 3
 * SUMMARY
 *	Exim message ids
 * SYNOPSIS
 *	#include "spool/msgid.h"
 *
 *	void	msgid_generate(char *out, int localhost_number)
 *	void	msgid_format(char *out, time_t sec, long usec,
 *			unsigned long pid, int localhost_number)
 *	enum msgid_kind msgid_check(const char *s, size_t len)
 *	enum msgid_kind msgid_parse(const char *id, struct msgid_parts *parts)
 *	long	msgid_usec(const struct msgid_parts *parts,
 *			int localhost_number)
 *	char	msgid_split_char(const char *id)
 *	int	msgid_cmp(const char *a, const char *b)
 *	size_t	msgid_data_offset(const char *id)
 *	void	msgid_header_value(gstr *out, const char *id,
 *			const char *primary_hostname)
 * DESCRIPTION
 *	A message id names a message everywhere: spool file names, log
 *	lines, the Message-Id header Exim adds. mxlab writes the 23-character
 *	form of Exim 4.97 and later, "tttttt-ppppppppppp-ssss", each part a
 *	base-62 number (0-9, A-Z, a-z): the reception time in seconds, the
 *	receiving process id, and the sub-second part in microseconds. With
 *	localhost_number set (0..16) the last part is
 *	localhost_number * 500000 + microseconds / 2, so hosts sharing a
 *	spool never collide; the id unit is then 2 microseconds. The old
 *	16-character form ("tttttt-pppppp-ss") is recognised, never made.
 *
 *	Uniqueness. Time and pid make an id unique as long as one process
 *	never issues two ids in the same id unit. msgid_generate() therefore
 *	does what Exim's exim_wait_tick() does, but at once rather than
 *	before the next id: after taking the time for an id it waits (by
 *	spinning on clock_gettime(), the unit being one or two
 *	microseconds) until the clock, truncated to the unit, has moved past
 *	it. When it returns, no later call in this process, and no later
 *	process that gets the same pid after a fast restart, can see that
 *	unit again. Within a process the ids also never go backwards: if the
 *	clock has been stepped back or does not move (a frozen faketime),
 *	the next id uses the unit after the previous one. The wait is
 *	bounded (about 20 ms) so that a clock that stands still delays but
 *	never hangs reception; only then could a reused pid repeat an id.
 *
 *	msgid_format() builds an id from given values. msgid_check() and
 *	msgid_parse() recognise both formats (a "-" at offset 18 for new
 *	ids, 13 for old, all other characters base-62 digits).
 *	msgid_split_char() is the subdirectory for split_spool_directory.
 *	msgid_cmp() orders ids as Exim lists the queue: by time, then by
 *	the sub-second part; equal keys fall back to the whole id so the
 *	order is total. msgid_header_value() appends "<E<id>@<host>>".
 * DIAGNOSTICS
 *	msgid_check() and msgid_parse() return MSGID_INVALID for anything
 *	that is not an id.
 *--*/

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/gstr.h"
#include "spool/msgid.h"

#define TIME_LEN    6
#define PID_LEN     11
#define SUB_LEN     4
#define PID_LEN_OLD 6
#define SUB_LEN_OLD 2

#define WAIT_SPINS 2000 /* clock reads before sleeping */
#define WAIT_NAPS  20   /* 1 ms sleeps before giving up */

static const char base62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The last id unit this process used, as (seconds, unit-aligned usec). */
static struct {
    time_t sec;
    long usec;
} last_tick;

static void
put_base62(char *out, unsigned long value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = base62[value % 62];
        value /= 62;
    }
}

static int
digit62(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 36;
    return -1;
}

static unsigned long
get_base62(const char *s, int width)
{
    unsigned long v = 0;

    for (int i = 0; i < width; i++)
        v = v * 62 + (unsigned long)digit62(s[i]);
    return v;
}

static int
resolution(int localhost_number)
{
    return localhost_number >= 0 ? 2 : 1;
}

void
msgid_format(char *out, time_t sec, long usec, unsigned long pid,
             int localhost_number)
{
    int res = resolution(localhost_number);
    unsigned long sub = (unsigned long)(usec / res);

    if (localhost_number >= 0)
        sub += (unsigned long)localhost_number * (1000000UL / (unsigned)res);
    put_base62(out, (unsigned long)sec, TIME_LEN);
    out[TIME_LEN] = '-';
    put_base62(out + TIME_LEN + 1, pid, PID_LEN);
    out[TIME_LEN + 1 + PID_LEN] = '-';
    put_base62(out + TIME_LEN + PID_LEN + 2, sub, SUB_LEN);
    out[MSGID_LEN] = '\0';
}

static void
clock_tick(time_t *sec, long *usec, int res)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    *sec = ts.tv_sec;
    *usec = (ts.tv_nsec / 1000) / res * res;
}

static int
tick_after(time_t sec, long usec, time_t ref_sec, long ref_usec)
{
    return sec > ref_sec || (sec == ref_sec && usec > ref_usec);
}

/* Wait until the clock, in id units, is past the last id's unit. */
static void
wait_tick(int res)
{
    time_t sec;
    long usec;

    for (int i = 0; i < WAIT_SPINS + WAIT_NAPS; i++) {
        clock_tick(&sec, &usec, res);
        if (tick_after(sec, usec, last_tick.sec, last_tick.usec))
            return;
        if (i >= WAIT_SPINS) {
            struct timespec nap = {0, 1000000};

            while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
                ;
        }
    }
}

void
msgid_generate(char *out, int localhost_number)
{
    int res = resolution(localhost_number);
    time_t sec;
    long usec;

    clock_tick(&sec, &usec, res);
    if (!tick_after(sec, usec, last_tick.sec, last_tick.usec)) {
        sec = last_tick.sec;
        usec = last_tick.usec + res;
        if (usec >= 1000000) {
            sec++;
            usec = 0;
        }
    }
    msgid_format(out, sec, usec, (unsigned long)getpid(), localhost_number);
    last_tick.sec = sec;
    last_tick.usec = usec;
    wait_tick(res);
}

static int
all_base62(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (digit62(s[i]) < 0)
            return 0;
    return 1;
}

enum msgid_kind
msgid_check(const char *s, size_t len)
{
    if (len == MSGID_LEN && s[TIME_LEN] == '-' &&
        s[TIME_LEN + 1 + PID_LEN] == '-' && all_base62(s, TIME_LEN) &&
        all_base62(s + TIME_LEN + 1, PID_LEN) &&
        all_base62(s + TIME_LEN + PID_LEN + 2, SUB_LEN))
        return MSGID_NEW;
    if (len == MSGID_OLD_LEN && s[TIME_LEN] == '-' &&
        s[TIME_LEN + 1 + PID_LEN_OLD] == '-' && all_base62(s, TIME_LEN) &&
        all_base62(s + TIME_LEN + 1, PID_LEN_OLD) &&
        all_base62(s + TIME_LEN + PID_LEN_OLD + 2, SUB_LEN_OLD))
        return MSGID_OLD;
    return MSGID_INVALID;
}

enum msgid_kind
msgid_parse(const char *id, struct msgid_parts *parts)
{
    enum msgid_kind kind = msgid_check(id, strnlen(id, MSGID_LEN + 1));
    int pid_len = kind == MSGID_NEW ? PID_LEN : PID_LEN_OLD;
    int sub_len = kind == MSGID_NEW ? SUB_LEN : SUB_LEN_OLD;

    if (parts == NULL)
        return kind;
    memset(parts, 0, sizeof(*parts));
    parts->kind = kind;
    if (kind == MSGID_INVALID)
        return kind;
    parts->sec = (time_t)get_base62(id, TIME_LEN);
    parts->pid = get_base62(id + TIME_LEN + 1, pid_len);
    parts->sub = get_base62(id + TIME_LEN + pid_len + 2, sub_len);
    return kind;
}

long
msgid_usec(const struct msgid_parts *parts, int localhost_number)
{
    int res = resolution(localhost_number);
    unsigned long sub = parts->sub;

    if (parts->kind != MSGID_NEW)
        return -1;
    if (localhost_number >= 0)
        sub %= 1000000UL / (unsigned)res;
    return (long)sub * res;
}

char
msgid_split_char(const char *id)
{
    return id[TIME_LEN - 1];
}

/* The sub-second part and what follows, skipping time and pid. */
static const char *
sub_part(const char *id)
{
    size_t len = strnlen(id, MSGID_LEN + 1);

    if (len >= TIME_LEN + PID_LEN + 2 && id[TIME_LEN + PID_LEN + 1] == '-')
        return id + TIME_LEN + PID_LEN + 2;
    if (len >= TIME_LEN + PID_LEN_OLD + 2 &&
        id[TIME_LEN + PID_LEN_OLD + 1] == '-')
        return id + TIME_LEN + PID_LEN_OLD + 2;
    return id;
}

int
msgid_cmp(const char *a, const char *b)
{
    int d = strncmp(a, b, TIME_LEN);

    if (d == 0)
        d = strcmp(sub_part(a), sub_part(b));
    if (d == 0)
        d = strcmp(a, b);
    return d;
}

size_t
msgid_data_offset(const char *id)
{
    return strnlen(id, MSGID_LEN + 1) + 3;
}

void
msgid_header_value(struct gstr *out, const char *id,
                   const char *primary_hostname)
{
    gstr_adds(out, "<E");
    gstr_adds(out, id);
    gstr_addc(out, '@');
    gstr_adds(out, primary_hostname);
    gstr_addc(out, '>');
}
