/* spool_path.h: where a message's files live, and keeping directory
 * changes on disk. */
#ifndef MXLAB_SPOOL_SPOOL_PATH_H
#define MXLAB_SPOOL_SPOOL_PATH_H

struct gstr;

/* "<spool_dir>/input" (subdir 0) or "<spool_dir>/input/<subdir>". */
void spool_path_dir(struct gstr *out, const char *spool_dir, char subdir);
/* "<dir>/<prefix><id><suffix>" with the directory as above; subdir is
 * msgid_split_char(id) when split is set, else 0. */
void spool_path_file(struct gstr *out, const char *spool_dir, int split,
                     const char *prefix, const char *id, const char *suffix);
/* The same in a given subdirectory (0 = none). */
void spool_path_file_in(struct gstr *out, const char *spool_dir, char subdir,
                        const char *prefix, const char *id, const char *suffix);
/* Creates <spool_dir>, input and input/<subdir> as needed (mode 0750),
 * syncing each parent a directory was made in. 0, or -1 with err set. */
int spool_path_make_dirs(const char *spool_dir, char subdir, struct gstr *err);
/* 0 if id is a message id (and so safe in a path), else -1 with err
 * set and errno EINVAL: ids from outside (-Mvh ID) pass here first. */
int spool_path_check_id(const char *id, struct gstr *err);
/* fsync() of a directory so a rename or create in it is on disk. */
int spool_path_sync_dir(const char *dir, struct gstr *err);
/* Closes the directory spool_path_sync_dir() keeps open and the spare
 * file of spool_path_prepare_temp(): for a process about to close every
 * descriptor it has. */
void spool_path_forget_dir(void);
int spool_path_open_temp(const char *path, int flags);
/* An unnamed file made ahead in dir for the next -H; taken (-1: none for
 * dir), then named once synced: 0, or -1 with errno. See spool_path(3). */
void spool_path_prepare_temp(const char *dir);
int spool_path_take_temp(const char *dir);
int spool_path_link_temp(int fd, const char *path);

#endif
