/* addr.h: addresses in header lines and on the command line, as Exim's
 * parse_find_address_end() and parse_extract_address() see them. */
#ifndef MXLAB_RECEIVE_ADDR_H
#define MXLAB_RECEIVE_ADDR_H

#include <stddef.h>

struct arena;

/* The end of the address that starts at s: the first ',' (or ';' ending
 * a group) outside quotes, comments and <>, or the terminating NUL. */
const char *addr_find_end(const char *s);
/* The address in an RFC 5322 mailbox of n bytes at s: what is in <>
 * (a source route dropped), else the text without comments and white
 * space; a group's "name:" is skipped. Returns NULL with *why set for
 * a malformed one, "" for an empty one; *has_domain says whether it has
 * an "@domain". */
char *addr_extract(struct arena *a, const char *s, size_t n, int *has_domain,
                   const char **why);
/* addr, with "@domain" added when it has no domain. */
char *addr_qualify(struct arena *a, const char *addr, const char *domain);

#endif
