/*++
 * NAME
 *	plaintext 3
 * SUMMARY
 *	the plaintext authenticator
 * SYNOPSIS
 *	#include "auth/plaintext.h"
 *
 *	extern const struct driver_info auth_plaintext_info;
 *
 *	int	auth_plaintext_server(struct auth_server_call *c)
 *	int	auth_plaintext_client(struct auth_client_call *c)
 * DESCRIPTION
 *	Exim's plaintext authenticator, which covers PLAIN and LOGIN and
 *	anything else that sends a fixed number of text items.
 *
 *	Server: data given on the AUTH line fills $auth1, $auth2 ...; for
 *	each item of server_prompts (an expanded list) not yet given, the
 *	prompt goes to the client as a 334 challenge and its answer adds
 *	the next items. server_condition (which makes the instance a
 *	server) then decides.
 *
 *	Client: client_send is a list; each item is expanded, "^" stands
 *	for a NUL byte ("^^" for a caret), and it is sent base64-encoded:
 *	the first with the AUTH command, the others in answer to each 334.
 *	The server's challenges, decoded, become $auth1, $auth2 ... for
 *	the items that follow. A forced expansion failure cancels the
 *	exchange ("*").
 * DIAGNOSTICS
 *	The enum auth_rc values. Client errors are described in c->err
 *	as Exim words them ("Too few items in client_send in NAME
 *	authenticator", "Invalid base64 string in server response ...").
 *--*/

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/plaintext.h"
#include "base/arena.h"
#include "base/b64.h"
#include "base/list.h"
#include "expand/expand.h"

static const struct opt_def auth_plaintext_defs[] = {
    {"client_ignore_invalid_base64", OPT_BOOL,
     offsetof(struct auth_plaintext, client_ignore_invalid_base64), 0},
    {"client_send", OPT_EXPANDED, offsetof(struct auth_plaintext, client_send),
     0},
    {"server_prompts", OPT_EXPANDED,
     offsetof(struct auth_plaintext, server_prompts), 0},
};

const struct driver_info auth_plaintext_info = {
    "plaintext",
    OPT_TABLE("plaintext", auth_plaintext_defs, struct auth_plaintext, NULL),
    NULL,
};

int
auth_plaintext_server(struct auth_server_call *c)
{
    const struct auth_plaintext *ob = c->d->priv;
    const struct auth_generic *g = c->d->generic;
    char *prompts = NULL, *item;
    struct list_iter it;
    int number = 1, rc;

    if (ob->server_prompts != NULL) {
        gstr err;
        int r;

        gstr_init(&err, c->arena);
        r = expand_string(c->x, ob->server_prompts, &prompts, &err);
        if (r != EXPAND_OK) {
            gstr_adds(&c->defer_msg, r == EXPAND_FAIL
                                         ? "forced failure of server_prompts"
                                         : gstr_str(&err));
            return AUTH_DEFER;
        }
    }
    if (*c->data != '\0' && (rc = auth_read_input(c, c->data)) != AUTH_OK)
        return rc;
    if (prompts != NULL) {
        list_iter_init(&it, prompts, ':');
        while ((item = list_next(&it, c->arena)) != NULL)
            if (number++ > c->nvars && (rc = auth_prompt(c, item)) != AUTH_OK)
                return rc;
    }
    return auth_check_cond(c, g->server_condition, AUTH_OK);
}

/* Expands one client_send item into its bytes (with "^" as NUL). */
static int
client_item(struct auth_client_call *c, const char *item, gstr *bytes)
{
    char *v;
    gstr err;
    int r;

    gstr_init(&err, c->arena);
    r = expand_string(c->x, item, &v, &err);
    if (r == EXPAND_FAIL)
        return AUTH_CANCELLED;
    if (r != EXPAND_OK) {
        gstr_printf(&c->err,
                    "expansion of \"%s\" failed in %s authenticator: %s", item,
                    c->d->name, gstr_str(&err));
        return AUTH_ERROR;
    }
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '^' && p[1] == '^') {
            gstr_addc(bytes, '^');
            p++;
        } else if (*p == '^')
            gstr_addn(bytes, "", 1);
        else
            gstr_addc(bytes, *p);
    }
    return AUTH_OK;
}

/* Sends "*" to give up after a 334, and reads the answer. */
static void
client_cancel(struct auth_client_call *c)
{
    c->command(c->io_ctx, "*", &c->last_code, &c->last_reply);
}

int
auth_plaintext_client(struct auth_client_call *c)
{
    const struct auth_plaintext *ob = c->d->priv;
    struct list_iter it;
    char *item, *next;
    int first = 1, nvars = 0, rc;

    list_iter_init(&it, ob->client_send, ':');
    next = list_next(&it, c->arena);
    while ((item = next) != NULL) {
        gstr bytes, line;

        next = list_next(&it, c->arena);
        gstr_init(&bytes, c->arena);
        gstr_init(&line, c->arena);
        rc = client_item(c, item, &bytes);
        if (rc != AUTH_OK) {
            if (!first)
                client_cancel(c);
            return rc;
        }
        if (first) {
            gstr_printf(&line, "AUTH %s", auth_public_name(c->d));
            if (bytes.len > 0)
                gstr_addc(&line, ' ');
        }
        b64_encode(&line, (const unsigned char *)(bytes.s ? bytes.s : ""),
                   bytes.len);
        first = 0;
        gstr_truncate(&c->last_reply, 0);
        if (c->command(c->io_ctx, gstr_str(&line), &c->last_code,
                       &c->last_reply) < 0)
            return AUTH_FAIL_SEND;
        if (c->last_code >= 200 && c->last_code < 300)
            return AUTH_OK;
        if (c->last_code < 300 || c->last_code >= 400)
            return AUTH_FAIL;
        if (next == NULL) {
            client_cancel(c);
            gstr_truncate(&c->err, 0);
            gstr_printf(&c->err,
                        "Too few items in client_send in %s authenticator",
                        c->d->name);
            return AUTH_ERROR;
        }
        /* The challenge, decoded, is $authN for the items to come. */
        gstr clear;
        char name[16];
        const char *chal = gstr_str(&c->last_reply);

        gstr_init(&clear, c->arena);
        if (b64_decode(&clear, chal, strlen(chal)) < 0) {
            if (!ob->client_ignore_invalid_base64) {
                char *bad = arena_printf(c->arena, "%d %s", c->last_code, chal);
                client_cancel(c);
                gstr_printf(&c->err,
                            "Invalid base64 string in server response \"%s\"",
                            bad);
                return AUTH_CANCELLED;
            }
            gstr_truncate(&clear, 0);
        }
        if (nvars < AUTH_VARS) {
            snprintf(name, sizeof(name), "auth%d", ++nvars);
            expand_set_var(c->x, name, gstr_str(&clear));
        }
    }
    return AUTH_FAIL;
}
