/* registry.h: what is built in. The one place that knows which
 * experimental features were compiled, and what each adds: main
 * options, driver options, drivers, "Support for:" names. */
#ifndef MXLAB_REGISTRY_H
#define MXLAB_REGISTRY_H

#include <stddef.h>

#include "conf/driver.h"
#include "conf/opt.h"

struct feature {
    const char *support_name; /* as -bV prints it: "Experimental_ARC" */
    const char *macro;        /* defined for .ifdef: "_HAVE_ARC" */
    const struct opt_table *main_opts; /* the feature's main options or NULL */
    void *main_block;
};

extern const struct feature *const registry_features[];
extern const size_t registry_nfeatures;

extern const struct driver_class router_class;
extern const struct driver_class transport_class;
extern const struct driver_class auth_class;

/* Adds the commands and EHLO keywords of the features built in to the
 * SMTP server; called once, before the first session. */
void registry_smtp_init(void);
/* Adds the ACL conditions, modifiers and controls of the features built
 * in (dcc; Brightmail's bmi_optin and bmi_run); called once, before
 * acl_check_config(). */
/* Predefined macros that carry a value (Exim's _DKIM_SIGN_HEADERS and
 * _DKIM_OVERSIGN_HEADERS), added to list; conf_builtin_macros() calls
 * it beside the _HAVE_, _DRIVER_ and _OPT_ ones. */
struct conf_macro;
struct conf_macro *registry_value_macros(struct conf_macro *list);
void registry_acl_init(void);

/* A message is about to be accepted: its last ACL has run (st) and
 * receive_commit() comes next. Features that scan it (Brightmail) do so
 * here. */
struct receive;
struct acl_state;
void registry_before_commit(struct receive *r, const struct acl_state *st);

/* A daemon's session process is about to serve another connection: the
 * features built in forget what they keep of the last one. */
void registry_session_reset(void);

/* ARC signing on the smtp transport (arc_sign), when built in:
 * whether the call's transport asks for it, and the ARC set put in
 * front of sigs (the DKIM-Signature fields made for the message in
 * fd). registry_arc_sign() returns -1 with err set when the delivery
 * must defer; 0 otherwise. Without ARC: 0 and nothing done. */
struct transport_call;
struct gstr;
int registry_arc_sign_wanted(const struct transport_call *c);
int registry_arc_sign(struct transport_call *c, int fd, struct gstr *sigs,
                      struct gstr *err);

/* What features add to routing (route/route.h), NULL-terminated. */
struct route_feature;
extern const struct route_feature *const registry_route_features[];

/* The feature ("Experimental_DCC") that an option or driver name
 * belongs to, if this build leaves that feature out; else NULL. */
const char *registry_left_out(const char *name);

/* Lookup types, by name, for -bV. */
extern const char *const registry_lookups[];

#endif
