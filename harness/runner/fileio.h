#ifndef RUNNER_FILEIO_H
#define RUNNER_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

struct buf;

int fileio_read(const char *path, struct buf *out);
int fileio_write(const char *path, const void *data, size_t len);
int fileio_write_atomic(const char *path, const void *data, size_t len);
int fileio_mkdirs(const char *path);
int fileio_mkdirs_for(const char *path);
int fileio_remove_tree(const char *path);
int fileio_chown_tree(const char *path, uid_t uid, gid_t gid);
int fileio_write_all(int fd, const void *data, size_t len);
char *fileio_join(const char *dir, const char *name);

#endif
