/*++
 * NAME
 *	eximopts 3
 * SUMMARY
 *	which names are Exim's options, drivers and log selectors
 * SYNOPSIS
 *	#include "conf/eximopts.h"
 *
 *	int	exim_option_known(const char *scope, const char *name)
 *	int	exim_driver_known(const char *name)
 * DESCRIPTION
 *	The configuration reader refuses a name that none of mxlab's
 *	tables has. These functions tell it whether Exim 4.98.2 has the
 *	name, so that the error can say "an Exim option that mxlab does
 *	not implement" instead of "unknown": the first means the
 *	configuration is right for Exim and needs a feature mxlab lacks,
 *	the second a typing error.
 *
 *	exim_option_known() looks name up in scope: "main", the generic
 *	"router", "transport" and "authenticator" sets, one driver's own
 *	options (by the driver's name), or "log_selector".
 *	exim_driver_known() says whether name is a router, transport or
 *	authenticator driver of Exim's.
 *
 *	The table is eximopts_data.c, written from Exim's source by
 *	harness/options/exim-options.py.
 *--*/

#include <stdlib.h>
#include <string.h>

#include "conf/eximopts.h"

static int
cmp(const void *key, const void *elem)
{
    const struct exim_option *k = key, *e = elem;
    int c = strcmp(k->scope, e->scope);
    return c != 0 ? c : strcmp(k->name, e->name);
}

int
exim_option_known(const char *scope, const char *name)
{
    struct exim_option key = {scope, name};

    if (*name == '\0')
        return 0;
    return bsearch(&key, exim_options, exim_noptions, sizeof(exim_options[0]),
                   cmp) != NULL;
}

int
exim_driver_known(const char *name)
{
    static const char *const classes[] = {"main", "router", "transport",
                                          "authenticator", "log_selector"};

    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strcmp(name, classes[i]) == 0)
            return 0;
    for (size_t i = 0; i < exim_noptions; i++)
        if (strcmp(exim_options[i].scope, name) == 0)
            return 1;
    return 0;
}
