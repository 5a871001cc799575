/* opt.h: option tables. An option is one table line: its name, its
 * type and where its value lives in a block. */
#ifndef MXLAB_CONF_OPT_H
#define MXLAB_CONF_OPT_H

#include <stddef.h>

struct gstr;
struct arena;

enum opt_type {
    OPT_STRING,   /* char *, used as it is */
    OPT_EXPANDED, /* char *, expanded where it is used ("string*") */
    OPT_LIST,     /* char *, an Exim list (host, domain, address...) */
    OPT_BOOL,     /* int, 0 or 1 */
    OPT_INT,      /* int, decimal/0x/octal, K M G suffixes */
    OPT_MKINT,    /* int, like OPT_INT but printed with K/M suffix */
    OPT_OCTAL,    /* int, printed in octal (file modes) */
    OPT_TIME,     /* int seconds, written "1h30m" */
    OPT_FIXED,    /* int thousandths, written "1.5" */
};

#define OPT_HIDDEN 0x01 /* not shown by -bP */
/* An Exim option that mxlab knows but does not implement: -bP shows its
 * default, and a configuration that sets it is refused ("an Exim option
 * that mxlab does not implement"), never silently ignored. */
#define OPT_UNIMPL 0x02
/* A user (group) name: without a "$" it must exist when the
 * configuration is read, as Exim's opt_uid (opt_gid) options. */
#define OPT_USER  0x04
#define OPT_GROUP 0x08
/* An OPT_EXPANDED that Exim reads as an expandable boolean: -bP shows a
 * literal true or false as "name" or "no_name", as Exim's
 * opt_expand_bool, and anything else as "name = value". */
#define OPT_XBOOL 0x10

struct opt_def {
    const char *name;
    enum opt_type type;
    size_t offset;
    unsigned flags;
};

/* A table, its size, and how to make a block of its values. */
struct opt_table {
    const char *what; /* "main", "router", "appendfile" ... */
    const struct opt_def *defs;
    size_t ndefs;
    size_t block_size;
    const void *defaults; /* a block of default values, or NULL for zeros */
};

#define OPT_TABLE(what, defs, type, defaults)                                  \
    {                                                                          \
        (what), (defs), sizeof(defs) / sizeof((defs)[0]), sizeof(type),        \
            (defaults)                                                         \
    }

const struct opt_def *opt_find(const struct opt_table *t, const char *name);
void *opt_block_new(struct arena *a, const struct opt_table *t);
/* Sets an option from its configuration text. For booleans, value is
 * NULL for a bare name, and negate is set for no_/not_ prefixes.
 * Returns 0, or -1 with a message in err. */
int opt_set(struct arena *a, const struct opt_def *d, void *block,
            const char *value, int negate, struct gstr *err);
/* Appends "name = value" (or "name"/"no_name") as -bP shows it. */
void opt_print(struct gstr *out, const struct opt_def *d, const void *block);
const char *opt_type_name(enum opt_type type);

/* Value parsers, shared with the rest of the program. */
int opt_parse_int(const char *s, long long *out);
int opt_parse_bool(const char *s, int *out);

#endif
