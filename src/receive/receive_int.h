/* receive_int.h: what the files of src/receive share; not an interface. */
#ifndef MXLAB_RECEIVE_RECEIVE_INT_H
#define MXLAB_RECEIVE_RECEIVE_INT_H

#include <sys/time.h>

#include "base/gstr.h"
#include "expand/expand.h"
#include "receive/receive.h"
#include "spool/envelope.h"
#include "spool/msgid.h"

/* How much of the body is kept in memory for $message_body and
 * $message_body_end: the start, and a ring of the last bytes, each as
 * long as message_body_visible but no longer than these. The sizes and
 * counts of the whole body come from the spool file's counters. */
#define RECEIVE_BODY_HEAD (1024 * 1024)
#define RECEIVE_BODY_TAIL (64 * 1024)

struct receive {
    struct arena *a;
    struct receive_params p; /* strings copied into a */
    struct spool_msg m;
    struct spool_body *body;
    const char *spool_dir;
    int split;
    struct timeval start;
    struct timeval complete;

    /* reading */
    int in_headers;
    gstr pending; /* the header being read, folded lines included */
    int have_pending;
    int nlines;   /* lines given so far */
    int no_blank; /* the headers ended at a line that is not a header */
    long size;    /* headers and body, LF line ends */
    long max_linelen;
    int toobig;
    long toobig_size;
    int finished;
    int committed;
    int closed;
    int queued;         /* receive_set_queued() */
    const char *msglog; /* the message log's path, if message_logs */
    int msglog_fd;      /* it, made by receive_start(), or -1 */
    int msglog_errno;   /* why it could not be made, or 0 */

    /* the body, for expansions */
    char *head; /* the first head_cap bytes */
    size_t head_len, head_cap;
    char *tail; /* a ring of the last tail_cap bytes after those */
    size_t tail_pos, tail_cap;
    long body_bytes;

    /* headers: m.headers, the first being the Received: placeholder */
    struct spool_header *received;
    struct spool_header *msgid_header;
    int msgid_created;
    struct spool_header *subject_header;
    int resents;

    /* for the log line: the recipients as received or extracted */
    const char **raw_rcpts;
    int nraw;

    /* -t: what receive_bad_rcpts() returns */
    struct receive_bad_rcpt *bad;
    int nbad;
    int extract_ignored;
    int toobig_fixed; /* receive_finish() did the toobig fixups */

    struct expand_message xmsg;

    const char *dkim_domain; /* receive_set_dkim() */
    int arc_pass;            /* receive_set_arc() */
};

/* rlog.c */
char *receive_log_line_ex(struct receive *r, int extras);

/* rheaders.c */
char receive_header_type(const char *text, size_t len, int is_resent,
                         char *detail);
int receive_header_named(const struct spool_header *h, const char *name,
                         size_t n);
void receive_header_append(struct receive *r, char type, const char *text);
void receive_header_insert_after(struct receive *r, struct spool_header *prev,
                                 char type, const char *text);
int receive_classify_headers(struct receive *r, int *date_exists,
                             struct spool_header **from);
int receive_extract_rcpts(struct receive *r, struct gstr *err);
/* rqualify.c: "@domain" for unqualified header addresses (local). */
void receive_qualify_headers(struct receive *r);
/* rrewrite.c: the envelope through the rewrite rules. */
void receive_rewrite_recipients(struct receive *r);
void receive_rewrite_sender(struct receive *r);
void receive_local_fixups(struct receive *r, int date_exists,
                          struct spool_header *from);
void receive_build_expand_message(struct receive *r);

#endif
