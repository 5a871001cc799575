#ifndef RUNNER_WORDS_H
#define RUNNER_WORDS_H

struct strvec;
struct buf;

int words_split(const char *text, struct strvec *out, struct buf *err);

#endif
