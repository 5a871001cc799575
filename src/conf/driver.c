/*++
 * NAME
 *	driver 3
 * SUMMARY
 *	driver classes and instances
 * SYNOPSIS
 *	#include "conf/driver.h"
 *
 *	const struct driver_info *driver_find(const struct driver_class *c,
 *				const char *name)
 *	void	*driver_ext_block(const struct driver_instance *d,
 *				const struct driver_ext *ext)
 *	struct driver_instance *driver_instance_find(
 *				struct driver_instance *list, const char *name)
 * DESCRIPTION
 *	Routers, transports and authenticators follow one model, as in
 *	Exim: a class has generic options that every instance takes, each
 *	driver of the class adds private options, and an experimental
 *	feature may add options of its own (an extension) to a class. An
 *	instance holds one option block for each of these.
 *
 *	driver_find() looks a driver up by name among those built in.
 *	driver_ext_block() gives the block an extension keeps in an
 *	instance. driver_instance_find() looks an instance up by name.
 *--*/

#include <string.h>

#include "conf/driver.h"

const struct driver_info *
driver_find(const struct driver_class *c, const char *name)
{
    for (size_t i = 0; i < c->ndrivers; i++)
        if (strcmp(c->drivers[i]->name, name) == 0)
            return c->drivers[i];
    return NULL;
}

void *
driver_ext_block(const struct driver_instance *d, const struct driver_ext *ext)
{
    for (size_t i = 0; i < d->cls->nexts && i < DRIVER_EXT_MAX; i++)
        if (d->cls->exts[i] == ext)
            return d->ext[i];
    return NULL;
}

struct driver_instance *
driver_instance_find(struct driver_instance *list, const char *name)
{
    for (; list != NULL; list = list->next)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}
