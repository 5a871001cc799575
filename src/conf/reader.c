/*++
 * NAME
 *	reader 3
 * SUMMARY
 *	configuration preprocessor
 * SYNOPSIS
 *	#include "conf/reader.h"
 *
 *	struct conf_reader *conf_reader_open(struct arena *a,
 *				const char *path, struct conf_macro *macros,
 *				gstr *err)
 *	char	*conf_reader_next(struct conf_reader *r, const char **file,
 *				int *line)
 *	int	conf_reader_error(struct conf_reader *r, const char *fmt, ...)
 *	void	conf_reader_close(struct conf_reader *r)
 * DESCRIPTION
 *	The reader turns a configuration file into logical lines, doing
 *	what Exim does before any option is looked at:
 * .IP \(bu
 *	A line whose first non-blank character is "#" is a comment, also
 *	between continuation lines. Blank lines are skipped.
 * .IP \(bu
 *	A line ending in "\e" continues on the next line, whose leading
 *	white space is dropped.
 * .IP \(bu
 *	A line "NAME = value" (NAME starting with an upper-case letter)
 *	defines a macro; "NAME == value" redefines one. A macro given with
 *	-D on the command line wins over the file's definition. Macro
 *	names are replaced wherever they start a word in later lines,
 *	most recently defined first, as Exim does.
 * .IP \(bu
 *	.ifdef, .ifndef, .elifdef, .elifndef, .else and .endif select
 *	lines; .include and .include_if_exists read another file (a
 *	relative name is taken from the including file's directory).
 * .PP
 *	Lines come back with macros replaced and white space trimmed.
 * DIAGNOSTICS
 *	Errors are recorded as "FILE:LINE: message" in the err string given
 *	to conf_reader_open(); conf_reader_next() then returns NULL.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/reader.h"

#define INCLUDE_DEPTH_MAX    10
#define IF_DEPTH_MAX         20
#define MACRO_EXPANSIONS_MAX 1000
#define LINE_MAX_BYTES       (256 * 1024)

struct conf_file {
    FILE *fp;
    char *path;
    int lineno;
    int if_base; /* if-stack depth when this file started */
    struct conf_file *up;
};

struct if_state {
    int active;    /* lines in this branch are used */
    int taken;     /* some branch of this .ifdef was used already */
    int seen_else; /* .else was seen */
    char *file;
    int line;
};

struct conf_reader {
    struct arena *a;
    struct conf_file *file;
    int depth;
    struct if_state ifs[IF_DEPTH_MAX];
    int nifs;
    struct conf_macro *macros;
    gstr *err;
    int failed;
    const char *cur_file;
    int cur_line;
};

struct conf_macro *
conf_macro_find(struct conf_macro *list, const char *name)
{
    for (; list != NULL; list = list->next)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

struct conf_macro *
conf_macro_add(struct arena *a, struct conf_macro *list, const char *name,
               const char *value, int from_command_line, int builtin)
{
    struct conf_macro *m = arena_alloc(a, sizeof(*m));

    m->name = arena_strdup(a, name);
    m->value = arena_strdup(a, value);
    m->from_command_line = from_command_line;
    m->builtin = builtin;
    m->next = list;
    return m;
}

static int
reader_verror(struct conf_reader *r, const char *file, int line,
              const char *fmt, va_list ap)
{
    if (!r->failed) {
        gstr_printf(r->err, "%s:%d: ", file ? file : "(command line)", line);
        gstr_vprintf(r->err, fmt, ap);
    }
    r->failed = 1;
    return -1;
}

int
conf_reader_error(struct conf_reader *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    reader_verror(r, r->cur_file, r->cur_line, fmt, ap);
    va_end(ap);
    return -1;
}

int
conf_reader_error_at(struct conf_reader *r, const char *file, int line,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    reader_verror(r, file, line, fmt, ap);
    va_end(ap);
    return -1;
}

int
conf_reader_failed(const struct conf_reader *r)
{
    return r->failed;
}

struct conf_macro *
conf_reader_macros(const struct conf_reader *r)
{
    return r->macros;
}

static int
reader_push_file(struct conf_reader *r, const char *path, int must_exist)
{
    struct conf_file *f;
    FILE *fp;

    if (r->depth >= INCLUDE_DEPTH_MAX)
        return conf_reader_error(r,
                                 ".include nesting deeper than %d "
                                 "(does a file include itself?)",
                                 INCLUDE_DEPTH_MAX);
    fp = fopen(path, "re");
    if (fp == NULL) {
        if (!must_exist && errno == ENOENT)
            return 0;
        if (r->file == NULL) {
            gstr_printf(r->err, "%s: cannot open configuration file: %s", path,
                        strerror(errno));
            r->failed = 1;
            return -1;
        }
        return conf_reader_error(r, "cannot open included file \"%s\": %s",
                                 path, strerror(errno));
    }
    f = arena_alloc(r->a, sizeof(*f));
    f->fp = fp;
    f->path = arena_strdup(r->a, path);
    f->if_base = r->nifs;
    f->up = r->file;
    r->file = f;
    r->depth++;
    return 0;
}

struct conf_reader *
conf_reader_open(struct arena *a, const char *path, struct conf_macro *macros,
                 gstr *err)
{
    struct conf_reader *r = arena_alloc(a, sizeof(*r));

    r->a = a;
    r->macros = macros;
    r->err = err;
    if (reader_push_file(r, path, 1) < 0)
        return NULL;
    return r;
}

/* Reads one physical line into g (without the newline). 0 at EOF. */
static int
reader_physical_line(struct conf_reader *r, gstr *g)
{
    int c, any = 0;

    gstr_truncate(g, 0);
    while ((c = getc(r->file->fp)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (g->len >= LINE_MAX_BYTES)
            return conf_reader_error(r, "line longer than %d bytes",
                                     LINE_MAX_BYTES);
        gstr_addc(g, (char)c);
    }
    if (!any)
        return 0;
    r->file->lineno++;
    if (g->len > 0 && g->s[g->len - 1] == '\r')
        gstr_truncate(g, g->len - 1);
    return 1;
}

static char *
trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static int
is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Replaces macro names that start a word; bounded so that a macro that
 * refers to itself cannot loop. */
static int
reader_substitute(struct conf_reader *r, const char *in, gstr *out)
{
    int expansions = 0;
    gstr cur, next, swap;

    /* Two buffers, each substitution copied from one into the other: the
     * memory is twice the longest line, not a copy per substitution. */
    gstr_init(&cur, r->a);
    gstr_init(&next, r->a);
    gstr_adds(&cur, in);
    for (size_t i = 0; i < cur.len; i++) {
        struct conf_macro *m;

        /* built-in macros (_DKIM_SIGN_HEADERS) start with "_" */
        if ((!isupper((unsigned char)cur.s[i]) && cur.s[i] != '_') ||
            (i > 0 && is_name_char(cur.s[i - 1])))
            continue;
        for (m = r->macros; m != NULL; m = m->next) {
            size_t n = strlen(m->name);

            if (strncmp(cur.s + i, m->name, n) != 0)
                continue;
            if (++expansions > MACRO_EXPANSIONS_MAX)
                return conf_reader_error(
                    r, "too many macro substitutions in one line "
                       "(does a macro refer to itself?)");
            gstr_truncate(&next, 0);
            gstr_addn(&next, cur.s, i);
            gstr_adds(&next, m->value);
            gstr_addn(&next, cur.s + i + n, cur.len - i - n);
            if (next.len > LINE_MAX_BYTES)
                return conf_reader_error(r,
                                         "line longer than %d bytes "
                                         "after macro substitution",
                                         LINE_MAX_BYTES);
            swap = cur;
            cur = next;
            next = swap;
            i--; /* rescan from the replacement */
            break;
        }
    }
    gstr_truncate(out, 0);
    gstr_addn(out, cur.s ? cur.s : "", cur.len);
    return 0;
}

static int
reader_active(const struct conf_reader *r)
{
    for (int i = 0; i < r->nifs; i++)
        if (!r->ifs[i].active)
            return 0;
    return 1;
}

static int
macro_defined(struct conf_reader *r, const char *name)
{
    return conf_macro_find(r->macros, name) != NULL;
}

static int
reader_directive_name(struct conf_reader *r, const char *dir, char *arg,
                      char **name)
{
    *name = trim(arg);
    if (**name == '\0')
        return conf_reader_error(r, "%s needs a macro name", dir);
    return 0;
}

static int
reader_if(struct conf_reader *r, const char *dir, char *arg)
{
    char *name;
    int want = strcmp(dir, ".ifdef") == 0;
    struct if_state *s;

    if (reader_directive_name(r, dir, arg, &name) < 0)
        return -1;
    if (r->nifs >= IF_DEPTH_MAX)
        return conf_reader_error(r, ".ifdef nesting deeper than %d",
                                 IF_DEPTH_MAX);
    s = &r->ifs[r->nifs++];
    s->active = macro_defined(r, name) == want;
    s->taken = s->active;
    s->seen_else = 0;
    s->file = r->file->path;
    s->line = r->file->lineno;
    return 0;
}

static int
reader_else(struct conf_reader *r, const char *dir, char *arg)
{
    struct if_state *s;

    if (r->nifs <= r->file->if_base)
        return conf_reader_error(r, "%s without a matching .ifdef or .ifndef",
                                 dir);
    s = &r->ifs[r->nifs - 1];
    if (s->seen_else)
        return conf_reader_error(r, "%s after .else", dir);
    if (strcmp(dir, ".else") == 0) {
        if (*trim(arg) != '\0')
            return conf_reader_error(r, ".else takes no argument");
        s->seen_else = 1;
        s->active = !s->taken;
    } else {
        char *name;
        int want = strcmp(dir, ".elifdef") == 0;

        if (reader_directive_name(r, dir, arg, &name) < 0)
            return -1;
        s->active = !s->taken && macro_defined(r, name) == want;
    }
    s->taken |= s->active;
    return 0;
}

static int
reader_endif(struct conf_reader *r, char *arg)
{
    if (r->nifs <= r->file->if_base)
        return conf_reader_error(r,
                                 ".endif without a matching .ifdef or .ifndef");
    if (*trim(arg) != '\0')
        return conf_reader_error(r, ".endif takes no argument");
    r->nifs--;
    return 0;
}

static int
reader_include(struct conf_reader *r, const char *dir, char *arg)
{
    char *name = trim(arg);
    gstr path;

    if (*name == '\0')
        return conf_reader_error(r, "%s needs a file name", dir);
    if (*name == '"') {
        size_t n = strlen(name);
        if (n < 2 || name[n - 1] != '"')
            return conf_reader_error(r, "missing closing quote in %s", dir);
        name[n - 1] = '\0';
        name++;
    }
    gstr_init(&path, r->a);
    if (name[0] != '/') {
        const char *slash = strrchr(r->file->path, '/');
        if (slash != NULL)
            gstr_addn(&path, r->file->path,
                      (size_t)(slash - r->file->path) + 1);
    }
    gstr_adds(&path, name);
    return reader_push_file(r, gstr_str(&path), strcmp(dir, ".include") == 0);
}

static int
reader_directive(struct conf_reader *r, char *line)
{
    char *arg = line;
    char dir[32];
    size_t n;

    while (*arg != '\0' && !isspace((unsigned char)*arg))
        arg++;
    n = (size_t)(arg - line);
    if (n >= sizeof(dir))
        n = sizeof(dir) - 1;
    memcpy(dir, line, n);
    dir[n] = '\0';

    if (strcmp(dir, ".ifdef") == 0 || strcmp(dir, ".ifndef") == 0) {
        if (!reader_active(r)) { /* nested in a skipped branch */
            if (r->nifs >= IF_DEPTH_MAX)
                return conf_reader_error(r, ".ifdef nesting deeper than %d",
                                         IF_DEPTH_MAX);
            struct if_state *s = &r->ifs[r->nifs++];
            s->active = 0;
            s->taken = 1;
            s->seen_else = 0;
            s->file = r->file->path;
            s->line = r->file->lineno;
            return 0;
        }
        return reader_if(r, dir, arg);
    }
    if (strcmp(dir, ".else") == 0 || strcmp(dir, ".elifdef") == 0 ||
        strcmp(dir, ".elifndef") == 0) {
        int outer_active;
        r->nifs--;
        outer_active = reader_active(r);
        r->nifs++;
        if (r->nifs <= r->file->if_base || outer_active)
            return reader_else(r, dir, arg);
        return 0;
    }
    if (strcmp(dir, ".endif") == 0)
        return reader_endif(r, arg);
    if (!reader_active(r))
        return 0;
    if (strcmp(dir, ".include") == 0 || strcmp(dir, ".include_if_exists") == 0)
        return reader_include(r, dir, arg);
    return conf_reader_error(r, "unknown directive \"%s\"", dir);
}

/* "NAME = value" or "NAME == value" at the start of a line. */
static int
reader_macro_definition(struct conf_reader *r, char *line)
{
    char *p = line, *name, *value;
    int redefine = 0;
    struct conf_macro *m;

    while (is_name_char(*p))
        p++;
    name = arena_strndup(r->a, line, (size_t)(p - line));
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '=')
        return 0; /* not a definition */
    if (p[1] == '=') {
        redefine = 1;
        p++;
    }
    value = trim(p + 1);
    m = conf_macro_find(r->macros, name);
    if (m != NULL && m->from_command_line)
        return 1; /* -D wins */
    if (m != NULL && m->builtin)
        return conf_reader_error(r,
                                 "macro \"%s\" is built in and cannot be "
                                 "redefined",
                                 name);
    if (m != NULL && !redefine)
        return conf_reader_error(r,
                                 "macro \"%s\" is already defined "
                                 "(use \"==\" to redefine it)",
                                 name);
    if (m == NULL && redefine)
        return conf_reader_error(r,
                                 "macro \"%s\" cannot be redefined: it "
                                 "was not defined before",
                                 name);
    gstr sub;
    gstr_init(&sub, r->a);
    if (reader_substitute(r, value, &sub) < 0)
        return -1;
    if (m != NULL)
        m->value = (char *)gstr_str(&sub);
    else
        r->macros = conf_macro_add(r->a, r->macros, name, gstr_str(&sub), 0, 0);
    return 1;
}

static void
reader_pop_file(struct conf_reader *r)
{
    struct conf_file *f = r->file;

    fclose(f->fp);
    r->file = f->up;
    r->depth--;
}

void
conf_reader_close(struct conf_reader *r)
{
    while (r->file != NULL)
        reader_pop_file(r);
}

static int
reader_check_ifs_closed(struct conf_reader *r)
{
    if (r->nifs > r->file->if_base) {
        struct if_state *s = &r->ifs[r->nifs - 1];
        return conf_reader_error_at(r, s->file, s->line,
                                    ".ifdef or .ifndef without a matching "
                                    ".endif");
    }
    return 0;
}

/* Reads a logical line (continuations joined, comments dropped). Returns
 * 1 with the line in out, 0 at the end of all files, -1 on error. */
static int
reader_logical_line(struct conf_reader *r, gstr *out)
{
    gstr phys;
    int got;

    gstr_init(&phys, r->a);
    gstr_truncate(out, 0);
    for (;;) {
        if (r->file == NULL)
            return 0;
        got = reader_physical_line(r, &phys);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (out->len > 0)
                return 1; /* a continuation at the end of the file */
            if (reader_check_ifs_closed(r) < 0)
                return -1;
            reader_pop_file(r);
            continue;
        }
        char *text = trim((char *)gstr_str(&phys));
        if (*text == '#')
            continue;
        if (out->len == 0) {
            r->cur_file = r->file->path;
            r->cur_line = r->file->lineno;
            if (*text == '\0')
                continue;
        }
        size_t n = strlen(text);
        int more = n > 0 && text[n - 1] == '\\';
        if (more)
            text[--n] = '\0';
        gstr_adds(out, text);
        if (!more)
            return 1;
    }
}

int
conf_reader_end_line(const struct conf_reader *r)
{
    return r != NULL && r->file != NULL && r->file->path == r->cur_file
               ? r->file->lineno
               : r->cur_line;
}

char *
conf_reader_next(struct conf_reader *r, const char **file, int *line)
{
    gstr raw, sub;

    if (r == NULL || r->failed)
        return NULL;
    gstr_init(&raw, r->a);
    gstr_init(&sub, r->a);
    for (;;) {
        int got = reader_logical_line(r, &raw);

        if (got <= 0)
            return NULL;
        char *text = trim((char *)gstr_str(&raw));
        if (*text == '.') {
            if (reader_directive(r, text) < 0)
                return NULL;
            continue;
        }
        if (!reader_active(r))
            continue;
        if (isupper((unsigned char)*text)) {
            int def = reader_macro_definition(r, text);
            if (def < 0)
                return NULL;
            if (def > 0)
                continue;
        }
        if (reader_substitute(r, text, &sub) < 0)
            return NULL;
        *file = r->cur_file;
        *line = r->cur_line;
        return trim((char *)gstr_str(&sub));
    }
}
