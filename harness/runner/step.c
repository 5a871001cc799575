/*
 * NAME
 *	step - run the steps of a scenario
 * SYNOPSIS
 *	#include "runctx.h"
 *
 *	int	step_run_all(struct run *r);
 *
 *	void	step_fail(struct run *r, const struct step *st,
 *				const char *what);
 *	void	step_add_tail(struct buf *out, const char *label,
 *				const struct buf *text);
 *	void	step_add_file_tail(struct run *r, struct buf *out,
 *				const char *relname);
 *	void	step_env(struct run *r, struct strvec *env);
 *	void	step_mta_argv(struct run *r, const struct strvec *args,
 *				size_t from, struct strvec *argv);
 *	int	step_check_status(struct run *r, const struct step *st,
 *				int status, const struct buf *err);
 *	int	step_check_outcome(struct run *r, const struct step *st,
 *				enum proc_outcome outcome, int status);
 * DESCRIPTION
 *	step_run_all() runs the steps of r->scn in order and stops at the
 *	first that fails: exec and sh (run a command, collect its output,
 *	check its exit status), daemon and background (start a process
 *	for the rest of the scenario), waitport and waitfor (wait for a
 *	listener, for a text in a file), sleep, advance and clock; smtp
 *	is in step_smtp.c.  With -v each step adds a line to r->trace.
 *
 *	The other functions are shared with step_smtp.c.
 *
 *	step_fail() adds "FILE:LINE: DIRECTIVE: what" to r->fail.
 *
 *	step_add_tail() adds the last STEP_TAIL_LINES lines of text to out,
 *	indented under label; step_add_file_tail() does the same for the
 *	file relname in $DIR.  Empty text adds nothing.
 *
 *	step_env() builds the environment for a child started now (the
 *	fake clock's offset is read at this moment).
 *
 *	step_mta_argv() builds "$MTA -C $DIR/test.conf ARGS", with
 *	args[from...] substituted.
 *
 *	step_check_outcome() and step_check_status() turn what
 *	proc_pump() reported into a step failure, or not.
 * DIAGNOSTICS
 *	step_run_all() returns 0, or -1 with the reason in r->fail.
 *	step_check_*() return 0 when all is well, else -1 after
 *	step_fail().
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "env.h"
#include "fileio.h"
#include "mem.h"
#include "msg.h"
#include "net.h"
#include "report.h"
#include "run.h"
#include "runctx.h"
#include "strvec.h"

typedef int (*step_fn)(struct run *, const struct step *);

/* ---------- helpers ---------- */

/* Start a failure message for step st. */
void
step_fail(struct run *r, const struct step *st, const char *what)
{
    buf_printf(&r->fail, "%s:%d: %s: %s\n", r->scn.path, st->lineno, st->source,
               what);
}

/* The last STEP_TAIL_LINES lines of text, indented. */
void
step_add_tail(struct buf *out, const char *label, const struct buf *text)
{
    const char *s = buf_str(text);
    const char *p = s + text->len;
    int lines = 0;

    if (text->len == 0)
        return;
    if (p > s && p[-1] == '\n')
        p--;
    while (p > s && lines < STEP_TAIL_LINES)
        if (*--p == '\n')
            lines++;
    if (*p == '\n')
        p++;
    buf_printf(out, "%s%s:\n", label, p > s ? " (last lines)" : "");
    buf_add_indented(out, "  | ", p, text->len - (size_t)(p - s));
}

void
step_add_file_tail(struct run *r, struct buf *out, const char *relname)
{
    struct buf text = BUF_INIT;
    struct buf label = BUF_INIT;
    char *path;

    if (relname == NULL)
        return;
    path = fileio_join(r->dir, relname);
    buf_printf(&label, "$DIR/%s", relname);
    if (fileio_read(path, &text) == 0)
        step_add_tail(out, buf_str(&label), &text);
    free(path);
    buf_free(&text);
    buf_free(&label);
}

void
step_env(struct run *r, struct strvec *env)
{
    struct env_params p = {&r->vars, &r->clock, r->opts->faketime_lib};

    env_build(&p, env);
}

/* argv for the MTA: $MTA -C $DIR/test.conf ARGS[from...], substituted. */
void
step_mta_argv(struct run *r, const struct strvec *args, size_t from,
              struct strvec *argv)
{
    strvec_push(argv, r->opts->mta);
    strvec_push(argv, "-C");
    strvec_push(argv, r->conf);
    for (size_t i = from; i < args->n; i++)
        strvec_push_take(argv, subst_string(&r->vars, args->v[i]));
}

int
step_check_status(struct run *r, const struct step *st, int status,
                  const struct buf *err)
{
    struct buf what = BUF_INIT;

    if (WIFEXITED(status) && WEXITSTATUS(status) == st->status)
        return 0;
    buf_printf(&what, "expected exit status %d, got ", st->status);
    proc_describe_status(status, &what);
    step_fail(r, st, buf_str(&what));
    step_add_tail(&r->fail, "its stderr", err);
    buf_free(&what);
    return -1;
}

/* Report a proc_pump() outcome other than a clean exit. */
int
step_check_outcome(struct run *r, const struct step *st,
                   enum proc_outcome outcome, int status)
{
    struct buf what = BUF_INIT;

    switch (outcome) {
    case PROC_EXITED:
        return 0;
    case PROC_TIMEOUT:
        buf_printf(&what, "still running after %d s; killed",
                   (int)(deadline_scaled(RUN_COMMAND_MS) / 1000));
        break;
    case PROC_HELD_OPEN:
        buf_puts(&what, "ended with ");
        proc_describe_status(status, &what);
        buf_printf(&what,
                   ", but its stdout or stderr stayed open for %d s "
                   "(a process it left behind holds them)",
                   (int)(deadline_scaled(RUN_COMMAND_MS) / 1000));
        break;
    case PROC_INTERRUPTED:
        buf_puts(&what, "interrupted");
        break;
    }
    step_fail(r, st, buf_str(&what));
    buf_free(&what);
    return -1;
}

/*
 * Run argv with input on its stdin (or /dev/null), wait for it, add
 * its stdout and stderr to the scenario's, and check its status.
 */
static int
step_capture(struct run *r, const struct step *st, struct strvec *argv,
             const char *input)
{
    struct strvec env = STRVEC_INIT;
    struct buf out = BUF_INIT;
    struct buf err = BUF_INIT;
    struct proc_spec spec = {
        argv->v[0], strvec_argv(argv), NULL, r->dir, -1, -1, -1};
    struct proc_io io = {-1, input, input ? strlen(input) : 0, -1, &out,
                         -1, &err};
    int in[2] = {-1, -1}, po[2], pe[2];
    struct deadline dl;
    enum proc_outcome outcome;
    int status = 0;
    int rc = -1;
    pid_t pid;

    step_env(r, &env);
    spec.envp = strvec_argv(&env);
    if ((input != NULL && proc_pipe(in) < 0) || proc_pipe(po) < 0 ||
        proc_pipe(pe) < 0)
        msg_fatal("pipe: %s", strerror(errno));
    spec.fd_in = in[0];
    spec.fd_out = po[1];
    spec.fd_err = pe[1];
    pid = proc_spawn(&spec, &err);
    if (in[0] >= 0)
        close(in[0]);
    close(po[1]);
    close(pe[1]);
    io.fd_in = in[1];
    io.fd_out = po[0];
    io.fd_err = pe[0];
    if (pid < 0) {
        if (in[1] >= 0)
            close(in[1]);
        close(po[0]);
        close(pe[0]);
        step_fail(r, st, buf_str(&err));
    } else {
        deadline_set(&dl, RUN_COMMAND_MS);
        outcome = proc_pump(pid, &io, &dl, &status);
        buf_add(&r->streams.out, buf_str(&out), out.len);
        buf_add(&r->streams.err, buf_str(&err), err.len);
        if (step_check_outcome(r, st, outcome, status) == 0)
            rc = step_check_status(r, st, status, &err);
    }
    strvec_free(&env);
    buf_free(&out);
    buf_free(&err);
    return rc;
}

/* ---------- steps that run a command ---------- */

static int
step_exec(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    char *input = st->text ? subst_string(&r->vars, st->text) : NULL;
    int rc;

    step_mta_argv(r, &st->args, 0, &argv);
    rc = step_capture(r, st, &argv, input);
    strvec_free(&argv);
    free(input);
    return rc;
}

static int
step_sh(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    int rc;

    strvec_push(&argv, "/bin/sh");
    strvec_push(&argv, "-c");
    strvec_push_take(&argv, subst_string(&r->vars, st->text));
    rc = step_capture(r, st, &argv, NULL);
    strvec_free(&argv);
    return rc;
}

/* ---------- background processes ---------- */

/* Start argv in the background, output appended to $DIR/logname. */
static int
step_start_background(struct run *r, const struct step *st, struct strvec *argv,
                      const char *logname)
{
    struct strvec env = STRVEC_INIT;
    struct buf err = BUF_INIT;
    char *log = fileio_join(r->dir, logname);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct proc_spec spec = {
        argv->v[0], strvec_argv(argv), NULL, r->dir, -1, fd, fd};
    pid_t pid;

    step_env(r, &env);
    spec.envp = strvec_argv(&env);
    if (fd < 0)
        buf_printf(&err, "cannot create %s: %s", log, strerror(errno));
    pid = fd < 0 ? -1 : proc_spawn(&spec, &err);
    if (fd >= 0)
        close(fd);
    if (pid < 0)
        step_fail(r, st, buf_str(&err));
    else
        proc_set_add(&r->procs, pid, st->source);
    free(r->last_log);
    r->last_log = mem_strdup(logname);
    free(log);
    strvec_free(&env);
    buf_free(&err);
    return pid < 0 ? -1 : 0;
}

/*
 * Wait until something listens on port, failing early if the last
 * background process exits unsuccessfully.  One that exits with
 * status 0 may have put itself in the background (a daemon without
 * -bdf): its child is still expected to listen.
 */
static int
step_wait_listening(struct run *r, const struct step *st, int port)
{
    struct buf what = BUF_INIT;
    struct deadline dl;
    int status = 0;
    int rc = -1;

    deadline_set(&dl, RUN_LISTEN_MS);
    for (int step = 0;;) {
        if (net_port_open(port)) {
            rc = 0;
            break;
        }
        if (r->procs.n > 0 &&
            proc_set_exited(&r->procs, r->procs.n - 1, &status) &&
            status != 0) {
            buf_puts(&what, "ended with ");
            proc_describe_status(status, &what);
            buf_printf(&what, " before listening on port %d", port);
            break;
        }
        if (deadline_expired(&dl)) {
            buf_printf(&what, "nothing listens on port %d after %d s", port,
                       (int)(deadline_scaled(RUN_LISTEN_MS) / 1000));
            break;
        }
        if (deadline_poll_sleep(&step, 20) < 0) {
            buf_puts(&what, "interrupted");
            break;
        }
    }
    if (rc < 0) {
        step_fail(r, st, buf_str(&what));
        step_add_file_tail(r, &r->fail, r->last_log);
    }
    buf_free(&what);
    return rc;
}

/* The port after -oX: the first item of its list, digits at its end. */
static int
step_daemon_port(const struct strvec *argv)
{
    for (size_t i = 0; i + 1 < argv->n; i++) {
        const char *list = argv->v[i + 1];
        char sep = ',';

        if (strcmp(argv->v[i], "-oX") != 0)
            continue;
        if (list[0] == '<' && list[1] != '\0') {
            sep = list[1];
            list += 2;
        }
        while (*list == ' ')
            list++;
        size_t len = strcspn(list, (char[]){sep, '\0'});
        size_t start = len;

        while (start > 0 && list[start - 1] >= '0' && list[start - 1] <= '9')
            start--;
        char *digits = mem_strndup(list + start, len - start);
        int port = net_parse_port(digits);

        free(digits);
        return port;
    }
    return -1;
}

/* Whether the daemon puts itself in the background: -bd without f. */
static int
step_daemon_detaches(const struct strvec *argv)
{
    for (size_t i = 1; i < argv->n; i++)
        if (strcmp(argv->v[i], "-bd") == 0)
            return 1;
    return 0;
}

/*
 * A daemon started with -bd listens before it forks its background copy
 * and exits, so the port can be open while the copy does not exist yet.
 * The step ends when the process it started has exited (or after
 * RUN_LISTEN_MS), so that what run.c notes as meant to stay includes the
 * copy; otherwise the end of the scenario waited RUN_SETTLE_MS for it.
 */
static void
step_wait_detached(struct run *r)
{
    struct deadline dl;
    int status;

    deadline_set(&dl, RUN_LISTEN_MS);
    for (int step = 0;;) {
        if (proc_set_exited(&r->procs, r->procs.n - 1, &status) ||
            deadline_expired(&dl) || deadline_poll_sleep(&step, 20) < 0)
            return;
    }
}

static int
step_daemon(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    int port;
    int rc;

    step_mta_argv(r, &st->args, 0, &argv);
    port = step_daemon_port(&argv);
    rc = step_start_background(r, st, &argv, "daemon.out");
    if (rc == 0 && port > 0)
        rc = step_wait_listening(r, st, port);
    if (rc == 0 && step_daemon_detaches(&argv))
        step_wait_detached(r);
    strvec_free(&argv);
    return rc;
}

static int
step_background(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    struct buf logname = BUF_INIT;
    char *prog = subst_string(&r->vars, st->args.v[0]);
    const char *base = strrchr(prog, '/');
    int rc;

    /* fakes/fake-smtp means $BUILD/fakes/fake-smtp; a bare name, PATH. */
    if (prog[0] != '/' && strchr(prog, '/') != NULL)
        strvec_push_take(&argv, fileio_join(r->opts->build, prog));
    else
        strvec_push(&argv, prog);
    for (size_t i = 1; i < st->args.n; i++)
        strvec_push_take(&argv, subst_string(&r->vars, st->args.v[i]));
    buf_printf(&logname, "%s.out", base ? base + 1 : prog);
    rc = step_start_background(r, st, &argv, buf_str(&logname));
    strvec_free(&argv);
    buf_free(&logname);
    free(prog);
    return rc;
}

static int
step_waitport(struct run *r, const struct step *st)
{
    char *text = subst_string(&r->vars, st->args.v[0]);
    int port = net_parse_port(text);
    int rc;

    if (port < 0) {
        step_fail(r, st, "not a port number");
        rc = -1;
    } else {
        rc = step_wait_listening(r, st, port);
    }
    free(text);
    return rc;
}

/* ---------- time and waiting ---------- */

static int
step_sleep(struct run *r, const struct step *st)
{
    if (deadline_sleep_ms(st->ms) == 0)
        return 0;
    step_fail(r, st, "interrupted");
    return -1;
}

static int
step_advance(struct run *r, const struct step *st)
{
    fakeclock_advance(&r->clock, st->seconds);
    return 0;
}

static int
step_clock(struct run *r, const struct step *st)
{
    fakeclock_set(&r->clock, st->seconds);
    return 0;
}

static int
step_waitfor(struct run *r, const struct step *st)
{
    struct buf path = BUF_INIT;
    struct buf text = BUF_INIT;
    struct buf what = BUF_INIT;
    char *want = subst_string(&r->vars, st->text);
    struct deadline dl;
    int rc = -1;

    output_file_path(st->args.v[0], r->dir, &path);
    deadline_set(&dl, RUN_WAITFOR_MS);
    for (int step = 0;;) {
        if (fileio_read(buf_str(&path), &text) == 0 &&
            memmem(buf_str(&text), text.len, want, strlen(want)) != NULL) {
            rc = 0;
            break;
        }
        if (deadline_expired(&dl) || deadline_poll_sleep(&step, 50) < 0)
            break;
    }
    if (rc < 0) {
        buf_printf(&what, "\"%s\" did not appear in %s within %d s", want,
                   st->args.v[0],
                   (int)(deadline_scaled(RUN_WAITFOR_MS) / 1000));
        step_fail(r, st, buf_str(&what));
        step_add_tail(&r->fail, st->args.v[0], &text);
    }
    free(want);
    buf_free(&path);
    buf_free(&text);
    buf_free(&what);
    return rc;
}

static const step_fn step_table[] = {
    [STEP_EXEC] = step_exec,         [STEP_SH] = step_sh,
    [STEP_DAEMON] = step_daemon,     [STEP_BACKGROUND] = step_background,
    [STEP_WAITPORT] = step_waitport, [STEP_SMTP] = step_smtp,
    [STEP_SLEEP] = step_sleep,       [STEP_ADVANCE] = step_advance,
    [STEP_CLOCK] = step_clock,       [STEP_WAITFOR] = step_waitfor,
};

int
step_run_all(struct run *r)
{
    for (size_t i = 0; i < r->scn.nsteps; i++) {
        const struct step *st = &r->scn.steps[i];
        long long t0 = deadline_now_ms();
        int rc = step_table[st->kind](r, st);

        capture_step(r, st);
        if (r->opts->verbose)
            buf_printf(&r->trace, "%s:%d: %s (%.2f s)%s\n", r->scn.path,
                       st->lineno, st->source,
                       (double)(deadline_now_ms() - t0) / 1000,
                       rc < 0 ? " FAILED" : "");
        if (rc < 0)
            return -1;
        /* what runs now is meant to stay (run.c waits for the rest) */
        if (st->kind == STEP_BACKGROUND && r->procs.n > 0)
            r->procs.v[r->procs.n - 1].peer = 1;
        if (st->kind == STEP_DAEMON || st->kind == STEP_BACKGROUND ||
            st->kind == STEP_WAITPORT)
            proc_set_mark(&r->procs);
    }
    return 0;
}
