#ifndef RUNNER_MSG_H
#define RUNNER_MSG_H

/* Diagnostics of the runner itself (not of a scenario). */

void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void msg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
