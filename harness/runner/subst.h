#ifndef RUNNER_SUBST_H
#define RUNNER_SUBST_H

struct buf;

/* The names the runner replaces in scenario text. */
enum subst_var {
    SUBST_DIR,
    SUBST_PORT,
    SUBST_PORT2,
    SUBST_PORT3,
    SUBST_MTA,
    SUBST_SRCDIR,
    SUBST_BUILD,
    SUBST_COUNT
};

struct subst {
    const char *value[SUBST_COUNT];
};

const char *subst_name(enum subst_var var);
void subst_expand(const struct subst *s, const char *in, struct buf *out);
char *subst_string(const struct subst *s, const char *in);

#endif
