/*++
 * NAME
 *	fdio 3
 * SUMMARY
 *	whole writes
 * SYNOPSIS
 *	#include "base/fdio.h"
 *
 *	int	fd_write_all(int fd, const void *p, size_t n)
 * DESCRIPTION
 *	fd_write_all() writes every byte or fails: a write() may be cut
 *	short or interrupted by a signal, and a spool file with a missing
 *	tail would be a message lost. For blocking descriptors (files).
 * DIAGNOSTICS
 *	-1 with errno from the failing write().
 *--*/

#include <errno.h>
#include <unistd.h>

#include "base/fdio.h"

int
fd_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}
