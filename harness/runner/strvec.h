#ifndef RUNNER_STRVEC_H
#define RUNNER_STRVEC_H

#include <stddef.h>

/* A growable, NULL-terminated array of owned strings. */
struct strvec {
    char **v;
    size_t n;
    size_t cap;
};

#define STRVEC_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void strvec_init(struct strvec *sv);
void strvec_free(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_push_take(struct strvec *sv, char *s);
void strvec_sort(struct strvec *sv);
void strvec_sort_by(struct strvec *sv, int (*cmp)(const char *, const char *));
void strvec_uniq(struct strvec *sv);
int strvec_contains(const struct strvec *sv, const char *s);
char *const *strvec_argv(struct strvec *sv);

#endif
