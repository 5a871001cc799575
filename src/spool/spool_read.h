/* spool_read.h: reading a message's -H file (and finding its -D and -J
 * files). */
#ifndef MXLAB_SPOOL_SPOOL_READ_H
#define MXLAB_SPOOL_SPOOL_READ_H

#include <stddef.h>
#include <sys/types.h>

struct arena;
struct gstr;
struct spool_msg;

enum spool_read_result {
    SPOOL_READ_OK = 0,
    SPOOL_READ_NOTOPEN = 1,  /* no such file, or it cannot be read */
    SPOOL_READ_ENVERROR = 2, /* corrupt before the headers */
    SPOOL_READ_HDRERROR = 3, /* envelope read; headers corrupt */
};

/* Reads input/[<c>/]<id>-H (trying the other layout too) into m, which
 * it initialises, memory from a. err gets "spool file <id>-H is corrupt:
 * line N: what" or the system error. */
enum spool_read_result spool_read_header(const char *spool_dir, int split,
                                         const char *id, struct arena *a,
                                         struct spool_msg *m, struct gstr *err);
/* Parses the len bytes at buf as a -H file (no NUL needed; nothing past
 * buf + len is read). id, if not NULL, is what line 1 must name. */
enum spool_read_result spool_parse_header(const char *buf, size_t len,
                                          const char *id, struct arena *a,
                                          struct spool_msg *m,
                                          struct gstr *err);
/* Adds the addresses in input/[<c>/]<id>-J (delivered during a run that
 * was interrupted) to m's non-recipients. A missing file is not an
 * error. 0, or -1 with err set. */
int spool_read_journal(const char *spool_dir, int split, const char *id,
                       struct spool_msg *m, struct gstr *err);
/* Opens input/[<c>/]<id>-D read-only, checks its first line and leaves
 * *fd at the body, whose offset goes to *body_offset (26 for new ids);
 * *size gets the body size, if size is not NULL. 0, or -1 with err set
 * (errno ENOENT for a missing file). */
int spool_open_data(const char *spool_dir, int split, const char *id, int *fd,
                    off_t *body_offset, off_t *size, struct gstr *err);

#endif
