/* spool_lock.h: the lock on a message's -D file that says a process is
 * working on it (Exim-compatible: an fcntl write lock on the first
 * line). */
#ifndef MXLAB_SPOOL_SPOOL_LOCK_H
#define MXLAB_SPOOL_SPOOL_LOCK_H

struct gstr;

enum spool_lock_result {
    SPOOL_LOCK_ERROR = -1,
    SPOOL_LOCK_OK = 0,
    SPOOL_LOCK_BUSY = 1,    /* another process holds it: a normal answer */
    SPOOL_LOCK_MISSING = 2, /* no -D file: delivered or removed meanwhile */
};

/* Locks an open -D file (opened for writing) without waiting. */
enum spool_lock_result spool_lock_fd(int fd, const char *id);
/* Opens input/[<c>/]<id>-D (looking in the other layout too, as Exim
 * does), locks it and sets *fd; the lock lasts until
 * spool_lock_release(). On BUSY, MISSING and ERROR *fd is -1; ERROR
 * sets err. */
enum spool_lock_result spool_lock_open(const char *spool_dir, int split,
                                       const char *id, int *fd,
                                       struct gstr *err);
/* Closes the file, which drops the lock. */
void spool_lock_release(int fd);

#endif
