/* tod.h: times of day as Exim writes them, and durations. */
#ifndef MXLAB_BASE_TOD_H
#define MXLAB_BASE_TOD_H

#include <stddef.h>
#include <time.h>

struct gstr;

/* "2024-05-06 09:10:11" (the main log's stamp), UTC unless timezone set */
void tod_log(struct gstr *out, time_t t);
/* "Mon, 06 May 2024 09:10:11 +0000" (RFC 5322 Date:) */
void tod_full(struct gstr *out, time_t t);
/* Parses an Exim duration: "1h30m", "2d", "45s", "90" (seconds), "1w".
 * Returns 0 and sets *secs, or -1. */
int tod_parse_duration(const char *s, long *secs);
/* The reverse: 5400 -> "1h30m", 0 -> "0s". */
void tod_format_duration(struct gstr *out, long secs);

#endif
