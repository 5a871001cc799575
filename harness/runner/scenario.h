#ifndef RUNNER_SCENARIO_H
#define RUNNER_SCENARIO_H

#include <stddef.h>

#include "strvec.h"

struct buf;

/* One scenario file, parsed and validated, not yet substituted. */

enum step_kind {
    STEP_EXEC,
    STEP_SH,
    STEP_DAEMON,
    STEP_BACKGROUND,
    STEP_WAITPORT,
    STEP_SMTP,
    STEP_SLEEP,
    STEP_ADVANCE,
    STEP_CLOCK,
    STEP_WAITFOR,
};

enum dialog_kind {
    DIALOG_SEND,     /* >>> TEXT: TEXT and CRLF */
    DIALOG_SEND_RAW, /* >>>raw TEXT: TEXT with escapes, nothing added */
    DIALOG_EXPECT,   /* <<< TEXT: one reply, a line starting with TEXT */
    DIALOG_CLOSED,   /* <<< closed: the peer closes */
    DIALOG_SLEEP,    /* sleep N */
    DIALOG_TLS,      /* tls [sni=NAME] [cert=FILE] [key=FILE] */
};

struct dialog_line {
    enum dialog_kind kind;
    int lineno;
    char *text;
    long long ms;
};

struct step {
    enum step_kind kind;
    int lineno;
    char *source;       /* the directive line, for messages */
    struct strvec args; /* words after the directive */
    char *text;         /* heredoc or one-line script, waitfor text */
    int status;         /* expected exit status */
    long long ms;       /* sleep: milliseconds */
    long long seconds;  /* advance: seconds; clock: epoch seconds */
    int smtp_exec;      /* smtp exec ARGS rather than smtp HOST PORT */
    struct dialog_line *dialog;
    size_t ndialog;
};

struct file_spec {
    int lineno;
    char *relpath;
    char *content;
};

struct scenario {
    char *path;
    char *title;
    char *config;
    char *skip_reason;
    struct strvec requires; /* programs */
    struct strvec needs;    /* of the MTA: "KIND NAME", or "mxlab" */
    struct strvec expects;
    struct file_spec *files;
    size_t nfiles;
    struct step *steps;
    size_t nsteps;
};

int scenario_parse(const char *path, struct scenario *scn, struct buf *err);
void scenario_free(struct scenario *scn);

#endif
