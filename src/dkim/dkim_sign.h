/* dkim_sign.h: making DKIM-Signature fields for a message as it is
 * sent, as Exim's smtp transport does. */
#ifndef MXLAB_DKIM_DKIM_SIGN_H
#define MXLAB_DKIM_DKIM_SIGN_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

/* One signature to make. */
struct dkim_sign_req {
    const char *domain, *selector;
    const char *privkey;      /* PEM text */
    const char *identity;     /* i=, or NULL */
    const char *sign_headers; /* Exim's list with = and + prefixes; NULL:
                                 dkim_default_sign_headers */
    int canon;                /* both header and body */
    int hash;                 /* enum dkim_hash, -1 if hash_name is bad */
    const char *hash_name;
    unsigned long created, expires; /* t=, x=; 0: none */
};

extern const char dkim_default_sign_headers[];
/* The same names, each with "+" (Exim's _DKIM_OVERSIGN_HEADERS). */
const char *dkim_oversign_headers(struct arena *a);

struct dkim_signer;
struct dkim_signer *dkim_signer_new(struct arena *a);
/* Before the first line. 0, or -1 with err set (bad key or hash). */
int dkim_signer_add(struct dkim_signer *g, const struct dkim_sign_req *r,
                    gstr *err);
/* One line of the message as sent, without its line ending. */
void dkim_signer_line(struct dkim_signer *g, const char *line, size_t len);
/* Appends the fields (each ending in CRLF) to out, in the order the
 * requests were added. 0, or -1 with err set. */
int dkim_signer_finish(struct dkim_signer *g, gstr *out, gstr *err);
void dkim_signer_free(struct dkim_signer *g);

#endif
