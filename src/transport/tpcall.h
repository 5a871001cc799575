/* tpcall.h: calling a transport for a batch of addresses, and writing
 * a message the way Exim's transports write it. */
#ifndef MXLAB_TRANSPORT_TPCALL_H
#define MXLAB_TRANSPORT_TPCALL_H

#include <sys/types.h>

#include "base/gstr.h"
#include "route/address.h"

struct arena;
struct driver_instance;
struct expand_ctx;
struct spool_msg;

/* The message being delivered: its envelope and headers (-H) and where
 * its body starts in the open -D file. */
struct tp_message {
    struct spool_msg *m;
    int data_fd;
    off_t body_offset;
    off_t body_size;
    long size; /* $message_size: headers + body */
};

/* One call of a transport: it delivers addrs (linked by next, one
 * unless the transport batches) and sets each one's result, message
 * and basic_errno. */
struct transport_call {
    struct arena *arena;
    struct expand_ctx *x; /* message and address variables set */
    const struct driver_instance *tp;
    struct tp_message *msg;
    struct address *addrs;
    const char *return_path; /* the envelope sender used */
    long bytes_written;      /* by transport_write_message(), for S= */
    const char *dkim_used;   /* "domain:selector..." signed with, or NULL */
    /* the message log of the delivery (NULL: none) */
    void (*msglog)(void *ctx, const char *text);
    void *msglog_ctx;
    /* Told by a remote transport the moment a server has accepted the
     * message for addrs[0..n), before QUIT or anything else, so that
     * the delivery process journals them at once (NULL: nobody). */
    void (*delivered)(void *ctx, struct address *const *addrs, size_t n);
    void *delivered_ctx;
};

/* A transport driver's code, by driver name. local: delivers in the
 * delivery process (appendfile, pipe); remote ones (smtp, next slice)
 * get the host list in addrs->hosts and set host_used. */
struct transport_driver {
    const char *name;
    int local;
    void (*deliver)(struct transport_call *c);
    /* Optional: 1 if one call may take addresses of one domain only
     * (the smtp transport's multi_domain = false). */
    int (*one_domain)(const struct driver_instance *tp, struct expand_ctx *x);
};
int transport_register_driver(const struct transport_driver *d);
const struct transport_driver *
transport_driver_for(const struct driver_instance *tp);

/* Sets every address of the call to result with message. */
/* A log line written during the call, with the message id first, as
 * Exim's lines written during a delivery (which: LOG_MAIN...). */
void transport_log(struct transport_call *c, unsigned which, const char *fmt,
                   ...) __attribute__((format(printf, 3, 4)));
/* A line for the message log of the delivery (Exim's deliver_msglog()). */
void transport_msglog(struct transport_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void transport_set_result(struct transport_call *c, enum addr_result result,
                          int basic_errno, const char *message);
/* Expands text for the call's transport; on error every address is
 * deferred with Exim's message and -1 returned. */
int transport_expand(struct transport_call *c, const char *text, char **out);

/* How the message is written: prefix and suffix (expanded already, or
 * NULL), check_string/escape_string ("From " -> ">From " for mbox),
 * CRLF line ends. */
struct tp_write_opts {
    const char *prefix;
    const char *suffix;
    const char *check;
    const char *escape;
    int crlf;
};
/* Writes the message of c to fd: prefix, Return-path:, Envelope-to:,
 * Delivery-date: (as the generic options ask), the headers (without
 * deleted ones and those headers_remove names, with headers_add of the
 * router and the transport), a blank line, the body (-D), suffix.
 * body_only and headers_only are honoured. The bytes written, prefix
 * and suffix not counted, go to c->bytes_written. 0, or -1 with err
 * set (errno kept). */
int transport_write_message(struct transport_call *c, int fd,
                            const struct tp_write_opts *o, gstr *err);
/* Generic checks before a local transport runs (message_size_limit).
 * 0 to go on; -1 after failing or deferring the addresses. */
int transport_check_generic(struct transport_call *c);

#endif
