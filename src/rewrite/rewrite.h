/* rewrite.h: Exim's configured address rewriting (the "begin rewrite"
 * section): parsing rules, matching and applying them to one address,
 * and -brw. See docs/rewrite.md. */
#ifndef MXLAB_REWRITE_REWRITE_H
#define MXLAB_REWRITE_REWRITE_H

#include "base/gstr.h"

struct arena;
struct expand_ctx;

/* Where an address is, and what a rule says (Exim's bit values). */
enum {
    RW_SENDER = 0x0001,   /* s: Sender: */
    RW_FROM = 0x0002,     /* f: From: */
    RW_TO = 0x0004,       /* t: To: */
    RW_CC = 0x0008,       /* c: Cc: */
    RW_BCC = 0x0010,      /* b: Bcc: */
    RW_REPLYTO = 0x0020,  /* r: Reply-To: */
    RW_HEADERS = 0x003F,  /* h */
    RW_ENVFROM = 0x0040,  /* F */
    RW_ENVTO = 0x0080,    /* T */
    RW_ENVELOPE = 0x00C0, /* E */
    RW_ALL = 0x00FF,
    RW_SMTP = 0x0100,        /* S: MAIL and RCPT at SMTP time */
    RW_SMTP_SENDER = 0x0200, /* with RW_SMTP: the subject may become <> */
    RW_QUALIFY = 0x0400,     /* Q */
    RW_REPEAT = 0x0800,      /* R */
    RW_WHOLE = 0x1000,       /* w */
    RW_QUIT = 0x2000,        /* q */
};

struct rewrite_rule {
    char *key;         /* the pattern, not yet expanded */
    char *replacement; /* "*": leave the address alone, stop */
    unsigned flags;
    const char *file;
    int line;
    struct rewrite_rule *next;
};

struct rewrite_rules {
    struct rewrite_rule *first;
    unsigned existflags; /* the union of the rules' flags */
};

/* Parses one rule "pattern replacement [flags]" (either may be in
 * double quotes). global: a "begin rewrite" rule (no flags means all
 * headers and the envelope) rather than a transport's (all headers).
 * Returns the rule, or NULL with *msg set. */
struct rewrite_rule *rewrite_rule_parse(struct arena *a, const char *text,
                                        int global, const char **msg);

/* Parses the configuration's rewrite section and the transports'
 * headers_rewrite (once). 0, or -1 with "file:line: message" in err. */
int rewrite_conf_check(gstr *err);
/* The parsed "begin rewrite" rules (existflags 0: none). */
const struct rewrite_rules *rewrite_global(void);
/* A transport's headers_rewrite rules, or NULL if it has none. */
struct driver_instance;
const struct rewrite_rules *
rewrite_transport_rules(const struct driver_instance *tp);

/* Matches the expanded pattern against address (local@domain). On a
 * match ctx->nums holds $0 (the address) and what the pattern captured
 * ($1 ...). Returns 1, 0, or -1 with err set. */
int rewrite_match(struct expand_ctx *ctx, const char *pattern,
                  const char *address, gstr *err);

/* For S rules: subject (anything) against a regex, with case. */
int rewrite_match_regex(struct expand_ctx *ctx, const char *pattern,
                        const char *subject, gstr *err);

/* Runs the rules whose flags include flag over s (Exim's rewrite_one).
 * whole: when not NULL and flag is a header, set when a "w" rule
 * replaced the whole item; the result is then the whole item.
 * Returns s itself when nothing changed, else the new address (in ctx's
 * arena). */
const char *rewrite_one(struct expand_ctx *ctx, const struct rewrite_rules *rr,
                        const char *s, unsigned flag, int *whole);
/* The same; noted(arg, old) is called for each rule that changed the
 * address, old being the address before it (reception adds Exim's
 * "X-rewrote-..." headers). */
const char *rewrite_one_noted(struct expand_ctx *ctx,
                              const struct rewrite_rules *rr, const char *s,
                              unsigned flag, int *whole,
                              void (*noted)(void *arg, const char *old),
                              void *arg);

/* Where the address of the mailbox s..e is: inside <>, or the addr-spec
 * between the comments round it. 0 when it cannot be placed. */
int rewrite_address_place(const char *s, const char *e, const char **as,
                          const char **ae);
/* The working address in text: as rewrite_address_place() places it,
 * else the text trimmed of white space. *start and *end are offsets. */
void rewrite_address_span(const char *text, size_t *start, size_t *end);

/* The rule flag of a spool header type (S F R T C B); 0 for others. */
unsigned rewrite_header_flag(char type);
/* The header text (len bytes) with its addresses qualified with
 * "@qualify" (NULL: unqualified ones are left alone) and rewritten by
 * the rules of rr (may be NULL) that have flag; NULL if nothing
 * changed. See src/rewrite/header.c. */
const char *rewrite_header_text(struct expand_ctx *ctx,
                                const struct rewrite_rules *rr,
                                const char *text, size_t len, unsigned flag,
                                const char *qualify);

/* -brw: prints what each kind of field would make of address. */
void rewrite_test(struct expand_ctx *ctx, const struct rewrite_rules *rr,
                  const char *address);

#endif
