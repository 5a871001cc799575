/* spool_write.h: writing a message's -H file, and accepting a message
 * (-D then -H, each on disk before the call returns). */
#ifndef MXLAB_SPOOL_SPOOL_WRITE_H
#define MXLAB_SPOOL_SPOOL_WRITE_H

struct gstr;
struct spool_body;
struct spool_msg;

/* Appends the -H file's text for m to out, in Exim's line order. */
void spool_format_header(struct gstr *out, const struct spool_msg *m);
/* Writes input/[<c>/]<m->id>-H atomically: temporary file hdr.<id>,
 * fsync, rename, directory fsync. Also how a -H is rewritten after a
 * delivery (the caller holds the -D lock). 0, or -1 with err set. */
int spool_write_header(const char *spool_dir, int split,
                       const struct spool_msg *m, struct gstr *err);
int spool_rewrite_header(const char *spool_dir, int split,
                         const struct spool_msg *m, struct gstr *err);
/* Accepts a message: commits body b (unless NULL: the -D must then be on
 * disk already), copies its line counts into m, and writes the -H. When
 * this returns 0 the message is on disk and 250 may be sent. On failure
 * spool_body_abort(b) removes what was written. */
int spool_write_message(const char *spool_dir, int split, struct spool_msg *m,
                        struct spool_body *b, struct gstr *err);

#endif
