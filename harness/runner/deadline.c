/*
 * NAME
 *	deadline - time limits on the monotonic clock
 * SYNOPSIS
 *	#include "deadline.h"
 *
 *	extern volatile sig_atomic_t deadline_interrupted;
 *
 *	long long deadline_now_ms(void);
 *	void	deadline_set(struct deadline *d, long long ms_from_now);
 *	void	deadline_set_factor(int factor);
 *	long long deadline_scaled(long long ms);
 *	int	deadline_left_ms(const struct deadline *d);
 *	int	deadline_expired(const struct deadline *d);
 *	int	deadline_sleep_ms(long long ms);
 *	int	deadline_poll_sleep(int *step_ms, int max_ms);
 * DESCRIPTION
 *	Every wait in the runner (a child, a port, an SMTP reply) is
 *	bounded by a deadline.  The monotonic clock is used because the
 *	runner's children see a faked wall clock, and the runner must not
 *	care what the wall clock does.
 *
 *	deadline_now_ms() is the monotonic time in milliseconds.
 *
 *	deadline_set() sets d to ms_from_now milliseconds from now,
 *	times the factor of deadline_set_factor() (1 unless set: the
 *	runner's --time-factor, for an MTA run under valgrind or on a
 *	machine too loaded for the limits). deadline_scaled() is a limit
 *	as deadline_set() applies it, for messages that name it.
 *
 *	deadline_left_ms() returns the milliseconds left (0 when past),
 *	capped to fit an int so it can be passed to poll(2).
 *
 *	deadline_sleep_ms() sleeps for ms milliseconds.
 *
 *	deadline_poll_sleep() is the sleep between two looks of a polling
 *	loop (is the port open yet, are the children gone): 1 ms the first
 *	time (*step_ms starts at 0), then twice the last, up to max_ms. A
 *	daemon usually listens, and a child usually ends, within a few
 *	milliseconds: a fixed 20 ms made every scenario wait for nothing.
 *
 *	deadline_interrupted is set by the signal handlers of main.c when
 *	the user asks the runner to stop; waits give up when it is set.
 * DIAGNOSTICS
 *	deadline_sleep_ms() and deadline_poll_sleep() return -1 if
 *	deadline_interrupted was set during the sleep, else 0.
 */

#include <errno.h>
#include <limits.h>
#include <time.h>

#include "deadline.h"

volatile sig_atomic_t deadline_interrupted;

static int deadline_factor = 1;

long long
deadline_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
deadline_set_factor(int factor)
{
    deadline_factor = factor > 0 ? factor : 1;
}

long long
deadline_scaled(long long ms)
{
    return ms * deadline_factor;
}

void
deadline_set(struct deadline *d, long long ms_from_now)
{
    d->at_ms = deadline_now_ms() + deadline_scaled(ms_from_now);
}

int
deadline_left_ms(const struct deadline *d)
{
    long long left = d->at_ms - deadline_now_ms();

    if (left < 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

int
deadline_expired(const struct deadline *d)
{
    return deadline_left_ms(d) == 0;
}

int
deadline_sleep_ms(long long ms)
{
    struct timespec ts;

    if (ms < 0)
        ms = 0;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        if (deadline_interrupted)
            return -1;
    return deadline_interrupted ? -1 : 0;
}

int
deadline_poll_sleep(int *step_ms, int max_ms)
{
    *step_ms = *step_ms <= 0 ? 1 : *step_ms * 2;
    if (*step_ms > max_ms)
        *step_ms = max_ms;
    return deadline_sleep_ms(*step_ms);
}
