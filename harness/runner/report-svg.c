/*
 * NAME
 *	report-svg - a scenario's SMTP dialogue as a sequence diagram
 * SYNOPSIS
 *	#include "report.h"
 *
 *	void	report_svg_dialogue(struct buf *out,
 *				const struct report_case *c,
 *				const char *mta_name);
 * DESCRIPTION
 *	report_svg_dialogue() appends to out an inline SVG element that
 *	draws what the scenario's captured transcripts hold
 *	(report-capture.c): a lifeline for the runner's SMTP client, one
 *	for the MTA (mta_name) and one per peer transcript (a fake's
 *	NAME.transcript), and for each line sent an arrow from the
 *	sender to the receiver, labelled with the line, in the order the
 *	steps ran; each step that produced lines starts with a band
 *	naming it (its line number and directive), and events ("***"
 *	lines of the client, "*" lines of a fake: connections, TLS,
 *	closes) are notes on their lifeline.  Replies with a 4xx or 5xx
 *	code are drawn in red.
 *
 *	Long lines are cut in the label and shown whole as a tooltip;
 *	after SVG_MAX_ROWS rows the rest is left out, and the diagram
 *	says so.  Nothing is appended when there is nothing to draw.
 * DIAGNOSTICS
 *	None.  All text is escaped (report-xml.c).
 */

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "report.h"
#include "strvec.h"

#define SVG_MAX_ROWS  800
#define SVG_LANE_W    430
#define SVG_LEFT      90
#define SVG_TOP       50
#define SVG_ROW_H     18
#define SVG_LABEL_MAX 62
#define SVG_HEAD_H    26

enum svg_kind { SVG_ARROW, SVG_NOTE, SVG_STEP };

struct svg_row {
    enum svg_kind kind;
    int from, to; /* lanes; a note's lane is from */
    char *text;
};

struct svg {
    struct strvec lanes;
    struct svg_row *rows;
    size_t nrows;
    size_t dropped;
    char *pending_step; /* shown before the step's first row */
};

static int
svg_lane(struct svg *g, const char *name)
{
    for (size_t i = 0; i < g->lanes.n; i++)
        if (strcmp(g->lanes.v[i], name) == 0)
            return (int)i;
    strvec_push(&g->lanes, name);
    return (int)g->lanes.n - 1;
}

static void
svg_add(struct svg *g, enum svg_kind kind, int from, int to, const char *text,
        size_t len)
{
    struct svg_row *row;

    if (kind != SVG_STEP && g->pending_step != NULL) {
        char *step = g->pending_step;

        g->pending_step = NULL;
        svg_add(g, SVG_STEP, 0, 0, step, strlen(step));
        free(step);
    }
    if (g->nrows >= SVG_MAX_ROWS) {
        g->dropped++;
        return;
    }
    g->rows = mem_grow(g->rows, g->nrows + 1, sizeof(*g->rows));
    row = &g->rows[g->nrows++];
    row->kind = kind;
    row->from = from;
    row->to = to;
    row->text = mem_strndup(text, len);
}

/* The client's transcript: ">>> line", "<<< line", "*** event". */
static void
svg_client(struct svg *g, const char *s, size_t len)
{
    const char *end = s + len;

    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        size_t skip = n > 3 ? 4 : n;

        if (n >= 3 && memcmp(s, ">>>", 3) == 0)
            svg_add(g, SVG_ARROW, 0, 1, s + skip, n - skip);
        else if (n >= 3 && memcmp(s, "<<<", 3) == 0)
            svg_add(g, SVG_ARROW, 1, 0, s + skip, n - skip);
        else if (n > 0)
            svg_add(g, SVG_NOTE, 0, 0, s + skip, n - skip);
        s += n + (nl != NULL);
    }
}

/* A fake's transcript: "N< line" (it received), "N> line", "N* event". */
static void
svg_peer(struct svg *g, const char *name, const char *s, size_t len)
{
    const char *end = s + len;
    int lane = svg_lane(g, name);

    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        size_t d = strspn(s, "0123456789");
        struct buf text = BUF_INIT;

        if (d < n) {
            size_t rest = d + 1 < n && s[d + 1] == ' ' ? d + 2 : d + 1;

            if (d > 0 && !(d == 1 && s[0] == '1'))
                buf_printf(&text, "[%.*s] ", (int)d, s);
            buf_add(&text, s + rest, rest < n ? n - rest : 0);
            if (s[d] == '<')
                svg_add(g, SVG_ARROW, 1, lane, buf_str(&text), text.len);
            else if (s[d] == '>')
                svg_add(g, SVG_ARROW, lane, 1, buf_str(&text), text.len);
            else
                svg_add(g, SVG_NOTE, lane, lane, buf_str(&text), text.len);
        }
        buf_free(&text);
        s += n + (nl != NULL);
    }
}

static void
svg_label_max(struct buf *out, const char *text, size_t max)
{
    size_t len = strlen(text);

    if (len <= max) {
        report_xml_escape(out, text, len);
        return;
    }
    report_xml_escape(out, text, max - 3);
    buf_puts(out, "...");
}

static void
svg_label(struct buf *out, const char *text)
{
    svg_label_max(out, text, SVG_LABEL_MAX);
}

static int
svg_is_error(const char *text)
{
    const char *t = text[0] == '[' ? strchr(text, ' ') : NULL;

    t = t ? t + 1 : text;
    return (t[0] == '4' || t[0] == '5') && t[1] >= '0' && t[1] <= '9' &&
           t[2] >= '0' && t[2] <= '9' &&
           (t[3] == ' ' || t[3] == '-' || t[3] == '\0');
}

static int
svg_x(int lane)
{
    return SVG_LEFT + lane * SVG_LANE_W;
}

static void
svg_draw_row(struct buf *out, const struct svg_row *row, int y, int width)
{
    if (row->kind == SVG_STEP) {
        buf_printf(out,
                   "<rect class=\"step\" x=\"4\" y=\"%d\" width=\"%d\" "
                   "height=\"%d\"/><text class=\"steplabel\" x=\"10\" "
                   "y=\"%d\">",
                   y - 13, width - 8, SVG_ROW_H - 2, y);
        svg_label_max(out, row->text, 2 * SVG_LABEL_MAX);
        buf_puts(out, "</text>\n");
    } else if (row->kind == SVG_NOTE) {
        int x = svg_x(row->from);
        size_t len = strlen(row->text);
        int w = (int)(len < SVG_LABEL_MAX ? len : SVG_LABEL_MAX) * 7 + 10;

        buf_printf(out,
                   "<g class=\"note\"><title>%s</title>"
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                   "rx=\"3\"/><text x=\"%d\" y=\"%d\">",
                   "event", x - 4, y - 12, w, SVG_ROW_H - 3, x + 2, y);
        svg_label(out, row->text);
        buf_puts(out, "</text></g>\n");
    } else {
        int x1 = svg_x(row->from);
        int x2 = svg_x(row->to);
        int left = x1 < x2 ? x1 : x2;
        const char *cls = row->from < row->to ? "fwd" : "back";

        buf_printf(out, "<g class=\"msg %s%s\"><title>", cls,
                   svg_is_error(row->text) ? " err" : "");
        report_xml_escape_str(out, row->text);
        buf_printf(out,
                   "</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                   "marker-end=\"url(#arrow)\"/><text x=\"%d\" y=\"%d\">",
                   x1, y + 3, x2 + (x2 > x1 ? -2 : 2), y + 3, left + 8, y);
        svg_label(out, row->text);
        buf_puts(out, "</text></g>\n");
    }
}

static void
svg_draw(struct buf *out, const struct svg *g)
{
    int width = svg_x((int)g->lanes.n - 1) + SVG_LANE_W - 40;
    int height = SVG_TOP + (int)(g->nrows + 1) * SVG_ROW_H + 20 +
                 (g->dropped ? SVG_ROW_H : 0);

    buf_printf(out,
               "<svg class=\"seq\" xmlns=\"http://www.w3.org/2000/svg\" "
               "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "role=\"img\" aria-label=\"SMTP dialogue\">\n"
               "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" "
               "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
               "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 "
               "z\" fill=\"#444\"/></marker></defs>\n",
               width, height, width, height);
    for (size_t i = 0; i < g->lanes.n; i++) {
        int x = svg_x((int)i);

        buf_printf(out,
                   "<g class=\"lane\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                   "y2=\"%d\"/><rect x=\"%d\" y=\"6\" width=\"140\" "
                   "height=\"%d\" rx=\"4\"/><text x=\"%d\" y=\"24\">",
                   x, SVG_HEAD_H + 6, x, height - 6, x - 70, SVG_HEAD_H, x);
        svg_label(out, g->lanes.v[i]);
        buf_puts(out, "</text></g>\n");
    }
    for (size_t i = 0; i < g->nrows; i++)
        svg_draw_row(out, &g->rows[i], SVG_TOP + (int)i * SVG_ROW_H + 12,
                     width);
    if (g->dropped)
        buf_printf(out,
                   "<text class=\"steplabel\" x=\"10\" y=\"%d\">... %zu "
                   "more lines left out</text>\n",
                   SVG_TOP + (int)g->nrows * SVG_ROW_H + 12, g->dropped);
    buf_puts(out, "</svg>\n");
}

void
report_svg_dialogue(struct buf *out, const struct report_case *c,
                    const char *mta_name)
{
    struct svg g;
    const char *p = buf_str(&c->events);
    const char *end = p + c->events.len;
    char *key;
    const char *data;
    size_t len;

    memset(&g, 0, sizeof(g));
    svg_lane(&g, "client");
    svg_lane(&g, mta_name);
    while (report_next_record(&p, end, &key, &data, &len) > 0) {
        if (strcmp(key, "step") == 0) {
            struct buf s = BUF_INIT;
            size_t d = strspn(data, "0123456789");

            buf_printf(&s, "line %.*s: ", (int)d, data);
            buf_add(&s, data + (d < len ? d + 1 : d),
                    d < len ? len - d - 1 : 0);
            free(g.pending_step);
            g.pending_step = buf_steal(&s);
        } else if (strcmp(key, "client") == 0) {
            svg_client(&g, data, len);
        } else if (strncmp(key, "peer:", 5) == 0) {
            svg_peer(&g, key + 5, data, len);
        }
        free(key);
    }
    if (g.nrows > 0)
        svg_draw(out, &g);
    for (size_t i = 0; i < g.nrows; i++)
        free(g.rows[i].text);
    free(g.rows);
    free(g.pending_step);
    strvec_free(&g.lanes);
}
