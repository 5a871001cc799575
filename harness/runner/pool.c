/*
 * NAME
 *	pool - run scenarios in worker processes, report them in order
 * SYNOPSIS
 *	#include "pool.h"
 *
 *	void	pool_run(size_t njobs, int parallel, pool_job_fn job,
 *				pool_report_fn report, void *ctx);
 * DESCRIPTION
 *	pool_run() runs job(i, ctx, res) for i from 0 to njobs - 1, each
 *	in a worker process of its own, at most parallel at a time.  A
 *	worker sends its result back over a pipe.  report(i, res, ctx) is
 *	called in the main process for each job in index order, as soon
 *	as it and all before it are done, so output streams in a stable
 *	order whatever the parallelism.
 *
 *	A worker is a fresh process per scenario: a crash, a leak or a
 *	stray signal in one scenario cannot touch another, and a worker
 *	is the child subreaper for everything its scenario starts.  It
 *	ignores SIGPIPE (a peer that hangs up is a step failure, not a
 *	death) and turns SIGINT and SIGTERM into deadline_interrupted,
 *	so that it stops its scenario's processes before it goes.
 *
 *	The main process does the same with SIGINT and SIGTERM; it then
 *	passes SIGTERM on to its workers, starts no more, and reports
 *	the scenarios it did not run as failed.
 * DIAGNOSTICS
 *	A worker that dies without a result is reported as a failure of
 *	its scenario, with its exit status.  Failing to fork is fatal.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "fileio.h"
#include "mem.h"
#include "msg.h"
#include "pool.h"
#include "proc.h"
#include "result.h"

struct pool_worker {
    pid_t pid;
    int fd;
    size_t index;
    struct buf data;
};

struct pool {
    size_t njobs;
    struct result *results;
    char *done;
    struct pool_worker *workers;
    struct pollfd *pfd; /* one per worker slot */
    size_t nworkers;
    size_t next_start;
    size_t next_report;
    int forwarded; /* SIGTERM passed on to the workers */
};

static void
pool_on_signal(int sig)
{
    (void)sig;
    deadline_interrupted = 1;
}

static void
pool_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = pool_on_signal; /* no SA_RESTART: waits wake up */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---------- the worker side ---------- */

__attribute__((noreturn)) static void
pool_worker_main(size_t index, pool_job_fn job, void *ctx, int fd)
{
    struct result res;
    struct buf wire = BUF_INIT;

    signal(SIGPIPE, SIG_IGN);
    proc_become_subreaper();
    result_init(&res);
    job(index, ctx, &res);
    result_encode(&res, &wire);
    fileio_write_all(fd, wire.data, wire.len);
    close(fd);
    result_free(&res);
    buf_free(&wire);
    exit(0);
}

/* ---------- the main side ---------- */

static void
pool_start(struct pool *p, pool_job_fn job, void *ctx)
{
    struct pool_worker *w = &p->workers[p->nworkers];
    int fds[2];

    if (proc_pipe(fds) < 0)
        msg_fatal("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    if ((w->pid = fork()) < 0)
        msg_fatal("fork: %s", strerror(errno));
    if (w->pid == 0) {
        close(fds[0]);
        for (size_t i = 0; i < p->nworkers; i++)
            close(p->workers[i].fd);
        pool_worker_main(p->next_start, job, ctx, fds[1]);
    }
    close(fds[1]);
    w->fd = fds[0];
    w->index = p->next_start++;
    buf_init(&w->data);
    p->nworkers++;
}

static void
pool_finish(struct pool *p, size_t slot)
{
    struct pool_worker *w = &p->workers[slot];
    struct result *res = &p->results[w->index];
    int status = 0;

    close(w->fd);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (result_decode(buf_str(&w->data), w->data.len, res) < 0 ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        res->status = RESULT_FAIL;
        buf_puts(&res->detail, "the worker running this scenario ended "
                               "with ");
        proc_describe_status(status, &res->detail);
        buf_putc(&res->detail, '\n');
    }
    p->done[w->index] = 1;
    buf_free(&w->data);
    p->workers[slot] = p->workers[--p->nworkers];
}

/* Read from whichever workers have something; finish those at EOF. */
static void
pool_collect(struct pool *p)
{
    struct pollfd *pfd = p->pfd;
    char chunk[8192];
    ssize_t n;

    for (size_t i = 0; i < p->nworkers; i++)
        pfd[i] = (struct pollfd){p->workers[i].fd, POLLIN, 0};
    if (poll(pfd, (nfds_t)p->nworkers, 1000) <= 0)
        return;
    for (size_t i = p->nworkers; i-- > 0;) {
        if (pfd[i].revents == 0)
            continue;
        n = read(p->workers[i].fd, chunk, sizeof(chunk));
        if (n > 0)
            buf_add(&p->workers[i].data, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR)
            pool_finish(p, i);
    }
}

static void
pool_forward_interrupt(struct pool *p)
{
    if (!deadline_interrupted || p->forwarded)
        return;
    for (size_t i = 0; i < p->nworkers; i++)
        kill(p->workers[i].pid, SIGTERM);
    for (size_t i = p->next_start; i < p->njobs; i++) {
        p->results[i].status = RESULT_FAIL;
        buf_puts(&p->results[i].detail, "not run: interrupted\n");
        p->done[i] = 1;
    }
    p->next_start = p->njobs;
    p->forwarded = 1;
}

static void
pool_report_ready(struct pool *p, pool_report_fn report, void *ctx)
{
    while (p->next_report < p->njobs && p->done[p->next_report]) {
        report(p->next_report, &p->results[p->next_report], ctx);
        result_free(&p->results[p->next_report]);
        p->next_report++;
    }
}

void
pool_run(size_t njobs, int parallel, pool_job_fn job, pool_report_fn report,
         void *ctx)
{
    struct pool p;

    memset(&p, 0, sizeof(p));
    p.njobs = njobs;
    p.results = mem_array(njobs, sizeof(*p.results));
    p.done = mem_array(njobs, 1);
    p.workers = mem_array((size_t)parallel, sizeof(*p.workers));
    p.pfd = mem_array((size_t)parallel, sizeof(*p.pfd));
    for (size_t i = 0; i < njobs; i++)
        result_init(&p.results[i]);
    pool_catch_signals();
    while (p.next_report < njobs) {
        pool_forward_interrupt(&p);
        while (p.nworkers < (size_t)parallel && p.next_start < njobs)
            pool_start(&p, job, ctx);
        if (p.nworkers > 0)
            pool_collect(&p);
        pool_report_ready(&p, report, ctx);
    }
    free(p.results);
    free(p.done);
    free(p.workers);
    free(p.pfd);
}
