/* authres.h: ${authresults{ADMD}}, the Authentication-Results: field
 * (RFC 8601) as Exim lays it out, from what the message's checks
 * found: iprev, auth, spf, dkim, then ARC's entry through a hook. */
#ifndef MXLAB_AUTHRES_AUTHRES_H
#define MXLAB_AUTHRES_AUTHRES_H

#include "base/gstr.h"

struct expand_ctx;

/* Installs the expansion hook (once). */
void authres_init(void);

/* The mechanism (public name) the client authenticated with, for
 * "auth=pass (PLAIN)"; NULL forgets it. Copied. */
void authres_set_auth_mechanism(const char *mech);

/* The dkim= entries of the message being received (each starting
 * ";\n\tdkim="), or NULL for none. Copied. */
void authres_set_dkim(const char *text);

/* ARC's entry: appended last, as ";\n\tarc=..."; NULL appends nothing.
 * The ARC area sets it. */
extern void (*authres_arc_hook)(struct expand_ctx *x, gstr *out);

#endif
