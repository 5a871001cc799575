/* bmi_wire.h: the text forms shared by libbmiclient_single's calls:
 * xtext, base64, and a verdict's one-line form (docs/bmi-protocol.md).
 * Self-contained (libc only), so that the library links into any MTA. */
#ifndef MXLAB_BMI_SDK_BMI_WIRE_H
#define MXLAB_BMI_SDK_BMI_WIRE_H

#include <stddef.h>

#define BMI_WIRE_MAX_RULES 64

enum bmi_wire_kind {
    BMI_KIND_DEFAULT,   /* deliver normally */
    BMI_KIND_ALTERNATE, /* deliver to the alternate location */
    BMI_KIND_DISCARD,   /* do not deliver */
    BMI_KIND_ERROR      /* the server could not decide */
};

/* One verdict: what it says, and for which recipients. */
struct bmi_wire_verdict {
    enum bmi_wire_kind kind;
    int rules[BMI_WIRE_MAX_RULES];
    int nrules;
    char *alt; /* alternate location, or NULL */
    char **rcpts;
    int nrcpts;
};

/* A growable string, malloc()ed. */
struct bmi_str {
    char *s;
    size_t len, cap;
    int failed; /* out of memory: s is then no use */
};

void bmi_str_init(struct bmi_str *b);
void bmi_str_add(struct bmi_str *b, const char *data, size_t len);
void bmi_str_addc(struct bmi_str *b, const char *s);
/* Appends s xtext-encoded (RFC 3461: "+XX" for '+', '=', controls,
 * blanks and bytes over 126); "" is written as "+" alone, which no
 * other text encodes to. */
void bmi_str_add_xtext(struct bmi_str *b, const char *s);

/* Decodes xtext in place; -1 if it is not valid xtext. */
int bmi_xtext_decode(char *s);
/* Base64 (RFC 4648, with padding). Decoding returns a malloc()ed, NUL
 * terminated copy and its length, or NULL if in is not base64. */
char *bmi_b64_encode(const char *in, size_t len);
char *bmi_b64_decode(const char *in, size_t *len);

/* Parses "KIND RULES ALT RCPT..." (each xtext; RULES "-" or "N,N...",
 * ALT "-" for none) into v. Returns 0, or -1 with v cleared. */
int bmi_wire_parse_verdict(const char *line, struct bmi_wire_verdict *v);
/* The one-line form of v, malloc()ed; NULL when out of memory. */
char *bmi_wire_format_verdict(const struct bmi_wire_verdict *v);
void bmi_wire_free_verdict(struct bmi_wire_verdict *v);
const char *bmi_wire_kind_name(enum bmi_wire_kind k);

/* One line of the server's answer to END (line end removed). */
enum bmi_answer {
    BMI_ANSWER_BAD = -1,    /* none of the below */
    BMI_ANSWER_VERDICT = 0, /* "VERDICT ...": v is filled in */
    BMI_ANSWER_END = 1,     /* "." */
    BMI_ANSWER_ERROR = 2    /* "ERROR [text]" */
};
enum bmi_answer bmi_wire_parse_answer(const char *line,
                                      struct bmi_wire_verdict *v);

#endif
