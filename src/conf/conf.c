/*++
 * NAME
 *	conf 3
 * SUMMARY
 *	configuration file sections
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	extern const struct config *config;
 *
 *	int	conf_load(const char *path, struct conf_macro *macros,
 *				gstr *err)
 *	const struct named_list *conf_named_list(enum named_list_kind kind,
 *				const char *name)
 *	const struct conf_acl *conf_acl_find(const char *name)
 *	int	conf_slot_origin(const void *slot, const char **file,
 *				int *line)
 *	int	conf_option_origin(const char *name, const char **file,
 *				int *line)
 * DESCRIPTION
 *	conf_load() reads an Exim-style configuration: main options first,
 *	then sections introduced by "begin acl", "begin routers", "begin
 *	transports", "begin authenticators", "begin retry" and "begin
 *	rewrite", in any order, each at most once.
 *
 *	Main options and driver options are set through their option
 *	tables (opt.h); boolean options take the no_ and not_ prefixes. A
 *	value that starts with a double quote is a quoted string with
 *	backslash escapes. "hide" before an option keeps its value out of
 *	-bP. Named lists (domainlist, hostlist, addresslist,
 *	localpartlist) are kept by name. ACLs, retry rules and rewrite
 *	rules are kept as lines, with where they came from, for the code
 *	that uses them to parse.
 *
 *	Driver instances start with "name:"; "driver =" chooses the
 *	driver and must come before the driver's private options. Every
 *	instance needs a driver. Features add options to the main section
 *	and to driver classes through the registry; the options of a
 *	feature left out of the build are unknown.
 * DIAGNOSTICS
 *	The first error stops reading; conf_load() returns -1 with
 *	"FILE:LINE: message" in err. The message names the option, the
 *	instance and what was wrong.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "conf/eximopts.h"
#include "registry.h"

enum section {
    SEC_MAIN,
    SEC_ACL,
    SEC_ROUTERS,
    SEC_TRANSPORTS,
    SEC_AUTHS,
    SEC_RETRY,
    SEC_REWRITE,
    SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
    "main",           "acl",   "routers", "transports",
    "authenticators", "retry", "rewrite",
};

struct opt_origin {
    const void *slot; /* identifies the option: its block and offset */
    const char *name;
    const char *file;
    int line;
    struct opt_origin *next;
};

struct loader {
    struct arena *a;
    struct conf_reader *r;
    struct config *cfg;
    enum section sec;
    int seen[SEC_COUNT];
    struct driver_instance *inst; /* being read */
    struct driver_instance **inst_tail;
    struct conf_acl *acl; /* being read */
    struct conf_acl **acl_tail;
    struct named_list **list_tail;
    struct opt_origin *origins;
    const char *file;
    int line;
    int end_line; /* the last physical line of this logical line */
    gstr *err;
};

const struct config *config;

static struct main_opt_set *main_sets;
static size_t main_nsets;

/* Main option sets: the core table, then each feature's. */
static void
conf_build_main_sets(struct arena *a)
{
    size_t n = 1;

    for (size_t i = 0; i < registry_nfeatures; i++)
        if (registry_features[i]->main_opts != NULL)
            n++;
    main_sets = arena_alloc(a, n * sizeof(*main_sets));
    main_sets[0].table = &main_opts;
    main_sets[0].block = &main_config;
    main_nsets = 1;
    for (size_t i = 0; i < registry_nfeatures; i++) {
        const struct feature *f = registry_features[i];
        if (f->main_opts == NULL)
            continue;
        main_sets[main_nsets].table = f->main_opts;
        main_sets[main_nsets].block = f->main_block;
        main_nsets++;
    }
    for (size_t i = 0; i < main_nsets; i++) {
        const struct opt_table *t = main_sets[i].table;
        if (t->defaults != NULL)
            memcpy(main_sets[i].block, t->defaults, t->block_size);
        else
            memset(main_sets[i].block, 0, t->block_size);
    }
}

size_t
conf_main_sets(const struct main_opt_set **sets)
{
    *sets = main_sets;
    return main_nsets;
}

static int conf_error(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_error(struct loader *l, const char *fmt, ...)
{
    va_list ap;
    gstr msg;

    gstr_init(&msg, l->a);
    va_start(ap, fmt);
    gstr_vprintf(&msg, fmt, ap);
    va_end(ap);
    return conf_reader_error_at(l->r, l->file, l->line, "%s", gstr_str(&msg));
}

/* Parses a quoted string value in place of the raw text. */
static int
conf_unquote(struct loader *l, const char *name, const char *in, char **out)
{
    gstr g;
    const char *p = in + 1;

    gstr_init(&g, l->a);
    for (; *p != '\0' && *p != '"'; p++) {
        if (*p != '\\') {
            gstr_addc(&g, *p);
            continue;
        }
        switch (*++p) {
        case 'n':
            gstr_addc(&g, '\n');
            break;
        case 't':
            gstr_addc(&g, '\t');
            break;
        case 'r':
            gstr_addc(&g, '\r');
            break;
        case '\0':
            return conf_error(l,
                              "missing closing quote in the value of "
                              "\"%s\"",
                              name);
        default:
            gstr_addc(&g, *p);
            break;
        }
    }
    if (*p != '"')
        return conf_error(l, "missing closing quote in the value of \"%s\"",
                          name);
    while (isspace((unsigned char)*++p))
        ;
    if (*p != '\0')
        return conf_error(l,
                          "unexpected text \"%s\" after the quoted value "
                          "of \"%s\"",
                          p, name);
    *out = (char *)gstr_str(&g);
    return 0;
}

/* Splits "name [= value]" into its parts. value is NULL without "=". */
static int
conf_split_option(struct loader *l, char *text, char **name, char **value,
                  int *hide)
{
    char *p = text;

    *hide = 0;
    if (strncmp(p, "hide", 4) == 0 && isspace((unsigned char)p[4])) {
        *hide = 1;
        p += 4;
        while (isspace((unsigned char)*p))
            p++;
    }
    *name = p;
    if (!islower((unsigned char)*p))
        return conf_error(l, "expected an option name at the start of \"%s\"",
                          text);
    while (islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
           *p == '_')
        p++;
    char *end = p;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        *end = '\0';
        *value = NULL;
        return 0;
    }
    if (*p != '=')
        return conf_error(l, "\"=\" expected after option name \"%.*s\"",
                          (int)(end - *name), *name);
    *end = '\0';
    p++;
    while (isspace((unsigned char)*p))
        p++;
    *value = p;
    return 0;
}

static int
conf_check_origin(struct loader *l, const void *slot, const char *name,
                  const char *what)
{
    struct opt_origin *o;

    for (o = l->origins; o != NULL; o = o->next)
        if (o->slot == slot)
            return conf_error(l,
                              "%s option \"%s\" set twice (first at "
                              "%s:%d)",
                              what, name, o->file, o->line);
    o = arena_alloc(l->a, sizeof(*o));
    o->slot = slot;
    o->name = arena_strdup(l->a, name);
    o->file = l->file;
    o->line = l->line;
    o->next = l->origins;
    l->origins = o;
    return 0;
}

/* Sets one option found in a table; handles quoting and duplicates. */
static int
conf_set_option(struct loader *l, const struct opt_def *d, void *block,
                const char *name, char *value, int negate, const char *what)
{
    gstr err, before, after;

    if (conf_check_origin(l, (char *)block + d->offset, d->name, what) < 0)
        return -1;
    if (value != NULL && *value == '"' && d->type != OPT_BOOL &&
        conf_unquote(l, name, value, &value) < 0)
        return -1;
    gstr_init(&err, l->a);
    gstr_init(&before, l->a);
    gstr_init(&after, l->a);
    if (d->flags & OPT_UNIMPL)
        opt_print(&before, d, block);
    if (opt_set(arena_perm, d, block, value, negate, &err) < 0)
        return conf_error(l, "%s", gstr_str(&err));
    /* Setting an option mxlab lacks to its default asks for what mxlab
     * does; any other value would be ignored, so it is refused. */
    if (d->flags & OPT_UNIMPL) {
        opt_print(&after, d, block);
        if (strcmp(gstr_str(&before), gstr_str(&after)) != 0)
            return conf_error(l,
                              "%s option \"%s\" is an Exim option that mxlab "
                              "does not implement (only its default, \"%s\", "
                              "is accepted)",
                              what, d->name, gstr_str(&before));
    }
    return 0;
}

/* Finds name (or its no_/not_ form) in a set of tables. */
static const struct opt_def *
conf_lookup(const struct opt_table *const *tables, size_t n, const char *name,
            size_t *which, int *negate)
{
    *negate = 0;
    for (size_t i = 0; i < n; i++) {
        const struct opt_def *d = opt_find(tables[i], name);
        if (d != NULL) {
            *which = i;
            return d;
        }
    }
    for (const char *pfx = "no_"; pfx != NULL;
         pfx = strcmp(pfx, "no_") == 0 ? "not_" : NULL) {
        size_t plen = strlen(pfx);
        if (strncmp(name, pfx, plen) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            const struct opt_def *d = opt_find(tables[i], name + plen);
            if (d != NULL) {
                *which = i;
                *negate = 1;
                return d;
            }
        }
    }
    return NULL;
}

static int
conf_named_list_line(struct loader *l, enum named_list_kind kind,
                     const char *keyword, char *rest)
{
    struct named_list *nl;
    char *name = rest, *p;

    while (isspace((unsigned char)*name))
        name++;
    p = name;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.')
        p++;
    if (p == name)
        return conf_error(l, "%s needs a name (\"%s name = ...\")", keyword,
                          keyword);
    char *end = p;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '=')
        return conf_error(l, "\"=\" expected after %s name", keyword);
    *end = '\0';
    for (nl = config->lists; nl != NULL; nl = nl->next)
        if (nl->kind == kind && strcmp(nl->name, name) == 0)
            return conf_error(l, "%s \"%s\" defined twice (first at %s:%d)",
                              keyword, name, nl->file, nl->line);
    nl = arena_alloc(arena_perm, sizeof(*nl));
    nl->kind = kind;
    nl->name = arena_strdup(arena_perm, name);
    p++;
    while (isspace((unsigned char)*p))
        p++;
    nl->value = arena_strdup(arena_perm, p);
    nl->file = l->file;
    nl->line = l->line;
    *l->list_tail = nl;
    l->list_tail = &nl->next;
    return 0;
}

static const struct {
    const char *keyword;
    enum named_list_kind kind;
} named_list_keywords[] = {
    {"domainlist", NL_DOMAIN},
    {"hostlist", NL_HOST},
    {"addresslist", NL_ADDRESS},
    {"localpartlist", NL_LOCALPART},
};

const char *
conf_named_list_kind_name(enum named_list_kind kind)
{
    for (size_t i = 0;
         i < sizeof(named_list_keywords) / sizeof(named_list_keywords[0]); i++)
        if (named_list_keywords[i].kind == kind)
            return named_list_keywords[i].keyword;
    return "list";
}

static int
conf_main_line(struct loader *l, char *text)
{
    const struct opt_table *tables[16];
    char *name, *value;
    size_t which;
    int hide, negate;

    for (size_t i = 0;
         i < sizeof(named_list_keywords) / sizeof(named_list_keywords[0]);
         i++) {
        size_t n = strlen(named_list_keywords[i].keyword);
        if (strncmp(text, named_list_keywords[i].keyword, n) == 0 &&
            isspace((unsigned char)text[n]))
            return conf_named_list_line(l, named_list_keywords[i].kind,
                                        named_list_keywords[i].keyword,
                                        text + n);
    }
    if (conf_split_option(l, text, &name, &value, &hide) < 0)
        return -1;
    for (size_t i = 0; i < main_nsets && i < 16; i++)
        tables[i] = main_sets[i].table;
    const struct opt_def *d =
        conf_lookup(tables, main_nsets, name, &which, &negate);
    if (d == NULL && registry_left_out(name) != NULL)
        return conf_error(l,
                          "main option \"%s\" unknown (this mxlab is built "
                          "without %s)",
                          name, registry_left_out(name));
    if (d == NULL && exim_option_known("main", name))
        return conf_error(l,
                          "main option \"%s\" is an Exim option that mxlab "
                          "does not implement",
                          name);
    if (d == NULL)
        return conf_error(l, "main option \"%s\" unknown", name);
    return conf_set_option(l, d, main_sets[which].block, name, value, negate,
                           "main");
}

static const struct driver_class *
section_class(enum section s)
{
    switch (s) {
    case SEC_ROUTERS:
        return &router_class;
    case SEC_TRANSPORTS:
        return &transport_class;
    case SEC_AUTHS:
        return &auth_class;
    default:
        return NULL;
    }
}

static struct driver_instance **
section_instances(struct config *cfg, enum section s)
{
    switch (s) {
    case SEC_ROUTERS:
        return &cfg->routers;
    case SEC_TRANSPORTS:
        return &cfg->transports;
    default:
        return &cfg->auths;
    }
}

static int
conf_finish_instance(struct loader *l)
{
    struct driver_instance *d = l->inst;
    gstr err;

    if (d == NULL)
        return 0;
    l->inst = NULL;
    if (d->info == NULL)
        return conf_reader_error_at(l->r, d->file, d->line,
                                    "%s \"%s\" has no driver "
                                    "(\"driver = ...\" is missing)",
                                    d->cls->kind, d->name);
    gstr_init(&err, l->a);
    if (d->info->check != NULL && d->info->check(d, &err) < 0)
        return conf_reader_error_at(l->r, d->file, d->line, "%s \"%s\": %s",
                                    d->cls->kind, d->name, gstr_str(&err));
    return 0;
}

static void
conf_list_drivers(gstr *g, const struct driver_class *c)
{
    for (size_t i = 0; i < c->ndrivers; i++)
        gstr_printf(g, "%s%s", i ? ", " : "", c->drivers[i]->name);
}

static int
conf_set_driver(struct loader *l, struct driver_instance *d, char *value)
{
    const struct driver_class *c = d->cls;
    gstr known;

    if (value == NULL || *value == '\0')
        return conf_error(l, "\"driver\" needs a value in %s \"%s\"", c->kind,
                          d->name);
    if (d->info != NULL)
        return conf_error(l, "\"driver\" set twice in %s \"%s\"", c->kind,
                          d->name);
    d->info = driver_find(c, value);
    if (d->info == NULL) {
        gstr_init(&known, l->a);
        conf_list_drivers(&known, c);
        if (registry_left_out(value) != NULL)
            return conf_error(l,
                              "%s \"%s\": unknown driver \"%s\" (this mxlab "
                              "is built without %s; built in: %s)",
                              c->kind, d->name, value, registry_left_out(value),
                              gstr_str(&known));
        if (exim_driver_known(value))
            return conf_error(l,
                              "%s \"%s\": driver \"%s\" is an Exim driver "
                              "that mxlab does not implement (built in: %s)",
                              c->kind, d->name, value, gstr_str(&known));
        return conf_error(l, "%s \"%s\": unknown driver \"%s\" (built in: %s)",
                          c->kind, d->name, value, gstr_str(&known));
    }
    d->driver_name = arena_strdup(arena_perm, value);
    d->priv = opt_block_new(arena_perm, &d->info->opts);
    return 0;
}

static int
any_driver_has(const struct driver_class *c, const char *name)
{
    for (size_t i = 0; i < c->ndrivers; i++) {
        const char *n = name;
        if (opt_find(&c->drivers[i]->opts, n) != NULL)
            return 1;
        if (strncmp(n, "no_", 3) == 0 &&
            opt_find(&c->drivers[i]->opts, n + 3) != NULL)
            return 1;
        if (strncmp(n, "not_", 4) == 0 &&
            opt_find(&c->drivers[i]->opts, n + 4) != NULL)
            return 1;
    }
    return 0;
}

static int
conf_driver_option(struct loader *l, char *text)
{
    struct driver_instance *d = l->inst;
    const struct driver_class *c = d->cls;
    const struct opt_table *tables[2 + DRIVER_EXT_MAX];
    void *blocks[2 + DRIVER_EXT_MAX];
    size_t n = 0, which;
    char *name, *value;
    int hide, negate;
    gstr what;

    if (conf_split_option(l, text, &name, &value, &hide) < 0)
        return -1;
    if (strcmp(name, "driver") == 0)
        return conf_set_driver(l, d, value);
    tables[n] = c->generic;
    blocks[n++] = d->generic;
    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++) {
        const struct driver_ext *e = c->exts[i];
        if (e->only_driver != NULL &&
            (d->info == NULL || strcmp(e->only_driver, d->info->name) != 0))
            continue;
        tables[n] = &e->opts;
        blocks[n++] = d->ext[i];
    }
    if (d->info != NULL) {
        tables[n] = &d->info->opts;
        blocks[n++] = d->priv;
    }
    const struct opt_def *o = conf_lookup(tables, n, name, &which, &negate);
    if (o == NULL && d->info == NULL && any_driver_has(c, name))
        return conf_error(l,
                          "option \"%s\" of %s \"%s\" must come after "
                          "\"driver = ...\"",
                          name, c->kind, d->name);
    if (o == NULL && d->info != NULL && registry_left_out(name) != NULL)
        return conf_error(l,
                          "option \"%s\" unknown for the %s %s \"%s\" (this "
                          "mxlab is built without %s)",
                          name, d->info->name, c->kind, d->name,
                          registry_left_out(name));
    if (o == NULL && d->info != NULL &&
        (exim_option_known(c->kind, name) ||
         exim_option_known(d->info->name, name)))
        return conf_error(l,
                          "%s \"%s\" option \"%s\" is an Exim option that "
                          "mxlab does not implement",
                          c->kind, d->name, name);
    if (o == NULL && d->info != NULL)
        return conf_error(l, "option \"%s\" unknown for the %s %s \"%s\"", name,
                          d->info->name, c->kind, d->name);
    if (o == NULL)
        return conf_error(l, "option \"%s\" unknown in %s \"%s\"", name,
                          c->kind, d->name);
    gstr_init(&what, l->a);
    gstr_printf(&what, "%s \"%s\"", c->kind, d->name);
    return conf_set_option(l, o, blocks[which], name, value, negate,
                           gstr_str(&what));
}

static int
valid_instance_name(const char *s, size_t n)
{
    if (n == 0 || !isalnum((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' &&
            s[i] != '.')
            return 0;
    return 1;
}

static int
conf_new_instance(struct loader *l, char *text, char *colon)
{
    const struct driver_class *c = section_class(l->sec);
    struct driver_instance *d;
    size_t n = (size_t)(colon - text);
    char *name;

    if (conf_finish_instance(l) < 0)
        return -1;
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    name = arena_strndup(arena_perm, text, n);
    if (!valid_instance_name(name, n))
        return conf_error(l,
                          "bad %s name \"%s\": use letters, digits, "
                          "\"_\", \"-\" and \".\"",
                          c->kind, name);
    d = driver_instance_find(*section_instances(l->cfg, l->sec), name);
    if (d != NULL)
        return conf_error(l, "%s \"%s\" defined twice (first at %s:%d)",
                          c->kind, name, d->file, d->line);
    d = arena_alloc(arena_perm, sizeof(*d));
    d->name = name;
    d->cls = c;
    d->file = l->file;
    d->line = l->line;
    d->generic = opt_block_new(arena_perm, c->generic);
    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++)
        d->ext[i] = opt_block_new(arena_perm, &c->exts[i]->opts);
    *l->inst_tail = d;
    l->inst_tail = &d->next;
    l->inst = d;
    char *rest = colon + 1;
    while (isspace((unsigned char)*rest))
        rest++;
    return *rest != '\0' ? conf_driver_option(l, rest) : 0;
}

static int
conf_driver_line(struct loader *l, char *text)
{
    char *p = text;

    /* "name:" starts an instance; the name has no "=" or space before. */
    while (*p != '\0' && *p != ':' && *p != '=' && !isspace((unsigned char)*p))
        p++;
    char *q = p;
    while (isspace((unsigned char)*q))
        q++;
    if (*q == ':')
        return conf_new_instance(l, text, q);
    if (l->inst == NULL)
        return conf_error(l,
                          "option line before the first %s name "
                          "(expected \"name:\")",
                          section_class(l->sec)->kind);
    return conf_driver_option(l, text);
}

static void
lines_add(struct conf_lines *ls, char *text, const char *file, int line,
          int end_line)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 16;
        ls->v = arena_realloc(arena_perm, ls->v, ls->cap * sizeof(*ls->v),
                              cap * sizeof(*ls->v));
        ls->cap = cap;
    }
    ls->v[ls->n].text = arena_strdup(arena_perm, text);
    ls->v[ls->n].file = file;
    ls->v[ls->n].line = line;
    ls->v[ls->n].end_line = end_line;
    ls->n++;
}

static int
conf_acl_line(struct loader *l, char *text)
{
    size_t n = strlen(text);

    if (n > 1 && text[n - 1] == ':' && strpbrk(text, " \t=") == NULL) {
        struct conf_acl *acl;
        char *name = arena_strndup(arena_perm, text, n - 1);

        for (acl = l->cfg->acls; acl != NULL; acl = acl->next)
            if (strcmp(acl->name, name) == 0)
                return conf_error(l,
                                  "ACL \"%s\" defined twice (first at "
                                  "%s:%d)",
                                  name, acl->file, acl->line);
        acl = arena_alloc(arena_perm, sizeof(*acl));
        acl->name = name;
        acl->file = l->file;
        acl->line = l->line;
        *l->acl_tail = acl;
        l->acl_tail = &acl->next;
        l->acl = acl;
        return 0;
    }
    if (l->acl == NULL)
        return conf_error(l, "ACL line before the first ACL name "
                             "(expected \"name:\")");
    lines_add(&l->acl->lines, text, l->file, l->line, l->end_line);
    return 0;
}

static int
conf_begin(struct loader *l, char *text)
{
    char *name = text + 5;

    while (isspace((unsigned char)*name))
        name++;
    if (*name == '\0')
        return conf_error(l, "\"begin\" needs a section name (acl, routers, "
                             "transports, authenticators, retry or rewrite)");
    if (l->sec != SEC_MAIN && conf_finish_instance(l) < 0)
        return -1;
    for (int s = SEC_ACL; s < SEC_COUNT; s++) {
        if (strcmp(name, section_names[s]) != 0)
            continue;
        if (l->seen[s])
            return conf_error(l, "section \"%s\" appears twice", name);
        l->seen[s] = 1;
        l->sec = (enum section)s;
        if (section_class(l->sec) != NULL)
            l->inst_tail = section_instances(l->cfg, l->sec);
        return 0;
    }
    return conf_error(l,
                      "unknown section \"begin %s\" (expected acl, "
                      "routers, transports, authenticators, retry or "
                      "rewrite)",
                      name);
}

static int
conf_line(struct loader *l, char *text)
{
    if (strncmp(text, "begin", 5) == 0 &&
        (text[5] == '\0' || isspace((unsigned char)text[5])))
        return conf_begin(l, text);
    switch (l->sec) {
    case SEC_MAIN:
        return conf_main_line(l, text);
    case SEC_ACL:
        return conf_acl_line(l, text);
    case SEC_ROUTERS:
    case SEC_TRANSPORTS:
    case SEC_AUTHS:
        return conf_driver_line(l, text);
    case SEC_RETRY:
        lines_add(&l->cfg->retry, text, l->file, l->line, l->end_line);
        return 0;
    case SEC_REWRITE:
        lines_add(&l->cfg->rewrite, text, l->file, l->line, l->end_line);
        return 0;
    case SEC_COUNT:
        break;
    }
    return 0;
}

static struct opt_origin *conf_origins;

int
conf_option_origin(const char *name, const char **file, int *line)
{
    for (struct opt_origin *o = conf_origins; o != NULL; o = o->next)
        if (strcmp(o->name, name) == 0) {
            *file = o->file;
            *line = o->line;
            return 0;
        }
    return -1;
}

int
conf_slot_origin(const void *slot, const char **file, int *line)
{
    for (struct opt_origin *o = conf_origins; o != NULL; o = o->next)
        if (o->slot == slot) {
            *file = o->file;
            *line = o->line;
            return 0;
        }
    return -1;
}

/* Exim's readconf check: the daemon counts connections only when
 * smtp_accept_max is set, and these two need that count. The error is
 * placed at the option that needs it. */
static int
conf_check_accept_max(struct loader *l)
{
    const struct main_config *m = l->cfg->main;
    const char *name = m->smtp_accept_queue > 0 ? "smtp_accept_queue"
                                                : "smtp_accept_max_per_host";

    if (m->smtp_accept_max != 0 ||
        (m->smtp_accept_queue <= 0 && m->smtp_accept_max_per_host == NULL))
        return 0;
    for (const struct opt_origin *o = l->origins; o != NULL; o = o->next)
        if (strcmp(o->name, name) == 0) {
            l->file = o->file;
            l->line = o->line;
        }
    return conf_error(l, "smtp_accept_max must be set if smtp_accept_queue or "
                         "smtp_accept_max_per_host is set");
}

int
conf_load(const char *path, struct conf_macro *macros, gstr *err)
{
    struct loader l;
    struct config *cfg;
    const char *file;
    int line;
    char *text;

    arena_perm_init();
    memset(&l, 0, sizeof(l));
    l.a = arena_perm;
    l.err = err;
    cfg = arena_alloc(arena_perm, sizeof(*cfg));
    cfg->path = arena_strdup(arena_perm, path);
    cfg->main = &main_config;
    config = cfg;
    l.cfg = cfg;
    l.list_tail = &cfg->lists;
    l.acl_tail = &cfg->acls;
    conf_build_main_sets(arena_perm);

    l.r = conf_reader_open(arena_perm, path, macros, err);
    if (l.r == NULL)
        return -1;
    while ((text = conf_reader_next(l.r, &file, &line)) != NULL) {
        l.file = file;
        l.line = line;
        l.end_line = conf_reader_end_line(l.r);
        if (conf_line(&l, text) < 0)
            break;
    }
    if (!conf_reader_failed(l.r))
        conf_finish_instance(&l);
    if (!conf_reader_failed(l.r))
        (void)conf_check_accept_max(&l);
    cfg->macros = conf_reader_macros(l.r);
    conf_reader_close(l.r);
    conf_origins = l.origins;
    if (conf_reader_failed(l.r))
        return -1;
    main_config_derive(&main_config);
    return 0;
}

const struct named_list *
conf_named_list(enum named_list_kind kind, const char *name)
{
    for (const struct named_list *nl = config ? config->lists : NULL;
         nl != NULL; nl = nl->next)
        if (nl->kind == kind && strcmp(nl->name, name) == 0)
            return nl;
    return NULL;
}

const struct conf_acl *
conf_acl_find(const char *name)
{
    for (const struct conf_acl *a = config ? config->acls : NULL; a != NULL;
         a = a->next)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}
