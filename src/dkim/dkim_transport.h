/* dkim_transport.h: DKIM signing on the smtp transport: its options
 * and the signatures for a message as the transport writes it. */
#ifndef MXLAB_DKIM_DKIM_TRANSPORT_H
#define MXLAB_DKIM_DKIM_TRANSPORT_H

#include "base/gstr.h"
#include "conf/driver.h"

struct transport_call;

struct dkim_transport {
    char *dkim_canon;
    char *dkim_domain;
    char *dkim_hash;
    char *dkim_identity;
    char *dkim_private_key;
    char *dkim_selector;
    char *dkim_sign_headers;
    char *dkim_strict;
    char *dkim_timestamps;
};

extern const struct driver_ext dkim_transport_ext;

/* Whether the call's transport signs: dkim_domain, dkim_selector and
 * dkim_private_key are all set (as Exim decides). */
int dkim_transport_wanted(const struct transport_call *c);

/* The contents of a private key file (dkim_private_key or arc_sign's
 * key given as a path); NULL, with Exim's panic-log line written and
 * err set, when it cannot be read. */
char *dkim_key_file(struct transport_call *c, const char *path, gstr *err);

/* Signatures for the message in fd (as it will be sent, CRLF line
 * ends, no dot-stuffing), appended to sigs (empty when nothing is to
 * be signed). *used gets "domain:selector" pairs for the log. Returns
 * 0, or -1 when signing failed and dkim_strict says to defer (err
 * holds why); a failure without dkim_strict is logged and gives 0 and
 * no signatures. */
int dkim_transport_sign(struct transport_call *c, int fd, gstr *sigs,
                        const char **used, gstr *err);

#endif
