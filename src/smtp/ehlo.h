/* ehlo.h: EHLO keywords that features add (AUTH, STARTTLS, XCLIENT,
 * LIMITS ...), each at its place in Exim's order. */
#ifndef MXLAB_SMTP_EHLO_H
#define MXLAB_SMTP_EHLO_H

struct gstr;
struct smtp_session;

/* Where a keyword goes, as Exim orders them. */
enum ehlo_slot {
    EHLO_AFTER_SIZE,       /* LIMITS */
    EHLO_AFTER_PIPELINING, /* AUTH */
    EHLO_AFTER_CHUNKING,   /* STARTTLS, XCLIENT */
    EHLO_BEFORE_HELP,
    EHLO_SLOTS
};

struct ehlo_keyword {
    enum ehlo_slot slot;
    /* Appends "KEYWORD params" (no code, no line end) if it applies to
     * this session; returns 1 if it appended. */
    int (*advertise)(struct smtp_session *s, struct gstr *out);
    struct ehlo_keyword *next;
};

void smtp_ehlo_register(struct ehlo_keyword *k);

#endif
