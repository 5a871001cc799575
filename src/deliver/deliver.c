/*++
 * NAME
 *	deliver 3
 * SUMMARY
 *	delivering one message from the spool
 * SYNOPSIS
 *	#include "deliver/deliver.h"
 *
 *	enum deliver_result deliver_message(const char *id,
 *			unsigned flags)
 *	void	deliver_after_reception(const char *id, int wait_for)
 * DESCRIPTION
 *	deliver_message() is one delivery attempt, as Exim's
 *	deliver_message():
 * .IP 1.
 *	The -D file is locked (a message another process holds is left
 *	alone) and the -H read; addresses in the -J journal, left by a
 *	run that was interrupted, join the non-recipients. A frozen
 *	message is skipped unless DELIVER_FORCE_THAW (-M, -qff), which
 *	logs "Unfrozen by forced delivery"; otherwise "Message is frozen"
 *	(+skip_delivery, on by default). A frozen message from <> older
 *	than ignore_bounce_errors_after is thawed ("Unfrozen by errmsg
 *	timer"); a failure then is ignored, not frozen (bounce(3)).
 * .IP 2.
 *	Each recipient that is not a non-recipient is routed
 *	(route_address()); generated addresses are routed in turn, and
 *	those already delivered (by key, address_unique) are skipped. An
 *	address whose key was already routed in this run is a duplicate:
 *	it is not delivered again, and is done when its original is. The
 *	order is Exim's (see route_all()).
 * .IP 3.
 *	Each routed address is handed to its transport, one at a time in
 *	this process, the local ones first (local_first(), as Exim); a
 *	remote transport (smtp) gets, with an address,
 *	every other one for the same hosts, return path and header
 *	changes (gather_remote(), as Exim's do_remote_deliveries()).
 *	After a delivery succeeds its key is appended to the -J file
 *	and fsync()ed, and only then is "=>" logged, so that a crash
 *	repeats a delivery only if it falls between the success and that
 *	write: a remote transport reports the server's acceptance at
 *	once (transport_call.delivered, before its QUIT), and a local
 *	transport's process run as another user writes its own entry
 *	(deliver_uid.c), so that it is made even if this process is
 *	killed meanwhile.
 * .IP 4.
 *	Failures are logged "**" (deliver_bounce_hook(), bounce(3),
 *	reports them), deferrals "==". A recipient whose addresses are all
 *	delivered, failed or discarded joins the non-recipients. The
 *	reports this made (bounce, delay warning, success DSN) are
 *	delivered next, as Exim's waiting for its child does under -odi;
 *	without -odi (a queue run, -M, the daemon) Exim's child delivers
 *	them in the background, so they are delivered after the message
 *	is closed. When no
 *	recipient is left, "Completed" is logged and the -H, -D, -J and
 *	message log are removed; otherwise the -H is rewritten with the
 *	new non-recipients and the -J removed.
 *
 *	Under -N (the -H's -N flag, or -N on the command line) nothing is
 *	run: "*>" is logged for what would have been delivered, and the
 *	message is then complete.
 *
 *	deliver_after_reception() starts a delivery process for a message
 *	just accepted (fork; the parent goes on), or delivers in the
 *	foreground; a reception process that dropped root asks its root
 *	parent to do that instead (handoff(3)). deliver_should_queue() says
 *whether a new message is to wait instead: -odq, a path in queue_only_file
 *that exists (even under -odi or -odb, as Exim), or queue_only unless -odi
 *or -odb override it.
 * DIAGNOSTICS
 *	Spool read errors are logged to the main and panic logs. The
 *	result says whether a delivery was attempted.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "deliver/bounce.h"
#include "deliver/deliver.h"
#include "deliver/deliver_int.h"
#include "deliver/notice.h"
#include "dns/dns.h"
#include "expand/expand.h"
#include "log/log.h"
#include "priv/handoff.h"
#include "retry/retry.h"
#include "route/route.h"
#include "spool/envelope.h"
#include "spool/spool_lock.h"
#include "spool/spool_path.h"
#include "spool/spool_read.h"
#include "spool/spool_write.h"
#include "spool/tree.h"
#include "transport/tpcall.h"
#include "transport/tpdrivers.h"

void (*deliver_bounce_hook)(struct spool_msg *m,
                            struct address *failed) = bounce_send;

/* Appends addr's list to *tail. */
static void
list_push(struct address ***tail, struct address *a)
{
    a->next = NULL;
    **tail = a;
    *tail = &a->next;
}

/* Appends line (the keys, each ending in LF) to the -J file fd and
 * fsync()s it: 0, or -1 with errno set. */
static int
journal_write_line(int fd, const gstr *line)
{
    if (line->len == 0)
        return 0;
    if (write(fd, line->s, line->len) != (ssize_t)line->len) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return fsync(fd);
}

/* The keys of the delivered addresses of a batch (linked by next) that
 * are not there yet, appended to the -J file fd with one write() and one
 * fsync(): 0, or -1 with errno set. Used by the delivery process and by
 * a local transport's process (deliver_uid.c), which journals its own
 * successes. */
int
deliver_journal_write(int fd, const struct address *batch, struct arena *a)
{
    gstr line;

    gstr_init(&line, a);
    for (const struct address *x = batch; x != NULL; x = x->next)
        if (x->result == ADDR_OK && !(x->flags & ADDR_JOURNALED))
            gstr_printf(&line, "%s\n", x->unique);
    return journal_write_line(fd, &line);
}

/* Opens the -J file for appending, once per delivery. */
static int
journal_open(struct dlv *d)
{
    gstr path;

    if (d->journal_fd >= 0)
        return 0;
    gstr_init(&path, d->a);
    spool_path_file(&path, d->spool_dir, d->split, "", d->m.id, "-J");
    d->journal_fd =
        open(path.s, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (d->journal_fd < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s failed to open journal %s: %s",
                  d->m.id, path.s, strerror(errno));
        return -1;
    }
    return 0;
}

static void
journal_failed(struct dlv *d)
{
    log_write(LOG_MAIN | LOG_PANIC, "%s failed to write journal: %s", d->m.id,
              strerror(errno));
}

/* The batch's successes in the -J file, before any "=>" of the batch is
 * logged. */
static int
journal_add(struct dlv *d, const struct address *batch)
{
    if (journal_open(d) < 0)
        return -1;
    errno = 0;
    if (deliver_journal_write(d->journal_fd, batch, d->a) < 0) {
        journal_failed(d);
        return -1;
    }
    return 0;
}

/* A remote transport's news that a server accepted the message for
 * these addresses (transport_call.delivered): they are journalled at
 * once, so that the window in which a kill makes the server get the
 * message again is the server's reply and one fsync wide, not also the
 * QUIT that follows. */
static void
journal_delivered(void *ctx, struct address *const *addrs, size_t n)
{
    struct dlv *d = ctx;
    gstr line;

    if (journal_open(d) < 0)
        return;
    gstr_init(&line, d->a);
    for (size_t i = 0; i < n; i++)
        gstr_printf(&line, "%s\n", addrs[i]->unique);
    errno = 0;
    if (journal_write_line(d->journal_fd, &line) < 0) {
        journal_failed(d); /* journal_add() tries again */
        return;
    }
    for (size_t i = 0; i < n; i++)
        addrs[i]->flags |= ADDR_JOURNALED;
}

static void
set_message_vars(struct dlv *d)
{
    char num[32];

    expand_ctx_init(&d->x, d->a);
    d->x.msg = &d->xmsg;
    expand_set_var(&d->x, "message_exim_id", d->m.id);
    expand_set_var(&d->x, "message_id", d->m.id);
    expand_set_var(&d->x, "sender_address", d->m.sender);
    expand_set_var(&d->x, "received_protocol", d->m.received_protocol);
    expand_set_var(&d->x, "sender_host_address", d->m.host_address);
    expand_set_var(&d->x, "sender_host_name", d->m.host_name);
    expand_set_var(&d->x, "sender_helo_name", d->m.helo_name);
    expand_set_var(&d->x, "authenticated_id", d->m.auth_id);
    snprintf(num, sizeof(num), "%ld", d->size);
    expand_set_var(&d->x, "message_size", num);
    snprintf(num, sizeof(num), "%ld", (long)d->m.received_sec);
    expand_set_var(&d->x, "received_time", num);
    snprintf(num, sizeof(num), "%ld", (long)(time(NULL) - d->m.received_sec));
    expand_set_var(&d->x, "message_age", num);
    expand_set_var(&d->x, "first_delivery", d->m.deliver_firsttime ? "1" : "0");
    for (struct spool_aclvar *v = d->m.aclvars; v != NULL; v = v->next) {
        char *name = arena_printf(d->a, "acl_%c%s", v->kind, v->name);
        expand_set_acl_var_taint(&d->x, name,
                                 arena_strndup(d->a, v->value, v->len),
                                 v->tainted || v->quoter != NULL);
    }
}

static void
build_expand_message(struct dlv *d)
{
    struct expand_header **tail = &d->xmsg.headers;

    memset(&d->xmsg, 0, sizeof(d->xmsg));
    for (struct spool_header *h = d->m.headers; h != NULL; h = h->next) {
        struct expand_header *x;
        const char *colon;
        if (h->type == '*')
            continue;
        x = arena_alloc(d->a, sizeof(*x));
        memset(x, 0, sizeof(*x));
        x->text = h->text;
        x->len = h->len;
        colon = memchr(h->text, ':', h->len);
        x->name_len = colon ? (size_t)(colon - h->text) : 0;
        *tail = x;
        tail = &x->next;
    }
}

static void remove_file(struct dlv *d, const char *area, const char *suffix);

/* A delivery that completes removes -H, then -J, then -D (close_message),
 * holding the -D lock throughout: the journal outlives the header it
 * amends, and while any of its files is left the -D is there and locked.
 * Killed in between, it leaves the -D (and perhaps the -J) with no -H.
 * With the -D's lock held (locked), no -H means the message is finished
 * (or, a -D alone, was never acknowledged: reception holds the lock until
 * its -H is in place): the files are removed, and 1 returned. Without a
 * -D (not locked), a -J with no -H is what an earlier version, which
 * removed the -D before the -J, left when killed; it is removed too. A -J
 * whose -D is gone is never that of a live delivery now, so a queue run
 * that overlaps a completing delivery no longer takes its files for a
 * dead one's. */
static int
tidy_completed(struct dlv *d, const char *id, int locked)
{
    gstr h, j;
    struct stat st;

    gstr_init(&h, d->a);
    gstr_init(&j, d->a);
    spool_path_file(&h, d->spool_dir, d->split, "", id, "-H");
    spool_path_file(&j, d->spool_dir, d->split, "", id, "-J");
    if (lstat(h.s, &st) == 0 || errno != ENOENT ||
        (!locked && lstat(j.s, &st) != 0))
        return 0;
    snprintf(d->m.id, sizeof(d->m.id), "%s", id);
    remove_file(d, "input", "-D");
    remove_file(d, "input", "-J");
    remove_file(d, "msglog", "");
    log_write(LOG_MAIN,
              "%s removed the -D and -J files of a completed delivery "
              "(no -H)",
              id);
    return 1;
}

static int
open_message(struct dlv *d, const char *id, unsigned flags)
{
    gstr err;
    enum spool_lock_result lr;
    enum spool_read_result rr;
    struct stat st;

    gstr_init(&err, d->a);
    lr = spool_lock_open(d->spool_dir, d->split, id, &d->lock_fd, &err);
    if (lr == SPOOL_LOCK_BUSY)
        return DELIVER_LOCKED;
    if (lr == SPOOL_LOCK_MISSING) {
        (void)tidy_completed(d, id, 0);
        return DELIVER_NOT_ATTEMPTED;
    }
    if (lr != SPOOL_LOCK_OK) {
        log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
        return DELIVER_ERROR;
    }
    /* The -D was unlinked between its open() and the lock: another
     * process (an overlapping queue run) completed the message. */
    if (fstat(d->lock_fd, &st) == 0 && st.st_nlink == 0)
        return DELIVER_NOT_ATTEMPTED;
    rr = spool_read_header(d->spool_dir, d->split, id, d->a, &d->m, &err);
    if (rr == SPOOL_READ_NOTOPEN && tidy_completed(d, id, 1))
        return DELIVER_NOT_ATTEMPTED;
    if (rr != SPOOL_READ_OK ||
        spool_read_journal(d->spool_dir, d->split, id, &d->m, &err) < 0 ||
        spool_open_data(d->spool_dir, d->split, id, &d->data_fd,
                        &d->body_offset, &d->body_size, &err) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "%s spool read error: %s", id,
                  gstr_str(&err));
        return DELIVER_ERROR;
    }
    if (d->m.frozen && bounce_errors_ignored(&d->m)) {
        /* as Exim: an old enough report is tried once more, and a
         * failure then is ignored (bounce(3)) */
        log_write(LOG_MAIN, "%s Unfrozen by errmsg timer", id);
        d->m.frozen = 0;
    } else if (d->m.frozen) {
        if (!(flags & DELIVER_FORCE_THAW)) {
            if (log_selected(LS_skip_delivery)) /* as Exim */
                log_write(LOG_MAIN, "%s Message is frozen", id);
            return DELIVER_FROZEN;
        }
        log_write(LOG_MAIN, "%s Unfrozen by forced delivery", id);
        d->m.frozen = 0;
        d->m.manual_thaw = 1;
    }
    if (deliver_dont_deliver)
        d->m.dont_deliver = 1;
    d->size = (long)d->body_size + (long)spool_msg_header_size(&d->m);
    build_expand_message(d);
    set_message_vars(d);
    return DELIVER_ATTEMPTED;
}

/* Routing an address: its outcome, unless it is routed for delivery
 * (1 is returned then). */
static int
route_one(struct dlv *d, struct route_ctx *rc, struct address *a,
          struct address **more)
{
    enum route_rc r;

    if (retry_route_check(a)) {
        a->result = ADDR_DEFER;
        deliver_log_defer(d, a, 1);
        list_push(&d->done_tail, a);
        return 0;
    }
    r = route_address(rc, a, more);
    if (r != ROUTE_DEFER)
        retry_route_result(a, 0);
    switch (r) {
    case ROUTE_OK:
        return 1;
    case ROUTE_REROUTED:
        a->result = ADDR_PENDING;
        break;
    case ROUTE_DISCARD:
        a->result = ADDR_DISCARD;
        log_write(LOG_MAIN, "%s => :blackhole: <%s> R=%s", d->m.id, a->address,
                  a->router->name);
        break;
    case ROUTE_FAIL:
        a->result = ADDR_FAIL;
        deliver_log_failure(d, a, 1);
        break;
    default:
        a->result = ADDR_DEFER;
        if (a->basic_errno == 0)
            a->basic_errno = -1;
        retry_route_result(a, 1);
        deliver_log_defer(d, a, 1);
        break;
    }
    list_push(&d->done_tail, a);
    return 0;
}

/* Exim's do_duplicate_check() on the routed addresses: a second address
 * with the same key is not delivered, and is done when the first is.
 * Pipes and files were checked before routing. */
static struct address *
drop_duplicates(struct dlv *d, struct address *list)
{
    struct address *keep = NULL, **tail = &keep, *a, *next;
    struct tree_node *seen;

    for (a = list; a != NULL; a = next) {
        next = a->next;
        a->next = NULL;
        if (!(a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) &&
            (seen = tree_search(d->seen, a->unique)) != NULL) {
            a->dupof = seen->value;
            a->result = ADDR_DISCARD;
            list_push(&d->done_tail, a);
            continue;
        }
        if (!(a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
            (void)tree_add(&d->seen, d->a, a->unique, a);
        list_push(&tail, a);
    }
    return keep;
}

/* A pipe or file that its redirect router forbids fails, as Exim's
 * (ERRNO_FORBIDPIPE, ERRNO_FORBIDFILE). */
static void
forbidden(struct dlv *d, struct address *a)
{
    int pipe = (a->flags & ADDR_PIPE) != 0;

    a->result = ADDR_FAIL;
    a->basic_errno = pipe ? -11 : -12;
    a->message =
        pipe ? "delivery to pipe forbidden" : "delivery to file forbidden";
    deliver_log_failure(d, a, 0); /* with T=, as Exim */
    list_push(&d->done_tail, a);
}

/* Routes the recipients, then what routing generates, in Exim's order:
 * each generation ("wave") is taken in order, pipes and files going
 * straight to delivery, the others routed in reverse order; what they
 * generate is the next wave. Routed addresses are delivered in the
 * reverse of the order they were routed in (Exim's addr_local chain),
 * so an unseen router's copy is delivered before the original. */
static void
route_all(struct dlv *d, struct address *wave)
{
    struct route_ctx rc = {d->a,        &d->x, ROUTE_DELIVER,
                           d->m.sender, NULL,  &d->m};
    struct address *local = NULL;

    while (wave != NULL) {
        struct address *to_route = NULL, *next_wave = NULL, *a;

        while ((a = wave) != NULL) {
            struct tree_node *seen;
            wave = a->next;
            if (a->parent != NULL && spool_msg_is_nonrcpt(&d->m, a->unique)) {
                a->result = ADDR_OK; /* delivered by an earlier run */
                list_push(&d->done_tail, a);
            } else if ((a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) &&
                       (seen = tree_search(d->seen, a->unique)) != NULL) {
                /* a duplicate: delivered once, done when the first is */
                a->dupof = seen->value;
                a->result = ADDR_DISCARD;
                list_push(&d->done_tail, a);
            } else if (a->flags & ADDR_FORBIDDEN) {
                (void)tree_add(&d->seen, d->a, a->unique, a);
                forbidden(d, a);
            } else if (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)) {
                (void)tree_add(&d->seen, d->a, a->unique, a);
                a->next = local;
                local = a;
            } else {
                a->next = to_route;
                to_route = a;
            }
        }
        while ((a = to_route) != NULL) {
            struct address *more = NULL, *last;
            to_route = a->next;
            a->next = NULL;
            if (route_one(d, &rc, a, &more)) {
                a->next = local;
                local = a;
            }
            if (more != NULL) {
                for (last = more; last->next != NULL; last = last->next)
                    ;
                last->next = next_wave;
                next_wave = more;
            }
        }
        wave = next_wave;
    }
    d->deliver = drop_duplicates(d, local);
}

static void
set_delivery_vars(struct dlv *d, struct address *a, const char *return_path)
{
    route_set_address_vars(&d->x, a);
    route_set_feature_vars(&d->x, &d->m, a);
    expand_set_var(&d->x, "transport_name", a->transport->name);
    expand_set_var(&d->x, "return_path", return_path);
    expand_set_var(&d->x, "address_file",
                   a->flags & (ADDR_FILE | ADDR_DIRECTORY) ? a->address : NULL);
    expand_set_var(&d->x, "address_pipe",
                   a->flags & ADDR_PIPE ? a->address : NULL);
}

/* The transport's lines for the message log. */
static void
msglog_line(void *ctx, const char *text)
{
    deliver_msglog(ctx, text);
}

/* Runs a's transport. 1 if the successes are in the -J journal already
 * (a local transport's process wrote them there), else 0. */
static int
transport_one(struct dlv *d, struct address *a)
{
    const struct transport_driver *drv;
    struct tp_message tm = {&d->m, d->data_fd, d->body_offset, d->body_size,
                            d->size};
    struct transport_call c;
    int journaled;
    const char *rp = a->errors_to ? a->errors_to : d->m.sender;

    if (a->transport == NULL) {
        a->result = ADDR_DEFER;
        a->basic_errno = -1;
        if (a->message == NULL)
            a->message = arena_printf(d->a, "No transport set by %s router",
                                      a->router ? a->router->name : "?");
        return 0;
    }
    a->return_path = arena_strdup(d->a, rp);
    drv = transport_driver_for(a->transport);
    if ((d->flags & DELIVER_2STAGE) && drv != NULL && !drv->local) {
        /* -qq's first pass routes only; the second pass delivers, the
         * message waiting for the hosts so that a connection carries
         * the next one (as Exim's smtp transport under queue_smtp) */
        set_delivery_vars(d, a, rp);
        smtp_transport_queued(a->transport, &d->x, a);
        for (struct address *b = a; b != NULL; b = b->next) {
            b->result = ADDR_DEFER;
            b->basic_errno = 0;
            b->message = "SMTP delivery explicitly queued";
        }
        return 0;
    }
    if (d->m.dont_deliver) {
        a->result = ADDR_OK;
        return 0;
    }
    if (drv == NULL) {
        a->result = ADDR_DEFER;
        a->basic_errno = -1;
        a->message = arena_printf(d->a,
                                  "the %s transport's driver cannot "
                                  "deliver yet",
                                  a->transport->name);
        return 0;
    }
    if (drv->local && retry_local_check(a)) {
        a->result = ADDR_DEFER;
        return 0;
    }
    set_delivery_vars(d, a, rp);
    memset(&c, 0, sizeof(c));
    c.arena = d->a;
    c.x = &d->x;
    c.tp = a->transport;
    c.msg = &tm;
    c.addrs = a;
    c.return_path = rp;
    c.msglog = msglog_line;
    c.msglog_ctx = d;
    c.delivered = journal_delivered;
    c.delivered_ctx = d;
    for (struct address *b = a; b != NULL; b = b->next) {
        b->return_path = a->return_path;
        b->result = ADDR_PENDING;
    }
    /* a local transport's process, which may outlive this one, journals
     * its own successes: the journal is open before it starts */
    if (drv->local)
        (void)journal_open(d);
    journaled = deliver_as_user(&c, drv, d->journal_fd);
    if (journaled == 0) /* not in a child: this process runs it */
        drv->deliver(&c);
    for (struct address *b = a; b != NULL; b = b->next) {
        if (drv->local)
            b->size = c.bytes_written;
        if (b->result == ADDR_PENDING) {
            b->result = ADDR_DEFER;
            b->message = "transport returned no result";
        }
    }
    retry_transport_result(a, drv->local);
    return journaled == 2;
}

static int
same_text(const char *x, const char *y)
{
    return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static int
same_hosts(const struct host_item *x, const struct host_item *y)
{
    for (; x != NULL && y != NULL; x = x->next, y = y->next)
        if (strcmp(x->name, y->name) != 0 ||
            !same_text(x->address, y->address) || x->port != y->port)
            return 0;
    return x == y;
}

/* A remote transport takes, with a, the addresses of rest that go to
 * the same hosts the same way (Exim's do_remote_deliveries()): they are
 * linked after a, and what is left of rest is returned. */
static struct address *
gather_remote(struct dlv *d, struct address *a, struct address *rest)
{
    const struct transport_driver *drv =
        a->transport ? transport_driver_for(a->transport) : NULL;
    struct address *left = NULL, **lt = &left, **at = &a->next, *b, *next;
    int one_domain;

    if (drv == NULL || drv->local || d->m.dont_deliver)
        return rest;
    one_domain =
        drv->one_domain != NULL && drv->one_domain(a->transport, &d->x);
    for (b = rest; b != NULL; b = next) {
        next = b->next;
        b->next = NULL;
        if (b->transport == a->transport && same_hosts(a->hosts, b->hosts) &&
            (!one_domain || strcasecmp(a->domain, b->domain) == 0) &&
            same_text(a->errors_to, b->errors_to) &&
            same_text(a->headers_add, b->headers_add) &&
            same_text(a->headers_remove, b->headers_remove)) {
            *at = b;
            at = &b->next;
        } else {
            *lt = b;
            lt = &b->next;
        }
    }
    return left;
}

/* Exim delivers the local addresses first, then the remote ones
 * (do_local_deliveries(), then do_remote_deliveries()); each kind
 * keeps its order. */
static struct address *
local_first(struct address *list)
{
    struct address *local = NULL, **lt = &local, *remote = NULL, **rt = &remote,
                   *a, *next;

    for (a = list; a != NULL; a = next) {
        const struct transport_driver *drv =
            a->transport ? transport_driver_for(a->transport) : NULL;
        next = a->next;
        a->next = NULL;
        if (drv != NULL && !drv->local) {
            *rt = a;
            rt = &a->next;
        } else {
            *lt = a;
            lt = &a->next;
        }
    }
    *lt = remote;
    return local;
}

static void
deliver_all(struct dlv *d)
{
    struct address *a = local_first(d->deliver), *next;

    for (; a != NULL; a = next) {
        struct address *batch;
        int journaled;
        next = a->next;
        a->next = NULL;
        next = gather_remote(d, a, next);
        journaled = transport_one(d, a);
        /* a journal that cannot be written is logged (panic) by
         * journal_add(); the deliveries happened all the same */
        if (!d->m.dont_deliver && !journaled)
            (void)journal_add(d, a);
        for (batch = a; (a = batch) != NULL;) {
            batch = a->next;
            a->next = NULL;
            if (a->result == ADDR_OK) {
                spool_msg_add_nonrcpt(&d->m, a->unique);
                deliver_log_success(d, a,
                                    a->flags & ADDR_SMTP_MORE ? '-' : '=');
            } else if (a->result == ADDR_FAIL) {
                deliver_log_failure(d, a, 0);
            } else if (!(d->flags & DELIVER_2STAGE) || a->basic_errno != 0) {
                deliver_log_defer(d, a, 0); /* not -qq's queued ones */
            }
            list_push(&d->done_tail, a);
        }
    }
}

/* 1 if a (an address another one duplicates) or anything it
 * generated deferred. */
static int
address_defers(struct dlv *d, const struct address *a)
{
    for (const struct address *x = d->done; x != NULL; x = x->next) {
        const struct address *p = x;
        if (x->result != ADDR_DEFER)
            continue;
        while (p != NULL && p != a)
            p = p->parent;
        if (p == a)
            return 1;
    }
    return 0;
}

/* A recipient is complete when none of its addresses deferred. */
static int
finish_recipients(struct dlv *d)
{
    int remaining = 0;
    char *deferred = arena_alloc(d->a, (size_t)d->m.rcpt_count + 1);

    memset(deferred, 0, (size_t)d->m.rcpt_count + 1);
    for (struct address *a = d->done; a != NULL; a = a->next)
        /* a duplicate shares the fate of the address it duplicates */
        if (a->rcpt_index >= 0 &&
            (a->result == ADDR_DEFER ||
             (a->dupof != NULL && address_defers(d, a->dupof))))
            deferred[a->rcpt_index] = 1;
    for (int i = 0; i < d->m.rcpt_count; i++) {
        const char *addr = d->m.rcpts[i].address;
        if (spool_msg_is_nonrcpt(&d->m, addr))
            continue;
        if (deferred[i] || !d->routed[i])
            remaining++;
        else
            spool_msg_add_nonrcpt(&d->m, addr);
    }
    return remaining;
}

static void
remove_file(struct dlv *d, const char *area, const char *suffix)
{
    gstr path;

    gstr_init(&path, d->a);
    if (strcmp(area, "input") == 0)
        spool_path_file(&path, d->spool_dir, d->split, "", d->m.id, suffix);
    else if (d->split)
        gstr_printf(&path, "%s/msglog/%c/%s", d->spool_dir, d->m.id[5],
                    d->m.id);
    else
        gstr_printf(&path, "%s/msglog/%s", d->spool_dir, d->m.id);
    (void)unlink(path.s);
}

/* A deferral that asks for it (a router's self = freeze) freezes the
 * message; Exim logs "Frozen" just before the -H is written. */
static void
freeze_if_asked(struct dlv *d)
{
    for (const struct address *a = d->done; a != NULL; a = a->next)
        if (a->result == ADDR_DEFER && (a->flags & ADDR_FREEZE) &&
            !d->m.frozen) {
            d->m.frozen = 1;
            d->m.frozen_at = time(NULL);
            log_write(LOG_MAIN, "%s Frozen", d->m.id);
        }
}

static void
close_message(struct dlv *d, int remaining)
{
    gstr err;

    if (d->journal_fd >= 0)
        close(d->journal_fd);
    gstr_init(&err, d->a);
    if (remaining == 0) {
        /* -H first: until it is gone the -J must stay, or a crash here
         * would leave an old -H and no record of what was delivered. The
         * -D, whose lock this process holds, last (tidy_completed). */
        remove_file(d, "input", "-H");
        remove_file(d, "input", "-J");
        remove_file(d, "input", "-D");
        remove_file(d, "msglog", "");
        log_write(LOG_MAIN, "%s Completed%s", d->m.id,
                  log_selected(LS_queue_time_overall) ? deliver_qt(d, " QT=")
                                                      : "");
    } else {
        if (!(d->flags & DELIVER_2STAGE))
            d->m.deliver_firsttime = 0;
        freeze_if_asked(d);
        if (spool_rewrite_header(d->spool_dir, d->split, &d->m, &err) < 0)
            log_write(LOG_MAIN | LOG_PANIC, "%s failed to rewrite -H: %s",
                      d->m.id, gstr_str(&err));
        else
            remove_file(d, "input", "-J");
    }
}

/* As Exim, a report is delivered at once by the process that made it
 * (unless messages are to wait for a queue run), before the message it
 * reports on is closed (its "Completed" comes after the report's
 * lines); a report on a report is not made (the failing report is
 * frozen), so this goes one level deep. */
static void
deliver_pending_bounces(void)
{
    static int depth;
    char ids[4][MSGID_LEN + 1];
    int n;

    if (depth > 0)
        return;
    depth++;
    while ((n = bounce_take_pending(ids, 4)) > 0)
        for (int i = 0; i < n; i++)
            if (!deliver_should_queue())
                (void)deliver_message(ids[i], 0);
    depth--;
}

/* The reports made so far are delivered now, as Exim, which waits for
 * the process that sends a report: the report's lines come before this
 * message's "Completed"; that process has a connection of its own, and
 * outside a queue run this message's connection has been closed by then. */
static int reports_queue_run;

static void
deliver_reports_now(void)
{
    int queue_run = reports_queue_run; /* a report's delivery resets it */

    if (!queue_run)
        smtp_transport_close_idle();
    smtp_transport_hold_idle(1);
    deliver_pending_bounces();
    smtp_transport_hold_idle(0);
    reports_queue_run = queue_run;
}

/* -Mg, as Exim: "cancelled by USER", then every undelivered address
 * fails with "delivery cancelled by administrator", unlogged (a
 * bounce's are just dropped). */
static void
give_up(struct dlv *d, struct address *todo)
{
    struct passwd *pw = getpwuid(getuid());
    struct address *a, *next;

    log_write(LOG_MAIN, "%s cancelled by %s", d->m.id,
              pw ? pw->pw_name : arena_printf(d->a, "uid %ld", (long)getuid()));
    for (a = todo; a != NULL; a = next) {
        next = a->next;
        a->next = NULL;
        if (d->m.sender == NULL || d->m.sender[0] == '\0') {
            a->result = ADDR_DISCARD;
        } else {
            /* as Exim: no "**" line, and the reason is not in the
             * bounce's text (it is not passed to the sender) */
            a->result = ADDR_FAIL;
            a->message = "delivery cancelled by administrator";
            a->flags |= ADDR_CANCELLED;
        }
        list_push(&d->done_tail, a);
    }
}

/* The Received: headers on the spool (the one added on arrival
 * included), as Exim's spool_in counts them for received_headers_max. */
static int
received_count(const struct spool_msg *m)
{
    int n = 0;

    for (const struct spool_header *h = m->headers; h != NULL; h = h->next)
        n += h->type == 'P';
    return n;
}

/* received_headers_max, Exim's mail-loop check: every recipient fails
 * as a routing failure (no router named) whose reason the report does
 * not show; a failing report is frozen as any is. */
static void
fail_loop(struct dlv *d, struct address *todo)
{
    struct address *a, *next;

    for (a = todo; a != NULL; a = next) {
        next = a->next;
        a->next = NULL;
        a->result = ADDR_FAIL;
        a->message = "Too many \"Received\" headers - suspected mail loop";
        a->flags |= ADDR_QUIET_REPORT; /* as Exim: not passed on */
        deliver_log_failure(d, a, 1);
        list_push(&d->done_tail, a);
    }
}

/* As Exim, a hard failure of a report (a null sender) that has no errors
 * address of its own is kept as a deferral (the message is to be frozen)
 * while the retry database is updated, so that retry items it gathered
 * (a host that refused at its greeting) can still time it out: then it
 * fails with "retry timeout exceeded" and its error is ignored instead.
 * hold: before retry_update(); !hold: after it, the rest fail again. */
static void
hold_report_failures(struct dlv *d, int hold)
{
    if (d->m.sender != NULL && d->m.sender[0] != '\0')
        return;
    for (struct address *a = d->done; a != NULL; a = a->next) {
        if (hold && a->result == ADDR_FAIL && a->errors_to == NULL &&
            !(a->flags & ADDR_CANCELLED)) {
            a->result = ADDR_DEFER;
            a->flags |= ADDR_REPORT_HELD;
        } else if (!hold && (a->flags & ADDR_REPORT_HELD)) {
            a->flags &= ~(unsigned)ADDR_REPORT_HELD;
            if (a->result == ADDR_DEFER)
                a->result = ADDR_FAIL;
        }
    }
}

enum deliver_result
deliver_message(const char *id, unsigned flags)
{
    struct dlv d;
    struct address *todo = NULL, **tail = &todo, *failed = NULL;
    int remaining;
    enum deliver_result rc;

    /* each of Exim's deliveries is a process of its own: what an
     * earlier one in this process learnt of failed DNS lookups is not
     * known to it */
    dns_cache_clear();
    memset(&d, 0, sizeof(d));
    d.a = arena_create();
    d.spool_dir = main_config.spool_directory;
    d.split = main_config.split_spool_directory;
    d.lock_fd = d.data_fd = d.journal_fd = -1;
    d.done_tail = &d.done;
    d.started = time(NULL);
    d.flags = flags;
    rc = open_message(&d, id, flags);
    if (rc != DELIVER_ATTEMPTED)
        goto out;
    d.routed = arena_alloc(d.a, (size_t)d.m.rcpt_count + 1);
    memset(d.routed, 0, (size_t)d.m.rcpt_count + 1);
    for (int i = 0; i < d.m.rcpt_count; i++) {
        struct address *a;
        if (spool_msg_is_nonrcpt(&d.m, d.m.rcpts[i].address))
            continue;
        a = address_new(d.a, d.m.rcpts[i].address, main_config.qualify_domain);
        a->rcpt_index = i;
        d.routed[i] = 1;
        list_push(&tail, a);
    }
    retry_run_begin(d.m.id, d.m.sender, d.m.received_sec,
                    (flags & DELIVER_QUEUE_RUN) != 0,
                    (flags & DELIVER_FORCE) != 0);
    if (flags & DELIVER_GIVE_UP)
        give_up(&d, todo);
    else if (received_count(&d.m) > main_config.received_headers_max)
        fail_loop(&d, todo);
    else {
        route_all(&d, todo);
        deliver_all(&d);
    }
    hold_report_failures(&d, 1);
    retry_update(d.done);
    hold_report_failures(&d, 0);
    for (struct address *a = d.done; a != NULL; a = a->next)
        if (a->result == ADDR_FAIL && failed == NULL)
            failed = a;
    if (failed != NULL && deliver_bounce_hook != NULL) {
        reports_queue_run = (flags & DELIVER_QUEUE_RUN) != 0;
        /* under -odi a report is delivered before the next address's
         * "error ignored" line, as Exim's synchronous child does */
        bounce_deliver_pending_hook =
            deliver_odmode == 'i' ? deliver_reports_now : NULL;
        deliver_bounce_hook(&d.m, d.done);
        bounce_deliver_pending_hook = NULL;
    }
    notice_success(&d.m, d.done);
    if (!(flags & DELIVER_2STAGE))
        notice_delay(&d.m, d.done, &d.x);
    remaining = finish_recipients(&d);
    /* Exim submits a report to a new process of its own and waits for
     * it; under -odi (synchronous delivery, which that process
     * inherits) the report is delivered before it returns, so the
     * report's lines come before this message's "Completed". Otherwise
     * (a queue run, -M, the daemon) the report is delivered in the
     * background and this message is closed first. */
    reports_queue_run = (flags & DELIVER_QUEUE_RUN) != 0;
    if (deliver_odmode != 'i')
        close_message(&d, remaining);
    deliver_reports_now();
    if (deliver_odmode == 'i')
        close_message(&d, remaining);
    if (!(flags & DELIVER_QUEUE_RUN)) /* a queue run's next may use it */
        smtp_transport_close_idle();
out:
    retry_run_end();
    if (d.data_fd >= 0)
        close(d.data_fd);
    if (d.lock_fd >= 0)
        spool_lock_release(d.lock_fd);
    arena_destroy(d.a);
    deliver_pending_bounces();
    return rc;
}

char deliver_odmode;

int
deliver_should_queue(void)
{
    struct arena *a;
    struct list_iter it;
    struct stat st;
    char *item;
    int yes = 0;

    if (deliver_odmode == 'q')
        return 1;
    /* As Exim, a queue_only_file path that exists queues even under -odi
     * or -odb: it sets queue_only after the command line was applied. */
    if (main_config.queue_only_file != NULL) {
        a = arena_create();
        list_iter_init(&it, main_config.queue_only_file, ':');
        while (!yes && (item = list_next(&it, a)) != NULL)
            /* "smtp/path" is for queue_smtp_domains: no local effect */
            yes = item[0] == '/' && stat(item, &st) == 0;
        arena_destroy(a);
        if (yes)
            return 1;
    }
    if (deliver_odmode == 'i' || deliver_odmode == 'b')
        return 0;
    return main_config.queue_only;
}
int deliver_dont_deliver;

void
deliver_after_reception(const char *id, int wait_for)
{
    if (handoff_active()) { /* received as the exim user: root delivers */
        if (handoff_request(id, wait_for) < 0)
            log_write(LOG_MAIN | LOG_PANIC,
                      "%s delivery not started: the process that was to "
                      "start it has gone",
                      id);
        return;
    }
    if (wait_for) {
        (void)deliver_message(id, 0);
        return;
    }
    /* no privileged parent: the same fork as the handoff's, which lets
     * go of the connection and the terminal so that neither waits */
    (void)handoff_deliver(id, 0, -1, 0);
}
