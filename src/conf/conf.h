/* conf.h: the configuration, read once at start-up and read-only after. */
#ifndef MXLAB_CONF_CONF_H
#define MXLAB_CONF_CONF_H

#include <stddef.h>

#include "conf/driver.h"
#include "conf/mainopts.h"
#include "conf/reader.h"

struct gstr;

/* A logical line kept for a later stage to parse (ACLs, retry, rewrite). */
struct conf_line {
    char *text;
    const char *file;
    int line;
    int end_line; /* the last physical line (continuations) */
};

struct conf_lines {
    struct conf_line *v;
    size_t n;
    size_t cap;
};

struct conf_acl {
    char *name;
    const char *file;
    int line;
    struct conf_lines lines;
    struct conf_acl *next;
};

enum named_list_kind {
    NL_DOMAIN,
    NL_HOST,
    NL_ADDRESS,
    NL_LOCALPART,
};

struct named_list {
    enum named_list_kind kind;
    char *name;
    char *value;
    const char *file;
    int line;
    struct named_list *next;
};

/* A block of main options owned by a feature or area beside the core. */
struct main_opt_set {
    const struct opt_table *table;
    void *block;
};

struct config {
    const char *path;
    struct main_config *main;
    struct named_list *lists; /* in definition order */
    struct conf_acl *acls;    /* in definition order */
    struct conf_lines retry;
    struct conf_lines rewrite;
    struct driver_instance *routers; /* in order, as routing uses them */
    struct driver_instance *transports;
    struct driver_instance *auths;
    struct conf_macro *macros;
};

/* The loaded configuration. NULL before conf_load() succeeds. */
extern const struct config *config;

/* Reads path. macros holds -D definitions and built-ins. Returns 0, or
 * -1 with "FILE:LINE: message" in err. */
int conf_load(const char *path, struct conf_macro *macros, struct gstr *err);
/* Adds Exim's predefined macros (_HAVE_, _DRIVER_, _OPT_, _LOG_) to list:
 * src/conf/macros.c. */
struct conf_macro *conf_builtin_macros(struct conf_macro *list);

/* Main option sets: the core's and each compiled-in feature's. */
size_t conf_main_sets(const struct main_opt_set **sets);
/* -bP helpers. Return 0, or -1 if name is unknown. */
int conf_print_main_option(struct gstr *out, const char *name);
void conf_print_all_main(struct gstr *out);
int conf_print_instance(struct gstr *out, const char *kind, const char *name);
int conf_print_named_list(struct gstr *out, const char *kind, const char *name);
void conf_print_instance_names(struct gstr *out, const char *kind);

const struct named_list *conf_named_list(enum named_list_kind kind,
                                         const char *name);
const struct conf_acl *conf_acl_find(const char *name);
const char *conf_named_list_kind_name(enum named_list_kind kind);
/* Where a main option was set; 0, or -1 if it kept its default. */
int conf_option_origin(const char *name, const char **file, int *line);
/* The same for any option, main or a driver's, by the address of its
 * value in its option block (&generic->headers_rewrite). */
int conf_slot_origin(const void *slot, const char **file, int *line);

#endif
