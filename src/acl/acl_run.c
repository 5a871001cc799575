/*++
 * NAME
 *	acl_run 3
 * SUMMARY
 *	running an ACL: verbs, conditions in order, messages, nesting
 * SYNOPSIS
 *	#include "acl/acl.h"
 *
 *	void	acl_state_init(struct acl_state *st, struct arena *conn)
 *	void	acl_state_new_message(struct acl_state *st)
 *	int	acl_run(enum acl_where where, const char *option_value,
 *				struct expand_ctx *x, struct acl_state *st,
 *				gstr *err)
 *	const char *acl_where_name(enum acl_where where)
 *	const char *acl_rc_name(int rc)
 * DESCRIPTION
 *	acl_run() expands the option value (a forced failure accepts),
 *	finds the ACL it means and runs its statements in order. For each
 *	statement the conditions and modifiers are taken in turn until one
 *	is false; "message" and "log_message" are remembered and expanded
 *	only when the verb's outcome uses them; "endpass" marks where, on
 *	an accept or discard, a false condition denies instead of passing
 *	on. Then the verb decides, as Exim's do:
 *
 *	accept, discard: all true: accept (discard); a false condition
 *		after endpass: deny; otherwise the next statement.
 *	deny, drop, defer: all true: deny (deny and drop the
 *		connection, defer); otherwise the next statement.
 *	require: all true: the next statement; otherwise deny.
 *	warn:	all true: log_message goes to the main log as
 *		"PREFIX Warning: TEXT" (once per message); always the next
 *		statement, even when a condition defers.
 *
 *	A condition that defers makes any verb but warn defer; an error
 *	ends the ACL with ACL_ERROR. The end of the ACL denies. "acl ="
 *	runs a nested ACL up to 20 deep. For RCPT and VRFY, $domain and
 *	$local_part (lower-cased) are set from st->recipient first.
 *
 *	The QUIT and not-QUIT ACLs may only accept or warn at the top
 *	level; anything else is an error, as in Exim.
 * DIAGNOSTICS
 *	st->log_message holds Exim's wording of an error (failed to
 *	expand ACL string "...": ..., cannot test hosts condition in
 *	connection ACL, ACL nested too deep: possible loop, ...); err
 *	gets the same text after "FILE:LINE: " when the place is known.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <stdarg.h>
#include <time.h>

#include "acl/acl_int.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "expand/expand.h"
#include "log/log.h"

static const char *const where_names[ACL_WHERE_COUNT] = {
    [ACL_WHERE_RCPT] = "RCPT",
    [ACL_WHERE_MAIL] = "MAIL",
    [ACL_WHERE_PREDATA] = "PREDATA",
    [ACL_WHERE_DKIM] = "DKIM",
    [ACL_WHERE_DATA] = "DATA",
    [ACL_WHERE_NOT_SMTP] = "non-SMTP",
    [ACL_WHERE_NOT_SMTP_START] = "non-SMTP-start",
    [ACL_WHERE_AUTH] = "AUTH",
    [ACL_WHERE_CONNECT] = "connection",
    [ACL_WHERE_ETRN] = "ETRN",
    [ACL_WHERE_EXPN] = "EXPN",
    [ACL_WHERE_HELO] = "EHLO or HELO",
    [ACL_WHERE_MAILAUTH] = "MAILAUTH",
    [ACL_WHERE_NOTQUIT] = "NOTQUIT",
    [ACL_WHERE_QUIT] = "QUIT",
    [ACL_WHERE_STARTTLS] = "STARTTLS",
    [ACL_WHERE_VRFY] = "VRFY",
    [ACL_WHERE_UNKNOWN] = "unknown",
};

/* The ACL running now, for ${acl} in its expansions. */
static struct acl_call *running;

const char *
acl_where_name(enum acl_where where)
{
    return (unsigned)where < ACL_WHERE_COUNT ? where_names[where] : "unknown";
}

const char *
acl_rc_name(int rc)
{
    static const char *const n[] = {"OK",    "FAIL",    "DEFER",
                                    "ERROR", "DISCARD", "FAIL_DROP"};
    return rc >= 0 && rc <= ACL_FAIL_DROP ? n[rc] : "?";
}

/* No clock is read: under libfaketime a frozen clock would never let a
 * loop that watches it end. nanosleep() gives back what is left when a
 * signal interrupts it; a poll() interrupted by a signal ends the delay. */
int acl_trace;

/* One ">>> " line of the -bh trace on stderr, non-printing bytes
 * escaped (arguments may hold what the client sent). */
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
trace(const char *fmt, ...)
{
    va_list ap;

    if (!acl_trace)
        return;
    va_start(ap, fmt);
    log_vtrace(fmt, ap);
    va_end(ap);
}

static void
default_delay(struct acl_state *st, int seconds)
{
    struct timespec d = {seconds, 0}, rem;

    if (st->peer_fd >= 0) {
        struct pollfd p = {.fd = st->peer_fd, .events = POLLRDHUP};
        (void)poll(&p, 1, seconds * 1000);
        return;
    }
    while (nanosleep(&d, &rem) < 0 && errno == EINTR)
        d = rem;
}

void (*acl_delay_hook)(struct acl_state *st, int seconds) = default_delay;

void
acl_state_init(struct acl_state *st, struct arena *conn_arena)
{
    memset(st, 0, sizeof(*st));
    st->conn_arena = conn_arena;
    st->enforce_sync = -1;
    st->peer_fd = -1;
    st->log_reject_target = LOG_MAIN | LOG_REJECT;
}

static int
conn_control(const char *name)
{
    static const char *const conn[] = {"allow_auth_unadvertised",
                                       "no_multiline_responses",
                                       "no_pipelining",
                                       "no_delay_flush",
                                       "no_callout_flush",
                                       "debug",
                                       "enforce_sync",
                                       "no_enforce_sync",
                                       "dscp"};
    for (size_t i = 0; i < sizeof(conn) / sizeof(conn[0]); i++)
        if (strcmp(name, conn[i]) == 0)
            return 1;
    return 0;
}

void
acl_state_new_message(struct acl_state *st)
{
    struct expand_kv **kp = &st->control_values;

    st->headers = NULL;
    st->remove_headers = NULL;
    st->warn_logged = NULL;
    st->controls &= ACL_CTL_CONN_MASK;
    st->freeze_tell = 0;
    st->fake_message = NULL;
    st->submission_domain = NULL;
    st->submission_name = NULL;
    st->submission_sender_retain = 0;
    st->sverify_address = st->sverify_message = st->sverify_user = NULL;
    st->sverify_defer = st->sverify_told = 0;
    st->sender_unrewritten = NULL;
    while (*kp != NULL) {
        if (conn_control((*kp)->name))
            kp = &(*kp)->next;
        else
            *kp = (*kp)->next;
    }
}

struct arena *
acl_conn_arena(struct acl_call *c)
{
    return c->st->conn_arena ? c->st->conn_arena : c->x->arena;
}

/* Exim's time values: a number with s, m, h, d or w after it, several
 * run together ("1m30s"); a bare number is seconds. -1 if not one. */
int
acl_time_value(const char *s)
{
    long total = 0;
    const char *p = s;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return -1;
    while (*p != '\0' && !isspace((unsigned char)*p)) {
        long n = 0, mult;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p)) {
            n = n * 10 + (*p++ - '0');
            if (n > 100000000L)
                return -1;
        }
        switch (*p) {
        case 's':
            mult = 1;
            p++;
            break;
        case 'm':
            mult = 60;
            p++;
            break;
        case 'h':
            mult = 3600;
            p++;
            break;
        case 'd':
            mult = 86400;
            p++;
            break;
        case 'w':
            mult = 604800;
            p++;
            break;
        case '\0':
            mult = 1;
            break;
        default:
            return -1;
        }
        total += n * mult;
        if (total > 0x7fffffffL)
            return -1;
    }
    while (isspace((unsigned char)*p))
        p++;
    return *p == '\0' ? (int)total : -1;
}

/* add_header text: leading and trailing newlines dropped; a newline
 * not followed by white space starts another header line; each may
 * start with a position; a line that is not "Name: ..." gets
 * "X-ACL-Warn: " before it. Identical lines are added once. */
static enum acl_hdr_pos
header_pos(const char **sp)
{
    static const struct {
        const char *p;
        enum acl_hdr_pos pos;
    } t[] = {{":at_start:", ACL_HDR_AT_START},
             {":at_end:", ACL_HDR_AT_END},
             {":after_received:", ACL_HDR_AFTER_RECEIVED},
             {":at_start_rfc:", ACL_HDR_AT_START_RFC}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strncmp(*sp, t[i].p, strlen(t[i].p)) == 0) {
            *sp += strlen(t[i].p);
            return t[i].pos;
        }
    return ACL_HDR_AT_END;
}

static int
header_valid(const char *s)
{
    const char *p = s;

    while (*p > 32 && *p < 127 && *p != ':')
        p++;
    if (p == s)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == ':';
}

static void
header_one(struct acl_call *c, const char *s, size_t n)
{
    struct arena *a = acl_conn_arena(c);
    enum acl_hdr_pos pos;
    struct acl_header *h, **tail;
    const char *line;
    gstr g;

    char *t = arena_strndup(c->x->arena, s, n);
    line = t;
    pos = header_pos(&line);
    gstr_init(&g, a);
    if (!header_valid(line))
        gstr_adds(&g, "X-ACL-Warn: ");
    gstr_adds(&g, line);
    gstr_addc(&g, '\n');
    for (tail = &c->st->headers; *tail != NULL; tail = &(*tail)->next)
        if (strcmp((*tail)->text, gstr_str(&g)) == 0)
            return;
    h = arena_alloc(a, sizeof(*h));
    h->text = gstr_str(&g);
    h->pos = pos;
    h->next = NULL;
    *tail = h;
}

void
acl_add_header(struct acl_call *c, const char *text)
{
    const char *p = text, *end;

    while (*p == '\n')
        p++;
    end = p + strlen(p);
    while (end > p && end[-1] == '\n')
        end--;
    while (p < end) {
        const char *q = p;
        while (q < end &&
               !(q[0] == '\n' && q + 1 < end && q[1] != ' ' && q[1] != '\t'))
            q++;
        if (q > p)
            header_one(c, p, (size_t)(q - p));
        p = q < end ? q + 1 : end;
    }
}

/* warn: "PREFIX Warning: TEXT" to the main log, once per message; a
 * "message" on a warn verb adds a header line (deprecated). */
static void
warn_obey(struct acl_call *c, const char *user, const char *log)
{
    struct acl_state *st = c->st;

    if (log != NULL && log != user) {
        gstr g;
        struct acl_strlist *w;
        gstr_init(&g, acl_conn_arena(c));
        if (st->log_prefix != NULL && st->log_prefix[0] != '\0')
            gstr_printf(&g, "%s ", st->log_prefix);
        gstr_printf(&g, "Warning: %s", log);
        for (w = st->warn_logged; w != NULL; w = w->next)
            if (strcmp(w->s, gstr_str(&g)) == 0)
                break;
        if (w == NULL) {
            log_write(LOG_MAIN, "%s", gstr_str(&g));
            w = arena_alloc(acl_conn_arena(c), sizeof(*w));
            w->s = gstr_str(&g);
            w->next = st->warn_logged;
            st->warn_logged = w;
        }
    }
    if (user == NULL)
        return;
    if (c->where > ACL_WHERE_NOT_SMTP) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "ACL \"warn\" with \"message\" setting found in a "
                  "non-message (%s) ACL: cannot specify header lines here: "
                  "message ignored",
                  acl_where_name(c->where));
        return;
    }
    acl_add_header(c, user);
}

static const char *
expand_message(struct acl_call *c, const char *raw, const char *verify_msg)
{
    char *out;
    gstr err;
    int rc;

    expand_set_var(c->x, "acl_verify_message", verify_msg);
    gstr_init(&err, c->x->arena);
    rc = expand_string(c->x, raw, &out, &err);
    if (rc == EXPAND_ERROR)
        log_write(LOG_MAIN | LOG_PANIC,
                  "failed to expand ACL message \"%s\": %s", raw,
                  gstr_str(&err));
    return rc == EXPAND_OK && out[0] != '\0' ? out : NULL;
}

/* Which outcomes of each verb use message and log_message. */
static int
msg_wanted(enum acl_verb verb, int rc)
{
    switch (verb) {
    case ACL_ACCEPT:
    case ACL_DISCARD_VERB:
        return rc == ACL_OK || rc == ACL_FAIL || rc == ACL_FAIL_DROP;
    case ACL_REQUIRE:
        return rc == ACL_FAIL || rc == ACL_FAIL_DROP;
    default:
        return rc == ACL_OK;
    }
}

static void
set_messages(struct acl_call *c, int rc, const char *user, const char *log)
{
    const char *old_user = c->user_msg;
    const char *old_log = c->log_msg ? c->log_msg : old_user;

    if (c->verb == ACL_WARN || (rc == ACL_OK && (c->verb == ACL_ACCEPT ||
                                                 c->verb == ACL_DISCARD_VERB)))
        c->user_msg = c->log_msg = NULL;
    if (user != NULL) {
        const char *m = expand_message(c, user, old_user);
        if (m != NULL)
            c->user_msg = m;
    }
    if (log != NULL) {
        const char *m = expand_message(c, log, old_log);
        if (m != NULL)
            c->log_msg =
                c->log_msg == NULL
                    ? m
                    : arena_printf(c->x->arena, "%s: %s", m, c->log_msg);
    }
    if (c->log_msg == NULL)
        c->log_msg = c->user_msg;
}

const char *
acl_expand_error(struct acl_call *c, const char *in, const char *msg)
{
    return arena_printf(c->x->arena, "failed to expand ACL string \"%s\": %s",
                        in, msg);
}

/* The variable keeps the taint of the expansion that made its value
 * (Exim writes it "--aclm" to the spool). */
static int
do_set(struct acl_call *c, const struct acl_cond *cd, const char *value,
       int tainted)
{
    struct arena *saved = c->x->arena;

    if (cd->varname[4] == 'c')
        c->x->arena = acl_conn_arena(c);
    expand_set_acl_var_taint(c->x, cd->varname, value, tainted);
    c->x->arena = saved;
    return ACL_OK;
}

/* One condition or modifier; ACL_OK when true. */
static int
eval_cond(struct acl_call *c, const struct acl_cond *cd)
{
    const char *arg = cd->arg;
    int rc, tainted = 0;

    c->file = cd->file;
    c->line = cd->line;
    if (cd->def->flags & ACL_CD_EXPAND) {
        char *out;
        gstr err;
        gstr_init(&err, c->x->arena);
        rc = expand_string(c->x, cd->arg, &out, &err);
        if (rc == EXPAND_FAIL)
            return -1; /* forced failure: the condition is ignored */
        if (rc != EXPAND_OK) {
            c->log_msg = acl_expand_error(c, cd->arg, gstr_str(&err));
            return ACL_ERROR;
        }
        arg = out;
        tainted = c->x->tainted;
    }
    if (acl_trace) {
        /* Exim's "check NAME = ARG", and the expanded value under it */
        char *lhs = arena_printf(
            c->x->arena, "check %s%s %s%s",
            !(cd->def->flags & ACL_CD_MODIFIER) && cd->negated ? "!" : "",
            cd->def->name, cd->varname ? cd->varname : "",
            cd->varname ? " " : "");
        trace("%s= %s", lhs, cd->arg);
        if (strcmp(arg, cd->arg) != 0)
            trace("%*s= %s", (int)strlen(lhs), "", arg);
    }
    if (cd->def->forbidden & ACL_BIT(c->where)) {
        c->log_msg =
            arena_printf(c->x->arena, "cannot %s %s condition in %s ACL",
                         cd->def->flags & ACL_CD_MODIFIER ? "use" : "test",
                         cd->def->name, acl_where_name(c->where));
        return ACL_ERROR;
    }
    if (cd->def == &acl_cond_set)
        return do_set(c, cd, arg, tainted);
    rc = cd->def->eval(c, arg);
    if (strcmp(cd->def->name, "verify") == 0 && c->user_msg != NULL) {
        expand_set_var(c->x, "acl_verify_message", c->user_msg);
        if (c->verb == ACL_WARN)
            c->user_msg = NULL;
    }
    if (!(cd->def->flags & ACL_CD_MODIFIER) && cd->negated) {
        if (rc == ACL_OK)
            rc = ACL_FAIL;
        else if (rc == ACL_FAIL || rc == ACL_FAIL_DROP)
            rc = ACL_OK;
    }
    return rc;
}

/* A statement's conditions; *endpass is set if endpass was passed. */
static int
eval_stmt(struct acl_call *c, const struct acl_stmt *s, int *endpass)
{
    const char *user = NULL, *log = NULL;
    int rc = ACL_OK;

    for (const struct acl_cond *cd = s->conds; cd != NULL; cd = cd->next) {
        if (cd->def == &acl_cond_message) {
            user = cd->arg;
            trace("  message: %s", cd->arg);
            continue;
        }
        if (cd->def == &acl_cond_log_message) {
            log = cd->arg;
            trace("l_message: %s", cd->arg);
            continue;
        }
        if (cd->def == &acl_cond_endpass) {
            *endpass = 1;
            continue;
        }
        rc = eval_cond(c, cd);
        if (rc == -1) {
            rc = ACL_OK;
            continue;
        }
        if (rc == ACL_ERROR)
            return rc;
        if (rc != ACL_OK)
            break;
    }
    if (*endpass && rc == ACL_OK)
        user = NULL;
    if (msg_wanted(c->verb, rc))
        set_messages(c, rc, user, log);
    return rc;
}

static int
bad_quit(struct acl_call *c, const struct acl_stmt *s)
{
    c->log_msg = arena_printf(c->x->arena,
                              "QUIT or not-QUIT toplevel ACL may not fail "
                              "('%s' verb used incorrectly)",
                              acl_verb_name(s->verb));
    c->file = s->file;
    c->line = s->line;
    return ACL_ERROR;
}

static void
warn_skipped(struct acl_call *c, const struct acl_parsed *acl,
             const struct acl_stmt *s)
{
    if (!log_selected(LS_acl_warn_skipped))
        return;
    log_write(LOG_MAIN,
              "%s%sWarning: ACL 'warn' statement skipped (in %s at line %d "
              "of %s): condition test deferred%s%s",
              c->st->log_prefix ? c->st->log_prefix : "",
              c->st->log_prefix && c->st->log_prefix[0] ? " " : "", acl->name,
              s->line, s->file, c->log_msg ? ": " : "",
              c->log_msg ? c->log_msg : "");
}

/* The verb's decision: an acl_rc to return, or -1 for the next
 * statement. */
static int
verb_decides(struct acl_call *c, const struct acl_parsed *acl,
             const struct acl_stmt *s, int cond, int endpass)
{
    int quit = c->level == 0 &&
               (c->where == ACL_WHERE_QUIT || c->where == ACL_WHERE_NOTQUIT);

    switch (s->verb) {
    case ACL_ACCEPT:
        if (cond == ACL_OK || cond == ACL_DISCARD)
            return cond;
        return endpass ? cond : -1;
    case ACL_DEFER_VERB:
        if (cond != ACL_OK)
            return -1;
        if (quit)
            return bad_quit(c, s);
        c->st->temp_details = 1;
        return ACL_DEFER;
    case ACL_DENY:
        if (cond != ACL_OK)
            return -1;
        return quit ? bad_quit(c, s) : ACL_FAIL;
    case ACL_DISCARD_VERB:
        if (cond == ACL_OK || cond == ACL_DISCARD)
            return quit ? bad_quit(c, s) : ACL_DISCARD;
        return endpass ? cond : -1;
    case ACL_DROP:
        if (cond != ACL_OK)
            return -1;
        return quit ? bad_quit(c, s) : ACL_FAIL_DROP;
    case ACL_REQUIRE:
        if (cond == ACL_OK)
            return -1;
        return quit ? bad_quit(c, s) : cond;
    case ACL_WARN:
        if (cond == ACL_OK)
            warn_obey(c, c->user_msg, c->log_msg);
        else if (cond == ACL_DEFER)
            warn_skipped(c, acl, s);
        c->user_msg = c->log_msg = NULL;
        return -1;
    }
    return -1;
}

/* The -bh trace of a statement's outcome and, when it ends the ACL,
 * of the ACL's, in Exim's words. */
static void
trace_outcome(const struct acl_parsed *acl, const struct acl_stmt *s, int cond,
              int r)
{
    const char *verb = acl_verb_name(s->verb);

    switch (cond) {
    case ACL_OK:
        trace("%s: condition test succeeded in %s", verb, acl->name);
        break;
    case ACL_DEFER:
        trace("%s: condition test deferred in %s", verb, acl->name);
        return;
    case ACL_ERROR:
        trace("%s: condition test error in %s", verb, acl->name);
        return;
    case ACL_DISCARD:
        trace("%s: condition test yielded \"discard\" in %s", verb, acl->name);
        break;
    case ACL_FAIL_DROP:
        trace("%s: condition test yielded \"drop\" in %s", verb, acl->name);
        break;
    default:
        trace("%s: condition test failed in %s", verb, acl->name);
        break;
    }
    if (r < 0)
        return;
    switch (s->verb) {
    case ACL_ACCEPT:
        if (cond == ACL_OK)
            trace("end of %s: ACCEPT", acl->name);
        else if (cond != ACL_DISCARD)
            trace("accept: endpass encountered - denying access");
        break;
    case ACL_DEFER_VERB:
        trace("end of %s: DEFER", acl->name);
        break;
    case ACL_DENY:
        trace("end of %s: DENY", acl->name);
        break;
    case ACL_DISCARD_VERB:
        if (cond == ACL_OK || cond == ACL_DISCARD)
            trace("end of %s: DISCARD", acl->name);
        else
            trace("discard: endpass encountered - denying access");
        break;
    case ACL_DROP:
        trace("end of %s: DROP", acl->name);
        break;
    case ACL_REQUIRE:
        trace("end of %s: not OK", acl->name);
        break;
    case ACL_WARN:
        break;
    }
}

int
acl_run_parsed(struct acl_call *c, struct acl_parsed *acl)
{
    if (strncmp(acl->name, "ACL ", 4) == 0 && acl->name[4] != '/')
        trace("using ACL \"%s\"", acl->name + 4);
    for (const struct acl_stmt *s = acl->stmts; s != NULL; s = s->next) {
        int endpass = 0, cond, r;

        c->user_msg = c->log_msg = NULL;
        c->verb = s->verb;
        c->file = s->file;
        c->line = s->line;
        c->st->temp_details = 0;
        trace("processing %s \"%s\" (%s %d)", acl->name, acl_verb_name(s->verb),
              s->file ? s->file : "", s->line);
        cond = eval_stmt(c, s, &endpass);
        if (cond == ACL_ERROR || (cond == ACL_DEFER && s->verb != ACL_WARN)) {
            trace_outcome(acl, s, cond, -1);
            return cond;
        }
        r = verb_decides(c, acl, s, cond, endpass);
        trace_outcome(acl, s, cond, r);
        if (r >= 0)
            return r;
    }
    trace("end of %s: implicit DENY", acl->name);
    return ACL_FAIL; /* the implicit deny at the end */
}

/* $acl_arg1..9 and $acl_narg for a nested ACL, restored afterwards. */
int
acl_run_args(struct acl_call *c, const char *name, char *const *args, int nargs)
{
    static const char *const argnames[9] = {"acl_arg1", "acl_arg2", "acl_arg3",
                                            "acl_arg4", "acl_arg5", "acl_arg6",
                                            "acl_arg7", "acl_arg8", "acl_arg9"};
    const char *saved[9], *saved_n;
    int rc;

    if (nargs > 9)
        nargs = 9;
    saved_n = expand_get_var(c->x, "acl_narg");
    for (int i = 0; i < 9; i++) {
        saved[i] = expand_get_var(c->x, argnames[i]);
        expand_set_var(c->x, argnames[i], i < nargs ? args[i] : NULL);
    }
    expand_set_var(c->x, "acl_narg", arena_printf(c->x->arena, "%d", nargs));
    rc = acl_run_value(c, name);
    for (int i = 0; i < 9; i++)
        expand_set_var(c->x, argnames[i], saved[i]);
    expand_set_var(c->x, "acl_narg", saved_n);
    return rc;
}

/* A value that has been expanded: find the ACL and run it one level
 * down. Used by "acl =". */
int
acl_run_value(struct acl_call *parent, const char *value)
{
    struct acl_call c = *parent;
    struct acl_parsed *acl;
    gstr err;
    int rc;

    if (parent->level + 1 > ACL_MAX_LEVEL) {
        parent->log_msg = "ACL nested too deep: possible loop";
        return ACL_ERROR;
    }
    gstr_init(&err, parent->x->arena);
    if ((acl = acl_find(parent->x, value, &err)) == NULL) {
        parent->log_msg = gstr_str(&err);
        parent->file = NULL;
        return ACL_ERROR;
    }
    c.level = parent->level + 1;
    rc = acl_run_parsed(&c, acl);
    parent->user_msg = c.user_msg;
    parent->log_msg = c.log_msg;
    if (rc == ACL_ERROR) {
        parent->file = c.file;
        parent->line = c.line;
    }
    return rc;
}

static int
default_rc(enum acl_where where)
{
    switch (where) {
    case ACL_WHERE_RCPT:
    case ACL_WHERE_VRFY:
    case ACL_WHERE_EXPN:
    case ACL_WHERE_ETRN:
        return ACL_FAIL;
    default:
        return ACL_OK;
    }
}

static void
set_recipient_vars(struct expand_ctx *x, const char *r)
{
    const char *at = strrchr(r, '@');
    char *lp = arena_strndup(x->arena, r, at ? (size_t)(at - r) : strlen(r));
    char *dom = arena_strdup(x->arena, at ? at + 1 : "");

    for (char *p = lp; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    for (char *p = dom; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    expand_set_var(x, "local_part", lp);
    expand_set_var(x, "domain", dom);
}

static int
finish(struct acl_call *c, int rc, gstr *err)
{
    c->st->user_message = c->user_msg;
    c->st->log_message = c->log_msg;
    if (rc == ACL_ERROR && err != NULL && c->log_msg != NULL) {
        if (c->file != NULL)
            gstr_printf(err, "%s:%d: ", c->file, c->line);
        gstr_adds(err, c->log_msg);
    }
    return rc;
}

int
acl_run(enum acl_where where, const char *option_value, struct expand_ctx *x,
        struct acl_state *st, gstr *err)
{
    struct acl_call c;
    struct acl_parsed *acl;
    char *value;
    gstr xerr;
    int rc;

    memset(&c, 0, sizeof(c));
    c.where = where;
    c.x = x;
    c.st = st;
    st->user_message = st->log_message = NULL;
    st->log_reject_target = LOG_MAIN | LOG_REJECT;
    st->temp_details = 0;
    st->caseful_local_part = 0;
    if ((where == ACL_WHERE_RCPT || where == ACL_WHERE_VRFY) &&
        st->recipient != NULL)
        set_recipient_vars(x, st->recipient);
    if (option_value == NULL)
        return finish(&c, default_rc(where), err);
    gstr_init(&xerr, x->arena);
    rc = expand_string(x, option_value, &value, &xerr);
    if (rc == EXPAND_FAIL)
        return finish(&c, ACL_OK, err);
    if (rc != EXPAND_OK) {
        c.log_msg = acl_expand_error(&c, option_value, gstr_str(&xerr));
        return finish(&c, ACL_ERROR, err);
    }
    gstr_truncate(&xerr, 0);
    if ((acl = acl_find(x, value, &xerr)) == NULL) {
        c.log_msg = gstr_str(&xerr);
        return finish(&c, ACL_ERROR, err);
    }
    struct acl_call *outer = running;
    running = &c;
    rc = acl_run_parsed(&c, acl);
    running = outer;
    return finish(&c, rc, err);
}

int
acl_expand_hook(struct expand_ctx *x, const char *name, char *const *args,
                int nargs, const char **message, gstr *err)
{
    struct acl_state tmp;
    struct acl_call c;
    int rc;

    memset(&c, 0, sizeof(c));
    if (running != NULL && running->x == x) {
        c = *running;
    } else {
        acl_state_init(&tmp, NULL);
        c.where = ACL_WHERE_UNKNOWN;
        c.x = x;
        c.st = &tmp;
    }
    c.user_msg = c.log_msg = NULL;
    rc = acl_run_args(&c, name, args, nargs);
    *message = c.user_msg;
    if ((rc == ACL_ERROR || rc == ACL_DEFER) && c.log_msg != NULL)
        gstr_adds(err, c.log_msg);
    switch (rc) {
    case ACL_OK:
    case ACL_DISCARD:
        return EXPAND_ACL_ACCEPT;
    case ACL_FAIL:
    case ACL_FAIL_DROP:
        return EXPAND_ACL_DENY;
    case ACL_DEFER:
        return EXPAND_ACL_DEFER;
    default:
        return EXPAND_ACL_ERROR;
    }
}
