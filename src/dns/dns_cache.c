/*++
 * NAME
 *	dns_cache 3
 * SUMMARY
 *	failed DNS lookups remembered for the life of a process
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	int	dns_cache_get(const char *name, unsigned type, int *rc,
 *				gstr *err)
 *	void	dns_cache_put(const char *name, unsigned type, int rc,
 *				time_t expiry, const char *message)
 *	void	dns_cache_clear(void)
 * DESCRIPTION
 *	As Exim does, a query whose answer was not a success (no such
 *	domain, no data, a temporary or a permanent error) is not sent
 *	again by the same process: the next lookup of the same name and
 *	type gets the same result. Successful answers are not kept (the
 *	name server caches them).
 *
 *	dns_cache_put() remembers a result and its message; expiry is
 *	the time (time(), so that a scenario's clock applies) after which
 *	it is forgotten, 0 for never. Exim takes it from the minimum
 *	field of the SOA record in the authority section of a negative
 *	answer, and keeps errors and answers without an SOA for the
 *	life of the process; the callers do the same.
 *
 *	dns_cache_get() returns 1 with the result in *rc and its message
 *	in err when the name (compared exactly, as Exim does) and type
 *	are remembered and not expired, else 0.
 *
 *	dns_cache_clear() forgets everything (when the server changes).
 *
 *	Entries live in arena_perm; a cleared cache leaves them there
 *	(it is cleared only when the server changes, in tests).
 * DIAGNOSTICS
 *	None: memory exhaustion is fatal in the arena.
 *--*/

#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns_int.h"

#define CACHE_BUCKETS 64

struct cache_entry {
    struct cache_entry *next;
    char *name;
    unsigned type;
    int rc;
    time_t expiry;
    char *message;
};

static struct cache_entry *buckets[CACHE_BUCKETS];

static unsigned
cache_hash(const char *name, unsigned type)
{
    unsigned h = type;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 31 + *p;
    return h % CACHE_BUCKETS;
}

static struct cache_entry *
cache_find(const char *name, unsigned type)
{
    for (struct cache_entry *e = buckets[cache_hash(name, type)]; e != NULL;
         e = e->next)
        if (e->type == type && strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

int
dns_cache_get(const char *name, unsigned type, int *rc, gstr *err)
{
    struct cache_entry *e = cache_find(name, type);

    if (e == NULL || (e->expiry != 0 && e->expiry <= time(NULL)))
        return 0;
    *rc = e->rc;
    gstr_truncate(err, 0);
    gstr_adds(err, e->message);
    return 1;
}

void
dns_cache_put(const char *name, unsigned type, int rc, time_t expiry,
              const char *message)
{
    struct cache_entry *e = cache_find(name, type);

    if (e == NULL) {
        unsigned h = cache_hash(name, type);
        arena_perm_init();
        e = arena_alloc(arena_perm, sizeof(*e));
        e->name = arena_strdup(arena_perm, name);
        e->type = type;
        e->next = buckets[h];
        buckets[h] = e;
    }
    e->message = arena_strdup(arena_perm, message);
    e->rc = rc;
    e->expiry = expiry;
}

void
dns_cache_clear(void)
{
    memset(buckets, 0, sizeof(buckets));
}
