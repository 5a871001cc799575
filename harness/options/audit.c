/*++
 * NAME
 *	option-audit 1
 * SUMMARY
 *	mxlab's options beside Exim's, as docs/configuration.md's table
 * SYNOPSIS
 *	option-audit
 * DESCRIPTION
 *	Prints, for every scope (main, the generic router, transport and
 *	authenticator options, each driver, the log selectors), which of
 *	Exim 4.98.2's names mxlab implements, which it accepts at their
 *	default only (OPT_UNIMPL: any other value is refused), which it
 *	refuses ("an Exim option that mxlab does not implement"), and the
 *	names mxlab has that Exim has not (mxlab extensions). The output
 *	is the Markdown section of docs/configuration.md between its
 *	"option-audit" markers; harness/options/check.sh compares the two.
 *
 *	The facts come from the tables the configuration reader uses
 *	(conf/mainopts.c, the registry's features and driver classes, the
 *	log selectors) and from conf/eximopts_data.c (Exim's names).
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/driver.h"
#include "conf/eximopts.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "log/selectors.h"
#include "registry.h"

#define MAXT 16

/* The tables that make up one scope of mxlab's. */
struct scope {
    const char *exim;  /* Exim's scope name */
    const char *title; /* as the table says it */
    const struct opt_table *t[MAXT];
    size_t nt;
    int driver_known;          /* mxlab has the driver */
    size_t nown;               /* t[0..nown-1] are the scope's own */
    const char *const *others; /* Exim scopes where a name of the own
                                  tables may also be Exim's */
};

static const struct opt_def *
find(const struct scope *s, const char *name)
{
    for (size_t i = 0; i < s->nt; i++) {
        const struct opt_def *d = opt_find(s->t[i], name);
        if (d != NULL)
            return d;
    }
    return NULL;
}

static void
add_names(gstr *g, const char *name)
{
    gstr_printf(g, "%s`%s`", g->len ? ", " : "", name);
}

static void
row(const struct scope *s)
{
    struct arena *a = arena_create();
    gstr yes, dflt, no, ext;

    gstr_init(&yes, a);
    gstr_init(&dflt, a);
    gstr_init(&no, a);
    gstr_init(&ext, a);
    for (size_t i = 0; i < exim_noptions; i++) {
        const struct exim_option *e = &exim_options[i];
        if (strcmp(e->scope, s->exim) != 0 || *e->name == '\0')
            continue;
        const struct opt_def *d = s->driver_known ? find(s, e->name) : NULL;
        if (strcmp(e->name, "driver") == 0 && s->driver_known)
            add_names(&yes, e->name); /* the reader's own, in no table */
        else if (d == NULL)
            add_names(&no, e->name);
        else if (d->flags & OPT_UNIMPL)
            add_names(&dflt, e->name);
        else
            add_names(&yes, e->name);
    }
    for (size_t i = 0; i < s->nown; i++)
        for (size_t j = 0; j < s->t[i]->ndefs; j++) {
            const char *n = s->t[i]->defs[j].name;
            int exim = exim_option_known(s->exim, n);
            for (size_t k = 0; s->others && s->others[k] && !exim; k++)
                exim = exim_option_known(s->others[k], n);
            if (!exim)
                add_names(&ext, n);
        }
    printf("| %s | %s | %s | %s | %s |\n", s->title,
           yes.len ? gstr_str(&yes) : "", dflt.len ? gstr_str(&dflt) : "",
           no.len ? gstr_str(&no) : "", ext.len ? gstr_str(&ext) : "");
    arena_destroy(a);
}

/* Exim's drivers of each class (the scopes of eximopts_data.c that
 * are not "main", a class or "log_selector"). */
static const char *const routers[] = {"accept",   "dnslookup",   "ipliteral",
                                      "iplookup", "manualroute", "queryprogram",
                                      "redirect", NULL};
static const char *const transports[] = {
    "appendfile", "autoreply", "lmtp", "pipe", "queuefile", "smtp", NULL};
static const char *const auths[] = {
    "cram_md5",       "cyrus_sasl", "dovecot", "external", "gsasl",
    "heimdal_gssapi", "plaintext",  "spa",     "tls",      NULL};

static void
class_rows(const struct driver_class *c)
{
    const char *const *list = strcmp(c->kind, "router") == 0      ? routers
                              : strcmp(c->kind, "transport") == 0 ? transports
                                                                  : auths;
    struct scope s = {c->kind, NULL, {c->generic}, 1, 1, 0, list};
    char title[128];

    /* the generic options, with what features add to every driver */
    for (size_t i = 0; i < c->nexts && s.nt < MAXT; i++)
        if (c->exts[i]->only_driver == NULL)
            s.t[s.nt++] = &c->exts[i]->opts;
    s.nown = s.nt;
    snprintf(title, sizeof(title), "every %s (generic)", c->kind);
    s.title = title;
    row(&s);

    /* each of Exim's drivers of this class, then mxlab's own */
    const char *seen[64];
    size_t nseen = 0;
    for (size_t i = 0; i < exim_noptions; i++) {
        const char *d = exim_options[i].scope;
        if (nseen && strcmp(seen[nseen - 1], d) == 0)
            continue;
        int mine = driver_find(c, d) != NULL;
        int exim_class = 0;
        for (size_t k = 0; list[k]; k++)
            exim_class |= strcmp(list[k], d) == 0;
        if (!exim_class || nseen >= 64)
            continue;
        seen[nseen++] = d;
        struct scope ds = {d, NULL, {NULL}, 0, mine, 0, NULL};
        if (mine) {
            const struct driver_info *di = driver_find(c, d);
            ds.t[ds.nt++] = &di->opts;
            for (size_t k = 0; k < c->nexts && ds.nt < MAXT; k++)
                if (c->exts[k]->only_driver != NULL &&
                    strcmp(c->exts[k]->only_driver, d) == 0)
                    ds.t[ds.nt++] = &c->exts[k]->opts;
            /* a driver's option that mxlab has for every driver */
            ds.nown = ds.nt;
            for (size_t k = 0; k < s.nown && ds.nt < MAXT; k++)
                ds.t[ds.nt++] = s.t[k];
        }
        snprintf(title, sizeof(title), "%s %s%s", d, c->kind,
                 mine ? "" : " (driver not implemented)");
        ds.title = title;
        row(&ds);
    }
}

int
main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: option-audit [--help]\n"
               "Prints docs/configuration.md's table of Exim's options "
               "beside mxlab's.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "option-audit: unknown argument \"%s\" (try --help)\n",
                argv[1]);
        return 2;
    }
    struct scope m = {"main", "main", {&main_opts}, 1, 1, 0, NULL};
    for (size_t i = 0; i < registry_nfeatures && m.nt < MAXT; i++)
        if (registry_features[i]->main_opts != NULL)
            m.t[m.nt++] = registry_features[i]->main_opts;
    m.nown = m.nt;

    printf("| scope | implemented | default only | not implemented (refused) "
           "| mxlab only |\n|---|---|---|---|---|\n");
    row(&m);
    class_rows(&router_class);
    class_rows(&transport_class);
    class_rows(&auth_class);

    /* log selectors: mxlab's are the ones log_selected() knows */
    struct arena *a = arena_create();
    gstr yes, no, ext;
    gstr_init(&yes, a);
    gstr_init(&no, a);
    gstr_init(&ext, a);
    for (size_t i = 0; i < exim_noptions; i++) {
        const struct exim_option *e = &exim_options[i];
        if (strcmp(e->scope, "log_selector") != 0)
            continue;
        int have = 0;
        for (int k = 0; k < LS_COUNT; k++)
            have |= strcmp(log_selector_name((enum log_sel)k), e->name) == 0;
        add_names(have ? &yes : &no, e->name);
    }
    for (int k = 0; k < LS_COUNT; k++)
        if (!exim_option_known("log_selector", log_selector_name(k)))
            add_names(&ext, log_selector_name(k));
    printf("| log selectors | %s |  | %s | %s |\n", gstr_str(&yes),
           gstr_str(&no), ext.len ? gstr_str(&ext) : "");
    arena_destroy(a);
    return 0;
}
