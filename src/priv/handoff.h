/* handoff.h: a reception process that runs as the exim user hands each
 * message it accepted to a root parent, which starts its delivery. */
#ifndef MXLAB_PRIV_HANDOFF_H
#define MXLAB_PRIV_HANDOFF_H

#include <sys/types.h>

#include "spool/msgid.h"

/* Reception side. handoff_set_fd() names the socket to the parent (-1:
 * none, deliveries are started by the reception process itself, as
 * when mxlab does not run as root). */
void handoff_set_fd(int fd);
int handoff_active(void);
/* Asks the parent to deliver id; with wait_for, returns once that
 * delivery has ended (-odi). 0, or -1 if the parent is gone. */
int handoff_request(const char *id, int wait_for);

/* A daemon's session process, its connection served: tells the daemon
 * it can take another. 0, or -1 if the daemon is gone. */
int handoff_ready(void);

/* The parent's side. One request read from fd (non-blocking or not):
 * 1 with id[MSGID_LEN + 1] and *wait_for set, 2 for handoff_ready(), 0
 * when nothing is there yet, -1 at end of file or for a malformed
 * request (logged); the socket is then of no more use. */
int handoff_read(int fd, char *id, int *wait_for);
/* Forks a delivery process for id, which lets go of every descriptor
 * but ack_fd (when wait_for, it writes the answer there once the
 * delivery has ended) and, with keep_stderr, standard error, where its
 * panic lines then go too. Returns its pid, or -1 (logged). */
pid_t handoff_deliver(const char *id, int wait_for, int ack_fd,
                      int keep_stderr);
/* In a delivery process just forked: lets go of the parent's
 * descriptors but keep (-1: none) and, with keep_stderr, stderr. */
void handoff_detach(int keep, int keep_stderr);

/* -bs and local submission started by root: forks; the child drops to
 * the exim user and returns, to receive; the parent (lowered) starts
 * the deliveries the child asks for, and when the child has ended
 * exits as it did. With panic_to_stderr (local submission), a delivery
 * the child waits for (-odi) writes its panic lines to standard error
 * too, as a delivery run from the command line. */
void handoff_split(int panic_to_stderr);

#endif
