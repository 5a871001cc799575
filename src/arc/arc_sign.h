/* arc_sign.h: making one ARC set (RFC 8617 section 5.1) for a message
 * as the smtp transport sends it, laid out as Exim 4.98.2 lays it out;
 * and the arc_sign transport hook. */
#ifndef MXLAB_ARC_ARC_SIGN_H
#define MXLAB_ARC_ARC_SIGN_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;
struct transport_call;

/* What to sign with: the parsed arc_sign value. */
struct arc_sign_req {
    const char *identity;   /* the ADMD: d= and the AAR's authserv-id */
    const char *selector;   /* s= */
    const char *privkey;    /* PEM text (RSA or Ed25519) */
    int timestamps, expire; /* whether t= (AMS and AS) and x= (AMS) */
    unsigned long t, x;
    const char *remote_ip; /* smtp.remote-ip=; NULL is written "NULL" */
};

/* sign.c. hdrs/hlen: the header section as it is sent (top first, CRLF
 * or LF line ends, no blank line needed); dkim/dlen: DKIM-Signature
 * fields that go on top of it (may be empty); bh: the SHA-256 hash of
 * the body in "simple" canonicalisation. Appends AS, AAR and AMS (each
 * ending in CRLF) to out and returns 1; returns 0 with nothing added
 * when no Authentication-Results header for the identity is present
 * (*why = "noar") or the incoming chain lacks a member of a set
 * (*why = "chain"); -1 with err set when a signature cannot be made
 * (Exim's words: "AMS signing: privkey PEM-block import: ..."). */
int arc_sign_set(struct arena *a, const struct arc_sign_req *r,
                 const char *hdrs, size_t hlen, const char *dkim, size_t dlen,
                 const unsigned char *bh, size_t bhlen, gstr *out,
                 const char **why, gstr *err);

/* sign_spec.c: parses an expanded arc_sign value. 1: sign (r filled,
 * the key still a value: a PEM text or a "/path"); 0: empty, no
 * signing; -1: bad, *what = "identity", "selector" or "privkey" as
 * Exim's log line names it. Unknown options are put in *unknown (comma
 * list) and otherwise ignored, as Exim does. now: the clock for
 * timestamps and expire. */
int arc_sign_spec_parse(struct arena *a, const char *spec, unsigned long now,
                        struct arc_sign_req *r, const char **what,
                        const char **unknown);

/* sign_transport.c: whether the call's transport has arc_sign set. */
int arc_transport_wanted(const struct transport_call *c);
/* Expands arc_sign and, if it asks for signing, prepends the ARC set
 * to sigs (which holds the new DKIM-Signature fields, if any). fd: the
 * message as it will be sent (CRLF). Returns 0 (signed or not, the
 * reason logged), or -1 when arc_sign cannot be expanded ("failed to
 * expand arc_sign" in err): the delivery defers. */
int arc_transport_sign(struct transport_call *c, int fd, gstr *sigs, gstr *err);

#endif
