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
 *	message)".
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
 * .IP "-bt address ..."
 *	Route each address (no verify_only routers) and print what
 *	Exim's verify_address() prints with full information: "addr is
 *	undeliverable: message" and "addr cannot be resolved at this
 *	time: message" as they come up, "parent -> |command" with its
 *	transport for pipes and files, then for each address it ends up
 *	as "addr", "    <-- parent" lines, and "  router = R,
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
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "deliver/cli.h"
#include "deliver/deliver.h"
#include "expand/expand.h"
#include "log/log.h"
#include "route/hosts.h"
#include "route/route.h"
#include "spool/queue_list.h"
#include "spool/spool_path.h"
#include "transport/tpdrivers.h"

int
deliver_cli_is_mode(const char *flag)
{
    static const char *const modes[] = {"-M",   "-Mc", "-q",   "-qf",
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

/* One pass over the queue, in queue order. */
static void
queue_pass(struct qrun *q, unsigned flags)
{
    gstr err;

    q->n = 0;
    gstr_init(&err, q->a);
    if (spool_queue_scan(main_config.spool_directory,
                         main_config.split_spool_directory, q->a, queue_collect,
                         q, &err) < 0)
        log_write(LOG_MAIN | LOG_PANIC, "queue run: %s", gstr_str(&err));
    for (int i = 0; i < q->n; i++)
        (void)deliver_message(q->ids[i], flags);
}

int
deliver_queue_run(const char *flag)
{
    struct qrun q;
    const char *opt = strcmp(flag, "-q") == 0 ? "" : flag;
    int two = strncmp(flag, "-qq", 3) == 0;
    const char *f = flag + 2 + two; /* "", "f" or "ff" */

    memset(&q, 0, sizeof(q));
    q.a = arena_create();
    q.flags = DELIVER_QUEUE_RUN |
              (strcmp(f, "ff") == 0 ? DELIVER_FORCE_THAW : 0) |
              (*f == 'f' ? DELIVER_FORCE : 0);
    log_write(LOG_MAIN, "Start queue run: pid=%ld%s%s", (long)getpid(),
              *opt ? " " : "", opt);
    /* -qq: a first pass routes every message and makes the local
     * deliveries only; the second then finds the remote addresses of
     * all messages routed, and messages for one host follow each other
     * down one connection */
    if (two)
        queue_pass(&q, q.flags | DELIVER_2STAGE);
    queue_pass(&q, q.flags);
    smtp_transport_close_idle();
    log_write(LOG_MAIN, "End queue run: pid=%ld%s%s", (long)getpid(),
              *opt ? " " : "", opt);
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
            /* -Mc respects frozen messages and retry times, as Exim */
            deliver_message(ids[i], flag[2] == 'c'
                                        ? 0
                                        : DELIVER_FORCE_THAW | DELIVER_FORCE)) {
        case DELIVER_FROZEN: /* -Mc leaves frozen messages alone */
            break;
        case DELIVER_LOCKED:
            printf("Spool file for %s is locked (another process is "
                   "handling this message)\n",
                   ids[i]);
            status = 1;
            break;
        case DELIVER_NOT_ATTEMPTED:
            printf("Spool data file for %s does not exist\n", ids[i]);
            status = 1;
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

/* Routes one -bt address and its descendants as Exim's verify_address()
 * with full information does: failures, deferrals and pipes or files as
 * they come up, then the routed addresses (in Exim's order). Returns
 * 0, 1 or 2. */
static int
test_one(struct arena *ar, struct expand_ctx *x, const char *text,
         const char *sender, gstr *out)
{
    struct route_ctx rc = {ar, x, ROUTE_TEST, sender, NULL, NULL};
    struct address *todo, *routed = NULL, *a;
    int status = 0, allok = 1;

    todo = address_new(ar, text,
                       main_config.qualify_recipient
                           ? main_config.qualify_recipient
                           : main_config.qualify_domain);
    while ((a = todo) != NULL) {
        struct address *more = NULL, *last;

        todo = a->next;
        a->next = NULL;
        if (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) {
            allok = 0;
            gstr_printf(out, "%s -> %s\n", a->parent->address, a->address);
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

    gstr_init(&out, a);
    expand_ctx_init(&x, a);
    if (sender == NULL)
        sender = caller_address(a);
    expand_set_var(&x, "sender_address", sender);
    for (int i = 0; i < naddrs; i++) {
        int s = test_one(a, &x, addrs[i], sender, &out);
        if (s > status)
            status = s;
    }
    fputs(gstr_str(&out), stdout);
    fflush(stdout);
    arena_destroy(a);
    return status;
}

static int
verify_address(struct acl_call *c, int is_sender, const char *address,
               const char *options)
{
    struct route_ctx rc;
    struct address *a, *more = NULL;
    enum route_rc r;

    (void)options;
    if (address == NULL || *address == '\0')
        return is_sender ? ACL_OK : ACL_FAIL;
    memset(&rc, 0, sizeof(rc));
    rc.arena = c->x->arena;
    rc.x = c->x;
    rc.mode = is_sender ? ROUTE_VERIFY_SENDER : ROUTE_VERIFY_RECIPIENT;
    rc.sender = expand_get_var(c->x, "sender_address");
    a = address_new(rc.arena, address, main_config.qualify_domain);
    /* As Exim: a redirection to one address goes on to verify that
     * address; one to several, or to a pipe or file, verifies. */
    for (int depth = 0; depth < 100; depth++) {
        r = route_address(&rc, a, &more);
        if (r != ROUTE_REROUTED || more == NULL || more->next != NULL ||
            (more->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
            break;
        a = more;
        more = NULL;
    }
    if (r == ROUTE_OK || r == ROUTE_DISCARD || r == ROUTE_REROUTED) {
        expand_set_var(c->x, "address_data", a->address_data);
        return ACL_OK;
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
