/*++
 * NAME
 *	rrewrite 3
 * SUMMARY
 *	the rewrite rules applied to a message's envelope at reception
 * SYNOPSIS
 *	#include "receive/receive_int.h"
 *
 *	void	receive_rewrite_recipients(struct receive *r)
 *	void	receive_rewrite_sender(struct receive *r)
 * DESCRIPTION
 *	Once the header section is read, Exim rewrites every envelope
 *	recipient with the T rules and then the sender (unless it is
 *	<>, or sender verification in an ACL rewrote it already) with the
 *	F rules (src/rewrite/). The "for" list of the "<="
 *	line keeps the recipients as they were given (r->raw_rcpts).
 *
 *	For each rule that changed an address, as Exim, a header
 *	"X-rewrote-original-recipient: OLD" or "X-rewrote-sender: OLD"
 *	is added to the spool marked as deleted ("*"): it is kept for
 *	whoever reads the -H file, never sent.
 *
 *	$sender_address follows the rewritten sender.
 * DIAGNOSTICS
 *	Those of rewrite_one() (src/rewrite/rewrite.c).
 *--*/

#include <string.h>

#include "base/arena.h"
#include "expand/expand.h"
#include "receive/receive_int.h"
#include "rewrite/rewrite.h"

struct noted {
    struct receive *r;
    const char *name;
};

static void
add_rewrote(void *arg, const char *old)
{
    struct noted *n = arg;

    receive_header_append(
        n->r, '*', arena_printf(n->r->a, "X-rewrote-%s: %s\n", n->name, old));
}

void
receive_rewrite_recipients(struct receive *r)
{
    const struct rewrite_rules *rr = rewrite_global();
    struct noted n = {r, "original-recipient"};

    if (!(rr->existflags & RW_ENVTO) || r->p.ctx == NULL)
        return;
    for (int i = 0; i < r->m.rcpt_count; i++) {
        struct spool_rcpt *rc = &r->m.rcpts[i];
        const char *new = rewrite_one_noted(r->p.ctx, rr, rc->address, RW_ENVTO,
                                            NULL, add_rewrote, &n);
        if (new != rc->address)
            rc->address = arena_strdup(r->a, new);
    }
}

void
receive_rewrite_sender(struct receive *r)
{
    const struct rewrite_rules *rr = rewrite_global();
    struct noted n = {r, "sender"};
    const char *new, *at;

    if (!(rr->existflags & RW_ENVFROM) || r->p.ctx == NULL ||
        r->p.sender_unrewritten != NULL || r->m.sender == NULL ||
        *r->m.sender == '\0')
        return;
    new = rewrite_one_noted(r->p.ctx, rr, r->m.sender, RW_ENVFROM, NULL,
                            add_rewrote, &n);
    if (new == r->m.sender)
        return;
    r->m.sender = arena_strdup(r->a, new);
    r->p.sender = r->m.sender;
    at = strrchr(new, '@');
    (void)expand_set_var(r->p.ctx, "sender_address", new);
    (void)expand_set_var(r->p.ctx, "sender_address_domain", at ? at + 1 : "");
    (void)expand_set_var(r->p.ctx, "sender_address_local_part",
                         at ? arena_strndup(r->a, new, (size_t)(at - new))
                            : new);
}
