/*++
 * NAME
 *	acl_control 3
 * SUMMARY
 *	the "control =" modifier
 * SYNOPSIS
 *	#include "acl/acl_int.h"
 *
 *	int	acl_control_eval(struct acl_call *c, const char *arg)
 *	const struct acl_control_def *acl_control_find(const char *arg,
 *				const char **opts)
 *	int	acl_register_control(const struct acl_control_def *def)
 *	const char *acl_control_value(const struct acl_state *st,
 *				const char *name)
 * DESCRIPTION
 *	Each control is a row: its name, whether "/options" may follow,
 *	the ACLs it is forbidden in, and what it does to the ACL state.
 *	Every control obeyed is also recorded by name with its options,
 *	which is all a feature's control needs (acl_control_value()).
 *	"queue_only" is "queue" with the option "_only", as in Exim.
 * DIAGNOSTICS
 *	ACL_ERROR with 'syntax error in "control=ARG"' for an unknown
 *	control or bad options, and 'cannot use "control=NAME" in WHERE
 *	ACL' where it is forbidden.
 *--*/

#include <string.h>

#include "acl/acl_int.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand.h"

#define B(w)          ACL_BIT(ACL_WHERE_##w)
#define ONLY(m)       (ACL_BITS_ALL & ~(unsigned)(m))
#define NOT_SMTP_ACLS (B(NOT_SMTP) | B(NOT_SMTP_START))
#define MAX_EXTRA     32

static const char fake_default[] =
    "Your message has been rejected but is being kept for evaluation.\n"
    "If it was a legitimate message, it may still be delivered to the "
    "target recipient(s).";

static int
syntax(struct acl_call *c, const char *arg)
{
    c->log_msg =
        arena_printf(c->x->arena, "syntax error in \"control=%s\"", arg);
    return ACL_ERROR;
}

static int
set_bit(struct acl_call *c, unsigned bit)
{
    c->st->controls |= bit;
    return ACL_OK;
}

static int
x_auth_unadvertised(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_ALLOW_AUTH_UNADVERTISED);
}

/* $local_part in the original case, as the RCPT address has it. */
static int
x_caseful(struct acl_call *c, const char *o)
{
    const char *r = c->st->recipient, *at;

    (void)o;
    c->st->caseful_local_part = 1;
    if (r != NULL && (at = strrchr(r, '@')) != NULL)
        expand_set_var(c->x, "local_part",
                       arena_strndup(c->x->arena, r, (size_t)(at - r)));
    return ACL_OK;
}

static int
x_caselower(struct acl_call *c, const char *o)
{
    const char *lp = expand_get_var(c->x, "local_part");
    char *l;

    (void)o;
    c->st->caseful_local_part = 0;
    if (lp != NULL) {
        l = arena_strdup(c->x->arena, lp);
        for (char *p = l; *p != '\0'; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        expand_set_var(c->x, "local_part", l);
    }
    return ACL_OK;
}

static int
x_cutthrough(struct acl_call *c, const char *o)
{
    (void)o; /* accepted; cutthrough delivery is not done */
    return set_bit(c, ACL_CTL_CUTTHROUGH);
}

static int
x_debug(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_DEBUG);
}

static int
x_dkim_disable(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_DKIM_DISABLE_VERIFY);
}

static int
x_enforce_sync(struct acl_call *c, const char *o)
{
    (void)o;
    c->st->enforce_sync = 1;
    return ACL_OK;
}

static int
x_no_enforce_sync(struct acl_call *c, const char *o)
{
    (void)o;
    c->st->enforce_sync = 0;
    return ACL_OK;
}

static int
fake(struct acl_call *c, const char *o, unsigned bit)
{
    c->st->controls &= ~(ACL_CTL_FAKEREJECT | ACL_CTL_FAKEDEFER);
    c->st->controls |= bit;
    c->st->fake_message =
        o[0] == '/' ? arena_strdup(acl_conn_arena(c), o + 1) : fake_default;
    return ACL_OK;
}

static int
x_fakedefer(struct acl_call *c, const char *o)
{
    return fake(c, o, ACL_CTL_FAKEDEFER);
}

static int
x_fakereject(struct acl_call *c, const char *o)
{
    return fake(c, o, ACL_CTL_FAKEREJECT);
}

static int
x_freeze(struct acl_call *c, const char *o)
{
    int no_tell = strcmp(o, "/no_tell") == 0;

    if (o[0] != '\0' && !no_tell)
        return ACL_ERROR;
    /* Nobody is told only if every freeze obeyed said /no_tell. */
    if (!no_tell)
        c->st->freeze_tell = 1;
    return set_bit(c, ACL_CTL_FREEZE);
}

static int
x_no_callout_flush(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_NO_CALLOUT_FLUSH);
}

static int
x_no_delay_flush(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_NO_DELAY_FLUSH);
}

static int
x_no_multiline(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_NO_MULTILINE);
}

static int
x_no_pipelining(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_NO_PIPELINING);
}

static int
x_queue(struct acl_call *c, const char *o)
{
    c->st->controls |= ACL_CTL_QUEUE;
    if (strcmp(o, "_only") == 0)
        return ACL_OK;
    while (*o == '/') {
        if (strncmp(o, "/only", 5) == 0) {
            o += 5;
            c->st->controls &= ~ACL_CTL_QUEUE_FIRST_PASS;
        } else if (strncmp(o, "/first_pass_route", 17) == 0) {
            o += 17;
            c->st->controls |= ACL_CTL_QUEUE_FIRST_PASS;
        } else
            break;
    }
    return *o == '\0' ? ACL_OK : ACL_ERROR;
}

static int
x_submission(struct acl_call *c, const char *o)
{
    struct arena *a = acl_conn_arena(c);

    c->st->controls |= ACL_CTL_SUBMISSION;
    while (*o == '/') {
        if (strncmp(o, "/sender_retain", 14) == 0) {
            o += 14;
            c->st->submission_sender_retain = 1;
        } else if (strncmp(o, "/domain=", 8) == 0) {
            const char *e = strchr(o + 8, '/');
            size_t n = e ? (size_t)(e - o - 8) : strlen(o + 8);
            c->st->submission_domain = arena_strndup(a, o + 8, n);
            o += 8 + n;
        } else if (strncmp(o, "/name=", 6) == 0) {
            /* name= swallows the rest, slashes and all */
            c->st->submission_name = arena_strdup(a, o + 6);
            o += strlen(o);
        } else
            break;
    }
    return *o == '\0' ? ACL_OK : ACL_ERROR;
}

static int
x_suppress_fixups(struct acl_call *c, const char *o)
{
    (void)o;
    return set_bit(c, ACL_CTL_SUPPRESS_LOCAL_FIXUPS);
}

static const struct acl_control_def control_table[] = {
    {"allow_auth_unadvertised", 0, ONLY(B(CONNECT) | B(HELO)),
     x_auth_unadvertised},
    {"caseful_local_part", 0, ONLY(B(RCPT)), x_caseful},
    {"caselower_local_part", 0, ONLY(B(RCPT)), x_caselower},
    {"cutthrough_delivery", 1, 0, x_cutthrough},
    {"debug", 1, 0, x_debug},
    {"dkim_disable_verify", 0, B(DATA) | NOT_SMTP_ACLS, x_dkim_disable},
    {"dscp", 1, NOT_SMTP_ACLS | B(NOTQUIT), NULL},
    {"enforce_sync", 0, NOT_SMTP_ACLS, x_enforce_sync},
    {"fakedefer", 1, ONLY(B(MAIL) | B(RCPT) | B(PREDATA) | B(DATA)),
     x_fakedefer},
    {"fakereject", 1, ONLY(B(MAIL) | B(RCPT) | B(PREDATA) | B(DATA)),
     x_fakereject},
    {"freeze", 1, ONLY(B(MAIL) | B(RCPT) | B(PREDATA) | B(DATA) | B(NOT_SMTP)),
     x_freeze},
    {"no_callout_flush", 0, NOT_SMTP_ACLS, x_no_callout_flush},
    {"no_delay_flush", 0, NOT_SMTP_ACLS, x_no_delay_flush},
    {"no_enforce_sync", 0, NOT_SMTP_ACLS, x_no_enforce_sync},
    {"no_multiline_responses", 0, NOT_SMTP_ACLS, x_no_multiline},
    {"no_pipelining", 0, NOT_SMTP_ACLS, x_no_pipelining},
    {"queue", 1, ONLY(B(MAIL) | B(RCPT) | B(PREDATA) | B(DATA) | B(NOT_SMTP)),
     x_queue},
    {"submission", 1, ONLY(B(MAIL) | B(RCPT) | B(PREDATA)), x_submission},
    {"suppress_local_fixups", 0,
     ONLY(B(MAIL) | B(RCPT) | B(PREDATA) | B(NOT_SMTP_START)),
     x_suppress_fixups},
};

static const struct acl_control_def *control_extra[MAX_EXTRA];
static size_t ncontrol_extra;

/* Longest name that arg starts with and that is followed by the end,
 * or (for one with options) by "/" or "_". */
static const struct acl_control_def *
match_def(const struct acl_control_def *d, const char *arg, size_t *best)
{
    size_t n = strlen(d->name);
    char next;

    if (strncmp(arg, d->name, n) != 0 || n <= *best)
        return NULL;
    next = arg[n];
    if (next != '\0' && (!d->has_options || (next != '/' && next != '_')))
        return NULL;
    *best = n;
    return d;
}

const struct acl_control_def *
acl_control_find(const char *arg, const char **opts)
{
    const struct acl_control_def *found = NULL, *d;
    size_t best = 0;

    for (size_t i = 0; i < sizeof(control_table) / sizeof(control_table[0]);
         i++)
        if ((d = match_def(&control_table[i], arg, &best)) != NULL)
            found = d;
    for (size_t i = 0; i < ncontrol_extra; i++)
        if ((d = match_def(control_extra[i], arg, &best)) != NULL)
            found = d;
    if (found != NULL)
        *opts = arg + best;
    return found;
}

int
acl_register_control(const struct acl_control_def *def)
{
    const char *o;
    const struct acl_control_def *d = acl_control_find(def->name, &o);

    if ((d != NULL && strcmp(d->name, def->name) == 0) ||
        ncontrol_extra >= MAX_EXTRA)
        return -1;
    control_extra[ncontrol_extra++] = def;
    return 0;
}

static void
record(struct acl_call *c, const char *name, const char *opts)
{
    struct arena *a = acl_conn_arena(c);
    struct expand_kv *kv;

    for (kv = c->st->control_values; kv != NULL; kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            break;
    if (kv == NULL) {
        kv = arena_alloc(a, sizeof(*kv));
        kv->name = name;
        kv->next = c->st->control_values;
        c->st->control_values = kv;
    }
    kv->value = arena_strdup(a, opts[0] == '/' ? opts + 1 : opts);
}

int
acl_control_eval(struct acl_call *c, const char *arg)
{
    const char *opts;
    const struct acl_control_def *d = acl_control_find(arg, &opts);
    int rc = ACL_OK;

    if (d == NULL)
        return syntax(c, arg);
    if (d->forbidden & ACL_BIT(c->where)) {
        c->log_msg =
            arena_printf(c->x->arena, "cannot use \"control=%s\" in %s ACL",
                         d->name, acl_where_name(c->where));
        return ACL_ERROR;
    }
    if (d->apply != NULL && (rc = d->apply(c, opts)) == ACL_ERROR &&
        c->log_msg == NULL)
        return syntax(c, arg);
    if (rc == ACL_OK)
        record(c, d->name, opts);
    return rc;
}

const char *
acl_control_value(const struct acl_state *st, const char *name)
{
    for (const struct expand_kv *kv = st->control_values; kv != NULL;
         kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            return kv->value;
    return NULL;
}
