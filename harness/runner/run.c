/*
 * NAME
 *	run - run one scenario
 * SYNOPSIS
 *	#include "run.h"
 *
 *	void	run_scenario(const char *path, const char *golden_dir,
 *				const struct run_opts *opts,
 *				struct result *res);
 * DESCRIPTION
 *	run_scenario() parses the scenario file at path and runs it:
 *
 *	It makes a fresh temporary directory ($DIR), allocates three
 *	ports, starts the fake clock, writes $DIR/test.conf (empty when
 *	the scenario has no config) and the scenario's files, and runs
 *	the steps in order.  The first step that fails ends the run.
 *	Whatever the outcome, everything the steps started is then
 *	stopped.  If all steps passed, the expected outputs are
 *	collected, normalised and compared with the files in golden_dir
 *	(or, with opts->update, written to it).  The directory is removed
 *	unless opts->keep is set.
 *
 *	res receives the outcome, the title, and the lines to show under
 *	the TAP line: the reason for a failure, diffs, with opts->verbose
 *	a trace of the steps, with opts->keep the directory kept.
 *
 *	The caller should be a process of its own (see pool.c) that is a
 *	child subreaper, ignores SIGPIPE, and sets deadline_interrupted
 *	on SIGINT and SIGTERM.
 * DIAGNOSTICS
 *	Everything goes into res.  Running out of memory is fatal.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "env.h"
#include "fakeclock.h"
#include "fileio.h"
#include "golden.h"
#include "mem.h"
#include "msg.h"
#include "net.h"
#include "normalise.h"
#include "output.h"
#include "proc.h"
#include "result.h"
#include "run.h"
#include "scenario.h"
#include "smtpclient.h"
#include "subst.h"

#define RUN_TAIL_LINES 20

struct run {
    const struct run_opts *opts;
    struct scenario scn;
    const char *golden_dir;
    char *dir;
    char *conf;
    char ports[3][8];
    struct subst vars;
    struct fakeclock clock;
    struct output_streams streams;
    struct proc_set procs;
    char *last_log;   /* output file of the last daemon or background */
    struct buf fail;  /* why the run failed */
    struct buf trace; /* -v */
};

typedef int (*run_step_fn)(struct run *, const struct step *);

/* ---------- helpers ---------- */

/* Start a failure message for step st. */
static void
run_fail_step(struct run *r, const struct step *st, const char *what)
{
    buf_printf(&r->fail, "%s:%d: %s: %s\n", r->scn.path, st->lineno, st->source,
               what);
}

/* The last RUN_TAIL_LINES lines of text, indented. */
static void
run_add_tail(struct buf *out, const char *label, const struct buf *text)
{
    const char *s = buf_str(text);
    const char *p = s + text->len;
    int lines = 0;

    if (text->len == 0)
        return;
    if (p > s && p[-1] == '\n')
        p--;
    while (p > s && lines < RUN_TAIL_LINES)
        if (*--p == '\n')
            lines++;
    if (*p == '\n')
        p++;
    buf_printf(out, "%s%s:\n", label, p > s ? " (last lines)" : "");
    buf_add_indented(out, "  | ", p, text->len - (size_t)(p - s));
}

static void
run_add_file_tail(struct buf *out, const char *path)
{
    struct buf text = BUF_INIT;

    if (path != NULL && fileio_read(path, &text) == 0)
        run_add_tail(out, path, &text);
    buf_free(&text);
}

static void
run_env(struct run *r, struct strvec *env)
{
    struct env_params p = {&r->vars, &r->clock, r->opts->faketime_lib};

    env_build(&p, env);
}

/* argv for the MTA: $MTA -C $DIR/test.conf ARGS[from...], substituted. */
static void
run_mta_argv(struct run *r, const struct strvec *args, size_t from,
             struct strvec *argv)
{
    strvec_push(argv, r->opts->mta);
    strvec_push(argv, "-C");
    strvec_push(argv, r->conf);
    for (size_t i = from; i < args->n; i++)
        strvec_push_take(argv, subst_string(&r->vars, args->v[i]));
}

static int
run_check_status(struct run *r, const struct step *st, int status,
                 const struct buf *err)
{
    struct buf what = BUF_INIT;

    if (WIFEXITED(status) && WEXITSTATUS(status) == st->status)
        return 0;
    buf_printf(&what, "expected exit status %d, got ", st->status);
    proc_describe_status(status, &what);
    run_fail_step(r, st, buf_str(&what));
    run_add_tail(&r->fail, "its stderr", err);
    buf_free(&what);
    return -1;
}

/* Report a proc_pump() outcome other than a clean exit. */
static int
run_check_outcome(struct run *r, const struct step *st,
                  enum proc_outcome outcome, int status)
{
    struct buf what = BUF_INIT;

    switch (outcome) {
    case PROC_EXITED:
        return 0;
    case PROC_TIMEOUT:
        buf_printf(&what, "still running after %d s; killed",
                   RUN_COMMAND_MS / 1000);
        break;
    case PROC_HELD_OPEN:
        buf_puts(&what, "ended with ");
        proc_describe_status(status, &what);
        buf_printf(&what,
                   ", but its stdout or stderr stayed open for %d s "
                   "(a process it left behind holds them)",
                   RUN_COMMAND_MS / 1000);
        break;
    case PROC_INTERRUPTED:
        buf_puts(&what, "interrupted");
        break;
    }
    run_fail_step(r, st, buf_str(&what));
    buf_free(&what);
    return -1;
}

/*
 * Run argv with input on its stdin (or /dev/null), wait for it, add
 * its stdout and stderr to the scenario's, and check its status.
 */
static int
run_capture(struct run *r, const struct step *st, struct strvec *argv,
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

    run_env(r, &env);
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
        run_fail_step(r, st, buf_str(&err));
    } else {
        deadline_set(&dl, RUN_COMMAND_MS);
        outcome = proc_pump(pid, &io, &dl, &status);
        buf_add(&r->streams.out, buf_str(&out), out.len);
        buf_add(&r->streams.err, buf_str(&err), err.len);
        if (run_check_outcome(r, st, outcome, status) == 0)
            rc = run_check_status(r, st, status, &err);
    }
    strvec_free(&env);
    buf_free(&out);
    buf_free(&err);
    return rc;
}

/* ---------- steps that run a command ---------- */

static int
run_step_exec(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    char *input = st->text ? subst_string(&r->vars, st->text) : NULL;
    int rc;

    run_mta_argv(r, &st->args, 0, &argv);
    rc = run_capture(r, st, &argv, input);
    strvec_free(&argv);
    free(input);
    return rc;
}

static int
run_step_sh(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    int rc;

    strvec_push(&argv, "/bin/sh");
    strvec_push(&argv, "-c");
    strvec_push_take(&argv, subst_string(&r->vars, st->text));
    rc = run_capture(r, st, &argv, NULL);
    strvec_free(&argv);
    return rc;
}

/* ---------- background processes ---------- */

/* Start argv in the background, output appended to $DIR/logname. */
static int
run_start_background(struct run *r, const struct step *st, struct strvec *argv,
                     const char *logname)
{
    struct strvec env = STRVEC_INIT;
    struct buf err = BUF_INIT;
    char *log = fileio_join(r->dir, logname);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct proc_spec spec = {
        argv->v[0], strvec_argv(argv), NULL, r->dir, -1, fd, fd};
    pid_t pid;

    run_env(r, &env);
    spec.envp = strvec_argv(&env);
    if (fd < 0)
        buf_printf(&err, "cannot create %s: %s", log, strerror(errno));
    pid = fd < 0 ? -1 : proc_spawn(&spec, &err);
    if (fd >= 0)
        close(fd);
    if (pid < 0)
        run_fail_step(r, st, buf_str(&err));
    else
        proc_set_add(&r->procs, pid, st->source);
    free(r->last_log);
    r->last_log = log;
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
run_wait_listening(struct run *r, const struct step *st, int port)
{
    struct buf what = BUF_INIT;
    struct deadline dl;
    int status = 0;
    int rc = -1;

    deadline_set(&dl, RUN_LISTEN_MS);
    for (;;) {
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
                       RUN_LISTEN_MS / 1000);
            break;
        }
        if (deadline_sleep_ms(20) < 0) {
            buf_puts(&what, "interrupted");
            break;
        }
    }
    if (rc < 0) {
        run_fail_step(r, st, buf_str(&what));
        run_add_file_tail(&r->fail, r->last_log);
    }
    buf_free(&what);
    return rc;
}

/* The port after -oX: the first item of its list, digits at its end. */
static int
run_daemon_port(const struct strvec *argv)
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

static int
run_step_daemon(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    int port;
    int rc;

    run_mta_argv(r, &st->args, 0, &argv);
    port = run_daemon_port(&argv);
    rc = run_start_background(r, st, &argv, "daemon.out");
    if (rc == 0 && port > 0)
        rc = run_wait_listening(r, st, port);
    strvec_free(&argv);
    return rc;
}

static int
run_step_background(struct run *r, const struct step *st)
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
    rc = run_start_background(r, st, &argv, buf_str(&logname));
    strvec_free(&argv);
    buf_free(&logname);
    free(prog);
    return rc;
}

static int
run_step_waitport(struct run *r, const struct step *st)
{
    char *text = subst_string(&r->vars, st->args.v[0]);
    int port = net_parse_port(text);
    int rc;

    if (port < 0) {
        run_fail_step(r, st, "not a port number");
        rc = -1;
    } else {
        rc = run_wait_listening(r, st, port);
    }
    free(text);
    return rc;
}

/* ---------- SMTP ---------- */

/* "*** smtp HOST PORT" or "*** smtp exec ARGS" into the transcript. */
static void
run_smtp_header(struct run *r, const char *kind, const struct strvec *argv,
                size_t from)
{
    buf_puts(&r->streams.transcript, "*** smtp");
    if (kind != NULL)
        buf_printf(&r->streams.transcript, " %s", kind);
    for (size_t i = from; i < argv->n; i++)
        buf_printf(&r->streams.transcript, " %s", argv->v[i]);
    buf_putc(&r->streams.transcript, '\n');
}

static void
run_smtp_session_init(struct run *r, struct smtp_session *s, int rfd, int wfd,
                      int efd)
{
    smtp_session_init(s, rfd, wfd, efd);
    s->transcript = &r->streams.transcript;
    s->err_sink = &r->streams.err;
    s->path = r->scn.path;
    s->vars = &r->vars;
}

static int
run_smtp_tcp(struct run *r, const struct step *st)
{
    struct strvec hp = STRVEC_INIT;
    struct buf err = BUF_INIT;
    struct smtp_session s;
    int fd;
    int rc = -1;

    strvec_push_take(&hp, subst_string(&r->vars, st->args.v[0]));
    strvec_push_take(&hp, subst_string(&r->vars, st->args.v[1]));
    run_smtp_header(r, NULL, &hp, 0);
    fd = net_connect(hp.v[0], hp.v[1], SMTP_READ_MS, &err);
    if (fd < 0) {
        run_fail_step(r, st, buf_str(&err));
    } else {
        run_smtp_session_init(r, &s, fd, fd, -1);
        rc = smtp_session_run(&s, st, &r->fail);
        smtp_session_free(&s);
        close(fd);
    }
    strvec_free(&hp);
    buf_free(&err);
    return rc;
}

/* After an smtp exec dialogue: close stdin, drain, reap, check. */
static int
run_smtp_exec_finish(struct run *r, const struct step *st,
                     struct smtp_session *s, pid_t pid, int dialog_rc)
{
    struct buf rest = BUF_INIT;
    struct buf err = BUF_INIT;
    struct proc_io io = {-1, NULL, 0, s->rfd, &rest, s->efd, &err};
    struct deadline dl;
    enum proc_outcome outcome;
    int status = 0;
    int rc = dialog_rc;

    close(s->wfd);
    if (dialog_rc < 0)
        kill(-pid, SIGKILL);
    deadline_set(&dl, RUN_COMMAND_MS);
    outcome = proc_pump(pid, &io, &dl, &status);
    smtp_session_leftover(s, buf_str(&rest), rest.len);
    buf_add(&r->streams.err, buf_str(&err), err.len);
    if (rc == 0 && (rc = run_check_outcome(r, st, outcome, status)) == 0)
        rc = run_check_status(r, st, status, &err);
    buf_free(&rest);
    buf_free(&err);
    return rc;
}

static int
run_smtp_exec(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    struct strvec env = STRVEC_INIT;
    struct buf err = BUF_INIT;
    struct proc_spec spec = {NULL, NULL, NULL, r->dir, -1, -1, -1};
    struct smtp_session s;
    int in[2], out[2], errp[2];
    int rc = -1;
    pid_t pid;

    run_mta_argv(r, &st->args, 1, &argv);
    run_smtp_header(r, "exec", &argv, 3);
    run_env(r, &env);
    if (proc_pipe(in) < 0 || proc_pipe(out) < 0 || proc_pipe(errp) < 0)
        msg_fatal("pipe: %s", strerror(errno));
    spec.path = argv.v[0];
    spec.argv = strvec_argv(&argv);
    spec.envp = strvec_argv(&env);
    spec.fd_in = in[0];
    spec.fd_out = out[1];
    spec.fd_err = errp[1];
    pid = proc_spawn(&spec, &err);
    close(in[0]);
    close(out[1]);
    close(errp[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        close(errp[0]);
        run_fail_step(r, st, buf_str(&err));
    } else {
        run_smtp_session_init(r, &s, out[0], in[1], errp[0]);
        rc = smtp_session_run(&s, st, &r->fail);
        rc = run_smtp_exec_finish(r, st, &s, pid, rc);
        smtp_session_free(&s);
    }
    strvec_free(&argv);
    strvec_free(&env);
    buf_free(&err);
    return rc;
}

static int
run_step_smtp(struct run *r, const struct step *st)
{
    return st->smtp_exec ? run_smtp_exec(r, st) : run_smtp_tcp(r, st);
}

/* ---------- time and waiting ---------- */

static int
run_step_sleep(struct run *r, const struct step *st)
{
    if (deadline_sleep_ms(st->ms) == 0)
        return 0;
    run_fail_step(r, st, "interrupted");
    return -1;
}

static int
run_step_advance(struct run *r, const struct step *st)
{
    fakeclock_advance(&r->clock, st->seconds);
    return 0;
}

static int
run_step_clock(struct run *r, const struct step *st)
{
    fakeclock_set(&r->clock, st->seconds);
    return 0;
}

static int
run_step_waitfor(struct run *r, const struct step *st)
{
    struct buf path = BUF_INIT;
    struct buf text = BUF_INIT;
    struct buf what = BUF_INIT;
    char *want = subst_string(&r->vars, st->text);
    struct deadline dl;
    int rc = -1;

    output_file_path(st->args.v[0], r->dir, &path);
    deadline_set(&dl, RUN_WAITFOR_MS);
    for (;;) {
        if (fileio_read(buf_str(&path), &text) == 0 &&
            memmem(buf_str(&text), text.len, want, strlen(want)) != NULL) {
            rc = 0;
            break;
        }
        if (deadline_expired(&dl) || deadline_sleep_ms(50) < 0)
            break;
    }
    if (rc < 0) {
        buf_printf(&what, "\"%s\" did not appear in %s within %d s", want,
                   buf_str(&path), RUN_WAITFOR_MS / 1000);
        run_fail_step(r, st, buf_str(&what));
        run_add_tail(&r->fail, buf_str(&path), &text);
    }
    free(want);
    buf_free(&path);
    buf_free(&text);
    buf_free(&what);
    return rc;
}

static const run_step_fn run_steps[] = {
    [STEP_EXEC] = run_step_exec,
    [STEP_SH] = run_step_sh,
    [STEP_DAEMON] = run_step_daemon,
    [STEP_BACKGROUND] = run_step_background,
    [STEP_WAITPORT] = run_step_waitport,
    [STEP_SMTP] = run_step_smtp,
    [STEP_SLEEP] = run_step_sleep,
    [STEP_ADVANCE] = run_step_advance,
    [STEP_CLOCK] = run_step_clock,
    [STEP_WAITFOR] = run_step_waitfor,
};

static int
run_all_steps(struct run *r)
{
    for (size_t i = 0; i < r->scn.nsteps; i++) {
        const struct step *st = &r->scn.steps[i];
        long long t0 = deadline_now_ms();
        int rc = run_steps[st->kind](r, st);

        if (r->opts->verbose)
            buf_printf(&r->trace, "%s:%d: %s (%.2f s)%s\n", r->scn.path,
                       st->lineno, st->source,
                       (double)(deadline_now_ms() - t0) / 1000,
                       rc < 0 ? " FAILED" : "");
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---------- set-up ---------- */

static int
run_make_dir(struct run *r)
{
    const char *tmpdir = getenv("TMPDIR");
    struct buf tmpl = BUF_INIT;
    char *real;

    buf_printf(&tmpl, "%s/mxlab-scn-XXXXXX",
               tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (mkdtemp(tmpl.data) == NULL) {
        buf_printf(&r->fail, "cannot make a directory %s: %s\n", buf_str(&tmpl),
                   strerror(errno));
        buf_free(&tmpl);
        return -1;
    }
    real = realpath(tmpl.data, NULL);
    r->dir = real ? real : buf_steal(&tmpl);
    buf_free(&tmpl);
    return 0;
}

static int
run_allocate_ports(struct run *r)
{
    int ports[3];
    struct buf err = BUF_INIT;
    int rc = net_alloc_ports(3, ports, &err);

    if (rc < 0)
        buf_printf(&r->fail, "%s\n", buf_str(&err));
    for (int i = 0; rc == 0 && i < 3; i++)
        snprintf(r->ports[i], sizeof(r->ports[i]), "%d", ports[i]);
    buf_free(&err);
    return rc;
}

static int
run_write_file(struct run *r, const char *path, const char *content, int lineno)
{
    char *text = subst_string(&r->vars, content ? content : "");

    if (fileio_mkdirs_for(path) < 0 ||
        fileio_write(path, text, strlen(text)) < 0) {
        buf_printf(&r->fail, "%s:%d: cannot write %s: %s\n", r->scn.path,
                   lineno, path, strerror(errno));
        free(text);
        return -1;
    }
    free(text);
    return 0;
}

static int
run_setup(struct run *r)
{
    if (run_make_dir(r) < 0 || run_allocate_ports(r) < 0)
        return -1;
    r->vars.value[SUBST_DIR] = r->dir;
    r->vars.value[SUBST_PORT] = r->ports[0];
    r->vars.value[SUBST_PORT2] = r->ports[1];
    r->vars.value[SUBST_PORT3] = r->ports[2];
    r->vars.value[SUBST_MTA] = r->opts->mta;
    r->vars.value[SUBST_SRCDIR] = r->opts->srcdir;
    r->vars.value[SUBST_BUILD] = r->opts->build;
    r->conf = fileio_join(r->dir, "test.conf");
    fakeclock_init(&r->clock, FAKECLOCK_START);
    if (run_write_file(r, r->conf, r->scn.config, 1) < 0)
        return -1;
    for (size_t i = 0; i < r->scn.nfiles; i++) {
        const struct file_spec *fs = &r->scn.files[i];
        char *path = fileio_join(r->dir, fs->relpath);
        int rc = run_write_file(r, path, fs->content, fs->lineno);

        free(path);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---------- outputs ---------- */

/* Normalisation order: the main log first, so ids number as received. */
static const char *const run_output_order[] = {
    "mainlog", "stdout", "stderr", "transcript", "rejectlog", "paniclog",
};

static int
run_expect_index(const struct run *r, const char *name)
{
    for (size_t i = 0; i < r->scn.expects.n; i++)
        if (strcmp(r->scn.expects.v[i], name) == 0)
            return (int)i;
    return -1;
}

static void
run_collect_one(struct run *r, struct norm *n, const char *name,
                struct golden_item *items)
{
    int i = run_expect_index(r, name);
    struct buf text = BUF_INIT;

    output_collect(name, r->dir, &r->streams, &text);
    norm_apply(n, &text);
    if (i >= 0) {
        buf_free(&items[i].text);
        items[i].text = text;
    } else {
        buf_free(&text);
    }
}

static void
run_collect_outputs(struct run *r, struct norm *n, struct golden_item *items)
{
    const struct strvec *ex = &r->scn.expects;

    for (size_t i = 0; i < ex->n; i++) {
        struct buf name = BUF_INIT;

        output_golden_name(ex->v[i], &name);
        items[i].name = buf_steal(&name);
        buf_init(&items[i].text);
    }
    for (size_t i = 0; i < sizeof(run_output_order) / sizeof(char *); i++)
        if (i == 0 || run_expect_index(r, run_output_order[i]) >= 0)
            run_collect_one(r, n, run_output_order[i], items);
    for (size_t i = 0; i < ex->n; i++)
        if (strncmp(ex->v[i], "file:", 5) == 0)
            run_collect_one(r, n, ex->v[i], items);
}

static void
run_norm_params(const struct run *r, struct norm_params *p)
{
    memset(p, 0, sizeof(*p));
    p->dir = r->dir;
    p->mta = r->opts->mta;
    p->srcdir = r->opts->srcdir;
    for (int i = 0; i < 3; i++)
        p->ports[i] = r->ports[i];
    p->epoch_lo = r->clock.earliest;
    p->epoch_hi = fakeclock_latest(&r->clock);
}

/* Compare (or update) the outputs; set res->status. */
static void
run_check_outputs(struct run *r, struct result *res)
{
    size_t n = r->scn.expects.n;
    struct golden_item *items = mem_array(n, sizeof(*items));
    struct norm_params params;
    struct norm *norm;
    int changed;

    run_norm_params(r, &params);
    if ((norm = norm_create(&params, &res->detail)) == NULL)
        msg_fatal("%s", buf_str(&res->detail));
    run_collect_outputs(r, norm, items);
    if (!r->opts->update) {
        if (golden_compare(r->golden_dir, items, n, &res->detail) < 0)
            res->status = RESULT_FAIL;
    } else if ((changed =
                    golden_update(r->golden_dir, items, n, &res->detail)) < 0) {
        res->status = RESULT_FAIL;
    } else if (changed > 0) {
        res->status = RESULT_UPDATED;
    }
    for (size_t i = 0; i < n; i++) {
        free(items[i].name);
        buf_free(&items[i].text);
    }
    free(items);
    norm_free(norm);
}

/* ---------- the whole run ---------- */

/* Reasons not to run at all: 1 skip, -1 fail, 0 go ahead. */
static int
run_preflight(struct run *r, struct result *res)
{
    struct buf why = BUF_INIT;

    if (r->scn.skip_reason != NULL) {
        result_set_reason(res, r->scn.skip_reason);
        return 1;
    }
    for (size_t i = 0; i < r->scn.requires.n; i++) {
        if (proc_on_path(r->scn.requires.v[i]))
            continue;
        buf_printf(&why, "requires %s, not found", r->scn.requires.v[i]);
        result_set_reason(res, buf_str(&why));
        buf_free(&why);
        return 1;
    }
    if (r->opts->faketime_lib == NULL) {
        buf_puts(&r->fail, "libfaketime.so.1 not found: install Debian's "
                           "libfaketime package or set MXLAB_FAKETIME_LIB\n");
        return -1;
    }
    if (r->scn.expects.n > 0 && r->golden_dir == NULL) {
        buf_printf(&r->fail,
                   "%s: no \"scenarios\" folder in the path, so "
                   "no golden folder for its expect lines\n",
                   r->scn.path);
        return -1;
    }
    return 0;
}

static void
run_execute(struct run *r, struct result *res)
{
    int rc = run_setup(r);

    if (rc == 0)
        rc = run_all_steps(r);
    proc_set_stop(&r->procs, RUN_STOP_MS);
    if (rc < 0)
        res->status = RESULT_FAIL;
    else
        run_check_outputs(r, res);
}

static void
run_finish(struct run *r, struct result *res)
{
    struct buf detail = BUF_INIT;

    buf_add(&detail, buf_str(&r->fail), r->fail.len);
    buf_add(&detail, buf_str(&res->detail), res->detail.len);
    buf_add(&detail, buf_str(&r->trace), r->trace.len);
    if (r->dir != NULL && r->opts->keep)
        buf_printf(&detail, "kept %s\n", r->dir);
    else if (r->dir != NULL && fileio_remove_tree(r->dir) < 0)
        buf_printf(&detail, "cannot remove %s: %s\n", r->dir, strerror(errno));
    buf_free(&res->detail);
    res->detail = detail;
}

static void
run_free(struct run *r)
{
    scenario_free(&r->scn);
    free(r->dir);
    free(r->conf);
    free(r->last_log);
    buf_free(&r->streams.out);
    buf_free(&r->streams.err);
    buf_free(&r->streams.transcript);
    proc_set_free(&r->procs);
    buf_free(&r->fail);
    buf_free(&r->trace);
}

void
run_scenario(const char *path, const char *golden_dir,
             const struct run_opts *opts, struct result *res)
{
    struct run r;
    int go;

    memset(&r, 0, sizeof(r));
    r.opts = opts;
    r.golden_dir = golden_dir;
    if (scenario_parse(path, &r.scn, &r.fail) < 0) {
        buf_putc(&r.fail, '\n');
        res->status = RESULT_FAIL;
    } else if ((go = run_preflight(&r, res)) != 0) {
        res->status = go > 0 ? RESULT_SKIP : RESULT_FAIL;
    } else {
        run_execute(&r, res);
    }
    result_set_title(res, r.scn.title);
    run_finish(&r, res);
    run_free(&r);
}
