/*++
 * NAME
 *	crash-test 1
 * SUMMARY
 *	kill the receiving MTA at random points, then check the spool
 * SYNOPSIS
 *	crash-test --mta PATH [--seed N] [--runs N] [--time-limit SECONDS]
 *		[--dir DIR] [--keep] [--verbose]
 * DESCRIPTION
 *	Checks DESIGN.md's "nothing acknowledged is lost" against an MTA
 *	with Exim's command line (-C, -bdf, -oX, -oP, -bp) and Exim's spool
 *	format. It starts the daemon in the foreground, in a process group
 *	of its own, listening on 127.0.0.1 with queue_only set, and then
 *	makes --runs runs. A run is one SMTP connection carrying one to
 *	three messages; every message but the last is sent whole and its
 *	250 read; during the last one the process that receives it is
 *	killed with SIGKILL at a point the run draws at random:
 *
 *	data	the session process, after a random number of bytes of
 *		the DATA payload (the terminating dot never complete),
 *	dot	the session process, a random time (0 to twice the time a
 *		commit takes, measured first) after the terminating dot,
 *		before the reply is read; whatever the process sent
 *		before it died is still read, so a 250 counts,
 *	acked	the session process, after its 250 was read,
 *	group	the daemon's whole process group, either during DATA or
 *		after the dot as above; the daemon is then started again.
 *
 *	The session process is the child of the daemon that holds the
 *	server side of the run's TCP connection, found through
 *	/proc/net/tcp and the children's descriptors.
 *
 *	Each message has a unique sender, crash-<run>-<n>@test.ex, and a
 *	body of random size up to 64 KB, random printable lines of which
 *	some are empty, "." or start with "."; it is regenerated from the
 *	seed when the spool is checked, so nothing is held in memory.
 *
 *	At the end the daemon gets SIGTERM and the spool is checked.
 *	Every <id>-H must parse (id line, sender, option lines, the
 *	non-recipients tree, the recipients, and headers whose lengths
 *	add up to the end of the file), belong to a message that was sent,
 *	and have a <id>-D whose body is exactly what was sent, after
 *	dot-unstuffing and with LF line ends, with as many lines as
 *	-body_linecount says. Every message that got a 250 must be there
 *	under the id of its 250. A message without a 250 may be there
 *	(the kill came after the commit) but only whole. A -D without an
 *	-H and the temporary files hdr.* (dat.* of older builds) may be
 *	left by a kill: the spool readers look for -H files only, and
 *	"-bp" must list exactly the messages found whole, without any
 *	spool format error.
 *	The daemon must have exited with status 0 on SIGTERM and written
 *	no sanitizer report on its standard error.
 *
 *	The result is one check per run plus one for the spool as a
 *	whole (calibration messages, -bp, the daemon's exit), ending with
 *	the line "crash: N passed, N failed". Given the same seed, the
 *	same runs are drawn (message sizes, contents, kinds and points of
 *	kill); the outcome of a kill near the commit depends on timing.
 *	If --time-limit (default 60 s) runs out first, fewer runs are
 *	made and the summary says so.
 * OPTIONS
 *	--mta PATH	the MTA binary (default build/mxlab)
 *	--seed N	seed for everything drawn (default 1)
 *	--runs N	number of runs, i.e. kills (default 200)
 *	--time-limit S	stop making runs after S seconds (default 60)
 *	--dir DIR	work here instead of a new temporary directory
 *	--mta-user NAME	give the directory to user NAME (and its group)
 *			before the MTA starts, for an MTA that drops root
 *			to its own user (Exim's exim_user, mxlab's "mxlab");
 *			needs root
 *	--keep		keep the directory even when everything passed
 *	--verbose	one line per run
 * DIAGNOSTICS
 *	Exit status 0 when every check passed, 1 when one failed, 2 when
 *	the test could not be set up (the daemon did not start, say).
 *	Each failure is printed with its run, its kind and what was wrong;
 *	the directory (configuration, spool, logs, the daemon's stderr) is
 *	kept.
 *--*/

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSGS      3     /* messages in one connection */
#define MAX_BODY      65536 /* body size drawn up to this */
#define IO_TIMEOUT_MS 10000 /* any single reply */
#define START_TIMEOUT 10000 /* daemon up, in ms */
#define CALIBRATION   5     /* messages timed before the runs */
#define CAL_RUN       0     /* run number of the calibration messages */
#define MSG_SLOTS     5     /* the larger of MAX_MSGS and CALIBRATION */

/* Growable byte string. */
struct buf {
    char *s;
    size_t len;
    size_t cap;
};

enum kill_kind { K_DATA, K_DOT, K_ACKED, K_GROUP, K_NKINDS };

static const char *const kind_name[K_NKINDS] = {"data", "dot", "acked",
                                                "group"};

struct msgrec {
    int acked;         /* a 250 was read for it */
    char id[64];       /* the id in the 250 */
    int found;         /* -H files naming its sender */
    char found_id[64]; /* the id of the (first) one */
};

struct run {
    enum kill_kind kind;
    int nmsgs;
    int group_at_dot; /* K_GROUP: after the dot, not during DATA */
    struct msgrec m[MSG_SLOTS];
    int done; /* the run was made */
    struct buf why;
};

struct daemon {
    const char *mta;
    const char *conf;
    const char *pidfile;
    const char *errfile;
    int port;
    pid_t pid;
    int restarts;
};

struct opts {
    const char *mta;
    const char *dir;
    uint64_t seed;
    int runs;
    int time_limit;
    int keep;
    int verbose;
    const char *mta_user;
};

/* What became of the last message of a run, the one the kill hit. */
enum outcome { O_ACKED, O_UNACKED_WHOLE, O_ABSENT, O_NOUTCOMES };

struct tally {
    int kills[K_NKINDS];
    int last[K_NKINDS][O_NOUTCOMES];
    int acked;
    int whole_unacked;
    int orphan_d;
    int temp_files;
    int other_files;
    int listed;
};

static struct run *runs;
static struct run calibration;
static struct opts opt = {"build/mxlab", NULL, 1, 200, 60, 0, 0, NULL};

/* Buffers. */

static void
buf_reserve(struct buf *b, size_t more)
{
    size_t cap;

    if (b->len + more + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->s = realloc(b->s, cap);
    if (b->s == NULL) {
        fprintf(stderr, "crash: out of memory\n");
        exit(2);
    }
    b->cap = cap;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void
buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    (void)vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->s != NULL)
        b->s[0] = '\0';
}

static void
buf_free(struct buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* snprintf for paths and file names: a truncated one is a set-up error. */
__attribute__((format(printf, 3, 4))) static void
path_fmt(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "crash: path too long: %s\n", out);
        exit(2);
    }
}

/* Notes a failure of a run: the first line of why is the run's verdict. */
__attribute__((format(printf, 2, 3))) static void
run_fail(struct run *r, const char *fmt, ...)
{
    va_list ap;
    char line[512];

    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (r->why.len > 0)
        buf_adds(&r->why, "; ");
    buf_adds(&r->why, line);
}

/* Randomness: splitmix64, so a run's draws depend only on the seed and
 * the run's number, not on what happened before it. */

static uint64_t
rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t
rng_below(uint64_t *s, uint64_t n)
{
    return n == 0 ? 0 : rng_next(s) % n;
}

static uint64_t
rng_for(int run, int msg, int purpose)
{
    uint64_t s = opt.seed * 0x2545f4914f6cdd1dULL;

    s ^= (uint64_t)run << 20 ^ (uint64_t)msg << 8 ^ (uint64_t)purpose;
    (void)rng_next(&s);
    return s;
}

/* Time. */

static long long
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_us(long long us)
{
    struct timespec ts;

    if (us <= 0)
        return;
    ts.tv_sec = us / 1000000;
    ts.tv_nsec = (us % 1000000) * 1000;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Messages. */

static void
msg_sender(char *out, size_t size, int run, int n)
{
    (void)snprintf(out, size, "crash-%d-%d@test.ex", run, n);
}

static void
random_text(uint64_t *s, struct buf *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf_addc(line, (char)(0x20 + rng_below(s, 0x7f - 0x20)));
}

/* One body line, drawn so that dots at the start of a line are common. */
static void
random_line(uint64_t *s, struct buf *line)
{
    uint64_t k = rng_below(s, 16);

    buf_reset(line);
    if (k == 0)
        buf_addc(line, '.');
    else if (k == 1)
        buf_adds(line, "..");
    else if (k == 2 || k == 3)
        buf_addc(line, '.');
    if (k == 0 || k == 4)
        return;
    random_text(s, line,
                rng_below(s, 32) == 0 ? rng_below(s, 900) : rng_below(s, 100));
}

/* The DATA payload as sent (wire: CRLF, dot-stuffed, with the final
 * dot) and the -D body expected (LF, unstuffed); either may be NULL. */
static void
msg_build(int run, int n, struct buf *wire, struct buf *body)
{
    uint64_t s = rng_for(run, n, 1);
    size_t size = rng_below(&s, 8) == 0 ? rng_below(&s, 200)
                                        : rng_below(&s, MAX_BODY + 1);
    struct buf line = {0};
    char sender[64];
    size_t have = 0;

    msg_sender(sender, sizeof(sender), run, n);
    if (wire != NULL)
        buf_printf(wire,
                   "From: <%s>\r\nTo: <rcpt@test.ex>\r\n"
                   "Subject: crash run %d message %d\r\n"
                   "Message-Id: <%s>\r\n\r\n",
                   sender, run, n, sender);
    while (have < size) {
        random_line(&s, &line);
        have += line.len + 1;
        if (body != NULL) {
            buf_add(body, line.s ? line.s : "", line.len);
            buf_addc(body, '\n');
        }
        if (wire != NULL) {
            if (line.len > 0 && line.s[0] == '.')
                buf_addc(wire, '.');
            buf_add(wire, line.s ? line.s : "", line.len);
            buf_adds(wire, "\r\n");
        }
    }
    if (wire != NULL)
        buf_adds(wire, ".\r\n");
    buf_free(&line);
}

/* The connection. */

static int
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Whether b ends with a complete final reply line ("ddd text\r\n"). */
static int
reply_complete(const struct buf *b)
{
    size_t end, start;

    if (b->len < 2 || b->s[b->len - 1] != '\n')
        return 0;
    end = b->len - 1;
    start = end;
    while (start > 0 && b->s[start - 1] != '\n')
        start--;
    return end - start >= 4 && isdigit((unsigned char)b->s[start]) &&
           b->s[start + 3] == ' ';
}

/* The code of the last line of a reply in r, or 0. */
static int
last_code(const struct buf *r)
{
    size_t start;

    if (!reply_complete(r))
        return 0;
    start = r->len - 1;
    while (start > 0 && r->s[start - 1] != '\n')
        start--;
    return atoi(r->s + start);
}

/* Reads one reply into r: its code, 0 on end of file, -1 on error or
 * time-out. With until_eof, reads everything up to end of file. */
static int
read_reply(int fd, struct buf *r, int until_eof)
{
    long long deadline = now_us() + IO_TIMEOUT_MS * 1000LL;

    buf_reset(r);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        char chunk[4096];
        long long left = (deadline - now_us()) / 1000;
        ssize_t n;

        if (!until_eof && reply_complete(r))
            return last_code(r);
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return -1;
        n = recv(fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return last_code(r);
        buf_add(r, chunk, (size_t)n);
    }
}

static int
tcp_connect(int port, int *local_port)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return -1;
    }
    *local_port = ntohs(a.sin_port);
    return fd;
}

/* Sends a command and reads its reply; the code, or -1. */
static int
command(int fd, const char *cmd, struct buf *r)
{
    struct buf c = {0};
    int rc;

    buf_printf(&c, "%s\r\n", cmd);
    rc = write_all(fd, c.s, c.len);
    buf_free(&c);
    if (rc < 0)
        return -1;
    return read_reply(fd, r, 0) > 0 ? last_code(r) : -1;
}

/* The id in "250 OK id=<id>", or 0. */
static int
reply_id(const struct buf *r, char *id, size_t size)
{
    const char *p = r->s ? strstr(r->s, "id=") : NULL;
    size_t n = 0;

    if (last_code(r) != 250 || p == NULL)
        return 0;
    p += 3;
    while (p[n] != '\0' && !isspace((unsigned char)p[n]))
        n++;
    if (n == 0 || n >= size)
        return 0;
    memcpy(id, p, n);
    id[n] = '\0';
    return 1;
}

/* The daemon. */

static int
read_file(const char *path, struct buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char chunk[65536];
    ssize_t n;

    buf_reset(b);
    if (fd < 0)
        return -1;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        buf_add(b, chunk, (size_t)n);
    close(fd);
    return n < 0 ? -1 : 0;
}

static int
free_port(void)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = -1;

    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Starts the daemon in the foreground in a process group of its own and
 * waits until its pid file names it (it listens before writing it). */
static int
daemon_start(struct daemon *d)
{
    char port[16];
    long long deadline = now_us() + START_TIMEOUT * 1000LL;
    struct buf pid = {0};
    pid_t p;

    (void)snprintf(port, sizeof(port), "%d", d->port);
    (void)unlink(d->pidfile);
    p = fork();
    if (p < 0)
        return -1;
    if (p == 0) {
        int fd = open(d->errfile, O_WRONLY | O_CREAT | O_APPEND, 0644);

        (void)setpgid(0, 0);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(d->mta, d->mta, "-C", d->conf, "-bdf", "-oX", port, "-oP",
              d->pidfile, (char *)NULL);
        fprintf(stderr, "crash: cannot run %s: %s\n", d->mta, strerror(errno));
        _exit(127);
    }
    (void)setpgid(p, p);
    d->pid = p;
    while (now_us() < deadline) {
        int status;

        if (read_file(d->pidfile, &pid) == 0 && atoi(pid.s ? pid.s : "") == p) {
            buf_free(&pid);
            return 0;
        }
        if (waitpid(p, &status, WNOHANG) == p) {
            d->pid = -1;
            break;
        }
        sleep_us(2000);
    }
    buf_free(&pid);
    if (d->pid > 0) {
        kill(-d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
        d->pid = -1;
    }
    return -1;
}

/* SIGTERM, then up to 5 s for a clean exit; its wait status, or -1 if it
 * had to be killed. */
static int
daemon_stop(struct daemon *d)
{
    long long deadline = now_us() + 5000000LL;
    int status = -1;

    if (d->pid <= 0)
        return -1;
    kill(d->pid, SIGTERM);
    while (now_us() < deadline) {
        siginfo_t si;

        /* Not reaped yet, so the group id cannot have been reused when
         * the session processes left behind are killed. */
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)d->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
                0 &&
            si.si_pid == d->pid) {
            kill(-d->pid, SIGKILL);
            waitpid(d->pid, &status, 0);
            d->pid = -1;
            return status;
        }
        sleep_us(5000);
    }
    kill(-d->pid, SIGKILL);
    waitpid(d->pid, NULL, 0);
    d->pid = -1;
    return -1;
}

/* The inode of the socket whose local port is lport and remote port
 * rport in /proc/net/tcp, or 0. */
static unsigned long
tcp_inode(int lport, int rport)
{
    FILE *fp = fopen("/proc/net/tcp", "r");
    char line[512];
    unsigned long inode = 0;

    if (fp == NULL)
        return 0;
    while (inode == 0 && fgets(line, sizeof(line), fp) != NULL) {
        unsigned int la, lp, ra, rp, st;
        unsigned long ino;

        if (sscanf(line, " %*d: %x:%x %x:%x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
                   &la, &lp, &ra, &rp, &st, &ino) == 6 &&
            (int)lp == lport && (int)rp == rport && st != 0x0a)
            inode = ino;
    }
    fclose(fp);
    return inode;
}

static int
holds_socket(pid_t pid, unsigned long inode)
{
    char path[64], link[128], want[64];
    struct dirent *de;
    DIR *d;
    int found = 0;

    path_fmt(path, sizeof(path), "/proc/%d/fd", (int)pid);
    (void)snprintf(want, sizeof(want), "socket:[%lu]", inode);
    if ((d = opendir(path)) == NULL)
        return 0;
    while (!found && (de = readdir(d)) != NULL) {
        char fdpath[400];
        ssize_t n;

        if (de->d_name[0] == '.')
            continue;
        path_fmt(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
        n = readlink(fdpath, link, sizeof(link) - 1);
        if (n > 0) {
            link[n] = '\0';
            found = strcmp(link, want) == 0;
        }
    }
    closedir(d);
    return found;
}

/* The children of pid, from /proc/<pid>/task/<pid>/children or, where
 * the kernel lacks it, from every process's parent. */
static size_t
children_of(pid_t pid, pid_t *out, size_t max)
{
    char path[64];
    struct buf b = {0};
    size_t n = 0;

    path_fmt(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
             (int)pid);
    if (read_file(path, &b) == 0) {
        char *p = b.s ? b.s : "";

        while (n < max && *p != '\0') {
            long v = strtol(p, &p, 10);

            if (v > 0)
                out[n++] = (pid_t)v;
            while (*p == ' ' || *p == '\n')
                p++;
        }
    } else {
        DIR *d = opendir("/proc");
        struct dirent *de;

        while (d != NULL && n < max && (de = readdir(d)) != NULL) {
            char stat[64], *rp;
            int ppid = 0;

            if (!isdigit((unsigned char)de->d_name[0]))
                continue;
            path_fmt(stat, sizeof(stat), "/proc/%s/stat", de->d_name);
            if (read_file(stat, &b) != 0 || b.s == NULL ||
                (rp = strrchr(b.s, ')')) == NULL ||
                sscanf(rp + 1, " %*c %d", &ppid) != 1)
                continue;
            if (ppid == pid)
                out[n++] = (pid_t)atoi(de->d_name);
        }
        if (d != NULL)
            closedir(d);
    }
    buf_free(&b);
    return n;
}

/* The daemon's child serving the connection from our port cport. */
static pid_t
session_process(const struct daemon *d, int cport)
{
    for (int tries = 0; tries < 200; tries++) {
        unsigned long inode = tcp_inode(d->port, cport);
        pid_t kids[256];
        size_t n = inode ? children_of(d->pid, kids, 256) : 0;

        for (size_t i = 0; i < n; i++)
            if (holds_socket(kids[i], inode))
                return kids[i];
        sleep_us(1000);
    }
    return -1;
}

/* One run. */

/* Sends whole messages 0..upto-1 of the run, each with its 250 read. */
static int
send_whole(int fd, int run_no, struct run *r, int from, int upto,
           long long *commit_us)
{
    struct buf reply = {0}, wire = {0};
    char cmd[128], sender[64];
    int rc = 0;

    for (int n = from; rc == 0 && n < upto; n++) {
        long long t;

        msg_sender(sender, sizeof(sender), run_no, n);
        buf_reset(&wire);
        msg_build(run_no, n, &wire, NULL);
        (void)snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", sender);
        if (command(fd, cmd, &reply) != 250 ||
            command(fd, "RCPT TO:<rcpt@test.ex>", &reply) != 250 ||
            command(fd, "DATA", &reply) != 354 ||
            write_all(fd, wire.s, wire.len) < 0) {
            run_fail(r, "message %d: unexpected reply before the kill: %.80s",
                     n, reply.s ? reply.s : "(none)");
            rc = -1;
            break;
        }
        t = now_us();
        if (read_reply(fd, &reply, 0) <= 0 ||
            !reply_id(&reply, r->m[n].id, sizeof(r->m[n].id))) {
            run_fail(r, "message %d: no 250 id= after the data: %.80s", n,
                     reply.s ? reply.s : "(none)");
            rc = -1;
            break;
        }
        r->m[n].acked = 1;
        if (commit_us != NULL)
            commit_us[n - from] = now_us() - t;
    }
    buf_free(&reply);
    buf_free(&wire);
    return rc;
}

static int
open_session(const struct daemon *d, struct run *r, int *cport)
{
    struct buf reply = {0};
    int fd = tcp_connect(d->port, cport);

    if (fd < 0) {
        run_fail(r, "cannot connect to port %d: %s", d->port, strerror(errno));
        return -1;
    }
    if (read_reply(fd, &reply, 0) != 220 ||
        command(fd, "EHLO crash.test.ex", &reply) != 250) {
        run_fail(r, "no greeting or EHLO refused: %.80s",
                 reply.s ? reply.s : "(none)");
        close(fd);
        fd = -1;
    }
    buf_free(&reply);
    return fd;
}

/* Kills what the run's kind says and reads what the session had sent
 * before it died; a 250 there acknowledges the last message. */
static void
do_kill(struct daemon *d, struct run *r, int fd, pid_t session)
{
    struct msgrec *last = &r->m[r->nmsgs - 1];
    struct buf reply = {0};

    if (r->kind == K_GROUP)
        kill(-d->pid, SIGKILL);
    else
        kill(session, SIGKILL);
    (void)read_reply(fd, &reply, 1);
    if (!last->acked && reply_id(&reply, last->id, sizeof(last->id)))
        last->acked = 1;
    if (r->kind == K_GROUP) {
        waitpid(d->pid, NULL, 0);
        d->pid = -1;
        d->restarts++;
        if (daemon_start(d) < 0)
            run_fail(r, "the daemon did not start again after the kill");
    }
    buf_free(&reply);
}

/* The last message: MAIL, RCPT, DATA, part or all of the payload, and
 * the kill at the drawn point. */
static void
send_last(struct daemon *d, int run_no, struct run *r, int fd, pid_t session,
          long long commit_us, uint64_t *s)
{
    int n = r->nmsgs - 1;
    int at_dot = r->kind == K_DOT || r->kind == K_ACKED ||
                 (r->kind == K_GROUP && r->group_at_dot);
    struct buf wire = {0}, reply = {0};
    char cmd[128], sender[64];
    size_t upto;

    msg_build(run_no, n, &wire, NULL);
    msg_sender(sender, sizeof(sender), run_no, n);
    (void)snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", sender);
    if (command(fd, cmd, &reply) != 250 ||
        command(fd, "RCPT TO:<rcpt@test.ex>", &reply) != 250 ||
        command(fd, "DATA", &reply) != 354) {
        run_fail(r, "message %d: unexpected reply before the kill: %.80s", n,
                 reply.s ? reply.s : "(none)");
        do_kill(d, r, fd, session);
        goto out;
    }
    if (at_dot)
        upto = wire.len;
    else if (rng_below(s, 4) == 0) /* near the end: inside the dot line */
        upto = wire.len - 1 - rng_below(s, wire.len < 5 ? wire.len : 5);
    else
        upto = rng_below(s, wire.len);
    (void)write_all(fd, wire.s, upto);
    if (r->kind == K_ACKED) {
        if (read_reply(fd, &reply, 0) <= 0 ||
            !reply_id(&reply, r->m[n].id, sizeof(r->m[n].id)))
            run_fail(r, "message %d: no 250 id= after the data: %.80s", n,
                     reply.s ? reply.s : "(none)");
        else
            r->m[n].acked = 1;
        sleep_us((long long)rng_below(s, 2000));
    } else if (at_dot) {
        sleep_us((long long)rng_below(s, (uint64_t)(2 * commit_us + 1)));
    } else {
        sleep_us((long long)rng_below(s, 1000));
    }
    do_kill(d, r, fd, session);
out:
    buf_free(&wire);
    buf_free(&reply);
}

static void
draw_run(int run_no, struct run *r, uint64_t *s)
{
    uint64_t k = rng_below(s, 20);

    r->kind = k < 8 ? K_DATA : k < 14 ? K_DOT : k < 17 ? K_ACKED : K_GROUP;
    r->group_at_dot = (int)rng_below(s, 2);
    r->nmsgs = rng_below(s, 4) == 0 ? 2 + (int)rng_below(s, MAX_MSGS - 1) : 1;
    (void)run_no;
}

static void
make_run(struct daemon *d, int run_no, struct run *r, long long commit_us)
{
    uint64_t s = rng_for(run_no, 0, 2);
    int fd, cport = 0;
    pid_t session;

    draw_run(run_no, r, &s);
    r->done = 1;
    if ((fd = open_session(d, r, &cport)) < 0)
        return;
    session = session_process(d, cport);
    if (session < 0) {
        run_fail(r, "cannot find the session process for port %d", cport);
        close(fd);
        return;
    }
    if (send_whole(fd, run_no, r, 0, r->nmsgs - 1, NULL) == 0)
        send_last(d, run_no, r, fd, session, commit_us, &s);
    else
        kill(session, SIGKILL);
    close(fd);
}

/* Times CALIBRATION commits (the dot to the 250); their median. */
static long long
calibrate(struct daemon *d)
{
    long long t[CALIBRATION];
    int fd, cport;
    struct buf reply = {0};

    calibration.nmsgs = CALIBRATION;
    calibration.done = 1;
    if ((fd = open_session(d, &calibration, &cport)) < 0)
        return -1;
    if (send_whole(fd, CAL_RUN, &calibration, 0, CALIBRATION, t) < 0) {
        close(fd);
        return -1;
    }
    (void)command(fd, "QUIT", &reply);
    close(fd);
    buf_free(&reply);
    for (int i = 1; i < CALIBRATION; i++)
        for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
            long long x = t[j];

            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    return t[CALIBRATION / 2];
}

/* Checking the spool. */

struct hfile {
    char sender[256];
    long linecount;
};

/* Next line of b from *pos, without its LF; NULL at the end. */
static const char *
next_line(const struct buf *b, size_t *pos, size_t *len)
{
    const char *start, *nl;

    if (*pos >= b->len)
        return NULL;
    start = b->s + *pos;
    nl = memchr(start, '\n', b->len - *pos);
    if (nl == NULL)
        return NULL; /* a last line without LF is a broken file */
    *len = (size_t)(nl - start);
    *pos += *len + 1;
    return start;
}

static int
line_is(const char *l, size_t len, const char *s)
{
    return l != NULL && len == strlen(s) && memcmp(l, s, len) == 0;
}

/* Exim's non-recipients tree: "XX" for none, else a node line whose
 * first two characters say whether a left and a right subtree follow. */
static int
skip_tree(const struct buf *b, size_t *pos, int depth)
{
    size_t len;
    const char *l = next_line(b, pos, &len);

    if (l == NULL || len < 2 || depth > 64)
        return -1;
    if (line_is(l, len, "XX"))
        return 0;
    if (len < 3 || !strchr("YN", l[0]) || !strchr("YN", l[1]) || l[2] != ' ')
        return -1;
    if (l[0] == 'Y' && skip_tree(b, pos, depth + 1) < 0)
        return -1;
    if (l[1] == 'Y' && skip_tree(b, pos, depth + 1) < 0)
        return -1;
    return 0;
}

/* "-aclc name len" (or -aclm, --aclc, --(quoter)aclc): the value of len
 * bytes and an LF follow. */
static int
skip_acl_value(const struct buf *b, size_t *pos, const char *l, size_t len)
{
    char opt_line[256];
    const char *acl;
    unsigned long vlen;

    if (len >= sizeof(opt_line))
        return -1;
    memcpy(opt_line, l, len);
    opt_line[len] = '\0';
    acl = strstr(opt_line, "acl");
    if (acl == NULL || (acl[3] != 'c' && acl[3] != 'm') || acl[4] != ' ')
        return 0;
    if (sscanf(acl + 5, "%*s %lu", &vlen) != 1 || *pos + vlen + 1 > b->len ||
        b->s[*pos + vlen] != '\n')
        return -1;
    *pos += vlen + 1;
    return 0;
}

/* Parses an -H file; on failure why says where. */
static int
parse_h(const struct buf *b, const char *id, struct hfile *h, struct buf *why)
{
    size_t pos = 0, len = 0;
    const char *l;
    char want[80];
    long nrcpt;

    h->linecount = -1;
    (void)snprintf(want, sizeof(want), "%s-H", id);
    l = next_line(b, &pos, &len);
    if (!line_is(l, len, want))
        return buf_adds(why, "first line is not the id"), -1;
    if (next_line(b, &pos, &len) == NULL) /* login uid gid */
        return buf_adds(why, "no login line"), -1;
    l = next_line(b, &pos, &len);
    if (l == NULL || len < 2 || l[0] != '<' || l[len - 1] != '>' ||
        len - 2 >= sizeof(h->sender))
        return buf_adds(why, "no <sender> line"), -1;
    memcpy(h->sender, l + 1, len - 2);
    h->sender[len - 2] = '\0';
    l = next_line(b, &pos, &len);
    if (l == NULL || !isdigit((unsigned char)l[0]))
        return buf_adds(why, "no time line"), -1;
    while ((l = next_line(b, &pos, &len)) != NULL && len > 0 && l[0] == '-') {
        if (len > 16 && memcmp(l, "-body_linecount ", 16) == 0)
            h->linecount = strtol(l + 16, NULL, 10);
        if (skip_acl_value(b, &pos, l, len) < 0)
            return buf_adds(why, "bad ACL variable line"), -1;
    }
    if (l == NULL)
        return buf_adds(why, "ends in the option lines"), -1;
    pos -= len + 1; /* the tree's first line */
    if (skip_tree(b, &pos, 0) < 0)
        return buf_adds(why, "bad non-recipients tree"), -1;
    l = next_line(b, &pos, &len);
    if (l == NULL || (nrcpt = strtol(l, NULL, 10)) <= 0)
        return buf_adds(why, "no recipient count"), -1;
    for (long i = 0; i < nrcpt; i++)
        if ((l = next_line(b, &pos, &len)) == NULL || len == 0)
            return buf_printf(why, "recipient %ld missing", i + 1), -1;
    l = next_line(b, &pos, &len);
    if (!line_is(l, len, ""))
        return buf_adds(why, "no empty line after the recipients"), -1;
    while (pos < b->len) { /* "%03d%c %s": length, flag, space, text */
        char *end;
        unsigned long hlen = strtoul(b->s + pos, &end, 10);
        size_t text = (size_t)(end - b->s) + 2;

        if (end == b->s + pos || text > b->len || end[1] != ' ' || hlen == 0 ||
            hlen > b->len - text || b->s[text + hlen - 1] != '\n')
            return buf_printf(why, "header at byte %zu is cut short", pos), -1;
        pos = text + hlen;
    }
    if (h->linecount < 0)
        return buf_adds(why, "no -body_linecount"), -1;
    return 0;
}

/* Which run and message a sender names; 0 if none. */
static struct run *
run_of_sender(const char *sender, int *n)
{
    int run_no, k, used = 0;

    if (sscanf(sender, "crash-%d-%d@test.ex%n", &run_no, &k, &used) != 2 ||
        (size_t)used != strlen(sender) || k < 0 || k >= MSG_SLOTS)
        return NULL;
    *n = k;
    if (run_no == CAL_RUN)
        return k < calibration.nmsgs ? &calibration : NULL;
    if (run_no < 1 || run_no > opt.runs || !runs[run_no - 1].done ||
        k >= runs[run_no - 1].nmsgs)
        return NULL;
    return &runs[run_no - 1];
}

/* The -D matches the body sent and the -H's line count. */
static void
check_d(const char *path, const char *id, int run_no, int n, long linecount,
        struct run *r)
{
    struct buf d = {0}, want = {0};
    size_t idlen = strlen(id);
    long lines = 0;

    if (read_file(path, &d) < 0) {
        run_fail(r, "message %d: %s-H without its -D", n, id);
        goto out;
    }
    buf_printf(&want, "%s-D\n", id);
    msg_build(run_no, n, NULL, &want);
    if (d.len != want.len || memcmp(d.s, want.s, d.len) != 0) {
        size_t i = 0;

        while (i < d.len && i < want.len && d.s[i] == want.s[i])
            i++;
        run_fail(r,
                 "message %d: %s-D differs from what was sent at byte %zu "
                 "(%zu bytes, %zu expected)",
                 n, id, i, d.len, want.len);
        goto out;
    }
    for (size_t i = idlen + 3; i < d.len; i++)
        lines += d.s[i] == '\n';
    if (lines != linecount)
        run_fail(r, "message %d: -body_linecount %ld, the -D has %ld lines", n,
                 linecount, lines);
out:
    buf_free(&d);
    buf_free(&want);
}

static int
is_id(const char *s, size_t len)
{
    if (len != 23 || s[6] != '-' || s[18] != '-')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (i != 6 && i != 18 && !isalnum((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Ids of the -H files found whole, for comparing with -bp. */
struct idset {
    char (*v)[32];
    size_t n;
    size_t cap;
};

static void
idset_add(struct idset *set, const char *id)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 256;
        set->v = realloc(set->v, set->cap * sizeof(*set->v));
        if (set->v == NULL)
            exit(2);
    }
    (void)snprintf(set->v[set->n++], sizeof(set->v[0]), "%s", id);
}

static int
idset_has(const struct idset *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i], id) == 0)
            return 1;
    return 0;
}

/* One -H file: parsed, matched to its message, its -D compared. */
static void
check_h(const char *dir, const char *id, struct buf *global,
        struct idset *whole)
{
    struct buf b = {0}, why = {0};
    struct hfile h;
    struct run *r;
    char path[PATH_MAX];
    int n = 0, run_no;

    path_fmt(path, sizeof(path), "%s/%s-H", dir, id);
    if (read_file(path, &b) < 0 || parse_h(&b, id, &h, &why) < 0) {
        buf_printf(global, "%s-H does not parse: %s; ", id,
                   why.s ? why.s : strerror(errno));
        goto out;
    }
    if ((r = run_of_sender(h.sender, &n)) == NULL) {
        buf_printf(global, "%s-H has a sender no run sent: <%s>; ", id,
                   h.sender);
        goto out;
    }
    run_no = r == &calibration ? CAL_RUN : (int)(r - runs) + 1;
    if (r->m[n].found++ == 0)
        (void)snprintf(r->m[n].found_id, sizeof(r->m[n].found_id), "%s", id);
    else
        run_fail(r, "message %d is in the spool twice (%s and %s)", n,
                 r->m[n].found_id, id);
    path_fmt(path, sizeof(path), "%s/%s-D", dir, id);
    size_t before = r->why.len;
    check_d(path, id, run_no, n, h.linecount, r);
    if (r->why.len == before)
        idset_add(whole, id);
out:
    buf_free(&b);
    buf_free(&why);
}

/* Every -H in one spool input directory; counts the rest. */
static int
scan_dir(const char *dir, struct buf *global, struct idset *whole,
         struct tally *t, char *subdirs, size_t *nsub)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t len = strlen(name);
        char hpath[PATH_MAX];
        struct stat st;

        if (name[0] == '.')
            continue;
        if (subdirs != NULL && len == 1) {
            subdirs[(*nsub)++] = name[0];
            continue;
        }
        if (len == 25 && is_id(name, 23) && strcmp(name + 23, "-H") == 0) {
            char id[24];

            memcpy(id, name, 23);
            id[23] = '\0';
            check_h(dir, id, global, whole);
        } else if (len == 25 && is_id(name, 23) &&
                   strcmp(name + 23, "-D") == 0) {
            path_fmt(hpath, sizeof(hpath), "%s/%.23s-H", dir, name);
            t->orphan_d += stat(hpath, &st) < 0;
        } else if (strncmp(name, "dat.", 4) == 0 ||
                   strncmp(name, "hdr.", 4) == 0) {
            t->temp_files++;
        } else {
            t->other_files++;
            if (opt.verbose)
                printf("crash: other file in the spool: %s/%s\n", dir, name);
        }
    }
    closedir(d);
    return 0;
}

/* Runs "mta -C conf -bp" and checks that it lists exactly the messages
 * found whole, with no spool format error. */
static void
check_listing(const struct daemon *d, const struct idset *whole,
              struct buf *global, struct tally *t)
{
    char cmd[PATH_MAX * 2 + 64];
    char line[1024];
    FILE *fp;
    int listed_missing = 0;
    size_t listed = 0;

    (void)snprintf(cmd, sizeof(cmd), "'%s' -C '%s' -bp 2>&1", d->mta, d->conf);
    if ((fp = popen(cmd, "r")) == NULL) {
        buf_adds(global, "cannot run -bp; ");
        return;
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
        char age[16], size[16], id[64];

        if (strstr(line, "spool format error") != NULL)
            buf_printf(global, "-bp: %s", line);
        if (sscanf(line, "%15s %15s %63s", age, size, id) != 3 ||
            !is_id(id, strlen(id)))
            continue;
        listed++;
        if (!idset_has(whole, id)) {
            if (listed_missing++ < 5)
                buf_printf(global, "-bp lists %s, which is not whole; ", id);
        }
    }
    if (pclose(fp) != 0)
        buf_adds(global, "-bp failed; ");
    if (listed != whole->n)
        buf_printf(global, "-bp lists %zu messages, %zu are whole; ", listed,
                   whole->n);
    t->listed = (int)listed;
}

/* Whether every acknowledged message is there; tallies the rest. */
static void
check_acked(struct run *r, int run_no, struct tally *t)
{
    for (int n = 0; n < r->nmsgs; n++) {
        struct msgrec *m = &r->m[n];

        if (m->acked) {
            t->acked++;
            if (m->found == 0)
                run_fail(r, "message %d got 250 id=%s but is not in the spool",
                         n, m->id);
            else if (strcmp(m->id, m->found_id) != 0)
                run_fail(r,
                         "message %d got 250 id=%s but is in the spool as %s",
                         n, m->id, m->found_id);
        } else if (m->found > 0) {
            t->whole_unacked++;
        }
    }
    if (r != &calibration && r->nmsgs > 0) {
        const struct msgrec *m = &r->m[r->nmsgs - 1];

        t->last[r->kind][m->acked       ? O_ACKED
                         : m->found > 0 ? O_UNACKED_WHOLE
                                        : O_ABSENT]++;
    }
    (void)run_no;
}

static void
check_spool(const struct daemon *d, const char *spool, struct buf *global,
            struct tally *t)
{
    struct idset whole = {0};
    char input[PATH_MAX], subdirs[64], sub[PATH_MAX];
    size_t nsub = 0;

    path_fmt(input, sizeof(input), "%s/input", spool);
    if (scan_dir(input, global, &whole, t, subdirs, &nsub) < 0)
        buf_printf(global, "cannot read %s: %s; ", input, strerror(errno));
    for (size_t i = 0; i < nsub; i++) {
        path_fmt(sub, sizeof(sub), "%s/%c", input, subdirs[i]);
        (void)scan_dir(sub, global, &whole, t, NULL, NULL);
    }
    check_acked(&calibration, CAL_RUN, t);
    for (int i = 0; i < opt.runs; i++)
        if (runs[i].done)
            check_acked(&runs[i], i + 1, t);
    check_listing(d, &whole, global, t);
    free(whole.v);
}

/* Set-up and the summary. */

/* A private copy of the MTA, so that a rebuild of the original during
 * the test (make in another shell) cannot stop the daemon restarting. */
static int
copy_binary(const char *from, const char *to)
{
    struct buf b = {0};
    int fd, rc = -1;

    if (read_file(from, &b) == 0 && b.len > 0 &&
        (fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755)) >= 0) {
        rc = write(fd, b.s, b.len) == (ssize_t)b.len ? 0 : -1;
        if (close(fd) < 0)
            rc = -1;
    }
    buf_free(&b);
    return rc;
}

static int
write_conf(const char *path, const char *spool)
{
    FILE *fp = fopen(path, "w");

    if (fp == NULL)
        return -1;
    fprintf(fp,
            "# crash-test: accept everything, deliver nothing\n"
            "primary_hostname = mx.test.ex\n"
            "spool_directory = %s\n"
            "local_interfaces = 127.0.0.1\n"
            "acl_smtp_rcpt = accept\n"
            "queue_only = true\n"
            "log_selector = +pid +smtp_connection\n",
            spool);
    return fclose(fp);
}

/* --mta-user: the directory and what is in it so far belong to the
 * user the MTA drops to, so that it can make its spool there. */
static int
give_to_mta_user(const char *dir, const char *conf, const char *mta)
{
    struct passwd *pw;

    if (opt.mta_user == NULL || *opt.mta_user == '\0')
        return 0;
    if ((pw = getpwnam(opt.mta_user)) == NULL) {
        errno = ENOENT;
        return -1;
    }
    if (chown(dir, pw->pw_uid, pw->pw_gid) != 0 ||
        chown(conf, pw->pw_uid, pw->pw_gid) != 0 ||
        chown(mta, pw->pw_uid, pw->pw_gid) != 0)
        return -1;
    return 0;
}

static void
usage(void)
{
    fprintf(stderr, "usage: crash-test [--mta PATH] [--seed N] [--runs N] "
                    "[--time-limit SECONDS] [--dir DIR] [--mta-user NAME] "
                    "[--keep] "
                    "[--verbose]\n");
    exit(2);
}

static void
parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--help") == 0) {
            printf("usage: crash-test [--mta PATH] [--seed N] [--runs N] "
                   "[--time-limit SECONDS] [--dir DIR]\n"
                   "                  [--mta-user NAME] [--keep] "
                   "[-v|--verbose]\n"
                   "SIGKILL the receiving MTA at random points of DATA, then "
                   "check that every\nacknowledged message is whole on the "
                   "spool; see crash-test(1).\n");
            exit(0);
        } else if (strcmp(a, "--keep") == 0)
            opt.keep = 1;
        else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
            opt.verbose = 1;
        else if (v == NULL)
            usage();
        else if (strcmp(a, "--mta") == 0)
            opt.mta = argv[++i];
        else if (strcmp(a, "--dir") == 0)
            opt.dir = argv[++i];
        else if (strcmp(a, "--mta-user") == 0)
            opt.mta_user = argv[++i];
        else if (strcmp(a, "--seed") == 0)
            opt.seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--runs") == 0)
            opt.runs = atoi(argv[++i]);
        else if (strcmp(a, "--time-limit") == 0)
            opt.time_limit = atoi(argv[++i]);
        else
            usage();
    }
    if (opt.runs < 1 || opt.time_limit < 1)
        usage();
}

static void
report(const struct tally *t, int made, int failed, const struct buf *global,
       int restarts, int timed_out)
{
    int kills = 0;

    for (int k = 0; k < K_NKINDS; k++)
        kills += t->kills[k];
    for (int i = 0; i < opt.runs; i++)
        if (runs[i].why.len > 0)
            printf("crash: FAIL run %d (%s, %d message%s): %s\n", i + 1,
                   kind_name[runs[i].kind], runs[i].nmsgs,
                   runs[i].nmsgs > 1 ? "s" : "", runs[i].why.s);
    if (calibration.why.len > 0)
        printf("crash: FAIL calibration: %s\n", calibration.why.s);
    if (global->len > 0)
        printf("crash: FAIL spool: %s\n", global->s);
    printf("crash: seed %llu, %d runs, %d kills (%d during DATA, %d after "
           "the dot, %d after the 250, %d of the daemon's group, which was "
           "restarted %d times)\n",
           (unsigned long long)opt.seed, made, kills, t->kills[K_DATA],
           t->kills[K_DOT], t->kills[K_ACKED], t->kills[K_GROUP], restarts);
    for (int k = 0; k < K_NKINDS; k++)
        printf("crash: killed %-5s %3d times: the message killed %d times "
               "acknowledged, %d times whole without a 250, %d times absent\n",
               kind_name[k], t->kills[k], t->last[k][O_ACKED],
               t->last[k][O_UNACKED_WHOLE], t->last[k][O_ABSENT]);
    if (made < opt.runs && timed_out)
        printf("crash: time limit of %d s reached after %d of %d runs\n",
               opt.time_limit, made, opt.runs);
    else if (made < opt.runs)
        printf("crash: stopped after %d of %d runs: no daemon\n", made,
               opt.runs);
    printf("crash: %d acknowledged messages; %d whole in the spool without a "
           "250; left by kills and ignored by the readers: %d -D without -H, "
           "%d temporary files; %d other files; -bp lists %d\n",
           t->acked, t->whole_unacked, t->orphan_d, t->temp_files,
           t->other_files, t->listed);
    printf("crash: %d passed, %d failed\n", made + 1 - failed, failed);
}

int
main(int argc, char **argv)
{
    char tmpl[] = "/tmp/mxlab-crash.XXXXXX";
    char conf[PATH_MAX], spool[PATH_MAX], pidf[PATH_MAX], errf[PATH_MAX];
    char mta[PATH_MAX];
    struct daemon d = {0};
    struct tally t;
    struct buf global = {0}, err = {0};
    long long start, commit_us;
    int made = 0, failed = 0, status, timed_out = 0;
    const char *dir;

    memset(&t, 0, sizeof(t));
    parse_args(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    dir = opt.dir;
    if (dir == NULL && (dir = mkdtemp(tmpl)) == NULL) {
        perror("crash: mkdtemp");
        return 2;
    }
    (void)mkdir(dir, 0755);
    path_fmt(conf, sizeof(conf), "%s/crash.conf", dir);
    path_fmt(spool, sizeof(spool), "%s/spool", dir);
    path_fmt(pidf, sizeof(pidf), "%s/daemon.pid", dir);
    path_fmt(errf, sizeof(errf), "%s/daemon.stderr", dir);
    path_fmt(mta, sizeof(mta), "%s/mta", dir);
    runs = calloc((size_t)opt.runs, sizeof(*runs));
    if (runs == NULL || write_conf(conf, spool) != 0 ||
        copy_binary(opt.mta, mta) != 0) {
        fprintf(stderr, "crash: cannot set up %s\n", dir);
        return 2;
    }
    if (give_to_mta_user(dir, conf, mta) != 0) {
        fprintf(stderr, "crash: cannot give %s to %s: %s\n", dir, opt.mta_user,
                strerror(errno));
        return 2;
    }
    d.mta = mta;
    d.conf = conf;
    d.pidfile = pidf;
    d.errfile = errf;
    d.port = free_port();
    if (daemon_start(&d) < 0) {
        fprintf(stderr, "crash: %s -bdf did not start (see %s)\n", opt.mta,
                errf);
        return 2;
    }
    start = now_us();
    commit_us = calibrate(&d);
    if (commit_us < 0) {
        fprintf(stderr, "crash: calibration failed: %s\n",
                calibration.why.s ? calibration.why.s : "?");
        daemon_stop(&d);
        return 2;
    }
    printf("crash: seed %llu, %s, commit takes %lld us, %s\n",
           (unsigned long long)opt.seed, opt.mta, commit_us, dir);
    for (int i = 0; i < opt.runs && d.pid > 0; i++) {
        if (now_us() - start > opt.time_limit * 1000000LL) {
            timed_out = 1;
            break;
        }
        if (waitpid(d.pid, &status, WNOHANG) == d.pid) {
            buf_printf(&global,
                       "the daemon exited by itself before run %d "
                       "(wait status %#x); ",
                       i + 1, status);
            d.pid = -1;
            if (daemon_start(&d) < 0)
                break;
        }
        make_run(&d, i + 1, &runs[i], commit_us);
        t.kills[runs[i].kind]++;
        made++;
        if (opt.verbose)
            printf("crash: run %d: %s, %d message%s, last %s\n", i + 1,
                   kind_name[runs[i].kind], runs[i].nmsgs,
                   runs[i].nmsgs > 1 ? "s" : "",
                   runs[i].m[runs[i].nmsgs - 1].acked ? "acknowledged"
                                                      : "not acknowledged");
    }
    status = daemon_stop(&d);
    if (status != 0)
        buf_adds(&global, "the daemon did not exit with status 0 on SIGTERM; ");
    if (read_file(errf, &err) == 0 && err.s != NULL &&
        (strstr(err.s, "Sanitizer") || strstr(err.s, "runtime error")))
        buf_printf(&global, "sanitizer report in %s; ", errf);
    check_spool(&d, spool, &global, &t);
    for (int i = 0; i < made; i++)
        failed += runs[i].why.len > 0;
    failed += global.len > 0 || calibration.why.len > 0;
    report(&t, made, failed, &global, d.restarts, timed_out);
    if (failed == 0 && !opt.keep && opt.dir == NULL) {
        char rm[PATH_MAX + 16];

        (void)snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
        if (system(rm) != 0)
            fprintf(stderr, "crash: could not remove %s\n", dir);
    } else if (failed > 0) {
        printf("crash: kept %s\n", dir);
    }
    buf_free(&global);
    buf_free(&err);
    return failed > 0 ? 1 : 0;
}
