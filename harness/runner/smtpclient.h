#ifndef RUNNER_SMTPCLIENT_H
#define RUNNER_SMTPCLIENT_H

#include <stddef.h>

#include "buf.h"

struct step;
struct subst;
struct tls_client;

/* One SMTP conversation, over a socket or a child's pipes. */
struct smtp_session {
    int rfd;              /* replies come from here */
    int wfd;              /* commands go here (may equal rfd) */
    int efd;              /* a child's stderr, or -1 */
    struct buf *err_sink; /* where efd's bytes go */
    struct buf in;        /* received, not yet consumed */
    int eof;
    struct buf *transcript; /* ">>> " and "<<< " lines */
    const char *path;       /* the scenario file, for messages */
    const struct subst *vars;
    struct tls_client *tls; /* after a "tls" line */
};

#define SMTP_READ_MS 10000

void smtp_session_init(struct smtp_session *s, int rfd, int wfd, int efd);
int smtp_session_run(struct smtp_session *s, const struct step *st,
                     struct buf *fail);
void smtp_session_leftover(struct smtp_session *s, const char *more,
                           size_t len);
void smtp_session_free(struct smtp_session *s);

#endif
