/*++
 * NAME
 *	betest 3
 * SUMMARY
 *	-be and -bem: expansion test mode
 * SYNOPSIS
 *	#include "expand/betest.h"
 *
 *	int	expand_test_mode(char **args, int nargs,
 *				const char *message_file)
 *	int	expand_message_load(struct arena *a, const char *text,
 *				size_t len, struct expand_message *m)
 * DESCRIPTION
 *	expand_test_mode() does what "exim -be" does: it expands each
 *	argument, or each line of the standard input when there are none,
 *	and prints the result, or "Failed: " and the error, on the
 *	standard output. Reading the standard input it prompts with "> "
 *	before each line and prints a newline at the end, as Exim does
 *	when it has no readline; a line ending in a backslash continues on
 *	the next, whose leading white space is dropped.
 *
 *	Each line first has macros replaced (those of the configuration,
 *	-D ones included). A line that starts with an upper-case letter
 *	defines a macro ("NAME = value", answered "Defined macro 'NAME'").
 *	"set acl_m_x = value" (or acl_c) sets an ACL variable for the
 *	lines after it (answered, as Exim does, "variable m_x set").
 *
 *	With message_file (-bem FILE) the file is read first as a message:
 *	header lines up to the first empty line, then the body; header
 *	variables, $message_body, $message_headers and $message_size see
 *	it. expand_message_load() does that parsing. As Exim does, the
 *	message gets an id ($message_exim_id) and Message-Id: and Date:
 *	headers if it has none; $message_linecount and
 *	$max_received_linelength count the file as it was.
 * DIAGNOSTICS
 *	The exit status is 0, or 1 if the message file cannot be read.
 *	A malformed macro definition is reported on the standard error.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "expand/betest.h"
#include "expand/expand.h"
#include "spool/msgid.h"

#define BE_MAX_LINE (1024 * 1024)

struct betest {
    struct expand_ctx ctx;
    struct arena *perm; /* everything: lines, the message, variables */
    struct conf_macro *macros;
    const char *where; /* "-be args" or "-be stdin" */
    int lineno;
};

static size_t
header_name_len(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] > ' ' && p[i] < 127 && p[i] != ':')
        i++;
    /* Exim allows white space between the name and the colon. */
    size_t j = i;
    while (j < n && (p[j] == ' ' || p[j] == '\t'))
        j++;
    return i > 0 && j < n && p[j] == ':' && j == i ? i : 0;
}

int
expand_message_load(struct arena *a, const char *text, size_t len,
                    struct expand_message *m)
{
    const char *p = text, *end = text + len;
    struct expand_header **tail = &m->headers;
    gstr norm;

    /* Line endings become "\n". */
    gstr_init(&norm, a);
    for (size_t i = 0; i < len; i++)
        if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
            gstr_addc(&norm, text[i]);
    p = norm.s;
    end = norm.s + norm.len;
    memset(m, 0, sizeof(*m));
    tail = &m->headers;
    while (p < end && *p != '\n') {
        const char *start = p;
        size_t nlen = header_name_len(p, (size_t)(end - p));
        if (nlen == 0)
            break; /* not a header: the body starts here */
        do {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
        } while (p < end && (*p == ' ' || *p == '\t'));
        struct expand_header *h = arena_alloc(a, sizeof(*h));
        size_t hl = (size_t)(p - start);
        char *t = arena_alloc(a, hl + 2);
        memcpy(t, start, hl);
        if (hl == 0 || t[hl - 1] != '\n')
            t[hl++] = '\n';
        t[hl] = '\0';
        h->text = t;
        h->len = hl;
        h->name_len = nlen;
        *tail = h;
        tail = &h->next;
    }
    if (p < end && *p == '\n')
        p++;
    m->body = p;
    m->body_len = (size_t)(end - p);
    return 0;
}

static int
has_header(const struct expand_message *m, const char *name)
{
    size_t n = strlen(name);

    for (const struct expand_header *h = m->headers; h != NULL; h = h->next)
        if (h->name_len == n && strncasecmp(h->text, name, n) == 0)
            return 1;
    return 0;
}

static void
add_header(struct betest *b, const char *text)
{
    struct expand_header **tail = &b->ctx.msg->headers;
    struct expand_header *h = arena_alloc(b->perm, sizeof(*h));

    while (*tail != NULL)
        tail = &(*tail)->next;
    h->text = arena_strdup(b->perm, text);
    h->len = strlen(text);
    h->name_len = (size_t)(strchr(text, ':') - text);
    *tail = h;
}

/* What Exim does to a -bem message: counts its lines, gives it an id,
 * and adds Message-Id: and Date: if it has none. */
static void
message_as_received(struct betest *b)
{
    const struct expand_message *m = b->ctx.msg;
    size_t lines = 1, longest = 0, cur = 0;
    char id[MSGID_LEN + 1];
    gstr g;

    for (const struct expand_header *h = m->headers; h != NULL; h = h->next)
        for (size_t i = 0; i < h->len; i++) {
            if (h->text[i] == '\n') {
                lines++;
                longest = cur > longest ? cur : longest;
                cur = 0;
            } else
                cur++;
        }
    for (size_t i = 0; i < m->body_len; i++) {
        if (m->body[i] == '\n') {
            lines++;
            longest = cur > longest ? cur : longest;
            cur = 0;
        } else
            cur++;
    }
    if (cur > 0) {
        lines++;
        longest = cur > longest ? cur : longest;
    }
    gstr_init(&g, b->perm);
    gstr_printf(&g, "%zu", lines);
    expand_set_var(&b->ctx, "message_linecount", g.s);
    gstr_init(&g, b->perm);
    gstr_printf(&g, "%zu", longest);
    expand_set_var(&b->ctx, "max_received_linelength", g.s);

    msgid_generate(id, -1);
    expand_set_var(&b->ctx, "message_exim_id", id);
    expand_set_var(&b->ctx, "message_id", id);
    if (!has_header(m, "message-id")) {
        gstr_init(&g, b->perm);
        gstr_adds(&g, "Message-Id: ");
        msgid_header_value(&g, id, main_config.primary_hostname);
        gstr_addc(&g, '\n');
        add_header(b, g.s);
    }
    if (!has_header(m, "date")) {
        gstr_init(&g, b->perm);
        gstr_adds(&g, "Date: ");
        tod_full(&g, time(NULL));
        gstr_addc(&g, '\n');
        add_header(b, g.s);
    }
}

static int
load_message_file(struct betest *b, const char *path)
{
    FILE *f = fopen(path, "r");
    gstr g;
    char buf[8192];
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "mxlab: failed to open \"%s\": %s\n", path,
                strerror(errno));
        return -1;
    }
    gstr_init(&g, b->perm);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        gstr_addn(&g, buf, n);
    fclose(f);
    b->ctx.msg = arena_alloc(b->perm, sizeof(*b->ctx.msg));
    expand_message_load(b->perm, g.s, g.len, b->ctx.msg);
    if (b->ctx.msg->headers == NULL)
        printf("Warning: no message headers read\n");
    message_as_received(b);
    return 0;
}

/* Exim replaces user macros anywhere after the first upper-case
 * letter; built-in ones only where a name starts with "_". */
static void
replace_macros(struct betest *b, gstr *line, int *first)
{
    *first = 0;
    for (struct conf_macro *m = b->macros; m != NULL; m = m->next) {
        size_t nl = strlen(m->name);
        size_t from = 0;
        char *hit;

        if (nl == 0)
            continue;
        while ((hit = strstr(line->s + from, m->name)) != NULL) {
            size_t off = (size_t)(hit - line->s);
            gstr rest;
            gstr_init(&rest, line->arena);
            gstr_adds(&rest, hit + nl);
            gstr_truncate(line, off);
            gstr_adds(line, m->value);
            from = line->len;
            gstr_adds(line, rest.s);
            if (off == 0)
                *first = 1;
            if (line->len > BE_MAX_LINE)
                return;
        }
    }
}

static void
define_macro(struct betest *b, const char *line)
{
    const char *s = line;
    gstr name;

    gstr_init(&name, b->perm);
    while (isalnum((unsigned char)*s) || *s == '_')
        gstr_addc(&name, *s++);
    while (isspace((unsigned char)*s))
        s++;
    if (*s != '=') {
        fprintf(stderr, "mxlab: %s:%d: malformed macro definition \"%s\"\n",
                b->where, b->lineno, line);
        return;
    }
    s++;
    if (*s == '=')
        s++;
    while (isspace((unsigned char)*s))
        s++;
    b->macros = conf_macro_add(b->perm, b->macros, gstr_str(&name), s, 0, 0);
    printf("Defined macro '%s'\n", gstr_str(&name));
}

/* "set acl_m_x = value": the value is expanded first. The messages are
 * Exim's, "variable m_x set" included. */
static void
set_acl_var(struct betest *b, const char *s)
{
    const char *rest = s, *p;
    gstr name, err;
    char *value;

    gstr_init(&name, b->ctx.arena);
    gstr_init(&err, b->ctx.arena);
    if (strncmp(s, "acl_c", 5) != 0 && strncmp(s, "acl_m", 5) != 0) {
        printf("invalid variable name after \"set\" in ACL modifier \"set "
               "%s\" (must start \"acl_c\" or \"acl_m\")\n",
               rest);
        return;
    }
    if (!isdigit((unsigned char)s[5]) && s[5] != '_') {
        printf("invalid variable name after \"set\" in ACL modifier \"set "
               "%s\" (digit or underscore must follow acl_c or acl_m)\n",
               rest);
        return;
    }
    for (p = s + 5; *p != '\0' && *p != '=' && !isspace((unsigned char)*p); p++)
        if (!isalnum((unsigned char)*p) && *p != '_') {
            printf("invalid character \"%c\" in variable name in ACL "
                   "modifier \"set %s\"\n",
                   *p, rest);
            return;
        }
    gstr_addn(&name, s, (size_t)(p - s));
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '=') {
        printf("\"=\" missing after ACL \"'-be'\" modifier\n");
        return;
    }
    p++;
    while (isspace((unsigned char)*p))
        p++;
    if (expand_string(&b->ctx, p, &value, &err) != EXPAND_OK) {
        printf("oops: %s\n", gstr_str(&err));
        return;
    }
    expand_set_acl_var(&b->ctx, gstr_str(&name), value);
    printf("variable %s set\n", gstr_str(&name) + 4);
}

static void
test_line(struct betest *b, const char *text)
{
    gstr line, err;
    char *out;
    int first, rc;

    b->lineno++;
    /* No per-line reset: variables set by one line (by "set", by an ACL
     * run from ${acl}) must stay valid for the next. */
    gstr_init(&line, b->ctx.arena);
    gstr_adds(&line, text);
    replace_macros(b, &line, &first);
    if (isupper((unsigned char)line.s[0]) && !first) {
        define_macro(b, line.s);
        return;
    }
    if (strncmp(line.s, "set ", 4) == 0) {
        set_acl_var(b, line.s + 4);
        return;
    }
    gstr_init(&err, b->ctx.arena);
    rc = expand_string(&b->ctx, line.s, &out, &err);
    if (rc == EXPAND_OK)
        printf("%s\n", out);
    else
        printf("Failed: %s\n", gstr_str(&err));
    fflush(stdout);
}

/* One logical line from stdin, with Exim's prompt and continuations;
 * NULL at the end. Also read by -bt and -bv. */
char *
test_read_line(struct arena *a)
{
    gstr g;
    int had_input = 0;

    printf("> ");
    fflush(stdout);
    gstr_init(&g, a);
    for (int i = 0;; i++) {
        char buf[4096];
        size_t n, start = 0;

        if (fgets(buf, sizeof(buf), stdin) == NULL)
            break;
        had_input = 1;
        n = strlen(buf);
        /* A line longer than the buffer arrives in pieces. */
        while (n > 0 && buf[n - 1] != '\n' && g.len < BE_MAX_LINE) {
            gstr_addn(&g, buf, n);
            if (fgets(buf, sizeof(buf), stdin) == NULL) {
                n = 0;
                break;
            }
            n = strlen(buf);
        }
        while (n > 0 && isspace((unsigned char)buf[n - 1]))
            n--;
        if (i > 0)
            while (start < n && isspace((unsigned char)buf[start]))
                start++;
        gstr_addn(&g, buf + start, n - start);
        if (g.len == 0 || g.s[g.len - 1] != '\\')
            break;
        gstr_truncate(&g, g.len - 1);
    }
    if (!had_input) {
        printf("\n");
        return NULL;
    }
    return (char *)gstr_str(&g);
}

int
expand_test_mode(char **args, int nargs, const char *message_file)
{
    struct betest b;
    struct arena *input = arena_create();
    char *line;

    memset(&b, 0, sizeof(b));
    b.perm = arena_create();
    expand_ctx_init(&b.ctx, b.perm);
    for (struct conf_macro *m = config ? config->macros : NULL; m != NULL;
         m = m->next)
        if (!m->builtin)
            b.macros =
                conf_macro_add(b.perm, b.macros, m->name, m->value, 0, 0);
    if (message_file != NULL && load_message_file(&b, message_file) < 0)
        return 1;
    if (nargs > 0) {
        b.where = "-be args";
        for (int i = 0; i < nargs; i++)
            test_line(&b, args[i]);
    } else {
        b.where = "-be stdin";
        while ((line = test_read_line(input)) != NULL) {
            test_line(&b, line);
            arena_reset(input);
        }
    }
    fflush(stdout);
    arena_destroy(input);
    arena_destroy(b.perm);
    return 0;
}
