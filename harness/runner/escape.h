#ifndef RUNNER_ESCAPE_H
#define RUNNER_ESCAPE_H

struct buf;

int escape_decode(const char *in, struct buf *out, struct buf *err);

#endif
