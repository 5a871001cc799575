/*++
 * NAME
 *	auth_run 3
 * SUMMARY
 *	running an authenticator
 * SYNOPSIS
 *	#include "auth/auth.h"
 *
 *	const char *auth_public_name(const struct driver_instance *d)
 *	int	auth_is_server(const struct driver_instance *d)
 *	int	auth_is_client(const struct driver_instance *d)
 *	int	auth_server_run(struct auth_server_call *c)
 *	int	auth_client_run(struct auth_client_call *c)
 *
 *	void	auth_vars_from_clear(struct auth_server_call *c,
 *				const char *clear, size_t len, int at_least_one)
 *	int	auth_read_input(struct auth_server_call *c, const char *data)
 *	int	auth_prompt(struct auth_server_call *c, const char *prompt)
 *	int	auth_check_cond(struct auth_server_call *c, const char *cond,
 *				int unset_rc)
 *	void	auth_set_vars(struct auth_server_call *c)
 * DESCRIPTION
 *	The part of authentication that does not depend on the driver.
 *	An instance is a server when its driver's server option is set
 *	(server_condition for plaintext, server_socket for dovecot) and a
 *	client when client_send is set (plaintext). Its mechanism name is
 *	public_name, or else the instance name.
 *
 *	Data from the client is base64; decoded, it is split at NUL bytes
 *	into $auth1, $auth2 ... (an AUTH line's "=" stands for one empty
 *	item). A condition is true for "1", "yes" or "true", false for
 *	"", "0", "no", "false" or a forced failure; any other result, or
 *	an expansion error, is a temporary failure whose text goes to the
 *	client after "435 Unable to authenticate at present".
 * DIAGNOSTICS
 *	The enum auth_rc values; defer_msg says why for AUTH_DEFER.
 *--*/

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "auth/dovecot.h"
#include "auth/plaintext.h"
#include "base/arena.h"
#include "base/b64.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"

const char *
auth_public_name(const struct driver_instance *d)
{
    const struct auth_generic *g = d->generic;

    return g->public_name != NULL ? g->public_name : d->name;
}

int
auth_is_server(const struct driver_instance *d)
{
    if (d->info == &auth_plaintext_info)
        return ((const struct auth_generic *)d->generic)->server_condition !=
               NULL;
    if (d->info == &auth_dovecot_info)
        return ((const struct auth_dovecot *)d->priv)->server_socket != NULL;
    return 0;
}

int
auth_is_client(const struct driver_instance *d)
{
    if (d->info == &auth_plaintext_info)
        return ((const struct auth_plaintext *)d->priv)->client_send != NULL;
    return 0;
}

void
auth_vars_from_clear(struct auth_server_call *c, const char *clear, size_t len,
                     int at_least_one)
{
    const char *p = clear, *end = clear + len;

    if (p >= end && !at_least_one)
        return;
    do {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        size_t n = z ? (size_t)(z - p) : (size_t)(end - p);

        if (c->nvars < AUTH_VARS)
            c->vars[c->nvars] = arena_strndup(c->arena, p, n);
        c->nvars++;
        p += n + 1;
    } while (p < end);
}

void
auth_set_vars(struct auth_server_call *c)
{
    for (int i = 0; i < AUTH_VARS; i++) {
        char name[16]; /* room for any int: -O1 -Wformat-truncation */

        snprintf(name, sizeof(name), "auth%d", i + 1);
        expand_set_var(c->x, name, i < c->nvars ? c->vars[i] : NULL);
    }
    /* The same items as $1, $2 ... ($0 empty), for old configurations. */
    c->x->nnums = 0;
    if (c->nvars > 0) {
        c->x->nums[0] = "";
        for (int i = 0; i < c->nvars && i < AUTH_VARS && i < 9; i++)
            c->x->nums[i + 1] = c->vars[i];
        c->x->nnums = 1 + (c->nvars < AUTH_VARS ? c->nvars : AUTH_VARS);
    }
}

/* Decodes a client's base64 answer into $auth1.. (split at NULs); an
 * empty answer to a prompt still sets one variable. */
static int
take_answer(struct auth_server_call *c, const char *data, int prompted)
{
    gstr clear;

    gstr_init(&clear, c->arena);
    if (b64_decode(&clear, data, strlen(data)) < 0)
        return AUTH_BAD64;
    auth_vars_from_clear(c, clear.s ? clear.s : "", clear.len, prompted);
    auth_set_vars(c);
    return AUTH_OK;
}

int
auth_read_input(struct auth_server_call *c, const char *data)
{
    if (strcmp(data, "=") == 0) {
        auth_vars_from_clear(c, "", 0, 1);
        auth_set_vars(c);
        return AUTH_OK;
    }
    return take_answer(c, data, 0);
}

int
auth_prompt(struct auth_server_call *c, const char *prompt)
{
    gstr enc;
    char *answer = NULL;
    int rc;

    gstr_init(&enc, c->arena);
    b64_encode(&enc, (const unsigned char *)prompt, strlen(prompt));
    rc = c->challenge(c->io_ctx, gstr_str(&enc), &answer);
    if (rc != AUTH_OK)
        return rc;
    return take_answer(c, answer, 1);
}

/* -bh: what the condition sees and gives, as Exim's debug output */
static void
trace_cond_vars(const struct auth_server_call *c)
{
    log_trace("%s authenticator server_condition:", c->d->name);
    for (int i = 0; i < c->nvars && i < AUTH_VARS; i++)
        if (c->vars[i] != NULL)
            log_trace("  $auth%d = %s", i + 1, c->vars[i]);
    for (int i = 1; i < c->x->nnums; i++)
        log_trace("  $%d = %s", i, c->x->nums[i] ? c->x->nums[i] : "");
}

int
auth_check_cond(struct auth_server_call *c, const char *cond, int unset_rc)
{
    char *v;
    gstr err;
    int r;

    if (match_trace)
        trace_cond_vars(c);
    if (cond == NULL)
        return unset_rc;
    gstr_init(&err, c->arena);
    r = expand_string(c->x, cond, &v, &err);
    if (match_trace) {
        if (r == EXPAND_OK)
            log_trace("expanded string: %s", v);
        else
            log_trace("expansion failed: %s", gstr_str(&err));
    }
    if (r == EXPAND_FAIL)
        return AUTH_FAIL;
    if (r != EXPAND_OK) {
        gstr_adds(&c->defer_msg, gstr_str(&err));
        return AUTH_DEFER;
    }
    if (*v == '\0' || strcmp(v, "0") == 0 || strcasecmp(v, "no") == 0 ||
        strcasecmp(v, "false") == 0)
        return AUTH_FAIL;
    if (strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 ||
        strcasecmp(v, "true") == 0)
        return AUTH_OK;
    gstr_printf(&c->defer_user_msg, ": %s", v);
    gstr_printf(&c->defer_msg, "%s", v);
    return AUTH_DEFER;
}

int
auth_server_run(struct auth_server_call *c)
{
    gstr_init(&c->defer_msg, c->arena);
    gstr_init(&c->defer_user_msg, c->arena);
    c->nvars = 0;
    auth_set_vars(c);
    if (c->d->info == &auth_plaintext_info)
        return auth_plaintext_server(c);
    if (c->d->info == &auth_dovecot_info)
        return auth_dovecot_server(c);
    gstr_adds(&c->defer_msg, "authenticator has no server side");
    return AUTH_DEFER;
}

int
auth_client_run(struct auth_client_call *c)
{
    gstr_init(&c->err, c->arena);
    gstr_init(&c->last_reply, c->arena);
    c->last_code = 0;
    if (c->d->info == &auth_plaintext_info)
        return auth_plaintext_client(c);
    gstr_printf(&c->err, "%s authenticator has no client side", c->d->name);
    return AUTH_ERROR;
}
