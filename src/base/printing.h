/* printing.h: text shown safely in logs and -bP: Exim's string_printing(). */
#ifndef MXLAB_BASE_PRINTING_H
#define MXLAB_BASE_PRINTING_H

#include <stddef.h>

struct arena;
struct gstr;

/* Appends s with non-printing bytes escaped: \n \r \b \v \f \t for those,
 * \ooo (octal) for the others. */
void str_printing(struct gstr *out, const char *s, size_t n);
/* s escaped as above, in the arena; s itself when nothing needs escaping. */
const char *str_printing_dup(struct arena *a, const char *s);
/* True when s holds only printable ASCII (0x20 to 0x7e). */
int str_is_printing(const char *s);

#endif
