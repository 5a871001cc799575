/* cli.h: local message submission from the command line ("mxlab [-t]
 * [-f sender] rcpt..." with the message on the standard input). */
#ifndef MXLAB_RECEIVE_CLI_H
#define MXLAB_RECEIVE_CLI_H

struct expand_ctx;
struct receive;

/* HOOK(acl): runs acl_not_smtp (main_config) for a local message whose
 * data is in r (after receive_finish), applies its add_header,
 * remove_header and control = freeze to r, and logs a rejection as
 * Exim does ("F=<s> rejected by non-SMTP ACL: ..."). Returns 0 to
 * accept, 1 when the ACL discarded the message, -1 when it rejected it
 * (*user_msg: the message for the caller, or NULL). Set by the code
 * that links the ACL engine in; while NULL, acl_not_smtp is not run. */
extern int (*receive_not_smtp_acl)(struct receive *r, struct expand_ctx *x,
                                   const char **user_msg);

struct submit_opts {
    const char *sender;   /* -f, or NULL */
    const char *name;     /* -F: the sender's full name, or NULL */
    int extract;          /* -t */
    int no_dot;           /* -i, -oi: a line "." does not end the message */
    char delivery;        /* 'q' -odq, 'i' -odi/-odf, 'b' -odb, or 0 */
    const char *protocol; /* -oMr, or NULL for "local" */
    const char *ident;    /* -oMt, or NULL for the caller's login */
};

/* The submission options of argv[*i] (-f, -F, -t, -i, -oi, -oitrue,
 * -odb, -odf, -odi, -odq, -oMr, -oMt, -oee, -oem, -oep, -oeq, -oew,
 * -bm): 1 when it was one (with *i moved past any argument), -1 when
 * its argument is missing, 0 when it is not a submission option. */
int receive_cli_option(struct submit_opts *o, int argc, char **argv, int *i);

/* Reads a message from stdin for the recipients in args (each may hold
 * several, separated by commas) and puts it on the queue. Returns the
 * exit status: 0 when the message was accepted. */
int receive_cli_submit(const struct submit_opts *o, char **args, int nargs);

#endif
