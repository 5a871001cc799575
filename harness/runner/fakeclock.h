#ifndef RUNNER_FAKECLOCK_H
#define RUNNER_FAKECLOCK_H

#include <time.h>

struct buf;

/* 2024-05-06 09:10:00 UTC, where every scenario's clock starts. */
#define FAKECLOCK_START 1714986600LL

/* The clock the children of one scenario share. */
struct fakeclock {
    long long offset;     /* fake time minus real time, seconds */
    long long earliest;   /* the earliest fake time set */
    long long max_offset; /* the largest offset used */
};

void fakeclock_init(struct fakeclock *c, long long start);
void fakeclock_set(struct fakeclock *c, long long when);
void fakeclock_advance(struct fakeclock *c, long long seconds);
long long fakeclock_now(const struct fakeclock *c);
long long fakeclock_latest(const struct fakeclock *c);
void fakeclock_spec(const struct fakeclock *c, struct buf *out);
char *fakeclock_find_lib(void);
void fakeclock_forget(long pid);
void fakeclock_sweep(time_t since);

#endif
