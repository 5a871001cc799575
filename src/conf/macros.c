/*++
 * NAME
 *	macros 3
 * SUMMARY
 *	predefined macros: what this binary has, for .ifdef
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	struct conf_macro *conf_builtin_macros(struct conf_macro *list)
 * DESCRIPTION
 *	conf_builtin_macros() adds to list, and returns, the macros that
 *	Exim predefines, each with the value "y", so that a configuration
 *	can ask with .ifdef what was built in:
 * .IP _HAVE_<FEATURE>
 *	one for each facility and experimental feature built in
 *	(src/registry.c knows which).
 * .IP "_OPT_MAIN_<OPTION>"
 *	one for each main option.
 * .IP "_OPT_ROUTERS_<OPTION>, _OPT_TRANSPORTS_<OPTION>,
 *	_OPT_AUTHENTICATORS_<OPTION>"
 *	one for each generic option of a driver class (including the
 *	options a feature adds to every instance).
 * .IP "_DRIVER_ROUTER_<NAME>, _OPT_ROUTER_<NAME>_<OPTION>"
 *	one for each driver and each of its private options; the same
 *	with TRANSPORT and AUTHENTICATOR.
 * .IP _LOG_<SELECTOR>
 *	one for each log_selector name.
 * .PP
 *	Names are upper-cased. They are made in the order Exim makes them
 *	(features, then main, router, transport and authenticator options,
 *	then log selectors; options sorted by name within each table).
 *	As the list grows at its head, walking it from the head gives the
 *	order in which Exim's "-bP macros" prints the predefined macros.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "conf/reader.h"
#include "log/selectors.h"
#include "registry.h"

static struct conf_macro *
add_upper(struct conf_macro *list, const char *prefix, const char *name)
{
    char *s = arena_printf(arena_perm, "%s%s", prefix, name);

    for (char *p = s; *p != '\0'; p++)
        *p = (char)toupper((unsigned char)*p);
    return conf_macro_add(arena_perm, list, s, "y", 0, 1);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One macro per visible option of the tables, sorted, each name once. */
static struct conf_macro *
add_options(struct conf_macro *list, const char *prefix,
            const struct opt_table *const *tables, size_t ntables)
{
    size_t total = 0, n = 0;
    const char **v;

    for (size_t t = 0; t < ntables; t++)
        total += tables[t]->ndefs;
    if (total == 0)
        return list;
    v = arena_alloc(arena_perm, total * sizeof(*v));
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t]->ndefs; i++)
            if (!(tables[t]->defs[i].flags & OPT_HIDDEN))
                v[n++] = tables[t]->defs[i].name;
    qsort(v, n, sizeof(*v), name_cmp);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            list = add_upper(list, prefix, v[i]);
    return list;
}

static struct conf_macro *
add_class(struct conf_macro *list, const struct driver_class *c,
          const char *upper_kind)
{
    const struct opt_table *tables[DRIVER_EXT_MAX + 2];
    size_t n = 0;

    /* Generic options: the class's own, and those a feature adds to
     * every instance. */
    tables[n++] = c->generic;
    for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++)
        if (c->exts[i]->only_driver == NULL)
            tables[n++] = &c->exts[i]->opts;
    list = add_options(list, arena_printf(arena_perm, "_OPT_%sS_", upper_kind),
                       tables, n);

    for (size_t d = 0; d < c->ndrivers; d++) {
        const struct driver_info *di = c->drivers[d];

        list =
            add_upper(list, arena_printf(arena_perm, "_DRIVER_%s_", upper_kind),
                      di->name);
        n = 0;
        tables[n++] = &di->opts;
        for (size_t i = 0; i < c->nexts && i < DRIVER_EXT_MAX; i++)
            if (c->exts[i]->only_driver != NULL &&
                strcmp(c->exts[i]->only_driver, di->name) == 0)
                tables[n++] = &c->exts[i]->opts;
        list = add_options(
            list, arena_printf(arena_perm, "_OPT_%s_%s_", upper_kind, di->name),
            tables, n);
    }
    return list;
}

struct conf_macro *
conf_builtin_macros(struct conf_macro *list)
{
#define LOG_SEL_NAME(name, on) #name,
    static const char *const selectors[] = {LOG_SELECTORS(LOG_SEL_NAME)};
#undef LOG_SEL_NAME
    const struct opt_table *main_tables[1 + 32];
    size_t n = 0;

    list = conf_macro_add(arena_perm, list, "_HAVE_IPV6", "y", 0, 1);
    list = conf_macro_add(arena_perm, list, "_HAVE_TLS", "y", 0, 1);
    list = conf_macro_add(arena_perm, list, "_HAVE_OPENSSL", "y", 0, 1);
    for (size_t i = 0; i < registry_nfeatures; i++)
        list = conf_macro_add(arena_perm, list, registry_features[i]->macro,
                              "y", 0, 1);

    main_tables[n++] = &main_opts;
    for (size_t i = 0; i < registry_nfeatures && n < 33; i++)
        if (registry_features[i]->main_opts != NULL)
            main_tables[n++] = registry_features[i]->main_opts;
    list = registry_value_macros(list);
    list = add_options(list, "_OPT_MAIN_", main_tables, n);
    list = add_class(list, &router_class, "ROUTER");
    list = add_class(list, &transport_class, "TRANSPORT");
    list = add_class(list, &auth_class, "AUTHENTICATOR");
    for (size_t i = 0; i < sizeof(selectors) / sizeof(selectors[0]); i++)
        list = add_upper(list, "_LOG_", selectors[i]);
    return list;
}
