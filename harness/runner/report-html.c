/*
 * NAME
 *	report-html - the results of a run as static HTML pages
 * SYNOPSIS
 *	#include "report.h"
 *
 *	int	report_html(const struct report *rep, const char *dir,
 *				struct buf *err);
 * DESCRIPTION
 *	report_html() writes into dir (made if missing) a report that
 *	needs no server and no network (its style sheet and drawings are
 *	inline):
 *
 *	dir/index.html: the totals and, per scenario folder, how many
 *	passed, failed and were skipped, with a bar drawn in SVG;
 *
 *	dir/FOLDER/index.html: the folder's scenarios, each with its
 *	outcome, title and, if skipped, why;
 *
 *	dir/NAME.html (dir/core/helo.html for core/helo; see report_add()
 *	for names that are not safe as paths): the scenario's
 *	comments, its outcome and running time, on failure what went
 *	wrong (the reason and the diffs, coloured), the SMTP dialogue as
 *	a sequence diagram (report-svg.c), and its configuration.
 *
 *	Everything taken from the scenarios and from what the MTA and
 *	its peers said is escaped (report-xml.c).
 * DIAGNOSTICS
 *	Returns 0, or -1 with a message in err when a directory or a
 *	page cannot be written.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "mem.h"
#include "report.h"

static const char html_css[] =
    "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222;"
    "background:#fff}\n"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:"
    "1.6em;border-bottom:1px solid #ddd}\n"
    "a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:"
    "underline}\n"
    "table{border-collapse:collapse}td,th{padding:.25em .8em;text-align:"
    "left;border-bottom:1px solid #eee}\n"
    "th{background:#f4f4f4}td.n{text-align:right}\n"
    ".pass{color:#17692e}.fail{color:#b3141b;font-weight:bold}.skip{color:"
    "#8a6d00}\n"
    ".badge{display:inline-block;padding:0 .5em;border-radius:.3em;color:"
    "#fff;font-size:.85em}\n"
    ".badge.pass{background:#1f883d}.badge.fail{background:#cf222e}.badge."
    "skip{background:#bf8700}\n"
    "pre{background:#f6f8fa;padding:.7em;overflow-x:auto;font-size:.85em;"
    "border-radius:.3em}\n"
    "pre.prose{background:none;font-family:inherit;font-size:1em;"
    "white-space:pre-wrap;padding:0}\n"
    ".diff .add{color:#17692e;background:#e6ffec}.diff .del{color:#b3141b;"
    "background:#ffebe9}.diff .hunk{color:#0550ae}\n"
    ".dialogue{overflow-x:auto;border:1px solid #ddd;border-radius:.3em}\n"
    "svg.seq text{font:11px monospace;fill:#222}\n"
    "svg.seq .lane line{stroke:#999;stroke-dasharray:4 3}\n"
    "svg.seq .lane rect{fill:#e8eef7;stroke:#4a6fa5}\n"
    "svg.seq .lane text{text-anchor:middle;font-weight:bold}\n"
    "svg.seq .msg line{stroke-width:1.3}\n"
    "svg.seq .fwd line{stroke:#1f5fbf}svg.seq .back line{stroke:#1f883d}\n"
    "svg.seq .err text{fill:#cf222e}\n"
    "svg.seq rect.step{fill:#f2f2f2}svg.seq text.steplabel{fill:#666;"
    "font-style:italic}\n"
    "svg.seq .note rect{fill:#fff8c5;stroke:#d4a72c}\n"
    "svg.bar rect.pass{fill:#1f883d}svg.bar rect.fail{fill:#cf222e}svg.bar "
    "rect.skip{fill:#bf8700}\n";

static const char *const html_status_word[] = {
    [RESULT_PASS] = "pass",
    [RESULT_FAIL] = "fail",
    [RESULT_SKIP] = "skip",
    [RESULT_UPDATED] = "pass",
};

struct html_counts {
    size_t pass, fail, skip;
};

static void
html_count(struct html_counts *n, const struct report_case *c)
{
    if (c->status == RESULT_FAIL)
        n->fail++;
    else if (c->status == RESULT_SKIP)
        n->skip++;
    else
        n->pass++;
}

/* "../" as many times as name has slashes. */
static void
html_up(struct buf *out, const char *name)
{
    for (; *name != '\0'; name++)
        if (*name == '/')
            buf_puts(out, "../");
}

/* A path for an href: escaped, with characters a URL gives meaning to
 * percent-encoded. */
static void
html_href(struct buf *out, const char *path)
{
    struct buf enc = BUF_INIT;

    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (strchr(" #?%\"'<>&\\", *p) != NULL || *p < 0x20 || *p >= 0x7f)
            buf_printf(&enc, "%%%02X", *p);
        else
            buf_putc(&enc, *p);
    }
    buf_add(out, buf_str(&enc), enc.len);
    buf_free(&enc);
}

static void
html_head(struct buf *out, const char *title)
{
    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                  "charset=\"utf-8\"><title>");
    report_xml_escape_str(out, title);
    buf_printf(out, "</title>\n<style>\n%s</style></head>\n<body>\n", html_css);
}

static void
html_badge(struct buf *out, enum result_status st)
{
    buf_printf(out, "<span class=\"badge %s\">%s</span>", html_status_word[st],
               html_status_word[st]);
}

/* A bar of width w with the three counts in proportion. */
static void
html_bar(struct buf *out, const struct html_counts *n, int w)
{
    size_t total = n->pass + n->fail + n->skip;
    int x = 0;
    const size_t part[3] = {n->pass, n->fail, n->skip};
    static const char *const cls[3] = {"pass", "fail", "skip"};

    buf_printf(out,
               "<svg class=\"bar\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"12\">",
               w);
    for (int i = 0; i < 3 && total > 0; i++) {
        int pw = (int)((double)part[i] * w / (double)total + 0.5);

        if (i == 2 || x + pw > w)
            pw = w - x;
        if (part[i] > 0 && pw > 0)
            buf_printf(out,
                       "<rect class=\"%s\" x=\"%d\" y=\"0\" width=\"%d\" "
                       "height=\"12\"/>",
                       cls[i], x, pw);
        x += pw;
    }
    buf_puts(out, "</svg>");
}

static int
html_write(const char *dir, const char *rel, const struct buf *page,
           struct buf *err)
{
    char *path = fileio_join(dir, rel);
    int rc = 0;

    if (fileio_mkdirs_for(path) < 0 ||
        fileio_write(path, buf_str(page), page->len) < 0) {
        buf_printf(err, "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

static void
html_diff(struct buf *out, const struct buf *detail)
{
    const char *s = buf_str(detail);
    const char *end = s + detail->len;

    buf_puts(out, "<pre class=\"diff\">");
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        const char *t = s + strspn(s, " ");
        const char *cls = NULL;

        if (t < s + n && strncmp(t, "@@", 2) == 0)
            cls = "hunk";
        else if (t < s + n && *t == '+' && strncmp(t, "+++", 3) != 0)
            cls = "add";
        else if (t < s + n && *t == '-' && strncmp(t, "---", 3) != 0)
            cls = "del";
        if (cls != NULL)
            buf_printf(out, "<span class=\"%s\">", cls);
        report_xml_escape(out, s, n);
        if (cls != NULL)
            buf_puts(out, "</span>");
        buf_putc(out, '\n');
        s += n + (nl != NULL);
    }
    buf_puts(out, "</pre>\n");
}

static const char *
html_mta_name(const struct report *rep)
{
    const char *slash = rep->mta ? strrchr(rep->mta, '/') : NULL;

    return slash ? slash + 1 : rep->mta ? rep->mta : "MTA";
}

static int
html_scenario(const struct report *rep, const struct report_case *c,
              const char *dir, struct buf *err)
{
    struct buf page = BUF_INIT;
    struct buf rel = BUF_INIT;
    int rc;

    html_head(&page, c->name);
    buf_puts(&page, "<p><a href=\"");
    html_up(&page, c->page);
    buf_puts(&page, "index.html\">");
    report_xml_escape_str(&page, rep->heading);
    buf_puts(&page, "</a> / <a href=\"");
    html_up(&page, c->page);
    html_href(&page, c->folder);
    buf_puts(&page, "/index.html\">");
    report_xml_escape_str(&page, c->folder);
    buf_puts(&page, "</a></p>\n<h1>");
    report_xml_escape_str(&page, c->name);
    buf_puts(&page, " ");
    html_badge(&page, c->status);
    buf_puts(&page, "</h1>\n<p class=\"title\">");
    report_xml_escape_str(&page, c->title ? c->title : "(no title)");
    if (c->ms >= 0)
        buf_printf(&page, " &middot; %.2f s", (double)c->ms / 1000);
    buf_puts(&page, " &middot; <code>");
    report_xml_escape_str(&page, c->path);
    buf_puts(&page, "</code></p>\n");
    if (c->prose != NULL && strspn(c->prose, "\n") < strlen(c->prose)) {
        buf_puts(&page, "<h2>What it shows</h2>\n<pre class=\"prose\">");
        report_xml_escape_str(&page, c->prose);
        buf_puts(&page, "</pre>\n");
    }
    if (c->status == RESULT_SKIP) {
        buf_puts(&page, "<h2>Skipped</h2>\n<p class=\"skip\">");
        report_xml_escape_str(&page, c->reason ? c->reason : "skipped");
        buf_puts(&page, "</p>\n");
    }
    if (c->status == RESULT_FAIL) {
        buf_puts(&page, "<h2>What went wrong</h2>\n");
        html_diff(&page, &c->detail);
    }
    buf_puts(&page, "<h2>SMTP dialogue</h2>\n");
    {
        size_t before = page.len;

        buf_puts(&page, "<div class=\"dialogue\">\n");
        report_svg_dialogue(&page, c, html_mta_name(rep));
        if (page.len == before + strlen("<div class=\"dialogue\">\n")) {
            page.len = before;
            page.data[before] = '\0';
            buf_puts(&page, "<p>No SMTP dialogue was recorded (the scenario "
                            "has no smtp step and no fake transcript).</p>\n");
        } else {
            buf_puts(&page, "</div>\n");
        }
    }
    if (c->config != NULL) {
        buf_puts(&page, "<h2>Configuration</h2>\n<pre class=\"config\">");
        report_xml_escape_str(&page, c->config);
        buf_puts(&page, "</pre>\n");
    }
    buf_puts(&page, "</body></html>\n");
    buf_printf(&rel, "%s.html", c->page);
    rc = html_write(dir, buf_str(&rel), &page, err);
    buf_free(&rel);
    buf_free(&page);
    return rc;
}

static int
html_folder(const struct report *rep, size_t from, size_t to, const char *dir,
            struct buf *err)
{
    struct buf page = BUF_INIT;
    struct buf rel = BUF_INIT;
    const char *folder = rep->cases[from].folder;
    struct html_counts n = {0, 0, 0};
    int rc;

    for (size_t i = from; i < to; i++)
        html_count(&n, &rep->cases[i]);
    html_head(&page, folder);
    buf_puts(&page, "<p><a href=\"../index.html\">");
    report_xml_escape_str(&page, rep->heading);
    buf_puts(&page, "</a></p>\n<h1>");
    report_xml_escape_str(&page, folder);
    buf_printf(&page,
               "</h1>\n<p><span class=\"pass\">%zu passed</span>, <span "
               "class=\"fail\">%zu failed</span>, <span class=\"skip\">%zu "
               "skipped</span></p>\n<table>\n<tr><th>outcome</th><th>"
               "scenario</th><th>title</th><th>time</th></tr>\n",
               n.pass, n.fail, n.skip);
    for (size_t i = from; i < to; i++) {
        const struct report_case *c = &rep->cases[i];

        buf_puts(&page, "<tr><td>");
        html_badge(&page, c->status);
        buf_puts(&page, "</td><td><a href=\"");
        html_up(&page, c->folder);
        buf_puts(&page, "../");
        html_href(&page, c->page);
        buf_puts(&page, ".html\">");
        report_xml_escape_str(&page, c->name);
        buf_puts(&page, "</a></td><td>");
        report_xml_escape_str(&page, c->title);
        if (c->status == RESULT_SKIP && c->reason != NULL) {
            buf_puts(&page, " <span class=\"skip\">(");
            report_xml_escape_str(&page, c->reason);
            buf_puts(&page, ")</span>");
        }
        buf_printf(&page, "</td><td class=\"n\">%.2f s</td></tr>\n",
                   c->ms > 0 ? (double)c->ms / 1000 : 0.0);
    }
    buf_puts(&page, "</table>\n</body></html>\n");
    buf_printf(&rel, "%s/index.html", folder);
    rc = html_write(dir, buf_str(&rel), &page, err);
    buf_free(&rel);
    buf_free(&page);
    return rc;
}

/* The index; calls html_folder() for each folder. */
static int
html_index(const struct report *rep, const char *dir, struct buf *err)
{
    struct buf page = BUF_INIT;
    struct buf rows = BUF_INIT;
    struct html_counts all = {0, 0, 0};
    int rc = 0;

    for (size_t i = 0; i < rep->n;) {
        size_t j = i;
        struct html_counts n = {0, 0, 0};
        const char *folder = rep->cases[i].folder;

        if (rep->cases[i].name == NULL) {
            i++;
            continue;
        }
        while (j < rep->n && rep->cases[j].name != NULL &&
               strcmp(rep->cases[j].folder, folder) == 0)
            html_count(&n, &rep->cases[j++]);
        all.pass += n.pass;
        all.fail += n.fail;
        all.skip += n.skip;
        buf_puts(&rows, "<tr><td><a href=\"");
        html_href(&rows, folder);
        buf_puts(&rows, "/index.html\">");
        report_xml_escape_str(&rows, folder);
        buf_printf(&rows,
                   "</a></td><td class=\"n pass\">%zu</td><td class=\"n "
                   "fail\">%zu</td><td class=\"n skip\">%zu</td><td>",
                   n.pass, n.fail, n.skip);
        html_bar(&rows, &n, 200);
        buf_puts(&rows, "</td></tr>\n");
        if (rc == 0)
            rc = html_folder(rep, i, j, dir, err);
        i = j;
    }
    html_head(&page, rep->heading);
    buf_puts(&page, "<h1>");
    report_xml_escape_str(&page, rep->heading);
    buf_puts(&page, "</h1>\n<p>MTA: <code>");
    report_xml_escape_str(&page, rep->mta);
    buf_printf(&page,
               "</code></p>\n<p><span class=\"pass\">%zu passed</span>, "
               "<span class=\"fail\">%zu failed</span>, <span "
               "class=\"skip\">%zu skipped</span></p>\n",
               all.pass, all.fail, all.skip);
    html_bar(&page, &all, 400);
    buf_puts(&page, "\n<table>\n<tr><th>folder</th><th>passed</th><th>"
                    "failed</th><th>skipped</th><th></th></tr>\n");
    buf_add(&page, buf_str(&rows), rows.len);
    buf_puts(&page, "</table>\n</body></html>\n");
    if (rc == 0)
        rc = html_write(dir, "index.html", &page, err);
    buf_free(&rows);
    buf_free(&page);
    return rc;
}

int
report_html(const struct report *rep, const char *dir, struct buf *err)
{
    if (fileio_mkdirs(dir) < 0) {
        buf_printf(err, "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < rep->n; i++)
        if (rep->cases[i].name != NULL &&
            html_scenario(rep, &rep->cases[i], dir, err) < 0)
            return -1;
    return html_index(rep, dir, err);
}
