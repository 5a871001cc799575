/*
 * NAME
 *	fileio - whole-file reads and writes, directory trees
 * SYNOPSIS
 *	#include "fileio.h"
 *
 *	int	fileio_read(const char *path, struct buf *out);
 *	int	fileio_write(const char *path, const void *data, size_t len);
 *	int	fileio_write_atomic(const char *path, const void *data,
 *				size_t len);
 *	int	fileio_write_all(int fd, const void *data, size_t len);
 *	int	fileio_mkdirs(const char *path);
 *	int	fileio_mkdirs_for(const char *path);
 *
 *	int	fileio_chown_tree(const char *path, uid_t uid, gid_t gid);
 *	int	fileio_remove_tree(const char *path);
 *	char	*fileio_join(const char *dir, const char *name);
 * DESCRIPTION
 *	fileio_read() replaces the contents of out with the file's.
 *
 *	fileio_write() creates or truncates path (mode 0644 before umask)
 *	and writes data to it.  fileio_write_atomic() does the same
 *	through a temporary file in the same directory and rename(2), so
 *	a reader never sees half a file.
 *
 *	fileio_write_all() writes all of data to fd, retrying short
 *	writes and EINTR.
 *
 *	fileio_mkdirs() creates path and its missing parents (mkdir -p);
 *	fileio_mkdirs_for() creates the parents of path only.
 *
 *	fileio_chown_tree() gives path and everything below it to uid and
 *	gid (links themselves, not what they point at), so that an MTA
 *	that drops root can work in a scenario's directory.
 *
 *	fileio_remove_tree() removes path and, if it is a directory,
 *	everything below it; symbolic links are removed, not followed.
 *
 *	fileio_join() returns dir "/" name in new memory.
 * DIAGNOSTICS
 *	The int functions return 0 on success, -1 with errno set on
 *	failure.  fileio_remove_tree() goes on after an error and
 *	reports the first one.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "mem.h"

int
fileio_read(const char *path, struct buf *out)
{
    char chunk[8192];
    ssize_t n;
    int fd;

    buf_reset(out);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;

            close(fd);
            errno = saved;
            return -1;
        }
        buf_add(out, chunk, (size_t)n);
    }
    close(fd);
    if (out->data == NULL)
        buf_add(out, "", 0);
    return 0;
}

int
fileio_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
fileio_write_fd(int fd, const void *data, size_t len)
{
    int saved;

    if (fileio_write_all(fd, data, len) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

int
fileio_write(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    return fileio_write_fd(fd, data, len);
}

int
fileio_write_atomic(const char *path, const void *data, size_t len)
{
    struct buf tmp = BUF_INIT;
    int rc;
    int saved;

    buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
    rc = fileio_write(buf_str(&tmp), data, len);
    if (rc == 0)
        rc = rename(buf_str(&tmp), path);
    if (rc < 0) {
        saved = errno;
        unlink(buf_str(&tmp));
        errno = saved;
    }
    buf_free(&tmp);
    return rc;
}

int
fileio_mkdirs(const char *path)
{
    char *copy;
    int rc = 0;

    if (*path == '\0')
        return 0;
    copy = mem_strdup(path);
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;

        *p = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    return rc;
}

int
fileio_mkdirs_for(const char *path)
{
    char *copy = mem_strdup(path);
    char *slash = strrchr(copy, '/');
    int rc = 0;

    if (slash != NULL && slash != copy) {
        *slash = '\0';
        rc = fileio_mkdirs(copy);
    }
    free(copy);
    return rc;
}

static int
fileio_remove_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    int rc = 0;
    int saved = 0;

    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *child = fileio_join(path, de->d_name);

        if (fileio_remove_tree(child) < 0 && rc == 0) {
            rc = -1;
            saved = errno;
        }
        free(child);
    }
    closedir(d);
    errno = saved;
    return rc;
}

int
fileio_chown_tree(const char *path, uid_t uid, gid_t gid)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (lstat(path, &st) < 0 || lchown(path, uid, gid) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return 0;
    if ((d = opendir(path)) == NULL)
        return -1;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char *child = fileio_join(path, de->d_name);

        rc = fileio_chown_tree(child, uid, gid);
        free(child);
    }
    closedir(d);
    return rc;
}

int
fileio_remove_tree(const char *path)
{
    struct stat st;
    int rc;
    int saved;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    /* A directory a test made unreadable must still go. */
    if ((st.st_mode & 0700) != 0700)
        chmod(path, st.st_mode | 0700);
    rc = fileio_remove_entries(path);
    saved = errno;
    if (rmdir(path) < 0)
        return -1;
    errno = saved;
    return rc;
}

char *
fileio_join(const char *dir, const char *name)
{
    struct buf b = BUF_INIT;

    buf_puts(&b, dir);
    if (b.len > 0 && b.data[b.len - 1] != '/')
        buf_putc(&b, '/');
    buf_puts(&b, name);
    return buf_steal(&b);
}
