/*++
 * NAME
 *	spool_body 3
 * SUMMARY
 *	the -D file, written as the message arrives
 * SYNOPSIS
 *	#include "spool/spool_body.h"
 *
 *	struct spool_body *spool_body_open(struct arena *a,
 *			const char *spool_dir, int split, const char *id,
 *			gstr *err)
 *	int	spool_body_flush(struct spool_body *b)
 *	int	spool_body_write(struct spool_body *b, const char *data,
 *			size_t len)
 *	int	spool_body_copy_fd(struct spool_body *b, int fd, gstr *err)
 *	int	spool_body_commit(struct spool_body *b, gstr *err)
 *	int	spool_body_finish(struct spool_body *b, gstr *err)
 *	int	spool_body_sync_failed(struct spool_body *b, int e, gstr *err)
 *	int	spool_body_publish(struct spool_body *b, gstr *err)
 *	void	spool_body_abort(struct spool_body *b)
 *	void	spool_body_accepted(struct spool_body *b)
 *	void	spool_body_close(struct spool_body *b)
 *	int	spool_body_fd(const struct spool_body *b)
 *	long	spool_body_linecount(const struct spool_body *b)
 *	long	spool_body_lines_so_far(const struct spool_body *b)
 *	long	spool_body_max_linelength(const struct spool_body *b)
 *	long	spool_body_zerocount(const struct spool_body *b)
 *	off_t	spool_body_size(const struct spool_body *b)
 * DESCRIPTION
 *	The -D file is the line "<id>-D" and then the body as received:
 *	LF line ends, no dot-stuffing (or CRLF when the -H says
 *	-spool_file_wireformat; the bytes are written as given).
 *
 *	Durability and the commit point. The body is written under its
 *	own name, input/[<c>/]<id>-D, as Exim writes it: the readers look
 *	for -H files only, so a -D alone is no message. spool_body_commit()
 *	fsync()s it. spool_write_message() does the same in parts:
 *	spool_body_finish(), then its own fsync() of the body and then of
 *	the -H's temporary file, the writeback of both started first, so
 *	that the body's sync writes the blocks of both (a journaling file
 *	system commits both files in one go; without a journal each fsync
 *	still ends in a disk cache flush of its own, but the -H's has
 *	little else left to do), then the -H's name (a link or a rename),
 *	spool_body_publish() (which only notes it) and one fsync of the
 *	directory. Naming the -H is the commit point: a message exists when
 *	its -H does. The directory fsync makes the -H's name durable, and
 *	with it the -D's entry, made earlier in the same directory, so a
 *	message costs three fsync()s, the -H's little more than a flush; a
 *	file system that journals its metadata in order (ext4, XFS,
 *	btrfs) cannot keep the later naming of the -H and lose the
 *	earlier creation of the -D. A crash before it leaves
 *	at most an -H-less -D or a hdr.<id>, which queue runners and
 *	listings ignore and a tidy-up may remove once it is older than any
 *	reception can take. The SMTP layer replies 250 to DATA only after
 *	spool_write_message() has returned 0, and every fsync is inside it.
 *
 *	The file is locked (spool_lock) from creation on, so the receiving
 *	process may go on to deliver the message holding the lock;
 *	spool_body_close() drops it.
 *
 *	Counting is Exim's: body lines (each LF ends one; a final line
 *	without LF gets one at commit and counts), the longest line in bytes
 *	without its LF, and NUL bytes.
 * DIAGNOSTICS
 *	Errors name the file and the system error: "spool file
 *	<path>: write failed: No space left on device". A write error is
 *	remembered and reported by spool_body_commit().
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fdio.h"
#include "base/gstr.h"
#include "spool/msgid.h"
#include "spool/spool_body.h"
#include "spool/spool_lock.h"
#include "spool/spool_path.h"

#define BODY_BUF        65536
#define BODY_OPEN_FLAGS (O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC)

enum body_state { BODY_OPEN, BODY_COMMITTED, BODY_ACCEPTED, BODY_CLOSED };

struct spool_body {
    int fd;
    enum body_state state;
    char *path; /* <id>-D */
    char *buf;
    size_t used;
    int write_errno; /* first write error, 0 if none */
    off_t size;      /* body bytes, excluding the id line */
    long lines;
    long linelen; /* current line so far */
    long maxlen;
    long zeros;
    char last; /* last body byte written, 0 if none */
};

static void
body_flush(struct spool_body *b)
{
    if (b->used > 0 && b->write_errno == 0 &&
        fd_write_all(b->fd, b->buf, b->used) < 0)
        b->write_errno = errno;
    b->used = 0;
}

static void
body_put(struct spool_body *b, const char *p, size_t n)
{
    while (n > 0) {
        size_t room = BODY_BUF - b->used;
        size_t k = n < room ? n : room;

        memcpy(b->buf + b->used, p, k);
        b->used += k;
        p += k;
        n -= k;
        if (b->used == BODY_BUF)
            body_flush(b);
    }
}

struct spool_body *
spool_body_open(struct arena *a, const char *spool_dir, int split,
                const char *id, struct gstr *err)
{
    struct spool_body *b = arena_alloc(a, sizeof(*b));
    char subdir = split ? msgid_split_char(id) : 0;
    struct gstr g;

    if (spool_path_check_id(id, err) < 0)
        return NULL;
    gstr_init(&g, a);
    spool_path_file_in(&g, spool_dir, subdir, "", id, "-D");
    b->path = g.s;
    b->buf = arena_alloc_raw(a, BODY_BUF);
    /* The directories are made (and synced) only when they are missing.
     * Not spool_path_open_temp(): a -D that is there already may be a
     * message's body, and is not removed (as Exim, the reception fails). */
    if ((b->fd = open(b->path, BODY_OPEN_FLAGS, 0640)) < 0 && errno == ENOENT) {
        if (spool_path_make_dirs(spool_dir, subdir, err) < 0)
            return NULL;
        b->fd = open(b->path, BODY_OPEN_FLAGS, 0640);
    }
    if (b->fd < 0) {
        gstr_printf(err, "spool file %s: cannot create: %s", b->path,
                    strerror(errno));
        return NULL;
    }
    if (spool_lock_fd(b->fd, id) != SPOOL_LOCK_OK) {
        gstr_printf(err, "spool file %s: cannot lock: %s", b->path,
                    strerror(errno));
        close(b->fd);
        (void)unlink(b->path);
        return NULL;
    }
    body_put(b, id, strlen(id));
    body_put(b, "-D\n", 3);
    b->state = BODY_OPEN;
    return b;
}

static void
body_count(struct spool_body *b, const char *data, size_t len)
{
    const char *p = data, *end = data + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;

        if (memchr(p, '\0', (size_t)(stop - p)) != NULL)
            for (const char *q = p; q < stop; q++)
                b->zeros += *q == '\0';
        b->linelen += stop - p;
        if (nl == NULL)
            break;
        b->lines++;
        if (b->linelen > b->maxlen)
            b->maxlen = b->linelen;
        b->linelen = 0;
        p = nl + 1;
    }
}

int
spool_body_write(struct spool_body *b, const char *data, size_t len)
{
    if (b->state != BODY_OPEN)
        return -1;
    if (len == 0)
        return b->write_errno ? -1 : 0;
    body_count(b, data, len);
    body_put(b, data, len);
    b->size += (off_t)len;
    b->last = data[len - 1];
    return b->write_errno ? -1 : 0;
}

int
spool_body_copy_fd(struct spool_body *b, int fd, struct gstr *err)
{
    char chunk[8192];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            gstr_printf(err, "reading message data: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            return 0;
        (void)spool_body_write(b, chunk, (size_t)n);
    }
}

static int
body_fail(struct spool_body *b, struct gstr *err, const char *what, int e)
{
    gstr_printf(err, "spool file %s: %s failed: %s", b->path, what,
                strerror(e));
    return -1;
}

int
spool_body_finish(struct spool_body *b, struct gstr *err)
{
    if (b->state != BODY_OPEN) {
        gstr_printf(err, "spool file %s: commit after close", b->path);
        return -1;
    }
    if (b->size > 0 && b->last != '\n')
        spool_body_write(b, "\n", 1);
    body_flush(b);
    if (b->write_errno != 0)
        return body_fail(b, err, "write", b->write_errno);
    return 0;
}

int
spool_body_sync_failed(struct spool_body *b, int e, struct gstr *err)
{
    return body_fail(b, err, "sync", e);
}

int
spool_body_publish(struct spool_body *b, struct gstr *err)
{
    if (b->state != BODY_OPEN) {
        gstr_printf(err, "spool file %s: commit after close", b->path);
        return -1;
    }
    b->state = BODY_COMMITTED;
    return 0; /* the directory is synced once the -H has its name */
}

int
spool_body_commit(struct spool_body *b, struct gstr *err)
{
    if (spool_body_finish(b, err) < 0)
        return -1;
    if (fsync(b->fd) < 0)
        return spool_body_sync_failed(b, errno, err);
    return spool_body_publish(b, err);
}

int
spool_body_flush(struct spool_body *b)
{
    body_flush(b);
    return b->write_errno == 0 ? 0 : -1;
}

void
spool_body_accepted(struct spool_body *b)
{
    if (b->state == BODY_COMMITTED)
        b->state = BODY_ACCEPTED;
}

void
spool_body_abort(struct spool_body *b)
{
    if (b == NULL || b->state == BODY_CLOSED)
        return;
    if (b->state == BODY_OPEN || b->state == BODY_COMMITTED)
        (void)unlink(b->path);
    spool_body_close(b);
}

void
spool_body_close(struct spool_body *b)
{
    if (b == NULL || b->state == BODY_CLOSED)
        return;
    if (b->state == BODY_OPEN)
        (void)unlink(b->path); /* never committed: nothing to keep */
    close(b->fd);
    b->fd = -1;
    b->state = BODY_CLOSED;
}

int
spool_body_fd(const struct spool_body *b)
{
    return b->fd;
}

long
spool_body_linecount(const struct spool_body *b)
{
    return b->lines;
}

/* The lines written so far, a last one without its LF counted, as it
 * will be once committed. */
long
spool_body_lines_so_far(const struct spool_body *b)
{
    return b->lines + (b->linelen > 0 ? 1 : 0);
}

long
spool_body_max_linelength(const struct spool_body *b)
{
    return b->maxlen;
}

long
spool_body_zerocount(const struct spool_body *b)
{
    return b->zeros;
}

off_t
spool_body_size(const struct spool_body *b)
{
    return b->size;
}
