/* deadline.h: waiting on a descriptor until a point in time. */
#ifndef MXLAB_BASE_DEADLINE_H
#define MXLAB_BASE_DEADLINE_H

/* Milliseconds on the monotonic clock (for deadlines, not dates). */
long clock_ms(void);
/* The same clock in microseconds (for waits shorter than a millisecond). */
long clock_us(void);
/* Waits until fd is ready for events (POLLIN, POLLOUT) or the deadline
 * (a clock_ms() value) passes. 1 ready, 0 timed out, -1 error. */
int fd_wait_until(int fd, short events, long deadline);

#endif
