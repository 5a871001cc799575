#ifndef RUNNER_PROC_H
#define RUNNER_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct deadline;

/* How to start a child. */
struct proc_spec {
    const char *path; /* the program; without a "/" it is looked up on PATH */
    char *const *argv;
    char *const *envp;
    const char *cwd; /* or NULL */
    int fd_in;       /* -1: /dev/null */
    int fd_out;      /* -1: /dev/null */
    int fd_err;      /* -1: /dev/null */
};

/* The parent's ends of a child's pipes, for proc_pump(). */
struct proc_io {
    int fd_in; /* written from in/in_len, then closed; or -1 */
    const char *in;
    size_t in_len;
    int fd_out; /* read into out until EOF; or -1 */
    struct buf *out;
    int fd_err; /* read into err until EOF; or -1 */
    struct buf *err;
};

enum proc_outcome {
    PROC_EXITED,      /* the child exited and its pipes reached EOF */
    PROC_TIMEOUT,     /* the child was still running; it was killed */
    PROC_HELD_OPEN,   /* the child exited but something kept its pipes */
    PROC_INTERRUPTED, /* the runner was asked to stop; the child was killed */
};

/* Children started in the background, stopped at the end. */
struct proc_group {
    pid_t pid;
    char *label;
    int reaped;
    int peer; /* a fake: what it forks is not waited for */
};

struct proc_set {
    struct proc_group *v;
    size_t n;
    pid_t *known; /* descendants that are meant to stay (proc_set_mark) */
    size_t nknown;
};

pid_t proc_spawn(const struct proc_spec *spec, struct buf *err);
void proc_spawned_cleanup(void);
enum proc_outcome proc_pump(pid_t pid, struct proc_io *io,
                            const struct deadline *dl, int *status);
int proc_pipe(int fds[2]);
void proc_describe_status(int status, struct buf *out);
int proc_on_path(const char *name);
void proc_become_subreaper(void);

void proc_set_add(struct proc_set *set, pid_t pid, const char *label);
int proc_set_exited(const struct proc_set *set, size_t i, int *status);
void proc_set_mark(struct proc_set *set);
int proc_set_settle(struct proc_set *set, int ms);
void proc_set_stop(struct proc_set *set, int grace_ms);
void proc_set_free(struct proc_set *set);

#endif
