#ifndef SMTP_FAKE_H
#define SMTP_FAKE_H

#include <openssl/ssl.h>

#include "../common/fake_buf.h"
#include "../common/fake_conn.h"
#include "../common/fake_fault.h"
#include "../common/fake_script.h"

/* The points of a session that a script can give replies for. */
enum smtp_stage {
    SMTP_GREETING,
    SMTP_HELO,
    SMTP_EHLO,
    SMTP_MAIL,
    SMTP_RCPT,
    SMTP_DATA_CMD,
    SMTP_DATA,
    SMTP_BDAT,
    SMTP_RSET,
    SMTP_NOOP,
    SMTP_QUIT,
    SMTP_VRFY,
    SMTP_EXPN,
    SMTP_HELP,
    SMTP_STARTTLS,
    SMTP_AUTH,
    SMTP_COMMAND,
    SMTP_UNKNOWN,
    SMTP_NSTAGES
};

/* A reply a script gives for a stage, with the conditions it needs. */
struct smtp_rule {
    int stage;
    char *verb;    /* SMTP_COMMAND: the command's name */
    int nth;       /* only the Nth such command of a connection; 0: all */
    char *pattern; /* glob on the command's argument; NULL: any */
    int conn_lo;   /* connections conn_lo..conn_hi; 0: every one */
    int conn_hi;
    struct fake_action act;
    int code;     /* 0: the default reply */
    char **lines; /* the reply's text, one per line */
    int nlines;
    int lineno;
};

/* A "drop after STAGE" or "drop during data N". */
struct smtp_drop {
    int stage;  /* after the reply to this stage ... */
    char *verb; /* SMTP_COMMAND: this command */
    int nth;
    int data_lines; /* >0: during DATA, after this many lines */
    int conn_lo;
    int conn_hi;
};

/* One EHLO keyword line. */
struct smtp_keyword {
    char *line; /* NULL: "ehlo none" */
    int conn_lo;
    int conn_hi;
};

struct smtp_script {
    struct fake_script source;
    const char *hostname;
    struct smtp_rule *rules;
    int nrules;
    struct smtp_drop *drops;
    int ndrops;
    struct smtp_keyword *keywords;
    int nkeywords;
};

struct smtp_config {
    struct smtp_script script;
    const char *maildir;
    const char *hostname;
    SSL_CTX *tls;
    int tls_on_connect;
};

struct smtp_verb_count {
    char verb[24];
    int n;
};

struct smtp_session {
    struct fake_conn *c;
    const struct smtp_config *cfg;
    const char *host;
    int refused; /* the greeting was not 2xx: only QUIT works */
    int helo;    /* 0 none, 1 HELO, 2 EHLO */
    int counts[SMTP_NSTAGES];
    struct smtp_verb_count verbs[16];
    struct fake_buf line; /* the command line, without CRLF */
    char *verb;
    char *arg;
    struct fake_buf mail; /* MAIL command of the transaction, or empty */
    char **rcpts;         /* accepted RCPT commands */
    int nrcpts;
    struct fake_buf body;
    int bdat; /* 1: BDAT chunks under way, -1: a chunk failed */
    int too_big;
};

/* smtp_script.c */
const char *smtp_stage_name(int stage);
void smtp_script_load(const char *path, struct smtp_script *s);

/* smtp_rules.c */
int smtp_glob(const char *pattern, const char *text);
int smtp_conn_matches(int lo, int hi, unsigned long conn);
const struct smtp_rule *smtp_rule_find(const struct smtp_session *s, int stage,
                                       const char *arg);
const struct smtp_drop *smtp_drop_find(const struct smtp_session *s, int stage,
                                       int data_lines);
int smtp_count(struct smtp_session *s, int stage);
void smtp_keywords(const struct smtp_session *s, struct fake_buf *out,
                   const char *helo_arg);

/* smtp_reply.c */
int smtp_reply_code(const struct smtp_rule *r, int default_code);
int smtp_reply(struct smtp_session *s, int stage, const struct smtp_rule *r,
               int code, const char *text);

/* smtp_data.c */
int smtp_data_read(struct smtp_session *s);
int smtp_bdat_read(struct smtp_session *s, size_t size);

/* smtp_store.c */
int smtp_store(struct smtp_session *s, int *seq);

/* smtp_auth.c */
int smtp_auth_exchange(struct smtp_session *s, const char *mech,
                       const char *initial);

/* smtp_session.c */
int smtp_session_run(struct fake_conn *c, void *ctx);
void smtp_session_reset(struct smtp_session *s);

#endif
