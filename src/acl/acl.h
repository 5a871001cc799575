/* acl.h: access control lists, Exim's "begin acl" section and the
 * acl_smtp_* options. The SMTP and receive areas run an ACL with
 * acl_run() and turn its result into a reply and log lines with the
 * acl_reply_*() and acl_log_*() functions. Features add conditions,
 * controls and verify types with acl_register_*(). */
#ifndef MXLAB_ACL_ACL_H
#define MXLAB_ACL_ACL_H

#include "base/gstr.h"

struct arena;
struct expand_ctx;
struct expand_kv;
struct receive;

/* Where an ACL runs. The message ACLs come first (as in Exim, where a
 * "message" on a warn verb adds a header only up to ACL_WHERE_NOT_SMTP). */
enum acl_where {
    ACL_WHERE_RCPT,
    ACL_WHERE_MAIL,
    ACL_WHERE_PREDATA,
    ACL_WHERE_DKIM,
    ACL_WHERE_DATA,
    ACL_WHERE_NOT_SMTP,
    ACL_WHERE_NOT_SMTP_START,
    ACL_WHERE_AUTH,
    ACL_WHERE_CONNECT,
    ACL_WHERE_ETRN,
    ACL_WHERE_EXPN,
    ACL_WHERE_HELO,
    ACL_WHERE_MAILAUTH,
    ACL_WHERE_NOTQUIT,
    ACL_WHERE_QUIT,
    ACL_WHERE_STARTTLS,
    ACL_WHERE_VRFY,
    ACL_WHERE_UNKNOWN, /* ${acl} expanded outside any ACL */
    ACL_WHERE_COUNT
};
#define ACL_BIT(w)   (1u << (w))
#define ACL_BITS_ALL ((1u << ACL_WHERE_COUNT) - 1)
#define ACL_BITS_HAVEDATA                                                      \
    (ACL_BIT(ACL_WHERE_DATA) | ACL_BIT(ACL_WHERE_NOT_SMTP) |                   \
     ACL_BIT(ACL_WHERE_DKIM))

/* What an ACL yields. */
enum acl_rc {
    ACL_OK,        /* accepted */
    ACL_FAIL,      /* denied */
    ACL_DEFER,     /* cannot tell now: a 4xx */
    ACL_ERROR,     /* the ACL is wrong or an expansion failed: a 4xx */
    ACL_DISCARD,   /* accepted, but the recipient(s) are dropped */
    ACL_FAIL_DROP, /* denied, and the connection is to be closed */
};

/* The verbs. */
enum acl_verb {
    ACL_ACCEPT,
    ACL_DEFER_VERB,
    ACL_DENY,
    ACL_DISCARD_VERB,
    ACL_DROP,
    ACL_REQUIRE,
    ACL_WARN,
};

/* Where an add_header line goes. */
enum acl_hdr_pos {
    ACL_HDR_AT_END,
    ACL_HDR_AT_START,
    ACL_HDR_AFTER_RECEIVED,
    ACL_HDR_AT_START_RFC,
};

struct acl_header {
    const char *text; /* "Name: value\n", continuation lines included */
    enum acl_hdr_pos pos;
    struct acl_header *next; /* in the order they were added */
};

struct acl_strlist {
    const char *s;
    struct acl_strlist *next;
};

/* Controls with an effect beyond the ACL, as bits. Connection ones
 * last for the SMTP connection, message ones until
 * acl_state_new_message(). */
#define ACL_CTL_ALLOW_AUTH_UNADVERTISED 0x0001u /* connection */
#define ACL_CTL_NO_MULTILINE            0x0002u /* connection */
#define ACL_CTL_NO_PIPELINING           0x0004u /* connection */
#define ACL_CTL_NO_DELAY_FLUSH          0x0008u /* connection */
#define ACL_CTL_NO_CALLOUT_FLUSH        0x0010u /* connection */
#define ACL_CTL_DEBUG                   0x0020u /* connection */
#define ACL_CTL_CONN_MASK               0x00ffu
#define ACL_CTL_QUEUE                   0x0100u  /* message */
#define ACL_CTL_FREEZE                  0x0200u  /* message */
#define ACL_CTL_SUBMISSION              0x0400u  /* message */
#define ACL_CTL_SUPPRESS_LOCAL_FIXUPS   0x0800u  /* message */
#define ACL_CTL_FAKEREJECT              0x1000u  /* message */
#define ACL_CTL_FAKEDEFER               0x2000u  /* message */
#define ACL_CTL_CUTTHROUGH              0x4000u  /* message (not acted on) */
#define ACL_CTL_DKIM_DISABLE_VERIFY     0x8000u  /* message */
#define ACL_CTL_QUEUE_FIRST_PASS        0x10000u /* message */

/* The state ACL runs share: set up once per connection (or per local
 * message) with acl_state_init(), reset between messages with
 * acl_state_new_message(). */
struct acl_state {
    /* Set by the caller. */
    struct arena *conn_arena; /* $acl_c* and connection state; NULL:
                                 the expansion context's arena */
    const char *log_prefix;   /* "H=(helo) [ip]" as Exim's log lines start;
                                 used for warn and reject lines */
    const char *log_tls;      /* " X=... CV=..." of a TLS session, which
                                 reject lines carry after the host; NULL
                                 or "": none */
    const char *recipient;    /* RCPT and VRFY: the address; acl_run()
                                 sets $domain and $local_part from it */
    const char *cmd_data;     /* the command's argument, for reject lines
                                 ("<a@b.example>" for RCPT); NULL: none */
    int host_checking;        /* -bh: delays are not imposed */
    int delay_max;            /* cap for "delay", seconds; 0: 3600 */
    int peer_fd;              /* a delay ends when this peer hangs up;
                                 -1: none */
    void (*flush)(void *arg); /* flushes SMTP output before a delay */
    void *flush_arg;
    struct receive *message;      /* DATA and not-SMTP ACLs: the message being
                                     received, for content checks (dcc);
                                     NULL elsewhere */
    const char *log_reject_block; /* lines that follow a rejection in the
                                     reject log (envelope and headers
                                     after the data); NULL: none */

    /* Results of the last acl_run(). */
    const char *user_message;   /* for the SMTP reply; may start with a code */
    const char *log_message;    /* for the log line; NULL: none */
    unsigned log_reject_target; /* LOG_MAIN|LOG_REJECT|LOG_PANIC bits */
    int temp_details;           /* a defer verb: the message may be shown */

    /* Gathered over a message's ACLs. */
    struct acl_header *headers;         /* add_header, duplicates dropped */
    struct acl_strlist *remove_headers; /* remove_header specifiers */
    unsigned controls;                  /* ACL_CTL_* bits */
    int freeze_tell;               /* a freeze without /no_tell was obeyed */
    const char *fake_message;      /* fakereject/fakedefer text or NULL */
    const char *submission_domain; /* control=submission/domain= */
    const char *submission_name;   /* control=submission/name= */
    int submission_sender_retain;
    int enforce_sync;                 /* -1: as the option says; 0 or 1 */
    struct expand_kv *control_values; /* every control obeyed, name ->
                                         options ("" for none) */
    struct acl_strlist *warn_logged;  /* warn lines already written */
    int caseful_local_part;           /* within a RCPT ACL run */
    int delayed;                      /* seconds "delay" slept in total */
    /* A sender verification of this message that failed (Exim's
     * sender_verified_failed), told once: the address, the routing's
     * message and the text for the sender (NULL: none); defer: 1 when
     * it could not be completed. In conn_arena. */
    const char *sverify_address;
    const char *sverify_message;
    const char *sverify_user;
    int sverify_defer;
    int sverify_told;
    /* The message's sender as given, once sender verification rewrote
     * it (Exim's sender_address_unrewritten: the F=<...> of reject
     * lines); NULL: not rewritten. In conn_arena. */
    const char *sender_unrewritten;
};

void acl_state_init(struct acl_state *st, struct arena *conn_arena);
/* Forgets what belongs to one message: headers, removals, message
 * controls, logged warnings. Connection controls stay. */
void acl_state_new_message(struct acl_state *st);

/* Runs the ACL for where. option_value is the acl_smtp_* option as
 * configured (expanded here): an ACL name, a file name starting with
 * "/", or the text of an inline ACL; NULL means the option is unset,
 * which accepts everywhere except RCPT, VRFY, EXPN and ETRN, where it
 * denies. Returns an acl_rc; st->user_message and st->log_message say
 * why. On ACL_ERROR err (if not NULL) receives "FILE:LINE: message"
 * where that is known. */
int acl_run(enum acl_where where, const char *option_value,
            struct expand_ctx *x, struct acl_state *st, gstr *err);

/* For expand_acl_hook (src/expand/expand.h): runs ACL name for ${acl}
 * and the "acl" expansion condition, in the ACL now running (or
 * ACL_WHERE_UNKNOWN). acl_check_config() installs it. */
int acl_expand_hook(struct expand_ctx *x, const char *name, char *const *args,
                    int nargs, const char **message, gstr *err);

/* As Exim names them in log lines: "RCPT", "EHLO or HELO", ... */
const char *acl_where_name(enum acl_where where);
const char *acl_verb_name(enum acl_verb verb);
/* -bh: when set, the ACL engine writes Exim's ">>> " trace of the ACLs
 * it runs (using, processing, check, condition test ..., end of) to
 * standard error. */
extern int acl_trace;
const char *acl_rc_name(int rc);

/* Checks every ACL in the configuration, and the acl_* options that
 * name or hold one, at start-up. Returns 0, or -1 with
 * "FILE:LINE: message" lines in err. */
int acl_check_config(gstr *err);
/* Forgets the parsed ACLs (after the configuration is re-read). */
void acl_flush_cache(void);

/* The SMTP reply for an outcome: the code ("550", "550 5.7.1") and the
 * text (may hold newlines; only the first line is kept under
 * control=no_multiline_responses). For ACL_OK and ACL_DISCARD, text is
 * NULL unless a message was set, and code is the success code. drop
 * is set for ACL_FAIL_DROP. A code in the message with the wrong first
 * digit is logged to the panic log and ignored, as Exim does. */
struct acl_reply {
    char code[24]; /* "550" or "550 5.7.1" */
    const char *text;
    int drop;
};
void acl_reply_get(enum acl_where where, int rc, const struct acl_state *st,
                   struct acl_reply *r);
/* text with Exim's line breaks for a long reply (lines of up to 75
 * characters, cut at a blank); text itself when it is short. */
const char *acl_split_message(struct arena *a, const char *text);
/* Writes reply lines ("550-first\r\n550 last\r\n") into out. */
void acl_reply_format(const struct acl_reply *r, int no_multiline, gstr *out);
/* Writes text as lines that more follow ("550-line\r\n" each), with r's
 * code; nothing under no_multiline. */
void acl_reply_format_more(const struct acl_reply *r, const char *text,
                           int no_multiline, gstr *out);

/* The rejection line as Exim logs it, without the time stamp:
 * "PREFIX F=<sender> rejected RCPT <x@y>: MESSAGE" or "temporarily
 * rejected ...". */
void acl_reject_line(enum acl_where where, int rc, struct expand_ctx *x,
                     const struct acl_state *st, gstr *out);
/* Writes it to the logs st->log_reject_target names (none if 0). */
void acl_log_reject(enum acl_where where, int rc, struct expand_ctx *x,
                    const struct acl_state *st);

/* The line Exim writes to the main and reject logs when a RCPT ACL
 * discards the recipient (or the MAIL ACL discarded them all, by_mail):
 * "PREFIX F=<sender> RCPT <x@y>: discarded by RCPT ACL: LOG", with
 * st->cmd_data as the address. */
void acl_discard_line(struct expand_ctx *x, const struct acl_state *st,
                      int by_mail, gstr *out);

/* The options of a control obeyed for this message or connection ("" if
 * it had none), or NULL if it was not obeyed. For controls added by
 * features ("bmi_run"). */
const char *acl_control_value(const struct acl_state *st, const char *name);

/* Extension points. */

/* One evaluation of a condition or modifier. */
struct acl_call {
    enum acl_where where;
    enum acl_verb verb;
    struct expand_ctx *x;
    struct acl_state *st;
    int level;            /* nesting depth of acl = */
    const char *user_msg; /* set by a condition for the reply */
    const char *log_msg;  /* set by a condition for the log */
    const char *file;     /* where the condition is written */
    int line;
};

#define ACL_CD_MODIFIER 0x01 /* always true; cannot be negated */
#define ACL_CD_EXPAND   0x02 /* the argument is expanded before eval */
#define ACL_CD_NOARG    0x04 /* no "= value" (endpass) */

struct acl_cond_def {
    const char *name;
    unsigned flags;
    unsigned forbidden; /* ACL_BIT()s of the ACLs it may not be used in */
    /* Optional check at start-up of an argument without "$": 0, or -1
     * with a message in err. */
    int (*check)(const char *arg, gstr *err);
    /* Returns ACL_OK (true), ACL_FAIL (false), ACL_DEFER or ACL_ERROR,
     * with c->log_msg saying why. */
    int (*eval)(struct acl_call *c, const char *arg);
};

/* "control = name/options". forbidden as above. apply may be NULL (the
 * control is only recorded in st->control_values). */
struct acl_control_def {
    const char *name;
    int has_options;
    unsigned forbidden;
    int (*apply)(struct acl_call *c, const char *options);
};

/* "verify = name/options". allowed: ACL_BIT()s where it may be used. */
struct acl_verify_def {
    const char *name;
    unsigned allowed;
    int takes_options;
    int (*eval)(struct acl_call *c, const char *options);
};

/* Adds a condition, control or verify type (called at start-up, before
 * acl_check_config). Returns 0, or -1 if the name exists or the table
 * is full. */
int acl_register_condition(const struct acl_cond_def *def);
int acl_register_control(const struct acl_control_def *def);
int acl_register_verify(const struct acl_verify_def *def);

/* verify = sender and verify = recipient route the address. The
 * routing area sets this; until it does those conditions defer with a
 * message that says so. is_sender tells which; options is what follows
 * the first "/" (or ""). Returns ACL_OK, ACL_FAIL (with c->user_msg and
 * c->log_msg set), ACL_DEFER or ACL_ERROR. */
extern int (*acl_verify_address_hook)(struct acl_call *c, int is_sender,
                                      const char *address, const char *options);

/* verify = helo: the SMTP area sets this to its HELO check. NULL:
 * true when no host address is known (local SMTP), else the HELO name
 * must be the address in brackets or resolve to it. */
extern int (*acl_verify_helo_hook)(struct acl_call *c);

/* How "delay" waits. NULL: sleep, ending early if st->peer_fd hangs up. */
extern void (*acl_delay_hook)(struct acl_state *st, int seconds);

#endif
