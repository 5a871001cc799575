/* arc.h: ARC (RFC 8617, Exim's draft-11 reading): the ARC header
 * fields of a message parsed into a chain of sets, and the verifier.
 * Signing (src/arc/sign*.c) uses the same parser. */
#ifndef MXLAB_ARC_ARC_H
#define MXLAB_ARC_ARC_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;
struct dkim_sig;

/* The highest instance accepted ("overlarge instance number" above). */
#define ARC_MAX_INSTANCE 50

/* How much of a field the parser takes (Exim's line_extract). */
enum arc_extract {
    ARC_X_INSTANCE,    /* i= only: what a signer needs */
    ARC_X_INSTANCE_IP, /* i= and smtp.remote-ip: an AAR being verified */
    ARC_X_ALL,         /* every tag, b= taken out: AMS and AS */
};

enum arc_kind { ARC_AAR, ARC_AMS, ARC_AS };

/* One ARC header field. Tag values are NUL-terminated copies with the
 * white space around them taken off, NULL when the tag is absent; b=
 * and bh= have all white space taken out (still base64). */
struct arc_line {
    enum arc_kind kind;
    const char *text; /* "Name: value\r\n" as received, folds as CRLF */
    size_t len;
    const char *i, *cv, *a, *b, *bh, *d, *h, *s, *c, *l, *ip;
    const char *a_algo, *a_hash; /* a= split at its first '-' */
    const char *c_head, *c_body; /* c= split; defaults "simple" */
    char *raw_no_b;              /* the field, b= value taken out (ALL) */
    size_t raw_no_b_len;
    char *relaxed; /* relaxed canonical form with CRLF, made once */
};

/* One ARC set: the three fields of one instance. */
struct arc_set {
    unsigned instance;
    struct arc_line *aar, *ams, *as;
    const char *ams_verify_done; /* NULL, or the AMS's failure reason */
    int ams_verify_passed;
    struct arc_set *next, *prev; /* increasing instance order */
};

/* A message header field as the verifier and signer hand it over. */
struct arc_hdr {
    const char *text; /* "Name: value\r\n", folds as CRLF */
    size_t len;
};

/* The sets of a message, in increasing instance order. */
struct arc_chain {
    struct arena *a;
    struct arc_set *first, *last;
};

/* parse.c: one field's tags (off: the length of "Name:"). NULL, or
 * Exim's complaint ("a tag dup", "no '-' in 'a' value", "b? tag",
 * "no b= value", ...). */
const char *arc_line_parse(struct arena *a, struct arc_line *al,
                           const char *field, size_t len, size_t off,
                           enum arc_extract x);
/* The kind of an ARC header field by its name, or -1 for another
 * field; *off gets the length of the name and colon. */
int arc_field_kind(const char *field, size_t len, size_t *off);
/* The hash of an a= tag's hash part ("sha256"), matched as Exim does
 * (a prefix of a known name): enum dkim_hash, or -1. */
int arc_hash_type(const char *h);
/* Adds one header field to the chain (fields that are not ARC's are
 * ignored): NULL, or "inserting AMS: line parse: a tag dup",
 * "inserting AS: dup hdr", "inserting AAR: instance find",
 * "inserting AS: overlarge instance number" and so on. signing: only
 * i= is taken. */
const char *arc_chain_add(struct arc_chain *c, const char *field, size_t len,
                          int signing);
/* All the header fields, top first: NULL or the first error above. */
const char *arc_chain_collect(struct arc_chain *c, const struct arc_hdr *h,
                              size_t n, int signing);
void arc_chain_init(struct arc_chain *c, struct arena *a);
/* The AMS of a set as a DKIM signature (for the body hash and the
 * header hash); NULL when its a= or c= cannot be used. */
struct dkim_sig *arc_ams_as_dkim(struct arena *a, const struct arc_line *ams);
/* The colon list of the AS d= values in instance order, an empty
 * element for each missing instance or AS without d= ($arc_domains). */
const char *arc_chain_domains(struct arena *a, const struct arc_chain *c);

/* verify.c: the verifier. Fed every line of the message as DKIM's is
 * (dot-unstuffed, no line ending); the AMS body hashes are computed as
 * the body streams past, the header section is kept. */
struct arc_verify;
struct arc_verify *arc_verify_start(struct arena *a);
void arc_verify_line(void *v, const char *line, size_t len);
/* No more lines: the body hashes are finished, which releases what
 * they hold outside the arena; arc_verify_finish() still works. */
void arc_verify_free(struct arc_verify *v);

/* The outcome of the verify = arc condition. */
struct arc_result {
    const char *state;          /* "pass", "fail" or "none" */
    const char *reason;         /* Exim's $arc_state_reason text, or NULL */
    int oldest_pass;            /* $arc_oldest_pass (0: AMS(N) failed) */
    unsigned received_instance; /* N when the sets were complete, else 0 */
    const char *ams_selector;   /* s= of AMS(N), when received_instance */
    const char *domains;        /* $arc_domains */
    struct arc_chain chain;
};

/* RFC 8617 5.2 as Exim 4.98.2 does it; fills *r. Returns r->state.
 * The key lookups use dkim_txt_hook when it is set, else DNS. */
const char *arc_verify_finish(struct arc_verify *v, struct arc_result *r);

/* The ";\n\tarc=..." entry of ${authresults}, as Exim lays it out;
 * ip: the client's address or NULL. */
void arc_authres(const struct arc_result *r, const char *ip, gstr *out);

#endif
