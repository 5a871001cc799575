/* dccifd.h: what the files of fake-dccifd share. */
#ifndef FAKE_DCCIFD_H
#define FAKE_DCCIFD_H

#include <regex.h>
#include <stddef.h>

#include "../common/fake_buf.h"

struct fake_conn;

/* Options words of the first request line. */
#define DI_OPT_HEADER  0x01
#define DI_OPT_BODY    0x02
#define DI_OPT_CKSUMS  0x04
#define DI_OPT_QUERY   0x08
#define DI_OPT_GREYOFF 0x10
#define DI_OPT_SPAM    0x20

/* One request, as read from the client. */
struct di_request {
    struct fake_buf raw; /* everything received */
    int complete;        /* the client half-closed before the time-out */
    char *options;       /* the options line */
    unsigned opts;       /* DI_OPT_ bits */
    char *bad_option;    /* the first word dccifd does not know, or NULL */
    char *client;        /* the client IP (before any CR) */
    char *helo;
    char *sender;
    char **rcpts; /* without <> and without "\ruser" */
    int nrcpts;
    int null_rcpt;   /* a recipient line empty after stripping <> */
    int lines_ok;    /* the envelope ended with its empty line */
    const char *msg; /* headers, separator, body: points into raw */
    size_t msg_len;
    size_t hdr_len;  /* bytes of header lines (before the separator) */
    size_t body_off; /* where the body starts in msg */
};

/* What a matching rule does. */
enum di_action {
    DI_ACT_VERDICT, /* answer with the verdict */
    DI_ACT_HANG,    /* never answer */
    DI_ACT_GARBAGE, /* junk instead of an answer */
    DI_ACT_ZERO,    /* close with zero bytes */
    DI_ACT_CUT,     /* half of the answer, then close */
    DI_ACT_RAW,     /* send the rule's text as it is */
};

enum di_match {
    DI_M_BODY,
    DI_M_HEADER,
    DI_M_SENDER,
    DI_M_CLIENT,
    DI_M_RCPT,
    DI_M_ANY,
};

struct di_rule {
    enum di_match what;
    char *pattern; /* glob, or the regex's source */
    regex_t re;
    int compiled; /* re holds a compiled regex (regfree() it) */
    char verdict; /* A R G T S; 0 for none */
    enum di_action action;
    char *raw; /* DI_ACT_RAW, escapes decoded */
    size_t raw_len;
    long delay_ms;
    int lineno;
};

/* A whiteclnt entry: "ok" or "many" for an envelope sender, a
 * recipient, a client IP or a From: header. */
struct di_white {
    int many;           /* 1: many (blacklist), 0: ok (whitelist) */
    enum di_match what; /* DI_M_SENDER, DI_M_RCPT, DI_M_CLIENT, DI_M_HEADER */
    char *value;
};

struct di_config {
    const char *hostname;
    const char *brand;
    const char *server_id;
    const char *state_path;
    long greylist;     /* embargo in seconds; -1: no greylisting */
    long threshold;    /* a count at or above it: bulk and R; 0: none */
    long many;         /* a count at or above it shows as "many" */
    long delay_ms;     /* before every answer */
    size_t short_body; /* bodies shorter than this get no Fuz2 */
    struct di_rule *rules;
    int nrules;
    struct di_white *white;
    int nwhite;
};

extern struct di_config di_cfg;

/* script.c */
void di_script_load(const char *path, struct di_config *cfg);
void di_whiteclnt_load(const char *path, struct di_config *cfg);
/* The first message rule that matches, or NULL. */
const struct di_rule *di_rule_message(const struct di_config *cfg,
                                      const struct di_request *rq);
/* The verdict of the first rcpt rule for rcpt, or 0. */
char di_rule_rcpt(const struct di_config *cfg, const char *rcpt);
/* A whiteclnt entry that applies: 1 many, 0 ok, -1 none. */
int di_white_message(const struct di_config *cfg, const struct di_request *rq);
int di_white_rcpt(const struct di_config *cfg, const char *rcpt);

/* request.c */
int di_request_read(struct fake_conn *c, struct di_request *rq, size_t max);
void di_request_parse(struct di_request *rq);
void di_request_record(unsigned long conn, const struct di_request *rq);

/* answer.c */
struct di_answer {
    char overall;
    struct fake_buf rcpts;
    struct fake_buf header; /* the X-DCC header line(s), with LF */
    struct fake_buf cksums; /* cksums lines */
};
/* Decides, updating the state file (counts, greylist). */
void di_answer_decide(unsigned long conn, const struct di_request *rq,
                      const struct di_rule *rule, struct di_answer *ans);
/* The bytes to send for the options of the request. */
void di_answer_wire(const struct di_request *rq, const struct di_answer *ans,
                    struct fake_buf *wire);

#endif
