/*++
 * NAME
 *	daemon 3
 * SUMMARY
 *	the listening daemon (-bd)
 * SYNOPSIS
 *	#include "smtp/modes.h"
 *
 *	int	smtp_mode_daemon(const struct daemon_opts *o)
 * DESCRIPTION
 *	The daemon listens on every address of local_interfaces and every
 *	port of -oX (or daemon_smtp_ports), each port given as a number or
 *	a service name, and forks one process per connection, which runs
 *	the SMTP session and exits. Unless -bdf is given it detaches
 *	first, as Exim does; -oP writes its pid to a file.
 *
 *	The session process is forked ahead of its connection: one spare
 *	(ps shows it as mxlab-spare) waits, with privilege dropped, for
 *	the daemon to pass it the next connection, and is replaced as
 *	soon as it has one; so a client does not wait for a fork before
 *	its greeting. Without a spare (the fork failed, or it died) the
 *	daemon forks for the connection as it comes. A session process
 *	that has served its connection can serve another
 *	(smtp_process_max_use, smtp_recycle()): it tells the daemon so on
 *	its socket and waits, idle like the spare, and the daemon hands
 *	the next connection to the idle process that came last, forking a
 *	spare only when none is left.
 *
 *	Before handing a connection on it enforces smtp_accept_max (too
 *	many connections: "421 Too many concurrent SMTP connections;
 *	please try again later") and smtp_accept_max_per_host, and logs
 *	the connection under +smtp_connection. Children are reaped as they
 *	end.
 *
 *	With -q<time> (-qf<time>, -qff<time>) it also starts a queue run
 *	(deliver_queue_run()) in a process of its own at start-up and
 *	every <time> after, unless queue_run_max (expanded at start-up)
 *	runs are still going; the start-up line names the option instead
 *	of "no queue runs".
 *
 *	SIGTERM stops the daemon: it closes its sockets, removes its pid
 *	file and exits; sessions in progress finish on their own. SIGHUP
 *	makes it start again from the beginning (exec), reading the
 *	configuration anew.
 * DIAGNOSTICS
 *	A port that cannot be bound is retried daemon_startup_retries
 *	times, daemon_startup_sleep apart, then the daemon gives up with
 *	a panic-log line and exit status 1.
 *--*/

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/msg.h"
#include "conf/mainopts.h"
#include "deliver/cli.h"
#include "expand/expand.h"
#include "log/log.h"
#include "priv/handoff.h"
#include "priv/priv.h"
#include "smtp/modes.h"
#include "smtp/recycle.h"
#include "smtp/smtp_int.h"
#include "smtp/tls.h"
#include "version.h"

#define LISTEN_MAX 32
#define CHILD_MAX  4096

struct listener {
    int fd;
    char *address;
    int port;
};

/* A session process (address set; fd: its delivery requests when it
 * runs as the exim user, else -1), or a delivery process (id set) or
 * queue runner (neither) that the daemon started. */
struct child {
    pid_t pid;
    char *address;
    int port;
    int fd;
    int ready; /* a session process that can take another connection */
    char id[MSGID_LEN + 1];
};

/* Delivery processes and queue runners, beside the sessions. No more
 * than JOB_MAX deliveries are started at once for what sessions accept
 * (so that a session cannot make the daemon fork without end). */
#define JOB_MAX 256
static struct child jobs[JOB_MAX];
static int njobs;

/* Idle session processes: the spare forked ahead of the next connection
 * (spare_start()) and those that have served a connection and asked for
 * another (take_back()). The last to come is the first used. */
#define IDLE_MAX 32
/* A process that has served a connection and waits this long for the
 * next exits (the spare forked ahead waits as long as it takes). */
#define IDLE_SECONDS 60
static struct idle {
    pid_t pid;
    int fd; /* the daemon's end of its socket */
} idle[IDLE_MAX];
static int nidle;

static volatile sig_atomic_t got_term, got_hup, got_chld;
static int signal_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
    int saved = errno;
    char c = (char)sig;

    if (sig == SIGTERM || sig == SIGINT)
        got_term = 1;
    else if (sig == SIGHUP)
        got_hup = 1;
    else if (sig == SIGCHLD)
        got_chld = 1;
    if (write(signal_pipe[1], &c, 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void
daemon_signals(void)
{
    struct sigaction sa;

    if (pipe(signal_pipe) == 0) {
        fcntl(signal_pipe[0], F_SETFL, O_NONBLOCK);
        fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK);
        fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
        fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int
port_number(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    struct servent *se;

    if (*s != '\0' && *end == '\0' && n > 0 && n < 65536)
        return (int)n;
    se = getservbyname(s, "tcp");
    return se ? ntohs((unsigned short)se->s_port) : -1;
}

static int
listen_one(struct arena *a, struct listener *l, const char *addr, int port,
           gstr *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1, fd, rc;

    memset(&ss, 0, sizeof(ss));
    if (strchr(addr, ':') != NULL) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
            goto bad;
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
            goto bad;
        len = sizeof(*s4);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        gstr_printf(err, "socket creation failed for [%s]:%d: %s", addr, port,
                    strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* As Exim: replies are written whole, so Nagle's algorithm would
     * only hold back the next one (accepted sockets inherit this). */
    if (main_config.tcp_nodelay)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    priv_raise(); /* ports below 1024 are root's */
    rc = bind(fd, (struct sockaddr *)&ss, len);
    priv_lower();
    if (rc < 0 || listen(fd, main_config.smtp_connect_backlog) < 0) {
        gstr_printf(err, "socket bind() to port %d for address %s failed: %s",
                    port, addr, strerror(errno));
        close(fd);
        return -1;
    }
    l->fd = fd;
    l->address = arena_strdup(a, addr);
    l->port = port;
    return 0;
bad:
    gstr_printf(err, "\"%s\" in local_interfaces is not an IP address", addr);
    return -1;
}

/* Opens every address x port; returns how many, or -1. */
static int
listen_all(struct arena *a, const char *ports, struct listener *ls, gstr *err)
{
    struct list_iter ai, pi;
    char *addr, *port;
    int n = 0;

    list_iter_init(&pi, ports, ports && strchr(ports, ',') ? ',' : ':');
    while ((port = list_next(&pi, a)) != NULL) {
        int pn = port_number(port);
        if (pn < 0) {
            gstr_printf(err, "invalid port \"%s\"", port);
            return -1;
        }
        list_iter_init(&ai, main_config.local_interfaces, ':');
        while ((addr = list_next(&ai, a)) != NULL) {
            if (*addr == '\0')
                continue;
            if (n == LISTEN_MAX) {
                gstr_printf(err, "too many listening sockets (max %d)",
                            LISTEN_MAX);
                return -1;
            }
            int tries = main_config.daemon_startup_retries;
            while (listen_one(a, &ls[n], addr, pn, err) < 0) {
                if (tries-- <= 0 || errno != EADDRINUSE)
                    return -1;
                log_write(LOG_MAIN, "%s: waiting %ds before trying again",
                          gstr_str(err), main_config.daemon_startup_sleep);
                gstr_truncate(err, 0);
                sleep((unsigned)main_config.daemon_startup_sleep);
            }
            n++;
        }
    }
    return n;
}

/* Exim's wording for a delivery process that dies from a signal
 * (queue.c, exim.c); Exim's daemon says nothing about a session
 * process, for which mxlab says the same in the same shape. */
static void
log_crash(const struct child *c, int status)
{
    int sig;

    if (!WIFSIGNALED(status))
        return;
    sig = WTERMSIG(status);
    if (c->address != NULL)
        log_write(LOG_MAIN | LOG_PANIC,
                  "process %d crashed with signal %d (%s) while handling "
                  "the SMTP connection from [%s]:%d",
                  (int)c->pid, sig, strsignal(sig), c->address, c->port);
    else if (c->id[0] != '\0')
        log_write(LOG_MAIN | LOG_PANIC,
                  "process %d crashed with signal %d while delivering %s",
                  (int)c->pid, sig, c->id);
    else
        log_write(LOG_MAIN | LOG_PANIC,
                  "queue run: process %d crashed with signal %d", (int)c->pid,
                  sig);
}

static void
job_add(pid_t pid, const char *id)
{
    if (pid <= 0 || njobs >= JOB_MAX)
        return;
    memset(&jobs[njobs], 0, sizeof(jobs[njobs]));
    jobs[njobs].pid = pid;
    jobs[njobs].fd = -1;
    if (id != NULL)
        memcpy(jobs[njobs].id, id, MSGID_LEN + 1);
    njobs++;
}

/* The delivery requests of a session process, read until nothing is
 * left (all of them once it has ended); a delivery process for each. */
static void
serve_requests(struct child *c)
{
    char id[MSGID_LEN + 1];
    int wait_for, r;

    while ((r = handoff_read(c->fd, id, &wait_for)) > 0) {
        if (r == 2) { /* done with its connection: take_back() */
            c->ready = 1;
            return;
        }
        if (njobs >= JOB_MAX) { /* the queue runs will deliver it */
            log_write(LOG_MAIN,
                      "%s delivery not started: %d delivery processes "
                      "running",
                      id, njobs);
            if (wait_for && write(c->fd, "D", 1) < 0) {
                /* the session has gone */
            }
            continue;
        }
        job_add(handoff_deliver(id, wait_for, c->fd, 0), id);
    }
    if (r < 0) {
        close(c->fd);
        c->fd = -1;
    }
}

static void
reap(struct child *kids, int *nkids)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < nidle; i++)
            if (idle[i].pid == pid) { /* it died waiting */
                close(idle[i].fd);
                idle[i] = idle[--nidle];
                break;
            }
        for (int i = 0; i < *nkids; i++)
            if (kids[i].pid == pid) {
                log_crash(&kids[i], status);
                if (kids[i].fd >= 0) {
                    serve_requests(&kids[i]);
                    if (kids[i].fd >= 0)
                        close(kids[i].fd);
                }
                free(kids[i].address);
                kids[i] = kids[--*nkids];
                break;
            }
        for (int i = 0; i < njobs; i++)
            if (jobs[i].pid == pid) {
                log_crash(&jobs[i], status);
                jobs[i] = jobs[--njobs];
                break;
            }
    }
}

static long
per_host_limit(struct smtp_session *probe)
{
    char *v;

    if (main_config.smtp_accept_max_per_host == NULL)
        return 0;
    if (expand_string(&probe->x, main_config.smtp_accept_max_per_host, &v,
                      NULL) != EXPAND_OK)
        return 0;
    return strtol(v, NULL, 10);
}

static void
sockaddr_text(const struct sockaddr_storage *ss, char *buf, size_t len,
              int *port)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
        *port = ntohs(s6->sin6_port);
        if (strncmp(buf, "::ffff:", 7) == 0 && strchr(buf + 7, '.') != NULL)
            memmove(buf, buf + 7, strlen(buf + 7) + 1);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)len);
        *port = ntohs(s4->sin_port);
    }
}

/* A process the daemon forked keeps none of the daemon's sockets and
 * takes the default signal actions. */
static void
child_leave_daemon(struct listener *ls, int nls, struct child *kids, int nkids)
{
    for (int i = 0; i < nls; i++)
        close(ls[i].fd);
    for (int i = 0; i < nkids; i++) /* other sessions' sockets */
        if (kids[i].fd >= 0)
            close(kids[i].fd);
    for (int i = 0; i < nidle; i++)
        close(idle[i].fd);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGINT, SIG_DFL);
}

/* What a session process does first, before it knows its connection:
 * it leaves the daemon and drops privilege (not one byte from a client
 * as root). */
static void
child_prepare(struct listener *ls, int nls, struct child *kids, int nkids)
{
    child_leave_daemon(ls, nls, kids, nkids);
    priv_drop();
}

/* Serves the connection fd. Returns when this process can serve
 * another (it has told the daemon so); otherwise it exits. */
static void
run_child(int fd, const char *addr, int port, int nconn, int handoff)
{
    struct smtp_session s;
    struct sockaddr_storage local;
    socklen_t len = sizeof(local);
    char iface[INET6_ADDRSTRLEN];
    int iport = 0, r;
    static int served;

    handoff_set_fd(handoff);
    smtp_session_init(&s, SMTP_MODE_DAEMON, fd, fd);
    s.host_address = arena_strdup(s.conn_arena, addr);
    s.host_port = port;
    s.connection_count = nconn;
    if (main_config.smtp_accept_keepalive) { /* as Exim's ip_keepalive() */
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    }
    if (getsockname(fd, (struct sockaddr *)&local, &len) == 0) {
        sockaddr_text(&local, iface, sizeof(iface), &iport);
        s.interface_address = arena_strdup(s.conn_arena, iface);
        s.interface_port = iport;
        s.tls_on_connect = smtp_tls_on_connect_port(iport);
    }
    if (log_selected(LS_smtp_connection) &&
        !smtp_host_in_opt(&s, hosts_connection_nolog))
        log_write(LOG_MAIN,
                  "SMTP connection from %s (TCP/IP connection count "
                  "= %d)",
                  smtp_host_and_ident(&s, 0), nconn);
    r = smtp_session_run(&s);
    close(fd);
    if (handoff >= 0 && ++served < main_config.smtp_process_max_use) {
        if (smtp_recycle(&s, r, handoff) == 0 && handoff_ready() == 0)
            return;
        _exit(r == 0 ? 0 : 1);
    }
    /* The process ends here and its memory with it: only the files a
     * session can leave (a BDAT message's temporary data) are seen to,
     * not the arenas (smtp_session_free()), which exit() takes apart
     * for nothing. */
    smtp_bdat_abort(&s);
    _exit(r == 0 ? 0 : 1);
}

/* An idle session process: forked ahead of its connection (the spare),
 * so that the fork is not in the time a client waits for its greeting
 * (on an idle machine it runs while the previous session is served),
 * or one that has served a connection and can serve another
 * (smtp_process_max_use, smtp_recycle()). It has dropped privilege and
 * waits on its socket for the daemon to pass a connection
 * (SCM_RIGHTS) with a struct handover; that socket is also its
 * delivery-request socket, as a forked session's is. When the daemon
 * goes (or re-execs), or has enough idle processes, the socket reaches
 * end-of-file and the process exits without a word; so does one that
 * has served a connection and waited IDLE_SECONDS for another (reap()
 * then takes it out of idle[]). */
struct handover {
    int requests; /* the daemon reads delivery requests (it is root) */
    int port;
    int nconn;
    char addr[INET6_ADDRSTRLEN];
};

/* A struct handover and the room for one descriptor, as one message. */
struct handover_msg {
    struct handover h;
    struct msghdr mh;
    struct iovec iov;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } cm;
};

static void
handover_msg_init(struct handover_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->iov.iov_base = &m->h;
    m->iov.iov_len = sizeof(m->h);
    m->mh.msg_iov = &m->iov;
    m->mh.msg_iovlen = 1;
    m->mh.msg_control = m->cm.buf;
    m->mh.msg_controllen = sizeof(m->cm.buf);
}

/* The next connection from the daemon, into *m; its descriptor, or -1
 * when the daemon has gone or none came within wait_ms (-1: no limit). */
static int
handover_take(int sock, struct handover_msg *m, int wait_ms)
{
    struct handover *hp = &m->h;
    struct pollfd p = {sock, POLLIN, 0};
    struct cmsghdr *c;
    size_t got = 0;
    ssize_t n;
    int fd = -1, r;

    while ((r = poll(&p, 1, wait_ms)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        return -1;
    /* Waited long enough: from now on the daemon's sendmsg() fails
     * (EPIPE) and it gives the connection to another process; one it
     * sent before is still read here and served. */
    if (r == 0)
        (void)shutdown(sock, SHUT_RD);
    handover_msg_init(m);
    do
        n = recvmsg(sock, &m->mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    for (c = CMSG_FIRSTHDR(&m->mh); c != NULL; c = CMSG_NXTHDR(&m->mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(c), sizeof(fd));
    got = (size_t)n;
    while (got < sizeof(*hp)) { /* a stream: the rest may come apart */
        n = read(sock, (char *)hp + got, sizeof(*hp) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    hp->addr[sizeof(hp->addr) - 1] = '\0';
    return fd;
}

/* Waits for connections and serves them. served: whether this process
 * has served one already (then it waits IDLE_SECONDS at most; the spare
 * as long as it takes). */
static void
spare_wait(int sock, int served)
{
    struct handover_msg m;
    char name[16] = "";
    int fd;

    /* named while idle, so that ps (and the scenario runner) can tell */
    prctl(PR_GET_NAME, name);
    if (!served)
        smtp_recycle_mark(-1);
    for (int wait_ms = served ? IDLE_SECONDS * 1000 : -1;;
         wait_ms = IDLE_SECONDS * 1000) {
        prctl(PR_SET_NAME, "mxlab-spare");
        if ((fd = handover_take(sock, &m, wait_ms)) < 0)
            _exit(0); /* the daemon has gone, has enough of us, or no
                       * connection came for a while */
        prctl(PR_SET_NAME, name);
        if (!m.h.requests && sock >= 0) { /* the daemon has closed its end */
            close(sock);
            sock = -1;
        }
        run_child(fd, m.h.addr, m.h.port, m.h.nconn, sock);
    }
}

static void
spare_start(struct listener *ls, int nls, struct child *kids, int nkids)
{
    int sv[2];
    pid_t pid;

    if (nidle > 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child_prepare(ls, nls, kids, nkids);
        spare_wait(sv[1], 0);
    }
    close(sv[1]);
    if (pid < 0) { /* the next connection forks its own */
        close(sv[0]);
        return;
    }
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    idle[nidle].pid = pid;
    idle[nidle++].fd = sv[0];
}

/* Session processes that said they can serve another connection
 * (serve_requests()) leave the sessions for the idle processes; when
 * there are enough of those, such a process is told to go instead (it
 * sees the end of its socket; reap() collects it). */
static void
take_back(struct child *kids, int *nkids)
{
    for (int i = 0; i < *nkids;) {
        if (!kids[i].ready) {
            i++;
            continue;
        }
        if (nidle < IDLE_MAX) {
            idle[nidle].pid = kids[i].pid;
            idle[nidle++].fd = kids[i].fd;
        } else
            close(kids[i].fd);
        free(kids[i].address);
        kids[i] = kids[--*nkids];
    }
}

/* Passes connection fd to the idle process that came last; 0, or -1
 * when there is none that can take it (one that cannot is told to go:
 * SIGTERM, and reap() collects it). *pid and *sock (the
 * delivery-request socket, or -1) are then the session's. */
static int
spare_use(int fd, const char *addr, int port, int nconn, pid_t *pid, int *sock)
{
    struct handover_msg m;
    struct cmsghdr *c;
    ssize_t n;

    handover_msg_init(&m);
    m.h.requests = priv_is_root();
    m.h.port = port;
    m.h.nconn = nconn;
    snprintf(m.h.addr, sizeof(m.h.addr), "%s", addr);
    c = CMSG_FIRSTHDR(&m.mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(fd));
    while (nidle > 0) {
        struct idle p = idle[--nidle];

        do
            n = sendmsg(p.fd, &m.mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof(m.h)) { /* it has died, or is stuck */
            kill(p.pid, SIGTERM);
            close(p.fd);
            continue;
        }
        *pid = p.pid;
        *sock = p.fd;
        if (!priv_is_root()) {
            close(*sock);
            *sock = -1;
        }
        return 0;
    }
    return -1;
}

static void
refuse(int fd, const char *text, const char *logtext)
{
    gstr g;
    struct arena *a = arena_create();

    gstr_init(&g, a);
    gstr_printf(&g, "421 %s\r\n", text); /* as Exim: no host name */
    if (write(fd, g.s, g.len) < 0) {
        /* the client has gone; nothing to tell it */
    }
    if (log_selected(LS_connection_reject))
        log_write(LOG_MAIN, "%s", logtext);
    close(fd);
    arena_destroy(a);
}

static void
accept_one(struct listener *l, struct child *kids, int *nkids,
           struct listener *ls, int nls)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char addr[INET6_ADDRSTRLEN];
    int port, fd, same = 0, sv[2] = {-1, -1};
    pid_t pid;

    fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    sockaddr_text(&ss, addr, sizeof(addr), &port);
    if (main_config.smtp_accept_max > 0 &&
        *nkids >= main_config.smtp_accept_max) {
        struct arena *a = arena_create();
        refuse(fd,
               "Too many concurrent SMTP connections; please try again "
               "later.",
               arena_printf(a,
                            "Connection from [%s] refused: too many "
                            "connections",
                            addr));
        arena_destroy(a);
        return;
    }
    for (int i = 0; i < *nkids; i++)
        same += strcmp(kids[i].address, addr) == 0;
    if (main_config.smtp_accept_max_per_host != NULL) {
        struct smtp_session probe;
        smtp_session_init(&probe, SMTP_MODE_DAEMON, -1, -1);
        probe.host_address = addr;
        smtp_set_host_vars(&probe);
        long max = per_host_limit(&probe);
        smtp_session_free(&probe);
        if (max > 0 && same >= max) {
            struct arena *a = arena_create();
            refuse(fd,
                   "Too many concurrent SMTP connections from this IP "
                   "address; please try again later.",
                   arena_printf(a,
                                "Connection from [%s] refused: too many "
                                "connections from that IP address",
                                addr));
            arena_destroy(a);
            return;
        }
    }
    if (*nkids >= CHILD_MAX) {
        refuse(fd,
               "Too many concurrent SMTP connections; please try again "
               "later.",
               "Connection refused: child table full");
        return;
    }
    if (spare_use(fd, addr, port, *nkids + 1, &pid, &sv[0]) == 0) {
        close(fd);
        goto started;
    }
    if (priv_is_root() &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "cannot create the delivery socket for [%s]: %s", addr,
                  strerror(errno));
        close(fd);
        return;
    }
    pid = fork();
    if (pid == 0) {
        if (sv[0] >= 0)
            close(sv[0]);
        child_prepare(ls, nls, kids, *nkids);
        smtp_recycle_mark(fd);
        run_child(fd, addr, port, *nkids + 1, sv[1]);
        spare_wait(sv[1], 1); /* served, and can serve another */
    }
    close(fd);
    if (sv[1] >= 0)
        close(sv[1]);
    if (pid < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "fork of SMTP process failed: %s",
                  strerror(errno));
        if (sv[0] >= 0)
            close(sv[0]);
        return;
    }
    if (sv[0] >= 0) /* (an idle process's socket is non-blocking already) */
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
started:
    kids[*nkids].pid = pid;
    kids[*nkids].address = strdup(addr);
    kids[*nkids].port = port;
    kids[*nkids].fd = sv[0];
    kids[*nkids].id[0] = '\0';
    kids[*nkids].ready = 0;
    (*nkids)++;
    spare_start(ls, nls, kids, *nkids); /* for the next connection */
}

/* Exim's rule: a listening daemon writes its pid unless -oX named its
 * ports without -oP; the file is -oP's, else pid_file_path, else
 * exim-daemon.pid in the spool directory. */
static const char *
daemon_pid_file(struct arena *a, const struct daemon_opts *o)
{
    if (o->pid_file != NULL)
        return o->pid_file;
    if (o->ports != NULL)
        return NULL;
    if (main_config.pid_file_path != NULL && *main_config.pid_file_path)
        return main_config.pid_file_path;
    return arena_printf(a, "%s/exim-daemon.pid", main_config.spool_directory);
}

static void
write_pid_file(const char *path)
{
    FILE *fp;

    if (path == NULL)
        return;
    priv_raise(); /* as Exim, the pid file is root's */
    fp = fopen(path, "w");
    priv_lower();
    if (fp == NULL) {
        log_write(LOG_MAIN | LOG_PANIC, "failed to write pid file %s: %s", path,
                  strerror(errno));
        return;
    }
    fprintf(fp, "%d\n", (int)getpid());
    fclose(fp);
}

static void
detach(void)
{
    pid_t pid = fork();

    if (pid < 0)
        msg_fatal("fork failed: %s", strerror(errno));
    if (pid > 0)
        _exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > 2)
            close(fd);
    }
}

static int
wildcard6(const char *a)
{
    return strcmp(a, "::0") == 0 || strcmp(a, "::") == 0;
}

/* Exim's description of what a daemon listens on: " port N (IPv6 and
 * IPv4)" for the two wildcards on one port, " port N (IPv6)" or " port N
 * (IPv4)" for one, " [ip]:N" for an address, " [ip]:{N,M}" for one
 * address on several ports; SMTP ports first, then " and for SMTPS on"
 * the tls_on_connect_ports. */
static void
describe_listeners(gstr *g, struct listener *ls, int n)
{
    int counted[2] = {0, 0};

    for (int j = 0; j < 2; j++) {
        size_t start = g->len;
        int first = 1;

        for (int i = 0; i < n; i++) {
            if ((smtp_tls_on_connect_port(ls[i].port) != 0) != (j > 0))
                continue;
            if (first) {
                gstr_adds(g, j == 0            ? "SMTP on"
                             : counted[0] == 0 ? "SMTPS on"
                                               : " and for SMTPS on");
                start = g->len;
                first = 0;
            }
            counted[j]++;
            if (wildcard6(ls[i].address)) {
                if (i + 1 < n && strcmp(ls[i + 1].address, "0.0.0.0") == 0 &&
                    ls[i + 1].port == ls[i].port) {
                    gstr_printf(g, " port %d (IPv6 and IPv4)", ls[i].port);
                    i++;
                } else
                    gstr_printf(g, " port %d (IPv6)", ls[i].port);
                continue;
            }
            if (strcmp(ls[i].address, "0.0.0.0") == 0) {
                gstr_printf(g, " port %d (IPv4)", ls[i].port);
                continue;
            }
            int seen = 0;
            for (int k = 0; k < i; k++)
                if ((smtp_tls_on_connect_port(ls[k].port) != 0) == (j > 0) &&
                    strcmp(ls[k].address, ls[i].address) == 0)
                    seen = 1;
            if (!seen) {
                gstr_printf(g, " [%s]:%d", ls[i].address, ls[i].port);
                for (int k = i + 1; k < n; k++)
                    if ((smtp_tls_on_connect_port(ls[k].port) != 0) ==
                            (j > 0) &&
                        strcmp(ls[k].address, ls[i].address) == 0) {
                        /* "[ip]:N" becomes "[ip]:{N,M...}" */
                        char *colon = strrchr(g->s + start, ':');
                        if (colon != NULL && colon[1] != '{') {
                            size_t at = (size_t)(colon + 1 - g->s);
                            char *port = arena_strdup(g->arena, colon + 1);
                            gstr_truncate(g, at);
                            gstr_printf(g, "{%s", port);
                        } else if (g->len > 0 && g->s[g->len - 1] == '}')
                            gstr_truncate(g, g->len - 1);
                        gstr_printf(g, ",%d}", ls[k].port);
                    }
            }
        }
    }
}

static void
log_started(const struct daemon_opts *o, struct listener *ls, int n)
{
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    describe_listeners(&g, ls, n);
    log_write(LOG_MAIN,
              "mxlab %s daemon started: pid=%d, %s, "
              "listening for %s",
              MXLAB_VERSION, (int)getpid(),
              o->queue_interval > 0 ? o->queue_text : "no queue runs",
              gstr_str(&g));
    arena_destroy(a);
}

/* What the daemon holds, given back before it returns (so that a
 * sanitizer build exits cleanly on SIGTERM). */
static void
daemon_free(struct arena *a, struct child *kids, int nkids)
{
    for (int i = 0; i < nidle; i++) /* each exits when it sees the end */
        close(idle[i].fd);
    for (int i = 0; i < nkids; i++)
        free(kids[i].address);
    free(kids);
    arena_destroy(a);
}

/* -q<time>: a queue runner process, which the daemon does not wait
 * for (reap() collects it). */
/* queue_run_max, expanded once when the daemon starts (as Exim does
 * for a value without "$"); 0 or less: no limit. */
static int
queue_run_limit(struct arena *a)
{
    struct expand_ctx x;
    char *v;
    gstr err;

    gstr_init(&err, a);
    expand_ctx_init(&x, a);
    if (expand_string(&x, main_config.queue_run_max, &v, &err) != EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC, "failed to expand queue_run_max: %s",
                  gstr_str(&err));
        return 0;
    }
    return atoi(v);
}

/* The queue runners running: the jobs that deliver no one message. */
static int
queue_runners(void)
{
    int n = 0;

    for (int i = 0; i < njobs; i++)
        n += jobs[i].id[0] == '\0';
    return n;
}

static void
start_queue_run(const struct daemon_opts *o, struct listener *ls, int nls,
                struct child *kids, int nkids, int limit)
{
    pid_t pid;

    if (limit > 0 && queue_runners() >= limit)
        return; /* as Exim: the run is skipped, unlogged */
    pid = fork();

    if (pid != 0) {
        if (pid < 0)
            log_write(LOG_MAIN | LOG_PANIC, "fork of queue runner failed: %s",
                      strerror(errno));
        job_add(pid, NULL);
        return;
    }
    child_leave_daemon(ls, nls, kids, nkids);
    _exit(deliver_queue_run(o->queue_flag));
}

int
smtp_mode_daemon(const struct daemon_opts *o)
{
    struct arena *a = arena_create();
    struct listener ls[LISTEN_MAX];
    static struct pollfd pfd[LISTEN_MAX + 1 + CHILD_MAX];
    static int pkid[CHILD_MAX];
    int npfd;
    struct child *kids = calloc(CHILD_MAX, sizeof(*kids));
    int nls, nkids = 0, qrun_max;
    time_t next_run;
    const char *pid_file;
    gstr err;

    gstr_init(&err, a);
    if (kids == NULL)
        msg_fatal("out of memory");
    if (smtp_tls_daemon_init() < 0) {
        daemon_free(a, kids, 0);
        return 1;
    }
    nls = listen_all(a, o->ports ? o->ports : main_config.daemon_smtp_ports, ls,
                     &err);
    if (nls <= 0) {
        if (nls == 0)
            gstr_adds(&err, "no addresses to listen on (local_interfaces)");
        log_write(LOG_MAIN | LOG_PANIC, "daemon: %s", gstr_str(&err));
        fprintf(stderr, "mxlab: daemon: %s\n", gstr_str(&err));
        daemon_free(a, kids, nkids);
        return 1;
    }
    /* After a SIGHUP the daemon execs itself; it is detached already. */
    if (!o->foreground && getenv("MXLAB_DAEMON_REEXEC") == NULL)
        detach();
    unsetenv("MXLAB_DAEMON_REEXEC");
    daemon_signals();
    /* After a SIGHUP: what the old daemon forked and did not reap (its
     * spare sees the end of its socket at the exec and exits). */
    reap(kids, &nkids);
    pid_file = daemon_pid_file(a, o);
    write_pid_file(pid_file);
    log_started(o, ls, nls);
    /* Each message's -H names the caller: looked up here once, not by
     * every session process for every message. */
    (void)priv_caller_login();
    next_run = o->queue_interval > 0 ? time(NULL) : 0;
    qrun_max = queue_run_limit(a);
    spare_start(ls, nls, kids, nkids);
    while (!got_term && !got_hup) {
        for (int i = 0; i < nls; i++) {
            pfd[i].fd = ls[i].fd;
            pfd[i].events = POLLIN;
        }
        pfd[nls].fd = signal_pipe[0];
        pfd[nls].events = POLLIN;
        npfd = nls + 1;
        for (int i = 0; i < nkids; i++)
            if (kids[i].fd >= 0) {
                pkid[npfd - nls - 1] = i;
                pfd[npfd].fd = kids[i].fd;
                pfd[npfd++].events = POLLIN;
            }
        if (next_run != 0 && time(NULL) >= next_run) {
            start_queue_run(o, ls, nls, kids, nkids, qrun_max);
            next_run = time(NULL) + o->queue_interval;
        }
        if (poll(pfd, (nfds_t)npfd,
                 next_run ? (int)(next_run - time(NULL)) * 1000 + 10 : -1) <
                0 &&
            errno != EINTR)
            break;
        if (pfd[nls].revents & POLLIN) {
            char buf[64];
            while (read(signal_pipe[0], buf, sizeof(buf)) > 0)
                ;
        }
        for (int i = nls + 1; i < npfd; i++)
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
                serve_requests(&kids[pkid[i - nls - 1]]);
        take_back(kids, &nkids);
        if (got_chld) {
            got_chld = 0;
            reap(kids, &nkids);
        }
        for (int i = 0; i < nls && !got_term && !got_hup; i++)
            if (pfd[i].revents & POLLIN)
                accept_one(&ls[i], kids, &nkids, ls, nls);
    }
    for (int i = 0; i < nls; i++)
        close(ls[i].fd);
    if (got_hup) {
        log_write(LOG_MAIN, "pid %d: SIGHUP received: re-exec daemon",
                  (int)getpid());
        setenv("MXLAB_DAEMON_REEXEC", "1", 1);
        priv_raise(); /* the new daemon starts as root again */
        /* as Exim, through exim_path (by default this binary) */
        execv(main_config.exim_path ? main_config.exim_path : "/proc/self/exe",
              o->argv);
        log_write(LOG_MAIN | LOG_PANIC, "re-exec of daemon failed: %s",
                  strerror(errno));
        return 1;
    }
    /* Exim (4.98.2 and the current one) ends on SIGTERM without a log
     * line. */
    if (pid_file != NULL) {
        priv_raise();
        unlink(pid_file);
        priv_lower();
    }
    daemon_free(a, kids, nkids);
    return 0;
}
