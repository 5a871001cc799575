/* smtp_bdat.h: the smtp transport's CHUNKING (RFC 3030): how a message
 * is cut into BDAT chunks. The transaction itself is
 * smtp_bdat_transaction() (smtp_run_int.h). */
#ifndef MXLAB_TRANSPORT_SMTP_BDAT_H
#define MXLAB_TRANSPORT_SMTP_BDAT_H

#include <stddef.h>

/* Exim's output buffer (DELIVER_OUT_BUFFER_SIZE): a message larger
 * than this goes as a first chunk of its headers and a last one of the
 * rest; headers that overflow it go in chunks of about this size. */
#define SMTP_BDAT_BUFFER 8192

/* The chunk sizes for a message of total bytes (as sent) whose first
 * head_len bytes are head, the part Exim gathers in its buffer before
 * the body (the headers and the blank line, signatures in front when
 * signed). byte_units: the head was made with CRLF already (signed),
 * so CR and LF count one by one; otherwise a CR LF is one step, as
 * Exim turns each LF of the spool into CR LF. head NULL: the first
 * head_len bytes are a part Exim sends whole (the signatures of a
 * filtered, signed message). Fills sizes (at most max; the last one is
 * the BDAT LAST) and returns how many, 0 if max is too small. */
size_t smtp_bdat_plan(const char *head, long head_len, int byte_units,
                      long total, long *sizes, size_t max);

#endif
