#ifndef FAKE_WAIT_H
#define FAKE_WAIT_H

#include <poll.h>
#include <signal.h>

/* What a wait ended with. */
#define FAKE_WAIT_READY   1
#define FAKE_WAIT_TIMEOUT 0
#define FAKE_WAIT_TERM    (-1)

extern volatile sig_atomic_t fake_terminating;
extern volatile sig_atomic_t fake_child_exited;

void fake_wait_init(void);
void fake_wait_unblock(void);
long long fake_now_ms(void);
int fake_wait_fd(int fd, short events, long long deadline_ms);
int fake_wait_fds(struct pollfd *fds, int nfds, long long deadline_ms);
int fake_sleep_ms(long long ms);

#endif
