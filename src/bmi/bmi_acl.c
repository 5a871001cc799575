/*++
 * NAME
 *	bmi_acl 3
 * SUMMARY
 *	Brightmail in the ACLs: control = bmi_run, bmi_optin
 * SYNOPSIS
 *	#include "bmi/bmi_acl.h"
 *
 *	void	bmi_acl_init(void)
 *	int	bmi_acl_run_set(const struct acl_state *st)
 *	const char *bmi_acl_optin(const struct acl_state *st,
 *			const char *address)
 * DESCRIPTION
 *	"control = bmi_run", in any ACL, marks the message being received
 *	for a scan by the BMI server just before it is accepted
 *	(bmi_scan(3)). As in Exim, the mark belongs to one message: a
 *	control obeyed in the connect or HELO ACL is forgotten at MAIL.
 *
 *	"bmi_optin = <list>" is a modifier of the RCPT ACL (and, as in
 *	Exim, accepted in the non-SMTP ACL, where it has no effect). Its
 *	expanded value is a colon-separated list of opt-in strings (the
 *	separator Exim's code passes to the SDK; the spec also says
 *	"comma-separated" once), sent to the server with the recipient
 *	whose RCPT ACL set it. A value of one character or less sends
 *	none, as in Exim. The last value set for a recipient counts.
 *
 *	Exim keeps one "current" opt-in string and gives it to the next
 *	recipient that is accepted; mxlab keys it by the recipient being
 *	checked. The two agree unless a RCPT that set it is then refused:
 *	Exim passes its string on to the next accepted recipient, mxlab
 *	does not.
 * DIAGNOSTICS
 *	The ACL engine reports bmi_optin in an ACL where it may not be
 *	used, as for any modifier.
 *--*/

#include <string.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "bmi/bmi_acl.h"
#include "expand/expand.h"

#define B(w) ACL_BIT(ACL_WHERE_##w)

/* The value of one bmi_optin: "address\n" and the string, in the
 * message's list of control values, which the ACL engine forgets with
 * the message. */
#define OPTIN_NAME "bmi_optin"

static int
bmi_optin_eval(struct acl_call *c, const char *arg)
{
    struct arena *a = c->st->conn_arena ? c->st->conn_arena : c->x->arena;
    struct expand_kv *kv;

    if (c->st->recipient == NULL)
        return ACL_OK;
    kv = arena_alloc(a, sizeof(*kv));
    kv->name = OPTIN_NAME;
    kv->value = arena_printf(a, "%s\n%s", c->st->recipient, arg);
    kv->next = c->st->control_values;
    c->st->control_values = kv;
    return ACL_OK;
}

static const struct acl_cond_def bmi_optin_def = {
    "bmi_optin",
    ACL_CD_MODIFIER | ACL_CD_EXPAND,
    B(AUTH) | B(CONNECT) | B(HELO) | B(DATA) | B(ETRN) | B(EXPN) | B(MAILAUTH) |
        B(MAIL) | B(STARTTLS) | B(VRFY) | B(PREDATA) | B(NOT_SMTP_START),
    NULL,
    bmi_optin_eval,
};

static const struct acl_control_def bmi_run_def = {"bmi_run", 0, 0, NULL};

void
bmi_acl_init(void)
{
    /* -1 when already registered (a re-read configuration): harmless */
    (void)acl_register_condition(&bmi_optin_def);
    (void)acl_register_control(&bmi_run_def);
}

int
bmi_acl_run_set(const struct acl_state *st)
{
    return acl_control_value(st, "bmi_run") != NULL;
}

const char *
bmi_acl_optin(const struct acl_state *st, const char *address)
{
    size_t n = strlen(address);

    /* newest first: the last value set wins */
    for (const struct expand_kv *kv = st->control_values; kv != NULL;
         kv = kv->next)
        if (strcmp(kv->name, OPTIN_NAME) == 0 &&
            strncmp(kv->value, address, n) == 0 && kv->value[n] == '\n')
            return kv->value + n + 1;
    return NULL;
}
