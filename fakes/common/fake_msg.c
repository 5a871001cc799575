/*++
 * NAME
 *	fake_msg 3
 * SUMMARY
 *	diagnostics of a fake
 * SYNOPSIS
 *	#include "fake_msg.h"
 *
 *	void	fake_msg_init(const char *progname)
 *	const char *fake_msg_progname(void)
 *	void	fake_msg_warn(const char *fmt, ...)
 *	void	fake_msg_fatal(const char *fmt, ...)
 *	void	fake_msg_usage(const char *fmt, ...)
 * DESCRIPTION
 *	These report trouble with the fake itself or its environment (a bad
 *	option, a script error, a port in use), as opposed to what a peer
 *	did, which goes to the transcript. Each writes the program name, a
 *	colon, the formatted text and a newline to standard error.
 *
 *	fake_msg_init() sets the program name (the last component of
 *	progname). fake_msg_warn() reports and returns.
 * DIAGNOSTICS
 *	fake_msg_fatal() exits with status 1 (bad environment, script
 *	error); fake_msg_usage() exits with status 2 (bad command line).
 *--*/

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_msg.h"

static const char *fake_progname = "fake";

void
fake_msg_init(const char *progname)
{
    const char *slash = strrchr(progname, '/');

    fake_progname = slash ? slash + 1 : progname;
}

const char *
fake_msg_progname(void)
{
    return fake_progname;
}

static void
fake_msg_vprint(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", fake_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void
fake_msg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fake_msg_vprint(fmt, ap);
    va_end(ap);
}

void
fake_msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fake_msg_vprint(fmt, ap);
    va_end(ap);
    exit(1);
}

void
fake_msg_usage(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fake_msg_vprint(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help'.\n", fake_progname);
    exit(2);
}
