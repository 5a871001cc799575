/*
 * NAME
 *	step_smtp - the smtp step: a dialogue over TCP or an MTA's pipes
 * SYNOPSIS
 *	#include "runctx.h"
 *
 *	int	step_smtp(struct run *r, const struct step *st);
 * DESCRIPTION
 *	step_smtp() runs an smtp step.  "smtp HOST PORT" connects over
 *	TCP; "smtp exec ARGS" starts $MTA -C $DIR/test.conf ARGS and talks
 *	to its stdin and stdout, collects its stderr, and after the
 *	dialogue closes its stdin, adds whatever it still wrote to the
 *	transcript, and checks its exit status like exec.  The dialogue
 *	itself is played by smtpclient.c; each session is headed in the
 *	transcript by "*** smtp HOST PORT" or "*** smtp exec ARGS".
 * DIAGNOSTICS
 *	Returns 0, or -1 with the reason in r->fail, followed by the
 *	MTA's stderr (smtp exec) or the last daemon's output (TCP).
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "msg.h"
#include "net.h"
#include "run.h"
#include "runctx.h"
#include "smtpclient.h"
#include "strvec.h"

/* ---------- SMTP ---------- */

/* "*** smtp HOST PORT" or "*** smtp exec ARGS" into the transcript. */
static void
smtp_step_header(struct run *r, const char *kind, const struct strvec *argv,
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
smtp_step_session(struct run *r, struct smtp_session *s, int rfd, int wfd,
                  int efd)
{
    smtp_session_init(s, rfd, wfd, efd);
    s->transcript = &r->streams.transcript;
    s->err_sink = &r->streams.err;
    s->path = r->scn.path;
    s->vars = &r->vars;
}

/*
 * A daemon on both wildcards (Exim's default local_interfaces, "<; ::0 ;
 * 0.0.0.0") opens its IPv6 socket and then its IPv4 one, and the daemon
 * step's wait ends when the first listens; a connection to the other
 * family in between is refused (seen once in 1,230 scenarios under
 * load). So a connection refused on a port where something listens is
 * tried again, every 20 ms or so, for up to RUN_LISTEN_MS; one refused
 * where nothing listens fails at once, as before.
 */
static int
smtp_step_connect(const char *host, const char *port, struct buf *err)
{
    struct deadline dl;
    int pn = net_parse_port(port);
    int fd, step = 0;

    deadline_set(&dl, RUN_LISTEN_MS);
    for (;;) {
        buf_reset(err);
        fd = net_connect(host, port, SMTP_READ_MS, err);
        if (fd >= 0 || errno != ECONNREFUSED || pn < 0 ||
            net_port_open(pn) != 1 || deadline_expired(&dl) ||
            deadline_poll_sleep(&step, 20) < 0)
            return fd;
    }
}

static int
smtp_step_tcp(struct run *r, const struct step *st)
{
    struct strvec hp = STRVEC_INIT;
    struct buf err = BUF_INIT;
    struct smtp_session s;
    int fd;
    int rc = -1;

    strvec_push_take(&hp, subst_string(&r->vars, st->args.v[0]));
    strvec_push_take(&hp, subst_string(&r->vars, st->args.v[1]));
    smtp_step_header(r, NULL, &hp, 0);
    fd = smtp_step_connect(hp.v[0], hp.v[1], &err);
    if (fd < 0) {
        step_fail(r, st, buf_str(&err));
    } else {
        smtp_step_session(r, &s, fd, fd, -1);
        rc = smtp_session_run(&s, st, &r->fail);
        smtp_session_free(&s);
        close(fd);
    }
    if (rc < 0) {
        /* What the server said about it, if it is ours. */
        step_add_file_tail(r, &r->fail, r->last_log);
    }
    strvec_free(&hp);
    buf_free(&err);
    return rc;
}

/*
 * After an smtp exec dialogue: close the MTA's stdin (or kill it if the
 * dialogue failed), drain its output, reap it, check its status.  Its
 * stderr, in err, goes to the scenario's.
 */
static int
smtp_step_exec_finish(struct run *r, const struct step *st,
                      struct smtp_session *s, pid_t pid, int dialog_rc,
                      struct buf *err)
{
    struct buf rest = BUF_INIT;
    struct proc_io io = {-1, NULL, 0, s->rfd, &rest, s->efd, err};
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
    buf_add(&r->streams.err, buf_str(err), err->len);
    if (rc < 0)
        step_add_tail(&r->fail, "its stderr", err);
    else if ((rc = step_check_outcome(r, st, outcome, status)) == 0)
        rc = step_check_status(r, st, status, err);
    buf_free(&rest);
    return rc;
}

static int
smtp_step_exec(struct run *r, const struct step *st)
{
    struct strvec argv = STRVEC_INIT;
    struct strvec env = STRVEC_INIT;
    struct buf err = BUF_INIT;
    struct proc_spec spec = {NULL, NULL, NULL, r->dir, -1, -1, -1};
    struct smtp_session s;
    int in[2], out[2], errp[2];
    int rc = -1;
    pid_t pid;

    step_mta_argv(r, &st->args, 1, &argv);
    smtp_step_header(r, "exec", &argv, 3);
    step_env(r, &env);
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
        step_fail(r, st, buf_str(&err));
    } else {
        smtp_step_session(r, &s, out[0], in[1], errp[0]);
        s.err_sink = &err;
        rc = smtp_session_run(&s, st, &r->fail);
        rc = smtp_step_exec_finish(r, st, &s, pid, rc, &err);
        smtp_session_free(&s);
    }
    strvec_free(&argv);
    strvec_free(&env);
    buf_free(&err);
    return rc;
}

int
step_smtp(struct run *r, const struct step *st)
{
    return st->smtp_exec ? smtp_step_exec(r, st) : smtp_step_tcp(r, st);
}
