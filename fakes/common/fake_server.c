/*++
 * NAME
 *	fake_server 3
 * SUMMARY
 *	the daemon loop of a fake: listen, accept, fork, shut down
 * SYNOPSIS
 *	#include "fake_server.h"
 *
 *	typedef int (*fake_session_fn)(struct fake_conn *c, void *ctx);
 *
 *	int	fake_server_run(const struct fake_opts *o,
 *				fake_session_fn session, void *ctx)
 * DESCRIPTION
 *	fake_server_run() opens the transcript, listens on every address
 *	of o, writes the pid file (after listening, so a pid file means the
 *	fake is ready), and serves connections until SIGTERM or SIGINT.
 *
 *	Connections are numbered from 1 in the order they were accepted.
 *	Each is served by a child process of its own, which records
 *	"connection from PEER", applies the refuse and reset fault modes,
 *	else calls session() with the connection and ctx, records how the
 *	session ended (session returns a FAKE_IO_ result), closes the
 *	connection and exits. A connection accepted while an earlier one is
 *	still being served waits up to 200 ms for it to finish first, so a
 *	client that reconnects at once finds its connections recorded one
 *	after the other; connections that really overlap run in parallel.
 *
 *	With the nolisten fault mode nothing listens: the fake writes its
 *	pid file and waits for SIGTERM.
 *
 *	On SIGTERM the listeners are closed at once, the children are sent
 *	SIGTERM (they record "terminated" for a connection still open) and
 *	waited for (up to 5 s),
 *	the pid file is removed and 0 is returned.
 * DIAGNOSTICS
 *	Set-up failures (address in use, unwritable files) are fatal.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_buf.h"
#include "fake_listen.h"
#include "fake_msg.h"
#include "fake_server.h"
#include "fake_transcript.h"
#include "fake_wait.h"

struct fake_server {
    const struct fake_opts *opts;
    struct fake_listener listeners[FAKE_MAX_LISTEN];
    int nlisteners;
    int children;
    pid_t *pids;
    int npids;
    unsigned long nconn;
};

static void
fake_server_pid_file(const char *path)
{
    char text[32];
    int fd, n;

    if (path == NULL)
        return;
    n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, text, (size_t)n) != n || close(fd) != 0)
        fake_msg_fatal("pid file %s: %s", path, strerror(errno));
}

static void
fake_server_forget(struct fake_server *s, pid_t pid)
{
    int i;

    for (i = 0; i < s->children; i++) {
        if (s->pids[i] == pid) {
            s->pids[i] = s->pids[--s->children];
            return;
        }
    }
}

static void
fake_server_reap(struct fake_server *s)
{
    pid_t pid;

    fake_child_exited = 0;
    while (s->children > 0 && (pid = waitpid(-1, NULL, WNOHANG)) > 0)
        fake_server_forget(s, pid);
}

/* Lets a connection that is about to end record its end first. */
static void
fake_server_settle(struct fake_server *s)
{
    long long deadline = fake_now_ms() + 200;

    fake_server_reap(s);
    while (s->children > 0 && fake_now_ms() < deadline) {
        if (fake_sleep_ms(10) == FAKE_WAIT_TERM)
            return;
        fake_server_reap(s);
    }
}

static void
fake_server_child(struct fake_server *s, int fd, const char *peer,
                  fake_session_fn session, void *ctx)
{
    struct fake_conn c;
    struct linger lg = {1, 0};
    int i, rc;

    for (i = 0; i < s->nlisteners; i++)
        close(s->listeners[i].fd);
    fake_conn_init(&c, fd, s->nconn, s->opts->timeout_ms, &s->opts->fault);
    snprintf(c.peer, sizeof(c.peer), "%s", peer);
    fake_transcript_event(c.id, "connection from %s", peer);
    if (s->opts->fault.mode == FAKE_FAULT_REFUSE) {
        c.ended = 1;
        fake_transcript_event(c.id, "fault: refuse, closing at once");
    } else if (s->opts->fault.mode == FAKE_FAULT_RESET) {
        c.ended = 1;
        fake_transcript_event(c.id, "fault: reset, closing with RST");
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    } else {
        rc = session(&c, ctx);
        fake_conn_end(&c, rc);
    }
    fake_conn_close(&c);
    _exit(0);
}

static void
fake_server_accept(struct fake_server *s, int lfd, fake_session_fn session,
                   void *ctx)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    char peer[128];
    pid_t pid;
    int fd;

    if ((fd = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC)) < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
            fake_msg_warn("accept: %s", strerror(errno));
        return;
    }
    fake_listen_peer_name(&sa, len, peer, sizeof(peer));
    fake_server_settle(s);
    s->nconn++;
    if ((pid = fork()) < 0) {
        fake_msg_warn("fork: %s", strerror(errno));
        close(fd);
        return;
    }
    if (pid == 0)
        fake_server_child(s, fd, peer, session, ctx);
    if (s->children == s->npids) {
        s->npids = s->npids ? 2 * s->npids : 16;
        s->pids = fake_realloc(s->pids, (size_t)s->npids, sizeof(pid_t));
    }
    s->pids[s->children++] = pid;
    close(fd);
}

static void
fake_server_shutdown(struct fake_server *s)
{
    long long deadline = fake_now_ms() + 5000;
    int i;

    for (i = 0; i < s->nlisteners; i++)
        fake_listen_close(&s->listeners[i]);
    s->nlisteners = 0;
    for (i = 0; i < s->children; i++)
        kill(s->pids[i], SIGTERM);
    while (s->children > 0 && fake_now_ms() < deadline) {
        pid_t pid = waitpid(-1, NULL, WNOHANG);

        if (pid > 0)
            fake_server_forget(s, pid);
        else {
            struct timespec ts = {0, 10 * 1000 * 1000};

            nanosleep(&ts, NULL);
        }
    }
    if (s->opts->pid_file)
        unlink(s->opts->pid_file);
    free(s->pids);
}

int
fake_server_run(const struct fake_opts *o, fake_session_fn session, void *ctx)
{
    struct fake_server s;
    struct pollfd pfd[FAKE_MAX_LISTEN];
    int i;

    memset(&s, 0, sizeof(s));
    s.opts = o;
    fake_wait_init();
    fake_transcript_open(o->transcript);
    if (o->fault.mode != FAKE_FAULT_NOLISTEN) {
        for (i = 0; i < o->nlisten; i++) {
            fake_listen_open(o->listen[i], &s.listeners[i]);
            fcntl(s.listeners[i].fd, F_SETFL, O_NONBLOCK);
        }
        s.nlisteners = o->nlisten;
    }
    fake_server_pid_file(o->pid_file);
    while (!fake_terminating) {
        for (i = 0; i < s.nlisteners; i++) {
            pfd[i].fd = s.listeners[i].fd;
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        if (fake_wait_fds(pfd, s.nlisteners, -1) == FAKE_WAIT_TERM)
            break;
        fake_server_reap(&s);
        for (i = 0; i < s.nlisteners; i++)
            if (pfd[i].revents & POLLIN)
                fake_server_accept(&s, pfd[i].fd, session, ctx);
    }
    fake_server_shutdown(&s);
    return 0;
}
