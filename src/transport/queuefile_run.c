/*++
 * NAME
 *	queuefile_run 3
 * SUMMARY
 *	the queuefile transport: spool files copied out (EXPERIMENTAL_QUEUEFILE)
 * SYNOPSIS
 *	#include "transport/tpdrivers.h"
 *
 *	extern const struct transport_driver transport_queuefile_driver;
 * DESCRIPTION
 *	A local pseudo transport that delivers nothing: it puts the
 *	message's spool files, <id>-D and <id>-H exactly as they are in
 *	the spool (Exim's format, so envelope, ACL variables and any
 *	verdicts travel with them), into the directory the "directory"
 *	option names (expanded), for an external program that later
 *	moves them into a spool's input/ directory. The address then
 *	counts as delivered (logged as a local delivery) and the message
 *	completes.
 *
 *	When the spool and the directory are on one file system each
 *	file is hard-linked; otherwise (or when the link is refused) it
 *	is copied to a temporary name in the directory ("<id>-D.tmp<pid>"),
 *	fsynced, then linked to its final name and the temporary name
 *	removed, so nothing half-written ever carries the final name.
 *	The -D file goes first and the -H file last: a scanner that
 *	waits for the -H file finds the message whole. The directory is
 *	fsynced at the end. An existing file of the same name is not
 *	overwritten (the delivery defers).
 *
 *	The transport runs once per address, as Exim's: a further address
 *	of the same message for the same directory finds the -H file
 *	there and is deferred ("File exists", errno 17), as in Exim.
 *
 *	The generic transport options (headers_add, transport_filter,
 *	user and the rest) have no effect, as in Exim.
 * DIAGNOSTICS
 *	Exim's messages. A directory that expands to a relative path
 *	("T transport directory: D is not absolute") or cannot be opened
 *	as a directory ("T transport accessing directory: D failed with
 *	error: E") defers the address and is logged to the panic log as
 *	well; an expansion failure ("T transport: failed to expand
 *	dirname option") and a failure to link or copy ("T transport
 *	linking|opening|creating file: PATH failed with error: E") defer
 *	it. After a failed -H file the -D copy is removed.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "spool/envelope.h"
#include "spool/msgid.h"
#include "spool/spool_path.h"
#include "transport/queuefile.h"
#include "transport/tpcall.h"
#include "transport/tpdrivers.h"

#define QF_MODE 0640 /* Exim's SPOOL_MODE */

/* Defers every address of c with message and errno err; panic: the
 * deferral goes to the panic log too (Exim's PANIC result). */
static void
qf_defer(struct transport_call *c, int err, int panic, const char *message)
{
    transport_set_result(c, ADDR_DEFER, err, message);
    if (panic)
        for (struct address *a = c->addrs; a != NULL; a = a->next)
            a->flags |= ADDR_LOG_PANIC;
}

/* Copies all of src into dst. 0, or -1 with errno. */
static int
copy_fd(int dst, int src)
{
    char buf[16384];
    ssize_t n;

    if (lseek(src, 0, SEEK_SET) != 0)
        return -1;
    while ((n = read(src, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(dst, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            off += w;
        }
    }
    return 0;
}

/* One spool file, "<id>-<suffix>", from sdfd into ddfd (dstdir is its
 * name, for messages). 0, or -1 with the addresses deferred. */
static int
put_file(struct transport_call *c, int sdfd, int ddfd, const char *srcdir,
         const char *dstdir, const char *id, const char *suffix, int can_link)
{
    struct arena *a = c->arena;
    const char *name = arena_printf(a, "%s-%s", id, suffix);
    const char *tmp = arena_printf(a, "%s.tmp%ld", name, (long)getpid());
    const char *op = "creating", *path = arena_printf(a, "%s/%s", dstdir, name);
    int sfd = -1, dfd = -1, err;

    if (can_link) {
        if (linkat(sdfd, name, ddfd, name, 0) == 0)
            return 0;
        if (errno != EXDEV && errno != EPERM && errno != EMLINK &&
            errno != ENOTSUP) {
            op = "linking";
            goto failed;
        }
    }
    /* a copy under a temporary name, then linked to the final one */
    (void)unlinkat(ddfd, tmp, 0);
    if ((sfd = openat(sdfd, name, O_RDONLY | O_CLOEXEC)) < 0) {
        op = "opening";
        path = arena_printf(a, "%s/%s", srcdir, name);
        goto failed;
    }
    if ((dfd = openat(ddfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      QF_MODE)) < 0) {
        op = "opening";
        goto failed;
    }
    if (fchmod(dfd, QF_MODE) != 0) {
        op = "setting perms on";
        goto failed_tmp;
    }
    if (copy_fd(dfd, sfd) < 0 || fsync(dfd) < 0) {
        op = "creating";
        goto failed_tmp;
    }
    if (close(dfd) < 0) {
        dfd = -1;
        op = "creating";
        goto failed_tmp;
    }
    dfd = -1;
    if (linkat(ddfd, tmp, ddfd, name, 0) < 0) {
        op = "linking";
        goto failed_tmp;
    }
    (void)unlinkat(ddfd, tmp, 0);
    close(sfd);
    return 0;
failed_tmp:
    err = errno;
    (void)unlinkat(ddfd, tmp, 0);
    errno = err;
failed:
    err = errno;
    if (sfd >= 0)
        close(sfd);
    if (dfd >= 0)
        close(dfd);
    qf_defer(c, err, 0,
             arena_printf(a, "%s transport %s file: %s failed with error: %s",
                          c->tp->name, op, path, strerror(err)));
    return -1;
}

/* Exim places the -H file first, so a copy already in the directory
 * (an earlier address of the message: Exim runs the transport once per
 * address) fails there, "File exists". This places -H last, and checks
 * for it first to fail the same way. 1 (the address deferred) if it is
 * there. */
static int
h_exists(struct transport_call *c, int ddfd, const char *dir, const char *id,
         int can_link)
{
    struct stat st;

    if (fstatat(ddfd, arena_printf(c->arena, "%s-H", id), &st,
                AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    qf_defer(c, EEXIST, 0,
             arena_printf(c->arena,
                          "%s transport %s file: %s/%s-H failed with error: %s",
                          c->tp->name, can_link ? "linking" : "opening", dir,
                          id, strerror(EEXIST)));
    return 1;
}

static void
queuefile_deliver(struct transport_call *c)
{
    const struct transport_queuefile *ob = c->tp->priv;
    const char *id = c->msg->m->id;
    gstr src, err;
    char *dir = NULL;
    const char *s;
    struct stat dst, sst;
    int ddfd = -1, sdfd = -1;

    gstr_init(&src, c->arena);
    gstr_init(&err, c->arena);
    if (transport_expand(c, ob->directory, &dir) < 0) {
        qf_defer(c, -1, 0,
                 arena_printf(c->arena,
                              "%s transport: failed to expand dirname option",
                              c->tp->name));
        return;
    }
    if (dir[0] != '/') {
        qf_defer(c, -1, 1,
                 arena_printf(c->arena,
                              "%s transport directory: %s is not absolute",
                              c->tp->name, dir));
        return;
    }
    spool_path_dir(&src, main_config.spool_directory,
                   main_config.split_spool_directory ? msgid_split_char(id)
                                                     : 0);
    if ((s = dir, ddfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                       O_CLOEXEC)) < 0 ||
        (s = src.s, sdfd = open(src.s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                           O_CLOEXEC)) < 0) {
        int e = errno;
        qf_defer(c, e, 1,
                 arena_printf(c->arena,
                              "%s transport accessing directory: %s failed "
                              "with error: %s",
                              c->tp->name, s, strerror(e)));
        goto done;
    }
    if ((s = dir, fstat(ddfd, &dst)) < 0 ||
        (s = src.s, fstat(sdfd, &sst)) < 0) {
        int e = errno;
        qf_defer(c, e, 1,
                 arena_printf(c->arena,
                              "%s transport fstat on directory fd: %s failed "
                              "with error: %s",
                              c->tp->name, s, strerror(e)));
        goto done;
    }
    if (h_exists(c, ddfd, dir, id, dst.st_dev == sst.st_dev))
        goto done;
    if (put_file(c, sdfd, ddfd, src.s, dir, id, "D", dst.st_dev == sst.st_dev) <
        0)
        goto done;
    if (put_file(c, sdfd, ddfd, src.s, dir, id, "H", dst.st_dev == sst.st_dev) <
        0) {
        (void)unlinkat(ddfd, arena_printf(c->arena, "%s-D", id), 0);
        goto done;
    }
    if (fsync(ddfd) < 0) {
        int e = errno;
        (void)unlinkat(ddfd, arena_printf(c->arena, "%s-H", id), 0);
        (void)unlinkat(ddfd, arena_printf(c->arena, "%s-D", id), 0);
        qf_defer(c, e, 0,
                 arena_printf(c->arena,
                              "%s transport syncing directory: %s failed "
                              "with error: %s",
                              c->tp->name, dir, strerror(e)));
        goto done;
    }
    transport_set_result(c, ADDR_OK, 0, NULL);
done:
    if (ddfd >= 0)
        close(ddfd);
    if (sdfd >= 0)
        close(sdfd);
}

const struct transport_driver transport_queuefile_driver = {
    "queuefile", 1, queuefile_deliver, NULL};
