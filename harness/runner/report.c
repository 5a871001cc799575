/*
 * NAME
 *	report - collect the results of a run for --junit and --html
 * SYNOPSIS
 *	#include "report.h"
 *
 *	void	report_init(struct report *rep, size_t n, int capture);
 *	void	report_add(struct report *rep, size_t i, const char *name,
 *				const char *path, const struct result *res);
 *	void	report_free(struct report *rep);
 *	int	report_next_record(const char **p, const char *end,
 *				char **key, const char **data,
 *				size_t *len);
 * DESCRIPTION
 *	report_init() prepares room for n scenarios; with capture set it
 *	makes a private directory for the workers' capture files
 *	(report-capture.c) in $TMPDIR.
 *
 *	report_add() keeps a copy of scenario i's result and reads its
 *	capture file, if there is one, into the case (then removes it).
 *	The case's page is its name made safe as a path below the report's
 *	folder: leading slashes dropped, ".." components written "__".
 *
 *	report_free() releases everything and removes the directory.
 *
 *	report_next_record() reads the record at *p: its key (allocated)
 *	and its data (pointing into the text), and steps past it.
 * DIAGNOSTICS
 *	report_init() is fatal when the directory cannot be made.
 *	report_next_record() returns 1 for a record, 0 at the end, -1
 *	for a malformed one.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "mem.h"
#include "msg.h"
#include "report.h"

void
report_init(struct report *rep, size_t n, int capture)
{
    memset(rep, 0, sizeof(*rep));
    rep->n = n;
    rep->cases = mem_array(n ? n : 1, sizeof(*rep->cases));
    memset(rep->cases, 0, (n ? n : 1) * sizeof(*rep->cases));
    if (capture) {
        const char *tmpdir = getenv("TMPDIR");
        struct buf tmpl = BUF_INIT;

        buf_printf(&tmpl, "%s/mxlab-report-XXXXXX",
                   tmpdir && *tmpdir ? tmpdir : "/tmp");
        if (mkdtemp(tmpl.data) == NULL)
            msg_fatal("cannot make a directory %s: %s", buf_str(&tmpl),
                      strerror(errno));
        rep->capture_dir = buf_steal(&tmpl);
    }
}

int
report_next_record(const char **p, const char *end, char **key,
                   const char **data, size_t *len)
{
    const char *nl;
    const char *sp;
    char *stop;
    unsigned long long n;

    if (*p >= end)
        return 0;
    if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL ||
        (sp = memchr(*p, ' ', (size_t)(nl - *p))) == NULL)
        return -1;
    n = strtoull(sp + 1, &stop, 10);
    if (stop != nl || n > (unsigned long long)(end - nl - 1) ||
        (size_t)(end - nl - 1) < n + 1 || nl[1 + n] != '\n')
        return -1;
    *key = mem_strndup(*p, (size_t)(sp - *p));
    *data = nl + 1;
    *len = (size_t)n;
    *p = nl + 1 + n + 1;
    return 1;
}

static void
report_load_capture(struct report *rep, size_t i, struct report_case *c)
{
    struct buf path = BUF_INIT;
    struct buf text = BUF_INIT;
    const char *p;
    const char *end;
    char *key;
    const char *data;
    size_t len;

    buf_printf(&path, "%s/%zu", rep->capture_dir, i);
    if (fileio_read(buf_str(&path), &text) < 0) {
        buf_free(&path);
        return;
    }
    p = buf_str(&text);
    end = p + text.len;
    while (report_next_record(&p, end, &key, &data, &len) > 0) {
        if (strcmp(key, "prose") == 0)
            c->prose = mem_strndup(data, len);
        else if (strcmp(key, "config") == 0)
            c->config = mem_strndup(data, len);
        else if (strcmp(key, "ms") == 0)
            c->ms = strtoll(data, NULL, 10);
        else {
            buf_printf(&c->events, "%s %zu\n", key, len);
            buf_add(&c->events, data, len);
            buf_putc(&c->events, '\n');
        }
        free(key);
    }
    unlink(buf_str(&path));
    buf_free(&path);
    buf_free(&text);
}

static char *
report_page_name(const char *name)
{
    struct buf out = BUF_INIT;

    while (*name == '/')
        name++;
    while (*name != '\0') {
        size_t len = strcspn(name, "/");

        if (len == 2 && name[0] == '.' && name[1] == '.')
            buf_puts(&out, "__");
        else if (len > 0)
            buf_add(&out, name, len);
        name += len;
        while (*name == '/')
            name++;
        if (*name != '\0' && len > 0)
            buf_putc(&out, '/');
    }
    if (out.len == 0)
        buf_puts(&out, "__");
    return buf_steal(&out);
}

void
report_add(struct report *rep, size_t i, const char *name, const char *path,
           const struct result *res)
{
    struct report_case *c = &rep->cases[i];
    const char *slash;

    c->name = mem_strdup(name);
    c->page = report_page_name(name);
    slash = strchr(c->page, '/');
    c->folder = slash ? mem_strndup(c->page, (size_t)(slash - c->page))
                      : mem_strdup("scenarios");
    c->path = mem_strdup(path);
    c->status = res->status;
    c->title = res->title ? mem_strdup(res->title) : NULL;
    c->reason = res->reason ? mem_strdup(res->reason) : NULL;
    buf_init(&c->detail);
    buf_add(&c->detail, buf_str(&res->detail), res->detail.len);
    buf_init(&c->events);
    c->ms = -1;
    if (rep->capture_dir != NULL)
        report_load_capture(rep, i, c);
}

void
report_free(struct report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        struct report_case *c = &rep->cases[i];

        free(c->name);
        free(c->page);
        free(c->folder);
        free(c->path);
        free(c->title);
        free(c->reason);
        free(c->prose);
        free(c->config);
        buf_free(&c->detail);
        buf_free(&c->events);
    }
    free(rep->cases);
    if (rep->capture_dir != NULL)
        (void)fileio_remove_tree(rep->capture_dir);
    free(rep->capture_dir);
    memset(rep, 0, sizeof(*rep));
}
