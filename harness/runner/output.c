/*
 * NAME
 *	output - the named outputs a scenario can expect
 * SYNOPSIS
 *	#include "output.h"
 *
 *	int	output_name_check(const char *name, struct buf *err);
 *	void	output_golden_name(const char *name, struct buf *out);
 *	int	output_file_path(const char *name, const char *dir,
 *				struct buf *path);
 *	void	output_collect(const char *name, const char *dir,
 *				const struct output_streams *streams,
 *				struct buf *out);
 * DESCRIPTION
 *	An output is named stdout, stderr or transcript (collected in
 *	memory by the steps), mainlog, rejectlog or paniclog (Exim's
 *	default log files, $DIR/spool/log/NAME, for spool_directory =
 *	$DIR/spool), or file:RELPATH (a file or directory under $DIR).
 *
 *	output_name_check() says whether name is one of these.
 *
 *	output_golden_name() appends the name of the golden file for an
 *	output: the name itself, or for file:a/b the name file-a-b.
 *
 *	output_file_path() appends to path the file an output is read
 *	from, for the outputs that are files.
 *
 *	output_collect() replaces out with an output's text.  A file that
 *	does not exist gives "(absent)" and a newline, so a golden file
 *	can say that something must not be there.  A directory gives a
 *	listing of everything below it, sorted, one "=== path" line per
 *	entry (directories end in "/", symbolic links show "-> target"),
 *	each regular file followed by its contents.  Names that start with
 *	a message id sort as Exim lists its queue, by arrival (the id's
 *	time, then its sub-second part), not by the pid in the middle:
 *	two messages received in one second by processes whose pids
 *	wrapped round would otherwise swap places from run to run.
 * DIAGNOSTICS
 *	output_name_check() and output_file_path() return 0, or -1 (with
 *	a message in err for output_name_check()).  A file that cannot
 *	be read is shown as "(unreadable: reason)" in the output.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "mem.h"
#include "output.h"
#include "strvec.h"

#define OUTPUT_MAX_DEPTH 32

static const char *const output_logs[] = {"mainlog", "rejectlog", "paniclog"};

static int
output_is_log(const char *name)
{
    for (size_t i = 0; i < sizeof(output_logs) / sizeof(*output_logs); i++)
        if (strcmp(name, output_logs[i]) == 0)
            return 1;
    return 0;
}

static int
output_relpath_ok(const char *rel)
{
    const char *s = rel;

    if (*rel == '\0' || *rel == '/')
        return 0;
    while (*s != '\0') {
        size_t len = strcspn(s, "/");

        if (len == 2 && strncmp(s, "..", 2) == 0)
            return 0;
        s += len + (s[len] == '/');
    }
    return 1;
}

int
output_name_check(const char *name, struct buf *err)
{
    if (strcmp(name, "stdout") == 0 || strcmp(name, "stderr") == 0 ||
        strcmp(name, "transcript") == 0 || output_is_log(name))
        return 0;
    if (strncmp(name, "file:", 5) == 0 && output_relpath_ok(name + 5))
        return 0;
    buf_printf(err,
               "unknown output \"%s\" (stdout, stderr, transcript, "
               "mainlog, rejectlog, paniclog or file:RELPATH, without "
               "\"..\")",
               name);
    return -1;
}

void
output_golden_name(const char *name, struct buf *out)
{
    const char *p;

    if (strncmp(name, "file:", 5) != 0) {
        buf_puts(out, name);
        return;
    }
    buf_puts(out, "file-");
    for (p = name + 5; *p == '/'; p++)
        ;
    for (; *p != '\0'; p++) {
        if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
            continue;
        buf_putc(out, *p == '/' ? '-' : *p);
    }
}

int
output_file_path(const char *name, const char *dir, struct buf *path)
{
    if (output_is_log(name)) {
        buf_printf(path, "%s/spool/log/%s", dir, name);
        return 0;
    }
    if (strncmp(name, "file:", 5) == 0) {
        buf_printf(path, "%s/%s", dir, name + 5);
        return 0;
    }
    return -1;
}

static void
output_add_file(const char *path, struct buf *out)
{
    struct buf content = BUF_INIT;

    if (fileio_read(path, &content) < 0) {
        buf_printf(out, "(unreadable: %s)\n", strerror(errno));
    } else {
        buf_add(out, content.data, content.len);
        if (content.len > 0 && content.data[content.len - 1] != '\n')
            buf_puts(out, "\n\\ (no newline at end of file)\n");
    }
    buf_free(&content);
}

/* The length of the message id name starts with (23 for Exim 4.97 and
 * later, 16 before), the offset of its sub-second part in *sub; or 0. */
static size_t
output_msgid_len(const char *name, size_t *sub)
{
    static const size_t len[] = {23, 16};
    static const size_t dash2[] = {18, 13};

    for (int k = 0; k < 2; k++) {
        size_t i;

        for (i = 0; i < len[k]; i++) {
            int dash = i == 6 || i == dash2[k];

            if (dash ? name[i] != '-' : !isalnum((unsigned char)name[i]))
                break;
        }
        if (i == len[k] && !isalnum((unsigned char)name[i])) {
            *sub = dash2[k] + 1;
            return len[k];
        }
    }
    return 0;
}

static int
output_name_cmp(const char *a, const char *b)
{
    size_t sa, sb;
    size_t la = output_msgid_len(a, &sa), lb = output_msgid_len(b, &sb);
    int d;

    if (la != 0 && la == lb) {
        d = strncmp(a, b, 6);
        if (d == 0)
            d = strncmp(a + sa, b + sb, la - sa);
        if (d != 0)
            return d;
    }
    return strcmp(a, b);
}

static void
output_list_names(const char *path, struct strvec *names)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            strvec_push(names, de->d_name);
    closedir(d);
    strvec_sort_by(names, output_name_cmp);
}

static void output_list_tree(const char *path, const char *rel, int depth,
                             struct buf *out);

static void
output_list_entry(const char *path, const char *rel, int depth, struct buf *out)
{
    struct stat st;
    char target[4096];
    ssize_t n;

    if (lstat(path, &st) < 0) {
        buf_printf(out, "=== %s (vanished)\n", rel);
    } else if (S_ISDIR(st.st_mode)) {
        buf_printf(out, "=== %s/\n", rel);
        output_list_tree(path, rel, depth + 1, out);
    } else if (S_ISLNK(st.st_mode)) {
        n = readlink(path, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        buf_printf(out, "=== %s -> %s\n", rel, target);
    } else if (S_ISREG(st.st_mode)) {
        buf_printf(out, "=== %s\n", rel);
        output_add_file(path, out);
    } else {
        buf_printf(out, "=== %s (special file)\n", rel);
    }
}

static void
output_list_tree(const char *path, const char *rel, int depth, struct buf *out)
{
    struct strvec names = STRVEC_INIT;

    if (depth > OUTPUT_MAX_DEPTH) {
        buf_printf(out, "=== %s/ (too deep, not listed)\n", rel);
        return;
    }
    output_list_names(path, &names);
    for (size_t i = 0; i < names.n; i++) {
        char *child = fileio_join(path, names.v[i]);
        char *child_rel =
            *rel ? fileio_join(rel, names.v[i]) : mem_strdup(names.v[i]);

        output_list_entry(child, child_rel, depth, out);
        free(child);
        free(child_rel);
    }
    strvec_free(&names);
}

static void
output_collect_path(const char *path, struct buf *out)
{
    struct stat st;

    if (stat(path, &st) < 0)
        buf_puts(out, errno == ENOENT ? OUTPUT_ABSENT : "(unreadable)\n");
    else if (S_ISDIR(st.st_mode))
        output_list_tree(path, "", 0, out);
    else if (S_ISREG(st.st_mode))
        output_add_file(path, out);
    else
        buf_puts(out, "(not a regular file or directory)\n");
}

void
output_collect(const char *name, const char *dir,
               const struct output_streams *streams, struct buf *out)
{
    struct buf path = BUF_INIT;
    const struct buf *mem = NULL;

    buf_reset(out);
    buf_add(out, "", 0);
    if (strcmp(name, "stdout") == 0)
        mem = &streams->out;
    else if (strcmp(name, "stderr") == 0)
        mem = &streams->err;
    else if (strcmp(name, "transcript") == 0)
        mem = &streams->transcript;
    if (mem != NULL) {
        buf_add(out, buf_str(mem), mem->len);
    } else if (output_file_path(name, dir, &path) == 0) {
        output_collect_path(buf_str(&path), out);
    }
    buf_free(&path);
}
