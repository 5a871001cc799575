/* dsn_info.h: EXPERIMENTAL_DSN_INFO, the extra per-recipient lines of a
 * bounce's delivery-status part. */
#ifndef MXLAB_DELIVER_DSN_INFO_H
#define MXLAB_DELIVER_DSN_INFO_H

#include "base/gstr.h"
#include "route/address.h"

/* After "Remote-MTA: dns; host": the X-ip line, the greeting, the
 * EHLO/HELO reply and X-Exim-Diagnostic, those that are known. */
void dsn_info_host(gstr *g, const struct address *a);
/* For an address that used no host: X-Exim-Diagnostic only. */
void dsn_info_nohost(gstr *g, const struct address *a);
/* header and text as one field, folded at 79 columns and cut at 1023
 * characters, ending in a newline (Exim's wrap_header()). */
void dsn_info_put_wrapped(gstr *g, const char *header, const char *text);

#endif
