/*
 * NAME
 *	msg - diagnostics of scenario-run itself
 * SYNOPSIS
 *	#include "msg.h"
 *
 *	void	msg_warn(const char *fmt, ...);
 *	void	msg_fatal(const char *fmt, ...);
 * DESCRIPTION
 *	These report trouble with the runner or its environment, as
 *	opposed to a scenario failing, which is reported in the TAP
 *	output.  Both write "scenario-run: " and the formatted text to
 *	standard error.
 *
 *	msg_warn() reports a recoverable problem and returns.
 *
 *	msg_fatal() reports a problem the runner cannot go on from (out
 *	of memory, no fork) and exits with status 2.
 * DIAGNOSTICS
 *	None; these are the diagnostics.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "msg.h"

static void
msg_vprint(const char *fmt, va_list ap)
{
    fputs("scenario-run: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void
msg_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(fmt, ap);
    va_end(ap);
}

void
msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprint(fmt, ap);
    va_end(ap);
    exit(2);
}
