/* cli.h: local message submission from the command line ("mxlab [-t]
 * [-f sender] rcpt..." with the message on the standard input). */
#ifndef MXLAB_RECEIVE_CLI_H
#define MXLAB_RECEIVE_CLI_H

struct submit_opts {
    const char *sender;      /* -f, or NULL */
    const char *name;        /* -F: the sender's full name, or NULL */
    int extract;             /* -t */
    int no_dot;              /* -i, -oi: a line "." does not end the message */
    char delivery;           /* 'q' -odq, 'i' -odi/-odf, 'b' -odb, or 0 */
    const char *protocol;    /* -oMr, or NULL for "local" */
    const char *ident;       /* -oMt, or NULL for the caller's login */
    const char *auth_sender; /* -oMas, or NULL */
    const char *auth_id;     /* -oMai, or NULL */
    char errmode;            /* -oe?: 'e', 'm', 'p', 'q', 'w'; 0 is 'm' */
    int local_error;         /* -E: a report of mxlab's own (-localerror) */
    const char *reference;   /* -E<id>: the message it reports on */

    /* set for a report to a sender (moan(3)), not from the command line */
    const char *input; /* the message, instead of the standard input */
    size_t input_len;
};

/* Errors of a local message go to the standard error (-oep, -oeq)
 * rather than to the sender in a report. */
#define SUBMIT_ERRORS_TO_STDERR(o) ((o)->errmode == 'p' || (o)->errmode == 'q')

/* The submission options of argv[*i] (-f, -F, -t, -i, -oi, -oitrue,
 * -odb, -odf, -odi, -odq, -oMr, -oMt, -oee, -oem, -oep, -oeq, -oew
 * (and -ee ... -ew), -E[id], -bm): 1 when it was one (with *i moved past any
 * argument), -1 when its argument is missing, 0 when it is not a submission
 * option. */
int receive_cli_option(struct submit_opts *o, int argc, char **argv, int *i);

/* Reads a message from stdin for the recipients in args (each may hold
 * several, separated by commas) and puts it on the queue. Returns the
 * exit status: 0 when the message was accepted. */
int receive_cli_submit(const struct submit_opts *o, char **args, int nargs);

#endif
