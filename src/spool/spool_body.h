/* spool_body.h: writing a message's -D file while its data arrives. */
#ifndef MXLAB_SPOOL_SPOOL_BODY_H
#define MXLAB_SPOOL_SPOOL_BODY_H

#include <stddef.h>
#include <sys/types.h>

struct arena;
struct gstr;
struct spool_body;

/* Creates the spool directories if needed and input/[<c>/]<id>-D,
 * locked (spool_lock), with its first line "<id>-D". NULL with err set
 * on failure. */
struct spool_body *spool_body_open(struct arena *a, const char *spool_dir,
                                   int split, const char *id, struct gstr *err);
/* Appends body bytes (LF line ends, dot-stuffing already undone), in
 * chunks of any size. Returns 0, or -1 after a write error, which
 * spool_body_commit() then reports, or after the commit. */
int spool_body_write(struct spool_body *b, const char *data, size_t len);
/* Writes out what is buffered, so that the body so far can be read
 * through spool_body_fd() (a content scanner in the data ACL). 0, or
 * -1 after a write error. */
int spool_body_flush(struct spool_body *b);
/* Copies the rest of fd into the body. 0, or -1 with err set. */
int spool_body_copy_fd(struct spool_body *b, int fd, struct gstr *err);
/* Ends a last line that lacks its LF, writes out and fsync()s; the
 * directory is synced by spool_write_header(), after the
 * -H's rename, before the message counts as accepted. The file stays
 * open and locked. */
int spool_body_commit(struct spool_body *b, struct gstr *err);
/* The commit in parts, for a caller that syncs the file (spool_body_fd())
 * itself, together with another: finish (the last LF, the buffer
 * written out, a write error reported), then, once the file is synced,
 * publish (noted: the -H's rename may follow). sync_failed reports a failed
 * sync of it, errno E. Each returns 0, or -1 with the error in err. */
int spool_body_finish(struct spool_body *b, struct gstr *err);
int spool_body_sync_failed(struct spool_body *b, int e, struct gstr *err);
int spool_body_publish(struct spool_body *b, struct gstr *err);
/* The message was not accepted: unlinks the -D (no -H was written);
 * closes. */
void spool_body_abort(struct spool_body *b);
/* The -H is on disk (spool_write_message() calls this): abort no longer
 * removes anything. */
void spool_body_accepted(struct spool_body *b);
/* Closes the file, dropping the lock (an uncommitted body is removed). */
void spool_body_close(struct spool_body *b);

int spool_body_fd(const struct spool_body *b); /* locked descriptor */
long spool_body_linecount(const struct spool_body *b);
long spool_body_lines_so_far(const struct spool_body *b);
long spool_body_max_linelength(const struct spool_body *b);
long spool_body_zerocount(const struct spool_body *b);
off_t spool_body_size(const struct spool_body *b); /* bytes after line 1 */

#endif
