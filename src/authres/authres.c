/*++
 * NAME
 *	authres 3
 * SUMMARY
 *	${authresults}: the Authentication-Results: field
 * SYNOPSIS
 *	#include "authres/authres.h"
 *
 *	void	authres_init(void)
 *	void	authres_set_auth_mechanism(const char *mech)
 *	void	authres_set_dkim(const char *text)
 *	extern void (*authres_arc_hook)(struct expand_ctx *x, gstr *out);
 * DESCRIPTION
 *	${authresults{ADMD}} gives "Authentication-Results: ADMD" followed
 *	by one ";\en\et"-separated entry per check that was made, in
 *	Exim's order and words:
 *
 *	iprev=pass (NAME) smtp.remote-ip=IP when the client's name was
 *	looked up and verified; iprev=temperror when the lookup deferred;
 *	iprev=fail when it failed.
 *
 *	auth=pass (MECHANISM) smtp.auth=ID [smtp.mailfrom=AUTH-SENDER]
 *	when the client authenticated ("(MECHANISM, no id saved)" without
 *	server_set_id).
 *
 *	spf=RESULT [(best guess record for domain)] smtp.mailfrom=DOMAIN
 *	(smtp.helo=NAME for an empty sender) when an spf or spf_guess
 *	condition ran.
 *
 *	dkim=RESULT (REASON) header.d= header.i= header.s= header.a= for
 *	every DKIM signature verified (src/dkim/dkim_smtp.c builds them).
 *
 *	Then whatever authres_arc_hook appends.
 * DIAGNOSTICS
 *	None.
 *--*/

#include <stdlib.h>
#include <string.h>

#include "authres/authres.h"
#include "base/gstr.h"
#include "expand/expand.h"

void (*authres_arc_hook)(struct expand_ctx *x, gstr *out);

static char *auth_mech;
static char *dkim_text;

static void
set_copy(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? strdup(v) : NULL;
}

void
authres_set_auth_mechanism(const char *mech)
{
    set_copy(&auth_mech, mech);
}

void
authres_set_dkim(const char *text)
{
    set_copy(&dkim_text, text);
}

static int
set(const char *v)
{
    return v != NULL && *v != '\0';
}

static void
add_iprev(struct expand_ctx *x, gstr *g)
{
    const char *name = expand_get_var(x, "sender_host_name");
    const char *ip = expand_get_var(x, "sender_host_address");
    const char *deferred = expand_get_var(x, "host_lookup_deferred");
    const char *failed = expand_get_var(x, "host_lookup_failed");

    if (set(name))
        gstr_printf(g, ";\n\tiprev=pass (%s)", name);
    else if (deferred && strcmp(deferred, "1") == 0)
        gstr_adds(g, ";\n\tiprev=temperror");
    else if (failed && strcmp(failed, "1") == 0)
        gstr_adds(g, ";\n\tiprev=fail");
    else
        return;
    if (set(ip))
        gstr_printf(g, " smtp.remote-ip=%s", ip);
}

static void
add_auth(struct expand_ctx *x, gstr *g)
{
    const char *by = expand_get_var(x, "sender_host_authenticated");
    const char *id = expand_get_var(x, "authenticated_id");
    const char *sender = expand_get_var(x, "authenticated_sender");
    const char *mech = auth_mech ? auth_mech : by;

    if (!set(by))
        return;
    gstr_printf(g, ";\n\tauth=pass (%s", mech);
    if (strcmp(mech, "tls") == 0)
        gstr_adds(g, set(id) ? ") x509.auth=" : ") reason=x509.auth");
    else
        gstr_adds(g, set(id) ? ") smtp.auth=" : ", no id saved)");
    if (set(id))
        gstr_adds(g, id);
    if (set(sender))
        gstr_printf(g, " smtp.mailfrom=%s", sender);
}

static void
add_spf(struct expand_ctx *x, gstr *g)
{
    const char *result = expand_get_var(x, "spf_result");
    const char *guessed = expand_get_var(x, "spf_result_guessed");
    const char *sender = expand_get_var(x, "sender_address");
    const char *helo = expand_get_var(x, "sender_helo_name");
    const char *at;

    if (!set(result))
        return;
    gstr_printf(g, ";\n\tspf=%s", result);
    if (guessed && strcmp(guessed, "yes") == 0)
        gstr_adds(g, " (best guess record for domain)");
    if (set(sender) && (at = strrchr(sender, '@')) != NULL && at[1] != '\0')
        gstr_printf(g, " smtp.mailfrom=%s", at + 1);
    else if (set(helo))
        gstr_printf(g, " smtp.helo=%s", helo);
    else
        gstr_adds(g, " smtp.mailfrom=<>");
}

static void
authres_append(struct expand_ctx *x, const char *admd, gstr *g)
{
    (void)admd;
    add_iprev(x, g);
    add_auth(x, g);
    add_spf(x, g);
    if (dkim_text != NULL)
        gstr_adds(g, dkim_text);
    if (authres_arc_hook != NULL)
        authres_arc_hook(x, g);
}

void
authres_init(void)
{
    expand_authresults_hook = authres_append;
}
