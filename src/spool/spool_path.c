/*++
 * NAME
 *	spool_path 3
 * SUMMARY
 *	spool file names and directories
 * SYNOPSIS
 *	#include "spool/spool_path.h"
 *
 *	void	spool_path_dir(gstr *out, const char *spool_dir, char subdir)
 *	void	spool_path_file(gstr *out, const char *spool_dir, int split,
 *			const char *prefix, const char *id, const char *suffix)
 *	void	spool_path_file_in(gstr *out, const char *spool_dir,
 *			char subdir, const char *prefix, const char *id,
 *			const char *suffix)
 *	int	spool_path_make_dirs(const char *spool_dir, char subdir,
 *			gstr *err)
 *	int	spool_path_sync_dir(const char *dir, gstr *err)
 *	void	spool_path_forget_dir(void)
 *	void	spool_path_prepare_temp(const char *dir)
 *	int	spool_path_take_temp(const char *dir)
 *	int	spool_path_link_temp(int fd, const char *path)
 *	int	spool_path_open_temp(const char *path, int flags)
 *	int	spool_path_check_id(const char *id, gstr *err)
 * DESCRIPTION
 *	A message's files are <spool_dir>/input/<id>-H and -D, or, with
 *	split_spool_directory, input/<c>/ where <c> is the 6th character
 *	of the id. The path functions append to out.
 *
 *	spool_path_make_dirs() creates missing directories on the way to
 *	the input directory (the spool directory's own parents included)
 *	and fsyncs the parent of each one it made below the spool, so a
 *	message accepted into a new directory survives a crash; when the
 *	input directory is there it costs one stat().
 *	spool_path_sync_dir() makes a rename or unlink in a directory
 *	durable; EINVAL (file systems that cannot sync directories) is not
 *	an error, as in Exim. It keeps the last directory it synced open
 *	for the next call; spool_path_forget_dir() closes it, and the
 *	spare file below. A child of fork() starts without either.
 *
 *	spool_path_prepare_temp() makes an unnamed file (O_TMPFILE, mode
 *	0640) in a directory ahead of time, for a -H that is still to be
 *	written; the SMTP server calls it while it waits for the client.
 *	spool_path_take_temp() hands it over (-1: none for that directory)
 *	and spool_path_link_temp() gives it its name once its text is on
 *	disk (linkat(), by the descriptor or through /proc/self/fd). A
 *	file that is never named goes with its descriptor, so a crash
 *	leaves nothing. Where the kernel or the file system cannot make
 *	or link such a file, neither is tried again in the process, and
 *	the writer uses a named temporary file.
 *
 *	spool_path_check_id() refuses anything but a message id, so that
 *	no name given on a command line can reach outside the spool
 *	("../x"). spool_path_open_temp() creates a temporary spool file
 *	(O_CREAT | O_EXCL, mode 0640, with flags such as O_WRONLY); one
 *	left by a crash of an earlier process with the same message id is
 *	removed and made again.
 * DIAGNOSTICS
 *	-1 with a message naming the directory and the system error.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/gstr.h"
#include "spool/msgid.h"
#include "spool/spool_path.h"

void
spool_path_dir(struct gstr *out, const char *spool_dir, char subdir)
{
    gstr_adds(out, spool_dir);
    gstr_adds(out, "/input");
    if (subdir != 0) {
        gstr_addc(out, '/');
        gstr_addc(out, subdir);
    }
}

void
spool_path_file_in(struct gstr *out, const char *spool_dir, char subdir,
                   const char *prefix, const char *id, const char *suffix)
{
    spool_path_dir(out, spool_dir, subdir);
    gstr_addc(out, '/');
    gstr_adds(out, prefix);
    gstr_adds(out, id);
    gstr_adds(out, suffix);
}

void
spool_path_file(struct gstr *out, const char *spool_dir, int split,
                const char *prefix, const char *id, const char *suffix)
{
    spool_path_file_in(out, spool_dir, split ? msgid_split_char(id) : 0, prefix,
                       id, suffix);
}

int
spool_path_check_id(const char *id, struct gstr *err)
{
    if (msgid_check(id, strnlen(id, MSGID_LEN + 1)) != MSGID_INVALID)
        return 0;
    gstr_adds(err, "invalid message id \"");
    for (size_t i = 0; id[i] != '\0' && i < 40; i++)
        gstr_addc(err, id[i] >= 0x20 && id[i] < 0x7f ? id[i] : '?');
    gstr_addc(err, '"');
    errno = EINVAL;
    return -1;
}

/* A descriptor kept from one message to the next, with the directory
 * it belongs to. */
struct kept {
    char *dir;
    int fd;
};

/* The directory synced last, kept open: a session syncs input/ after
 * every message it accepts. Forgotten when spool_path_make_dirs() makes
 * a directory (the one kept may have been removed and made anew). */
static struct kept synced = {NULL, -1};

/* The unnamed file (O_TMPFILE) the next -H is to be written to, made
 * ahead of time in the directory named; unusable once the file system
 * or the kernel has refused to make or to link one. */
static struct kept spare = {NULL, -1};
static int spare_unusable;
static int link_via_proc; /* linkat(AT_EMPTY_PATH) refused: /proc/self/fd */

static void
kept_drop(struct kept *k)
{
    if (k->fd >= 0)
        close(k->fd);
    free(k->dir);
    k->dir = NULL;
    k->fd = -1;
}

void
spool_path_forget_dir(void)
{
    kept_drop(&synced);
    kept_drop(&spare);
}

/* A child of fork() starts without the directory and the spare file:
 * it would share the spare's file with its parent (two messages' -H in
 * one file), and a child that closes its descriptors would leave both
 * numbers to be reused by whatever it opens next. */
static void
forget_at_fork(void)
{
    static int registered;

    if (!registered && pthread_atfork(NULL, NULL, spool_path_forget_dir) == 0)
        registered = 1;
}

void
spool_path_prepare_temp(const char *dir)
{
    int fd;

    forget_at_fork();
    if (spare_unusable || (spare.fd >= 0 && strcmp(spare.dir, dir) == 0))
        return;
    kept_drop(&spare);
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
    if (fd < 0) {
        /* no O_TMPFILE here; a missing directory is made with the
         * first message, so that is no reason to stop trying */
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
            spare_unusable = 1;
        return;
    }
    if ((spare.dir = strdup(dir)) == NULL) {
        close(fd);
        return;
    }
    spare.fd = fd;
}

int
spool_path_take_temp(const char *dir)
{
    int fd = spare.fd;

    if (fd < 0 || strcmp(spare.dir, dir) != 0)
        return -1;
    spare.fd = -1; /* the caller's now */
    kept_drop(&spare);
    return fd;
}

int
spool_path_link_temp(int fd, const char *path)
{
    char proc[64];

    if (!link_via_proc) {
        if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
            return 0;
        /* before Linux 6.10 only a privileged process may link a file
         * by its descriptor alone (ENOENT); the /proc path may */
        if (errno != ENOENT && errno != EPERM && errno != EINVAL)
            return -1;
        link_via_proc = 1;
    }
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST && errno != ENOSPC && errno != EDQUOT)
        spare_unusable = 1; /* named temporary files from now on */
    return -1;
}

int
spool_path_sync_dir(const char *dir, struct gstr *err)
{
    forget_at_fork();
    if (synced.dir == NULL || strcmp(synced.dir, dir) != 0) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0) {
            gstr_printf(err, "cannot open directory %s: %s", dir,
                        strerror(errno));
            return -1;
        }
        kept_drop(&synced);
        if ((synced.dir = strdup(dir)) == NULL) {
            close(fd);
            gstr_printf(err, "cannot sync directory %s: out of memory", dir);
            return -1;
        }
        synced.fd = fd;
    }
    if (fsync(synced.fd) < 0 && errno != EINVAL) {
        gstr_printf(err, "cannot sync directory %s: %s", dir, strerror(errno));
        kept_drop(&synced);
        return -1;
    }
    return 0;
}

int
spool_path_open_temp(const char *path, int flags)
{
    int fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

    if (fd < 0 && errno == EEXIST) {
        (void)unlink(path);
        fd = open(path, flags | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    }
    return fd;
}

/* Makes path (whose parent exists) unless it is there; syncs the parent
 * when it made it. */
static int
make_dir(struct gstr *path, size_t parent_len, struct gstr *err)
{
    if (mkdir(path->s, 0750) < 0) {
        if (errno == EEXIST)
            return 0;
        gstr_printf(err, "cannot create directory %s: %s", path->s,
                    strerror(errno));
        return -1;
    }
    spool_path_forget_dir(); /* it may be this one, made anew */
    if (parent_len == 0)
        return 0;
    {
        char save = path->s[parent_len];
        int rc;

        path->s[parent_len] = '\0';
        rc = spool_path_sync_dir(path->s, err);
        path->s[parent_len] = save;
        return rc;
    }
}

int
spool_path_make_dirs(const char *spool_dir, char subdir, struct gstr *err)
{
    struct gstr path;
    struct stat st;
    size_t base;

    gstr_init(&path, err->arena);
    /* Almost always the directory is there: one stat instead of a mkdir
     * for every component of the path, for every spool file written. */
    spool_path_dir(&path, spool_dir, subdir);
    if (stat(path.s, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    /* The spool directory's own missing parents first, as Exim makes
     * them: a spool_directory under a folder that does not exist yet
     * works on the first attempt. */
    for (const char *p = strchr(spool_dir + 1, '/'); p != NULL;
         p = strchr(p + 1, '/')) {
        gstr_truncate(&path, 0);
        gstr_addn(&path, spool_dir, (size_t)(p - spool_dir));
        if (make_dir(&path, 0, err) < 0)
            return -1;
    }
    gstr_truncate(&path, 0);
    gstr_adds(&path, spool_dir);
    base = path.len;
    if (make_dir(&path, 0, err) < 0)
        return -1;
    gstr_adds(&path, "/input");
    if (make_dir(&path, base, err) < 0)
        return -1;
    if (subdir == 0)
        return 0;
    base = path.len;
    gstr_addc(&path, '/');
    gstr_addc(&path, subdir);
    return make_dir(&path, base, err);
}
