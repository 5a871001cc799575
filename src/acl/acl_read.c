/*++
 * NAME
 *	acl_read 3
 * SUMMARY
 *	parsing ACLs, finding the ACL an option means, start-up checks
 * SYNOPSIS
 *	#include "acl/acl_int.h"
 *
 *	struct acl_parsed *acl_parse_lines(struct arena *a,
 *				const char *name, const struct acl_line *lines,
 *				size_t n, gstr *err)
 *	struct acl_parsed *acl_parse_text(struct arena *a, const char *name,
 *				const char *text, const char *file, gstr *err)
 *	struct acl_parsed *acl_find(struct expand_ctx *x, const char *value,
 *				gstr *err)
 *	int	acl_check_config(gstr *err)
 *	void	acl_flush_cache(void)
 * DESCRIPTION
 *	An ACL is a sequence of statements; each starts with a verb and
 *	goes on with conditions and modifiers, one a line, the first one
 *	possibly on the verb's line, until the next verb. A condition may
 *	be negated with "!"; every condition and modifier but "endpass"
 *	has "= value" (for "set", "set acl_m_x = value"), the value
 *	running to the end of the logical line.
 *
 *	acl_parse_lines() parses the logical lines the configuration
 *	reader kept for a named ACL. acl_parse_text() first splits inline
 *	ACL text or a file into logical lines (backslash continuations,
 *	blank and "#" lines dropped).
 *
 *	acl_find() applies Exim's rules to an expanded option value: with
 *	no space in it, a named ACL of that name, else (starting with "/")
 *	an ACL file; otherwise the value is the text of an inline ACL.
 *	Parsed ACLs are kept for the life of the configuration: named ones
 *	and files always, inline texts up to a limit.
 *
 *	acl_check_config() parses every named ACL, and every acl_* option
 *	whose value is inline ACL text without "$", so that mistakes are
 *	reported at start-up like other configuration errors.
 * DIAGNOSTICS
 *	"FILE:LINE: message", with Exim's wording: unknown ACL verb "x" in
 *	"line"; unknown ACL condition/modifier in "line"; malformed ACL
 *	line "line" (a negated verb); negation is not allowed with "x";
 *	"endpass" is not allowed with "deny"; "=" missing after ACL "x"
 *	condition; invalid variable names after "set"; and what a
 *	condition's own check finds in a constant argument (an unknown
 *	control, verify type, or time).
 *--*/

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl_int.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"

#define INLINE_CACHE_MAX 256

static const char *const verb_names[] = {
    [ACL_ACCEPT] = "accept", [ACL_DEFER_VERB] = "defer",
    [ACL_DENY] = "deny",     [ACL_DISCARD_VERB] = "discard",
    [ACL_DROP] = "drop",     [ACL_REQUIRE] = "require",
    [ACL_WARN] = "warn",
};

const char *
acl_verb_name(enum acl_verb verb)
{
    return verb_names[verb];
}

static int
verb_find(const char *name)
{
    for (size_t i = 0; i < sizeof(verb_names) / sizeof(verb_names[0]); i++)
        if (strcmp(name, verb_names[i]) == 0)
            return (int)i;
    return -1;
}

static const char *
skip_ws(const char *s)
{
    while (*s != '\0' && isspace((unsigned char)*s))
        s++;
    return s;
}

/* A name: letters, digits, underscores. White space after it is
 * skipped. */
static const char *
read_name(struct arena *a, const char *s, char **name)
{
    const char *p = s;

    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    *name = arena_strndup(a, s, (size_t)(p - s));
    return skip_ws(p);
}

static int
perr(gstr *err, const struct acl_line *l, const char *fmt, const char *a1,
     const char *a2)
{
    if (err != NULL) {
        gstr_printf(err, "%s:%d: ", l->file, l->line);
        gstr_printf(err, fmt, a1, a2);
    }
    return -1;
}

static int
read_varname(struct arena *a, const struct acl_line *l, const char **sp,
             struct acl_cond *c, gstr *err)
{
    const char *s = *sp, *p;

    if (strncmp(s, "acl_c", 5) != 0 && strncmp(s, "acl_m", 5) != 0)
        return perr(err, l,
                    "invalid variable name after \"set\" in ACL modifier "
                    "\"set %s\" (must start \"acl_c\" or \"acl_m\")%s",
                    s, "");
    p = s + 5;
    if (!isdigit((unsigned char)*p) && *p != '_')
        return perr(err, l,
                    "invalid variable name after \"set\" in ACL modifier "
                    "\"set %s\" (digit or underscore must follow acl_c or "
                    "acl_m)%s",
                    s, "");
    for (; *p != '\0' && *p != '=' && !isspace((unsigned char)*p); p++)
        if (!isalnum((unsigned char)*p) && *p != '_') {
            char ch[2] = {*p, '\0'};
            return perr(err, l,
                        "invalid character \"%s\" in variable name in ACL "
                        "modifier \"set %s\"",
                        ch, s);
        }
    c->varname = arena_strndup(a, s, (size_t)(p - s));
    *sp = skip_ws(p);
    return 0;
}

/* The "= value" part, and the condition's own check of a constant. */
static int
read_value(struct arena *a, const struct acl_line *l, const char *s,
           struct acl_cond *c, const char *name, gstr *err)
{
    if (*s != '=')
        return perr(err, l, "\"=\" missing after ACL \"%s\" %s", name,
                    c->def->flags & ACL_CD_MODIFIER ? "modifier" : "condition");
    c->arg = arena_strdup(a, skip_ws(s + 1));
    if (c->def->check != NULL && strchr(c->arg, '$') == NULL) {
        gstr cerr;
        gstr_init(&cerr, a);
        if (c->def->check(c->arg, &cerr) < 0)
            return perr(err, l, "%s%s", gstr_str(&cerr), "");
    }
    return 0;
}

static int
parse_line(struct arena *a, const struct acl_line *l, struct acl_stmt **cur,
           struct acl_stmt ***tail, gstr *err)
{
    const char *s = skip_ws(l->text);
    int negated = 0, v;
    char *name;
    struct acl_cond *c, **cp;

    if (*s == '!') {
        negated = 1;
        s++;
    }
    s = read_name(a, s, &name);
    if ((v = verb_find(name)) < 0) {
        if (*cur == NULL)
            return perr(err, l, "unknown ACL verb \"%s\" in \"%s\"", name,
                        l->text);
    } else {
        struct acl_stmt *st;
        if (negated)
            return perr(err, l, "malformed ACL line \"%s\"%s", l->text, "");
        st = arena_alloc(a, sizeof(*st));
        memset(st, 0, sizeof(*st));
        st->verb = (enum acl_verb)v;
        st->file = l->file;
        /* as Exim: a statement is known by the last line of its verb's
         * logical line (errors in reading it name the first) */
        st->line = l->end_line > 0 ? l->end_line : l->line;
        **tail = st;
        *tail = &st->next;
        *cur = st;
        if (*s == '\0')
            return 0;
        if (*s == '!') {
            negated = 1;
            s++;
        }
        s = read_name(a, s, &name);
    }
    c = arena_alloc(a, sizeof(*c));
    memset(c, 0, sizeof(*c));
    if ((c->def = acl_cond_find(name)) == NULL)
        return perr(err, l, "unknown ACL condition/modifier in \"%s\"%s",
                    l->text, "");
    if (negated && (c->def->flags & ACL_CD_MODIFIER))
        return perr(err, l, "ACL error: negation is not allowed with \"%s\"%s",
                    name, "");
    if (c->def == &acl_cond_endpass && (*cur)->verb != ACL_ACCEPT &&
        (*cur)->verb != ACL_DISCARD_VERB)
        return perr(err, l,
                    "ACL error: \"endpass\" is not allowed with \"%s\"%s",
                    verb_names[(*cur)->verb], "");
    c->negated = negated;
    c->file = l->file;
    c->line = l->line;
    if (c->def == &acl_cond_set && read_varname(a, l, &s, c, err) < 0)
        return -1;
    if (!(c->def->flags & ACL_CD_NOARG) &&
        read_value(a, l, s, c, name, err) < 0)
        return -1;
    for (cp = &(*cur)->conds; *cp != NULL; cp = &(*cp)->next)
        ;
    *cp = c;
    return 0;
}

struct acl_parsed *
acl_parse_lines(struct arena *a, const char *name, const struct acl_line *lines,
                size_t n, gstr *err)
{
    struct acl_parsed *p = arena_alloc(a, sizeof(*p));
    struct acl_stmt *cur = NULL, **tail = &p->stmts;

    p->name = arena_strdup(a, name);
    p->stmts = NULL;
    for (size_t i = 0; i < n; i++)
        if (parse_line(a, &lines[i], &cur, &tail, err) < 0)
            return NULL;
    return p;
}

struct acl_parsed *
acl_parse_text(struct arena *a, const char *name, const char *text,
               const char *file, gstr *err)
{
    struct acl_line *v = NULL;
    size_t n = 0, cap = 0;
    int lineno = 0;
    const char *p = text;

    while (*p != '\0') {
        gstr line;
        int start = lineno + 1;
        gstr_init(&line, a);
        /* One logical line: physical lines joined while one ends in "\". */
        for (;;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            lineno++;
            const char *seg = line.len ? skip_ws(p) : p;
            len -= (size_t)(seg - p);
            while (len > 0 && isspace((unsigned char)seg[len - 1]))
                len--;
            p = nl ? nl + 1 : p + strlen(p);
            if (len > 0 && seg[len - 1] == '\\' && *p != '\0') {
                gstr_addn(&line, seg, len - 1);
                continue;
            }
            gstr_addn(&line, seg, len);
            break;
        }
        const char *t = skip_ws(gstr_str(&line));
        if (*t == '\0' || *t == '#')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            v = arena_realloc(a, v, cap * sizeof(*v), ncap * sizeof(*v));
            cap = ncap;
        }
        v[n].text = t;
        v[n].file = file;
        v[n].line = start;
        v[n].end_line = lineno;
        n++;
    }
    return acl_parse_lines(a, name, v, n, err);
}

/* The cache of parsed ACLs, for one configuration. */

struct cache_ent {
    const struct conf_acl *named; /* or NULL for text and files */
    const char *key;              /* the text, or the file's path */
    struct acl_parsed *acl;
    struct cache_ent *next;
};

static struct arena *cache_arena;
static const struct config *cache_config;
static struct cache_ent *cache;
static int cache_inline_count;

void
acl_flush_cache(void)
{
    if (cache_arena != NULL)
        arena_destroy(cache_arena);
    cache_arena = NULL;
    cache = NULL;
    cache_config = NULL;
    cache_inline_count = 0;
}

static void
cache_check(void)
{
    if (cache_arena != NULL && cache_config == config)
        return;
    acl_flush_cache();
    cache_arena = arena_create();
    cache_config = config;
}

static struct cache_ent *
cache_add(const struct conf_acl *named, const char *key, struct acl_parsed *acl)
{
    struct cache_ent *e = arena_alloc(cache_arena, sizeof(*e));

    e->named = named;
    e->key = key ? arena_strdup(cache_arena, key) : NULL;
    e->acl = acl;
    e->next = cache;
    cache = e;
    return e;
}

static struct acl_parsed *
named_acl(const struct conf_acl *ca, gstr *err)
{
    struct acl_line *v;
    struct acl_parsed *p;
    gstr name;

    for (struct cache_ent *e = cache; e != NULL; e = e->next)
        if (e->named == ca)
            return e->acl;
    v = arena_alloc(cache_arena, (ca->lines.n + 1) * sizeof(*v));
    for (size_t i = 0; i < ca->lines.n; i++) {
        v[i].text = ca->lines.v[i].text;
        v[i].file = ca->lines.v[i].file;
        v[i].line = ca->lines.v[i].line;
        v[i].end_line = ca->lines.v[i].end_line;
    }
    gstr_init(&name, cache_arena);
    gstr_printf(&name, "ACL %s", ca->name);
    if ((p = acl_parse_lines(cache_arena, gstr_str(&name), v, ca->lines.n,
                             err)) == NULL)
        return NULL;
    cache_add(ca, NULL, p);
    return p;
}

static struct acl_parsed *
file_acl(const char *path, gstr *err)
{
    FILE *f;
    gstr text, name;
    char buf[4096];
    size_t n;
    struct acl_parsed *p;

    for (struct cache_ent *e = cache; e != NULL; e = e->next)
        if (e->named == NULL && e->key != NULL && e->key[0] == '/' &&
            strcmp(e->key, path) == 0)
            return e->acl;
    if ((f = fopen(path, "r")) == NULL) {
        gstr_printf(err, "failed to open ACL file \"%s\": %s", path,
                    strerror(errno));
        return NULL;
    }
    gstr_init(&text, cache_arena);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        gstr_addn(&text, buf, n);
    if (ferror(f)) {
        gstr_printf(err, "failed to read ACL file \"%s\": %s", path,
                    strerror(errno));
        fclose(f);
        return NULL;
    }
    fclose(f);
    gstr_init(&name, cache_arena);
    gstr_printf(&name, "ACL %s", path);
    p = acl_parse_text(cache_arena, gstr_str(&name), gstr_str(&text),
                       arena_strdup(cache_arena, path), err);
    if (p != NULL)
        cache_add(NULL, path, p);
    return p;
}

static struct acl_parsed *
inline_acl(struct expand_ctx *x, const char *text, gstr *err)
{
    struct arena *a = cache_arena;

    for (struct cache_ent *e = cache; e != NULL; e = e->next)
        if (e->named == NULL && e->key != NULL && strcmp(e->key, text) == 0)
            return e->acl;
    if (cache_inline_count >= INLINE_CACHE_MAX)
        a = x->arena;
    struct acl_parsed *p =
        acl_parse_text(a, "inline ACL", text, "inline ACL", err);
    if (p != NULL && a == cache_arena) {
        cache_add(NULL, text, p);
        cache_inline_count++;
    }
    return p;
}

struct acl_parsed *
acl_find(struct expand_ctx *x, const char *value, gstr *err)
{
    const char *s = skip_ws(value);

    cache_check();
    if (strchr(s, ' ') == NULL) {
        const struct conf_acl *ca = conf_acl_find(s);
        if (ca != NULL)
            return named_acl(ca, err);
        if (s[0] == '/')
            return file_acl(s, err);
    }
    return inline_acl(x, s, err);
}

/* Start-up checks. */

static const struct {
    const char *option;
    size_t off;
} acl_options[] = {
    {"acl_not_smtp", offsetof(struct main_config, acl_not_smtp)},
    {"acl_smtp_auth", offsetof(struct main_config, acl_smtp_auth)},
    {"acl_smtp_connect", offsetof(struct main_config, acl_smtp_connect)},
    {"acl_smtp_data", offsetof(struct main_config, acl_smtp_data)},
    {"acl_smtp_dkim", offsetof(struct main_config, acl_smtp_dkim)},
    {"acl_smtp_etrn", offsetof(struct main_config, acl_smtp_etrn)},
    {"acl_smtp_expn", offsetof(struct main_config, acl_smtp_expn)},
    {"acl_smtp_helo", offsetof(struct main_config, acl_smtp_helo)},
    {"acl_smtp_mail", offsetof(struct main_config, acl_smtp_mail)},
    {"acl_smtp_notquit", offsetof(struct main_config, acl_smtp_notquit)},
    {"acl_smtp_predata", offsetof(struct main_config, acl_smtp_predata)},
    {"acl_smtp_quit", offsetof(struct main_config, acl_smtp_quit)},
    {"acl_smtp_rcpt", offsetof(struct main_config, acl_smtp_rcpt)},
    {"acl_smtp_starttls", offsetof(struct main_config, acl_smtp_starttls)},
    {"acl_smtp_vrfy", offsetof(struct main_config, acl_smtp_vrfy)},
};

static int
check_option(const char *option, const char *value, gstr *err)
{
    const char *s = skip_ws(value), *file = "configuration";
    int line = 0;
    gstr perr_;

    if (strchr(s, '$') != NULL || *s == '\0')
        return 0; /* decided when it is expanded */
    if (strchr(s, ' ') == NULL && (conf_acl_find(s) != NULL || s[0] == '/'))
        return 0;
    conf_option_origin(option, &file, &line);
    gstr_init(&perr_, cache_arena);
    if (acl_parse_text(cache_arena, "inline ACL", s, option, &perr_) != NULL)
        return 0;
    /* "OPTION:N: message" from the text becomes "FILE:LINE: message". */
    const char *m = gstr_str(&perr_);
    const char *colon = strchr(m + strlen(option) + 1, ':');
    gstr_printf(err, "%s:%d: %s: %s\n", file, line, option,
                colon ? skip_ws(colon + 1) : m);
    return -1;
}

int
acl_check_config(gstr *err)
{
    int rc = 0;

    expand_acl_hook = acl_expand_hook;
    acl_flush_cache();
    cache_check();
    if (config == NULL)
        return 0;
    for (const struct conf_acl *ca = config->acls; ca != NULL; ca = ca->next) {
        gstr e;
        gstr_init(&e, cache_arena);
        if (named_acl(ca, &e) == NULL) {
            gstr_printf(err, "%s\n", gstr_str(&e));
            rc = -1;
        }
    }
    for (size_t i = 0; i < sizeof(acl_options) / sizeof(acl_options[0]); i++) {
        const char *v =
            *(char *const *)((const char *)config->main + acl_options[i].off);
        if (v != NULL && check_option(acl_options[i].option, v, err) < 0)
            rc = -1;
    }
    if (rc < 0 && err->len > 0 && err->s[err->len - 1] == '\n')
        gstr_truncate(err, err->len - 1);
    return rc;
}
