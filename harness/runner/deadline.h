#ifndef RUNNER_DEADLINE_H
#define RUNNER_DEADLINE_H

#include <signal.h>

/* A point on the monotonic clock by which something must be done. */
struct deadline {
    long long at_ms;
};

extern volatile sig_atomic_t deadline_interrupted;

long long deadline_now_ms(void);
void deadline_set(struct deadline *d, long long ms_from_now);
void deadline_set_factor(int factor);
long long deadline_scaled(long long ms);
int deadline_left_ms(const struct deadline *d);
int deadline_expired(const struct deadline *d);
int deadline_sleep_ms(long long ms);
int deadline_poll_sleep(int *step_ms, int max_ms);

#endif
