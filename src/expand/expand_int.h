/* expand_int.h: what the files of the expansion engine share. Not for
 * use outside src/expand/. */
#ifndef MXLAB_EXPAND_EXPAND_INT_H
#define MXLAB_EXPAND_EXPAND_INT_H

#include <stddef.h>

#include "base/gstr.h"
#include "expand/expand.h"

/* The state of one expand_string() call. */
struct exp {
    struct expand_ctx *ctx;
    struct arena *a;
    const char *base; /* the whole input, for error offsets */
    int depth;
    int max_depth;
    size_t max_size;
    unsigned long steps;
    gstr *msg;            /* the error message, "" if none yet */
    const char *err_at;   /* where the error was found */
    int forced;           /* the failure was a forced one */
    int malformed_header; /* a header name held "}": a colon forgotten? */
    /* Values that items set for their arguments. */
    const char *value; /* $value */
    const char *item;  /* $item */
    /* The list item that decided a match (a lookup's result for a lookup
     * item), for $domain_data and $local_part_data. */
    const char *list_value;
    const char *num[10];
    size_t numlen[10];
    int nmax;         /* highest $n set, -1 for none */
    int tainted;      /* the result so far holds tainted data (taint.c) */
    int nums_tainted; /* $0..$9 came from tainted data */
};

/* Flags for x_expand(). */
#define XF_SKIP     0x01 /* parse only: the result is not wanted */
#define XF_BRACE    0x02 /* an unmatched "}" ends the string */
#define XF_NODOLLAR 0x04 /* "$" is not special */

#define X_MAX_STEPS 2000000UL

/* What $h_ and ${rfc2047d:} translate encoded words to: Exim's default
 * headers_charset (the option itself is not implemented). */
#define EXPAND_HEADERS_CHARSET "ISO-8859-1"

/* The core (expand.c). */
int x_expand(struct exp *e, const char **sp, unsigned fl, gstr *out);
int x_error(struct exp *e, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int x_curly(struct exp *e, const char *at);
int x_forced(struct exp *e, const char *at);
int x_add(struct exp *e, gstr *out, const char *p, size_t n);
int x_adds(struct exp *e, gstr *out, const char *s);
const char *x_skip_space(const char *s);
/* Reads up to max "{...}" arguments (at least min), expanding each;
 * subs[i] is NULL for those absent. With check_end, the closing "}" of
 * the item must follow. */
int x_args(struct exp *e, const char **sp, unsigned fl, const char *name,
           int min, int max, char **subs, int check_end);
/* Reads one "{...}" argument; *got is 0 if there was no "{". */
int x_arg(struct exp *e, const char **sp, unsigned fl, char **sub);
/* Expands a whole string in the same state (for ${expand:}, lists). */
int x_sub_expand(struct exp *e, const char *in, unsigned fl, char **out);
void x_save_nums(const struct exp *e, struct exp *saved);
void x_restore_nums(struct exp *e, const struct exp *saved);
char *x_strdup(struct exp *e, const char *s);
/* s in double quotes, with quotes, tabs and non-printing characters
 * escaped: Exim's "%q". */
const char *x_q(struct exp *e, const char *s);
/* Rewrites the error message as '"MESSAGE" inside "NAME" WHAT'. */
void x_wrap_error(struct exp *e, const char *name, const char *what);

/* Runs ACL subs[0] with the other non-NULL subs as arguments. Returns
 * EXPAND_ACL_ACCEPT or EXPAND_ACL_DENY, or EXPAND_ERROR (message set)
 * for a defer, an error, or no ACL support. */
int x_run_acl(struct exp *e, const char *at, char **subs, int nsubs,
              const char **message);

/* Numbers. */
int x_parse_int(struct exp *e, const char *at, const char *s, long long *v);
int x_parse_number(struct exp *e, const char *at, const char *s, long long *v);

/* Variables (vars.c). Appends the value of name; returns EXPAND_OK, or
 * EXPAND_ERROR for an unknown name. */
int x_variable(struct exp *e, const char *at, const char *name, int braced,
               unsigned fl, gstr *out);
/* Is name set and non-empty (for def:)? -1 if unknown. */
int x_variable_def(struct exp *e, const char *name);
/* Header variables (header.c). prefix: 'h', 'r', 'l', 'b'. Returns 1 if
 * a header was found (appended), 0 if none. */
int x_header(struct exp *e, char kind, const char *name, gstr *out);
int x_header_prefix(const char *name, char *kind, size_t *skip);
void x_message_headers(struct exp *e, int raw, gstr *out);
void x_message_body(struct exp *e, int end, gstr *out);

/* Taint (taint.c). */
void x_taint_mark(struct exp *e);
int x_taint_op_clean(const char *base);

/* Items, conditions, operators. */
typedef int x_item_fn(struct exp *e, const char **sp, unsigned fl, gstr *out,
                      const char *name);
x_item_fn *x_item_find(const char *name);
int x_condition(struct exp *e, const char **sp, unsigned fl, int *truth);
int x_operator(struct exp *e, const char *at, const char *name, const char *arg,
               gstr *out);
int x_operator_known(const char *name);

/* JSON elements and wrappers (json.c). */
char *x_json_next(struct exp *e, const char **list);
char *x_json_dewrap(struct exp *e, const char *s, const char *wrap);

/* Matching lists (match.c). Returns 1 match, 0 no match, -1 error (msg). */
int x_match_domain(struct exp *e, const char *subject, const char *list);
int x_match_address(struct exp *e, const char *subject, const char *list);
int x_match_local_part(struct exp *e, const char *subject, const char *list,
                       int caseless);
int x_match_ip(struct exp *e, const char *subject, const char *list);
int x_is_ip(const char *s, int *family);

/* Regular expressions (regex.c). Returns 1 match, 0 none, -1 error. */
struct pcre2_real_code_8;
int x_regex_match(struct exp *e, const char *subject, const char *pattern,
                  int set_nums);
/* Substitutes matches of pattern in subject with replacement. */
int x_regex_sg(struct exp *e, const char *subject, const char *pattern,
               const char *replacement, gstr *out);

#endif
