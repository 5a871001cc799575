/*++
 * NAME
 *	fake_wait 3
 * SUMMARY
 *	bounded waits that a SIGTERM ends
 * SYNOPSIS
 *	#include <poll.h>
 *	#include "fake_wait.h"
 *
 *	extern volatile sig_atomic_t fake_terminating;
 *	extern volatile sig_atomic_t fake_child_exited;
 *
 *	void	fake_wait_init(void)
 *	void	fake_wait_unblock(void)
 *	long long fake_now_ms(void)
 *	int	fake_wait_fd(int fd, short events, long long deadline_ms)
 *	int	fake_wait_fds(struct pollfd *fds, int nfds,
 *				long long deadline_ms)
 *	int	fake_sleep_ms(long long ms)
 * DESCRIPTION
 *	Every wait of a fake (for a peer to send, for a socket to take
 *	more, for a slow reply's delay, for a connection) goes through
 *	here, so that each has a deadline and a SIGTERM ends it at once.
 *
 *	fake_wait_init() installs handlers for SIGTERM, SIGINT and SIGCHLD
 *	and blocks those signals; they are let through only inside
 *	ppoll(2), so a signal that arrives between a check of
 *	fake_terminating and the wait is not lost. SIGPIPE is ignored: a
 *	peer that goes away shows up as a write error.
 *	fake_wait_unblock() restores the normal mask (for exec'd helpers).
 *
 *	fake_now_ms() is the monotonic time in milliseconds; deadlines are
 *	on that clock, because scenarios fake the wall clock.
 *
 *	fake_wait_fd() waits until fd is ready for events, the deadline
 *	passes, or SIGTERM arrives. fake_wait_fds() does that for several
 *	descriptors (a negative deadline waits for ever). fake_sleep_ms()
 *	pauses.
 * DIAGNOSTICS
 *	The waits return FAKE_WAIT_READY, FAKE_WAIT_TIMEOUT or
 *	FAKE_WAIT_TERM (fake_terminating is set). fake_sleep_ms() returns
 *	FAKE_WAIT_TIMEOUT when the time was slept.
 *--*/

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "fake_msg.h"
#include "fake_wait.h"

volatile sig_atomic_t fake_terminating;
volatile sig_atomic_t fake_child_exited;

static sigset_t fake_wait_mask;

static void
fake_wait_on_signal(int sig)
{
    if (sig == SIGCHLD)
        fake_child_exited = 1;
    else
        fake_terminating = 1;
}

void
fake_wait_init(void)
{
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fake_wait_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &block, &fake_wait_mask) != 0)
        fake_msg_fatal("sigprocmask: %s", strerror(errno));
    sigdelset(&fake_wait_mask, SIGTERM);
    sigdelset(&fake_wait_mask, SIGINT);
    sigdelset(&fake_wait_mask, SIGCHLD);
}

void
fake_wait_unblock(void)
{
    sigprocmask(SIG_SETMASK, &fake_wait_mask, NULL);
}

long long
fake_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
fake_wait_fds(struct pollfd *fds, int nfds, long long deadline_ms)
{
    struct timespec ts;
    long long left;
    int rc;

    for (;;) {
        if (fake_terminating)
            return FAKE_WAIT_TERM;
        left = deadline_ms < 0 ? -1 : deadline_ms - fake_now_ms();
        if (deadline_ms >= 0 && left <= 0)
            return FAKE_WAIT_TIMEOUT;
        ts.tv_sec = left / 1000;
        ts.tv_nsec = (left % 1000) * 1000000;
        rc = ppoll(fds, (nfds_t)nfds, left < 0 ? NULL : &ts, &fake_wait_mask);
        if (rc > 0)
            return FAKE_WAIT_READY;
        if (rc < 0 && errno != EINTR)
            fake_msg_fatal("ppoll: %s", strerror(errno));
        if (rc < 0 && fake_child_exited && nfds > 0 && deadline_ms < 0)
            return FAKE_WAIT_TIMEOUT;
    }
}

int
fake_wait_fd(int fd, short events, long long deadline_ms)
{
    struct pollfd pfd;

    pfd.fd = fd;
    pfd.events = events;
    pfd.revents = 0;
    return fake_wait_fds(&pfd, 1, deadline_ms);
}

int
fake_sleep_ms(long long ms)
{
    return fake_wait_fds(NULL, 0, fake_now_ms() + (ms > 0 ? ms : 0));
}
