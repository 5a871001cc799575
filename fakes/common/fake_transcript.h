#ifndef FAKE_TRANSCRIPT_H
#define FAKE_TRANSCRIPT_H

#include <stddef.h>

/* Directions: what the fake received, sent, or an event. */
#define FAKE_TR_RECV  '<'
#define FAKE_TR_SENT  '>'
#define FAKE_TR_EVENT '*'

struct fake_buf;

void fake_transcript_open(const char *path);
/* Rewrites each recorded line (escaped, no newline); NULL: none. */
extern void (*fake_transcript_filter)(struct fake_buf *line);
void fake_transcript_line(unsigned long conn, int dir, const char *data,
                          size_t len);
void fake_transcript_lines(unsigned long conn, int dir, const char *data,
                           size_t len);
void fake_transcript_event(unsigned long conn, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
