/* expand.h: string expansion, Exim's "${...}" language. The one engine
 * that every option, ACL, router and transport uses. */
#ifndef MXLAB_EXPAND_EXPAND_H
#define MXLAB_EXPAND_EXPAND_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

/* What expand_string() returns. */
enum expand_result {
    EXPAND_OK = 0,    /* *out holds the result */
    EXPAND_FAIL = 1,  /* forced failure ("fail" in an item) */
    EXPAND_ERROR = 2, /* a real error; err says what and where */
};

/* One header line of a message, as received: "Name: value\n", folded
 * continuation lines included. */
struct expand_header {
    const char *text;
    size_t len;
    size_t name_len; /* length of "Name" (without the colon) */
    struct expand_header *next;
};

/* The message that header variables and $message_body look at. The
 * spool area fills one in; -bem builds one from a file. */
struct expand_message {
    struct expand_header *headers; /* in order */
    const char *body;
    size_t body_len;
    /* When the body above is only part of the message (its start and
     * end, as much as $message_body can show), counted is set and these
     * are the whole body's size, lines and NUL bytes; otherwise they are
     * counted from body. */
    int counted;
    unsigned long body_size;
    unsigned long body_lines;
    unsigned long body_zeros;
};

/* A name and value, for variables set by whoever knows them. */
struct expand_kv {
    const char *name;
    const char *value;
    int tainted; /* ACL variables: set from tainted data (taint.c) */
    struct expand_kv *next;
};

/* Everything an expansion may look at. Zero it, set arena, and fill in
 * what the caller has; whatever is NULL expands as unset (empty). */
struct expand_ctx {
    struct arena *arena;        /* results, and scratch memory */
    struct expand_message *msg; /* NULL outside a message */
    const void *conn;           /* reserved for smtp/: the connection */
    const void *addr;           /* reserved for route/: the address */
    const char **vars;          /* connection, message, address values: one per
                                 * variable (vars.c), NULL until one is set */
    struct expand_kv *acl_vars; /* $acl_c*, $acl_m* */
    const char *const *recipients; /* NULL-terminated, for $recipients */
    int runrc;                     /* $runrc: status of the last ${run} */
    size_t max_size;               /* result size limit; 0: the default */
    int max_depth;                 /* nesting limit; 0: the default */
    /* Set by expand_string() on an error: byte offset in the input. */
    size_t err_offset;
    /* $0 .. $9 at the start of each expansion, as an authenticator
     * leaves them (Exim's expand_nstring); nnums 0: none. */
    const char *nums[10];
    int nnums;
    /* Called when $sender_host_name is read while unset (Exim looks the
     * client's name up then); it may set the variable. NULL: no lookup. */
    void (*host_name_lookup)(struct expand_ctx *ctx);
    /* Set when a lookup could not tell (Exim's search_find_defer): an
     * error that follows is a temporary one. The caller clears it. */
    int lookup_deferred;
    /* Set by expand_string(): its result holds data that came with the
     * message or the session (Exim's taint; see taint.c). */
    int tainted;
};

#define EXPAND_DEFAULT_MAX_SIZE  (8u * 1024 * 1024)
#define EXPAND_DEFAULT_MAX_DEPTH 64

void expand_ctx_init(struct expand_ctx *ctx, struct arena *a);

/* Expands in. Returns EXPAND_OK and sets *out (allocated in ctx->arena),
 * EXPAND_FAIL for a forced failure, or EXPAND_ERROR; err receives
 * Exim's wording of what failed (it may be NULL). */
int expand_string(struct expand_ctx *ctx, const char *in, char **out,
                  gstr *err);

/* For log lines: 'failed to expand "IN": MESSAGE' with the offset. */
void expand_error_text(gstr *out, const char *in, const char *message,
                       size_t offset);

/* Expands in and reads it as a truth value as Exim's "condition"
 * options do: "", "0", "no", "false" are false; "1", "yes", "true" (any
 * case) true. Returns EXPAND_OK with *truth set, or FAIL/ERROR. */
int expand_condition(struct expand_ctx *ctx, const char *in, int *truth,
                     gstr *err);

/* The looser reading of a router's "condition" (Exim's
 * expand_check_condition()): "", "0", "no" and "false" (any case) are
 * false, anything else is true. Returns EXPAND_OK with *truth set, or
 * FAIL/ERROR. */
int expand_condition_loose(struct expand_ctx *ctx, const char *in, int *truth,
                           gstr *err);

/* Variables set with the functions below are stored in ctx->arena, so
 * they live as long as that arena: give the context an arena that
 * outlives them (the connection's, for $acl_c variables).
 *
 * Values of variables that belong to areas beyond the engine
 * ($sender_host_address, $local_part ...). value NULL unsets. Returns 0,
 * or -1 if name is not a variable mxlab knows. */
int expand_set_var(struct expand_ctx *ctx, const char *name, const char *value);
const char *expand_get_var(const struct expand_ctx *ctx, const char *name);

/* ACL variables: acl_c0..9, acl_m0..9, acl_c_NAME, acl_m_NAME. Returns
 * 0, or -1 if name is not a valid ACL variable name. */
int expand_set_acl_var(struct expand_ctx *ctx, const char *name,
                       const char *value);
const char *expand_get_acl_var(const struct expand_ctx *ctx, const char *name);
int expand_acl_var_name_ok(const char *name);
/* The same, with the variable's taint mark (Exim's "--aclm" in -H):
 * tainted is 1 when the value came from the message or the session. */
int expand_set_acl_var_taint(struct expand_ctx *ctx, const char *name,
                             const char *value, int tainted);
int expand_acl_var_tainted(const struct expand_ctx *ctx, const char *name);

/* Is the value of variable name tainted when set (taint.c)? */
int expand_var_tainted(const char *name);

/* ${authresults{ADMD}}: the engine writes "Authentication-Results: ADMD"
 * and calls this hook (set by the ARC area) to append method results,
 * each as ";\n\tmethod=result ...". NULL appends nothing. */
extern void (*expand_authresults_hook)(struct expand_ctx *ctx, const char *admd,
                                       gstr *out);

/* ${acl{name}{arg}...} and the "acl" condition run an ACL through this
 * hook, which the ACL area sets. It returns EXPAND_ACL_ACCEPT (with
 * *message the ACL's message, or NULL), EXPAND_ACL_DENY, EXPAND_ACL_DEFER
 * or EXPAND_ACL_ERROR. NULL: ACLs cannot be run from expansions yet. */
enum expand_acl_result {
    EXPAND_ACL_ACCEPT,
    EXPAND_ACL_DENY,
    EXPAND_ACL_DEFER,
    EXPAND_ACL_ERROR,
};
extern int (*expand_acl_hook)(struct expand_ctx *ctx, const char *name,
                              char *const *args, int nargs,
                              const char **message, gstr *err);

/* Where the configuration allows it, ${run}. Set from main options. */
int expand_run_allowed(void);

#endif
