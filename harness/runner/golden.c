/*
 * NAME
 *	golden - compare outputs with golden files, or rewrite them
 * SYNOPSIS
 *	#include "golden.h"
 *
 *	int	golden_compare(const char *dir,
 *				const struct golden_item *items, size_t n,
 *				void (*both)(struct buf *), struct buf *report);
 *	int	golden_update(const char *dir,
 *				const struct golden_item *items, size_t n,
 *				struct buf *report);
 * DESCRIPTION
 *	A scenario's golden directory holds one file per expected output
 *	and nothing else.
 *
 *	golden_compare() compares each item's text with the file of its
 *	name in dir, byte for byte, after both have been passed through
 *	both (when it is not NULL): a rule for what a golden file made with
 *	mxlab cannot know of another MTA's output.  For each one that differs
 *(or is missing) it appends the output of "diff -u golden actual" to report,
 *cut at GOLDEN_DIFF_MAX_LINES lines.  A file in dir that no item names is
 *reported too: it is a check nobody runs.
 *
 *	golden_update() makes dir hold exactly the items: it creates dir
 *	if need be, writes each file whose contents differ (atomically),
 *	and removes files no item names.  It notes each change in report.
 *	An empty item list with no dir leaves things as they are.
 * DIAGNOSTICS
 *	golden_compare() returns 0 when everything matches, else -1.
 *	golden_update() returns the number of files changed, or -1 (with
 *	the reason in report) when it cannot write.
 */

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadline.h"
#include "fileio.h"
#include "golden.h"
#include "proc.h"
#include "strvec.h"

extern char **environ;

#define GOLDEN_DIFF_MS 30000

/* Files in dir other than dot files, sorted. */
static void
golden_list(const char *dir, struct strvec *names)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            strvec_push(names, de->d_name);
    closedir(d);
    strvec_sort(names);
}

static int
golden_is_item(const struct golden_item *items, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].name, name) == 0)
            return 1;
    return 0;
}

/* Append text to report as at most max lines. */
static void
golden_add_capped(struct buf *report, const struct buf *text, int max)
{
    const char *s = buf_str(text);
    const char *end = s + text->len;
    int lines = 0;

    while (s < end && lines < max) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));

        nl = nl ? nl + 1 : end;
        buf_add(report, s, (size_t)(nl - s));
        s = nl;
        lines++;
    }
    if (report->len > 0 && report->data[report->len - 1] != '\n')
        buf_putc(report, '\n');
    if (s < end)
        buf_printf(report, "... (diff cut at %d lines)\n", max);
}

/* Write text to a temporary file; return its path or NULL. */
static char *
golden_temp_file(const struct buf *text)
{
    const char *tmpdir = getenv("TMPDIR");
    struct buf path = BUF_INIT;
    int fd;

    buf_printf(&path, "%s/scenario-run-actual-XXXXXX",
               tmpdir && *tmpdir ? tmpdir : "/tmp");
    fd = mkstemp(path.data);
    if (fd < 0 || fileio_write_all(fd, buf_str(text), text->len) < 0) {
        if (fd >= 0) {
            close(fd);
            unlink(path.data);
        }
        buf_free(&path);
        return NULL;
    }
    close(fd);
    return buf_steal(&path);
}

/* Run diff -u on the two files, labelled; append its output. */
static void
golden_run_diff(const char *golden, const char *glabel, const char *actual,
                const char *alabel, struct buf *report)
{
    char *argv[] = {"diff",         "-u",           "--label",
                    (char *)glabel, "--label",      (char *)alabel,
                    (char *)golden, (char *)actual, NULL};
    struct proc_spec spec = {"diff", argv, environ, NULL, -1, -1, -1};
    struct buf out = BUF_INIT;
    struct buf why = BUF_INIT;
    struct proc_io io = {-1, NULL, 0, -1, &out, -1, &why};
    struct deadline dl;
    int fds[2];
    int status;
    pid_t pid;

    if (proc_pipe(fds) < 0) {
        buf_printf(report, "(cannot run diff: %s)\n", strerror(errno));
        return;
    }
    spec.fd_out = fds[1];
    pid = proc_spawn(&spec, &why);
    close(fds[1]);
    io.fd_out = fds[0];
    deadline_set(&dl, GOLDEN_DIFF_MS);
    if (pid < 0) {
        close(fds[0]);
        buf_printf(report, "(%s)\n", buf_str(&why));
    } else if (proc_pump(pid, &io, &dl, &status) != PROC_EXITED) {
        buf_puts(report, "(diff did not finish)\n");
    } else {
        golden_add_capped(report, &out, GOLDEN_DIFF_MAX_LINES);
    }
    buf_free(&out);
    buf_free(&why);
}

static void
golden_show_diff(const char *gpath, const struct golden_item *item, int exists,
                 struct buf *report)
{
    struct buf alabel = BUF_INIT;
    char *tmp = golden_temp_file(&item->text);

    buf_printf(&alabel, "actual/%s", item->name);
    if (tmp == NULL) {
        buf_printf(report, "(cannot write a temporary file: %s)\n",
                   strerror(errno));
    } else {
        golden_run_diff(exists ? gpath : "/dev/null", gpath, tmp,
                        buf_str(&alabel), report);
        unlink(tmp);
    }
    free(tmp);
    buf_free(&alabel);
}

/* Compare one item; 0 if equal. */
static int
golden_compare_item(const char *dir, const struct golden_item *item,
                    void (*both)(struct buf *), struct buf *report)
{
    char *gpath = fileio_join(dir, item->name);
    struct buf golden = BUF_INIT, actual = BUF_INIT;
    int exists = fileio_read(gpath, &golden) == 0;
    int same;

    buf_add(&actual, item->text.data, item->text.len);
    if (both != NULL) {
        both(&golden);
        both(&actual);
    }
    same = exists && golden.len == actual.len &&
           memcmp(golden.data, actual.data, golden.len) == 0;
    buf_free(&actual);

    if (!same) {
        if (exists)
            buf_printf(report, "%s differs:\n", gpath);
        else
            buf_printf(report,
                       "%s is missing (run with --update to create "
                       "it):\n",
                       gpath);
        golden_show_diff(gpath, item, exists, report);
    }
    free(gpath);
    buf_free(&golden);
    return same ? 0 : -1;
}

int
golden_compare(const char *dir, const struct golden_item *items, size_t n,
               void (*both)(struct buf *), struct buf *report)
{
    struct strvec names = STRVEC_INIT;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        if (golden_compare_item(dir, &items[i], both, report) < 0)
            rc = -1;
    golden_list(dir, &names);
    for (size_t i = 0; i < names.n; i++) {
        if (golden_is_item(items, n, names.v[i]))
            continue;
        buf_printf(report,
                   "%s/%s: golden file without an expect line "
                   "(add the output to expect, or run --update "
                   "to remove it)\n",
                   dir, names.v[i]);
        rc = -1;
    }
    strvec_free(&names);
    return rc;
}

/* Write one item if it changed: 1 if written, 0 if not, -1 error. */
static int
golden_update_item(const char *dir, const struct golden_item *item,
                   struct buf *report)
{
    char *gpath = fileio_join(dir, item->name);
    struct buf golden = BUF_INIT;
    int exists = fileio_read(gpath, &golden) == 0;
    int rc = 0;

    if (!exists || golden.len != item->text.len ||
        memcmp(buf_str(&golden), buf_str(&item->text), golden.len) != 0) {
        rc = 1;
        if (fileio_write_atomic(gpath, buf_str(&item->text), item->text.len) <
            0) {
            buf_printf(report, "cannot write %s: %s\n", gpath, strerror(errno));
            rc = -1;
        } else {
            buf_printf(report, "%s %s\n", exists ? "updated" : "created",
                       gpath);
        }
    }
    free(gpath);
    buf_free(&golden);
    return rc;
}

static int
golden_remove_stale(const char *dir, const struct golden_item *items, size_t n,
                    struct buf *report)
{
    struct strvec names = STRVEC_INIT;
    int changed = 0;

    golden_list(dir, &names);
    for (size_t i = 0; i < names.n; i++) {
        if (golden_is_item(items, n, names.v[i]))
            continue;
        char *gpath = fileio_join(dir, names.v[i]);

        if (unlink(gpath) == 0) {
            buf_printf(report, "removed %s\n", gpath);
            changed++;
        }
        free(gpath);
    }
    strvec_free(&names);
    return changed;
}

int
golden_update(const char *dir, const struct golden_item *items, size_t n,
              struct buf *report)
{
    struct stat st;
    int changed = 0;
    int rc;

    if (n == 0 && stat(dir, &st) < 0)
        return 0;
    if (fileio_mkdirs(dir) < 0) {
        buf_printf(report, "cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = golden_update_item(dir, &items[i], report)) < 0)
            return -1;
        changed += rc;
    }
    return changed + golden_remove_stale(dir, items, n, report);
}
