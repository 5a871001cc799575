/* busypoll.h: polling a quick client's socket instead of sleeping
 * (the smtp_busy_poll option; busypoll.c). */
#ifndef MXLAB_SMTP_BUSYPOLL_H
#define MXLAB_SMTP_BUSYPOLL_H

#include <sys/types.h>

/* Whether no more tasks are runnable than there are CPUs (checked at
 * most every 2 ms): polling then takes no one's CPU. */
int busy_poll_cpu_spare(void);

/* recv(MSG_DONTWAIT) on fd, again and again for up to limit_us: the
 * bytes read, 0 at the end, or -1 with errno (EAGAIN: nothing came). */
ssize_t busy_poll_read(int fd, void *buf, size_t len, long limit_us);

#endif
