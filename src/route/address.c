/*++
 * NAME
 *	address 3
 * SUMMARY
 *	addresses being routed and delivered
 * SYNOPSIS
 *	#include "route/address.h"
 *
 *	struct address *address_new(struct arena *a, const char *text,
 *			const char *qualify_domain)
 *	struct address *address_child(struct arena *a,
 *			struct address *parent, const char *text,
 *			unsigned flags)
 *	struct address *address_top(struct address *a)
 *	int	address_ancestor_routed_by(const struct address *a,
 *			const struct driver_instance *router, int same_only)
 *	int	address_is_ancestor(const struct address *a,
 *			const char *text)
 * DESCRIPTION
 *	address_new() makes a top-level address: the domain is what
 *	follows the last "@" (lower-cased), the local part what precedes
 *	it, lower-cased (routers with caseful_local_part use
 *	cc_local_part, which keeps its case). The key ("unique") keeps
 *	the local part's case, as Exim's; a generated address with the
 *	same name as an ancestor gets Exim's "\\N\\" prefix on its key.
 *address_child() makes one that a redirection generated; it inherits the
 *parent's rcpt_index, address_data, errors_to, headers_add and headers_remove
 *(as Exim's add_generated() passes them on), and pipes and files keep their
 *text whole with the parent's local part.
 *
 *	address_ancestor_routed_by() is Exim's loop protection: a router
 *	is skipped for an address when an ancestor with the same address
 *	(compared without case) was routed by it, or under no_repeat_use
 *	any ancestor. address_is_ancestor() is for check_ancestor.
 * DIAGNOSTICS
 *	None; memory comes from the arena.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "route/address.h"

char *
address_lc(struct arena *a, const char *s)
{
    char *lc = arena_strdup(a, s);

    for (char *p = lc; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return lc;
}

static void
address_split(struct arena *a, struct address *ad, const char *qualify)
{
    const char *at = strrchr(ad->address, '@');

    if (at == NULL) {
        ad->cc_local_part = arena_strdup(a, ad->address);
        ad->domain = arena_strdup(a, qualify ? qualify : "");
        ad->address = arena_printf(a, "%s@%s", ad->address, ad->domain);
    } else {
        ad->cc_local_part =
            arena_strndup(a, ad->address, (size_t)(at - ad->address));
        ad->domain = arena_strdup(a, at + 1);
    }
    for (char *p = ad->domain; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    ad->local_part = address_lc(a, ad->cc_local_part);
    /* the key keeps the local part's case; domains are caseless */
    ad->unique = arena_printf(a, "%s@%s", ad->cc_local_part, ad->domain);
}

struct address *
address_new(struct arena *a, const char *text, const char *qualify_domain)
{
    struct address *ad = arena_alloc(a, sizeof(*ad));

    memset(ad, 0, sizeof(*ad));
    ad->address = arena_strdup(a, text);
    ad->rcpt_index = -1;
    address_split(a, ad, qualify_domain);
    return ad;
}

struct address *
address_child(struct arena *a, struct address *parent, const char *text,
              unsigned flags)
{
    struct address *ad = arena_alloc(a, sizeof(*ad));

    memset(ad, 0, sizeof(*ad));
    ad->address = arena_strdup(a, text);
    ad->flags = flags;
    ad->parent = parent;
    ad->rcpt_index = parent->rcpt_index;
    ad->address_data = parent->address_data;
    /* what the redirecting router set travels with what it generated */
    ad->errors_to = parent->errors_to;
    ad->headers_add = parent->headers_add;
    ad->headers_remove = parent->headers_remove;
    if (flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) {
        /* a pipe or file is delivered for its parent's local part */
        ad->cc_local_part = parent->cc_local_part;
        ad->local_part = parent->local_part;
        ad->domain = parent->domain;
        ad->unique = arena_printf(a, "%s:%s", text, parent->unique);
    } else {
        address_split(a, ad, parent->domain);
        if (address_is_ancestor(parent, ad->address))
            /* a homonym: Exim's "\N\" prefix keeps it apart from the
             * ancestor of the same name */
            ad->unique = arena_printf(
                a, "\\%c\\%s",
                parent->unique[0] == '\\' ? parent->unique[1] + 1 : '0',
                ad->unique);
    }
    return ad;
}

struct address *
address_top(struct address *a)
{
    while (a->parent != NULL)
        a = a->parent;
    return a;
}

int
address_ancestor_routed_by(const struct address *a,
                           const struct driver_instance *router, int same_only)
{
    for (const struct address *p = a->parent; p != NULL; p = p->parent)
        if (p->router == router &&
            (!same_only || strcasecmp(p->address, a->address) == 0))
            return 1;
    return 0;
}

int
address_is_ancestor(const struct address *a, const char *text)
{
    for (; a != NULL; a = a->parent)
        if (strcasecmp(a->address, text) == 0)
            return 1;
    return 0;
}
