/* rcpt_line.h: one recipient line of a -H file, written and parsed. */
#ifndef MXLAB_SPOOL_RCPT_LINE_H
#define MXLAB_SPOOL_RCPT_LINE_H

#include <stddef.h>

struct arena;
struct gstr;
struct spool_rcpt;

/* Appends r's line, LF included. */
void rcpt_line_format(struct gstr *out, const struct spool_rcpt *r);
/* Parses line[0..len) (no LF) into r, strings copied to a. 0, or -1
 * with *why set to a phrase ("has a bad DSN field"). */
int rcpt_line_parse(const char *line, size_t len, struct arena *a,
                    struct spool_rcpt *r, const char **why);

#endif
