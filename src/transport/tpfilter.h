/* tpfilter.h: transport_filter, the generic option that passes a
 * message through a command before a transport sends it. */
#ifndef MXLAB_TRANSPORT_TPFILTER_H
#define MXLAB_TRANSPORT_TPFILTER_H

#include "base/gstr.h"

struct transport_call;

/* Called with each piece of the filter's output, in order. 0 to go
 * on, -1 to stop (errno kept). */
typedef int tpfilter_sink(void *ctx, const char *p, size_t n);

/* Runs the call's transport_filter (command already expanded) with
 * the message, as transport_write_message() writes it without line-end
 * conversion or escaping, on its standard input, and hands its output
 * to sink. Returns 0; -1 with err set when the command cannot be run,
 * fails (Exim's "transport filter process failed (N)") or outlives
 * transport_filter_timeout; -2 when sink stopped (errno kept). */
int tpfilter_run(struct transport_call *c, const char *command,
                 tpfilter_sink *sink, void *ctx, gstr *err);

#endif
