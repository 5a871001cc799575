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
/* Adds the ACL conditions of the features built in; called once, before
 * acl_check_config(). */
void registry_acl_init(void);

/* Lookup types, by name, for -bV. */
extern const char *const registry_lookups[];

#endif
