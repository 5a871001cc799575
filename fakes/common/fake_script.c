/*++
 * NAME
 *	fake_script 3
 * SUMMARY
 *	the line syntax of behaviour scripts
 * SYNOPSIS
 *	#include "fake_script.h"
 *
 *	void	fake_script_load(const char *path, struct fake_script *s)
 *	const char *fake_script_rest(const struct fake_script_line *l,
 *				int word)
 *	void	fake_script_error(const struct fake_script_line *l,
 *				const char *fmt, ...)
 * DESCRIPTION
 *	A behaviour script is plain text that says how a fake answers. All
 *	fakes share its line syntax; each fake gives the directives their
 *	meaning.
 *
 *	A line whose first non-blank character is # is a comment; blank
 *	lines are ignored. Any other line starting at the left margin is a
 *	directive: words separated by blanks. "Double quotes" keep blanks
 *	(\" and \\ inside them stand for " and \), 'single quotes' keep
 *	everything up to the next '. A line that starts with a blank
 *	continues the directive above it (a further line of a multi-line
 *	reply, say): it is kept verbatim apart from its leading blanks.
 *	Trailing blanks and a CR before the newline are dropped.
 *
 *	fake_script_load() reads the file into s: per directive its file
 *	and line number, the line, its words (unquoted) and where each
 *	word starts in the line, and its continuation lines.
 *
 *	fake_script_rest() returns the line from word number `word' on,
 *	exactly as written (quotes included): the text of a reply keeps
 *	its blanks. It returns "" when there are not that many words.
 * DIAGNOSTICS
 *	fake_script_load() is fatal when the file cannot be read, for an
 *	unterminated quote, and for a continuation line with no directive
 *	before it. fake_script_error() reports "FILE:LINE: message" and
 *	exits with status 1.
 *--*/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_buf.h"
#include "fake_msg.h"
#include "fake_script.h"

void
fake_script_error(const struct fake_script_line *l, const char *fmt, ...)
{
    struct fake_buf text;
    va_list ap;

    fake_buf_init(&text);
    va_start(ap, fmt);
    fake_buf_vprintf(&text, fmt, ap);
    va_end(ap);
    fake_msg_fatal("%s:%d: %s", l->file, l->lineno, fake_buf_cstr(&text));
}

static int
fake_script_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Reads one word starting at *pos; returns it unquoted. */
static char *
fake_script_word(struct fake_script_line *l, size_t *pos)
{
    struct fake_buf w;
    const char *p = l->text + *pos;
    char q;

    fake_buf_init(&w);
    while (*p && !fake_script_blank(*p)) {
        if (*p == '"' || *p == '\'') {
            q = *p++;
            while (*p && *p != q) {
                if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                fake_buf_addch(&w, *p++);
            }
            if (*p != q)
                fake_script_error(l, "unterminated quote");
            p++;
        } else
            fake_buf_addch(&w, *p++);
    }
    *pos = (size_t)(p - l->text);
    fake_buf_cstr(&w);
    return w.data;
}

static void
fake_script_split(struct fake_script_line *l)
{
    size_t pos = 0;

    for (;;) {
        while (fake_script_blank(l->text[pos]))
            pos++;
        if (l->text[pos] == 0)
            return;
        l->words =
            fake_realloc(l->words, (size_t)l->nwords + 1, sizeof(*l->words));
        l->offsets = fake_realloc(l->offsets, (size_t)l->nwords + 1,
                                  sizeof(*l->offsets));
        l->offsets[l->nwords] = pos;
        l->words[l->nwords] = fake_script_word(l, &pos);
        l->nwords++;
    }
}

static void
fake_script_add(struct fake_script *s, const char *path, int lineno,
                const char *text)
{
    struct fake_script_line *l;

    s->lines = fake_realloc(s->lines, (size_t)s->nlines + 1, sizeof(*l));
    l = &s->lines[s->nlines++];
    memset(l, 0, sizeof(*l));
    l->file = path;
    l->lineno = lineno;
    l->text = fake_strdup(text);
    fake_script_split(l);
}

static void
fake_script_continue(struct fake_script *s, const char *path, int lineno,
                     const char *text)
{
    struct fake_script_line *l;
    struct fake_script_line here = {path, lineno, NULL, 0, NULL, NULL, 0, NULL};

    if (s->nlines == 0)
        fake_script_error(&here, "continuation line without a directive");
    l = &s->lines[s->nlines - 1];
    l->cont = fake_realloc(l->cont, (size_t)l->ncont + 1, sizeof(*l->cont));
    l->cont[l->ncont++] = fake_strdup(text);
}

void
fake_script_load(const char *path, struct fake_script *s)
{
    FILE *fp;
    char *line = NULL, *p;
    size_t cap = 0, len;
    ssize_t n;
    int lineno = 0;

    memset(s, 0, sizeof(*s));
    if ((fp = fopen(path, "r")) == NULL)
        fake_msg_fatal("script %s: %s", path, strerror(errno));
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                           fake_script_blank(line[len - 1])))
            len--;
        line[len] = 0;
        for (p = line; fake_script_blank(*p); p++)
            ;
        if (*p == 0 || *p == '#')
            continue;
        if (p != line)
            fake_script_continue(s, path, lineno, p);
        else
            fake_script_add(s, path, lineno, line);
    }
    if (ferror(fp))
        fake_msg_fatal("script %s: %s", path, strerror(errno));
    free(line);
    fclose(fp);
}

const char *
fake_script_rest(const struct fake_script_line *l, int word)
{
    if (word >= l->nwords)
        return "";
    return l->text + l->offsets[word];
}
