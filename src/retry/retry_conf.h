/* retry_conf.h: the "begin retry" section. */
#ifndef MXLAB_RETRY_RETRY_CONF_H
#define MXLAB_RETRY_RETRY_CONF_H

#include "base/gstr.h"

/* Exim's extra error codes that retry rules name (macros.h). */
#define RETRY_ERRNO_EXIMQUOTA   (-22)
#define RETRY_ERRNO_UNKNOWNHOST (-32)
#define RETRY_ERRNO_TLSREQUIRED (-38)
#define RETRY_ERRNO_AUTHFAIL    (-42)
#define RETRY_ERRNO_RCPT4XX     (-44)
#define RETRY_ERRNO_MAIL4XX     (-45)
#define RETRY_ERRNO_DATA4XX     (-46)
#define RETRY_ERRNO_SMTPCLOSED  (-18)
#define RETRY_ERRNO_RRETRY      (-52)
#define RETRY_ERRNO_LRETRY      (-53)
#define RETRY_ERRNO_HRETRY      (-54)
#define RETRY_CTOUT             0x0100 /* more_errno: a connect time-out */

/* One "F,cutoff,interval" (G and H add a multiplier, times 1000). */
struct retry_rule {
    char kind;
    long timeout;
    long p1;
    long p2;
    struct retry_rule *next;
};

struct retry_config {
    char *pattern;
    char *senders; /* NULL: any */
    int basic_errno;
    int more_errno;
    struct retry_rule *rules; /* NULL: times out at once */
    const char *file;
    int line;
    struct retry_config *next;
};

/* Parses the section (once); 0, or -1 with "file:line: message". */
int retry_conf_check(gstr *err);
/* 1 if the configuration has a retry section with at least one rule
 * line; without one, mxlab keeps no retry data (see docs/retry.md). */
int retry_enabled(void);
/* The rule for key (without its "X:" prefix; a host key is
 * "name:ip[:port]"), else for alternate (a domain, for hosts), for
 * this error; NULL if none. sender may be NULL. */
const struct retry_config *retry_find_config(const char *key,
                                             const char *alternate,
                                             int basic_errno, int more_errno,
                                             const char *sender);

#endif
