/* dcc.h: the dcc ACL condition and its dccifd client (Exim's
 * EXPERIMENTAL_DCC). The registry calls dcc_acl_register() once at
 * start-up; the rest is the answer parser, shared with the fuzz target
 * and the unit tests. */
#ifndef MXLAB_DCC_DCC_H
#define MXLAB_DCC_DCC_H

#include <stddef.h>

struct arena;

/* Adds "dcc" to the ACL conditions. */
void dcc_acl_register(void);
/* Forgets the last answer (a session process about to serve another
 * connection). */
void dcc_session_reset(void);

/* Exim keeps at most this many bytes of the header part of an answer. */
#define DCC_HEADER_LIMIT 120

/* What a dccifd answer says, read the way Exim's client reads it. */
struct dcc_answer {
    char verdict;      /* first byte of the answer; 0 for no bytes */
    int line1_extra;   /* bytes after the verdict on the first line */
    const char *rcpts; /* the per-recipient line, without its LF */
    size_t rcpts_len;
    const char *header; /* for $dcc_header: "X-DCC...\n" cleaned up for
                           use as a header, or NULL when the trailer
                           does not start with "X-DCC" */
};

/* Parses len bytes of answer (the whole answer, read to EOF); strings
 * are allocated in a. Never fails: whatever the bytes, the fields say
 * what was there. */
void dcc_answer_parse(const char *buf, size_t len, struct arena *a,
                      struct dcc_answer *ans);

#endif
