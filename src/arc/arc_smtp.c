/*++
 * NAME
 *	arc_smtp 3
 * SUMMARY
 *	ARC verification of messages received over SMTP
 * SYNOPSIS
 *	#include "arc/arc_smtp.h"
 *
 *	void	arc_init(void)
 *	void	arc_msg_start(struct arena *a, struct expand_ctx *x)
 *	void	arc_msg_line(const char *line, size_t len)
 *	void	arc_msg_done(void)
 * DESCRIPTION
 *	The SMTP server feeds the verifier (src/arc/verify.c) every line of
 *	a message next to DKIM's. The chain is evaluated when the DATA ACL
 *	meets "verify = arc[/LIST]": $arc_state ("pass", "fail" or
 *	"none"), $arc_state_reason, $arc_domains and $arc_oldest_pass are
 *	set, and the condition is true when the state is one of the
 *	colon-separated LIST (default "none:pass"). A pass puts " ARC" on
 *	the reception line (with the dkim log selector, as Exim), and
 *	${authresults} gains the arc= entry once the chain was evaluated.
 *
 *	As in Exim, the condition is only allowed in the DATA ACL and
 *	defers when the message is not being verified (control =
 *	dkim_disable_verify).
 * DIAGNOSTICS
 *	None of its own; see verify(3) for the reasons.
 *--*/

#include <string.h>

#include "acl/acl.h"
#include "arc/arc.h"
#include "arc/arc_smtp.h"
#include "authres/authres.h"
#include "base/arena.h"
#include "base/list.h"
#include "base/printing.h"
#include "expand/expand.h"
#include "receive/receive.h"

static struct arc_verify *cur;   /* the message being received */
static struct arc_result result; /* valid when have_result */
static int have_result;
static int open_hashes; /* cur's hashes hold memory outside the arena */

void
arc_msg_start(struct arena *a, struct expand_ctx *x)
{
    have_result = 0;
    cur = a ? arc_verify_start(a) : NULL;
    open_hashes = cur != NULL;
    if (x != NULL) {
        expand_set_var(x, "arc_state", NULL);
        expand_set_var(x, "arc_state_reason", NULL);
        expand_set_var(x, "arc_domains", NULL);
    }
}

void
arc_msg_line(const char *line, size_t len)
{
    if (cur != NULL)
        arc_verify_line(cur, line, len);
}

void
arc_msg_done(void)
{
    if (open_hashes)
        arc_verify_free(cur);
    open_hashes = 0;
}

void
arc_session_reset(void)
{
    arc_msg_done();
    cur = NULL;
    have_result = 0;
    memset(&result, 0, sizeof(result));
}

static int
v_arc(struct acl_call *c, const char *options)
{
    struct arena *a = c->x->arena;
    const char *slash, *list;
    struct list_iter it;
    char *one;

    if (!have_result) {
        if (cur == NULL)
            return ACL_DEFER;
        arc_verify_finish(cur, &result);
        have_result = 1;
    }
    expand_set_var(c->x, "arc_state", result.state);
    expand_set_var(c->x, "arc_state_reason",
                   result.reason ? result.reason : "");
    expand_set_var(c->x, "arc_domains", result.domains);
    expand_set_var(c->x, "arc_oldest_pass",
                   arena_printf(a, "%d", result.oldest_pass));
    if (c->st != NULL && c->st->message != NULL)
        receive_set_arc(c->st->message, strcmp(result.state, "pass") == 0);

    slash = strchr(options, '/');
    list = arena_strndup(a, options,
                         slash ? (size_t)(slash - options) : strlen(options));
    if (*list == '\0')
        list = "none:pass";
    list_iter_init(&it, list, ':');
    while ((one = list_next(&it, a)) != NULL)
        if (strcmp(one, result.state) == 0)
            return ACL_OK;
    return ACL_FAIL;
}

static void
authres_arc(struct expand_ctx *x, gstr *out)
{
    struct arc_result r;

    if (!have_result)
        return;
    r = result;
    if (r.ams_selector != NULL)
        r.ams_selector = str_printing_dup(x->arena, r.ams_selector);
    arc_authres(&r, expand_get_var(x, "sender_host_address"), out);
}

static const struct acl_verify_def verify_arc = {"arc", ACL_BIT(ACL_WHERE_DATA),
                                                 1, v_arc};

void
arc_init(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    acl_register_verify(&verify_arc);
    authres_arc_hook = authres_arc;
}
