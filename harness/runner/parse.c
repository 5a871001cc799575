/*
 * NAME
 *	parse - read a scenario file
 * SYNOPSIS
 *	#include "scenario.h"
 *
 *	int	scenario_parse(const char *path, struct scenario *scn,
 *				struct buf *err);
 *	void	scenario_free(struct scenario *scn);
 * DESCRIPTION
 *	scenario_parse() reads the scenario file at path into scn: its
 *	title, configuration, files, steps (with their heredocs, expected
 *	exit statuses and SMTP dialogues) and expected outputs.  The file
 *	is checked as a whole before anything runs, so a typo in the last
 *	line does not leave a half-run scenario behind.  Nothing is
 *	substituted here; $DIR and friends are known only when the
 *	scenario runs.  docs/scenario-format.md describes the syntax.
 *
 *	scenario_free() releases everything scn holds.
 * DIAGNOSTICS
 *	scenario_parse() returns 0, or -1 with "FILE:LINE: message" in
 *	err (the scenario may then be partly filled; free it as usual).
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "escape.h"
#include "fileio.h"
#include "mem.h"
#include "mtainfo.h"
#include "output.h"
#include "scenario.h"
#include "words.h"

struct parser {
    const char *path;
    char **lines;
    size_t nlines;
    size_t next; /* index of the next unread line */
    struct scenario *scn;
    struct buf *err;
};

typedef int (*directive_fn)(struct parser *, int, char *);

__attribute__((format(printf, 3, 4))) static int
parse_error(struct parser *p, int lineno, const char *fmt, ...)
{
    va_list ap;

    buf_reset(p->err);
    buf_printf(p->err, "%s:%d: ", p->path, lineno);
    va_start(ap, fmt);
    buf_vprintf(p->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int
parse_is_blank_line(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '\0' || *line == '#';
}

static int
parse_is_indented(const char *line)
{
    return *line == ' ' || *line == '\t';
}

static char *
parse_skip_blanks(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void
parse_trim_right(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* Split the file into lines, dropping CRs before LFs. */
static void
parse_split_lines(struct parser *p, struct buf *text)
{
    char *s = text->data;
    char *end = s + text->len;
    size_t cap = 0;

    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

        if (len > 0 && s[len - 1] == '\r')
            len--;
        if (p->nlines + 1 > cap) {
            cap = cap ? cap * 2 : 64;
            p->lines = mem_grow(p->lines, cap, sizeof(*p->lines));
        }
        p->lines[p->nlines++] = mem_strndup(s, len);
        s = nl ? nl + 1 : end;
    }
}

/* ---------- heredocs and blocks ---------- */

/*
 * If the last word of rest is <<TAG, cut it off and return TAG (new
 * memory), else NULL.
 */
static char *
parse_heredoc_tag(char *rest)
{
    char *last = rest + strlen(rest);
    char *tag;

    while (last > rest && last[-1] != ' ' && last[-1] != '\t')
        last--;
    if (strncmp(last, "<<", 2) != 0 || last[2] == '\0')
        return NULL;
    for (const char *t = last + 2; *t != '\0'; t++)
        if (!isalnum((unsigned char)*t) && *t != '_')
            return NULL;
    tag = mem_strdup(last + 2);
    *last = '\0';
    parse_trim_right(rest);
    return tag;
}

static int
parse_heredoc_body(struct parser *p, int lineno, const char *tag, char **out)
{
    struct buf body = BUF_INIT;

    buf_add(&body, "", 0);
    while (p->next < p->nlines) {
        char *line = p->lines[p->next++];
        char *copy = mem_strdup(line);

        parse_trim_right(copy);
        if (strcmp(copy, tag) == 0) {
            free(copy);
            *out = buf_steal(&body);
            return 0;
        }
        free(copy);
        buf_puts(&body, line);
        buf_putc(&body, '\n');
    }
    buf_free(&body);
    return parse_error(p, lineno,
                       "here-document <<%s is not closed by a "
                       "line \"%s\"",
                       tag, tag);
}

/* Read a heredoc if rest ends in <<TAG; *out stays NULL otherwise. */
static int
parse_optional_heredoc(struct parser *p, int lineno, char *rest, char **out)
{
    char *tag = parse_heredoc_tag(rest);
    int rc;

    if (tag == NULL)
        return 0;
    rc = parse_heredoc_body(p, lineno, tag, out);
    free(tag);
    return rc;
}

/*
 * Return the next line of the indented block that follows a
 * directive, skipping blank and comment lines, or NULL at its end.
 */
static char *
parse_block_line(struct parser *p, int *lineno)
{
    size_t i = p->next;

    while (i < p->nlines && parse_is_blank_line(p->lines[i]))
        i++;
    if (i >= p->nlines || !parse_is_indented(p->lines[i]))
        return NULL;
    p->next = i + 1;
    *lineno = (int)i + 1;
    parse_trim_right(p->lines[i]);
    return parse_skip_blanks(p->lines[i]);
}

/* ---------- small values ---------- */

static int
parse_status(struct parser *p, int lineno, const char *arg, int *status)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 255)
        return parse_error(p, lineno,
                           "status wants a number from 0 to "
                           "255, not \"%s\"",
                           arg);
    *status = (int)v;
    return 0;
}

static int
parse_seconds_ms(struct parser *p, int lineno, const char *arg, long long *ms)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(arg, &end);
    if (*arg == '\0' || *end != '\0' || errno != 0 || !(v >= 0) || v > 3600)
        return parse_error(p, lineno,
                           "sleep wants seconds from 0 to 3600, "
                           "not \"%s\"",
                           arg);
    *ms = (long long)(v * 1000 + 0.5);
    return 0;
}

static int
parse_advance_value(struct parser *p, int lineno, const char *arg,
                    long long *seconds)
{
    static const struct {
        char suffix;
        long long mult;
    } units[] = {{'\0', 1}, {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    char *end;
    long long v;

    errno = 0;
    v = strtoll(arg, &end, 10);
    if (*arg != '\0' && errno == 0 && v >= 0 && v <= 3650LL * 86400 &&
        (end[0] == '\0' || end[1] == '\0'))
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (units[i].suffix == end[0]) {
                *seconds = v * units[i].mult;
                return 0;
            }
    return parse_error(p, lineno,
                       "advance wants a whole number of seconds, "
                       "optionally with s, m, h or d, not \"%s\"",
                       arg);
}

static int
parse_clock_value(struct parser *p, int lineno, const char *arg,
                  long long *when)
{
    struct tm tm;
    char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(arg, "%Y-%m-%d %H:%M:%S", &tm);
    if (end == NULL || *end != '\0')
        return parse_error(p, lineno,
                           "clock wants \"YYYY-MM-DD HH:MM:SS\" "
                           "(UTC), not \"%s\"",
                           arg);
    *when = (long long)timegm(&tm);
    return 0;
}

/* ---------- steps ---------- */

static struct step *
parse_new_step(struct parser *p, enum step_kind kind, int lineno)
{
    struct scenario *scn = p->scn;
    struct step *st;

    scn->steps = mem_grow(scn->steps, scn->nsteps + 1, sizeof(*scn->steps));
    st = &scn->steps[scn->nsteps++];
    memset(st, 0, sizeof(*st));
    st->kind = kind;
    st->lineno = lineno;
    st->source = mem_strdup(p->lines[lineno - 1]);
    parse_trim_right(st->source);
    strvec_init(&st->args);
    return st;
}

static int
parse_words(struct parser *p, int lineno, const char *rest, struct strvec *out)
{
    struct buf why = BUF_INIT;
    int rc = 0;

    if (words_split(rest, out, &why) < 0)
        rc = parse_error(p, lineno, "%s", buf_str(&why));
    buf_free(&why);
    return rc;
}

/* The "status N" block of exec and sh. */
static int
parse_status_block(struct parser *p, struct step *st)
{
    char *line;
    int lineno;

    while ((line = parse_block_line(p, &lineno)) != NULL) {
        if (strncmp(line, "status", 6) != 0 ||
            (line[6] != ' ' && line[6] != '\t'))
            return parse_error(p, lineno,
                               "only \"status N\" may follow "
                               "this directive indented");
        if (parse_status(p, lineno, parse_skip_blanks(line + 6), &st->status) <
            0)
            return -1;
    }
    return 0;
}

static int
parse_exec(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_EXEC, lineno);

    if (parse_optional_heredoc(p, lineno, rest, &st->text) < 0 ||
        parse_words(p, lineno, rest, &st->args) < 0)
        return -1;
    return parse_status_block(p, st);
}

static int
parse_sh(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_SH, lineno);

    if (parse_optional_heredoc(p, lineno, rest, &st->text) < 0)
        return -1;
    if (st->text == NULL && *rest == '\0')
        return parse_error(p, lineno, "sh wants a command or <<END");
    if (st->text == NULL) {
        st->text = mem_strdup(rest);
    } else if (*rest != '\0') {
        return parse_error(p, lineno,
                           "sh takes either a command or "
                           "<<END, not both");
    }
    return parse_status_block(p, st);
}

static int
parse_daemon(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_DAEMON, lineno);

    if (parse_words(p, lineno, rest, &st->args) < 0)
        return -1;
    if (st->args.n == 0)
        return parse_error(p, lineno,
                           "daemon wants the MTA's arguments, "
                           "e.g. -bd -oX $PORT");
    return 0;
}

static int
parse_background(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_BACKGROUND, lineno);

    if (parse_words(p, lineno, rest, &st->args) < 0)
        return -1;
    if (st->args.n == 0)
        return parse_error(p, lineno, "background wants a program");
    return 0;
}

static int
parse_waitport(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_WAITPORT, lineno);

    if (parse_words(p, lineno, rest, &st->args) < 0)
        return -1;
    if (st->args.n != 1)
        return parse_error(p, lineno, "waitport wants one port");
    return 0;
}

static int
parse_waitfor(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_WAITFOR, lineno);
    char *text = rest;
    struct buf why = BUF_INIT;

    while (*text != '\0' && *text != ' ' && *text != '\t')
        text++;
    if (*text != '\0')
        *text++ = '\0';
    text = parse_skip_blanks(text);
    if (*rest == '\0' || *text == '\0')
        return parse_error(p, lineno,
                           "waitfor wants an output and a text, "
                           "e.g. waitfor mainlog Completed");
    if (output_name_check(rest, &why) < 0 || strcmp(rest, "stdout") == 0 ||
        strcmp(rest, "stderr") == 0 || strcmp(rest, "transcript") == 0) {
        buf_free(&why);
        return parse_error(p, lineno,
                           "waitfor watches a file: mainlog, "
                           "rejectlog, paniclog or file:PATH, "
                           "not \"%s\"",
                           rest);
    }
    buf_free(&why);
    strvec_push(&st->args, rest);
    st->text = mem_strdup(text);
    return 0;
}

static int
parse_sleep(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_SLEEP, lineno);

    return parse_seconds_ms(p, lineno, rest, &st->ms);
}

static int
parse_advance(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_ADVANCE, lineno);

    return parse_advance_value(p, lineno, rest, &st->seconds);
}

static int
parse_clock(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_CLOCK, lineno);

    return parse_clock_value(p, lineno, rest, &st->seconds);
}

/* ---------- SMTP dialogues ---------- */

static struct dialog_line *
parse_new_dialog_line(struct step *st, enum dialog_kind kind, int lineno,
                      const char *text)
{
    struct dialog_line *dl;

    st->dialog = mem_grow(st->dialog, st->ndialog + 1, sizeof(*st->dialog));
    dl = &st->dialog[st->ndialog++];
    memset(dl, 0, sizeof(*dl));
    dl->kind = kind;
    dl->lineno = lineno;
    dl->text = mem_strdup(text ? text : "");
    return dl;
}

static int
parse_dialog_raw(struct parser *p, struct step *st, int lineno,
                 const char *text)
{
    struct buf decoded = BUF_INIT;
    struct buf why = BUF_INIT;
    int rc = 0;

    if (escape_decode(text, &decoded, &why) < 0)
        rc = parse_error(p, lineno, "%s", buf_str(&why));
    else
        parse_new_dialog_line(st, DIALOG_SEND_RAW, lineno, text);
    buf_free(&decoded);
    buf_free(&why);
    return rc;
}

/* The words of a "tls" line: sni=NAME cert=FILE key=FILE. */
static int
parse_dialog_tls(struct parser *p, struct step *st, int lineno,
                 const char *rest)
{
    struct strvec words = STRVEC_INIT;
    int rc = parse_words(p, lineno, rest, &words);

    for (size_t i = 0; rc == 0 && i < words.n; i++)
        if (strncmp(words.v[i], "sni=", 4) != 0 &&
            strncmp(words.v[i], "cert=", 5) != 0 &&
            strncmp(words.v[i], "key=", 4) != 0)
            rc = parse_error(p, lineno,
                             "tls takes sni=NAME, cert=FILE and "
                             "key=FILE, not \"%s\"",
                             words.v[i]);
    if (rc == 0)
        parse_new_dialog_line(st, DIALOG_TLS, lineno, rest);
    strvec_free(&words);
    return rc;
}

/* sleep N, tls ..., status N (smtp exec only). */
static int
parse_dialog_keyword(struct parser *p, struct step *st, int lineno, char *line)
{
    size_t len = strcspn(line, " \t");
    char *rest = parse_skip_blanks(line + len);
    struct dialog_line *dl;

    if (len == 5 && strncmp(line, "sleep", 5) == 0) {
        dl = parse_new_dialog_line(st, DIALOG_SLEEP, lineno, NULL);
        return parse_seconds_ms(p, lineno, rest, &dl->ms);
    }
    if (len == 3 && strncmp(line, "tls", 3) == 0)
        return parse_dialog_tls(p, st, lineno, rest);
    if (len == 6 && strncmp(line, "status", 6) == 0 && st->smtp_exec)
        return parse_status(p, lineno, rest, &st->status);
    return parse_error(p, lineno,
                       "an smtp block holds \">>> TEXT\", \">>>raw TEXT\", "
                       "\"<<< TEXT\", \"<<< closed\", \"tls\", \"sleep "
                       "N\"%s, not \"%s\"",
                       st->smtp_exec ? " and \"status N\"" : "", line);
}

static int
parse_dialog_line(struct parser *p, struct step *st, int lineno, char *line)
{
    char *text;

    if (strncmp(line, ">>>raw", 6) == 0 && (line[6] == '\0' || line[6] == ' '))
        return parse_dialog_raw(p, st, lineno, line[6] ? line + 7 : "");
    if (strncmp(line, ">>>", 3) == 0) {
        text = line[3] == ' ' ? line + 4 : line + 3;
        parse_new_dialog_line(st, DIALOG_SEND, lineno, text);
        return 0;
    }
    if (strncmp(line, "<<<", 3) == 0) {
        text = parse_skip_blanks(line + 3);
        parse_new_dialog_line(
            st, strcmp(text, "closed") == 0 ? DIALOG_CLOSED : DIALOG_EXPECT,
            lineno, text);
        return 0;
    }
    return parse_dialog_keyword(p, st, lineno, line);
}

static int
parse_smtp(struct parser *p, int lineno, char *rest)
{
    struct step *st = parse_new_step(p, STEP_SMTP, lineno);
    char *line;
    int ln;

    if (parse_words(p, lineno, rest, &st->args) < 0)
        return -1;
    if (st->args.n > 0 && strcmp(st->args.v[0], "exec") == 0) {
        st->smtp_exec = 1;
    } else if (st->args.n != 2) {
        return parse_error(p, lineno, "smtp wants HOST PORT or exec ARGS");
    }
    while ((line = parse_block_line(p, &ln)) != NULL)
        if (parse_dialog_line(p, st, ln, line) < 0)
            return -1;
    return 0;
}

/* ---------- scenario-wide directives ---------- */

static int
parse_title(struct parser *p, int lineno, char *rest)
{
    if (p->scn->title != NULL)
        return parse_error(p, lineno, "title given twice");
    if (*rest == '\0')
        return parse_error(p, lineno, "title wants a text");
    p->scn->title = mem_strdup(rest);
    return 0;
}

static int
parse_config(struct parser *p, int lineno, char *rest)
{
    char *tag = parse_heredoc_tag(rest);
    int rc;

    if (p->scn->config != NULL)
        rc = parse_error(p, lineno, "config given twice");
    else if (tag == NULL || *rest != '\0')
        rc = parse_error(p, lineno,
                         "config wants <<END and the "
                         "configuration on the following lines");
    else
        rc = parse_heredoc_body(p, lineno, tag, &p->scn->config);
    free(tag);
    return rc;
}

static int
parse_relpath_ok(const char *path)
{
    const char *s = path;

    if (*path == '\0' || *path == '/')
        return 0;
    while (*s != '\0') {
        size_t len = strcspn(s, "/");

        if (len == 2 && strncmp(s, "..", 2) == 0)
            return 0;
        s += len;
        if (*s == '/')
            s++;
    }
    return 1;
}

static int
parse_file(struct parser *p, int lineno, char *rest)
{
    struct scenario *scn = p->scn;
    struct file_spec *fs;
    char *tag = parse_heredoc_tag(rest);
    int rc;

    if (tag == NULL || *rest == '\0' || strpbrk(rest, " \t") != NULL)
        rc = parse_error(p, lineno, "file wants RELPATH <<END");
    else if (!parse_relpath_ok(rest))
        rc = parse_error(p, lineno,
                         "file path \"%s\" must be relative to "
                         "$DIR and must not contain \"..\"",
                         rest);
    else {
        scn->files = mem_grow(scn->files, scn->nfiles + 1, sizeof(*fs));
        fs = &scn->files[scn->nfiles++];
        fs->lineno = lineno;
        fs->relpath = mem_strdup(rest);
        fs->content = NULL;
        rc = parse_heredoc_body(p, lineno, tag, &fs->content);
    }
    free(tag);
    return rc;
}

static int
parse_expect(struct parser *p, int lineno, char *rest)
{
    struct strvec names = STRVEC_INIT;
    struct buf why = BUF_INIT;
    int rc = parse_words(p, lineno, rest, &names);

    if (rc == 0 && names.n == 0)
        rc = parse_error(p, lineno, "expect wants output names");
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        if (output_name_check(names.v[i], &why) < 0)
            rc = parse_error(p, lineno, "%s", buf_str(&why));
        else if (!strvec_contains(&p->scn->expects, names.v[i]))
            strvec_push(&p->scn->expects, names.v[i]);
    }
    strvec_free(&names);
    buf_free(&why);
    return rc;
}

static int
parse_skip(struct parser *p, int lineno, char *rest)
{
    (void)lineno;
    if (p->scn->skip_reason == NULL)
        p->scn->skip_reason = mem_strdup(*rest ? rest : "skipped");
    return 0;
}

/* requires PROGRAM..., or requires KIND NAME... (a need of the MTA,
   answered from its -bV), or requires mxlab. */
static int
parse_requires(struct parser *p, int lineno, char *rest)
{
    struct strvec words = STRVEC_INIT;
    int rc = 0;

    if (*rest == '\0')
        return parse_error(p, lineno, "requires wants a program name");
    if (parse_words(p, lineno, rest, &words) < 0)
        return -1;
    if (strcmp(words.v[0], "mxlab") == 0 || strcmp(words.v[0], "exim") == 0) {
        if (words.n > 1)
            rc = parse_error(p, lineno, "requires %s takes no names",
                             words.v[0]);
        else
            strvec_push(&p->scn->needs, words.v[0]);
    } else if (mta_info_kind_known(words.v[0])) {
        if (words.n < 2)
            rc = parse_error(p, lineno, "requires %s wants a name", words.v[0]);
        for (size_t i = 1; rc == 0 && i < words.n; i++) {
            struct buf need = BUF_INIT;

            buf_printf(&need, "%s %s", words.v[0], words.v[i]);
            strvec_push_take(&p->scn->needs, buf_steal(&need));
        }
    } else {
        for (size_t i = 0; i < words.n; i++)
            strvec_push(&p->scn->requires, words.v[i]);
    }
    strvec_free(&words);
    return rc;
}

static int
parse_end(struct parser *p, int lineno, char *rest)
{
    if (*rest != '\0')
        return parse_error(p, lineno, "end takes no arguments");
    return 0;
}

static const struct directive {
    const char *name;
    directive_fn fn;
} parse_directives[] = {
    {"title", parse_title},
    {"config", parse_config},
    {"file", parse_file},
    {"exec", parse_exec},
    {"sh", parse_sh},
    {"daemon", parse_daemon},
    {"background", parse_background},
    {"waitport", parse_waitport},
    {"waitfor", parse_waitfor},
    {"smtp", parse_smtp},
    {"sleep", parse_sleep},
    {"advance", parse_advance},
    {"clock", parse_clock},
    {"expect", parse_expect},
    {"skip", parse_skip},
    {"requires", parse_requires},
    {"end", parse_end},
};

static int
parse_directive(struct parser *p, int lineno, char *line)
{
    size_t len = strcspn(line, " \t");
    char *rest = parse_skip_blanks(line + len);

    for (size_t i = 0; i < sizeof(parse_directives) / sizeof(*parse_directives);
         i++) {
        const struct directive *d = &parse_directives[i];

        if (strlen(d->name) == len && strncmp(d->name, line, len) == 0)
            return d->fn(p, lineno, rest);
    }
    return parse_error(p, lineno, "unknown directive \"%.*s\"", (int)len, line);
}

static int
parse_lines(struct parser *p)
{
    while (p->next < p->nlines) {
        int lineno = (int)p->next + 1;
        char *line = p->lines[p->next++];

        if (parse_is_blank_line(line))
            continue;
        if (parse_is_indented(line))
            return parse_error(p, lineno,
                               "indented line outside a block "
                               "(only smtp, exec and sh take "
                               "indented lines)");
        /* Work on a copy: heredoc detection edits it. */
        char *copy = mem_strdup(line);
        int rc;

        parse_trim_right(copy);
        rc = parse_directive(p, lineno, copy);
        free(copy);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int
scenario_parse(const char *path, struct scenario *scn, struct buf *err)
{
    struct parser p;
    struct buf text = BUF_INIT;
    int rc;

    memset(scn, 0, sizeof(*scn));
    scn->path = mem_strdup(path);
    memset(&p, 0, sizeof(p));
    p.path = path;
    p.scn = scn;
    p.err = err;
    if (fileio_read(path, &text) < 0) {
        buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    parse_split_lines(&p, &text);
    buf_free(&text);
    rc = parse_lines(&p);
    for (size_t i = 0; i < p.nlines; i++)
        free(p.lines[i]);
    free(p.lines);
    return rc;
}

static void
scenario_free_step(struct step *st)
{
    free(st->source);
    strvec_free(&st->args);
    free(st->text);
    for (size_t i = 0; i < st->ndialog; i++)
        free(st->dialog[i].text);
    free(st->dialog);
}

void
scenario_free(struct scenario *scn)
{
    free(scn->path);
    free(scn->title);
    free(scn->config);
    free(scn->skip_reason);
    strvec_free(&scn->requires);
    strvec_free(&scn->needs);
    strvec_free(&scn->expects);
    for (size_t i = 0; i < scn->nfiles; i++) {
        free(scn->files[i].relpath);
        free(scn->files[i].content);
    }
    free(scn->files);
    for (size_t i = 0; i < scn->nsteps; i++)
        scenario_free_step(&scn->steps[i]);
    free(scn->steps);
    memset(scn, 0, sizeof(*scn));
}
