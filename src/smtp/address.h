/* address.h: the address in MAIL FROM:<...> and RCPT TO:<...>. */
#ifndef MXLAB_SMTP_ADDRESS_H
#define MXLAB_SMTP_ADDRESS_H

struct arena;
struct gstr;

struct smtp_path {
    char *address;  /* without brackets; "" for the null path */
    int has_domain; /* an "@domain" part was present */
    char *rest;     /* what follows the path: ESMTP parameters */
};

/* Parses a path; allow_null permits "<>". Returns 0, or -1 with Exim's
 * wording of the problem in err ("malformed address: ..."). */
int smtp_parse_path(struct arena *a, const char *in, int allow_null,
                    struct smtp_path *p, struct gstr *err);

#endif
