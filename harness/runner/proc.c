/*
 * NAME
 *	proc - start, feed, wait for and stop child processes
 * SYNOPSIS
 *	#include "proc.h"
 *
 *	pid_t	proc_spawn(const struct proc_spec *spec, struct buf *err);
 *	void	proc_spawned_cleanup(void);
 *	enum proc_outcome proc_pump(pid_t pid, struct proc_io *io,
 *				const struct deadline *dl, int *status);
 *	int	proc_pipe(int fds[2]);
 *	void	proc_describe_status(int status, struct buf *out);
 *	int	proc_on_path(const char *name);
 *	void	proc_become_subreaper(void);
 *
 *	void	proc_set_add(struct proc_set *set, pid_t pid,
 *				const char *label);
 *	int	proc_set_exited(const struct proc_set *set, size_t i,
 *				int *status);
 *	void	proc_set_mark(struct proc_set *set);
 *	int	proc_set_settle(struct proc_set *set, int ms);
 *	void	proc_set_stop(struct proc_set *set, int grace_ms);
 *	void	proc_set_free(struct proc_set *set);
 * DESCRIPTION
 *	Every child the runner starts leads a process group of its own,
 *	so that it and whatever it forks can be signalled together, and
 *	so that a terminal's ^C reaches the runner, not the MTA.
 *
 *	proc_spawn() starts spec->path with the given arguments,
 *	environment, working directory and standard descriptors (which
 *	it does not close).  A failure to execute the program is
 *	reported by proc_spawn() itself, not left to look like an exit
 *	status.
 *
 *	proc_pump() writes io->in to the child, reads its output and error
 *	pipes into buffers, and waits for it to exit, all bounded by dl.
 *	It closes the descriptors in io.  The child is reaped; its wait
 *	status is stored in *status.  On PROC_TIMEOUT and
 *	PROC_INTERRUPTED the child's process group is killed first.
 *
 *	proc_pipe() makes a close-on-exec pipe.
 *
 *	proc_describe_status() appends "exit status N" or "signal N
 *	(name)" for a wait status.
 *
 *	proc_on_path() says whether name is an executable file, looked up
 *	on PATH when it holds no "/".
 *
 *	proc_become_subreaper() makes orphaned descendants (an MTA daemon
 *	that forked itself into the background, its delivery processes)
 *	children of this process instead of init's, on Linux, so that
 *	they can be found and stopped when the scenario ends.
 *
 *	A struct proc_set holds the background children of a scenario.
 *	Their leaders are not reaped until proc_set_stop(), which keeps
 *	each group's id from being reused, so signalling a group never
 *	reaches a stranger.  proc_set_exited() says, without reaping,
 *	whether member i has exited.  proc_set_stop() sends SIGTERM to
 *	every group and every orphan adopted by the subreaper, waits up
 *	to grace_ms for them all to exit, then sends SIGKILL to what is
 *	left, and reaps everything.
 *
 *	proc_set_mark() notes every live descendant of this process as
 *	meant to stay (called once a daemon or a fake is up, so that a
 *	daemon that forked itself into the background counts too).
 *	proc_set_settle() waits up to ms until no other live descendant
 *	is left, not counting what a peer (a leader whose peer flag is
 *	set: a fake) forked, nor the idle session processes that mxlab's
 *	daemon keeps ready (comm "mxlab-spare"): the reception and delivery
 *processes that an MTA's daemon forks (Exim delivers after it has answered the
 *client), so that the logs are complete before the scenario stops it. It
 *	returns 1 when settled, 0 when time ran out.
 * DIAGNOSTICS
 *	proc_spawn() returns -1 with a message in err if the fork or the
 *	exec fails.  Running out of memory is fatal.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "buf.h"
#include "deadline.h"
#include "fakeclock.h"
#include "fileio.h"
#include "mem.h"
#include "proc.h"

#define PROC_POLL_MS 10

int
proc_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC);
}

/* ---------- starting ---------- */

/* The child's descriptor target: fd, or /dev/null when fd is -1. A
 * dup2() onto itself clears FD_CLOEXEC (glibc 2.29 and later). */
static void
proc_spawn_fd(posix_spawn_file_actions_t *fa, int fd, int target, int flags)
{
    if (fd < 0)
        posix_spawn_file_actions_addopen(fa, target, "/dev/null", flags, 0);
    else
        posix_spawn_file_actions_adddup2(fa, fd, target);
}

/* The processes proc_spawn() started, for proc_spawned_cleanup(). */
static pid_t *spawned;
static size_t nspawned, spawned_cap;

pid_t
proc_spawn(const struct proc_spec *spec, struct buf *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dfl;
    pid_t pid;
    int rc;

    /* posix_spawn(), not fork(): the child shares the runner's memory
     * until its exec (glibc's clone(CLONE_VM | CLONE_VFORK)), so no page
     * table is copied for each of the suite's thousands of processes, and
     * an exec failure comes back as the return value. The child gets a
     * process group of its own, an empty signal mask and the default
     * action for the signals the runner catches or ignores. */
    posix_spawn_file_actions_init(&fa);
    proc_spawn_fd(&fa, spec->fd_in, 0, O_RDONLY);
    proc_spawn_fd(&fa, spec->fd_out, 1, O_WRONLY);
    proc_spawn_fd(&fa, spec->fd_err, 2, O_WRONLY);
    if (spec->cwd != NULL)
        posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
    posix_spawnattr_init(&attr);
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
                                        POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawnp(&pid, spec->path, &fa, &attr, spec->argv, spec->envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        buf_printf(err, "cannot execute %s%s%s: %s", spec->path,
                   spec->cwd ? " in " : "", spec->cwd ? spec->cwd : "",
                   strerror(rc));
        return -1;
    }
    if (nspawned == spawned_cap) {
        spawned_cap = spawned_cap ? spawned_cap * 2 : 16;
        spawned = mem_grow(spawned, spawned_cap, sizeof(*spawned));
    }
    spawned[nspawned++] = pid;
    return pid;
}

/*
 * libfaketime, preloaded into every child, makes a shared memory segment
 * and a semaphore named after the pid of each process it starts in that
 * does not inherit them (here: each process proc_spawn() starts), and
 * removes them only when that process exits through exit(); a daemon's
 * processes end with _exit() or a signal, so without this every
 * scenario left a few in /dev/shm (see fakeclock_forget()). Called when
 * a scenario's processes have all stopped; a pid that has been given to
 * a new process since is left alone.
 */
void
proc_spawned_cleanup(void)
{
    for (size_t i = 0; i < nspawned; i++)
        if (kill(spawned[i], 0) < 0 && errno == ESRCH)
            fakeclock_forget((long)spawned[i]);
    nspawned = 0;
}

/* ---------- feeding and waiting ---------- */

static void
proc_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Read what is there; close the descriptor at EOF or error. */
static void
proc_read_some(int *fd, struct buf *into)
{
    char chunk[8192];
    ssize_t n = read(*fd, chunk, sizeof(chunk));

    if (n > 0 && into != NULL)
        buf_add(into, chunk, (size_t)n);
    else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        proc_close(fd);
}

static void
proc_write_some(struct proc_io *io)
{
    ssize_t n;

    if (io->in_len == 0) {
        proc_close(&io->fd_in);
        return;
    }
    n = write(io->fd_in, io->in, io->in_len);
    if (n > 0) {
        io->in += n;
        io->in_len -= (size_t)n;
    } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
        proc_close(&io->fd_in); /* the child does not read its input */
    }
    if (io->in_len == 0)
        proc_close(&io->fd_in);
}

/* One round of poll(2) over the open descriptors in io. */
static void
proc_pump_once(struct proc_io *io, int timeout_ms)
{
    struct pollfd pfd[3];
    int n = 0;

    if (io->fd_in >= 0)
        pfd[n++] = (struct pollfd){io->fd_in, POLLOUT, 0};
    if (io->fd_out >= 0)
        pfd[n++] = (struct pollfd){io->fd_out, POLLIN, 0};
    if (io->fd_err >= 0)
        pfd[n++] = (struct pollfd){io->fd_err, POLLIN, 0};
    if (poll(pfd, (nfds_t)n, timeout_ms) <= 0)
        return;
    for (int i = 0; i < n; i++) {
        if (pfd[i].revents == 0)
            continue;
        if (pfd[i].fd == io->fd_in)
            proc_write_some(io);
        else if (pfd[i].fd == io->fd_out)
            proc_read_some(&io->fd_out, io->out);
        else
            proc_read_some(&io->fd_err, io->err);
    }
}

static void
proc_io_close(struct proc_io *io)
{
    proc_close(&io->fd_in);
    proc_close(&io->fd_out);
    proc_close(&io->fd_err);
}

static enum proc_outcome
proc_pump_give_up(pid_t pid, int exited, struct proc_io *io, int *status,
                  enum proc_outcome why)
{
    if (!exited) {
        kill(-pid, SIGKILL);
        waitpid(pid, status, 0);
    }
    proc_io_close(io);
    return exited && why == PROC_TIMEOUT ? PROC_HELD_OPEN : why;
}

enum proc_outcome
proc_pump(pid_t pid, struct proc_io *io, const struct deadline *dl, int *status)
{
    int exited = 0;
    int wait_ms;

    if (io->fd_out >= 0)
        fcntl(io->fd_out, F_SETFL, O_NONBLOCK);
    if (io->fd_err >= 0)
        fcntl(io->fd_err, F_SETFL, O_NONBLOCK);
    if (io->fd_in >= 0)
        fcntl(io->fd_in, F_SETFL, O_NONBLOCK);
    for (;;) {
        if (!exited && waitpid(pid, status, WNOHANG) == pid)
            exited = 1;
        if (exited && io->fd_out < 0 && io->fd_err < 0) {
            proc_close(&io->fd_in);
            return PROC_EXITED;
        }
        if (deadline_interrupted)
            return proc_pump_give_up(pid, exited, io, status, PROC_INTERRUPTED);
        if (deadline_expired(dl))
            return proc_pump_give_up(pid, exited, io, status, PROC_TIMEOUT);
        wait_ms = deadline_left_ms(dl);
        if (!exited && wait_ms > PROC_POLL_MS)
            wait_ms = PROC_POLL_MS;
        if (io->fd_in < 0 && io->fd_out < 0 && io->fd_err < 0)
            deadline_sleep_ms(wait_ms);
        else
            proc_pump_once(io, wait_ms);
    }
}

void
proc_describe_status(int status, struct buf *out)
{
    if (WIFEXITED(status))
        buf_printf(out, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        buf_printf(out, "signal %d (%s)", WTERMSIG(status),
                   strsignal(WTERMSIG(status)));
    else
        buf_printf(out, "wait status 0x%x", (unsigned)status);
}

int
proc_on_path(const char *name)
{
    const char *path = getenv("PATH");
    struct buf candidate = BUF_INIT;
    int found = 0;

    if (strchr(name, '/') != NULL)
        return access(name, X_OK) == 0;
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (!found && *path != '\0') {
        size_t len = strcspn(path, ":");

        buf_reset(&candidate);
        if (len == 0)
            buf_printf(&candidate, "./%s", name);
        else
            buf_printf(&candidate, "%.*s/%s", (int)len, path, name);
        found = access(buf_str(&candidate), X_OK) == 0;
        path += len + (path[len] == ':');
    }
    buf_free(&candidate);
    return found;
}

void
proc_become_subreaper(void)
{
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

/* ---------- background children ---------- */

void
proc_set_add(struct proc_set *set, pid_t pid, const char *label)
{
    set->v = mem_grow(set->v, set->n + 1, sizeof(*set->v));
    set->v[set->n].pid = pid;
    set->v[set->n].label = mem_strdup(label);
    set->v[set->n].reaped = 0;
    set->v[set->n].peer = 0;
    set->n++;
}

int
proc_set_exited(const struct proc_set *set, size_t i, int *status)
{
    siginfo_t info;

    if (set->v[i].reaped)
        return 1;
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)set->v[i].pid, &info, WEXITED | WNOHANG | WNOWAIT) <
            0 ||
        info.si_pid == 0)
        return 0;
    if (info.si_code == CLD_EXITED)
        *status = (info.si_status & 0xff) << 8;
    else
        *status = info.si_status & 0x7f;
    return 1;
}

/* The state letter of /proc/PID/stat ('?' when it cannot be read) and,
 * when ppid is not NULL, the parent's pid (-1 when unknown). */
static char
proc_stat(pid_t p, long *ppid)
{
    struct buf path = BUF_INIT, stat = BUF_INIT;
    const char *cp;
    char state = '?';
    long pp = -1;

    buf_printf(&path, "/proc/%ld/stat", (long)p);
    if (fileio_read(buf_str(&path), &stat) == 0 &&
        (cp = strrchr(buf_str(&stat), ')')) != NULL)
        sscanf(cp + 1, " %c %ld", &state, &pp);
    buf_free(&path);
    buf_free(&stat);
    if (ppid != NULL)
        *ppid = pp;
    return state;
}

static int
proc_alive(pid_t p)
{
    char state = proc_stat(p, NULL);

    return state != '?' && state != 'Z' && state != 'X';
}

/* Appends the children of every thread of p (/proc/P/task/T/children,
 * Linux 3.5 and later) to pid[], with p as their parent in ppid[].
 * Returns -1 when no such file could be read. */
static int
proc_children_of(pid_t p, pid_t **pid, pid_t **ppid, size_t *n, size_t *cap)
{
    struct buf dir = BUF_INIT;
    DIR *d;
    struct dirent *de;
    int ok = 0;

    buf_printf(&dir, "/proc/%ld/task", (long)p);
    d = opendir(buf_str(&dir));
    buf_free(&dir);
    while (d != NULL && (de = readdir(d)) != NULL) {
        struct buf path = BUF_INIT, list = BUF_INIT;
        const char *cp;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        buf_printf(&path, "/proc/%ld/task/%s/children", (long)p, de->d_name);
        if (fileio_read(buf_str(&path), &list) == 0) {
            ok = 1;
            for (cp = buf_str(&list);;) {
                char *end;
                long c = strtol(cp, &end, 10);

                if (end == cp)
                    break;
                cp = end;
                if (c <= 0)
                    continue;
                if (*n == *cap) {
                    *cap = *cap ? *cap * 2 : 64;
                    *pid = mem_grow(*pid, *cap, sizeof(**pid));
                    *ppid = mem_grow(*ppid, *cap, sizeof(**ppid));
                }
                (*pid)[*n] = (pid_t)c;
                (*ppid)[(*n)++] = p;
            }
        }
        buf_free(&path);
        buf_free(&list);
    }
    if (d != NULL)
        closedir(d);
    return ok ? 0 : -1;
}

/*
 * Signal the children listed in /proc/self/task/TID/children (Linux 3.5
 * and later); one read instead of a scan of every process's stat file on
 * each turn of the stop loop.  Returns 0 when that file cannot be read.
 */
static int
proc_signal_children_listed(int sig)
{
    pid_t *pid = NULL, *ppid = NULL;
    size_t n = 0, cap = 0;
    int ok = proc_children_of(getpid(), &pid, &ppid, &n, &cap) == 0;

    for (size_t i = 0; i < n; i++)
        kill(pid[i], sig);
    free(pid);
    free(ppid);
    return ok;
}

/* Signal every child of this process (adopted orphans among them). */
static void
proc_signal_children(int sig)
{
    DIR *d;
    struct dirent *de;
    pid_t self = getpid();

    if (proc_signal_children_listed(sig) || (d = opendir("/proc")) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        long pp;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        (void)proc_stat((pid_t)atol(de->d_name), &pp);
        if (pp == self)
            kill((pid_t)atol(de->d_name), sig);
    }
    closedir(d);
}

static void
proc_set_signal_groups(const struct proc_set *set, int sig)
{
    for (size_t i = 0; i < set->n; i++)
        if (!set->v[i].reaped)
            kill(-set->v[i].pid, sig);
}

/* Reap what has exited; return 1 when no children are left. */
static int
proc_set_reap(struct proc_set *set)
{
    pid_t pid;
    int status;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (size_t i = 0; i < set->n; i++)
            if (set->v[i].pid == pid)
                set->v[i].reaped = 1;
    return pid < 0 && errno == ECHILD;
}

/* Signal the groups and the children until none is left or time is up. */
static int
proc_set_signal_until_gone(struct proc_set *set, int sig, int ms)
{
    struct deadline dl;

    deadline_set(&dl, ms);
    proc_set_signal_groups(set, sig);
    for (int step = 0;;) {
        if (proc_set_reap(set))
            return 1;
        proc_signal_children(sig);
        if (deadline_expired(&dl))
            return 0;
        deadline_poll_sleep(&step, 20);
    }
}

/* The descendants through the children files, breadth first: only this
 * process's own tree is read, not every process's stat file on the
 * machine (the settle loop asks every 20 ms). Returns -1 when the files
 * are not there. */
static int
proc_descendants_listed(pid_t **out, pid_t **parent, size_t *count)
{
    pid_t *pid = NULL, *ppid = NULL, *res, *rpar;
    size_t n = 0, cap = 0, nres = 0;

    if (proc_children_of(getpid(), &pid, &ppid, &n, &cap) < 0) {
        free(pid);
        free(ppid);
        return -1;
    }
    for (size_t i = 0; i < n; i++) /* n grows as the walk goes down */
        (void)proc_children_of(pid[i], &pid, &ppid, &n, &cap);
    res = mem_array(n + 1, sizeof(*res));
    rpar = mem_array(n + 1, sizeof(*rpar));
    for (size_t i = 0; i < n; i++)
        if (proc_alive(pid[i])) {
            res[nres] = pid[i];
            rpar[nres++] = ppid[i];
        }
    free(pid);
    free(ppid);
    *out = res;
    *parent = rpar;
    *count = nres;
    return 0;
}

/* The live (not zombie) descendants of this process: their pids into
 * *out and their parents' into *parent. */
static size_t
proc_descendants(pid_t **out, pid_t **parent)
{
    DIR *d;
    struct dirent *de;
    pid_t *pid = NULL, *ppid = NULL, *res, *rpar;
    pid_t self = getpid();
    size_t n = 0, cap = 0, nres = 0;

    if (proc_descendants_listed(out, parent, &nres) == 0)
        return nres;
    d = opendir("/proc");
    while (d != NULL && (de = readdir(d)) != NULL) {
        char state;
        long pp;

        if (!isdigit((unsigned char)de->d_name[0]))
            continue;
        state = proc_stat((pid_t)atol(de->d_name), &pp);
        if (pp <= 0 || state == 'Z' || state == 'X')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            pid = mem_grow(pid, cap, sizeof(*pid));
            ppid = mem_grow(ppid, cap, sizeof(*ppid));
        }
        pid[n] = (pid_t)atol(de->d_name);
        ppid[n++] = (pid_t)pp;
    }
    if (d != NULL)
        closedir(d);
    res = mem_array(n + 1, sizeof(*res));
    rpar = mem_array(n + 1, sizeof(*rpar));
    for (int grow = 1; grow;) { /* breadth first from this process */
        grow = 0;
        for (size_t i = 0; i < n; i++) {
            int parent_in = ppid[i] == self, seen = 0;
            for (size_t j = 0; j < nres && !parent_in; j++)
                parent_in = ppid[i] == res[j];
            for (size_t j = 0; j < nres && !seen; j++)
                seen = pid[i] == res[j];
            if (parent_in && !seen) {
                rpar[nres] = ppid[i];
                res[nres++] = pid[i];
                grow = 1;
            }
        }
    }
    free(pid);
    free(ppid);
    *out = res;
    *parent = rpar;
    return nres;
}

void
proc_set_mark(struct proc_set *set)
{
    pid_t *parent;

    free(set->known);
    set->nknown = proc_descendants(&set->known, &parent);
    free(parent);
}

/* Whether p is a known process, a leader, or forked by a peer. */
static int
proc_set_expected(const struct proc_set *set, pid_t p, const pid_t *pid,
                  const pid_t *parent, size_t n)
{
    for (size_t j = 0; j < set->nknown; j++)
        if (p == set->known[j])
            return 1;
    for (size_t hops = 0; hops <= n; hops++) {
        size_t i;

        for (size_t j = 0; j < set->n; j++)
            if (p == set->v[j].pid && (hops == 0 || set->v[j].peer))
                return 1;
        for (i = 0; i < n && pid[i] != p; i++)
            ;
        if (i == n)
            return 0;
        p = parent[i];
    }
    return 0;
}

/* mxlab's daemon keeps session processes ready for the next connections
 * (one forked ahead, and those that have served one and wait for
 * another), named so while idle (src/smtp/daemon.c): not work a
 * scenario waits for. */
static int
proc_idle_spare(pid_t p)
{
    struct buf path = BUF_INIT, comm = BUF_INIT;
    int r;

    buf_printf(&path, "/proc/%ld/comm", (long)p);
    r = fileio_read(buf_str(&path), &comm) == 0 &&
        strcmp(buf_str(&comm), "mxlab-spare\n") == 0;
    buf_free(&path);
    buf_free(&comm);
    return r;
}

int
proc_set_settle(struct proc_set *set, int ms)
{
    struct deadline dl;

    deadline_set(&dl, ms);
    for (int step = 0;;) {
        pid_t *pid, *parent;
        size_t n = proc_descendants(&pid, &parent), other = 0;

        for (size_t i = 0; i < n; i++)
            other += !proc_set_expected(set, pid[i], pid, parent, n) &&
                     !proc_idle_spare(pid[i]);
        free(pid);
        free(parent);
        if (other == 0)
            return 1;
        if (deadline_expired(&dl) || deadline_poll_sleep(&step, 20) < 0)
            return 0;
    }
}

void
proc_set_stop(struct proc_set *set, int grace_ms)
{
    if (!proc_set_signal_until_gone(set, SIGTERM, grace_ms))
        proc_set_signal_until_gone(set, SIGKILL, grace_ms);
}

void
proc_set_free(struct proc_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->v[i].label);
    free(set->v);
    set->v = NULL;
    set->n = 0;
    free(set->known);
    set->known = NULL;
    set->nknown = 0;
}
