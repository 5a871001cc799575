/*++
 * NAME
 *	mail 3
 * SUMMARY
 *	MAIL and RCPT
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	int	smtp_cmd_mail(struct smtp_session *s, char *arg)
 *	int	smtp_cmd_rcpt(struct smtp_session *s, char *arg)
 *	void	smtp_txn_reset(struct smtp_session *s)
 * DESCRIPTION
 *	MAIL starts a transaction: it takes the sender and, after EHLO, the
 *	ESMTP parameters SIZE, BODY, and (when DSN was advertised) RET and
 *	ENVID, then runs acl_smtp_mail. RCPT adds a recipient, with NOTIFY
 *	and ORCPT when DSN was advertised, after acl_smtp_rcpt accepts
 *	it.
 *
 *	As in Exim, an unknown parameter is not refused as such: it is
 *	left as part of the address, which then fails to parse, and the
 *	client hears why. An address without a domain is qualified with
 *	qualify_domain (qualify_recipient for recipients) when the client
 *	matches sender_unqualified_hosts (recipient_unqualified_hosts);
 *	otherwise it is refused. A local caller (-bs) may always send
 *	unqualified addresses.
 *
 *	Rewrite rules with the S flag (src/rewrite/) apply to the data of
 *	MAIL and RCPT, parameters taken off, before it is parsed: their
 *	result replaces it. The other rules apply at reception.
 *
 *	The number of messages in one connection is limited by
 *	smtp_accept_max_per_connection, of recipients in one message by
 *	recipients_max, and a SIZE= over message_size_limit is refused at
 *	once. MAIL is refused with 452 when the spool or log partition is
 *	short of room (receive_check_fs(), with the SIZE= under
 *	smtp_check_spool_space).
 * DIAGNOSTICS
 *	Replies and log lines as Exim gives them; see the scenarios in
 *	scenarios/smtp/.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/xtext.h"
#include "conf/mainopts.h"
#include "conf/opt.h"
#include "log/log.h"
#include "receive/fscheck.h"
#include "rewrite/rewrite.h"
#include "smtp/address.h"
#include "smtp/smtp_int.h"

/* DSN NOTIFY flags, as the spool's recipient lines store them. */
#define DSN_NEVER   0x02
#define DSN_SUCCESS 0x04
#define DSN_FAILURE 0x08
#define DSN_DELAY   0x10

/* $acl_m* belong to one message. */
static void
clear_acl_m(struct smtp_session *s)
{
    for (struct expand_kv *kv = s->x.acl_vars; kv != NULL; kv = kv->next)
        if (strncmp(kv->name, "acl_m", 5) == 0 && kv->value != NULL)
            expand_set_acl_var(&s->x, kv->name, NULL);
}

void
smtp_txn_reset(struct smtp_session *s)
{
    smtp_bdat_abort(s);
    memset(&s->txn, 0, sizeof(s->txn));
    s->x.recipients = NULL;
    arena_reset(s->msg_arena);
    expand_set_var(&s->x, "sender_address", NULL);
    expand_set_var(&s->x, "sender_address_domain", NULL);
    expand_set_var(&s->x, "sender_address_local_part", NULL);
    expand_set_var(&s->x, "domain", NULL);
    expand_set_var(&s->x, "local_part", NULL);
    expand_set_var(&s->x, "rcpt_count", "0");
    clear_acl_m(s);
    if (s->acl.conn_arena != NULL)
        acl_state_new_message(&s->acl);
}

static long
expanded_number(struct smtp_session *s, const char *option, const char *text)
{
    char *v;
    long long n;
    gstr err;

    gstr_init(&err, s->msg_arena);
    if (text == NULL)
        return 0;
    if (expand_string(&s->x, text, &v, &err) != EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC, "failed to expand %s \"%s\": %s",
                  option, text, gstr_str(&err));
        return -1;
    }
    if (opt_parse_int(v, &n) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "invalid %s: \"%s\"", option, v);
        return -1;
    }
    return (long)n;
}

/* Splits "NAME=value" off the end of rest; 0 when there is none. */
static int
next_param(char **rest, char **name, char **value)
{
    char *p = *rest, *end;

    while (*p == ' ')
        p++;
    if (*p == '\0')
        return 0;
    end = p;
    while (*end != '\0' && *end != ' ')
        end++;
    if (*end != '\0')
        *end++ = '\0';
    *rest = end;
    *name = p;
    *value = strchr(p, '=');
    if (*value != NULL)
        *(*value)++ = '\0';
    return 1;
}

/* Handles one MAIL parameter; 0 done, 1 unknown, -1 refused (replied). */
static int
mail_param(struct smtp_session *s, char *name, char *value, int *stop)
{
    struct smtp_txn *t = &s->txn;
    gstr g;

    *stop = 0;
    if (strcasecmp(name, "SIZE") == 0 && value != NULL) {
        char *end;
        t->size = strtol(value, &end, 10);
        if (*end != '\0' || t->size < 0)
            t->size = 0; /* Exim ignores a size it cannot read */
        return 0;
    }
    if (strcasecmp(name, "BODY") == 0 && value != NULL) {
        if (strcasecmp(value, "8BITMIME") == 0 && main_config.accept_8bitmime) {
            t->body_8bit = 1;
            return 0;
        }
        if (strcasecmp(value, "7BIT") == 0)
            return 0;
        *stop = smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                   "invalid data for BODY");
        return -1;
    }
    if (s->dsn_advertised && strcasecmp(name, "RET") == 0 && value != NULL) {
        const char *bad = NULL;
        if (t->dsn_ret != 0)
            bad = "RET can be specified once only";
        else if (strcasecmp(value, "FULL") == 0)
            t->dsn_ret = 1;
        else if (strcasecmp(value, "HDRS") == 0)
            t->dsn_ret = 2;
        else
            bad = "Value for RET is invalid";
        if (bad == NULL)
            return 0;
        *stop = smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL, bad);
        return -1;
    }
    if (s->dsn_advertised && strcasecmp(name, "ENVID") == 0 && value) {
        if (t->dsn_envid != NULL) {
            *stop = smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                       "ENVID can be specified once only");
            return -1;
        }
        gstr_init(&g, s->msg_arena);
        if (xtext_decode(&g, value, strlen(value)) < 0) {
            *stop = smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                       "invalid data for ENVID");
            return -1;
        }
        t->dsn_envid = arena_strdup(s->msg_arena, value);
        return 0;
    }
    if (s->auth_advertised && strcasecmp(name, "AUTH") == 0 && value) {
        gstr_init(&g, s->msg_arena);
        if (xtext_decode(&g, value, strlen(value)) < 0) {
            *stop = smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                       "invalid data for AUTH");
            return -1;
        }
        if (strcmp(value, "<>") != 0)
            t->auth_sender = smtp_auth_mail_param(s, value, gstr_str(&g));
        return 0;
    }
    return 1;
}

/* Takes the known parameters off the end of the argument, as Exim does:
 * what is left over belongs to the address. Returns -1 if refused. */
static int
split_params(struct smtp_session *s, char *arg, int is_mail, int *stop)
{
    *stop = 0;
    if (!s->esmtp)
        return 0;
    for (;;) {
        char *sp = strrchr(arg, ' ');
        char *param = sp ? sp + 1 : NULL, *name, *value, *rest;
        int r;

        if (param == NULL || *param == '\0' || sp == arg)
            return 0;
        rest = param;
        next_param(&rest, &name, &value);
        r = is_mail ? mail_param(s, name, value, stop)
                    : -2; /* RCPT parameters are handled by the caller */
        if (r == -2)
            return 0;
        if (r < 0)
            return -1;
        if (r == 1) { /* unknown: restore, leave it to the address */
            if (value != NULL)
                value[-1] = '=';
            return 0;
        }
        while (sp > arg && sp[-1] == ' ')
            sp--;
        *sp = '\0';
    }
}

/* Parses a path that must take the whole argument (parameters already
 * removed): anything left over is reported as Exim reports it. */
static int
parse_whole_path(struct smtp_session *s, char *arg, int allow_null,
                 struct smtp_path *path, gstr *err)
{
    if (smtp_parse_path(s->msg_arena, arg, allow_null, path, err) < 0)
        return -1;
    /* Exim refuses an address literal unless allow_domain_literals */
    const char *at = strrchr(path->address, '@');
    if (path->has_domain && at != NULL && at[1] == '[' &&
        !main_config.allow_domain_literals) {
        gstr_adds(err, "domain literals not allowed");
        return -1;
    }
    if (*path->rest == '\0')
        return 0;
    gstr_printf(err, "malformed address: %s may not follow %.*s", path->rest,
                (int)(strlen(arg) - strlen(path->rest)), arg);
    return -1;
}

/* The S rewrite rules, applied to the data of MAIL or RCPT (its
 * parameters taken off) before anything else looks at it, as Exim. */
static char *
smtp_time_rewrite(struct smtp_session *s, char *arg)
{
    const struct rewrite_rules *rr = rewrite_global();
    const char *new;

    if (!(rr->existflags & RW_SMTP))
        return arg;
    new = rewrite_one(&s->x, rr, arg, RW_SMTP, NULL);
    return new == arg ? arg : arena_strdup(s->msg_arena, new);
}

static char *
qualify(struct smtp_session *s, const char *addr, const char *domain)
{
    return arena_printf(s->msg_arena, "%s@%s", addr, domain);
}

static void
set_sender_vars(struct smtp_session *s)
{
    const char *at = strrchr(s->txn.sender, '@');

    expand_set_var(&s->x, "sender_address", s->txn.sender);
    expand_set_var(&s->x, "sender_address_domain", at ? at + 1 : "");
    expand_set_var(&s->x, "sender_address_local_part",
                   at ? arena_strndup(s->msg_arena, s->txn.sender,
                                      (size_t)(at - s->txn.sender))
                      : s->txn.sender);
}

/* smtp_accept_max_per_connection, expanded at each use as Exim does at
 * each EHLO and MAIL; 0 (or a failed expansion) is no limit. */
long
smtp_mailmax(struct smtp_session *s)
{
    long n = expanded_number(s, "smtp_accept_max_per_connection",
                             main_config.smtp_accept_max_per_connection);

    return n > 0 ? n : 0;
}

/* recipients_max, expanded once per connection (Exim 4.98 and later). */
long
smtp_rcptmax(struct smtp_session *s)
{
    if (s->rcpt_max < 0) {
        long n =
            expanded_number(s, "recipients_max", main_config.recipients_max);
        s->rcpt_max = n > 0 ? n : 0;
    }
    return s->rcpt_max;
}

/* Every MAIL command, accepted or not, and every XCLIENT counts towards
 * the limit; past it MAIL is refused, and the connection stays open, as
 * in Exim. */
static int
mail_limits(struct smtp_session *s)
{
    long max = smtp_mailmax(s);

    if (max > 0 && s->mail_commands > max) {
        log_write(LOG_MAIN | LOG_REJECT,
                  "rejected MAIL command %s: too many messages in one "
                  "connection",
                  smtp_host_and_ident(s, 1));
        smtp_reply(s, 421, "too many messages in this connection");
        return 1;
    }
    return 0;
}

int
smtp_cmd_mail(struct smtp_session *s, char *arg)
{
    struct smtp_path path;
    char *user_msg = NULL;
    long limit;
    int stop, r;
    gstr err;

    s->mail_commands++;
    /* After XCLIENT, for a client in helo_verify_hosts, or under Exim's
     * hosts_require_helo (default "*", which matches a -bs session too):
     * logged, and counted as a protocol error, as in Exim. */
    if (!s->helo_seen && (s->proxy_session || s->helo_verify_required ||
                          smtp_host_in_opt(s, hosts_require_helo))) {
        log_write(LOG_MAIN | LOG_REJECT,
                  "rejected MAIL from %s: no HELO/EHLO given",
                  smtp_host_and_ident(s, 0));
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "HELO or EHLO required");
    }
    if (s->txn.sender != NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "sender already given");
    if (*arg == '\0')
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 501, NULL,
                                  "MAIL must have an address operand");
    if (mail_limits(s))
        return 0;
    smtp_txn_reset(s);
    arg = arena_strdup(s->msg_arena, arg);
    char *shown = arena_strdup(s->msg_arena, arg);
    if (split_params(s, arg, 1, &stop) < 0) {
        smtp_txn_reset(s);
        return stop;
    }
    gstr_init(&err, s->msg_arena);
    arg = smtp_time_rewrite(s, arg);
    if (parse_whole_path(s, arg, 1, &path, &err) < 0) {
        /* shown and err live in the message arena: reply, then reset */
        int stop_now =
            smtp_synprot_error(s, SYNPROT_SYNTAX, 501, shown, gstr_str(&err));
        smtp_txn_reset(s);
        return stop_now;
    }
    limit = expanded_number(s, "message_size_limit",
                            main_config.message_size_limit);
    if (limit > 0 && s->txn.size > limit) {
        log_write(LOG_MAIN | LOG_REJECT | LOG_SEL(LS_size_reject),
                  "rejected MAIL FROM:<%s> %s: message too big: "
                  "size=%ld max=%ld",
                  path.address, smtp_host_and_ident(s, 1), s->txn.size, limit);
        smtp_txn_reset(s);
        smtp_reply(s, 552, "Message size exceeds maximum permitted");
        return 0;
    }
    /* as Exim, with 5000 bytes for what reception adds (the Received:
     * header, the recipients); without SIZE only the configured room */
    if (receive_check_fs(main_config.smtp_check_spool_space && s->txn.size > 0
                             ? s->txn.size + 5000
                             : 0) < 0) {
        smtp_txn_reset(s);
        smtp_reply(s, 452, "Space shortage, please try later");
        return 0;
    }
    if (*path.address != '\0' && !path.has_domain) {
        if (s->mode != SMTP_MODE_BS && !s->sender_unqualified_ok) {
            smtp_replyf(s, 501, "%s: sender address must contain a domain",
                        shown);
            log_write(LOG_MAIN | LOG_REJECT | LOG_SEL(LS_smtp_syntax_error),
                      "unqualified sender rejected: <%s> %s", path.address,
                      smtp_host_and_ident(s, 1));
            smtp_txn_reset(s);
            return 0;
        }
        path.address = qualify(s, path.address, main_config.qualify_domain);
    }
    s->txn.sender = path.address;
    set_sender_vars(s);
    r = smtp_acl_stage(s, ACL_WHERE_MAIL, main_config.acl_smtp_mail, NULL,
                       shown, &user_msg);
    if (r <= 0) {
        smtp_txn_reset(s);
        return r < 0;
    }
    smtp_reply_user(s, 250, user_msg ? user_msg : "OK");
    return 0;
}

/* NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY. */
static int
parse_notify(const char *v, unsigned *flags)
{
    char buf[64];
    char *tok, *save;

    if (strlen(v) >= sizeof(buf))
        return -1;
    memcpy(buf, v, strlen(v) + 1);
    *flags = 0;
    for (tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (strcasecmp(tok, "NEVER") == 0)
            *flags |= DSN_NEVER;
        else if (strcasecmp(tok, "SUCCESS") == 0)
            *flags |= DSN_SUCCESS;
        else if (strcasecmp(tok, "FAILURE") == 0)
            *flags |= DSN_FAILURE;
        else if (strcasecmp(tok, "DELAY") == 0)
            *flags |= DSN_DELAY;
        else
            return -1;
    }
    if ((*flags & DSN_NEVER) && *flags != DSN_NEVER)
        return -1;
    return *flags ? 0 : -1;
}

/* RCPT's DSN parameters; leaves unknown ones to the address. */
static int
rcpt_params(struct smtp_session *s, char *arg, struct smtp_rcpt *r)
{
    if (!s->esmtp || !s->dsn_advertised)
        return 0;
    for (;;) {
        char *sp = strrchr(arg, ' ');
        char *name, *value, *rest;

        if (sp == NULL || sp[1] == '\0')
            return 0;
        rest = sp + 1;
        next_param(&rest, &name, &value);
        if (value != NULL && strcasecmp(name, "NOTIFY") == 0) {
            if (r->notify != 0)
                return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                          "NOTIFY can be specified once only")
                           ? -2
                           : -1;
            if (parse_notify(value, &r->notify) < 0)
                return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                          "Invalid value for NOTIFY "
                                          "parameter")
                           ? -2
                           : -1;
        } else if (value != NULL && strcasecmp(name, "ORCPT") == 0) {
            if (r->orcpt != NULL)
                return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                          "ORCPT can be specified once only")
                           ? -2
                           : -1;
            r->orcpt = arena_strdup(s->msg_arena, value);
        } else {
            if (value != NULL)
                value[-1] = '=';
            return 0;
        }
        while (sp > arg && sp[-1] == ' ')
            sp--;
        *sp = '\0';
    }
}

/* $recipients and $recipients_count follow the accepted recipients
 * (verify = not_blind reads them too). */
static void
set_recipients(struct smtp_session *s)
{
    const char **v =
        arena_alloc(s->msg_arena, (s->txn.nrcpts + 1) * sizeof(*v));

    for (size_t i = 0; i < s->txn.nrcpts; i++)
        v[i] = s->txn.rcpts[i].address;
    s->x.recipients = v;
}

static void
add_rcpt(struct smtp_session *s, const struct smtp_rcpt *r)
{
    struct smtp_txn *t = &s->txn;

    if (t->nrcpts == t->rcpts_cap) {
        size_t cap = t->rcpts_cap ? t->rcpts_cap * 2 : 8;
        t->rcpts = arena_realloc(s->msg_arena, t->rcpts,
                                 t->rcpts_cap * sizeof(*t->rcpts),
                                 cap * sizeof(*t->rcpts));
        t->rcpts_cap = cap;
    }
    t->rcpts[t->nrcpts++] = *r;
    set_recipients(s);
}

static void
set_rcpt_vars(struct smtp_session *s, const char *addr)
{
    const char *at = strrchr(addr, '@');

    expand_set_var(&s->x, "local_part",
                   at ? arena_strndup(s->msg_arena, addr, (size_t)(at - addr))
                      : addr);
    expand_set_var(&s->x, "domain", at ? at + 1 : "");
}

int
smtp_cmd_rcpt(struct smtp_session *s, char *arg)
{
    struct smtp_rcpt rcpt;
    struct smtp_path path;
    char *user_msg = NULL, *shown;
    int r;
    gstr err;

    s->txn.rcpt_in_progress = 1;
    if (s->txn.sender == NULL)
        return smtp_synprot_error(s, SYNPROT_PROTOCOL, 503, NULL,
                                  "sender not yet given");
    if (*arg == '\0') {
        s->txn.rcpt_fail_count++;
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                  "RCPT must have an address operand");
    }
    memset(&rcpt, 0, sizeof(rcpt));
    arg = arena_strdup(s->msg_arena, arg);
    shown = arena_strdup(s->msg_arena, arg);
    r = rcpt_params(s, arg, &rcpt);
    if (r < 0)
        return r == -2;
    gstr_init(&err, s->msg_arena);
    arg = smtp_time_rewrite(s, arg);
    if (parse_whole_path(s, arg, 0, &path, &err) < 0) {
        s->txn.rcpt_fail_count++;
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, shown,
                                  gstr_str(&err));
    }
    if (!path.has_domain) {
        /* RFC 5321 4.5.1: <postmaster> without a domain is always taken
         * (and qualified), as Exim does. */
        if (s->mode != SMTP_MODE_BS &&
            strcasecmp(path.address, "postmaster") != 0 &&
            !s->recipient_unqualified_ok) {
            smtp_replyf(s, 501, "%s: recipient address must contain a domain",
                        shown);
            log_write(LOG_MAIN | LOG_REJECT | LOG_SEL(LS_smtp_syntax_error),
                      "unqualified recipient rejected: <%s> %s", path.address,
                      smtp_host_and_ident(s, 1));
            s->txn.rcpt_fail_count++;
            return 0;
        }
        path.address = qualify(s, path.address, main_config.qualify_recipient);
    }
    if (smtp_rcptmax(s) > 0 && s->txn.nrcpts >= (size_t)smtp_rcptmax(s)) {
        int reject = main_config.recipients_max_reject;

        if (reject)
            s->txn.rcpt_fail_count++;
        else
            s->txn.rcpt_defer_count++;
        smtp_reply(s, reject ? 552 : 452, "too many recipients");
        if (!s->txn.too_many_logged)
            log_write(LOG_MAIN | LOG_REJECT,
                      "too many recipients: %s: sender=<%s> %s",
                      reject ? "message rejected"
                             : "excess temporarily rejected",
                      s->txn.sender, smtp_host_and_ident(s, 1));
        s->txn.too_many_logged = 1;
        return 0;
    }
    rcpt.address = path.address;
    set_rcpt_vars(s, rcpt.address);
    expand_set_var(
        &s->x, "rcpt_count",
        arena_printf(s->msg_arena, "%zu",
                     s->txn.nrcpts + 1 + (size_t)s->txn.rcpt_fail_count));
    r = smtp_acl_stage(s, ACL_WHERE_RCPT, main_config.acl_smtp_rcpt,
                       rcpt.address, shown, &user_msg);
    if (r < 0)
        return 1;
    if (r == 0) {
        s->txn.rcpt_fail_count++;
        return 0;
    }
    if (r != 2) /* 2: discarded, answered as accepted */
        add_rcpt(s, &rcpt);
    smtp_reply_user(s, 250, user_msg ? user_msg : "Accepted");
    smtp_data_prepare(s);
    return 0;
}
