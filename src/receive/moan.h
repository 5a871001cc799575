/* moan.h: the report to the sender of a refused local message (Exim's
 * -oem, its default error mode for messages from the command line). */
#ifndef MXLAB_RECEIVE_MOAN_H
#define MXLAB_RECEIVE_MOAN_H

struct receive;
struct receive_bad_rcpt;
struct submit_opts;

/* Exim's ERRMESS_ codes, those local submission can give. */
enum moan_error {
    MOAN_BADARGADDRESS, /* a recipient argument is not an address */
    MOAN_BADADDRESS,    /* -t: bad addresses; the others go on */
    MOAN_BADNOADDRESS,  /* -t: bad addresses and no others */
    MOAN_IGADDRESS,     /* -t: every address was on the command line */
    MOAN_NOADDRESS,     /* -t: no addresses */
    MOAN_TOOBIG,        /* over message_size_limit */
    MOAN_LOCAL_ACL,     /* refused by acl_not_smtp */
};

struct moan {
    enum moan_error error;
    const char *text1; /* BADARGADDRESS: the argument; LOCAL_ACL: the
                          ACL's message */
    const char *text2; /* BADARGADDRESS: what is wrong with it */
    const struct receive_bad_rcpt *bad; /* -t: the bad addresses */
    int nbad;
    struct receive *r; /* the message as read; NULL: the rest of the
                          standard input is the message */
};

/* Mails the report to sender, as a new local message (sender <>, -t,
 * logged with R=<id>). 1 when it was sent; 0 when it could not be (no
 * sender to send to, o is itself a report, or the report was refused),
 * which is logged. */
int moan_to_sender(const struct moan *m, const struct submit_opts *o,
                   const char *sender);

#endif
