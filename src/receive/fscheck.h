/* fscheck.h: Exim's check of free space on the spool and log partitions
 * before a message is taken (check_spool_space, check_spool_inodes,
 * check_log_space). */
#ifndef MXLAB_RECEIVE_FSCHECK_H
#define MXLAB_RECEIVE_FSCHECK_H

/* 0 if a message of msg_size bytes (0: unknown) may be taken; -1, with
 * the reason in the main log, if it would leave less room than
 * configured. */
int receive_check_fs(long msg_size);

#endif
