/* acl_int.h: what the files of the ACL engine share. Not for use
 * outside src/acl/. */
#ifndef MXLAB_ACL_ACL_INT_H
#define MXLAB_ACL_ACL_INT_H

#include "acl/acl.h"
#include "base/gstr.h"

struct arena;

#define ACL_MAX_LEVEL 20 /* nesting of "acl =" */

/* One condition or modifier of a statement. */
struct acl_cond {
    const struct acl_cond_def *def;
    int negated;
    const char *arg;     /* as written, expanded when evaluated */
    const char *varname; /* set: "acl_m_x" */
    const char *file;
    int line;
    struct acl_cond *next;
};

/* A verb with its conditions. */
struct acl_stmt {
    enum acl_verb verb;
    const char *file;
    int line;
    struct acl_cond *conds;
    struct acl_stmt *next;
};

struct acl_parsed {
    const char *name; /* "ACL rcpt", "inline ACL", "ACL /etc/acl" */
    struct acl_stmt *stmts;
};

/* A logical line of ACL text. */
struct acl_line {
    const char *text;
    const char *file;
    int line;
    int end_line; /* its last physical line: the statement's number */
};

/* Parsing (acl_read.c). Returns the ACL, or NULL with "FILE:LINE:
 * message" in err. */
struct acl_parsed *acl_parse_lines(struct arena *a, const char *name,
                                   const struct acl_line *lines, size_t n,
                                   gstr *err);
/* Inline text or a file's contents: lines, continuations, comments. */
struct acl_parsed *acl_parse_text(struct arena *a, const char *name,
                                  const char *text, const char *file,
                                  gstr *err);
/* Finds or parses the ACL that an (expanded) option value means, as
 * Exim's rules say. Returns it, or NULL with err set (err_is_config
 * tells whether err already has a FILE:LINE prefix). */
struct acl_parsed *acl_find(struct expand_ctx *x, const char *value, gstr *err);

/* Tables (acl_conds.c, acl_control.c). */
const struct acl_cond_def *acl_cond_find(const char *name);
extern const struct acl_cond_def acl_cond_message, acl_cond_log_message,
    acl_cond_endpass, acl_cond_set;
const struct acl_control_def *acl_control_find(const char *arg,
                                               const char **opts);
const struct acl_verify_def *acl_verify_find(const char *name);
int acl_control_eval(struct acl_call *c, const char *arg);

/* The engine (acl_run.c): runs a found ACL at a nesting level. */
int acl_run_parsed(struct acl_call *parent, struct acl_parsed *acl);
int acl_run_value(struct acl_call *parent, const char *value);
int acl_run_args(struct acl_call *c, const char *name, char *const *args,
                 int nargs);

/* Helpers. */
const char *acl_expand_error(struct acl_call *c, const char *in,
                             const char *msg);
void acl_add_header(struct acl_call *c, const char *text);
int acl_time_value(const char *s);
int acl_verify_headers(struct acl_call *c, const char **msg);
int acl_verify_not_blind(struct acl_call *c, int case_sensitive);
struct arena *acl_conn_arena(struct acl_call *c);

#endif
