/* fdio.h: whole writes to a descriptor. */
#ifndef MXLAB_BASE_FDIO_H
#define MXLAB_BASE_FDIO_H

#include <stddef.h>

/* Writes all n bytes, retrying after EINTR and short writes. 0, or -1
 * with errno set. */
int fd_write_all(int fd, const void *p, size_t n);

#endif
