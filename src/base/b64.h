/* b64.h: base64 (RFC 4648) encoding and strict decoding. */
#ifndef MXLAB_BASE_B64_H
#define MXLAB_BASE_B64_H

#include <stddef.h>
#include <sys/types.h>

struct gstr;

void b64_encode(struct gstr *out, const unsigned char *in, size_t len);
/* Appends the decoded bytes; returns the number decoded, or -1 if the
 * input is not valid base64 (white space is not allowed). */
ssize_t b64_decode(struct gstr *out, const char *in, size_t len);

#endif
