/*++
 * NAME
 *	deadline 3
 * SUMMARY
 *	bounded waits
 * SYNOPSIS
 *	#include "base/deadline.h"
 *
 *	long	clock_ms(void)
 *	int	fd_wait_until(int fd, short events, long deadline)
 * DESCRIPTION
 *	Every peer I/O in mxlab has a time limit. A caller takes a deadline
 *	once (clock_ms() plus the time-out) and waits on it as often as it
 *	needs to, so that a peer that sends a byte at a time cannot stretch
 *	one time-out into many. The clock is the monotonic one, which
 *	neither a changed system date nor libfaketime's offset moves.
 *
 *	fd_wait_until() polls, restarting after signals, until the
 *	descriptor is ready or the deadline has passed.
 * DIAGNOSTICS
 *	fd_wait_until() returns -1 with errno from poll().
 *--*/

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "base/deadline.h"

long
clock_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long
clock_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

int
fd_wait_until(int fd, short events, long deadline)
{
    struct pollfd p = {fd, events, 0};

    for (;;) {
        long left = deadline - clock_ms();
        int n;

        if (left <= 0)
            return 0;
        n = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n > 0;
    }
}
