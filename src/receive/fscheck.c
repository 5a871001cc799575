/*++
 * NAME
 *	fscheck 3
 * SUMMARY
 *	room on the spool and log partitions
 * SYNOPSIS
 *	#include "receive/fscheck.h"
 *
 *	int	receive_check_fs(long msg_size)
 * DESCRIPTION
 *	As Exim's receive_check_fs(): when check_spool_space or
 *	check_spool_inodes is set (or a size is given), the partition of
 *	spool_directory must keep check_spool_space bytes free once
 *	msg_size bytes are taken, and check_spool_inodes inodes; when
 *	check_log_space is set, the partition of the main log must keep
 *	that many bytes. A file system without inodes (statvfs() reports
 *	none) passes the inode check. Callers: the SMTP MAIL command (452
 *	"Space shortage, please try later") and local submission.
 *
 *	Exim's check_log_inodes is an option mxlab does not implement, so
 *	the log partition's inodes are not checked.
 * DIAGNOSTICS
 *	"spool directory space check failed: space=K inodes=N" or "log
 *	directory space check failed: space=K inodes=N" (K in kilobytes,
 *	-1 when unknown) in the main log. A directory that does not exist
 *	yet passes, as in Exim.
 *--*/

#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>

#include "conf/mainopts.h"
#include "log/log.h"
#include "receive/fscheck.h"

/* Free kilobytes for an unprivileged user and free inodes (-1 when the
 * file system has none) of the partition holding path; -1 if unknown. */
static long long
fs_room(const char *path, long long *inodes)
{
    struct statvfs st;

    *inodes = -1;
    memset(&st, 0, sizeof(st));
    if (statvfs(path, &st) != 0)
        return -1;
    if (st.f_files > 0)
        *inodes = (long long)st.f_favail;
    return (long long)((double)st.f_bavail * (double)st.f_frsize / 1024.0);
}

/* The folder of the main log in buf, or NULL when there is no log file
 * (the log goes nowhere). */
static const char *
log_folder(char *buf, size_t size)
{
    const char *path = log_path("main");
    char *slash;

    if (path == NULL || strlen(path) >= size)
        return NULL;
    strcpy(buf, path);
    if ((slash = strrchr(buf, '/')) != NULL && slash != buf)
        *slash = '\0';
    return buf;
}

int
receive_check_fs(long msg_size)
{
    const struct main_config *m = &main_config;
    long long space, inodes;

    if (m->check_spool_space > 0 || msg_size > 0 || m->check_spool_inodes > 0) {
        space = fs_room(m->spool_directory, &inodes);
        if ((space >= 0 &&
             space + msg_size / 1024 < m->check_spool_space / 1024) ||
            (inodes >= 0 && inodes < m->check_spool_inodes)) {
            log_write(LOG_MAIN,
                      "spool directory space check failed: space=%lld "
                      "inodes=%lld",
                      space, inodes);
            return -1;
        }
    }
    if (m->check_log_space > 0) {
        char buf[PATH_MAX];
        const char *folder = log_folder(buf, sizeof(buf));

        space = -1;
        inodes = -1;
        if (folder != NULL)
            space = fs_room(folder, &inodes);
        if (space >= 0 && space < m->check_log_space / 1024) {
            log_write(LOG_MAIN,
                      "log directory space check failed: space=%lld "
                      "inodes=%lld",
                      space, inodes);
            return -1;
        }
    }
    return 0;
}
