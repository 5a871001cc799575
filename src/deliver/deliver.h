/* deliver.h: delivering one message from the spool, and starting a
 * delivery process after reception. */
#ifndef MXLAB_DELIVER_DELIVER_H
#define MXLAB_DELIVER_DELIVER_H

struct address;
struct spool_msg;

#define DELIVER_FORCE_THAW 0x01 /* -M, -qff: frozen messages too */
#define DELIVER_QUEUE_RUN  0x02 /* part of -q: quiet about locks */
#define DELIVER_FORCE      0x04 /* -M, -qf, -qff: past retry times */
#define DELIVER_2STAGE     0x08 /* -qq, first pass: no remote deliveries */
#define DELIVER_GIVE_UP    0x10 /* -Mg: fail every address, no delivery */

enum deliver_result {
    DELIVER_ATTEMPTED,
    DELIVER_NOT_ATTEMPTED, /* no such message */
    DELIVER_FROZEN,        /* frozen, and not forced */
    DELIVER_LOCKED,        /* another process has it */
    DELIVER_ERROR,         /* the spool files could not be read */
};

/* Delivers message id: locks it, reads -H and -J, routes and delivers
 * every recipient not yet done, logs each outcome, and either removes
 * the message (all done: "Completed") or rewrites its -H. */
enum deliver_result deliver_message(const char *id, unsigned flags);

/* After reception: a child process delivers id (the caller does not
 * wait for it; the child's exit is reaped by whoever reaps children).
 * wait_for: run in the foreground (-odi) instead. */
void deliver_after_reception(const char *id, int wait_for);

/* 1 if a message just received is to wait for a queue run: -odq, or
 * queue_only (the option, or a queue_only_file path that exists)
 * unless -odi or -odb override it, as Exim's queue_only_override. */
int deliver_should_queue(void);

/* The -od option given: 'q' -odq, 'i' -odi/-odf, 'b' -odb, or 0;
 * main.c sets it for the SMTP modes (-bs, the daemon). */
extern char deliver_odmode;
/* -N: deliveries made by this process are only logged ("*>"). */
extern int deliver_dont_deliver;

/* Bounce slice hook: called with the addresses that failed in one
 * delivery run (linked by next): bounce_send() (bounce.c). */
extern void (*deliver_bounce_hook)(struct spool_msg *m, struct address *failed);

#endif
