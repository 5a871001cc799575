/* driver.h: driver classes (routers, transports, authenticators), the
 * drivers built into each, and the instances a configuration defines. */
#ifndef MXLAB_CONF_DRIVER_H
#define MXLAB_CONF_DRIVER_H

#include "conf/opt.h"

#define DRIVER_EXT_MAX 4

struct driver_instance;
struct gstr;

/* One driver: "accept", "appendfile", "dovecot" ... */
struct driver_info {
    const char *name;
    struct opt_table opts; /* its private options */
    /* Checks an instance after its section is read; 0, or -1 with a
     * message in err. May be NULL. */
    int (*check)(struct driver_instance *d, struct gstr *err);
};

/* A feature's options added to every instance of a class (bmi_rule on
 * routers, arc_sign on transports...). */
struct driver_ext {
    struct opt_table opts;
    /* Only for instances of this driver, or NULL for all drivers. */
    const char *only_driver;
};

struct driver_class {
    const char *kind;    /* "router" */
    const char *section; /* "routers" */
    const struct opt_table *generic;
    const struct driver_ext *const *exts;
    size_t nexts;
    const struct driver_info *const *drivers;
    size_t ndrivers;
};

struct driver_instance {
    const char *name;
    const struct driver_class *cls;
    const struct driver_info *info; /* NULL until "driver =" is read */
    const char *file;
    int line;
    void *generic;             /* the class's generic option block */
    void *priv;                /* the driver's private option block */
    void *ext[DRIVER_EXT_MAX]; /* one block per class extension */
    char *driver_name;         /* as written */
    struct driver_instance *next;
};

const struct driver_info *driver_find(const struct driver_class *c,
                                      const char *name);
/* The extension block of instance d for extension ext, or NULL. */
void *driver_ext_block(const struct driver_instance *d,
                       const struct driver_ext *ext);
struct driver_instance *driver_instance_find(struct driver_instance *list,
                                             const char *name);

#endif
