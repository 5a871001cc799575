/*++
 * NAME
 *	hello 3
 * SUMMARY
 *	HELO and EHLO
 * SYNOPSIS
 *	#include "smtp/smtp_int.h"
 *
 *	int	smtp_cmd_helo(struct smtp_session *s, char *arg)
 *	int	smtp_cmd_ehlo(struct smtp_session *s, char *arg)
 *	void	smtp_ehlo_register(struct ehlo_keyword *k)
 * DESCRIPTION
 *	HELO and EHLO check the client's name (letters, digits, dots and
 *	hyphens, or an address literal; helo_allow_chars adds characters
 *	and helo_accept_junk_hosts lifts the check), run acl_smtp_helo,
 *	end any transaction in progress, and greet: "250 HOST Hello NAME
 *	[IP]". EHLO then lists the extensions in Exim's order: SIZE,
 *	8BITMIME, DSN, ETRN, VRFY, EXPN, PIPELINING, CHUNKING, HELP, each
 *	when its option says so for this client, with the keywords that
 *	features register (smtp_ehlo_register) at their places.
 * DIAGNOSTICS
 *	"501 Syntactically invalid EHLO argument(s)" and the reject log
 *	line "rejected EHLO from H: syntactically invalid argument(s):
 *	NAME".
 *--*/

#include <ctype.h>
#include <string.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "conf/mainopts.h"
#include "expand/ip.h"
#include "expand/match.h"
#include "log/log.h"
#include "smtp/ehlo.h"
#include "smtp/smtp_int.h"

static struct ehlo_keyword *ehlo_keywords;

void
smtp_ehlo_register(struct ehlo_keyword *k)
{
    struct ehlo_keyword **p = &ehlo_keywords;

    while (*p != NULL)
        p = &(*p)->next;
    k->next = NULL;
    *p = k;
}

/* Does the client match a host list option? Unset matches nobody. */
int
smtp_host_in_named(struct smtp_session *s, const char *list, const char *option)
{
    gstr err;
    int r;

    gstr_init(&err, s->msg_arena);
    r = match_host_traced(&s->x, s->host_address, s->host_name, list, option,
                          &err);
    if (r == MATCH_ERROR)
        log_write(LOG_MAIN | LOG_PANIC, "error in host list \"%s\": %s", list,
                  gstr_str(&err));
    return r == MATCH_OK;
}

static int
helo_literal_ok(const char *name)
{
    size_t n = strlen(name);
    char ip[64];
    unsigned char a[16];
    int family;
    const char *p = name + 1;

    if (n < 3 || name[n - 1] != ']')
        return 0;
    if (strncmp(p, "IPv6:", 5) == 0 || strncmp(p, "IPv4:", 5) == 0)
        p += 5;
    if ((size_t)(name + n - 1 - p) >= sizeof(ip))
        return 0;
    memcpy(ip, p, (size_t)(name + n - 1 - p));
    ip[name + n - 1 - p] = '\0';
    return ip_parse(ip, a, &family) == 1;
}

static int
helo_syntax_ok(struct smtp_session *s, const char *name)
{
    const char *extra = main_config.helo_allow_chars;

    if (*name == '\0')
        return 0;
    if (s->helo_accept_junk)
        return 1;
    if (name[0] == '[')
        return helo_literal_ok(name);
    for (const char *p = name; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' &&
            (extra == NULL || strchr(extra, *p) == NULL))
            return 0;
    return 1;
}

static void
ehlo_extensions(struct smtp_session *s, gstr *g, enum ehlo_slot slot)
{
    for (struct ehlo_keyword *k = ehlo_keywords; k != NULL; k = k->next) {
        if (k->slot != slot)
            continue;
        gstr_adds(g, "\n");
        size_t before = g->len;
        if (!k->advertise(s, g))
            gstr_truncate(g, before - 1);
    }
}

static long
size_limit(struct smtp_session *s)
{
    char *v;
    long long n;
    gstr err;

    gstr_init(&err, s->msg_arena);
    if (expand_string(&s->x, main_config.message_size_limit, &v, &err) !=
            EXPAND_OK ||
        opt_parse_int(v, &n) < 0)
        return 0;
    return (long)n;
}

static void
ehlo_keywords_list(struct smtp_session *s, gstr *g)
{
    long size = size_limit(s);

    if (size > 0)
        gstr_printf(g, "\nSIZE %ld", size);
    else
        gstr_adds(g, "\nSIZE");
    ehlo_extensions(s, g, EHLO_AFTER_SIZE);
    if (main_config.accept_8bitmime)
        gstr_adds(g, "\n8BITMIME");
    s->dsn_advertised = smtp_host_in_opt(s, dsn_advertise_hosts);
    if (s->dsn_advertised)
        gstr_adds(g, "\nDSN");
    if (main_config.acl_smtp_etrn != NULL)
        gstr_adds(g, "\nETRN");
    if (main_config.acl_smtp_vrfy != NULL)
        gstr_adds(g, "\nVRFY");
    if (main_config.acl_smtp_expn != NULL)
        gstr_adds(g, "\nEXPN");
    s->pipelining_advertised = smtp_host_in_opt(s, pipelining_advertise_hosts);
    if (s->pipelining_advertised)
        gstr_adds(g, "\nPIPELINING");
    ehlo_extensions(s, g, EHLO_AFTER_PIPELINING);
    s->chunking_advertised = smtp_host_in_opt(s, chunking_advertise_hosts);
    if (s->chunking_advertised)
        gstr_adds(g, "\nCHUNKING");
    ehlo_extensions(s, g, EHLO_AFTER_CHUNKING);
    /* WELLKNOWN is not offered: the list is unset (it shows in -bh) */
    smtp_host_in_named(s, NULL, "wellknown_advertise_hosts");
    if (main_config.prdr_enable)
        gstr_adds(g, "\nPRDR");
    ehlo_extensions(s, g, EHLO_BEFORE_HELP);
    gstr_adds(g, "\nHELP");
}

/* helo_verify_hosts: a name that does not fit the client is refused
 * (not counted as a protocol error, as in Exim); helo_try_verify_hosts
 * only checks it. 0 when refused. */
static int
helo_verified(struct smtp_session *s, const char *cmd)
{
    int required = s->helo_verify_required, v;

    if (!required && !s->helo_try_verify)
        return 1;
    v = smtp_helo_verify(s);
    if (v == 1 || !required)
        return 1;
    smtp_replyf(s, v < 0 ? 451 : 550, "%s argument does not match calling host",
                cmd);
    log_write(LOG_MAIN | LOG_REJECT, "%srejected \"%s %s\" from %s",
              v < 0 ? "temporarily " : "", cmd, s->helo_name,
              smtp_host_and_ident(s, 0));
    return 0;
}

static int
hello(struct smtp_session *s, char *arg, int esmtp)
{
    const char *cmd = esmtp ? "EHLO" : "HELO";
    char *user_msg = NULL, *name = arg;
    char *old_helo = s->helo_name;
    int old_esmtp = s->esmtp, r;
    gstr g;

    /* Only the first word counts, as in Exim. */
    for (char *p = name; *p != '\0'; p++)
        if (*p == ' ' || *p == '\t') {
            *p = '\0';
            break;
        }
    if (!helo_syntax_ok(s, name)) {
        log_write(LOG_MAIN | LOG_REJECT,
                  "rejected %s from %s: syntactically invalid argument(s): "
                  "%s",
                  cmd, smtp_host_and_ident(s, 0),
                  *name ? name : "(no argument given)");
        /* As Exim: counted as a syntax error, but with no "SMTP syntax
         * error" line; past the limit the session just ends. */
        smtp_replyf(s, 501, "Syntactically invalid %s argument(s)", cmd);
        if (++s->synprot_errors > main_config.smtp_max_synprot_errors) {
            log_write(LOG_MAIN | LOG_REJECT,
                      "SMTP call from %s dropped: too many syntax or "
                      "protocol errors (last command was \"%s\",  C=%s)",
                      smtp_host_and_ident(s, 0), gstr_str(&s->cmd),
                      gstr_str(&s->history));
            smtp_io_flush(&s->io);
            s->done = 1;
            return 1;
        }
        return 0;
    }
    /* Kept printable: under helo_accept_junk_hosts it may hold anything,
     * and it goes into Received: headers and log lines. */
    s->helo_name =
        arena_strdup(s->conn_arena, str_printing_dup(s->msg_arena, name));
    /* A client that greets with this server's own name gets its real
     * name looked up, so that the log does not mislead. */
    smtp_host_lookup_for_helo(s, s->helo_name);
    s->esmtp = esmtp;
    smtp_set_host_vars(s);
    /* Refused, the name is kept (it shows in later log lines), as in
     * Exim; the session still has no greeting. */
    if (!helo_verified(s, cmd))
        return 0;
    r = smtp_acl_stage(s, ACL_WHERE_HELO, main_config.acl_smtp_helo, NULL, name,
                       &user_msg);
    if (r <= 0) {
        s->helo_name = old_helo;
        s->esmtp = old_esmtp;
        smtp_set_host_vars(s);
        return r < 0;
    }
    smtp_txn_reset(s);
    s->helo_seen = 1;
    gstr_init(&g, s->msg_arena);
    if (user_msg != NULL) {
        char *nl = strpbrk(user_msg, "\r\n");
        if (nl != NULL)
            *nl = '\0';
        gstr_adds(&g, user_msg);
    } else {
        gstr_printf(&g, "%s Hello %s%s%s", s->active_hostname,
                    s->ident ? s->ident : "", s->ident ? " at " : "",
                    s->host_name ? s->host_name : s->helo_name);
        if (s->host_address != NULL)
            gstr_printf(&g, " [%s]", s->host_address);
    }
    s->pipelining_advertised = 0;
    s->auth_advertised = 0;
    s->tls_advertised = 0;
    if (esmtp)
        ehlo_keywords_list(s, &g);
    smtp_reply_user(s, 250, gstr_str(&g));
    return 0;
}

int
smtp_cmd_helo(struct smtp_session *s, char *arg)
{
    return hello(s, arg, 0);
}

int
smtp_cmd_ehlo(struct smtp_session *s, char *arg)
{
    return hello(s, arg, 1);
}
