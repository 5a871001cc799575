/*++
 * NAME
 *	msg 3
 * SUMMARY
 *	diagnostics
 * SYNOPSIS
 *	#include "base/msg.h"
 *
 *	void	msg_init(const char *progname)
 *	void	msg_warn(const char *fmt, ...)
 *	void	msg_fatal(const char *fmt, ...)
 *	void	msg_panic(const char *fmt, ...)
 *	void	msg_debug(const char *fmt, ...)
 *	void	msg_set_fatal_hook(void (*hook)(const char *text))
 * DESCRIPTION
 *	One family for every diagnostic that is not an SMTP reply or a
 *	log line of a message's life. Each writes "progname: text" to
 *	stderr with a single write().
 *
 *	msg_warn() reports something recoverable and returns.
 *	msg_fatal() reports a bad environment (a missing file, no memory)
 *	and exits with status 1. msg_panic() reports a program bug and
 *	aborts. Both pass the text to the hook, if one is set, first: the
 *	logging module sets one that writes the panic log.
 *
 *	msg_debug() writes under -d, prefixed with the pid.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/msg.h"

int msg_debug_level;

static const char *msg_progname = "mxlab";
static void (*msg_fatal_hook)(const char *);

void
msg_init(const char *progname)
{
    const char *slash = strrchr(progname, '/');

    msg_progname = slash ? slash + 1 : progname;
}

void
msg_set_fatal_hook(void (*hook)(const char *text))
{
    msg_fatal_hook = hook;
}

static void
msg_vemit(const char *prefix, const char *fmt, va_list ap, char *out,
          size_t outlen)
{
    char line[4096];
    int n;

    n = vsnprintf(out, outlen, fmt, ap);
    if (n < 0)
        snprintf(out, outlen, "(bad message format)");
    n = snprintf(line, sizeof(line), "%s%s\n", prefix, out);
    if (n > 0) {
        size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
        if (len == sizeof(line) - 1)
            line[len - 1] = '\n';
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    }
}

static void
msg_emit(const char *kind, const char *fmt, va_list ap, char *out,
         size_t outlen)
{
    char prefix[256];

    snprintf(prefix, sizeof(prefix), "%s: %s", msg_progname, kind);
    msg_vemit(prefix, fmt, ap, out, outlen);
}

void
msg_warn(const char *fmt, ...)
{
    char text[2048];
    va_list ap;

    va_start(ap, fmt);
    msg_emit("warning: ", fmt, ap, text, sizeof(text));
    va_end(ap);
}

void
msg_fatal(const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    void (*hook)(const char *) = msg_fatal_hook;

    va_start(ap, fmt);
    msg_emit("", fmt, ap, text, sizeof(text));
    va_end(ap);
    msg_fatal_hook = NULL; /* a failing hook must not recurse */
    if (hook != NULL)
        hook(text);
    exit(1);
}

void
msg_panic(const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    void (*hook)(const char *) = msg_fatal_hook;

    va_start(ap, fmt);
    msg_emit("panic: ", fmt, ap, text, sizeof(text));
    va_end(ap);
    msg_fatal_hook = NULL;
    if (hook != NULL)
        hook(text);
    abort();
}

void
msg_debug(const char *fmt, ...)
{
    char text[4096];
    char prefix[64];
    va_list ap;

    snprintf(prefix, sizeof(prefix), "%5d ", (int)getpid());
    va_start(ap, fmt);
    msg_vemit(prefix, fmt, ap, text, sizeof(text));
    va_end(ap);
}
