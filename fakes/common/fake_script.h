#ifndef FAKE_SCRIPT_H
#define FAKE_SCRIPT_H

#include <stddef.h>

struct fake_script_line {
    const char *file;
    int lineno;
    char *text;
    int nwords;
    char **words;
    size_t *offsets;
    int ncont;
    char **cont;
};

struct fake_script {
    struct fake_script_line *lines;
    int nlines;
};

void fake_script_load(const char *path, struct fake_script *s);
const char *fake_script_rest(const struct fake_script_line *l, int word);
void fake_script_error(const struct fake_script_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
