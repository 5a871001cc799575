/* appendfile.h: the appendfile transport. */
#ifndef MXLAB_TRANSPORT_APPENDFILE_H
#define MXLAB_TRANSPORT_APPENDFILE_H

#include "conf/driver.h"
#include "conf/opt.h"

struct transport_appendfile {
    int allow_fifo;
    int allow_symlink;
    char *batch_id;
    int batch_max;
    int check_group;
    int check_owner;
    char *check_string;
    int create_directory;
    char *create_file;
    char *directory;
    char *directory_file;
    int directory_mode;
    char *escape_string;
    char *file;
    char *file_format;
    int file_must_exist;
    int lock_fcntl_timeout;
    int lock_flock_timeout;
    int lock_interval;
    int lock_retries;
    int lockfile_mode;
    int lockfile_timeout;
    char *mailbox_filecount;
    char *mailbox_size;
    int maildir_format;
    int maildir_retries;
    char *maildir_tag;
    char *maildir_use_size_file;
    char *maildirfolder_create_regex;
    char *message_prefix;
    char *message_suffix;
    int mode;
    int mode_fail_narrower;
    int notify_comsat;
    char *quota;
    char *quota_directory;
    char *quota_filecount;
    int quota_is_inclusive;
    char *quota_size_regex;
    char *quota_warn_message;
    char *quota_warn_threshold;
    int use_bsmtp;
    int use_crlf;
    int use_fcntl_lock;
    int use_flock_lock;
    int use_lockfile;
};

extern const struct driver_info transport_appendfile_info;

#endif
