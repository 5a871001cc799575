#ifndef FAKE_MSG_H
#define FAKE_MSG_H

void fake_msg_init(const char *progname);
const char *fake_msg_progname(void);
void fake_msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fake_msg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fake_msg_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
