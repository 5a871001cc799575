/*++
 * NAME
 *	smtp_auth 3
 * SUMMARY
 *	client-side SMTP AUTH for the smtp transport
 * SYNOPSIS
 *	#include "transport/smtp_auth.h"
 *
 *	int	smtp_auth_client(struct smtp_auth_call *c)
 *	const char *smtp_auth_mail_option(struct expand_ctx *x,
 *				struct arena *a, int authenticated,
 *				const char *option, int force,
 *				const char **err)
 * DESCRIPTION
 *	smtp_auth_client() does what Exim's transport does after EHLO:
 *	when the server lists AUTH mechanisms and the host is in
 *	hosts_require_auth or hosts_try_auth, each authenticator that can
 *	act as a client (client_send for plaintext), whose client_condition
 *	(if set) is true and whose public name the server offers is tried
 *	in configuration order until one succeeds. A 5xx answer is logged
 *	("ID NAME authenticator failed H=host [ip] reply", ID the message
 *	id as in Exim's delivery log lines) and the next one is
 *	tried; a forced expansion failure cancels one attempt. Without
 *	success, a host in hosts_require_auth is given up with "authentication
 *	required but ..." (server did not advertise AUTH support, no common
 *	mechanisms were found, authentication attempt(s) failed); otherwise
 *	the message goes unauthenticated.
 *
 *	The AUTH commands' data never reaches the log: as in Exim, messages
 *	show the command with each byte of its data as "*" ("AUTH PLAIN
 *	****"), and an answer to a challenge as "*"s only.
 *
 *	smtp_auth_mail_option() builds MAIL's AUTH= parameter from the
 *	authenticated_sender option (expanded; else $authenticated_sender
 *	of the message), xtext-encoded, when the session authenticated or
 *	authenticated_sender_force is set.
 * DIAGNOSTICS
 *	enum smtp_auth_result; for SMTP_AUTH_DEFER basic_errno is -42
 *	(authentication required) or -48 (an authenticator's own error,
 *	such as an expansion failure of client_send).
 *--*/

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/xtext.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "log/log.h"
#include "transport/smtp_auth.h"
#include "transport/smtp_client.h"

/* The mechanisms of the EHLO reply's AUTH line ("" if none). */
static const char *
offered_mechanisms(const char *ehlo)
{
    const char *p = ehlo;

    while (p != NULL && *p != '\0') {
        if (strlen(p) > 8 && strncmp(p, "250", 3) == 0 &&
            (p[3] == '-' || p[3] == ' ') &&
            strncasecmp(p + 4, "AUTH", 4) == 0 && (p[8] == ' ' || p[8] == '\t'))
            return p + 9;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return NULL;
}

static int
offers(const char *list, const char *mech)
{
    size_t n = strlen(mech);
    const char *p = list;

    while (*p != '\0' && *p != '\n') {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t w = strcspn(p, " \t\n");
        if (w == n && strncasecmp(p, mech, n) == 0)
            return 1;
        p += w;
    }
    return 0;
}

/* The line as error messages show it: an AUTH command keeps its
 * mechanism, every other byte of data becomes '*', as Exim hides it. */
static const char *
masked_command(struct arena *a, const char *line)
{
    char *m = arena_strdup(a, line), *p = m;

    if (strncmp(m, "AUTH ", 5) == 0) {
        p += 5;
        p += strspn(p, " \t");
        p += strcspn(p, " \t");
        p += strspn(p, " \t");
    }
    for (; *p != '\0'; p++)
        *p = '*';
    return m;
}

struct auth_io {
    struct smtp_auth_call *c;
    int failed_send; /* a write failed */
    int failed_read; /* a read failed (errno kept) */
    int err;
};

/* Sends one line of the exchange, reads the reply: its code and its
 * text after the code. */
static int
client_command(void *ctx, const char *line, int *code, gstr *text)
{
    struct auth_io *io = ctx;
    struct smtp_auth_call *c = io->c;
    char *wire = arena_printf(c->a, "%s\r\n", line);
    int r;

    c->cmd = masked_command(c->a, line);
    if (smtp_conn_write(c->conn, wire, strlen(wire), c->timeout) < 0) {
        io->failed_send = 1;
        io->err = errno;
        return -1;
    }
    r = smtp_conn_read_reply(c->conn, c->timeout, c->reply);
    if (r < 0) {
        io->failed_read = 1;
        io->err = errno;
        return -1;
    }
    *code = r;
    gstr_truncate(text, 0);
    gstr_adds(text, c->reply->len > 4 ? c->reply->s + 4 : "");
    return 0;
}

int
smtp_auth_client(struct smtp_auth_call *c)
{
    const char *names = offered_mechanisms(c->ehlo_reply);
    const char *why = "server did not advertise AUTH support";

    c->authenticator = c->auth_id = NULL;
    if (names == NULL || (!c->require && !c->try_auth) || config == NULL)
        goto done;
    why = "no common mechanisms were found";
    for (const struct driver_instance *d = config->auths; d != NULL;
         d = d->next) {
        const struct auth_generic *g = d->generic;
        struct auth_client_call ac;
        struct auth_io io = {c, 0, 0, 0};
        int rc;

        if (!auth_is_client(d) || !offers(names, auth_public_name(d)))
            continue;
        if (g->client_condition != NULL) {
            gstr err;
            int truth = 0;
            gstr_init(&err, c->a);
            if (expand_condition(c->x, g->client_condition, &truth, &err) !=
                    EXPAND_OK ||
                !truth)
                continue;
        }
        why = "authentication attempt(s) failed";
        memset(&ac, 0, sizeof(ac));
        ac.d = d;
        ac.x = c->x;
        ac.arena = c->a;
        ac.command = client_command;
        ac.io_ctx = &io;
        c->attempts++;
        rc = auth_client_run(&ac);
        if (io.failed_send) {
            errno = io.err;
            return SMTP_AUTH_SEND_FAIL;
        }
        if (io.failed_read) {
            errno = io.err;
            return SMTP_AUTH_RESP_FAIL;
        }
        switch (rc) {
        case AUTH_OK:
            c->authenticator = d->name;
            if (g->client_set_id != NULL) {
                char *v;
                gstr err;
                gstr_init(&err, c->a);
                if (expand_string(c->x, g->client_set_id, &v, &err) ==
                    EXPAND_OK)
                    c->auth_id = v;
            }
            return SMTP_AUTH_OK;
        case AUTH_FAIL:
            if (ac.last_code / 100 != 5) { /* a 4xx holds the host up */
                errno = 0;
                return SMTP_AUTH_RESP_FAIL;
            }
            log_write(LOG_MAIN, "%s%s%s authenticator failed H=%s [%s] %d %s",
                      c->msgid ? c->msgid : "", c->msgid ? " " : "", d->name,
                      c->host_name, c->host_address, ac.last_code,
                      gstr_str(&ac.last_reply));
            break;
        case AUTH_CANCELLED:
            if (ac.err.len > 0)
                log_write(LOG_MAIN,
                          "%s%s%s authenticator cancelled authentication "
                          "H=%s [%s] %s",
                          c->msgid ? c->msgid : "", c->msgid ? " " : "",
                          d->name, c->host_name, c->host_address,
                          gstr_str(&ac.err));
            break;
        default:
            c->basic_errno = SMTP_ERRNO_AUTHPROB;
            c->message = arena_strdup(c->a, gstr_str(&ac.err));
            return SMTP_AUTH_DEFER;
        }
    }
done:
    if (c->require) {
        c->basic_errno = SMTP_ERRNO_AUTHFAIL;
        c->message = arena_printf(c->a, "authentication required but %s", why);
        return SMTP_AUTH_DEFER;
    }
    return SMTP_AUTH_OK;
}

const char *
smtp_auth_mail_option(struct expand_ctx *x, struct arena *a, int authenticated,
                      const char *option, int force, const char **sender_used,
                      const char **err)
{
    const char *sender = expand_get_var(x, "authenticated_sender");
    gstr g;

    *err = NULL;
    *sender_used = NULL;
    if (option != NULL) {
        char *v;
        gstr e;
        int r;

        gstr_init(&e, a);
        r = expand_string(x, option, &v, &e);
        if (r == EXPAND_ERROR) {
            *err = arena_printf(a, "failed to expand authenticated_sender: %s",
                                gstr_str(&e));
            return NULL;
        }
        if (r == EXPAND_OK && *v != '\0')
            sender = v;
    }
    if ((!authenticated && !force) || sender == NULL || *sender == '\0')
        return "";
    gstr_init(&g, a);
    gstr_adds(&g, " AUTH=");
    xtext_encode(&g, sender, strlen(sender));
    *sender_used = arena_strdup(a, sender);
    return gstr_str(&g);
}
