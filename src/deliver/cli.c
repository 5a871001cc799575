/*++
 * NAME
 *	cli 3
 * SUMMARY
 *	delivery from the command line, address testing, verification
 * SYNOPSIS
 *	#include "deliver/cli.h"
 *
 *	int	deliver_cli_is_mode(const char *flag)
 *	int	deliver_cli_run(const char *flag, char **ids, int nids)
 *	int	deliver_queue_run(const char *flag)
 *	int	deliver_cli_queue_interval(const char *arg, int *interval,
 *			const char **flag)
 *	int	deliver_cli_address_test(char **addrs, int naddrs,
 *			const char *sender)
 *	void	deliver_verify_init(void)
 * DESCRIPTION
 * .IP "-M id ..., -Mc id ..."
 *	Deliver those messages now, -M frozen ones too ("Unfrozen by
 *	forced delivery"), -Mc not. A message another process holds
 *	prints "Spool file is locked (another process is handling this
 *	message)". An id that is not on the queue is only logged, "ID
 *	Spool file ID-D not found", and the exit status stays 0, as Exim.
 * .IP "-Mg id ..."
 *	Give up: "ID cancelled by USER" is logged and every undelivered
 *	address fails with "delivery cancelled by administrator" (a
 *	bounce goes to the sender), as Exim; nothing is delivered.
 * .IP "-bd -q<time>, -qf<time>, -qff<time>, -qq<time> ..."
 *	The daemon starts such a run every <time>
 *	(deliver_cli_queue_interval() reads the option).
 * .IP "-qq, -qqf, -qqff"
 *	The same in two passes, as Exim's: the first routes every
 *	message and makes only its local deliveries (remote addresses
 *	are deferred without a log line, "SMTP delivery explicitly
 *	queued"); the second is an ordinary run.
 * .IP "-q, -qf, -qff"
 *	One queue run in queue order: every message that is not frozen
 *	(-qff: frozen ones too); messages that are locked are passed
 *	over. -qf and -qff force deliveries past retry times, as -M
 *	and -Mc do (retry(3)). The run is logged "Start queue
 *	run: pid=N" ... "End queue run: pid=N" (with " -qf" and so on).
 * .IP "-R[flags] string, -S[flags] string, -qR..., -qS..."
 *	One queue run over only the messages that have an undelivered
 *	recipient (-R) or a sender (-S) containing the string, in any
 *	case; with the "r" flag the string is a regular expression
 *	(caseless). "f" forces deliveries as -qf does, "ff" thaws too;
 *	without them the first message selected is forced, as Exim does.
 *	All addresses of a selected message are delivered. The run is
 *	logged "Start queue run: pid=N -qf -R string" (the -q part only
 *	with flags).
 * .IP "-bv address ..., -bvs address ..."
 *	Verify each address (or each line of the standard input) as a
 *	recipient (-bvs: as a sender), routing with verify_only routers
 *	as the ACL's "verify" does, and print as Exim does: "addr
 *	verified", "addr failed to verify: message" or "addr cannot be
 *	resolved at this time: message". Status 0, 1 or 2 as for -bt.
 * .IP "-bt address ..."
 *	Route each address (no verify_only routers) and print what
 *	Exim's verify_address() prints with full information: "addr is
 *	undeliverable: message" and "addr cannot be resolved at this
 *	time: message" as they come up, "parent -> |command" with its
 *	transport for pipes and files, then for each address it ends up
 *	as "addr" ("addr   [duplicate, would not be delivered]" when an
 *	earlier one, of any argument, was the same), "    <-- parent"
 *	lines, and "  router = R,
 *	transport = T"; "mail to addr is discarded" when nothing is
 *	left. The sender that "senders" sees is -f's, or the caller's
 *	login at qualify_domain.
 *
 *	deliver_verify_init() sets acl_verify_address_hook so that
 *	"verify = recipient" and "verify = sender" route the address:
 *	true when a router accepts it, or redirects it to several
 *	addresses or a pipe or file (a redirection to one address goes on
 *	to verify that one, as Exim); false with the routing message
 *	("Unrouteable address"), or "Sender verify failed" for the
 *	sender; a deferral defers ("Could not complete sender verify").
 *	The empty sender of a bounce always verifies.
 * DIAGNOSTICS
 *	Malformed ids: "mxlab: malformed message id X after -M option",
 *	status 1.
 *--*/

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "deliver/cli.h"
#include "deliver/deliver.h"
#include "expand/betest.h"
#include "expand/expand.h"
#include "log/log.h"
#include "rewrite/rewrite.h"
#include "receive/addr.h"
#include "route/hosts.h"
#include "route/route.h"
#include "expand/regex.h"
#include "spool/envelope.h"
#include "spool/queue_list.h"
#include "spool/spool_read.h"
#include "spool/spool_path.h"
#include "transport/tpdrivers.h"

int
deliver_cli_is_mode(const char *flag)
{
    static const char *const modes[] = {"-M",   "-Mc", "-Mg",  "-q",   "-qf",
                                        "-qff", "-qq", "-qqf", "-qqff"};

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(flag, modes[i]) == 0)
            return 1;
    return 0;
}

struct qrun {
    unsigned flags;
    int n;
    char (*ids)[MSGID_LEN + 1];
    int cap;
    struct arena *a;
};

static int
queue_collect(const struct queue_entry *e, void *ctx)
{
    struct qrun *q = ctx;

    if (q->n == q->cap) {
        int ncap = q->cap ? q->cap * 2 : 64;
        q->ids = arena_realloc(q->a, q->ids, (size_t)q->cap * sizeof(*q->ids),
                               (size_t)ncap * sizeof(*q->ids));
        q->cap = ncap;
    }
    memcpy(q->ids[q->n++], e->id, MSGID_LEN + 1);
    return 0;
}

struct deliver_select deliver_selection;

int
deliver_cli_select_option(int argc, char **argv, int *i)
{
    static const char *const rsflags[] = {"f", "ff", "r", "rf", "rff"};
    struct deliver_select *d = &deliver_selection;
    const char *a = argv[*i], *rest;
    int kind, regex = 0;

    if (a[0] != '-')
        return 0;
    rest = a + 1 + (a[1] == 'q');
    if (*rest != 'R' && *rest != 'S')
        return 0;
    kind = *rest++;
    for (size_t k = 0; k < sizeof(rsflags) / sizeof(rsflags[0]); k++)
        if (strcmp(rest, rsflags[k]) == 0) {
            regex = *rest == 'r';
            if (strcmp(rest, "r") != 0)
                d->force = 1;
            if (strcmp(rest + regex, "ff") == 0)
                d->thaw = 1;
            rest += strlen(rest);
            break;
        }
    if (*rest == '\0') {
        if (*i + 1 >= argc)
            return -1;
        rest = argv[++*i];
    }
    if (kind == 'R') {
        d->rcpt = rest;
        d->rcpt_regex = regex;
    } else {
        d->sender = rest;
        d->sender_regex = regex;
    }
    return 1;
}

/* 1 if text contains the string (any case), or matches it as a regex */
static int
select_match(const char *text, const char *want, int regex)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int owned, rc;
    gstr err;
    struct arena *a;

    if (!regex)
        return strcasestr(text, want) != NULL;
    a = arena_create();
    gstr_init(&err, a);
    if ((re = expand_regex_compile(want, 1, &err, &owned)) == NULL) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "queue run: bad selection regex "
                  "\"%s\": %s",
                  want, gstr_str(&err));
        arena_destroy(a);
        return 0;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = expand_regex_exec(re, text, strlen(text), 0, md, &err);
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    arena_destroy(a);
    return rc > 0;
}

/* Whether -R/-S select the message. */
static int
selected(struct arena *a, const char *id)
{
    const struct deliver_select *d = &deliver_selection;
    struct spool_msg m;
    gstr err;
    int found = 0;

    if (d->rcpt == NULL && d->sender == NULL)
        return 1;
    gstr_init(&err, a);
    if (spool_read_header(main_config.spool_directory,
                          main_config.split_spool_directory, id, a, &m,
                          &err) != SPOOL_READ_OK)
        return 0;
    if (d->sender != NULL &&
        !select_match(m.sender ? m.sender : "", d->sender, d->sender_regex))
        return 0;
    if (d->rcpt == NULL)
        return 1;
    for (int r = 0; r < m.rcpt_count && !found; r++)
        found = select_match(m.rcpts[r].address, d->rcpt, d->rcpt_regex) &&
                !spool_msg_is_nonrcpt(&m, m.rcpts[r].address);
    return found;
}

static int still_queued(struct arena *a, const char *id);

/* One pass over the queue, in queue order. With -R or -S, only the
 * messages they select, the first of them forced. */
static void
queue_pass(struct qrun *q, unsigned flags)
{
    int selecting =
        deliver_selection.rcpt != NULL || deliver_selection.sender != NULL;
    int first = 1;
    gstr err;

    q->n = 0;
    gstr_init(&err, q->a);
    if (spool_queue_scan(main_config.spool_directory,
                         main_config.split_spool_directory, q->a, queue_collect,
                         q, &err) < 0)
        log_write(LOG_MAIN | LOG_PANIC, "queue run: %s", gstr_str(&err));
    for (int i = 0; i < q->n; i++) {
        unsigned f = flags | (selecting && first ? DELIVER_FORCE : 0);
        long lost = smtp_transport_kept_lost();
        if (selecting && !selected(q->a, q->ids[i]))
            continue;
        (void)deliver_message(q->ids[i], f);
        /* Exim sends a message down a kept connection from a process of
         * its own (-MC), then meets it again in the queue run's list:
         * when the connection was found gone, it is tried once more */
        if (smtp_transport_kept_lost() != lost && still_queued(q->a, q->ids[i]))
            (void)deliver_message(q->ids[i], f);
        first = 0;
    }
}

/* 1 if the message's -H is still on the queue. */
static int
still_queued(struct arena *a, const char *id)
{
    struct stat st;
    gstr path;

    gstr_init(&path, a);
    spool_path_file(&path, main_config.spool_directory,
                    main_config.split_spool_directory, "", id, "-H");
    return stat(gstr_str(&path), &st) == 0;
}

/* " -R string", " -Sr string" for the queue run's log lines */
static const char *
select_text(struct arena *a)
{
    const struct deliver_select *d = &deliver_selection;
    gstr g;

    gstr_init(&g, a);
    if (d->rcpt != NULL)
        gstr_printf(&g, " -R%s %s", d->rcpt_regex ? "r" : "", d->rcpt);
    if (d->sender != NULL)
        gstr_printf(&g, " -S%s %s", d->sender_regex ? "r" : "", d->sender);
    return gstr_str(&g);
}

int
deliver_queue_run(const char *flag)
{
    struct qrun q;
    const char *opt = strcmp(flag, "-q") == 0 ? "" : flag;
    int two = strncmp(flag, "-qq", 3) == 0;
    const char *f = flag + 2 + two; /* "", "f" or "ff" */
    const char *sel;

    memset(&q, 0, sizeof(q));
    q.a = arena_create();
    if (deliver_selection.force && *f == '\0')
        f = deliver_selection.thaw ? "ff" : "f";
    if (*opt == '\0' && *f != '\0')
        opt = *f == 'f' && f[1] == 'f' ? "-qff" : "-qf";
    q.flags = DELIVER_QUEUE_RUN |
              (strcmp(f, "ff") == 0 ? DELIVER_FORCE_THAW : 0) |
              (*f == 'f' ? DELIVER_FORCE : 0);
    sel = select_text(q.a);
    if (log_selected(LS_queue_run))
        log_write(LOG_MAIN, "Start queue run: pid=%ld%s%s%s", (long)getpid(),
                  *opt ? " " : "", opt, sel);
    /* -qq: a first pass routes every message and makes the local
     * deliveries only; the second then finds the remote addresses of
     * all messages routed, and messages for one host follow each other
     * down one connection */
    if (two)
        queue_pass(&q, q.flags | DELIVER_2STAGE);
    queue_pass(&q, q.flags);
    smtp_transport_close_idle();
    if (log_selected(LS_queue_run))
        log_write(LOG_MAIN, "End queue run: pid=%ld%s%s%s", (long)getpid(),
                  *opt ? " " : "", opt, sel);
    arena_destroy(q.a);
    return 0;
}

int
deliver_cli_queue_interval(const char *arg, int *interval, const char **flag)
{
    const char *t;
    long secs;

    if (strncmp(arg, "-q", 2) != 0)
        return 0;
    t = arg + 2;
    if (*t == 'q') { /* -qq<time>: two-pass runs */
        static const char *const two[] = {"-qq", "-qqf", "-qqff"};
        t++;
        *flag = two[0];
        if (strncmp(t, "ff", 2) == 0)
            t += 2, *flag = two[2];
        else if (*t == 'f')
            t++, *flag = two[1];
    } else {
        *flag = "-q";
        if (strncmp(t, "ff", 2) == 0)
            t += 2, *flag = "-qff";
        else if (*t == 'f')
            t++, *flag = "-qf";
    }
    if (*t == '\0' || tod_parse_duration(t, &secs) < 0 || secs <= 0 ||
        secs > 86400 * 365)
        return 0;
    *interval = (int)secs;
    return 1;
}

int
deliver_cli_run(const char *flag, char **ids, int nids)
{
    struct arena *a;
    int status = 0;

    if (flag[1] == 'q')
        return deliver_queue_run(flag);
    if (nids == 0) {
        fprintf(stderr, "mxlab: no message ids given after %s option\n", flag);
        return 1;
    }
    a = arena_create();
    for (int i = 0; i < nids; i++) {
        gstr err;
        gstr_init(&err, a);
        if (spool_path_check_id(ids[i], &err) < 0) {
            fprintf(stderr, "mxlab: malformed message id %s after %s option\n",
                    ids[i], flag);
            status = 1;
            continue;
        }
        switch (
            /* -Mc respects frozen messages and retry times, as Exim;
             * -Mg gives up on the message */
            deliver_message(ids[i], flag[2] == 'c' ? 0
                                    : flag[2] == 'g'
                                        ? DELIVER_FORCE_THAW | DELIVER_FORCE |
                                              DELIVER_GIVE_UP
                                        : DELIVER_FORCE_THAW | DELIVER_FORCE)) {
        case DELIVER_FROZEN: /* -Mc leaves frozen messages alone */
            break;
        case DELIVER_LOCKED:
            printf("Spool file for %s is locked (another process is "
                   "handling this message)\n",
                   ids[i]);
            status = 1;
            break;
        case DELIVER_NOT_ATTEMPTED: /* as Exim: logged, exit status 0 */
            log_write(LOG_MAIN, "%s Spool file %s-D not found", ids[i], ids[i]);
            break;
        case DELIVER_ERROR:
            status = 1;
            break;
        case DELIVER_ATTEMPTED:
            break;
        }
    }
    fflush(stdout);
    arena_destroy(a);
    return status;
}

static void
print_parents_inline(gstr *out, const struct address *a)
{
    for (const struct address *p = a->parent; p != NULL; p = p->parent)
        gstr_printf(out, "\n    <-- %s", p->address);
}

static void
print_problem(gstr *out, const struct address *a, const char *what)
{
    gstr_printf(out, "%s %s", a->address, what);
    if (a->basic_errno > 0)
        gstr_printf(out, ": %s", strerror(a->basic_errno));
    if (a->message != NULL)
        gstr_printf(out, ": %s", a->message);
    else if (a->basic_errno <= 0 && strcmp(what, "is undeliverable") != 0)
        gstr_adds(out, ": unknown error");
    print_parents_inline(out, a);
    gstr_addc(out, '\n');
}

/* The addresses -bt has shown so far, over all its arguments (Exim's
 * tree of duplicates): a second one "would not be delivered". */
struct bt_seen {
    const char *unique;
    struct bt_seen *next;
};

static int
bt_duplicate(struct arena *ar, struct bt_seen **seen, const struct address *a)
{
    const char *key = a->unique != NULL ? a->unique : a->address;
    struct bt_seen *s;

    /* Exim's -bt keys have no homonym prefix ("\N\") */
    if (key[0] == '\\' && key[1] != '\0' && key[2] == '\\')
        key += 3;
    for (s = *seen; s != NULL; s = s->next)
        if (strcmp(s->unique, key) == 0)
            return 1;
    s = arena_alloc(ar, sizeof(*s));
    s->unique = key;
    s->next = *seen;
    *seen = s;
    return 0;
}

/* Routes one -bt address and its descendants as Exim's verify_address()
 * with full information does: failures, deferrals and pipes or files as
 * they come up, then the routed addresses (in Exim's order). Returns
 * 0, 1 or 2. */
/* The address through the rewrite rules for envelope recipients (T) or
 * senders (F), as Exim's verify_address() rewrites it before routing it;
 * a itself when they do not change it. note (when not NULL) gets Exim's
 * "Address rewritten as: NEW" line. */
static struct address *
rewritten(struct arena *ar, struct expand_ctx *x, struct address *a,
          int as_sender, gstr *note)
{
    const struct rewrite_rules *rr = rewrite_global();
    unsigned flag = as_sender ? RW_ENVFROM : RW_ENVTO;
    const char *n;

    if (!(rr->existflags & flag) || *a->address == '\0')
        return a;
    n = rewrite_one(x, rr, a->address, flag, NULL);
    if (n == a->address)
        return a;
    if (note != NULL)
        gstr_printf(note, "Address rewritten as: %s\n", n);
    return address_new(ar, n, main_config.qualify_domain);
}

static int
test_one(struct arena *ar, struct expand_ctx *x, const char *text,
         const char *sender, struct bt_seen **seen, gstr *out)
{
    struct route_ctx rc = {ar, x, ROUTE_TEST, sender, NULL, NULL};
    struct address *todo, *routed = NULL, *a;
    int status = 0, allok = 1;

    todo = address_new(ar, text,
                       main_config.qualify_recipient
                           ? main_config.qualify_recipient
                           : main_config.qualify_domain);
    todo = rewritten(ar, x, todo, 0, out);
    while ((a = todo) != NULL) {
        struct address *more = NULL, *last;

        todo = a->next;
        a->next = NULL;
        if (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) {
            allok = 0;
            gstr_printf(out, "%s -> %s", a->parent->address, a->address);
            if (a->flags & ADDR_FORBIDDEN) {
                gstr_adds(out, " *** forbidden ***\n");
                continue;
            }
            gstr_addc(out, '\n');
            if (a->transport != NULL)
                gstr_printf(out, "  transport = %s\n", a->transport->name);
            else
                gstr_printf(out,
                            "*** Error in setting up pipe, file, or "
                            "autoreply:\n%s\n",
                            a->message ? a->message : "");
            continue;
        }
        switch (route_address(&rc, a, &more)) {
        case ROUTE_OK:
            a->next = routed;
            routed = a;
            break;
        case ROUTE_REROUTED:
        case ROUTE_DISCARD:
            break;
        case ROUTE_FAIL:
            allok = 0;
            print_problem(out, a, "is undeliverable");
            status = 2;
            break;
        default:
            allok = 0;
            print_problem(out, a, "cannot be resolved at this time");
            if (status == 0)
                status = 1;
            break;
        }
        /* Exim puts what routing generated in front of the rest */
        if (more != NULL) {
            for (last = more; last->next != NULL; last = last->next)
                ;
            last->next = todo;
            todo = more;
        }
    }
    if (allok && routed == NULL)
        gstr_printf(out, "mail to %s is discarded\n", text);
    for (a = routed; a != NULL; a = a->next) {
        gstr_printf(out, "%s", a->address);
        if (bt_duplicate(ar, seen, a))
            gstr_adds(out, "   [duplicate, would not be delivered]");
        print_parents_inline(out, a);
        gstr_printf(out, "\n  router = %s, transport = %s\n",
                    a->router ? a->router->name : "unset",
                    a->transport ? a->transport->name : "unset");
        if (a->hosts != NULL && a->transport != NULL &&
            !smtp_transport_overrides_hosts(a->transport))
            host_list_print(out, a->hosts);
    }
    return status;
}

static const char *
caller_address(struct arena *a)
{
    struct passwd *pw = getpwuid(getuid());

    return arena_printf(a, "%s@%s", pw ? pw->pw_name : "unknown",
                        main_config.qualify_domain);
}

int
deliver_cli_address_test(char **addrs, int naddrs, const char *sender)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    gstr out;
    int status = 0;
    struct bt_seen *seen = NULL;

    gstr_init(&out, a);
    expand_ctx_init(&x, a);
    if (sender == NULL)
        sender = caller_address(a);
    expand_set_var(&x, "sender_address", sender);
    for (int i = 0; i < naddrs; i++) {
        int s = test_one(a, &x, addrs[i], sender, &seen, &out);
        if (s > status)
            status = s;
    }
    if (naddrs == 0) {
        /* as Exim: one address a line from stdin, each after a prompt */
        char *line;
        while ((line = test_read_line(a)) != NULL) {
            int s = test_one(a, &x, line, sender, &seen, &out);
            if (s > status)
                status = s;
            fputs(gstr_str(&out), stdout);
            fflush(stdout);
            gstr_truncate(&out, 0);
        }
    }
    fputs(gstr_str(&out), stdout);
    fflush(stdout);
    arena_destroy(a);
    return status;
}

/* -bv, -bvs: one address, as Exim's verify_address() prints it
 * without full information. Returns 0, 1 (deferred) or 2 (failed). */
/* Routes *a for verification. As Exim: a redirection to one address
 * goes on to verify that address (which *a becomes); one to several, or
 * to a pipe or file, verifies. */
static enum route_rc
verify_route(struct route_ctx *rc, struct address **a)
{
    struct address *more = NULL;
    enum route_rc r = ROUTE_FAIL;

    for (int depth = 0; depth < 100; depth++) {
        r = route_address(rc, *a, &more);
        if (r != ROUTE_REROUTED || more == NULL || more->next != NULL ||
            (more->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
            break;
        *a = more;
        more = NULL;
    }
    return r;
}

static int
verify_one(struct arena *ar, struct expand_ctx *x, const char *text,
           int as_sender, const char *sender)
{
    struct route_ctx rc;
    struct address *a;
    enum route_rc r;
    const char *why = NULL;
    int has_domain = 0;
    char *addr = addr_extract(ar, text, strlen(text), &has_domain, &why);
    gstr note;

    if (addr == NULL || *addr == '\0') {
        printf("syntax error: %s\n", why ? why : "empty address");
        return 2;
    }
    memset(&rc, 0, sizeof(rc));
    rc.arena = ar;
    rc.x = x;
    rc.mode = as_sender ? ROUTE_VERIFY_SENDER : ROUTE_VERIFY_RECIPIENT;
    rc.sender = sender;
    a = address_new(ar, addr, main_config.qualify_domain);
    gstr_init(&note, ar);
    a = rewritten(ar, x, a, as_sender, &note);
    fputs(gstr_str(&note), stdout);
    addr = a->address;
    r = verify_route(&rc, &a);
    if (r == ROUTE_OK || r == ROUTE_DISCARD || r == ROUTE_REROUTED) {
        printf("%s verified\n", addr);
        return 0;
    }
    printf("%s %s", addr,
           r == ROUTE_FAIL ? "failed to verify"
                           : "cannot be resolved at this time");
    if (a->basic_errno > 0)
        printf(": %s", strerror(a->basic_errno));
    if (a->message != NULL)
        printf(": %s", a->message);
    else if (r != ROUTE_FAIL && a->basic_errno <= 0)
        printf(": unknown error");
    printf("\n");
    return r == ROUTE_FAIL ? 2 : 1;
}

int
deliver_cli_verify(char **addrs, int naddrs, int as_sender, const char *sender)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    int status = 0;
    char *line = NULL;

    expand_ctx_init(&x, a);
    if (sender == NULL)
        sender = caller_address(a);
    expand_set_var(&x, "sender_address", sender);
    /* without addresses, as Exim: one a line from stdin, each after a
     * prompt (an empty line is an empty address) */
    for (int i = 0;
         i < naddrs || (naddrs == 0 && (line = test_read_line(a)) != NULL);
         i++) {
        int st =
            verify_one(a, &x, naddrs == 0 ? line : addrs[i], as_sender, sender);
        if (st == 2 || (st == 1 && status == 0))
            status = st;
        fflush(stdout);
    }
    arena_destroy(a);
    return status;
}

/* Exim's verify_address() on the message's sender: the rewritten
 * address becomes $sender_address from here on (the SMTP layer then
 * gives it to the message, which does not rewrite it again). */
static void
keep_rewritten_sender(struct acl_call *c, const char *given, const char *new)
{
    struct expand_ctx *x = c->x;
    const char *sender = expand_get_var(x, "sender_address");
    const char *at = strrchr(new, '@');
    struct arena *ca = c->st->conn_arena != NULL ? c->st->conn_arena : x->arena;

    if (sender == NULL || strcmp(sender, given) != 0)
        return;
    if (c->st->sender_unrewritten == NULL)
        c->st->sender_unrewritten = arena_strdup(ca, given);
    expand_set_var(x, "sender_address", new);
    expand_set_var(x, "sender_address_domain", at ? at + 1 : "");
    expand_set_var(x, "sender_address_local_part",
                   at ? arena_strndup(x->arena, new, (size_t)(at - new)) : new);
}

static int
verify_address(struct acl_call *c, int is_sender, const char *address,
               const char *options)
{
    struct route_ctx rc;
    struct address *a, *given;
    enum route_rc r;
    const char *old_lp = expand_get_var(c->x, "local_part");
    const char *old_domain = expand_get_var(c->x, "domain");

    (void)options;
    if (address == NULL || *address == '\0')
        return is_sender ? ACL_OK : ACL_FAIL;
    memset(&rc, 0, sizeof(rc));
    rc.arena = c->x->arena;
    rc.x = c->x;
    rc.mode = is_sender ? ROUTE_VERIFY_SENDER : ROUTE_VERIFY_RECIPIENT;
    rc.sender = expand_get_var(c->x, "sender_address");
    a = address_new(rc.arena, address, main_config.qualify_domain);
    given = a;
    a = rewritten(rc.arena, c->x, a, is_sender, NULL);
    if (is_sender && given != a)
        keep_rewritten_sender(c, address, a->address);
    r = verify_route(&rc, &a);
    /* as Exim, $local_part and $domain stay what they were (the
     * recipient's, as given): routing the address does not change them */
    expand_set_var(c->x, "local_part", old_lp);
    expand_set_var(c->x, "domain", old_domain);
    if (r == ROUTE_OK || r == ROUTE_DISCARD || r == ROUTE_REROUTED) {
        expand_set_var(c->x, "address_data", a->address_data);
        return ACL_OK;
    }
    if (is_sender && (c->st->sverify_address == NULL ||
                      strcmp(c->st->sverify_address, a->address) != 0)) {
        /* as Exim's cached sender verification: told once */
        struct arena *ca =
            c->st->conn_arena != NULL ? c->st->conn_arena : c->x->arena;
        c->st->sverify_address = arena_strdup(ca, a->address);
        c->st->sverify_message =
            a->message != NULL ? arena_strdup(ca, a->message) : NULL;
        c->st->sverify_user = r != ROUTE_FAIL ? NULL
                              : a->user_message != NULL
                                  ? arena_strdup(ca, a->user_message)
                                  : c->st->sverify_message;
        c->st->sverify_defer = r != ROUTE_FAIL;
        c->st->sverify_told = 0;
    }
    if (is_sender) {
        c->user_msg = c->log_msg = r == ROUTE_FAIL
                                       ? "Sender verify failed"
                                       : "Could not complete sender verify";
        return r == ROUTE_FAIL ? ACL_FAIL : ACL_DEFER;
    }
    c->log_msg = a->message;
    c->user_msg = a->user_message ? a->user_message : a->message;
    return r == ROUTE_FAIL ? ACL_FAIL : ACL_DEFER;
}

void
deliver_verify_init(void)
{
    acl_verify_address_hook = verify_address;
}
