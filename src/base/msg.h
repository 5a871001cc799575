/* msg.h: diagnostics. A panic is a program bug, a fatal a bad
 * environment, a warning something recoverable. */
#ifndef MXLAB_BASE_MSG_H
#define MXLAB_BASE_MSG_H

#include <stdarg.h>

void msg_init(const char *progname);
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void msg_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* -d: debug output to stderr. */
extern int msg_debug_level;
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define DEBUG(...)                                                             \
    do {                                                                       \
        if (msg_debug_level > 0)                                               \
            msg_debug(__VA_ARGS__);                                            \
    } while (0)

/* Where fatal and panic messages go besides stderr (the panic log, once
 * logging is set up). */
void msg_set_fatal_hook(void (*hook)(const char *text));

#endif
