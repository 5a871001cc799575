/*++
 * NAME
 *	print 3
 * SUMMARY
 *	-bP: configuration values as text
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	void	conf_print_all_main(gstr *out)
 *	int	conf_print_main_option(gstr *out, const char *name)
 *	int	conf_print_instance(gstr *out, const char *kind,
 *				const char *name)
 *	int	conf_print_named_list(gstr *out, const char *kind,
 *				const char *name)
 * DESCRIPTION
 *	What mxlab -bP prints, as Exim prints it: "name = value" for each
 *	option, a boolean as its name or with "no_" before it, main options
 *	in alphabetical order.
 *
 *	conf_print_instance() prints one router, transport or
 *	authenticator as Exim does: its generic options ("driver" among
 *	them, and a feature's options for every driver of the class) in
 *	alphabetical order, then its own (with a feature's options for
 *	that driver), sorted; or all of a kind when name is NULL, each
 *	after an empty line and "NAME KIND:".
 *	conf_print_named_list() prints "domainlist NAME = value" for the
 *	named list of that kind ("domainlist", "hostlist", ...) and name.
 * DIAGNOSTICS
 *	The int functions return -1 when nothing of that name exists.
 *--*/

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "registry.h"

struct printable {
    const struct opt_def *def;
    const void *block;
};

static int
printable_cmp(const void *a, const void *b)
{
    const struct printable *pa = a, *pb = b;

    return strcmp(pa->def->name, pb->def->name);
}

static void
print_sorted(gstr *out, struct printable *v, size_t n)
{
    qsort(v, n, sizeof(*v), printable_cmp);
    for (size_t i = 0; i < n; i++) {
        if (v[i].def->flags & OPT_HIDDEN)
            continue;
        opt_print(out, v[i].def, v[i].block);
        gstr_addc(out, '\n');
    }
}

static size_t
collect(struct printable *v, size_t n, const struct opt_table *t,
        const void *block)
{
    for (size_t i = 0; i < t->ndefs; i++) {
        v[n].def = &t->defs[i];
        v[n].block = block;
        n++;
    }
    return n;
}

void
conf_print_all_main(gstr *out)
{
    const struct main_opt_set *sets;
    size_t nsets = conf_main_sets(&sets), total = 0, n = 0;
    struct printable *v;

    for (size_t i = 0; i < nsets; i++)
        total += sets[i].table->ndefs;
    v = arena_alloc(out->arena, total * sizeof(*v));
    for (size_t i = 0; i < nsets; i++)
        n = collect(v, n, sets[i].table, sets[i].block);
    print_sorted(out, v, n);
}

int
conf_print_main_option(gstr *out, const char *name)
{
    const struct main_opt_set *sets;
    size_t nsets = conf_main_sets(&sets);

    if (strcmp(name, "config_file") == 0) {
        gstr_printf(out, "%s\n", config->path);
        return 0;
    }
    for (size_t i = 0; i < nsets; i++) {
        const struct opt_def *d = opt_find(sets[i].table, name);
        if (d != NULL) {
            opt_print(out, d, sets[i].block);
            gstr_addc(out, '\n');
            return 0;
        }
    }
    return -1;
}

/* As Exim's -bP: the generic options, "driver" among them, in
 * alphabetical order, then the driver's own ones (a feature's options
 * for every driver of the class count as generic, those for one driver
 * as its own, which is where Exim's option tables have them). */
static void
print_instance(gstr *out, const struct driver_instance *d)
{
    const struct driver_class *c = d->cls;
    size_t total = c->generic->ndefs + d->info->opts.ndefs, n = 0, ng;
    struct printable *v;
    int driver_done = 0;

    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++)
        total += c->exts[i]->opts.ndefs;
    v = arena_alloc(out->arena, total * sizeof(*v));
    n = collect(v, n, c->generic, d->generic);
    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++)
        if (c->exts[i]->only_driver == NULL)
            n = collect(v, n, &c->exts[i]->opts, d->ext[i]);
    ng = n;
    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++) {
        const struct driver_ext *e = c->exts[i];
        if (e->only_driver != NULL &&
            strcmp(e->only_driver, d->info->name) == 0)
            n = collect(v, n, &e->opts, d->ext[i]);
    }
    n = collect(v, n, &d->info->opts, d->priv);
    qsort(v, ng, sizeof(*v), printable_cmp);
    for (size_t i = 0; i < ng; i++) {
        if (!driver_done && strcmp(v[i].def->name, "driver") > 0) {
            gstr_printf(out, "driver = %s\n", d->info->name);
            driver_done = 1;
        }
        if (v[i].def->flags & OPT_HIDDEN)
            continue;
        opt_print(out, v[i].def, v[i].block);
        gstr_addc(out, '\n');
    }
    if (!driver_done)
        gstr_printf(out, "driver = %s\n", d->info->name);
    print_sorted(out, v + ng, n - ng);
}

static struct driver_instance *
instances_of(const char *kind)
{
    if (strcmp(kind, "router") == 0)
        return config->routers;
    if (strcmp(kind, "transport") == 0)
        return config->transports;
    return config->auths;
}

int
conf_print_instance(gstr *out, const char *kind, const char *name)
{
    int found = 0;

    for (struct driver_instance *d = instances_of(kind); d != NULL;
         d = d->next) {
        if (name != NULL && strcmp(d->name, name) != 0)
            continue;
        found++;
        /* as Exim: a heading only when all of the kind are listed */
        if (name == NULL)
            gstr_printf(out, "\n%s %s:\n", d->name, d->cls->kind);
        print_instance(out, d);
    }
    return found || name == NULL ? 0 : -1;
}

void
conf_print_instance_names(gstr *out, const char *kind)
{
    for (struct driver_instance *d = instances_of(kind); d != NULL; d = d->next)
        gstr_printf(out, "%s\n", d->name);
}

int
conf_print_named_list(gstr *out, const char *kind, const char *name)
{
    int found = 0;

    for (const struct named_list *nl = config->lists; nl != NULL;
         nl = nl->next) {
        if (strcmp(nl->name, name) != 0 ||
            strcmp(conf_named_list_kind_name(nl->kind), kind) != 0)
            continue;
        gstr_printf(out, "%s %s = %s\n", conf_named_list_kind_name(nl->kind),
                    nl->name, nl->value);
        found = 1;
    }
    return found ? 0 : -1;
}
