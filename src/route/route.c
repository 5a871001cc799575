/*++
 * NAME
 *	route 3
 * SUMMARY
 *	routing an address through the routers
 * SYNOPSIS
 *	#include "route/route.h"
 *
 *	enum route_rc route_address(struct route_ctx *rc,
 *			struct address *a, struct address **more)
 *	int	route_register_driver(const struct route_driver *d)
 *	void	route_set_address_vars(struct expand_ctx *x,
 *			const struct address *a)
 *	const struct driver_instance *route_find_transport(
 *			const char *name)
 *	int	route_expand(struct route_call *c, const char *opt_name,
 *			const char *in, char **out, int *forced)
 *	void	route_set_feature_vars(struct expand_ctx *x,
 *			const struct spool_msg *msg, const struct address *a)
 * DESCRIPTION
 *	route_address() offers the address to each router in turn, from
 *	a->start_router or the first, as Exim's route_address() does:
 *
 *	Loop protection first: a router that routed an ancestor with the
 *	same address (any ancestor, under no_repeat_use) is skipped. Then the
 *preconditions, in Exim's documented order: verify_only, verify_recipient and
 *	verify_sender (against the routing mode); domains;
 *	local_part_prefix and local_part_suffix (stripped, or the router
 *	is skipped unless they are optional); local_parts;
 *	check_local_user (sets $home); router_home_directory; senders;
 *	require_files; condition. A precondition that does not hold
 *	skips the router; a lookup that cannot tell defers the address.
 *	A condition that cannot be expanded otherwise is a panic log line
 *	("failed to expand condition ... for NAME router: ...") and skips
 *	the router, as in Exim.
 *	Then the preconditions of the features built in (the
 *	registry's route features: Brightmail's bmi_rule,
 *	bmi_dont_deliver, bmi_deliver_alternate, bmi_deliver_default),
 *	as Exim checks them after condition. Before an address is
 *	offered to each router (as Exim sets its expansion variables
 *	then), each feature sets its address variables ($bmi_deliver
 *	...); route_set_feature_vars() does the same for a delivery.
 *
 *	Then address_data is expanded (forced failure: as a decline),
 *	errors_to, headers_add and headers_remove are taken (and dropped
 *	again if the driver declines, passes or defers), and the driver
 *	runs. DECLINE moves on unless "more" is false; PASS moves
 *	on regardless. When no router is left the address fails with
 *	cannot_route_message or "Unrouteable address". An accepting or
 *	redirecting router with "unseen" set gives a copy of the address
 *	that starts at the next router, appended to *more with what the
 *	driver generated.
 * DIAGNOSTICS
 *	ROUTE_DEFER or ROUTE_ERROR with a->message saying which option
 *	of which router failed to expand, and why.
 *--*/

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"
#include "registry.h"
#include "route/route.h"
#include "route/route_drivers.h"
#include "route/router.h"

#define ROUTE_DRIVERS_MAX 16

static const struct route_driver *drivers[ROUTE_DRIVERS_MAX] = {
    &route_accept_driver,
    &route_redirect_driver,
    &route_manualroute_driver,
    &route_dnslookup_driver,
};
static size_t ndrivers = 4;

int
route_register_driver(const struct route_driver *d)
{
    if (ndrivers >= ROUTE_DRIVERS_MAX)
        return -1;
    drivers[ndrivers++] = d;
    return 0;
}

static const struct route_driver *
driver_for(const struct driver_instance *r)
{
    for (size_t i = 0; i < ndrivers; i++)
        if (r->info != NULL && strcmp(drivers[i]->name, r->info->name) == 0)
            return drivers[i];
    return NULL;
}

const struct driver_instance *
route_find_transport(const char *name)
{
    return driver_instance_find(config->transports, name);
}

void
route_set_address_vars(struct expand_ctx *x, const struct address *a)
{
    const struct address *top = a;

    while (top->parent != NULL)
        top = top->parent;
    expand_set_var(x, "local_part", a->local_part);
    expand_set_var(x, "domain", a->domain);
    expand_set_var(x, "local_part_prefix", a->prefix);
    expand_set_var(x, "local_part_suffix", a->suffix);
    expand_set_var(x, "address_data", a->address_data);
    expand_set_var(x, "domain_data", a->domain_data);
    expand_set_var(x, "local_part_data", a->local_part_data);
    expand_set_var(x, "home", a->home);
    expand_set_var(x, "original_local_part", top->cc_local_part);
    expand_set_var(x, "original_domain", top->domain);
    expand_set_var(x, "parent_local_part",
                   a->parent ? a->parent->cc_local_part : NULL);
    expand_set_var(x, "parent_domain", a->parent ? a->parent->domain : NULL);
    expand_set_var(x, "router_name", a->router ? a->router->name : NULL);
}

/* Exim's rf_get_errors_address(): an errors_to address is used only if
 * it verifies as a recipient (a router accepts it, following a
 * redirection to one address); not while verifying already. The
 * address variables are set back for the address being routed. */
static int
errors_to_verifies(struct route_call *c, const char *addr)
{
    struct route_ctx vrc = *c->rc;
    struct address *v, *more;
    enum route_rc r = ROUTE_FAIL;

    if (c->rc->mode != ROUTE_DELIVER)
        return 1;
    vrc.mode = ROUTE_VERIFY_RECIPIENT;
    vrc.retry_hook = NULL;
    v = address_new(c->rc->arena, addr,
                    main_config.qualify_recipient
                        ? main_config.qualify_recipient
                        : main_config.qualify_domain);
    for (int depth = 0; depth < 100; depth++) {
        more = NULL;
        r = route_address(&vrc, v, &more);
        if (r != ROUTE_REROUTED || more == NULL || more->next != NULL ||
            (more->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY)))
            break;
        v = more;
    }
    route_set_address_vars(c->rc->x, c->a);
    return r == ROUTE_OK || r == ROUTE_DISCARD || r == ROUTE_REROUTED;
}

int
route_expand(struct route_call *c, const char *opt_name, const char *in,
             char **out, int *forced)
{
    gstr err;
    int rc;

    (void)opt_name; /* Exim's message names the text, not the option */
    if (forced != NULL)
        *forced = 0;
    gstr_init(&err, c->rc->arena);
    rc = expand_string(c->rc->x, in, out, &err);
    if (rc == EXPAND_OK)
        return 0;
    if (rc == EXPAND_FAIL && forced != NULL) {
        *forced = 1;
        return -1;
    }
    c->a->message = arena_printf(
        c->rc->arena, "failed to expand \"%s\" in %s router: %s", in,
        c->router->name, rc == EXPAND_FAIL ? "forced failure" : gstr_str(&err));
    return -1;
}

/* Exim's affix matching: an item may start (prefix) or end (suffix)
 * with "*" for any text. Returns the affix length, or 0. */
static size_t
affix_match(struct arena *ar, const char *lp, const char *list, int suffix)
{
    struct list_iter it;
    const char *item;
    size_t lplen = strlen(lp);

    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, ar)) != NULL) {
        size_t n = strlen(item);
        if (!suffix && n > 0 && item[0] == '*') {
            const char *p = strstr(lp, item + 1);
            if (p != NULL && p[n - 1] != '\0')
                return (size_t)(p - lp) + n - 1;
        } else if (suffix && n > 0 && item[n - 1] == '*') {
            for (size_t i = lplen; i-- > 1;)
                if (strncmp(lp + i, item, n - 1) == 0)
                    return lplen - i;
        } else if (n < lplen) {
            if (!suffix && strncasecmp(lp, item, n) == 0)
                return n;
            if (suffix && strcasecmp(lp + lplen - n, item) == 0)
                return n;
        }
    }
    return 0;
}

/* Prefix and suffix: 0 to go on, 1 to skip the router. */
static int
strip_affixes(struct route_call *c, const struct router_generic *g)
{
    struct address *a = c->a;
    struct arena *ar = c->rc->arena;
    size_t n;

    a->prefix = a->suffix = NULL;
    a->local_part = g->caseful_local_part
                        ? a->cc_local_part
                        : address_lc(c->rc->arena, a->cc_local_part);
    if (g->local_part_prefix != NULL) {
        if ((n = affix_match(ar, a->local_part, g->local_part_prefix, 0))) {
            a->prefix = arena_strndup(ar, a->local_part, n);
            a->local_part += n;
        } else if (!g->local_part_prefix_optional) {
            return 1;
        }
    }
    if (g->local_part_suffix != NULL) {
        if ((n = affix_match(ar, a->local_part, g->local_part_suffix, 1))) {
            size_t lp = strlen(a->local_part) - n;
            a->suffix = arena_strdup(ar, a->local_part + lp);
            a->local_part = arena_strndup(ar, a->local_part, lp);
        } else if (!g->local_part_suffix_optional) {
            return 1;
        }
    }
    return 0;
}

enum pre_rc { PRE_OK, PRE_SKIP, PRE_DEFER };

/* A list precondition: expanded, then matched. */
static enum pre_rc
check_list(struct route_call *c, const char *name, const char *list,
           const char *subject, int kind, int caseful)
{
    const char *value = NULL;
    char *exp;
    gstr err;
    int m;

    if (list == NULL)
        return PRE_OK;
    if (route_expand(c, name, list, &exp, NULL) < 0)
        return PRE_DEFER;
    gstr_init(&err, c->rc->arena);
    m = kind == 'd'   ? match_domain_value(c->rc->x, subject, exp, &value, &err)
        : kind == 'l' ? match_local_part_value(c->rc->x, subject, exp, caseful,
                                               &value, &err)
                      : match_address(c->rc->x, subject, exp, &err);
    if (m == MATCH_OK) {
        /* $domain_data, $local_part_data (Exim 4.95: every list match) */
        char *v = value ? arena_strdup(c->rc->arena, value) : NULL;
        if (kind == 'd') {
            c->a->domain_data = v;
            expand_set_var(c->rc->x, "domain_data", v);
        } else if (kind == 'l') {
            c->a->local_part_data = v;
            expand_set_var(c->rc->x, "local_part_data", v);
        }
        return PRE_OK;
    }
    if (m == MATCH_FAIL)
        return PRE_SKIP;
    c->a->message = arena_printf(c->rc->arena,
                                 "%s check lookup or other "
                                 "defer: %s",
                                 name, gstr_str(&err));
    return PRE_DEFER;
}

static enum pre_rc
check_require_files(struct route_call *c, const char *list)
{
    struct list_iter it;
    char *exp, *item;
    struct stat st;

    if (list == NULL)
        return PRE_OK;
    if (route_expand(c, "require_files", list, &exp, NULL) < 0)
        return PRE_DEFER;
    list_iter_init(&it, exp, ':');
    while ((item = list_next(&it, c->rc->arena)) != NULL) {
        int negate = item[0] == '!';
        const char *path = item + negate;
        int exists;

        if (*path != '/') /* user or group names: not supported yet */
            continue;
        exists = stat(path, &st) == 0;
        if (!exists && errno != ENOENT && errno != ENOTDIR) {
            c->a->message =
                arena_printf(c->rc->arena, "require_files: error for %s: %s",
                             path, strerror(errno));
            return PRE_DEFER;
        }
        if (exists == negate)
            return PRE_SKIP;
    }
    return PRE_OK;
}

static enum pre_rc
check_local_user(struct route_call *c)
{
    struct passwd *pw = getpwnam(c->a->local_part);

    if (pw == NULL)
        return PRE_SKIP;
    c->a->home = arena_strdup(c->rc->arena, pw->pw_dir);
    expand_set_var(c->rc->x, "home", c->a->home);
    return PRE_OK;
}

static enum pre_rc
check_condition(struct route_call *c, const char *cond)
{
    gstr err;
    int truth, rc;

    if (cond == NULL)
        return PRE_OK;
    gstr_init(&err, c->rc->arena);
    /* Exim: anything but "", "0", "no" or "false" lets the router run. */
    c->rc->x->lookup_deferred = 0;
    rc = expand_condition_loose(c->rc->x, cond, &truth, &err);
    if (rc == EXPAND_FAIL)
        return PRE_SKIP;
    if (rc != EXPAND_OK && !c->rc->x->lookup_deferred) {
        /* As Exim: a condition that cannot be expanded is a panic, and
         * the router is skipped; only a lookup that could not tell
         * defers. */
        log_write(LOG_MAIN | LOG_PANIC,
                  "failed to expand condition \"%s\" for %s router: %s", cond,
                  c->router->name, gstr_str(&err));
        return PRE_SKIP;
    }
    if (rc != EXPAND_OK) {
        c->a->message = arena_printf(c->rc->arena,
                                     "failed to expand \"%s\" in %s router: %s",
                                     cond, c->router->name, gstr_str(&err));
        return PRE_DEFER;
    }
    return truth ? PRE_OK : PRE_SKIP;
}

void
route_set_feature_vars(struct expand_ctx *x, const struct spool_msg *msg,
                       const struct address *a)
{
    for (size_t i = 0; registry_route_features[i] != NULL; i++)
        if (registry_route_features[i]->set_vars != NULL)
            registry_route_features[i]->set_vars(x, msg, a);
}

static enum pre_rc
check_features(struct route_call *c)
{
    for (size_t i = 0; registry_route_features[i] != NULL; i++) {
        const struct route_feature *f = registry_route_features[i];
        int rc = f->check != NULL ? f->check(c) : 0;
        if (rc > 0)
            return PRE_SKIP;
        if (rc < 0)
            return PRE_DEFER;
    }
    return PRE_OK;
}

/* The preconditions in Exim's order. */
static enum pre_rc
check_preconditions(struct route_call *c, const struct router_generic *g)
{
    enum route_mode mode = c->rc->mode;
    enum pre_rc rc;
    char *home;

    c->a->domain_data = c->a->local_part_data = NULL;
    expand_set_var(c->rc->x, "domain_data", NULL);
    expand_set_var(c->rc->x, "local_part_data", NULL);
    if (g->verify_only && (mode == ROUTE_DELIVER || mode == ROUTE_TEST))
        return PRE_SKIP;
    if ((mode == ROUTE_VERIFY_RECIPIENT && !g->verify_recipient) ||
        (mode == ROUTE_VERIFY_SENDER && !g->verify_sender))
        return PRE_SKIP;
    if ((rc = check_list(c, "domains", g->domains, c->a->domain, 'd', 0)))
        return rc;
    if (strip_affixes(c, g))
        return PRE_SKIP;
    route_set_address_vars(c->rc->x, c->a);
    if ((rc = check_list(c, "local_parts", g->local_parts, c->a->local_part,
                         'l', g->caseful_local_part)))
        return rc;
    if (g->check_local_user && (rc = check_local_user(c)))
        return rc;
    if (g->router_home_directory != NULL) {
        if (route_expand(c, "router_home_directory", g->router_home_directory,
                         &home, NULL) < 0)
            return PRE_DEFER;
        c->a->home = home;
        expand_set_var(c->rc->x, "home", home);
    }
    if ((rc = check_list(c, "senders", g->senders,
                         c->rc->sender ? c->rc->sender : "", 'a', 0)))
        return rc;
    if ((rc = check_require_files(c, g->require_files)))
        return rc;
    if ((rc = check_condition(c, g->condition)))
        return rc;
    return check_features(c);
}

/* Options taken once the preconditions hold. -1: deferred; 1: declined
 * (address_data forced to fail); 0: go on. */
static int
take_generic_options(struct route_call *c, const struct router_generic *g)
{
    struct address *a = c->a;
    char *v;
    int forced;

    if (g->address_data != NULL) {
        if (route_expand(c, "address_data", g->address_data, &v, &forced) < 0)
            return forced ? 1 : -1;
        a->address_data = v;
        expand_set_var(c->rc->x, "address_data", v);
    }
    if (g->errors_to != NULL) {
        if (route_expand(c, "errors_to", g->errors_to, &v, &forced) < 0) {
            if (!forced)
                return -1;
        } else if (*v == '\0' || errors_to_verifies(c, v)) {
            a->errors_to = v;
        }
    }
    if (g->headers_add != NULL) {
        if (route_expand(c, "headers_add", g->headers_add, &v, &forced) < 0) {
            if (!forced)
                return -1;
        } else if (*v != '\0') {
            a->headers_add =
                a->headers_add
                    ? arena_printf(c->rc->arena, "%s\n%s", a->headers_add, v)
                    : v;
        }
    }
    if (g->headers_remove != NULL) {
        if (route_expand(c, "headers_remove", g->headers_remove, &v, &forced) <
            0) {
            if (!forced)
                return -1;
        } else if (*v != '\0') {
            a->headers_remove =
                a->headers_remove
                    ? arena_printf(c->rc->arena, "%s:%s", a->headers_remove, v)
                    : v;
        }
    }
    return 0;
}

static void
route_unseen_copy(struct route_ctx *rc, struct address *a,
                  const struct driver_instance *r, struct address **more)
{
    struct address *copy = arena_alloc(rc->arena, sizeof(*copy));

    *copy = *a;
    copy->flags |= ADDR_UNSEEN;
    copy->start_router = r->next;
    copy->router = copy->transport = NULL;
    copy->headers_add = copy->headers_remove = NULL;
    copy->next = NULL;
    a->unique = arena_printf(rc->arena, "%s/%s", a->unique, r->name);
    copy->next = *more; /* ahead of what the router generated, as Exim */
    *more = copy;
}

static enum route_rc
route_no_more(struct route_ctx *rc, struct address *a,
              const struct driver_instance *last)
{
    const char *msg = "Unrouteable address";

    if (a->message != NULL) { /* a declining router said why (Exim) */
        a->router = NULL;
        return ROUTE_FAIL;
    }
    if (last != NULL) {
        const struct router_generic *g = last->generic;
        char *v;
        gstr err;

        gstr_init(&err, rc->arena);
        if (g->cannot_route_message != NULL &&
            expand_string(rc->x, g->cannot_route_message, &v, &err) ==
                EXPAND_OK)
            msg = v;
    }
    a->message = a->user_message = arena_strdup(rc->arena, msg);
    a->router = NULL;
    return ROUTE_FAIL;
}

enum route_rc
route_address(struct route_ctx *rc, struct address *a, struct address **more)
{
    const struct driver_instance *r, *last = NULL;
    struct address *children = NULL;
    enum route_rc yield = ROUTE_DECLINE;

    for (r = a->start_router ? a->start_router : config->routers; r != NULL;
         r = r->next) {
        const struct router_generic *g = r->generic;
        const struct route_driver *drv = driver_for(r);
        struct route_call c = {rc, a, r, &children};
        struct address saved;
        enum pre_rc pre;
        int t;

        if (address_ancestor_routed_by(a, r, g->repeat_use))
            continue;
        /* as Exim, which sets its expansion variables for each router */
        route_set_feature_vars(rc->x, rc->msg, a);
        a->router = r;
        last = r;
        expand_set_var(rc->x, "router_name", r->name);
        if ((pre = check_preconditions(&c, g)) == PRE_SKIP)
            continue;
        if (pre == PRE_DEFER)
            return ROUTE_DEFER;
        if (rc->retry_hook != NULL && rc->retry_hook(rc, a, r)) {
            a->message = "retry time not reached";
            return ROUTE_DEFER;
        }
        saved = *a;
        if ((t = take_generic_options(&c, g)) < 0)
            return ROUTE_DEFER;
        if (t > 0) {
            if (!g->more)
                break;
            continue;
        }
        if (drv == NULL) {
            a->message =
                arena_printf(rc->arena,
                             "%s router: the %s driver cannot "
                             "route yet",
                             r->name, r->info ? r->info->name : "(none)");
            return ROUTE_DEFER;
        }
        yield = drv->route(&c);
        if (yield == ROUTE_DECLINE || yield == ROUTE_PASS ||
            yield == ROUTE_DEFER || yield == ROUTE_ERROR) {
            /* errors_to and header changes hold only for a router that
             * took the address */
            a->errors_to = saved.errors_to;
            a->headers_add = saved.headers_add;
            a->headers_remove = saved.headers_remove;
        }
        if ((yield == ROUTE_OK || yield == ROUTE_PASS) &&
            ((rc->mode == ROUTE_VERIFY_SENDER && g->fail_verify_sender) ||
             (rc->mode == ROUTE_VERIFY_RECIPIENT &&
              g->fail_verify_recipient))) {
            a->message = arena_printf(
                rc->arena, "%s router forced verify failure", r->name);
            return ROUTE_FAIL;
        }
        if (yield == ROUTE_PASS)
            continue;
        if (yield == ROUTE_DECLINE) {
            if (!g->more)
                break;
            continue;
        }
        if ((yield == ROUTE_OK || yield == ROUTE_REROUTED) && g->unseen &&
            r->next != NULL && rc->mode != ROUTE_VERIFY_RECIPIENT &&
            rc->mode != ROUTE_VERIFY_SENDER)
            route_unseen_copy(rc, a, r, &children);
        if (yield == ROUTE_ERROR)
            yield = ROUTE_DEFER;
        while (*more != NULL)
            more = &(*more)->next;
        *more = children;
        return yield;
    }
    return route_no_more(rc, a, last);
}
