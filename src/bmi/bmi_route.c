/*++
 * NAME
 *	bmi_route 3
 * SUMMARY
 *	Brightmail verdicts in routing
 * SYNOPSIS
 *	#include "bmi/bmi_route.h"
 *
 *	extern const struct route_feature bmi_route_feature;
 * DESCRIPTION
 *	Before an address is routed (and before it is delivered) the
 *	variables $bmi_base64_verdict, $bmi_base64_tracker_verdict,
 *	$bmi_deliver and $bmi_alt_location are set from the verdict of
 *	its top-level ancestor, the address that was given in RCPT TO and
 *	sent to the BMI server; a child made by an alias or a redirect
 *	thus inherits its parent's verdict. A message that BMI never
 *	processed, and -bt, have no verdicts: $bmi_deliver is 1 and the
 *	other three are empty.
 *
 *	Then, after the generic preconditions and in Exim's order, the
 *	router preconditions:
 *
 *	bmi_rule = <list>: the router is skipped unless one of the rule
 *	numbers in the colon-separated list fired for the address (never,
 *	without a verdict). The list is not expanded, as in Exim.
 *
 *	bmi_dont_deliver: skipped unless the verdict says not to deliver.
 *
 *	bmi_deliver_alternate: skipped unless the verdict names an
 *	alternate location.
 *
 *	bmi_deliver_default: skipped unless the address is to be delivered
 *	normally (true without a verdict).
 * DIAGNOSTICS
 *	None here: a verdict that cannot be read counts as none, with a
 *	panic log line (bmi_verdict(3)).
 *--*/

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/list.h"
#include "bmi/bmi_conf.h"
#include "bmi/bmi_route.h"
#include "bmi/bmi_verdict.h"
#include "expand/expand.h"
#include "spool/envelope.h"

static void
bmi_set_vars(struct expand_ctx *x, const struct spool_msg *msg,
             const struct address *a)
{
    const struct address *top = a;
    struct bmi_outcome o;

    while (top->parent != NULL)
        top = top->parent;
    bmi_verdict_outcome(x->arena, msg ? msg->bmi_verdicts : NULL,
                        top->cc_local_part ? top->cc_local_part : "",
                        top->domain ? top->domain : "",
                        msg && msg->id[0] ? msg->id : NULL, &o);
    expand_set_var(x, "bmi_base64_verdict", o.verdict);
    expand_set_var(x, "bmi_base64_tracker_verdict", o.tracker);
    expand_set_var(x, "bmi_alt_location", o.alt);
    expand_set_var(x, "bmi_deliver", o.deliver ? "1" : "0");
}

static int
bmi_check(struct route_call *c)
{
    const struct bmi_router *b = driver_ext_block(c->router, &bmi_router_ext);
    struct expand_ctx *x = c->rc->x;
    const char *dv = expand_get_var(x, "bmi_deliver");
    const char *alt = expand_get_var(x, "bmi_alt_location");
    int deliver = dv == NULL || strcmp(dv, "0") != 0;
    int has_alt = alt != NULL && *alt != '\0';

    if (b == NULL)
        return 0;
    if (b->bmi_rule != NULL &&
        !bmi_verdict_rule_fired(
            c->rc->arena, expand_get_var(x, "bmi_base64_verdict"), b->bmi_rule))
        return 1;
    if (b->bmi_dont_deliver && deliver)
        return 1;
    if (b->bmi_deliver_alternate && (!deliver || !has_alt))
        return 1;
    if (b->bmi_deliver_default && (!deliver || has_alt))
        return 1;
    return 0;
}

const struct route_feature bmi_route_feature = {bmi_set_vars, bmi_check};
