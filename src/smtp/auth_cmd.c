/*++
 * NAME
 *	auth_cmd 3
 * SUMMARY
 *	AUTH: SMTP authentication on the server side
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	void	smtp_auth_register(void)
 *	int	smtp_cmd_auth(struct smtp_session *s, char *arg)
 *	void	smtp_auth_reset(struct smtp_session *s)
 * DESCRIPTION
 *	smtp_auth_register() adds the AUTH keyword to EHLO replies (after
 *	PIPELINING, as Exim places it). It is listed when the client
 *	matches auth_advertise_hosts and at least one authenticator is a
 *	server whose server_advertise_condition (if set) is true; the
 *	mechanisms are the public names of those authenticators, in
 *	configuration order, in upper case.
 *
 *	smtp_cmd_auth() runs "AUTH mechanism [initial-response]": refused
 *	with 503 when AUTH was not advertised, after a successful AUTH,
 *	or inside a mail transaction (control = allow_auth_unadvertised
 *	in the connect or HELO ACL lifts the first and makes every
 *	server authenticator usable); then acl_smtp_auth; then the
 *	mechanism is looked up among those advertised (504 if unknown,
 *	501 for a bad character) and its authenticator runs, exchanging
 *	334 challenges with the client. The outcome is one of Exim's
 *	replies: "235 Authentication succeeded", "535 Incorrect
 *	authentication data", "435 Unable to authenticate at present",
 *	"501 Invalid base64 data", "501 Authentication cancelled".
 *
 *	On success server_set_id, expanded while $auth1 ... still hold
 *	the client's data, becomes $authenticated_id; the authenticator's
 *	name is $sender_host_authenticated, and the received protocol
 *	gains its "a" (esmtpa). After success or failure $auth1 ... are
 *	cleared again.
 *
 *	smtp_auth_reset() forgets an authentication, for STARTTLS.
 *
 *	smtp_auth_mail_param() decides about MAIL's AUTH= value: it is
 *	kept ($authenticated_sender) only from an authenticated client,
 *	and only if the authenticator's server_mail_auth_condition (when
 *	set) is true; otherwise it is ignored with Exim's log line
 *	"ignoring AUTH=VALUE from H (REASON)".
 * DIAGNOSTICS
 *	A failure is logged to the main and reject logs as
 *	"NAME authenticator failed for H=(HELO) [IP]: 535 Incorrect
 *	authentication data (set_id=ID)" (with "H=", as Exim since 4.99;
 *	4.98.2 wrote the host without it), and a temporary
 *	failure with its reason
 *	("435 Unable to authenticate at present: REASON").
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "authres/authres.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "smtp/ehlo.h"
#include "smtp/smtp_int.h"

#define AUTH_MAX_INSTANCES 64 /* bits in auth_advertised_set */

static int
auth_advertise(struct smtp_session *s, gstr *out)
{
    int first = 1, i = 0;

    s->auth_advertised = 0;
    s->auth_advertised_set = 0;
    if (config == NULL || config->auths == NULL ||
        !smtp_host_in_opt(s, auth_advertise_hosts))
        return 0;
    for (struct driver_instance *d = config->auths; d != NULL;
         d = d->next, i++) {
        const struct auth_generic *g = d->generic;

        if (i >= AUTH_MAX_INSTANCES || !auth_is_server(d))
            continue;
        if (g->server_advertise_condition != NULL) {
            gstr err;
            int truth = 0, r;

            gstr_init(&err, s->msg_arena);
            r = expand_condition(&s->x, g->server_advertise_condition, &truth,
                                 &err);
            if (r == EXPAND_ERROR)
                log_write(LOG_MAIN | LOG_PANIC,
                          "failed to expand \"%s\" in %s authenticator: %s",
                          g->server_advertise_condition, d->name,
                          gstr_str(&err));
            if (r != EXPAND_OK || !truth)
                continue;
        }
        gstr_adds(out, first ? "AUTH " : " ");
        first = 0;
        for (const char *p = auth_public_name(d); *p != '\0'; p++)
            gstr_addc(out, (char)toupper((unsigned char)*p));
        s->auth_advertised_set |= 1ULL << i;
        s->auth_advertised = 1;
    }
    return !first;
}

static struct ehlo_keyword auth_keyword = {EHLO_AFTER_PIPELINING,
                                           auth_advertise, NULL};

void
smtp_auth_register(void)
{
    static int done;

    if (!done) {
        done = 1;
        smtp_ehlo_register(&auth_keyword);
    }
}

void
smtp_auth_reset(struct smtp_session *s)
{
    s->authenticated_id = NULL;
    s->tainted &= ~(unsigned)SESS_TAINT_AUTH_ID;
    s->authenticated_by = NULL;
    s->auth_pubname = NULL;
    authres_set_auth_mechanism(NULL);
    s->auth_advertised = 0;
    s->auth_advertised_set = 0;
    smtp_set_host_vars(s);
}

/* The connection's state while an authenticator talks to the client. */
struct auth_io {
    struct smtp_session *s;
    int status; /* the io_status that ended the exchange */
};

static int
auth_challenge(void *ctx, const char *text, char **answer)
{
    struct auth_io *a = ctx;
    struct smtp_session *s = a->s;
    enum io_eol eol;
    gstr line;
    int r;

    smtp_reply(s, 334, text);
    gstr_init(&line, s->conn_arena);
    r = smtp_io_getline(&s->io, &line, SMTP_CMD_MAX, &eol);
    if (r == IO_TOO_LONG)
        return AUTH_BAD64;
    /* As Exim: the end of the connection is an empty answer; the next
     * command read finds the connection lost. */
    if (r == IO_EOF) {
        *answer = "";
        return AUTH_OK;
    }
    if (r != IO_OK) {
        a->status = r;
        return AUTH_IO;
    }
    *answer = (char *)gstr_str(&line);
    if (strcmp(*answer, "*") == 0)
        return AUTH_CANCELLED;
    return AUTH_OK;
}

/* control = allow_auth_unadvertised (connect or HELO ACL). */
static int
allow_unadvertised(const struct smtp_session *s)
{
    return (s->acl.controls & ACL_CTL_ALLOW_AUTH_UNADVERTISED) != 0;
}

static struct driver_instance *
find_mechanism(struct smtp_session *s, const char *mech)
{
    int i = 0;

    for (struct driver_instance *d = config ? config->auths : NULL; d != NULL;
         d = d->next, i++)
        if (i < AUTH_MAX_INSTANCES &&
            ((s->auth_advertised_set & (1ULL << i)) ||
             (allow_unadvertised(s) && auth_is_server(d))) &&
            strcasecmp(mech, auth_public_name(d)) == 0)
            return d;
    return NULL;
}

/* Runs one authenticator; sends the reply; returns 1 if the session
 * must end. */
static int
run_auth(struct smtp_session *s, struct driver_instance *d, char *data)
{
    const struct auth_generic *g = d->generic;
    struct auth_server_call c;
    struct auth_io io = {s, IO_OK};
    char *set_id = NULL, *resp, *errmsg, *set_id_note = "";
    int rc;

    memset(&c, 0, sizeof(c));
    c.d = d;
    c.x = &s->x;
    c.arena = s->msg_arena;
    c.data = data;
    c.challenge = auth_challenge;
    c.io_ctx = &io;
    c.host_address = s->host_address;
    c.host_port = s->host_port;
    c.interface_address = s->interface_address;
    c.interface_port = s->interface_port;
    c.tls = smtp_session_tls(s);
    c.tls_cert_verified = smtp_session_tls_cert_verified(s);
    c.timeout = main_config.smtp_receive_timeout;
    expand_set_var(&s->x, "authentication_failed", "1");
    rc = auth_server_run(&c);
    if (rc == AUTH_IO) {
        c.nvars = 0;
        auth_set_vars(&c);
        return smtp_command_lost(s, io.status);
    }
    gstr experr;
    gstr_init(&experr, s->msg_arena);
    if (g->server_set_id != NULL) {
        char *v;
        if (expand_string(&s->x, g->server_set_id, &v, &experr) == EXPAND_OK) {
            gstr p;
            gstr_init(&p, s->conn_arena);
            str_printing(&p, v, strlen(v));
            set_id = (char *)gstr_str(&p);
        }
    }
    c.nvars = 0;
    auth_set_vars(&c);
    if (rc != AUTH_OK && set_id != NULL && *set_id != '\0')
        set_id_note = arena_printf(s->msg_arena, " (set_id=%s)", set_id);
    if (rc == AUTH_OK && g->server_set_id != NULL && set_id == NULL) {
        /* Authenticated, but the id could not be had: a deferral. */
        rc = AUTH_DEFER;
        gstr_truncate(&c.defer_msg, 0);
        gstr_adds(&c.defer_msg, gstr_str(&experr));
    }
    switch (rc) {
    case AUTH_OK:
        s->authenticated_id = set_id;
        s->tainted |= SESS_TAINT_AUTH_ID; /* as Exim's, whatever it holds */
        s->authenticated_by = arena_strdup(s->conn_arena, d->name);
        s->auth_pubname = arena_strdup(s->conn_arena, auth_public_name(d));
        authres_set_auth_mechanism(s->auth_pubname);
        expand_set_var(&s->x, "authentication_failed", "0");
        expand_set_var(&s->x, "authenticated_fail_id", NULL);
        smtp_set_host_vars(s);
        resp = errmsg = "235 Authentication succeeded";
        break;
    case AUTH_DEFER:
        if (set_id != NULL)
            expand_set_var(&s->x, "authenticated_fail_id", set_id);
        resp = arena_printf(s->msg_arena,
                            "435 Unable to authenticate at "
                            "present%s",
                            gstr_str(&c.defer_user_msg));
        errmsg = arena_printf(
            s->msg_arena, "435 Unable to authenticate at present%s: %s",
            set_id_note,
            c.defer_msg.len ? gstr_str(&c.defer_msg) : "reason not recorded");
        break;
    case AUTH_BAD64:
        resp = errmsg = "501 Invalid base64 data";
        break;
    case AUTH_CANCELLED:
        resp = errmsg = "501 Authentication cancelled";
        break;
    case AUTH_UNEXPECTED:
        resp = errmsg = "553 Initial data not expected";
        break;
    case AUTH_FAIL:
        if (set_id != NULL)
            expand_set_var(&s->x, "authenticated_fail_id", set_id);
        resp = "535 Incorrect authentication data";
        errmsg = arena_printf(
            s->msg_arena, "535 Incorrect authentication data%s", set_id_note);
        break;
    default:
        resp = "435 Internal error";
        errmsg = arena_printf(s->msg_arena,
                              "435 Internal error%s: return %d from "
                              "authentication check",
                              set_id_note, rc);
        break;
    }
    smtp_reply(s, atoi(resp), resp + 4);
    if (rc != AUTH_OK)
        log_write(LOG_MAIN | LOG_REJECT, "%s authenticator failed for %s: %s",
                  d->name, smtp_host_and_ident(s, 1), errmsg);
    return 0;
}

int
smtp_cmd_auth(struct smtp_session *s, char *arg)
{
    char *user_msg = NULL, *mech, *p;
    struct driver_instance *d;
    int r;

    expand_set_var(&s->x, "authentication_failed", "1");
    if (!s->auth_advertised && !allow_unadvertised(s))
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "AUTH command used when not advertised");
    if (s->authenticated_by != NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "already authenticated");
    if (s->txn.sender != NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "not permitted in mail transaction");
    expand_set_var(&s->x, "smtp_command_argument", arg);
    if (main_config.acl_smtp_auth != NULL) {
        r = smtp_acl_stage(s, ACL_WHERE_AUTH, main_config.acl_smtp_auth, NULL,
                           arg, &user_msg);
        if (r < 0)
            return 1;
        if (r == 0)
            return 0;
    }
    mech = arg;
    for (p = arg; *p != '\0' && !isspace((unsigned char)*p); p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                      "invalid character in authentication "
                                      "mechanism name");
    if (*p != '\0') {
        *p++ = '\0';
        while (isspace((unsigned char)*p))
            p++;
    }
    d = find_mechanism(s, mech);
    if (d == NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 504, NULL,
                                  arena_printf(s->msg_arena,
                                               "%s authentication mechanism "
                                               "not supported",
                                               mech));
    return run_auth(s, d, p);
}

char *
smtp_auth_mail_param(struct smtp_session *s, const char *raw,
                     const char *decoded)
{
    const char *why = "client not authenticated";
    struct driver_instance *d = NULL;

    if (s->authenticated_by != NULL && config != NULL)
        d = driver_instance_find(config->auths, s->authenticated_by);
    if (s->authenticated_by != NULL) {
        const struct auth_generic *g = d ? d->generic : NULL;
        int truth = 1;
        gstr err;

        expand_set_var(&s->x, "authenticated_sender", decoded);
        gstr_init(&err, s->msg_arena);
        if (g == NULL || g->server_mail_auth_condition == NULL ||
            (expand_condition(&s->x, g->server_mail_auth_condition, &truth,
                              &err) == EXPAND_OK &&
             truth))
            return arena_strdup(s->msg_arena, decoded);
        expand_set_var(&s->x, "authenticated_sender", NULL);
        why = s->authenticated_id != NULL
                  ? arena_printf(s->msg_arena,
                                 "server_mail_auth_condition failed: "
                                 "authenticated ID=\"%s\"",
                                 s->authenticated_id)
                  : "server_mail_auth_condition failed";
    }
    log_write(LOG_MAIN, "ignoring AUTH=%s from %s (%s)", raw,
              smtp_host_and_ident(s, 1), why);
    return NULL;
}
