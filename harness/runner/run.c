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
 *	It makes a fresh temporary directory ($DIR) under $TMPDIR, or
 *	without it under /dev/shm when that is a tmpfs with at least
 *	1 GiB free (a scenario's files are small, short-lived and
 *	many: on a disk's file system their creation and removal cost
 *	the suite about a third of its system time), else under /tmp.
 *	It allocates three
 *	ports, starts the fake clock, writes $DIR/test.conf (empty when
 *	the scenario has no config) and the scenario's files, and runs
 *	the steps in order (step.c).  The first step that fails ends the
 *	run.
 *	Whatever the outcome, everything the steps started is then
 *	stopped.  If all steps passed, the expected outputs are
 *	collected, normalised and compared with the files in golden_dir
 *	(or, with opts->update, written to it; verify.c).  The directory is
 *removed unless opts->keep is set.
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
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fakeclock.h"
#include "fileio.h"
#include "mem.h"
#include "mtainfo.h"
#include "net.h"
#include "report.h"
#include "result.h"
#include "run.h"
#include "runctx.h"

/* ---------- set-up ---------- */

#define RUN_SHM_MIN_FREE (1ULL << 30)

const char *
run_scratch_base(void)
{
    static const char *base;
    const char *tmpdir = getenv("TMPDIR");
    struct statfs st;

    if (base != NULL)
        return base;
    if (tmpdir != NULL && *tmpdir != '\0')
        base = tmpdir;
    else if (statfs("/dev/shm", &st) == 0 &&
             (unsigned long)st.f_type == TMPFS_MAGIC &&
             (unsigned long long)st.f_bavail * (unsigned long long)st.f_bsize >=
                 RUN_SHM_MIN_FREE &&
             access("/dev/shm", W_OK | X_OK) == 0)
        base = "/dev/shm";
    else
        base = "/tmp";
    return base;
}

static int
run_make_dir(struct run *r)
{
    struct buf tmpl = BUF_INIT;
    char *real;

    buf_printf(&tmpl, "%s/mxlab-scn-XXXXXX", run_scratch_base());
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
    int rc = net_alloc_ports(3, ports, &r->ports_lock, &err);

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
    if (r->opts->mta_uid >= 0 &&
        fileio_chown_tree(r->dir, (uid_t)r->opts->mta_uid,
                          (gid_t)r->opts->mta_gid) < 0) {
        buf_printf(&r->fail, "cannot give %s to the MTA's user: %s\n", r->dir,
                   strerror(errno));
        return -1;
    }
    return 0;
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
    for (size_t i = 0; i < r->scn.needs.n; i++) {
        char *need = mem_strdup(r->scn.needs.v[i]);
        char *name = strchr(need, ' ');
        int met;

        if (name != NULL)
            *name++ = '\0';
        met = mta_info_meets(r->opts->mta_info, need, name, &why);
        free(need);
        if (!met) {
            result_set_reason(res, buf_str(&why));
            buf_free(&why);
            return 1;
        }
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
        rc = step_run_all(r);
    /* Exim's daemon delivers after it has answered the client: let
     * the processes it forked finish before it is stopped. */
    if (rc == 0)
        proc_set_settle(&r->procs, RUN_SETTLE_MS);
    proc_set_stop(&r->procs, RUN_STOP_MS);
    proc_spawned_cleanup();
    if (rc < 0)
        res->status = RESULT_FAIL;
    else
        verify_outputs(r, res);
}

static void
run_finish(struct run *r, struct result *res)
{
    struct buf detail = BUF_INIT;

    capture_end(r);
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
    if (r->ports_lock >= 0)
        close(r->ports_lock); /* the ports go back to the pool */
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
    r.ports_lock = -1;
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
