/*++
 * NAME
 *	appendfile 3
 * SUMMARY
 *	the appendfile transport
 * SYNOPSIS
 *	#include "transport/appendfile.h"
 *
 *	extern const struct driver_info transport_appendfile_info;
 * DESCRIPTION
 *	The option table and defaults, with Exim's names, types and
 *	default values. The code that acts on these options comes with
 *	the area's issue; until then the options are read, checked and
 *	shown by -bP. The generic transport_filter is refused on this
 *	driver (transport_check_no_filter()).
 *--*/

#include <stddef.h>

#include "transport/appendfile.h"
#include "transport/transport.h"

static const struct opt_def transport_appendfile_defs[] = {
    {"allow_fifo", OPT_BOOL, offsetof(struct transport_appendfile, allow_fifo),
     OPT_UNIMPL},
    {"allow_symlink", OPT_BOOL,
     offsetof(struct transport_appendfile, allow_symlink), OPT_UNIMPL},
    {"batch_id", OPT_EXPANDED, offsetof(struct transport_appendfile, batch_id),
     OPT_UNIMPL},
    {"batch_max", OPT_INT, offsetof(struct transport_appendfile, batch_max),
     OPT_UNIMPL},
    {"check_group", OPT_BOOL,
     offsetof(struct transport_appendfile, check_group), OPT_UNIMPL},
    {"check_owner", OPT_BOOL,
     offsetof(struct transport_appendfile, check_owner), 0},
    {"check_string", OPT_STRING,
     offsetof(struct transport_appendfile, check_string), 0},
    {"create_directory", OPT_BOOL,
     offsetof(struct transport_appendfile, create_directory), 0},
    {"create_file", OPT_STRING,
     offsetof(struct transport_appendfile, create_file), OPT_UNIMPL},
    {"directory", OPT_EXPANDED,
     offsetof(struct transport_appendfile, directory), 0},
    {"directory_file", OPT_EXPANDED,
     offsetof(struct transport_appendfile, directory_file), OPT_UNIMPL},
    {"directory_mode", OPT_OCTAL,
     offsetof(struct transport_appendfile, directory_mode), 0},
    {"escape_string", OPT_STRING,
     offsetof(struct transport_appendfile, escape_string), 0},
    {"file", OPT_EXPANDED, offsetof(struct transport_appendfile, file), 0},
    {"file_format", OPT_STRING,
     offsetof(struct transport_appendfile, file_format), OPT_UNIMPL},
    {"file_must_exist", OPT_BOOL,
     offsetof(struct transport_appendfile, file_must_exist), 0},
    {"lock_fcntl_timeout", OPT_TIME,
     offsetof(struct transport_appendfile, lock_fcntl_timeout), OPT_UNIMPL},
    {"lock_flock_timeout", OPT_TIME,
     offsetof(struct transport_appendfile, lock_flock_timeout), OPT_UNIMPL},
    {"lock_interval", OPT_TIME,
     offsetof(struct transport_appendfile, lock_interval), 0},
    {"lock_retries", OPT_INT,
     offsetof(struct transport_appendfile, lock_retries), 0},
    {"lockfile_mode", OPT_OCTAL,
     offsetof(struct transport_appendfile, lockfile_mode), 0},
    {"lockfile_timeout", OPT_TIME,
     offsetof(struct transport_appendfile, lockfile_timeout), 0},
    {"mailbox_filecount", OPT_EXPANDED,
     offsetof(struct transport_appendfile, mailbox_filecount), OPT_UNIMPL},
    {"mailbox_size", OPT_EXPANDED,
     offsetof(struct transport_appendfile, mailbox_size), OPT_UNIMPL},
    {"maildir_format", OPT_BOOL,
     offsetof(struct transport_appendfile, maildir_format), 0},
    {"maildir_retries", OPT_INT,
     offsetof(struct transport_appendfile, maildir_retries), OPT_UNIMPL},
    {"maildir_tag", OPT_EXPANDED,
     offsetof(struct transport_appendfile, maildir_tag), OPT_UNIMPL},
    {"maildir_use_size_file", OPT_EXPANDED,
     offsetof(struct transport_appendfile, maildir_use_size_file), OPT_UNIMPL},
    {"maildirfolder_create_regex", OPT_STRING,
     offsetof(struct transport_appendfile, maildirfolder_create_regex),
     OPT_UNIMPL},
    {"message_prefix", OPT_EXPANDED,
     offsetof(struct transport_appendfile, message_prefix), 0},
    {"message_suffix", OPT_EXPANDED,
     offsetof(struct transport_appendfile, message_suffix), 0},
    {"mode", OPT_OCTAL, offsetof(struct transport_appendfile, mode), 0},
    {"mode_fail_narrower", OPT_BOOL,
     offsetof(struct transport_appendfile, mode_fail_narrower), 0},
    {"notify_comsat", OPT_BOOL,
     offsetof(struct transport_appendfile, notify_comsat), OPT_UNIMPL},
    {"quota", OPT_EXPANDED, offsetof(struct transport_appendfile, quota),
     OPT_UNIMPL},
    {"quota_directory", OPT_EXPANDED,
     offsetof(struct transport_appendfile, quota_directory), OPT_UNIMPL},
    {"quota_filecount", OPT_EXPANDED,
     offsetof(struct transport_appendfile, quota_filecount), OPT_UNIMPL},
    {"quota_is_inclusive", OPT_BOOL,
     offsetof(struct transport_appendfile, quota_is_inclusive), OPT_UNIMPL},
    {"quota_size_regex", OPT_STRING,
     offsetof(struct transport_appendfile, quota_size_regex), OPT_UNIMPL},
    {"quota_warn_message", OPT_EXPANDED,
     offsetof(struct transport_appendfile, quota_warn_message), OPT_UNIMPL},
    {"quota_warn_threshold", OPT_EXPANDED,
     offsetof(struct transport_appendfile, quota_warn_threshold), OPT_UNIMPL},
    {"use_bsmtp", OPT_BOOL, offsetof(struct transport_appendfile, use_bsmtp),
     OPT_UNIMPL},
    {"use_crlf", OPT_BOOL, offsetof(struct transport_appendfile, use_crlf), 0},
    {"use_fcntl_lock", OPT_BOOL,
     offsetof(struct transport_appendfile, use_fcntl_lock), 0},
    {"use_flock_lock", OPT_BOOL,
     offsetof(struct transport_appendfile, use_flock_lock), OPT_UNIMPL},
    {"use_lockfile", OPT_BOOL,
     offsetof(struct transport_appendfile, use_lockfile), 0},
};

static const struct transport_appendfile transport_appendfile_defaults = {
    .batch_max = 1,
    .check_owner = 1,
    .create_directory = 1,
    .create_file = "anywhere",
    .directory_file = "q${base62:$tod_epoch}-$inode",
    .directory_mode = 0700,
    .lock_interval = 3,
    .lock_retries = 10,
    .lockfile_mode = 0600,
    .lockfile_timeout = 1800,
    .maildir_retries = 10,
    .mode = 0600,
    .mode_fail_narrower = 1,
    .quota_is_inclusive = 1,
    .use_fcntl_lock = 1,
    .use_lockfile = 1,
};

const struct driver_info transport_appendfile_info = {
    "appendfile",
    OPT_TABLE("appendfile", transport_appendfile_defs,
              struct transport_appendfile, &transport_appendfile_defaults),
    transport_check_no_filter,
};
