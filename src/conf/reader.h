/* reader.h: configuration lines after the preprocessor (macros,
 * .ifdef/.include, continuations and comments). */
#ifndef MXLAB_CONF_READER_H
#define MXLAB_CONF_READER_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

struct conf_macro {
    char *name;
    char *value;
    int from_command_line; /* -D: fixed, the file's definition is ignored */
    int builtin;           /* _HAVE_... : cannot be redefined */
    struct conf_macro *next;
};

struct conf_reader;

struct conf_reader *conf_reader_open(struct arena *a, const char *path,
                                     struct conf_macro *macros, gstr *err);
/* The next logical line, macros substituted, white space trimmed; NULL at
 * the end of the file or on error (then err is set and conf_reader_failed
 * is true). *file and *line say where the line started. */
char *conf_reader_next(struct conf_reader *r, const char **file, int *line);
/* The last physical line of what conf_reader_next() returned last (its
 * continuation lines included); Exim numbers an ACL statement so. */
int conf_reader_end_line(const struct conf_reader *r);
int conf_reader_failed(const struct conf_reader *r);
/* Closes the files still open (those of an .include chain that an error
 * stopped). The reader's memory stays in its arena. */
void conf_reader_close(struct conf_reader *r);
struct conf_macro *conf_reader_macros(const struct conf_reader *r);
/* Records an error at the current line: "FILE:LINE: message". Returns -1. */
int conf_reader_error(struct conf_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int conf_reader_error_at(struct conf_reader *r, const char *file, int line,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a macro to a list (used for -D and the built-in _HAVE_ macros). */
struct conf_macro *conf_macro_add(struct arena *a, struct conf_macro *list,
                                  const char *name, const char *value,
                                  int from_command_line, int builtin);
struct conf_macro *conf_macro_find(struct conf_macro *list, const char *name);

#endif
