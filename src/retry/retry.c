/*++
 * NAME
 *	retry 3
 * SUMMARY
 *	retry times for routing, local and remote deliveries
 * SYNOPSIS
 *	#include "retry/retry.h"
 *
 *	void	retry_run_begin(const char *msgid, const char *sender,
 *			time_t received, int queue_run, int force)
 *	void	retry_run_end(void)
 *	int	retry_route_check(struct address *a)
 *	void	retry_route_result(struct address *a, int deferred)
 *	int	retry_local_check(struct address *a)
 *	void	retry_transport_result(struct address *addrs, int local)
 *	void	retry_update(struct address *done)
 * DESCRIPTION
 *	What Exim's deliver.c, transports/smtp.c and retry.c do with the
 *	retry database, for one delivery run of one message. Without
 *	retry rules (no retry section, or an empty one) no rule matches
 *	any error, so every temporary failure times out at once and the
 *	address fails ("retry timeout exceeded"), as in Exim.
 *
 *	Keys: "R:domain" (a routing deferral; "R:local@domain" for a
 *	router with retry_use_local_part or check_local_user),
 *	"R:local@domain:<sender>" (a 4xx to RCPT, with the smtp
 *	transport's address_retry_include_sender), "T:local@domain" (a
 *	local delivery; "T:|cmd:parent" and so on for pipes and files),
 *	"T:host:ip[:port]" (a host; the port when it is not 25) and
 *	"T:host:ip[:port]:id" (a 4xx to MAIL or DATA: this message at
 *	that host).
 *
 *	Checks: in a queue run that is not forced, an address whose
 *	routing record's time has not come is deferred before routing
 *	("routing defer (-52): retry time not reached"), and a local
 *	delivery likewise ("defer (-53): Retry time not yet reached").
 *	Hosts are checked in every run that is not forced (-M, -qf):
 *	a host whose time has not come is skipped; when every host is
 *	skipped the address defers with "retry time not reached for any
 *	host for 'domain'" (-54). A record older than retry_data_expire
 *	is ignored. The ultimate address time-out lets an attempt through
 *	once the message is older than the last rule's cutoff.
 *
 *	Updates (retry_update(), Exim's retry_update()): a failure's
 *	record keeps its first_failed time; the rule in force is the
 *	first whose cutoff (from first_failed, or from the message's
 *	arrival when that is earlier for a non-host key) is not passed;
 *	F gives now+interval; G the last gap times the multiplier, at
 *	least the interval; H a random point between the interval and
 *	the G value; all capped by retry_interval_max. Past the last
 *	cutoff the record is marked expired and the item times out. A
 *	deferred address all of whose items timed out (and for which no
 *	host was skipped) fails: "** addr: retry timeout exceeded". A
 *	success deletes the records that concerned it.
 *--*/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "log/log.h"
#include "retry/retry.h"
#include "retry/retry_conf.h"
#include "retry/retry_db.h"
#include "route/address.h"
#include "route/hosts.h"
#include "route/router.h"
#include "transport/smtp.h"
#include "transport/smtp_retry.h"
#include "transport/tpcall.h"

#define RF_HOST    0x01
#define RF_DELETE  0x02
#define RF_MESSAGE 0x04

#define MK_DR_EXISTS 0x01 /* routing records seen: delete on success */
#define MK_LT_EXISTS 0x02 /* a local transport record seen */
#define MK_SKIPPED   0x04 /* a host was skipped: no time-out */

struct item {
    char *key;
    unsigned flags;
    int basic_errno, more_errno;
    char *message;
    const char *domain; /* for a host key's rule lookup */
    struct address **addrs;
    size_t n;
    int timed_out;
    struct item *next;
};

struct mark {
    const struct address *a;
    unsigned flags;
    struct mark *next;
};

static struct {
    int active;
    struct arena *a;
    struct retry_db *db;
    int db_tried;
    char *msgid, *sender;
    time_t received;
    int queue_run, force;
    int msg_specific; /* a 4xx to MAIL or DATA: no follow-on deliveries */
    struct item *items;
    struct mark *marks;
} R;

static int host_check(struct transport_call *c, struct host_item *h);
static void host_failed(struct transport_call *c, const struct host_item *h,
                        int err, const char *msg, int message);

static struct retry_db *
db(void)
{
    if (!R.db_tried) {
        gstr err;
        R.db_tried = 1;
        gstr_init(&err, R.a);
        R.db = retry_db_open(1, &err);
        if (R.db == NULL && err.len > 0)
            log_write(LOG_MAIN | LOG_PANIC, "%s", gstr_str(&err));
    }
    return R.db;
}

struct retry_db *
retry_shared_db(void)
{
    return R.active ? db() : NULL;
}

const char *
retry_current_msgid(void)
{
    return R.active ? R.msgid : NULL;
}

int
retry_message_specific(void)
{
    return R.active && R.msg_specific;
}

void
retry_run_begin(const char *msgid, const char *sender, time_t received,
                int queue_run, int force)
{
    retry_run_end();
    R.active = 1;
    R.a = arena_create();
    R.msgid = arena_strdup(R.a, msgid);
    R.sender = arena_strdup(R.a, sender ? sender : "");
    R.received = received;
    R.queue_run = queue_run;
    R.force = force;
    smtp_retry_host_check = host_check;
    smtp_retry_host_failed = host_failed;
}

void
retry_run_end(void)
{
    if (!R.active)
        return;
    retry_db_close(R.db);
    arena_destroy(R.a);
    memset(&R, 0, sizeof(R));
    smtp_retry_host_check = NULL;
    smtp_retry_host_failed = NULL;
}

static struct mark *
mark_of(const struct address *a, int create)
{
    struct mark *m;

    for (m = R.marks; m != NULL; m = m->next)
        if (m->a == a)
            return m;
    if (!create)
        return NULL;
    m = arena_alloc(R.a, sizeof(*m));
    m->a = a;
    m->flags = 0;
    m->next = R.marks;
    R.marks = m;
    return m;
}

static unsigned
marks(const struct address *a)
{
    const struct mark *m = mark_of(a, 0);

    return m ? m->flags : 0;
}

/* A record, unless it is older than retry_data_expire. */
static int
get_record(const char *key, struct retry_rec *r)
{
    if (db() == NULL || !retry_db_get(R.db, key, r))
        return 0;
    return time(NULL) - r->time_stamp <= main_config.retry_data_expire;
}

/* Exim's retry_ultimate_address_timeout(): the message is older than
 * the last cutoff of the rule for key. */
static int
ultimate_timeout(const char *key, const char *domain, const struct retry_rec *r)
{
    const struct retry_config *c = retry_find_config(
        key + 2, domain, r->basic_errno, r->more_errno, R.sender);
    const struct retry_rule *last;

    if (c == NULL || c->rules == NULL)
        return 1;
    for (last = c->rules; last->next != NULL; last = last->next)
        ;
    return time(NULL) - R.received > last->timeout;
}

static void
add_item(const char *key, unsigned flags, int basic, int more,
         const char *message, const char *domain, struct address **addrs,
         size_t n)
{
    struct item *it, **tail;

    /* a later item for the same key replaces an earlier one */
    for (tail = &R.items; (it = *tail) != NULL; tail = &it->next)
        if (strcmp(it->key, key) == 0) {
            *tail = it->next;
            break;
        }
    it = arena_alloc(R.a, sizeof(*it));
    memset(it, 0, sizeof(*it));
    it->key = arena_strdup(R.a, key);
    it->flags = flags;
    it->basic_errno = basic;
    it->more_errno = more;
    it->message = message ? arena_strdup(R.a, message) : NULL;
    it->domain = domain ? arena_strdup(R.a, domain) : NULL;
    it->addrs = arena_alloc(R.a, (n ? n : 1) * sizeof(*it->addrs));
    memcpy(it->addrs, addrs, n * sizeof(*addrs));
    it->n = n;
    for (tail = &R.items; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = it;
}

/* The text of an item for a failure at host h: "H=name [ip]: text", as
 * Exim's retry items carry it (and so its retry records and -dumpdb). */
static const char *
host_text(const struct host_item *h, const char *message)
{
    if (h == NULL || message == NULL)
        return message;
    return arena_printf(R.a, "H=%s [%s]: %s", h->name,
                        h->address != NULL ? h->address : "", message);
}

static void
add_one(const char *key, unsigned flags, struct address *a)
{
    add_item(key, flags, a->basic_errno, 0, host_text(a->host_used, a->message),
             a->domain, &a, 1);
}

static int
router_uses_local_part(const struct address *a)
{
    const struct router_generic *g =
        a->router ? (const struct router_generic *)a->router->generic : NULL;

    return g != NULL && (g->retry_use_local_part > 0 || g->check_local_user);
}

int
retry_route_check(struct address *a)
{
    struct retry_rec dom, adr;
    int have_dom, have_adr;
    char *akey;

    if (!R.active || (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
        return 0;
    have_dom = get_record(arena_printf(R.a, "R:%s", a->domain), &dom);
    akey = arena_printf(R.a, "R:%s@%s", a->local_part, a->domain);
    have_adr = get_record(akey, &adr);
    if (!have_adr)
        have_adr =
            get_record(arena_printf(R.a, "%s:<%s>", akey, R.sender), &adr);
    if (R.queue_run && !R.force &&
        ((have_dom && time(NULL) < dom.next_try && !dom.expired) ||
         (have_adr && time(NULL) < adr.next_try)) &&
        (have_dom || !have_adr || !ultimate_timeout(akey, a->domain, &adr))) {
        a->basic_errno = RETRY_ERRNO_RRETRY;
        a->message = "retry time not reached";
        return 1;
    }
    if (have_dom || have_adr)
        mark_of(a, 1)->flags |= MK_DR_EXISTS;
    return 0;
}

static void
delete_address_keys(struct address *a)
{
    char *akey = arena_printf(R.a, "R:%s@%s", a->local_part, a->domain);

    add_one(arena_printf(R.a, "%s:<%s>", akey, R.sender), RF_DELETE, a);
    add_one(akey, RF_DELETE, a);
    add_one(arena_printf(R.a, "R:%s", a->domain), RF_DELETE, a);
}

void
retry_route_result(struct address *a, int deferred)
{
    if (!R.active || (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
        return;
    if (deferred) {
        if (a->basic_errno == RETRY_ERRNO_RRETRY)
            return;
        add_one(router_uses_local_part(a)
                    ? arena_printf(R.a, "R:%s@%s", a->local_part, a->domain)
                    : arena_printf(R.a, "R:%s", a->domain),
                0, a);
    } else if (marks(a) & MK_DR_EXISTS) {
        delete_address_keys(a);
    }
}

/* "T:local@domain", or T: and the key of a pipe or file. */
static char *
local_key(const struct address *a)
{
    if (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY))
        return arena_printf(R.a, "T:%s", a->unique);
    return arena_printf(R.a, "T:%s@%s", a->local_part, a->domain);
}

int
retry_local_check(struct address *a)
{
    struct retry_rec r;
    char *key;

    if (!R.active)
        return 0;
    key = local_key(a);
    if (!get_record(key, &r))
        return 0;
    mark_of(a, 1)->flags |= MK_LT_EXISTS;
    if (!R.queue_run || R.force || time(NULL) >= r.next_try || r.expired ||
        ultimate_timeout(key, a->domain, &r))
        return 0;
    a->basic_errno = RETRY_ERRNO_LRETRY;
    a->message = "Retry time not yet reached";
    return 1;
}

/* "T:name:ip[:port]" */
static char *
host_key(const struct host_item *h)
{
    if (h->port > 0 && h->port != 25)
        return arena_printf(R.a, "T:%s:%s:%d", h->name,
                            h->address ? h->address : "", h->port);
    return arena_printf(R.a, "T:%s:%s", h->name, h->address ? h->address : "");
}

/* The reply code in an SMTP error message ("...: 452 ..."), or 0. */
static int
reply_code(const char *msg)
{
    const char *p = msg ? strstr(msg, "remote mail server after ") : NULL;

    for (; p != NULL && (p = strstr(p, ": ")) != NULL; p += 2)
        if (p[2] >= '1' && p[2] <= '5' && p[3] >= '0' && p[3] <= '9' &&
            p[4] >= '0' && p[4] <= '9' &&
            (p[5] == ' ' || p[5] == '-' || p[5] == '\0'))
            return (p[2] - '0') * 100 + (p[3] - '0') * 10 + (p[4] - '0');
    return 0;
}

static void
mark_pending(struct transport_call *c, unsigned flag)
{
    for (struct address *a = c->addrs; a != NULL; a = a->next)
        if (a->result == ADDR_PENDING)
            mark_of(a, 1)->flags |= flag;
}

static int
host_check(struct transport_call *c, struct host_item *h)
{
    struct retry_rec hr, mr;
    char *hk = host_key(h), *mk = arena_printf(R.a, "%s:%s", hk, R.msgid);
    const char *domain = c->addrs ? c->addrs->domain : NULL;

    if (get_record(hk, &hr) && time(NULL) < hr.next_try && !R.force) {
        if (hr.expired || !ultimate_timeout(hk, domain, &hr)) {
            if (!hr.expired)
                mark_pending(c, MK_SKIPPED);
            return hr.expired ? SMTP_HOST_EXPIRED : SMTP_HOST_RETRY;
        }
    }
    if (get_record(mk, &mr) && time(NULL) < mr.next_try && !R.force &&
        !ultimate_timeout(hk, domain, &mr)) {
        mark_pending(c, MK_SKIPPED);
        return SMTP_HOST_RETRY;
    }
    return SMTP_HOST_USABLE;
}

static void
host_failed(struct transport_call *c, const struct host_item *h, int err,
            const char *msg, int message)
{
    struct address **v;
    size_t n = 0;
    int more = h->mx >= 0 ? 'M' : 'A';
    char *key = host_key(h);
    unsigned flags = RF_HOST;

    if (err == ETIMEDOUT && msg == NULL)
        more |= RETRY_CTOUT;
    if (message || err == RETRY_ERRNO_MAIL4XX || err == RETRY_ERRNO_DATA4XX) {
        int code = reply_code(msg);
        key = arena_printf(R.a, "%s:%s", key, R.msgid);
        flags = RF_HOST | RF_MESSAGE;
        more |= (code >= 400 ? code - 400 : 0) << 8;
        R.msg_specific = 1;
    }
    for (struct address *a = c->addrs; a != NULL; a = a->next)
        n++;
    v = arena_alloc(R.a, (n ? n : 1) * sizeof(*v));
    n = 0;
    for (struct address *a = c->addrs; a != NULL; a = a->next)
        v[n++] = a;
    add_item(key, flags, err, more, host_text(h, msg),
             c->addrs ? c->addrs->domain : NULL, v, n);
}

void
retry_transport_result(struct address *addrs, int local)
{
    if (!R.active)
        return;
    for (struct address *a = addrs; a != NULL; a = a->next) {
        if (local) {
            if (a->result == ADDR_DEFER && a->basic_errno != RETRY_ERRNO_LRETRY)
                add_one(local_key(a), 0, a);
            else if (a->result == ADDR_OK && (marks(a) & MK_LT_EXISTS))
                add_one(local_key(a), RF_DELETE, a);
            continue;
        }
        if (a->result == ADDR_OK && a->host_used != NULL) {
            char *hk = host_key(a->host_used);
            add_one(hk, RF_DELETE, a);
            add_one(arena_printf(R.a, "%s:%s", hk, R.msgid), RF_DELETE, a);
            if (marks(a) & MK_DR_EXISTS)
                delete_address_keys(a);
        } else if (a->result == ADDR_DEFER &&
                   (a->basic_errno == RETRY_ERRNO_RCPT4XX ||
                    (a->flags & ADDR_RCPT_TIMEOUT))) {
            const struct transport_smtp *ob =
                a->transport ? a->transport->priv : NULL;
            int code = reply_code(a->message);
            char *key = arena_printf(R.a, "R:%s@%s", a->local_part, a->domain);
            if (ob == NULL || ob->address_retry_include_sender)
                key = arena_printf(R.a, "%s:<%s>", key, R.sender);
            add_item(key, 0, a->basic_errno,
                     (code >= 400 ? code - 400 : 0) << 8 |
                         (a->host_used && a->host_used->mx >= 0 ? 'M' : 'A'),
                     host_text(a->host_used, a->message), a->domain, &a, 1);
        }
    }
}

/* Exim's retry_update() for one item: writes the record; 1 if the
 * item has timed out. */
static int
update_item(struct item *it)
{
    struct retry_rec r;
    const struct retry_config *c;
    const struct retry_rule *rule, *final = NULL;
    time_t now = time(NULL);
    long failing, next_try;
    const char *text;

    c = retry_find_config(it->key + 2,
                          (it->flags & RF_HOST) ? it->domain : NULL,
                          it->basic_errno, it->more_errno, R.sender);
    if (c == NULL) {
        it->timed_out = 1;
        return 1;
    }
    text = it->basic_errno > 0 ? strerror(it->basic_errno)
           : it->message       ? it->message
                               : "unknown error";
    if (!get_record(it->key, &r)) {
        memset(&r, 0, sizeof(r));
        r.first_failed = r.last_try = r.next_try = now;
    }
    failing = (long)(now - r.first_failed);
    if (!(it->flags & RF_HOST) && now - R.received > failing)
        failing = (long)(now - R.received);
    for (rule = c->rules; rule != NULL; rule = rule->next) {
        if (failing <= rule->timeout)
            break;
        final = rule;
    }
    if (rule != NULL) {
        r.expired = 0;
    } else {
        rule = final;
        r.expired = 1;
        it->timed_out = 1;
    }
    if (R.received <= r.first_failed && !r.expired && rule != NULL) {
        const struct retry_rule *last = rule;
        while (last->next != NULL)
            last = last->next;
        if (now - R.received > last->timeout) {
            it->timed_out = 1;
            rule = NULL;
        }
    }
    if (rule == NULL) {
        next_try = (long)now;
    } else if (rule->kind == 'F') {
        next_try = (long)now + rule->p1;
    } else {
        long predicted = (long)(r.next_try - r.last_try);
        long actual = (long)(now - r.last_try);
        long lastgap = predicted < actual ? predicted : actual;
        long next_gap = lastgap * rule->p2 / 1000;
        if (rule->kind == 'G') {
            next_try = (long)now + (lastgap < rule->p1 ? rule->p1 : next_gap);
        } else {
            next_try = (long)now + rule->p1;
            if (next_gap > rule->p1) {
                long span = next_gap - rule->p1;
                /* MXLAB_RANDOM_SEED makes the draw repeatable */
                next_try += (long)(host_random() %
                                   (unsigned long)(span > 0 ? span : 1)) /
                                2 +
                            span / 2;
            }
        }
    }
    if (next_try - (long)now > main_config.retry_interval_max)
        next_try = (long)now + main_config.retry_interval_max;
    r.time_stamp = now;
    r.last_try = now;
    r.next_try = (time_t)next_try;
    r.basic_errno = it->basic_errno;
    r.more_errno = it->more_errno;
    snprintf(r.text, sizeof(r.text), "%s", text);
    if (retry_db_put(R.db, it->key, &r) < 0)
        log_write(LOG_MAIN | LOG_PANIC, "%s retry database write failed for %s",
                  R.msgid, it->key);
    return it->timed_out;
}

static int
item_has(const struct item *it, const struct address *a)
{
    for (size_t i = 0; i < it->n; i++)
        if (it->addrs[i] == a)
            return 1;
    return 0;
}

void
retry_update(struct address *done)
{
    int any_defer = 0;

    if (!R.active || R.items == NULL)
        return;
    if (db() == NULL)
        return;
    for (struct address *a = done; a != NULL; a = a->next)
        any_defer |= a->result == ADDR_DEFER;
    for (struct item *it = R.items; it != NULL; it = it->next) {
        if (!any_defer && (it->flags & RF_MESSAGE))
            it->flags |= RF_DELETE;
        if (it->flags & RF_DELETE)
            (void)retry_db_del(R.db, it->key);
        else
            (void)update_item(it);
    }
    for (struct address *a = done; a != NULL; a = a->next) {
        int count = 0, timed = 0;
        const struct address *p;
        if (a->result != ADDR_DEFER)
            continue;
        for (struct item *it = R.items; it != NULL; it = it->next)
            if (!(it->flags & RF_DELETE) && item_has(it, a)) {
                count++;
                timed += it->timed_out;
            }
        if (count == 0 || count != timed || (marks(a) & MK_SKIPPED))
            continue;
        a->result = ADDR_FAIL;
        a->flags |= ADDR_RETRY_TIMEDOUT;
        a->message =
            a->message
                ? arena_printf(R.a, "%s: retry timeout exceeded", a->message)
                : "retry timeout exceeded";
        a->user_message = a->user_message
                              ? arena_printf(R.a, "%s: retry timeout exceeded",
                                             a->user_message)
                              : "retry timeout exceeded";
        p = a->parent;
        log_write(LOG_MAIN, "%s ** %s%s%s%s: retry timeout exceeded", R.msgid,
                  a->address, p ? " <" : "", p ? p->address : "", p ? ">" : "");
    }
}
