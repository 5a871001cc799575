/*++
 * NAME
 *	busypoll 3
 * SUMMARY
 *	waiting for a quick client's next command without sleeping
 * SYNOPSIS
 *	#include "smtp/busypoll.h"
 *
 *	int	busy_poll_cpu_spare(void)
 *	ssize_t	busy_poll_read(int fd, void *buf, size_t len, long limit_us)
 * DESCRIPTION
 *	A session process that has sent its reply usually sleeps in read()
 *	until the client's next command. When the client is a program on
 *	the same machine that answers within microseconds, going to sleep
 *	and being woken again (on a virtual machine, an interrupt between
 *	its CPUs each way) can cost more than the command itself. Linux
 *	can poll a socket instead of sleeping ("busy polling", its
 *	busy_read setting), but not a loopback socket; these functions do
 *	it in the process, for the smtp_busy_poll option (smtp/io.c).
 *
 *	busy_poll_cpu_spare() says whether polling would take a CPU that
 *	no one else is waiting for: the number of runnable tasks (the
 *	fourth field of /proc/loadavg, this process included) is not more
 *	than the number of CPUs online. The answer is kept for 2 ms, so
 *	that a session asks the kernel at most that often. When the file
 *	cannot be read, the answer is no.
 *
 *	busy_poll_read() reads from the socket fd without waiting
 *	(MSG_DONTWAIT), again and again, for up to limit_us microseconds.
 * DIAGNOSTICS
 *	busy_poll_read() returns what recv() returned: the number of bytes
 *	read, 0 at the end of the stream, or -1 with errno; EAGAIN when
 *	nothing came within limit_us.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/deadline.h"
#include "smtp/busypoll.h"

#define SPARE_RECHECK_US 2000

/* Runnable tasks now, from /proc/loadavg ("0.10 0.20 0.30 2/345 678"),
 * or -1. */
static long
runnable_tasks(void)
{
    char buf[128];
    ssize_t n;
    int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    char *p = buf;

    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    for (int field = 0; field < 3; field++) { /* skip the three averages */
        while (*p == ' ')
            p++;
        while (*p != ' ' && *p != '\0')
            p++;
    }
    return *p == ' ' ? strtol(p, NULL, 10) : -1;
}

int
busy_poll_cpu_spare(void)
{
    static long checked_at = -SPARE_RECHECK_US - 1, cpus;
    static int spare;
    long now = clock_us();

    if (now - checked_at > SPARE_RECHECK_US) {
        long running = runnable_tasks();

        if (cpus == 0)
            cpus = sysconf(_SC_NPROCESSORS_ONLN);
        spare = running > 0 && running <= cpus;
        checked_at = now;
    }
    return spare;
}

ssize_t
busy_poll_read(int fd, void *buf, size_t len, long limit_us)
{
    long start = clock_us();

    for (;;) {
        ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

        if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return n;
        if (clock_us() - start >= limit_us) {
            errno = EAGAIN;
            return -1;
        }
    }
}
