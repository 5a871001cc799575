/* route.h: routing one address through the configured routers. */
#ifndef MXLAB_ROUTE_ROUTE_H
#define MXLAB_ROUTE_ROUTE_H

#include "base/gstr.h"
#include "route/address.h"

struct arena;
struct expand_ctx;
struct driver_instance;
struct spool_msg;

/* What routing an address yields (and what each driver returns). */
enum route_rc {
    ROUTE_OK,       /* accepted: a->transport set (or NULL: verify only) */
    ROUTE_DECLINE,  /* driver: not mine, try the next router */
    ROUTE_PASS,     /* driver: try the next router even under no_more */
    ROUTE_FAIL,     /* a->message says why */
    ROUTE_DEFER,    /* a->message says why */
    ROUTE_DISCARD,  /* :blackhole: */
    ROUTE_REROUTED, /* redirected: children generated */
    ROUTE_ERROR,    /* configuration or expansion error: defers */
};

enum route_mode {
    ROUTE_DELIVER = 0,
    ROUTE_VERIFY_RECIPIENT,
    ROUTE_VERIFY_SENDER,
    ROUTE_TEST, /* -bt */
};

struct route_ctx {
    struct arena *arena;
    struct expand_ctx *x; /* message variables ($sender_address ...) */
    enum route_mode mode;
    const char *sender; /* for "senders" */
    /* Retry hook for the next slice: asked before a router runs for a
     * domain; non-zero skips it with a defer ("retry time not
     * reached"). NULL: no retry data. */
    int (*retry_hook)(struct route_ctx *rc, struct address *a,
                      const struct driver_instance *router);
    /* The message being delivered; NULL for -bt and verification. */
    const struct spool_msg *msg;
};

/* What a router driver gets. children: where a redirecting router
 * appends the addresses it generates. */
struct route_call {
    struct route_ctx *rc;
    struct address *a;
    const struct driver_instance *router;
    struct address **children;
};

/* A router driver's code: by driver name. The remote routers of the
 * next slice (manualroute, dnslookup) register theirs the same way. */
struct route_driver {
    const char *name;
    enum route_rc (*route)(struct route_call *c);
};
/* A feature's part in routing (Brightmail's verdicts), listed in
 * registry_route_features[]. set_vars sets the feature's address
 * variables for a (msg may be NULL: no message); it runs before each
 * address is routed and before each delivery. check is asked after the
 * generic preconditions: 0 to go on, 1 to skip the router, -1 to defer
 * it (a->message says why). Either may be NULL. */
struct route_feature {
    void (*set_vars)(struct expand_ctx *x, const struct spool_msg *msg,
                     const struct address *a);
    int (*check)(struct route_call *c);
};
/* Calls every feature's set_vars. */
void route_set_feature_vars(struct expand_ctx *x, const struct spool_msg *msg,
                            const struct address *a);

/* Adds a driver (called at start-up); 0, or -1 if the table is full. */
int route_register_driver(const struct route_driver *d);

/* Routes a through the routers from a->start_router (or the first) in
 * order, applying the generic preconditions and options. Generated
 * addresses, and copies made by "unseen", are appended to *more in
 * order; the caller routes them in turn. */
enum route_rc route_address(struct route_ctx *rc, struct address *a,
                            struct address **more);

/* Sets $local_part, $domain and the other address variables for a. */
void route_set_address_vars(struct expand_ctx *x, const struct address *a);
/* Looks up a transport by name ("transport = " after expansion). */
const struct driver_instance *route_find_transport(const char *name);
/* Expands option text for router r into *out; on error a->message gets
 * Exim's "failed to expand ..." text. Returns 0 or -1 (forced failure
 * sets *forced if not NULL). */
int route_expand(struct route_call *c, const char *opt_name, const char *in,
                 char **out, int *forced);

#endif
