/* betest.h: -be and -bem, Exim's expansion test mode. */
#ifndef MXLAB_EXPAND_BETEST_H
#define MXLAB_EXPAND_BETEST_H

#include <stddef.h>

struct arena;
struct expand_message;

/* Expands each argument, or each line of stdin if nargs is 0, printing
 * results as "exim -be" does. message_file (or NULL) is loaded first.
 * Returns the exit status. */
int expand_test_mode(char **args, int nargs, const char *message_file);

/* One logical line of a test mode's standard input (-be, -bt, -bv), as
 * Exim reads it: "> " is printed before it, a line ending in a backslash
 * goes on in the next (its leading blanks dropped), trailing white space is
 * cut; at the end of the input a newline is printed and NULL returned. The
 * line is allocated in a. */
char *test_read_line(struct arena *a);

/* Parses a message (headers, empty line, body) held in text. */
int expand_message_load(struct arena *a, const char *text, size_t len,
                        struct expand_message *m);

#endif
