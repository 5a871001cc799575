/*++
 * NAME
 *	spool_lock 3
 * SUMMARY
 *	message locks
 * SYNOPSIS
 *	#include "spool/spool_lock.h"
 *
 *	enum spool_lock_result spool_lock_fd(int fd, const char *id)
 *	enum spool_lock_result spool_lock_open(const char *spool_dir,
 *			int split, const char *id, int *fd, gstr *err)
 *	void	spool_lock_release(int fd)
 * DESCRIPTION
 *	Whoever receives, delivers or modifies a message holds a write lock
 *	on its -D file for as long as it works on it; the -H file cannot
 *	carry the lock because it is replaced by rename. Like Exim, mxlab
 *	locks with fcntl(F_SETLK) only the first line of the -D file (the
 *	id line), so Exim and mxlab processes exclude each other. The lock
 *	never waits: a message someone else holds is skipped, and
 *	SPOOL_LOCK_BUSY is the normal answer for it.
 *
 *	fcntl locks belong to a process: a second lock taken by the same
 *	process succeeds, and closing any descriptor of the file drops the
 *	lock. Keep one descriptor per message and close it only with
 *	spool_lock_release().
 *
 *	spool_lock_open() opens the -D file read-write with O_APPEND (it is
 *	never written through this descriptor), O_NOFOLLOW and O_CLOEXEC,
 *	looking first where split_spool_directory says and then in the
 *	other layout, for files left from before the setting changed.
 * DIAGNOSTICS
 *	SPOOL_LOCK_ERROR with a message in err for failures other than a
 *	missing file or a lock held elsewhere.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base/gstr.h"
#include "spool/msgid.h"
#include "spool/spool_lock.h"
#include "spool/spool_path.h"

enum spool_lock_result
spool_lock_fd(int fd, const char *id)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = (off_t)msgid_data_offset(id);
    if (fcntl(fd, F_SETLK, &fl) == 0)
        return SPOOL_LOCK_OK;
    if (errno == EAGAIN || errno == EACCES)
        return SPOOL_LOCK_BUSY;
    return SPOOL_LOCK_ERROR;
}

enum spool_lock_result
spool_lock_open(const char *spool_dir, int split, const char *id, int *fdp,
                struct gstr *err)
{
    struct gstr path;
    int fd = -1;
    enum spool_lock_result rc;

    *fdp = -1;
    if (spool_path_check_id(id, err) < 0)
        return SPOOL_LOCK_ERROR;
    gstr_init(&path, err->arena);
    for (int i = 0; i < 2 && fd < 0; i++) {
        int here = (i == 0) == (split != 0);

        gstr_truncate(&path, 0);
        spool_path_file_in(&path, spool_dir, here ? msgid_split_char(id) : 0,
                           "", id, "-D");
        fd = open(path.s, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT) {
            gstr_printf(err, "spool file %s: cannot open: %s", path.s,
                        strerror(errno));
            return SPOOL_LOCK_ERROR;
        }
    }
    if (fd < 0)
        return SPOOL_LOCK_MISSING;
    rc = spool_lock_fd(fd, id);
    if (rc != SPOOL_LOCK_OK) {
        if (rc == SPOOL_LOCK_ERROR)
            gstr_printf(err, "spool file %s: cannot lock: %s", path.s,
                        strerror(errno));
        close(fd);
        return rc;
    }
    *fdp = fd;
    return SPOOL_LOCK_OK;
}

void
spool_lock_release(int fd)
{
    if (fd >= 0)
        close(fd);
}
