/*++
 * NAME
 *	appendfile_run 3
 * SUMMARY
 *	the appendfile transport: delivery to mbox files and maildirs
 * SYNOPSIS
 *	#include "transport/tpdrivers.h"
 *
 *	extern const struct transport_driver transport_appendfile_driver;
 * DESCRIPTION
 *	With "file" (or for a file address from a redirection, that
 *	path) the message is appended to an mbox file: Exim's defaults
 *	are message_prefix "From ${if def:return_path{$return_path}
 *	{MAILER-DAEMON}} ${tod_bsdinbox}\\n", message_suffix "\\n",
 *	check_string "From " and escape_string ">From ". The file is
 *	locked as Exim locks it by default: a lock file "<file>.lock"
 *	made with O_EXCL (a stale one older than lockfile_timeout is
 *	removed), then an fcntl() write lock on the file itself, each
 *	tried lock_retries times lock_interval apart. A new file gets
 *	"mode"; file_must_exist refuses to create one; create_directory
 *	makes missing directories (directory_mode). What is written is
 *	fsync()ed; after a failure the file is cut back to its old size.
 *
 *	With "directory" and maildir_format the message is written to
 *	tmp/<time>.H<usec>P<pid>.<primary_hostname> in the maildir,
 *	fsync()ed and renamed into new/; tmp, new and cur are created as
 *	needed.
 * DIAGNOSTICS
 *	Addresses are deferred with the system error (basic_errno) and
 *	what was being done, as Exim logs them: "== a@b R=r T=t defer
 *	(13): Permission denied: failed to open mailbox /x".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "transport/appendfile.h"
#include "transport/tpdrivers.h"

#define MBOX_PREFIX                                                            \
    "From ${if def:return_path{$return_path}{MAILER-DAEMON}} "                 \
    "${tod_bsdinbox}\n"

static void
af_defer(struct transport_call *c, int err, const char *fmt, const char *path)
{
    transport_set_result(c, ADDR_DEFER, err, arena_printf(c->arena, fmt, path));
}

/* mkdir -p of the directory part of path (or of path itself). */
static int
af_make_dirs(const char *path, int mode, int include_last, struct arena *a)
{
    char *p = arena_strdup(a, path);

    for (char *s = p + 1; *s != '\0'; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (include_last && mkdir(p, (mode_t)mode) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static void
af_sleep(int secs)
{
    struct timespec ts = {secs > 0 ? secs : 1, 0};

    nanosleep(&ts, NULL);
}

static int
af_lockfile(struct transport_call *c, const struct transport_appendfile *o,
            const char *lockname)
{
    struct stat st;

    for (int i = 0; i <= o->lock_retries; i++) {
        int fd = open(lockname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      (mode_t)o->lockfile_mode);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (errno != EEXIST)
            break;
        if (o->lockfile_timeout > 0 && stat(lockname, &st) == 0 &&
            time(NULL) - st.st_mtime > o->lockfile_timeout) {
            (void)unlink(lockname);
            continue;
        }
        if (i < o->lock_retries)
            af_sleep(o->lock_interval);
    }
    if (errno == EEXIST) {
        transport_set_result(c, ADDR_DEFER, 0,
                             arena_printf(c->arena,
                                          "failed to lock mailbox %s (lock "
                                          "file)",
                                          lockname));
        return -1;
    }
    af_defer(c, errno, "failed to create lock file %s", lockname);
    return -1;
}

static int
af_fcntl_lock(struct transport_call *c, const struct transport_appendfile *o,
              int fd, const char *path)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    for (int i = 0; i <= o->lock_retries; i++) {
        if (fcntl(fd, F_SETLK, &fl) == 0)
            return 0;
        if (errno != EAGAIN && errno != EACCES)
            break;
        if (i < o->lock_retries)
            af_sleep(o->lock_interval);
    }
    transport_set_result(
        c, ADDR_DEFER, 0,
        arena_printf(c->arena, "failed to lock mailbox %s (fcntl)", path));
    return -1;
}

static int
af_write(struct transport_call *c, int fd, const char *prefix,
         const char *suffix, const char *check, const char *escape)
{
    struct tp_write_opts wo = {prefix, suffix, check, escape, 0};
    gstr err;

    gstr_init(&err, c->arena);
    if (transport_write_message(c, fd, &wo, &err) < 0 || fsync(fd) < 0) {
        if (c->addrs->result != ADDR_DEFER)
            transport_set_result(c, ADDR_DEFER, errno,
                                 "error while writing the message");
        return -1;
    }
    return 0;
}

/* prefix, suffix, check and escape strings: expanded options or the
 * mbox defaults. */
static int
af_strings(struct transport_call *c, const struct transport_appendfile *o,
           int mbox, char **prefix, char **suffix)
{
    const char *p = o->message_prefix ? o->message_prefix
                    : mbox            ? MBOX_PREFIX
                                      : "";
    const char *s = o->message_suffix ? o->message_suffix : mbox ? "\n" : "";

    if (transport_expand(c, p, prefix) < 0 ||
        transport_expand(c, s, suffix) < 0)
        return -1;
    return 0;
}

/* An existing mailbox that is a regular file, as Exim's appendfile:
 * under check_owner it must belong to the delivering user (ERRNO_BADUGID,
 * -6); a mode with bits beyond "mode" is narrowed to it, one that lacks
 * some of its bits defers under mode_fail_narrower (ERRNO_BADMODE, -7).
 * Checked before the file is opened, as Exim does, so that a mode that
 * keeps the delivering user out is reported as such. */
static int
af_check_existing(struct transport_call *c,
                  const struct transport_appendfile *o, const char *path)
{
    struct stat st;
    int oldmode, diffs;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0; /* missing: created below; /dev/null; else open() says */
    if (o->check_owner && st.st_uid != geteuid()) {
        transport_set_result(c, ADDR_DEFER, -6,
                             arena_printf(c->arena,
                                          "mailbox %s has wrong uid (%ld != "
                                          "%ld)",
                                          path, (long)st.st_uid,
                                          (long)geteuid()));
        return -1;
    }
    oldmode = (int)(st.st_mode & 07777);
    if (oldmode == o->mode)
        return 0;
    diffs = oldmode ^ o->mode;
    if ((diffs & oldmode) == diffs) {
        if (chmod(path, (mode_t)o->mode) < 0) {
            af_defer(c, errno, "attempting to chmod mailbox %s", path);
            return -1;
        }
    } else if (o->mode_fail_narrower) {
        transport_set_result(c, ADDR_DEFER, -7,
                             arena_printf(c->arena,
                                          "mailbox %s has the wrong mode %o "
                                          "(%o expected)",
                                          path, (unsigned)oldmode,
                                          (unsigned)o->mode));
        return -1;
    }
    return 0;
}

static void
af_mbox(struct transport_call *c, const struct transport_appendfile *o,
        const char *path)
{
    char *prefix, *suffix, *lockname = NULL;
    struct stat st;
    int fd, flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY, created = 0;
    int tried_create = 0;
    off_t size;

    if (af_strings(c, o, 1, &prefix, &suffix) < 0)
        return;
    if (o->create_directory &&
        af_make_dirs(path, o->directory_mode, 0, c->arena) < 0) {
        af_defer(c, errno, "failed to create directories for %s", path);
        return;
    }
    if (o->use_lockfile) {
        lockname = arena_printf(c->arena, "%s.lock", path);
        if (af_lockfile(c, o, lockname) < 0)
            return;
    }
    if (af_check_existing(c, o, path) < 0)
        goto out;
    fd = open(path, flags);
    if (fd < 0 && errno == ENOENT && !o->file_must_exist) {
        fd = open(path, flags | O_CREAT | O_EXCL, (mode_t)o->mode);
        created = fd >= 0;
        tried_create = 1;
    }
    if (fd < 0) {
        /* Exim's texts */
        if (errno == ENOENT && o->file_must_exist)
            af_defer(c, errno,
                     "mailbox %s does not exist, but file_must_exist is set",
                     path);
        else
            af_defer(c, errno,
                     tried_create ? "while creating mailbox %s"
                                  : "while opening mailbox %s",
                     path);
        goto out;
    }
    if (created)
        (void)fchmod(fd, (mode_t)o->mode);
    if (o->use_fcntl_lock && af_fcntl_lock(c, o, fd, path) < 0)
        goto close;
    size = fstat(fd, &st) == 0 ? st.st_size : 0;
    if (af_write(c, fd, prefix, suffix,
                 o->check_string ? o->check_string : "From ",
                 o->escape_string ? o->escape_string : ">From ") < 0) {
        (void)ftruncate(fd, size);
        goto close;
    }
    transport_set_result(c, ADDR_OK, 0, NULL);
close:
    close(fd);
out:
    if (lockname != NULL)
        (void)unlink(lockname);
}

static void
af_maildir(struct transport_call *c, const struct transport_appendfile *o,
           const char *dir)
{
    static const char *const subs[] = {"tmp", "new", "cur"};
    char *prefix, *suffix, *name, *tmp, *final;
    struct timeval tv;
    int fd;

    if (af_strings(c, o, 0, &prefix, &suffix) < 0)
        return;
    for (size_t i = 0; i < 3; i++) {
        char *sub = arena_printf(c->arena, "%s/%s", dir, subs[i]);
        struct stat st;
        if (stat(sub, &st) == 0)
            continue;
        if (!o->create_directory ||
            af_make_dirs(sub, o->directory_mode, 1, c->arena) < 0) {
            af_defer(c, errno, "failed to create maildir directory %s", sub);
            return;
        }
    }
    gettimeofday(&tv, NULL);
    name = arena_printf(c->arena, "%ld.M%ldP%ld.%s", (long)tv.tv_sec,
                        (long)tv.tv_usec, (long)getpid(),
                        main_config.primary_hostname);
    tmp = arena_printf(c->arena, "%s/tmp/%s", dir, name);
    final = arena_printf(c->arena, "%s/new/%s", dir, name);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)o->mode);
    if (fd < 0) {
        af_defer(c, errno, "failed to create maildir file %s", tmp);
        return;
    }
    if (af_write(c, fd, prefix, suffix, o->check_string, o->escape_string) <
        0) {
        close(fd);
        (void)unlink(tmp);
        return;
    }
    close(fd);
    if (rename(tmp, final) < 0) {
        af_defer(c, errno, "failed to rename maildir file into %s", final);
        (void)unlink(tmp);
        return;
    }
    transport_set_result(c, ADDR_OK, 0, NULL);
}

static void
appendfile_deliver(struct transport_call *c)
{
    const struct transport_appendfile *o = c->tp->priv;
    struct address *a = c->addrs;
    char *path = NULL;

    if (transport_check_generic(c) < 0)
        return;
    if (a->flags & (ADDR_FILE | ADDR_DIRECTORY)) {
        path = a->address;
        expand_set_var(c->x, "address_file", path);
    } else if (o->file != NULL || o->directory != NULL) {
        if (transport_expand(c, o->file ? o->file : o->directory, &path) < 0)
            return;
    }
    if (path == NULL || *path != '/') {
        transport_set_result(
            c, ADDR_DEFER, 0,
            path == NULL
                ? arena_printf(c->arena,
                               "Mandatory file or directory option missing "
                               "from %s transport",
                               c->tp->name)
                : arena_printf(c->arena,
                               "appendfile: file or directory name \"%s\" "
                               "is not absolute",
                               path));
        return;
    }
    if ((o->directory != NULL && o->file == NULL) ||
        (a->flags & ADDR_DIRECTORY)) {
        if (o->maildir_format || (a->flags & ADDR_DIRECTORY))
            af_maildir(c, o, path);
        else
            transport_set_result(c, ADDR_DEFER, 0,
                                 "appendfile: only maildir_format is "
                                 "supported for directory deliveries");
        return;
    }
    af_mbox(c, o, path);
}

const struct transport_driver transport_appendfile_driver = {
    "appendfile", 1, appendfile_deliver, NULL};
