/*++
 * NAME
 *	handoff 3
 * SUMMARY
 *	delivery of messages accepted by an unprivileged process
 * SYNOPSIS
 *	#include "priv/handoff.h"
 *
 *	void	handoff_set_fd(int fd)
 *	int	handoff_active(void)
 *	int	handoff_request(const char *id, int wait_for)
 *	int	handoff_ready(void)
 *	int	handoff_read(int fd, char *id, int *wait_for)
 *	pid_t	handoff_deliver(const char *id, int wait_for, int ack_fd,
 *			int keep_stderr)
 *	void	handoff_split(int panic_to_stderr)
 *	void	handoff_detach(int keep, int keep_stderr)
 * DESCRIPTION
 *	Exim's reception process, which runs as the exim user, re-execs
 *	the setuid binary to deliver a message it accepted. mxlab is not
 *	setuid; instead the root process that started the reception
 *	(the daemon for its session processes, or the parent that
 *	handoff_split() leaves behind for -bs and local submission)
 *	keeps a socket to it. After the 250 (the message is on disk) the
 *	reception process writes the message id there; the parent checks
 *	that it is a message id and forks a delivery process, which runs
 *	lowered (see priv(3)) and changes to the transport's user for
 *	each local delivery. Under -odi the reception process waits for
 *	that delivery's answer on the same socket, so the order of
 *	things is what it is without privilege separation; for local
 *	submission (handoff_split(1)) that delivery also keeps the
 *	caller's standard error and writes its panic lines there, as a
 *	delivery run from the command line does.
 *
 *	A request is one write of a fixed size (a flag and the id), so
 *	a parent that reads a socket whose other end has gone still
 *	finds every request that was made.
 *
 *	A daemon's session process that has finished its connection and
 *	can serve another says so with handoff_ready(), a request with
 *	the flag 'r' and no id, after every delivery request it made;
 *	handoff_read() returns 2 for it.
 *
 *	The parent that handoff_split() leaves behind exits as its child
 *	did; a child killed by a signal other than SIGPIPE is logged to
 *	the main and panic logs ("process N crashed with signal S (NAME)
 *	while receiving a message"), and the parent then dies from the
 *	same signal.
 * DIAGNOSTICS
 *	A malformed request is logged to the main and panic logs
 *	("handoff: malformed delivery request"); a fork that fails is
 *	logged as "ID fork of a delivery process failed: reason".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deliver/deliver.h"
#include "log/log.h"
#include "priv/handoff.h"
#include "priv/priv.h"
#include "spool/spool_path.h"

struct request {
    char wait_for;
    char id[MSGID_LEN + 1];
};

static int handoff_fd = -1;
static int split_panic_to_stderr;

void
handoff_set_fd(int fd)
{
    handoff_fd = fd;
}

int
handoff_active(void)
{
    return handoff_fd >= 0;
}

/* Writes one request: the flag and id (empty for none). 0, or -1. */
static int
request_send(char flag, const char *id)
{
    struct request r;
    ssize_t n;

    memset(&r, 0, sizeof(r));
    r.wait_for = flag;
    if (strlen(id) > MSGID_LEN)
        return -1;
    memcpy(r.id, id, strlen(id));
    while ((n = write(handoff_fd, &r, sizeof(r))) < 0 && errno == EINTR)
        ;
    return n == (ssize_t)sizeof(r) ? 0 : -1;
}

int
handoff_request(const char *id, int wait_for)
{
    char ack;
    ssize_t n;

    if (request_send(wait_for ? 'w' : '-', id) < 0)
        return -1;
    if (!wait_for)
        return 0;
    while ((n = read(handoff_fd, &ack, 1)) < 0 && errno == EINTR)
        ;
    return n == 1 ? 0 : -1;
}

int
handoff_ready(void)
{
    return request_send('r', "");
}

int
handoff_read(int fd, char *id, int *wait_for)
{
    struct request r;
    ssize_t n;

    while ((n = recv(fd, &r, sizeof(r), MSG_WAITALL)) < 0 && errno == EINTR)
        ;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n == 0)
        return -1;
    if (n == (ssize_t)sizeof(r) && r.wait_for == 'r' && r.id[0] == '\0')
        return 2;
    if (n != (ssize_t)sizeof(r) || r.id[MSGID_LEN] != '\0' ||
        (r.wait_for != 'w' && r.wait_for != '-') ||
        msgid_check(r.id, strlen(r.id)) == MSGID_INVALID) {
        log_write(LOG_MAIN | LOG_PANIC, "handoff: malformed delivery request");
        return -1;
    }
    memcpy(id, r.id, MSGID_LEN + 1);
    *wait_for = r.wait_for == 'w';
    return 1;
}

/* A delivery process keeps no descriptor of the parent's (keep, its
 * answer socket, apart; stderr too with keep_stderr), so that no client
 * or terminal waits for it; the descriptors modules keep from one
 * message to the next (the main log, the spool's) are forgotten first,
 * so that none is left pointing at a number that gets reused. */
void
handoff_detach(int keep, int keep_stderr)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGALRM, SIG_DFL);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        if (!keep_stderr)
            dup2(fd, 2);
    }
    spool_path_forget_dir();
    log_close_main();
    for (int i = 3; i < 1024; i++)
        if (i != keep)
            close(i);
}

pid_t
handoff_deliver(const char *id, int wait_for, int ack_fd, int keep_stderr)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) == 0) {
        handoff_detach(wait_for ? ack_fd : -1, keep_stderr);
        handoff_set_fd(-1);
        log_panic_to_stderr(keep_stderr);
        (void)deliver_message(id, 0);
        if (wait_for && write(ack_fd, "D", 1) < 0) {
            /* the reception process has gone: nobody to tell */
        }
        _exit(0);
    }
    if (pid < 0)
        log_write(LOG_MAIN | LOG_PANIC,
                  "%s fork of a delivery process failed: %s", id,
                  strerror(errno));
    return pid;
}

/* The parent's loop: requests until the child closes its end, then the
 * child's status. */
static int
serve(int fd, pid_t child)
{
    char id[MSGID_LEN + 1];
    int wait_for, status, r;

    while ((r = handoff_read(fd, id, &wait_for)) > 0)
        if (r == 1) /* (only a daemon's session process says it is ready) */
            (void)handoff_deliver(id, wait_for, fd,
                                  wait_for && split_panic_to_stderr);
    close(fd);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return 1;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig != SIGPIPE) /* a caller that stopped reading: no crash */
            log_write(LOG_MAIN | LOG_PANIC,
                      "process %d crashed with signal %d (%s) while "
                      "receiving a message",
                      (int)child, sig, strsignal(sig));
        signal(sig, SIG_DFL);
        raise(sig);
        return 128 + sig;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void
handoff_split(int panic_to_stderr)
{
    int sv[2];
    pid_t pid;

    if (!priv_is_root())
        return;
    split_panic_to_stderr = panic_to_stderr;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "cannot create the delivery socket: %s",
                  strerror(errno));
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "fork of a reception process failed: %s", strerror(errno));
        exit(1);
    }
    if (pid == 0) {
        close(sv[0]);
        priv_drop();
        handoff_set_fd(sv[1]);
        return;
    }
    close(sv[1]);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN); /* the child decides */
    priv_lower();
    exit(serve(sv[0], pid));
}
