/* printing.h: text shown safely in logs and -bP: Exim's string_printing(). */
#ifndef MXLAB_BASE_PRINTING_H
#define MXLAB_BASE_PRINTING_H

#include <stddef.h>

struct gstr;

/* Appends s with non-printing bytes escaped: \n \r \b \v \f \t for those,
 * \ooo (octal) for the others. */
void str_printing(struct gstr *out, const char *s, size_t n);

#endif
