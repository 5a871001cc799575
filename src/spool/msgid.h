/* msgid.h: Exim message ids ("1vQk3L-000000000Xb-00A1"). */
#ifndef MXLAB_SPOOL_MSGID_H
#define MXLAB_SPOOL_MSGID_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct gstr;

#define MSGID_LEN                  23 /* 4.97+: 6 time, "-", 11 pid, "-", 4 sub-second */
#define MSGID_OLD_LEN              16 /* <= 4.96: 6 time, "-", 6 pid, "-", 2 sub-second */
#define MSGID_MAX_LOCALHOST_NUMBER 16

enum msgid_kind {
    MSGID_INVALID = 0,
    MSGID_NEW = 1,
    MSGID_OLD = 2,
};

struct msgid_parts {
    enum msgid_kind kind;
    time_t sec;        /* reception start, epoch seconds */
    unsigned long pid; /* receiving process */
    unsigned long sub; /* the raw sub-second field */
};

/* A fresh id for this process, in out[MSGID_LEN + 1]; localhost_number
 * is 0..16, or -1 when not set. Returns before the clock's id unit has
 * moved on past the id's, so this pid cannot give the same id again. */
void msgid_generate(char *out, int localhost_number);
/* The id for given values (deterministic; for tests and tools). */
void msgid_format(char *out, time_t sec, long usec, unsigned long pid,
                  int localhost_number);
/* Which kind of id the len bytes at s are (exact length required). */
enum msgid_kind msgid_check(const char *s, size_t len);
/* The same, for a NUL-terminated string, filling in *parts if not NULL. */
enum msgid_kind msgid_parse(const char *id, struct msgid_parts *parts);
/* Microseconds encoded in a new-format id's sub-second field. */
long msgid_usec(const struct msgid_parts *parts, int localhost_number);
/* The split_spool_directory subdirectory: the 6th character. */
char msgid_split_char(const char *id);
/* Queue order, as Exim sorts for listing and queue_run_in_order: time
 * part, then the sub-second part (the pid is not compared). */
int msgid_cmp(const char *a, const char *b);
/* Offset of the body in the -D file: strlen(id) + 3 ("<id>-D\n"). */
size_t msgid_data_offset(const char *id);
/* Appends the Message-Id value Exim creates: "<E" id "@" host ">". */
void msgid_header_value(struct gstr *out, const char *id,
                        const char *primary_hostname);

#endif
