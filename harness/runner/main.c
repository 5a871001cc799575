/*
 * NAME
 *	scenario-run - run mxlab scenarios and compare with golden outputs
 * SYNOPSIS
 *	scenario-run [-j N] [--update] [--mta PATH] [--mta-user NAME]
 *		[--keep] [-v] [--time-factor N] [--junit FILE] [--html DIR]
 *[PATH...] scenario-run --list-rules DESCRIPTION Runs each scenario file named
 *by PATH, or found below a PATH that is a directory (default: "scenarios"),
 *against the MTA and prints the results as TAP, ending with "N passed, N
 *failed, N skipped".  docs/scenario-format.md describes scenarios, golden files
 *and normalisation.
 *
 *	-j N	Run N scenarios at once (0: one per CPU).  Results are
 *		printed in path order all the same.
 *
 *	--update
 *		Write the golden files from the actual outputs instead of
 *		comparing.  A scenario whose step fails still fails.
 *
 *	--mta PATH
 *		The MTA to test (default: mxlab next to scenario-run, i.e.
 *		$BUILD/mxlab).  A name without "/" is looked up on PATH.
 *
 *	--mta-user NAME
 *		Give each scenario's directory, with the files the
 *		scenario writes into it, to the user NAME (and its group)
 *		before the MTA runs, so that an MTA that drops root to its
 *		own user (Exim's exim_user, mxlab's) can write its spool and
 *		logs there.  Needs the runner to run as root.  A runner
 *		that runs as root and tests mxlab (an MTA whose file name
 *		is "mxlab") uses the user "mxlab" when this option is not
 *		given and that user exists; "--mta-user ''" turns that
 *		off.
 *
 *	--keep	Keep each scenario's temporary directory and say where.
 *
 *	--time-factor N
 *		Multiply every time limit of the runner (a command's 30 s,
 *		a daemon's 10 s to listen, an SMTP reply's 10 s, ...) by N,
 *		1 to 100 (default 1): for an MTA under valgrind (make
 *		valgrind uses 10) or a machine too loaded for the limits.
 *		The MTA's own time-outs are the configuration's.
 *
 *	-v	Show a trace of each scenario's steps.
 *
 *	--junit FILE
 *		Also write the results as JUnit XML to FILE (one testcase
 *		per scenario, classname its folder; report-junit.c).
 *
 *	--html DIR
 *		Also write a static HTML report into DIR: DIR/index.html,
 *		a page per folder and one per scenario with its comments,
 *		its configuration, its SMTP dialogue as a sequence diagram
 *		and, if it failed, what went wrong (report-html.c).
 *
 *	--title TEXT
 *		The heading of the HTML report (default "scenario-run").
 *
 *	--list-rules
 *		Print the normalisation rules as a Markdown table.
 *
 *	With $SCENARIO_RUN_TIMES set to a file name, each scenario's wall
 *	time is appended to that file as a line "MS NAME" (for finding
 *	where the suite's time goes; docs/performance.md).
 *
 *	$SRCDIR is the working directory; $BUILD is the directory that
 *	holds scenario-run (so build-asan/scenario-run runs the fakes of
 *	build-asan).
 * DIAGNOSTICS
 *	Exit status 0 when no scenario failed, 1 when one did, 2 for a
 *	usage error or when the runner itself cannot go on.
 */

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "discover.h"
#include "fakeclock.h"
#include "fileio.h"
#include "mem.h"
#include "msg.h"
#include "mtainfo.h"
#include "normalise.h"
#include "pool.h"
#include "report.h"
#include "result.h"
#include "run.h"
#include "strvec.h"
#include "tap.h"

struct main_ctx {
    struct strvec files;
    char **names;
    char **golden;
    struct run_opts opts;
    struct tap_counts counts;
    struct report report;
};

struct main_args {
    int jobs;
    int list_rules;
    const char *mta;
    const char *mta_user;
    const char *junit;
    const char *html;
    const char *title;
};

static void
main_usage(FILE *fp)
{
    fputs("usage: scenario-run [-j N] [--update] [--mta PATH] "
          "[--mta-user NAME] [--keep] [-v]\n"
          "                    [--time-factor N] [--junit FILE] [--html DIR]\n"
          "                    [--title TEXT] [PATH...]\n"
          "       scenario-run --list-rules\n",
          fp);
}

static int
main_parse_jobs(const char *arg)
{
    char *end;
    long v = strtol(arg, &end, 10);
    long cpus;

    if (*arg == '\0' || *end != '\0' || v < 0 || v > 256) {
        main_usage(stderr);
        msg_fatal("-j wants a number from 0 to 256, not \"%s\"", arg);
    }
    if (v == 0)
        v = (cpus = sysconf(_SC_NPROCESSORS_ONLN)) > 0 ? cpus : 1;
    return (int)v;
}

static void
main_parse_args(int argc, char **argv, struct main_args *a, struct run_opts *o)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"update", no_argument, NULL, 'u'},
        {"mta", required_argument, NULL, 'm'},
        {"mta-user", required_argument, NULL, 'U'},
        {"keep", no_argument, NULL, 'k'},
        {"time-factor", required_argument, NULL, 'F'},
        {"verbose", no_argument, NULL, 'v'},
        {"list-rules", no_argument, NULL, 'l'},
        {"junit", required_argument, NULL, 'J'},
        {"html", required_argument, NULL, 'H'},
        {"title", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "j:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            a->jobs = main_parse_jobs(optarg);
            break;
        case 'u':
            o->update = 1;
            break;
        case 'm':
            a->mta = optarg;
            break;
        case 'U':
            a->mta_user = optarg;
            break;
        case 'k':
            o->keep = 1;
            break;
        case 'F': {
            char *end;
            long v = strtol(optarg, &end, 10);

            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 100) {
                main_usage(stderr);
                msg_fatal("--time-factor wants a number from 1 to 100, not "
                          "\"%s\"",
                          optarg);
            }
            deadline_set_factor((int)v);
            break;
        }
        case 'v':
            o->verbose = 1;
            break;
        case 'l':
            a->list_rules = 1;
            break;
        case 'J':
            a->junit = optarg;
            break;
        case 'H':
            a->html = optarg;
            break;
        case 'T':
            a->title = optarg;
            break;
        case 'h':
            main_usage(stdout);
            fputs("Run scenarios against an MTA, compare with golden files, "
                  "report TAP.\n"
                  "  -j, --jobs N      N scenarios at once (0: one per CPU)\n"
                  "  --update          write the golden files instead of "
                  "comparing\n"
                  "  --mta PATH        the MTA to test (default: mxlab beside "
                  "scenario-run)\n"
                  "  --mta-user NAME   give each scenario's directory to "
                  "NAME (as root)\n"
                  "  --keep            keep each scenario's directory, say "
                  "where\n"
                  "  --time-factor N   multiply the runner's time limits by "
                  "N (1-100)\n"
                  "  -v, --verbose     a trace of each scenario's steps\n"
                  "  --junit FILE      also write the results as JUnit XML\n"
                  "  --html DIR        also write an HTML report into DIR\n"
                  "  --title TEXT      the HTML report's heading\n"
                  "  --list-rules      print the normalisation rules "
                  "(Markdown)\n"
                  "  -h, --help        this text\n"
                  "PATH: scenario files or folders (default: scenarios). "
                  "See scenario-run(1),\n"
                  "docs/scenario-format.md.\n",
                  stdout);
            exit(0);
        default:
            main_usage(stderr);
            exit(2);
        }
    }
}

/* The directory this program lives in, or $SRCDIR/build. */
static char *
main_build_dir(const char *srcdir)
{
    char *exe = realpath("/proc/self/exe", NULL);
    char *slash;

    if (exe == NULL)
        return fileio_join(srcdir, "build");
    if ((slash = strrchr(exe, '/')) != NULL && slash != exe)
        *slash = '\0';
    return exe;
}

/* An absolute path for the MTA: PATH lookup for a bare name. */
static char *
main_mta_path(const char *arg, const char *srcdir, const char *build)
{
    const char *path = getenv("PATH");

    if (arg == NULL)
        return fileio_join(build, "mxlab");
    if (arg[0] == '/')
        return mem_strdup(arg);
    if (strchr(arg, '/') != NULL)
        return fileio_join(srcdir, arg);
    while (path != NULL && *path != '\0') {
        size_t len = strcspn(path, ":");
        char *dir = mem_strndup(path, len);
        char *candidate = fileio_join(dir, arg);

        free(dir);
        if (len > 0 && access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
        path += len + (path[len] == ':');
    }
    return fileio_join(srcdir, arg);
}

static void
main_job(size_t i, void *vctx, struct result *res)
{
    struct main_ctx *ctx = vctx;
    const char *times = getenv("SCENARIO_RUN_TIMES");
    long long t0 = deadline_now_ms();
    FILE *fp;

    if (ctx->report.capture_dir != NULL)
        capture_begin(ctx->report.capture_dir, i);
    run_scenario(ctx->files.v[i], ctx->golden[i], &ctx->opts, res);
    if (times != NULL && *times != '\0' && (fp = fopen(times, "a")) != NULL) {
        fprintf(fp, "%lld %s\n", deadline_now_ms() - t0, ctx->names[i]);
        fclose(fp);
    }
}

static void
main_report(size_t i, struct result *res, void *vctx)
{
    struct main_ctx *ctx = vctx;

    tap_result(stdout, i + 1, ctx->names[i], res, &ctx->counts);
    if (ctx->report.cases != NULL)
        report_add(&ctx->report, i, ctx->names[i], ctx->files.v[i], res);
}

static void
main_find(struct main_ctx *ctx, int argc, char **argv)
{
    char *fallback[] = {"scenarios"};
    struct buf err = BUF_INIT;
    char *const *paths = argc > 0 ? argv : fallback;

    if (discover_scenarios(paths, argc > 0 ? (size_t)argc : 1, &ctx->files,
                           &err) < 0)
        msg_fatal("%s", buf_str(&err));
    ctx->names = mem_array(ctx->files.n, sizeof(char *));
    ctx->golden = mem_array(ctx->files.n, sizeof(char *));
    for (size_t i = 0; i < ctx->files.n; i++) {
        ctx->names[i] = discover_name(ctx->files.v[i]);
        ctx->golden[i] = discover_golden_dir(ctx->files.v[i]);
    }
    buf_free(&err);
}

static void
main_free(struct main_ctx *ctx)
{
    for (size_t i = 0; i < ctx->files.n; i++) {
        free(ctx->names[i]);
        free(ctx->golden[i]);
    }
    free(ctx->names);
    free(ctx->golden);
    strvec_free(&ctx->files);
}

/* --mta-user: the uid and gid that each scenario directory is given to.
 * Root testing mxlab gives it to mxlab's own user, which mxlab drops
 * to (docs/security.md). */
static void
main_mta_user(const char *name, struct run_opts *o)
{
    struct passwd *pw;
    const char *base = strrchr(o->mta, '/');

    base = base != NULL ? base + 1 : o->mta;
    o->foreign = strcmp(base, "mxlab") != 0;
    if (name == NULL && geteuid() == 0 && strcmp(base, "mxlab") == 0 &&
        getpwnam("mxlab") != NULL)
        name = "mxlab";
    if (name == NULL || *name == '\0')
        return;
    if ((pw = getpwnam(name)) == NULL)
        msg_fatal("--mta-user: no user \"%s\" on this machine", name);
    if (geteuid() != 0)
        msg_fatal("--mta-user needs the runner to run as root");
    o->mta_user = name;
    o->mta_uid = (long)pw->pw_uid;
    o->mta_gid = (long)pw->pw_gid;
}

/* The MTA's -bV, once, for the scenarios' "requires KIND NAME" lines. */
static void
main_mta_info(const char *mta, struct mta_info *info)
{
    struct buf err = BUF_INIT;

    if (mta_info_load(info, mta, &err) < 0)
        msg_warn("warning: %s; scenarios that require something of the MTA "
                 "will be skipped",
                 buf_str(&err));
    buf_free(&err);
}

/* --junit and --html, after the run; a report that cannot be written
 * makes the run fail. */
static void
main_write_reports(struct main_ctx *ctx, const struct main_args *a)
{
    struct buf err = BUF_INIT;

    if (ctx->report.cases == NULL)
        return;
    if (a->junit != NULL && report_junit(&ctx->report, a->junit, &err) < 0) {
        msg_warn("--junit: %s", buf_str(&err));
        ctx->counts.failed++;
    }
    buf_reset(&err);
    if (a->html != NULL && report_html(&ctx->report, a->html, &err) < 0) {
        msg_warn("--html: %s", buf_str(&err));
        ctx->counts.failed++;
    }
    buf_free(&err);
    report_free(&ctx->report);
}

int
main(int argc, char **argv)
{
    struct main_ctx ctx;
    struct main_args args = {1, 0, NULL, NULL, NULL, NULL, NULL};
    char *srcdir;
    char *build;
    char *mta;
    char *faketime;
    struct mta_info info;
    time_t started;

    memset(&ctx, 0, sizeof(ctx));
    main_parse_args(argc, argv, &args, &ctx.opts);
    if (args.list_rules) {
        norm_print_rules(stdout);
        return 0;
    }
    if ((srcdir = getcwd(NULL, 0)) == NULL)
        msg_fatal("getcwd: %s", strerror(errno));
    build = main_build_dir(srcdir);
    mta = main_mta_path(args.mta, srcdir, build);
    faketime = fakeclock_find_lib();
    if (access(mta, X_OK) < 0)
        msg_warn("warning: the MTA %s is not executable; steps that run it "
                 "will fail",
                 mta);
    ctx.opts = (struct run_opts){.mta = mta,
                                 .srcdir = srcdir,
                                 .build = build,
                                 .faketime_lib = faketime,
                                 .update = ctx.opts.update,
                                 .keep = ctx.opts.keep,
                                 .verbose = ctx.opts.verbose,
                                 .mta_user = NULL,
                                 .mta_uid = -1,
                                 .mta_gid = -1,
                                 .mta_info = NULL};
    main_mta_user(args.mta_user, &ctx.opts);
    main_mta_info(mta, &info);
    ctx.opts.mta_info = &info;
    main_find(&ctx, argc - optind, argv + optind);
    if (args.junit != NULL || args.html != NULL) {
        report_init(&ctx.report, ctx.files.n, 1);
        ctx.report.mta = mta;
        ctx.report.heading = args.title ? args.title : "scenario-run";
    }
    tap_plan(stdout, ctx.files.n);
    (void)run_scratch_base(); /* decided once, before the workers fork */
    started = time(NULL);
    pool_run(ctx.files.n, args.jobs, main_job, main_report, &ctx);
    /* libfaketime's files left by processes the scenarios' MTAs started */
    fakeclock_sweep(started - 1);
    tap_summary(stdout, &ctx.counts);
    main_write_reports(&ctx, &args);
    main_free(&ctx);
    free(srcdir);
    free(build);
    free(mta);
    free(faketime);
    mta_info_free(&info);
    return ctx.counts.failed > 0 ? 1 : 0;
}
