/*
 * NAME
 *	report-junit - the results of a run as JUnit XML
 * SYNOPSIS
 *	#include "report.h"
 *
 *	int	report_junit(const struct report *rep, const char *file,
 *				struct buf *err);
 * DESCRIPTION
 *	report_junit() writes file in the JUnit XML form that GitLab,
 *	Jenkins and GitHub's test reporters read: a <testsuites> with a
 *	<testsuite> per scenario folder and a <testcase> per scenario,
 *	whose classname is the folder and whose name is the rest of the
 *	scenario's name (helo for core/helo).  A failed scenario has a
 *	<failure> whose message is the first line of what went wrong and
 *	whose text is all of it (the reason, the diffs); a skipped one
 *	has <skipped message="the reason"/>.  The scenario's title is in
 *	a property, its file in the file attribute, its running time in
 *	seconds in time.  All text is escaped (report-xml.c).
 *
 *	The file is written whole and renamed into place; its folder is
 *	made if missing.
 * DIAGNOSTICS
 *	Returns 0, or -1 with a message in err.
 */

#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "report.h"

struct junit_counts {
    size_t tests, failures, skipped;
    long long ms;
};

static void
junit_count(const struct report *rep, size_t from, size_t to,
            struct junit_counts *n)
{
    memset(n, 0, sizeof(*n));
    for (size_t i = from; i < to; i++) {
        n->tests++;
        n->failures += rep->cases[i].status == RESULT_FAIL;
        n->skipped += rep->cases[i].status == RESULT_SKIP;
        n->ms += rep->cases[i].ms > 0 ? rep->cases[i].ms : 0;
    }
}

static void
junit_case(struct buf *out, const struct report_case *c)
{
    const char *leaf =
        strchr(c->name, '/') ? strchr(c->name, '/') + 1 : c->name;
    const char *d = buf_str(&c->detail);
    size_t first = strcspn(d, "\n");

    buf_puts(out, "    <testcase classname=\"");
    report_xml_escape_str(out, c->folder);
    buf_puts(out, "\" name=\"");
    report_xml_escape_str(out, leaf);
    buf_puts(out, "\" file=\"");
    report_xml_escape_str(out, c->path);
    buf_printf(out, "\" time=\"%.3f\">\n",
               c->ms > 0 ? (double)c->ms / 1000 : 0.0);
    if (c->title != NULL) {
        buf_puts(out, "      <properties><property name=\"title\" value=\"");
        report_xml_escape_str(out, c->title);
        buf_puts(out, "\"/></properties>\n");
    }
    if (c->status == RESULT_FAIL) {
        buf_puts(out, "      <failure type=\"failure\" message=\"");
        if (first > 0)
            report_xml_escape(out, d, first);
        else
            buf_puts(out, "failed");
        buf_puts(out, "\">");
        report_xml_escape(out, d, c->detail.len);
        buf_puts(out, "</failure>\n");
    } else if (c->status == RESULT_SKIP) {
        buf_puts(out, "      <skipped message=\"");
        report_xml_escape_str(out, c->reason ? c->reason : "skipped");
        buf_puts(out, "\"/>\n");
    }
    buf_puts(out, "    </testcase>\n");
}

int
report_junit(const struct report *rep, const char *file, struct buf *err)
{
    struct buf out = BUF_INIT;
    struct junit_counts all;
    int rc;

    junit_count(rep, 0, rep->n, &all);
    buf_puts(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(&out,
               "<testsuites name=\"scenario-run\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
               "time=\"%.3f\">\n",
               all.tests, all.failures, all.skipped, (double)all.ms / 1000);
    for (size_t i = 0; i < rep->n;) {
        size_t j = i;
        struct junit_counts n;

        if (rep->cases[i].name == NULL) {
            i++;
            continue;
        }
        while (j < rep->n && rep->cases[j].name != NULL &&
               strcmp(rep->cases[j].folder, rep->cases[i].folder) == 0)
            j++;
        junit_count(rep, i, j, &n);
        buf_puts(&out, "  <testsuite name=\"");
        report_xml_escape_str(&out, rep->cases[i].folder);
        buf_printf(&out,
                   "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                   "skipped=\"%zu\" time=\"%.3f\">\n",
                   n.tests, n.failures, n.skipped, (double)n.ms / 1000);
        for (; i < j; i++)
            junit_case(&out, &rep->cases[i]);
        buf_puts(&out, "  </testsuite>\n");
    }
    buf_puts(&out, "</testsuites>\n");
    rc = fileio_mkdirs_for(file);
    if (rc == 0)
        rc = fileio_write_atomic(file, buf_str(&out), out.len);
    if (rc < 0)
        buf_printf(err, "cannot write %s: %s", file, strerror(errno));
    buf_free(&out);
    return rc;
}
