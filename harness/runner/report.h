#ifndef RUNNER_REPORT_H
#define RUNNER_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "result.h"

struct run;
struct step;

/* report-capture.c: in the worker, what a report shows of one run. */
void capture_begin(const char *dir, size_t index);
void capture_step(struct run *r, const struct step *st);
void capture_end(struct run *r);

/* One scenario as the reports see it. */
struct report_case {
    char *name;   /* core/helo */
    char *page;   /* name as a safe relative path: no "..", no leading / */
    char *folder; /* core: the first folder of page */
    char *path;   /* scenarios/core/helo */
    enum result_status status;
    char *title;
    char *reason;
    struct buf detail;
    long long ms;      /* how long it ran, -1 if unknown */
    char *prose;       /* its leading comments, without "# " */
    char *config;      /* its config, as written */
    struct buf events; /* capture records: step, client, peer:NAME */
};

struct report {
    struct report_case *cases;
    size_t n;
    char *capture_dir; /* where the workers write, or NULL */
    const char *mta;   /* the MTA under test, for the headings */
    const char *heading;
};

void report_init(struct report *rep, size_t n, int capture);
void report_add(struct report *rep, size_t i, const char *name,
                const char *path, const struct result *res);
void report_free(struct report *rep);

/* Capture records: "KEY LEN\n", LEN bytes, "\n". */
int report_next_record(const char **p, const char *end, char **key,
                       const char **data, size_t *len);

/* report-xml.c */
void report_xml_escape(struct buf *out, const char *s, size_t len);
void report_xml_escape_str(struct buf *out, const char *s);

/* report-junit.c, report-html.c */
int report_junit(const struct report *rep, const char *file, struct buf *err);
int report_html(const struct report *rep, const char *dir, struct buf *err);

/* report-svg.c */
void report_svg_dialogue(struct buf *out, const struct report_case *c,
                         const char *mta_name);

#endif
