/* xtext.h: RFC 3461 xtext ("+HH" for bytes outside "!".."~", "+", "="). */
#ifndef MXLAB_BASE_XTEXT_H
#define MXLAB_BASE_XTEXT_H

#include <stddef.h>

struct gstr;

void xtext_encode(struct gstr *out, const char *in, size_t len);
/* Returns 0, or -1 for a malformed "+HH" (out holds the prefix). */
int xtext_decode(struct gstr *out, const char *in, size_t len);

#endif
