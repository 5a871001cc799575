/* queue_list.h: the messages in the spool, and Exim's -bp and -bpc
 * output. */
#ifndef MXLAB_SPOOL_QUEUE_LIST_H
#define MXLAB_SPOOL_QUEUE_LIST_H

#include <time.h>

#include "spool/msgid.h"

struct arena;
struct gstr;
struct spool_msg;

struct queue_entry {
    char id[MSGID_LEN + 1];
    char subdir; /* input/<subdir>/, or 0 for input/ itself */
};

/* What -bp shows of each message's recipients. */
enum queue_list_option {
    QUEUE_LIST_ALL = 0,            /* -bp: all, "D" for delivered */
    QUEUE_LIST_UNDELIVERED = 1,    /* -bpu */
    QUEUE_LIST_PLUS_GENERATED = 2, /* -bpa: also "+D" generated ones */
};

/* Calls fn for every message (every -H file) in input/ and its one-
 * character subdirectories, in queue order (msgid_cmp()); fn returning
 * non-zero stops the scan. Returns the number of messages, or -1 with
 * err set. A missing input directory is an empty queue. */
int spool_queue_scan(const char *spool_dir, int split, struct arena *a,
                     int (*fn)(const struct queue_entry *e, void *ctx),
                     void *ctx, struct gstr *err);
/* -bpc: the number of messages, or -1 with err set. */
int spool_queue_count(const char *spool_dir, struct gstr *err);

/* Exim's age column: "%2dm ", "%2dh " or "%2dd ". */
void queue_format_age(struct gstr *out, long seconds);
/* Exim's size column (string_format_size()): "  123", " 1.2K", "  12K",
 * " 1.5M", "  15M"; five spaces for 0. */
void queue_format_size(struct gstr *out, long size);
/* One message as -bp shows it, from a message read with result rc
 * (enum spool_read_result); hfile_size is the -H file's size, for the
 * format error line. */
void queue_format_message(struct gstr *out, const struct spool_msg *m, int rc,
                          const char *id, long size, time_t now,
                          long hfile_size, const char *read_error,
                          enum queue_list_option option);
/* The whole -bp listing, as of now. 0, or -1 with err set. */
int queue_list(struct gstr *out, const char *spool_dir, int split, time_t now,
               enum queue_list_option option, struct gstr *err);
/* The same for the messages named (ids checked by the caller), in the
 * order given; a missing one shows its read error as Exim shows it. */
int queue_list_ids(struct gstr *out, const char *spool_dir, int split,
                   time_t now, enum queue_list_option option, char *const *ids,
                   int n);

#endif
