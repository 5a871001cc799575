/* match.h: domain, address, local-part and host lists, for callers
 * outside the expansion engine (ACL conditions, router preconditions).
 * The lists given here are already expanded. */
#ifndef MXLAB_EXPAND_MATCH_H
#define MXLAB_EXPAND_MATCH_H

#include "base/gstr.h"

struct expand_ctx;

enum match_result {
    MATCH_OK,    /* the subject is in the list */
    MATCH_FAIL,  /* it is not */
    MATCH_DEFER, /* a lookup could not tell; err says why */
    MATCH_ERROR, /* the list is wrong (bad item, unknown named list) */
};

int match_domain(struct expand_ctx *ctx, const char *subject, const char *list,
                 gstr *err);
int match_address(struct expand_ctx *ctx, const char *subject, const char *list,
                  gstr *err);
int match_local_part(struct expand_ctx *ctx, const char *subject,
                     const char *list, int caseful, gstr *err);
/* The same, and *value (when the subject matched; NULL otherwise) is the
 * list item that decided: the item itself, or a lookup item's result
 * (Exim's $domain_data and $local_part_data). A match that a negated
 * item's failure decided has no value. */
int match_domain_value(struct expand_ctx *ctx, const char *subject,
                       const char *list, const char **value, gstr *err);
int match_local_part_value(struct expand_ctx *ctx, const char *subject,
                           const char *list, int caseful, const char **value,
                           gstr *err);

/* The calling host: ip is its address (NULL or "" for a local caller,
 * which only an empty item or "*" matches); name is its verified host
 * name if known (NULL: not known; "" for "no name can be found"). */
int match_host(struct expand_ctx *ctx, const char *ip, const char *name,
               const char *list, gstr *err);

/* match_host() with Exim's -bh trace on stderr when match_trace is set
 * (src/expand/match_trace.c). option: the option the list comes from,
 * or NULL to show the list itself. A NULL list is not matched. */
extern int match_trace;
int match_host_traced(struct expand_ctx *ctx, const char *ip, const char *name,
                      const char *list, const char *option, gstr *err);
/* The same for kind 'd' (match_domain), 'a' (match_address) or 'l'
 * (match_local_part, caseless). */
int match_list_traced(struct expand_ctx *ctx, int kind, const char *subject,
                      const char *list, gstr *err);
/* The same for a main option's list: "SUBJECT in OPTION?". */
int match_list_traced_named(struct expand_ctx *ctx, int kind,
                            const char *subject, const char *list,
                            const char *option, gstr *err);

/* Name lookups that host lists need. Forward: the addresses of name,
 * written as a NULL-terminated array into *addrs (in ctx's arena);
 * returns MATCH_OK, MATCH_FAIL (no such host) or MATCH_DEFER. Reverse:
 * the name of ip into *name; same returns. NULL hooks: forward lookups
 * use getaddrinfo(), reverse lookups are not done (only a name the
 * caller supplies is used). The DNS area sets these. */
extern int (*match_host_forward_hook)(struct expand_ctx *ctx, const char *name,
                                      const char ***addrs, gstr *err);
extern int (*match_host_reverse_hook)(struct expand_ctx *ctx, const char *ip,
                                      const char **name, gstr *err);

#endif
