/*++
 * NAME
 *	acl_conds 3
 * SUMMARY
 *	the table of ACL conditions and modifiers
 * SYNOPSIS
 *	#include "acl/acl_int.h"
 *
 *	const struct acl_cond_def *acl_cond_find(const char *name)
 *	int	acl_register_condition(const struct acl_cond_def *def)
 *	const struct acl_verify_def *acl_verify_find(const char *name)
 *	int	acl_register_verify(const struct acl_verify_def *def)
 * DESCRIPTION
 *	Each condition and modifier is one row: its name, whether it is a
 *	modifier, whether its argument is expanded before it runs (the
 *	list conditions expand their list themselves, so that a forced
 *	failure means "not in the list"), the ACLs it is forbidden in (as
 *	Exim forbids them), an optional start-up check of a constant
 *	argument, and the function that evaluates it. Features add rows
 *	with acl_register_condition(); "verify =" types are a second
 *	table, extended with acl_register_verify().
 *
 *	Conditions read the connection and message from expansion
 *	variables: $domain, $local_part, $sender_address,
 *	$sender_host_address, $sender_host_name, $sender_host_authenticated
 *	(the authenticator's name), $tls_in_cipher, ...; st->recipient is
 *	the RCPT address.
 * DIAGNOSTICS
 *	Conditions return ACL_DEFER for lookups that could not complete
 *	and ACL_ERROR for mistakes in the ACL (bad time values, unknown
 *	verify types, unsupported conditions), with Exim's wording in
 *	c->log_msg.
 *--*/

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "acl/acl_int.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"

#define B(w)         ACL_BIT(ACL_WHERE_##w)
#define PERMITTED(m) (ACL_BITS_ALL & ~(unsigned)(m))
#define MSG_ACLS                                                               \
    (B(MAIL) | B(RCPT) | B(PREDATA) | B(DKIM) | B(DATA) | B(NOT_SMTP) |        \
     B(NOT_SMTP_START))
#define NO_SENDER_ACLS                                                         \
    (B(AUTH) | B(CONNECT) | B(HELO) | B(MAILAUTH) | B(QUIT) | B(ETRN) |        \
     B(EXPN) | B(STARTTLS) | B(VRFY))

#define MAX_EXTRA 32

int (*acl_verify_address_hook)(struct acl_call *c, int is_sender,
                               const char *address, const char *options);
int (*acl_verify_helo_hook)(struct acl_call *c);

static const char *
var(struct acl_call *c, const char *name)
{
    const char *v = expand_get_var(c->x, name);
    return v ? v : "";
}

static int
from_match(struct acl_call *c, int rc, gstr *err)
{
    switch (rc) {
    case MATCH_OK:
        return ACL_OK;
    case MATCH_FAIL:
        return ACL_FAIL;
    case MATCH_DEFER:
        c->log_msg = gstr_str(err);
        return ACL_DEFER;
    default:
        c->log_msg = gstr_str(err);
        return ACL_ERROR;
    }
}

/* A list is expanded before it is matched; a forced failure means the
 * subject is not in it. Returns 1 with *out, or an acl_rc to return. */
static int
expand_list(struct acl_call *c, const char *list, char **out, int *rc)
{
    gstr err;
    int r;

    gstr_init(&err, c->x->arena);
    r = expand_string(c->x, list, out, &err);
    if (r == EXPAND_OK)
        return 1;
    if (r == EXPAND_FAIL) {
        *rc = ACL_FAIL;
        return 0;
    }
    log_write(LOG_MAIN | LOG_PANIC,
              "failed to expand \"%s\" while checking a list: %s", list,
              gstr_str(&err));
    c->log_msg = arena_printf(c->x->arena,
                              "failed to expand \"%s\" while checking a "
                              "list: %s",
                              list, gstr_str(&err));
    *rc = ACL_DEFER;
    return 0;
}

enum list_kind { LK_DOMAIN, LK_ADDRESS, LK_LOCAL, LK_STRING };

static int
list_cond(struct acl_call *c, const char *subject, const char *list,
          enum list_kind kind)
{
    char *l;
    int rc = ACL_FAIL;
    gstr err;

    if (!expand_list(c, list, &l, &rc))
        return rc;
    gstr_init(&err, c->x->arena);
    /* match_list_traced(): -bh shows each step, as Exim */
    switch (kind) {
    case LK_DOMAIN:
        return from_match(c, match_list_traced(c->x, 'd', subject, l, &err),
                          &err);
    case LK_ADDRESS:
        return from_match(c, match_list_traced(c->x, 'a', subject, l, &err),
                          &err);
    default:
        return from_match(c, match_list_traced(c->x, 'l', subject, l, &err),
                          &err);
    }
}

static int
c_domains(struct acl_call *c, const char *arg)
{
    return list_cond(c, var(c, "domain"), arg, LK_DOMAIN);
}

static int
c_local_parts(struct acl_call *c, const char *arg)
{
    return list_cond(c, var(c, "local_part"), arg, LK_LOCAL);
}

static const char *
recipient(struct acl_call *c)
{
    if (c->st->recipient != NULL)
        return c->st->recipient;
    return arena_printf(c->x->arena, "%s@%s", var(c, "local_part"),
                        var(c, "domain"));
}

static int
c_recipients(struct acl_call *c, const char *arg)
{
    return list_cond(c, recipient(c), arg, LK_ADDRESS);
}

static int
c_senders(struct acl_call *c, const char *arg)
{
    return list_cond(c, var(c, "sender_address"), arg, LK_ADDRESS);
}

static int
c_sender_domains(struct acl_call *c, const char *arg)
{
    const char *s = var(c, "sender_address"), *at = strrchr(s, '@');
    return list_cond(c, at ? at + 1 : "", arg, LK_DOMAIN);
}

static int
c_hosts(struct acl_call *c, const char *arg)
{
    char *l;
    int rc = ACL_FAIL;
    gstr err;

    if (!expand_list(c, arg, &l, &rc))
        return rc;
    gstr_init(&err, c->x->arena);
    return from_match(
        c,
        match_host_traced(c->x, var(c, "sender_host_address"),
                          expand_get_var(c->x, "sender_host_name"), l, NULL,
                          &err),
        &err);
}

static int
c_authenticated(struct acl_call *c, const char *arg)
{
    const char *a = var(c, "sender_host_authenticated");
    return a[0] == '\0' ? ACL_FAIL : list_cond(c, a, arg, LK_STRING);
}

/* The list holds cipher names; $tls_in_cipher may be "TLSv1:NAME:bits". */
static int
c_encrypted(struct acl_call *c, const char *arg)
{
    const char *cipher = var(c, "tls_in_cipher"), *p, *e;

    if (cipher[0] == '\0')
        return ACL_FAIL;
    if ((p = strchr(cipher, ':')) != NULL) {
        p++;
        e = strchr(p, ':');
        cipher = e ? arena_strndup(c->x->arena, p, (size_t)(e - p)) : p;
    }
    return list_cond(c, cipher, arg, LK_STRING);
}

static int
c_condition(struct acl_call *c, const char *arg)
{
    const char *p = arg[0] == '-' ? arg + 1 : arg;

    if (strspn(p, "0123456789") == strlen(p)) {
        int nonzero = strspn(p, "0") != strlen(p);
        return nonzero ? ACL_OK : ACL_FAIL;
    }
    if (strcasecmp(arg, "no") == 0 || strcasecmp(arg, "false") == 0)
        return ACL_FAIL;
    if (strcasecmp(arg, "yes") == 0 || strcasecmp(arg, "true") == 0)
        return ACL_OK;
    c->log_msg =
        arena_printf(c->x->arena, "invalid \"condition\" value \"%s\"", arg);
    return ACL_DEFER;
}

static int
c_true(struct acl_call *c, const char *arg)
{
    (void)c;
    (void)arg;
    return ACL_OK;
}

static int
not_supported(struct acl_call *c, const char *what)
{
    c->log_msg = arena_printf(c->x->arena,
                              "the \"%s\" ACL condition is not supported by "
                              "mxlab yet",
                              what);
    return ACL_ERROR;
}

static int
c_dnslists(struct acl_call *c, const char *arg)
{
    (void)arg;
    return not_supported(c, "dnslists");
}

static int
k_dnslists(const char *arg, gstr *err)
{
    (void)arg;
    gstr_adds(err, "the \"dnslists\" ACL condition is not supported by "
                   "mxlab yet (it needs DNS black list lookups)");
    return -1;
}

static int
c_ratelimit(struct acl_call *c, const char *arg)
{
    (void)arg;
    return not_supported(c, "ratelimit");
}

static int
k_ratelimit(const char *arg, gstr *err)
{
    (void)arg;
    gstr_adds(err, "the \"ratelimit\" ACL condition is not supported by "
                   "mxlab yet");
    return -1;
}

/* "acl = name arg1 ... arg9": the name and each argument are expanded
 * on their own; $acl_arg1..9 and $acl_narg are restored afterwards. */
static const char *
next_word(struct acl_call *c, const char **sp)
{
    const char *s = *sp;
    gstr w;

    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return NULL;
    gstr_init(&w, c->x->arena);
    if (*s == '"') {
        for (s++; *s != '\0' && *s != '"'; s++) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            gstr_addc(&w, *s);
        }
        if (*s == '"')
            s++;
    } else
        while (*s != '\0' && !isspace((unsigned char)*s))
            gstr_addc(&w, *s++);
    *sp = s;
    return gstr_str(&w);
}

static int
c_acl(struct acl_call *c, const char *arg)
{
    const char *w, *s = arg;
    char *name, *args[9];
    int n = 0, rc = EXPAND_OK;
    gstr err;

    gstr_init(&err, c->x->arena);
    w = next_word(c, &s);
    if (w == NULL || (rc = expand_string(c->x, w, &name, &err)) != EXPAND_OK)
        goto bad;
    while (n < 9 && (w = next_word(c, &s)) != NULL) {
        if ((rc = expand_string(c->x, w, &args[n], &err)) != EXPAND_OK)
            goto bad;
        n++;
    }
    rc = acl_run_args(c, name, args, n);
    if (rc == ACL_DISCARD && c->verb != ACL_ACCEPT &&
        c->verb != ACL_DISCARD_VERB) {
        c->log_msg = arena_printf(c->x->arena,
                                  "nested ACL returned \"discard\" for "
                                  "\"%s\" command (only allowed with "
                                  "\"accept\" or \"discard\")",
                                  acl_verb_name(c->verb));
        return ACL_ERROR;
    }
    return rc;
bad:
    if (w == NULL || rc == EXPAND_FAIL)
        return ACL_ERROR;
    c->log_msg =
        arena_printf(c->x->arena, "failed to expand ACL string \"%s\": %s", w,
                     gstr_str(&err));
    return ACL_ERROR;
}

static int
c_add_header(struct acl_call *c, const char *arg)
{
    acl_add_header(c, arg);
    return ACL_OK;
}

static int
c_remove_header(struct acl_call *c, const char *arg)
{
    struct list_iter it;
    const char *item;
    struct acl_strlist **tail = &c->st->remove_headers;

    while (*tail != NULL)
        tail = &(*tail)->next;
    list_iter_init(&it, arg, ':');
    while ((item = list_next(&it, c->x->arena)) != NULL) {
        struct acl_strlist *r;
        if (*item == '\0')
            continue;
        r = arena_alloc(acl_conn_arena(c), sizeof(*r));
        r->s = arena_strdup(acl_conn_arena(c), item);
        r->next = NULL;
        *tail = r;
        tail = &r->next;
    }
    return ACL_OK;
}

static int
c_set(struct acl_call *c, const char *arg)
{
    (void)c;
    (void)arg; /* the engine sets the variable: it knows the name */
    return ACL_OK;
}

/* Log text: printable, newlines shown as "\n". */
static const char *
printable(struct acl_call *c, const char *s)
{
    gstr g;

    gstr_init(&g, c->x->arena);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\n')
            gstr_adds(&g, "\\n");
        else if (ch == '\t')
            gstr_adds(&g, "\\t");
        else if (ch < 32 || ch == 127)
            gstr_printf(&g, "\\x%02x", ch);
        else
            gstr_addc(&g, (char)ch);
    }
    return gstr_str(&g);
}

static int
c_logwrite(struct acl_call *c, const char *arg)
{
    unsigned bits = 0;
    const char *s = arg;

    if (*s == ':') {
        const char *end = strchr(s + 1, ':');
        if (end == NULL) {
            bits = LOG_MAIN | LOG_PANIC;
            s = arena_printf(c->x->arena,
                             "unknown log name in \"%s\" in \"logwrite\" in "
                             "%s ACL",
                             arg, acl_where_name(c->where));
        } else {
            char *names =
                arena_strndup(c->x->arena, s + 1, (size_t)(end - s - 1));
            struct list_iter it;
            const char *n;
            s = end + 1;
            list_iter_init(&it, names, ',');
            while ((n = list_next(&it, c->x->arena)) != NULL) {
                if (strcmp(n, "main") == 0)
                    bits |= LOG_MAIN;
                else if (strcmp(n, "reject") == 0)
                    bits |= LOG_REJECT;
                else if (strcmp(n, "panic") == 0)
                    bits |= LOG_PANIC;
                else {
                    bits = LOG_MAIN | LOG_PANIC;
                    s = arena_printf(c->x->arena,
                                     "unknown log name in \"%s\" in "
                                     "\"logwrite\" in %s ACL",
                                     arg, acl_where_name(c->where));
                    break;
                }
            }
        }
    }
    while (isspace((unsigned char)*s))
        s++;
    if (bits == 0)
        bits = LOG_MAIN;
    /* after the data, log_write() puts the message id first, as Exim */
    log_write(bits, "%s", printable(c, s));
    return ACL_OK;
}

static int
c_log_reject_target(struct acl_call *c, const char *arg)
{
    struct list_iter it;
    const char *n;
    unsigned bits = 0;

    list_iter_init(&it, arg, ':');
    while ((n = list_next(&it, c->x->arena)) != NULL) {
        if (strcmp(n, "main") == 0)
            bits |= LOG_MAIN;
        else if (strcmp(n, "reject") == 0)
            bits |= LOG_REJECT;
        else if (strcmp(n, "panic") == 0)
            bits |= LOG_PANIC;
        else if (*n != '\0') {
            bits |= LOG_MAIN | LOG_REJECT;
            log_write(LOG_MAIN | LOG_PANIC,
                      "unknown log name \"%s\" in \"log_reject_target\" in "
                      "%s ACL",
                      n, acl_where_name(c->where));
        }
    }
    c->st->log_reject_target = bits;
    return ACL_OK;
}

static int
c_delay(struct acl_call *c, const char *arg)
{
    int secs = acl_time_value(arg);
    int cap = c->st->delay_max > 0 ? c->st->delay_max : 3600;

    if (secs < 0) {
        c->log_msg = arena_printf(c->x->arena,
                                  "syntax error in argument for \"delay\" "
                                  "modifier: \"%s\" is not a time value",
                                  arg);
        return ACL_ERROR;
    }
    if (c->st->host_checking || secs == 0)
        return ACL_OK;
    if (secs > cap)
        secs = cap;
    if (c->st->flush != NULL && !(c->st->controls & ACL_CTL_NO_DELAY_FLUSH))
        c->st->flush(c->st->flush_arg);
    acl_delay_hook(c->st, secs);
    c->st->delayed += secs;
    return ACL_OK;
}

static int
k_delay(const char *arg, gstr *err)
{
    if (acl_time_value(arg) >= 0)
        return 0;
    gstr_printf(err,
                "syntax error in argument for \"delay\" modifier: \"%s\" is "
                "not a time value",
                arg);
    return -1;
}

static int
c_control(struct acl_call *c, const char *arg)
{
    return acl_control_eval(c, arg);
}

static int
k_control(const char *arg, gstr *err)
{
    const char *opts;

    if (acl_control_find(arg, &opts) != NULL)
        return 0;
    gstr_printf(err, "syntax error in \"control=%s\"", arg);
    return -1;
}

/* verify = ... */

#define MAX_VERIFY_EXTRA 16
static const struct acl_verify_def *verify_extra[MAX_VERIFY_EXTRA];
static size_t nverify_extra;

static int
v_reverse(struct acl_call *c, const char *opts)
{
    const char *name = expand_get_var(c->x, "sender_host_name");

    if (var(c, "sender_host_address")[0] == '\0')
        return ACL_OK;
    if (name == NULL && match_host_reverse_hook != NULL) {
        gstr err;
        gstr_init(&err, c->x->arena);
        int rc = match_host_reverse_hook(c->x, var(c, "sender_host_address"),
                                         &name, &err);
        if (rc == MATCH_DEFER) {
            if (strstr(opts, "defer_ok") != NULL)
                return ACL_OK;
            c->log_msg = gstr_str(&err);
            return ACL_DEFER;
        }
        if (rc == MATCH_OK && name != NULL)
            expand_set_var(c->x, "sender_host_name", name);
    }
    if (name != NULL && name[0] != '\0')
        return ACL_OK;
    c->user_msg = c->log_msg = "host lookup failed for reverse lookup check";
    return ACL_FAIL;
}

static int
v_certificate(struct acl_call *c, const char *opts)
{
    (void)opts;
    if (strcmp(var(c, "tls_in_certificate_verified"), "1") == 0 ||
        strcmp(var(c, "tls_certificate_verified"), "1") == 0)
        return ACL_OK;
    c->user_msg = "no verified certificate";
    return ACL_FAIL;
}

static int
v_helo(struct acl_call *c, const char *opts)
{
    const char *ip = var(c, "sender_host_address");
    const char *helo = var(c, "sender_helo_name");
    gstr err;

    (void)opts;
    if (acl_verify_helo_hook != NULL)
        return acl_verify_helo_hook(c);
    if (ip[0] == '\0')
        return ACL_OK; /* -bs: always true */
    if (helo[0] == '\0')
        return ACL_FAIL;
    if (helo[0] == '[') {
        size_t n = strlen(helo);
        char *lit = arena_strndup(c->x->arena, helo + 1, n > 1 ? n - 2 : 0);
        if (strncasecmp(lit, "IPv6:", 5) == 0)
            lit += 5;
        return strcmp(lit, ip) == 0 ? ACL_OK : ACL_FAIL;
    }
    gstr_init(&err, c->x->arena);
    /* A name verifies if it resolves to the caller's address. */
    int rc = match_host(c->x, ip, NULL, helo, &err);
    return rc == MATCH_OK ? ACL_OK : ACL_FAIL;
}

static int
v_csa(struct acl_call *c, const char *opts)
{
    (void)opts;
    c->log_msg = "verify = csa is not supported by mxlab yet (it needs DNS "
                 "SRV lookups)";
    return ACL_ERROR;
}

static int
v_header_syntax(struct acl_call *c, const char *opts)
{
    const char *msg = NULL;
    int rc;

    (void)opts;
    rc = acl_verify_headers(c, &msg);
    if (rc != ACL_OK && msg != NULL) {
        c->log_msg = msg;
        expand_set_var(c->x, "acl_verify_message", msg);
    }
    return rc;
}

static int
v_header_names_ascii(struct acl_call *c, const char *opts)
{
    (void)opts;
    for (struct expand_header *h = c->x->msg ? c->x->msg->headers : NULL;
         h != NULL; h = h->next)
        for (size_t i = 0; i < h->name_len; i++) {
            unsigned char ch = (unsigned char)h->text[i];
            if (ch < 33 || ch > 126) {
                c->log_msg = arena_printf(
                    c->x->arena, "Invalid character in header \"%.*s\" found",
                    (int)h->name_len, h->text);
                return ACL_FAIL;
            }
        }
    return ACL_OK;
}

static int
v_not_blind(struct acl_call *c, const char *opts)
{
    int case_sensitive = 1;
    struct list_iter it;
    const char *o;

    list_iter_init(&it, opts, '/');
    while ((o = list_next(&it, c->x->arena)) != NULL) {
        if (strcasecmp(o, "case_insensitive") == 0)
            case_sensitive = 0;
        else if (*o != '\0') {
            c->log_msg = arena_printf(c->x->arena,
                                      "unknown option \"%s\" in ACL "
                                      "condition \"verify not_blind/%s\"",
                                      o, opts);
            return ACL_ERROR;
        }
    }
    if (acl_verify_not_blind(c, case_sensitive) == ACL_OK)
        return ACL_OK;
    c->log_msg = "bcc recipient detected";
    return ACL_FAIL;
}

static int
routing_missing(struct acl_call *c, const char *what)
{
    c->log_msg = arena_printf(c->x->arena,
                              "verify = %s: routing is not built yet, so "
                              "addresses cannot be verified",
                              what);
    return ACL_DEFER;
}

static int
v_recipient(struct acl_call *c, const char *opts)
{
    if (acl_verify_address_hook == NULL)
        return routing_missing(c, "recipient");
    return acl_verify_address_hook(c, 0, recipient(c), opts);
}

static int
v_sender(struct acl_call *c, const char *opts)
{
    if (acl_verify_address_hook == NULL)
        return routing_missing(c, "sender");
    return acl_verify_address_hook(c, 1, var(c, "sender_address"), opts);
}

static int
v_header_sender(struct acl_call *c, const char *opts)
{
    (void)opts;
    return routing_missing(c, "header_sender");
}

static const struct acl_verify_def verify_table[] = {
    {"reverse_host_lookup", ACL_BITS_ALL, 1, v_reverse},
    {"certificate", ACL_BITS_ALL, 0, v_certificate},
    {"helo", ACL_BITS_ALL, 0, v_helo},
    {"csa", ACL_BITS_ALL, 1, v_csa},
    {"header_syntax", ACL_BITS_HAVEDATA, 0, v_header_syntax},
    {"not_blind", ACL_BITS_HAVEDATA, 1, v_not_blind},
    {"header_sender", ACL_BITS_HAVEDATA, 1, v_header_sender},
    {"sender", B(MAIL) | B(RCPT) | B(PREDATA) | B(DATA) | B(NOT_SMTP), 1,
     v_sender},
    {"recipient", B(RCPT), 1, v_recipient},
    {"header_names_ascii", ACL_BITS_HAVEDATA, 0, v_header_names_ascii},
};

const struct acl_verify_def *
acl_verify_find(const char *name)
{
    for (size_t i = 0; i < sizeof(verify_table) / sizeof(verify_table[0]); i++)
        if (strcasecmp(name, verify_table[i].name) == 0)
            return &verify_table[i];
    for (size_t i = 0; i < nverify_extra; i++)
        if (strcasecmp(name, verify_extra[i]->name) == 0)
            return verify_extra[i];
    return NULL;
}

int
acl_register_verify(const struct acl_verify_def *def)
{
    if (acl_verify_find(def->name) != NULL || nverify_extra >= MAX_VERIFY_EXTRA)
        return -1;
    verify_extra[nverify_extra++] = def;
    return 0;
}

/* "sender=address" verifies that address instead of the sender. */
static const struct acl_verify_def *
verify_parse(struct acl_call *c, const char *arg, const char **opts,
             const char **alt_sender)
{
    const char *slash = strchr(arg, '/');
    char *first = arena_strndup(c->x->arena, arg,
                                slash ? (size_t)(slash - arg) : strlen(arg));
    char *e = first + strlen(first);

    while (e > first && isspace((unsigned char)e[-1]))
        *--e = '\0';
    *opts = slash ? slash + 1 : "";
    *alt_sender = NULL;
    if (strncasecmp(first, "sender", 6) == 0 && first[6] != '\0') {
        const char *p = first + 6;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '=')
            return NULL;
        p++;
        while (isspace((unsigned char)*p))
            p++;
        *alt_sender = p;
        first[6] = '\0';
    }
    return acl_verify_find(first);
}

static int
c_verify(struct acl_call *c, const char *arg)
{
    const char *opts, *alt;
    const struct acl_verify_def *v = verify_parse(c, arg, &opts, &alt);

    if (v == NULL) {
        c->log_msg = arena_printf(c->x->arena,
                                  "expected \"sender[=address]\", "
                                  "\"recipient\", \"helo\", "
                                  "\"header_syntax\", \"header_sender\", "
                                  "\"header_names_ascii\" or "
                                  "\"reverse_host_lookup\" at start of ACL "
                                  "condition \"verify %s\"",
                                  arg);
        return ACL_ERROR;
    }
    if (!v->takes_options && strchr(arg, '/') != NULL) {
        c->log_msg = arena_printf(c->x->arena,
                                  "unexpected '/' found in \"%s\" (this "
                                  "verify item has no options)",
                                  arg);
        return ACL_ERROR;
    }
    if (!(v->allowed & ACL_BIT(c->where))) {
        c->log_msg = arena_printf(c->x->arena, "cannot verify %s in ACL for %s",
                                  v->name, acl_where_name(c->where));
        return ACL_ERROR;
    }
    if (alt != NULL) {
        if (acl_verify_address_hook == NULL)
            return routing_missing(c, "sender");
        return acl_verify_address_hook(c, 1, alt, opts);
    }
    return v->eval(c, opts);
}

static int
k_verify(const char *arg, gstr *err)
{
    const char *slash = strchr(arg, '/');
    size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
    char name[64];

    while (n > 0 && isspace((unsigned char)arg[n - 1]))
        n--;
    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, arg, n);
    name[n] = '\0';
    if (strncasecmp(name, "sender", 6) == 0 &&
        (name[6] == '\0' || name[6] == '=' || isspace((unsigned char)name[6])))
        return 0;
    if (acl_verify_find(name) != NULL)
        return 0;
    gstr_printf(err,
                "expected \"sender[=address]\", \"recipient\", \"helo\", "
                "\"header_syntax\", \"header_sender\", \"header_names_ascii\" "
                "or \"reverse_host_lookup\" at start of ACL condition "
                "\"verify %s\"",
                arg);
    return -1;
}

/* The table. message, log_message, endpass and set are handled by the
 * engine itself; their rows exist for parsing. */

const struct acl_cond_def acl_cond_message = {"message", ACL_CD_MODIFIER, 0,
                                              NULL, c_true};
const struct acl_cond_def acl_cond_log_message = {
    "log_message", ACL_CD_MODIFIER, 0, NULL, c_true};
const struct acl_cond_def acl_cond_endpass = {
    "endpass", ACL_CD_MODIFIER | ACL_CD_NOARG, 0, NULL, c_true};
const struct acl_cond_def acl_cond_set = {
    "set", ACL_CD_MODIFIER | ACL_CD_EXPAND, 0, NULL, c_set};

static const struct acl_cond_def cond_table[] = {
    {"acl", 0, 0, NULL, c_acl},
    {"add_header", ACL_CD_MODIFIER | ACL_CD_EXPAND, PERMITTED(MSG_ACLS), NULL,
     c_add_header},
    {"authenticated", 0, B(NOT_SMTP) | B(NOT_SMTP_START) | B(CONNECT) | B(HELO),
     NULL, c_authenticated},
    {"condition", ACL_CD_EXPAND, 0, NULL, c_condition},
    {"continue", ACL_CD_MODIFIER | ACL_CD_EXPAND, 0, NULL, c_true},
    {"control", ACL_CD_MODIFIER | ACL_CD_EXPAND, 0, k_control, c_control},
    {"delay", ACL_CD_MODIFIER | ACL_CD_EXPAND, B(NOTQUIT), k_delay, c_delay},
    {"dnslists", 0, 0, k_dnslists, c_dnslists},
    {"domains", 0, PERMITTED(B(RCPT) | B(VRFY)), NULL, c_domains},
    {"encrypted", 0, B(NOT_SMTP) | B(NOT_SMTP_START) | B(CONNECT), NULL,
     c_encrypted},
    {"hosts", 0, B(NOT_SMTP) | B(NOT_SMTP_START), NULL, c_hosts},
    {"local_parts", 0, PERMITTED(B(RCPT) | B(VRFY)), NULL, c_local_parts},
    {"log_reject_target", ACL_CD_MODIFIER | ACL_CD_EXPAND, 0, NULL,
     c_log_reject_target},
    {"logwrite", ACL_CD_MODIFIER | ACL_CD_EXPAND, 0, NULL, c_logwrite},
    {"ratelimit", ACL_CD_EXPAND, 0, k_ratelimit, c_ratelimit},
    {"recipients", 0, PERMITTED(B(RCPT)), NULL, c_recipients},
    {"remove_header", ACL_CD_MODIFIER | ACL_CD_EXPAND, PERMITTED(MSG_ACLS),
     NULL, c_remove_header},
    {"sender_domains", 0, NO_SENDER_ACLS, NULL, c_sender_domains},
    {"senders", 0, NO_SENDER_ACLS, NULL, c_senders},
    {"verify", ACL_CD_EXPAND, 0, k_verify, c_verify},
};

static const struct acl_cond_def *cond_extra[MAX_EXTRA];
static size_t ncond_extra;

const struct acl_cond_def *
acl_cond_find(const char *name)
{
    static const struct acl_cond_def *const special[] = {
        &acl_cond_message, &acl_cond_log_message, &acl_cond_endpass,
        &acl_cond_set};

    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
        if (strcmp(name, special[i]->name) == 0)
            return special[i];
    for (size_t i = 0; i < sizeof(cond_table) / sizeof(cond_table[0]); i++)
        if (strcmp(name, cond_table[i].name) == 0)
            return &cond_table[i];
    for (size_t i = 0; i < ncond_extra; i++)
        if (strcmp(name, cond_extra[i]->name) == 0)
            return cond_extra[i];
    return NULL;
}

int
acl_register_condition(const struct acl_cond_def *def)
{
    if (acl_cond_find(def->name) != NULL || ncond_extra >= MAX_EXTRA)
        return -1;
    cond_extra[ncond_extra++] = def;
    return 0;
}
