#ifndef RUNNER_RUNCTX_H
#define RUNNER_RUNCTX_H

#include <stddef.h>

#include "buf.h"
#include "fakeclock.h"
#include "output.h"
#include "proc.h"
#include "scenario.h"
#include "subst.h"

struct result;
struct run_opts;
struct strvec;

/* One scenario run in progress; shared by run.c, step*.c, verify.c. */
struct run {
    const struct run_opts *opts;
    struct scenario scn;
    const char *golden_dir;
    char *dir;  /* $DIR */
    char *conf; /* $DIR/test.conf */
    char ports[3][8];
    int ports_lock; /* held until the scenario ends (net.c), or -1 */
    struct subst vars;
    struct fakeclock clock;
    struct output_streams streams;
    struct proc_set procs;
    char *last_log;   /* output file (in $DIR) of the last background */
    struct buf fail;  /* why the run failed */
    struct buf trace; /* -v */
};

#define STEP_TAIL_LINES 20

/* step.c */
int step_run_all(struct run *r);
void step_fail(struct run *r, const struct step *st, const char *what);
void step_add_tail(struct buf *out, const char *label, const struct buf *text);
void step_add_file_tail(struct run *r, struct buf *out, const char *relname);
void step_env(struct run *r, struct strvec *env);
void step_mta_argv(struct run *r, const struct strvec *args, size_t from,
                   struct strvec *argv);
int step_check_status(struct run *r, const struct step *st, int status,
                      const struct buf *err);
int step_check_outcome(struct run *r, const struct step *st,
                       enum proc_outcome outcome, int status);

/* step_smtp.c */
int step_smtp(struct run *r, const struct step *st);

/* verify.c */
void verify_outputs(struct run *r, struct result *res);

#endif
