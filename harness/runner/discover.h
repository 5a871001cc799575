#ifndef RUNNER_DISCOVER_H
#define RUNNER_DISCOVER_H

#include <stddef.h>

struct strvec;
struct buf;

int discover_scenarios(char *const *paths, size_t n, struct strvec *out,
                       struct buf *err);
char *discover_name(const char *path);
char *discover_golden_dir(const char *path);

#endif
