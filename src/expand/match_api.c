/*++
 * NAME
 *	match_api 3
 * SUMMARY
 *	list matching for callers outside the expansion engine
 * SYNOPSIS
 *	#include "expand/match.h"
 *
 *	int	match_domain(struct expand_ctx *ctx, const char *subject,
 *				const char *list, gstr *err)
 *	int	match_address(struct expand_ctx *ctx, const char *subject,
 *				const char *list, gstr *err)
 *	int	match_local_part(struct expand_ctx *ctx, const char *subject,
 *				const char *list, int caseful, gstr *err)
 *	int	match_domain_value(struct expand_ctx *ctx, const char *subject,
 *				const char *list, const char **value, gstr *err)
 *	int	match_local_part_value(struct expand_ctx *ctx,
 *				const char *subject, const char *list,
 *				int caseful, const char **value, gstr *err)
 *	int	match_host(struct expand_ctx *ctx, const char *ip,
 *				const char *name, const char *list, gstr *err)
 * DESCRIPTION
 *	The domain, address and local-part matchers set up the engine's
 *	state from ctx and call the engine's own list matchers, so that
 *	"${if match_domain...}" and an ACL "domains =" agree. The
 *	_value variants also return the item that decided a match (the
 *	item as written, or a lookup item's result): a router's
 *	$domain_data and $local_part_data, which Exim treats as untainted.
 *
 *	Host lists are matched here, item by item as Exim does: "*"
 *	matches every caller; an empty item matches only a local caller
 *	(no IP address), which nothing else matches; an address or
 *	"address/bits"; "@" (the primary host name, looked up forwards);
 *	"@[]" (an address of a local interface); "+name" (a hostlist,
 *	expanded when it holds "$"); "/file" (one item a line);
 *	"netN-type;file" and "iplsearch;file" (lookups keyed by the
 *	address, masked to N bits: "192.0.2.0/24"); "type;file" (keyed
 *	by the host name); a plain host name (looked up forwards; any of
 *	its addresses matching the caller's matches); and patterns on the
 *	caller's name: "*.suffix", "^regex". "!" negates an item.
 *
 *	When the caller's name is needed and cannot be found, the whole
 *	list fails to match, unless "+ignore_unknown" (skip the item) or
 *	"+include_unknown" (treat it as a match) came earlier; a lookup
 *	that defers makes the list defer, unless "+ignore_defer" or
 *	"+include_defer". A lookup's result goes to $host_data.
 * DIAGNOSTICS
 *	MATCH_DEFER with err set for a lookup that could not complete;
 *	MATCH_ERROR for a malformed address or mask ("1.2.3/24"), an
 *	unknown named list, lists nested more than 20 deep, and items
 *	mxlab does not support yet (@mx_any, @mx_primary, @mx_secondary).
 *--*/

#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/expand_int.h"
#include "expand/ip.h"
#include "expand/lookups/lookup.h"
#include "expand/match.h"

#define HOST_MAX_NEST 20

int (*match_host_forward_hook)(struct expand_ctx *ctx, const char *name,
                               const char ***addrs, gstr *err);
int (*match_host_reverse_hook)(struct expand_ctx *ctx, const char *ip,
                               const char **name, gstr *err);

static void
exp_init(struct exp *e, struct expand_ctx *ctx, gstr *msg)
{
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    e->a = ctx->arena;
    e->base = "";
    e->max_depth =
        ctx->max_depth > 0 ? ctx->max_depth : EXPAND_DEFAULT_MAX_DEPTH;
    e->max_size = ctx->max_size > 0 ? ctx->max_size : EXPAND_DEFAULT_MAX_SIZE;
    e->nmax = -1;
    gstr_init(msg, ctx->arena);
    e->msg = msg;
}

/* The engine says 1, 0, or -1 with a message; a broken list is an
 * error, anything else (a lookup that failed) a deferral. */
static int
exp_result(struct exp *e, int r, gstr *err)
{
    const char *m;

    if (r > 0)
        return MATCH_OK;
    if (r == 0)
        return MATCH_FAIL;
    m = gstr_str(e->msg);
    if (err != NULL)
        gstr_adds(err, m);
    if (strncmp(m, "unknown named", 13) == 0 ||
        strncmp(m, "named lists nested", 18) == 0)
        return MATCH_ERROR;
    return MATCH_DEFER;
}

int
match_domain(struct expand_ctx *ctx, const char *subject, const char *list,
             gstr *err)
{
    return match_domain_value(ctx, subject, list, NULL, err);
}

int
match_domain_value(struct expand_ctx *ctx, const char *subject,
                   const char *list, const char **value, gstr *err)
{
    struct exp e;
    gstr msg;
    int r;

    exp_init(&e, ctx, &msg);
    r = exp_result(&e, x_match_domain(&e, subject, list), err);
    if (value != NULL)
        *value = r == MATCH_OK ? e.list_value : NULL;
    return r;
}

int
match_address(struct expand_ctx *ctx, const char *subject, const char *list,
              gstr *err)
{
    struct exp e;
    gstr msg;

    exp_init(&e, ctx, &msg);
    return exp_result(&e, x_match_address(&e, subject, list), err);
}

int
match_local_part(struct expand_ctx *ctx, const char *subject, const char *list,
                 int caseful, gstr *err)
{
    return match_local_part_value(ctx, subject, list, caseful, NULL, err);
}

int
match_local_part_value(struct expand_ctx *ctx, const char *subject,
                       const char *list, int caseful, const char **value,
                       gstr *err)
{
    struct exp e;
    gstr msg;
    int r;

    exp_init(&e, ctx, &msg);
    r = exp_result(&e, x_match_local_part(&e, subject, list, !caseful), err);
    if (value != NULL)
        *value = r == MATCH_OK ? e.list_value : NULL;
    return r;
}

/* Host lists. */

#define H_UNKNOWN 4 /* item result: the caller's name cannot be found */

struct host_match {
    struct expand_ctx *ctx;
    const char *ip; /* "" for a local caller */
    const char *name;
    int name_state; /* 0: not yet sought, 1: known, 2: none, 3: deferred */
    int include_unknown, ignore_unknown, include_defer, ignore_defer;
    gstr *err;
};

static int host_list(struct host_match *h, const char *list, int depth);
static int host_list_item(struct host_match *h, const char *item, int depth,
                          int *decided);

static int
host_error(struct host_match *h, int rc, const char *fmt, const char *arg)
{
    if (h->err != NULL) {
        gstr_truncate(h->err, 0);
        gstr_printf(h->err, fmt, arg);
    }
    return rc;
}

static int
host_name_get(struct host_match *h)
{
    if (h->name_state == 0) {
        h->name_state = 2;
        if (h->name != NULL && h->name[0] != '\0')
            h->name_state = 1;
        else if (h->name == NULL && match_host_reverse_hook != NULL) {
            const char *n = NULL;
            int rc = match_host_reverse_hook(h->ctx, h->ip, &n, h->err);
            if (rc == MATCH_OK && n != NULL && n[0] != '\0') {
                h->name = n;
                h->name_state = 1;
            } else if (rc == MATCH_DEFER)
                h->name_state = 3;
        }
    }
    return h->name_state == 1   ? MATCH_OK
           : h->name_state == 3 ? MATCH_DEFER
                                : H_UNKNOWN;
}

static int
forward_lookup(struct host_match *h, const char *name, const char ***addrs)
{
    struct addrinfo hints, *res, *ai;
    size_t n = 0;
    const char **v;
    int rc;

    if (match_host_forward_hook != NULL)
        return match_host_forward_hook(h->ctx, name, addrs, h->err);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc == EAI_AGAIN)
        return host_error(h, MATCH_DEFER,
                          "temporary error looking up host \"%s\"", name);
    if (rc != 0)
        return MATCH_FAIL;
    for (ai = res; ai != NULL; ai = ai->ai_next)
        n++;
    v = arena_alloc(h->ctx->arena, (n + 1) * sizeof(*v));
    n = 0;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        char buf[NI_MAXHOST];
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, sizeof(buf), NULL, 0,
                        NI_NUMERICHOST) == 0)
            v[n++] = arena_strdup(h->ctx->arena, buf);
    }
    v[n] = NULL;
    freeaddrinfo(res);
    *addrs = v;
    return MATCH_OK;
}

static int
item_by_name_lookup(struct host_match *h, const char *name)
{
    const char **addrs = NULL;
    int rc = forward_lookup(h, name, &addrs);

    if (rc != MATCH_OK)
        return rc == MATCH_FAIL ? H_UNKNOWN : rc;
    for (size_t i = 0; addrs[i] != NULL; i++)
        if (ip_in_net(h->ip, addrs[i]) == 1 || ip_in_net(addrs[i], h->ip) == 1)
            return MATCH_OK;
    return MATCH_FAIL;
}

static int
item_local_interface(struct host_match *h)
{
    int found = ip_is_local_interface(h->ip);

    if (found < 0)
        return host_error(h, MATCH_DEFER, "%s",
                          "cannot list the local interfaces for \"@[]\"");
    return found ? MATCH_OK : MATCH_FAIL;
}

/* The key for "netN-type;": the address masked to bits, "/bits" after
 * it when a mask was given; IPv6 groups separated by dots (so that
 * lsearch keys need no quoting), except for iplsearch. */
static const char *
masked_key(struct host_match *h, int bits, int colons)
{
    unsigned char a[16];
    int fam;
    gstr k;

    if (!ip_parse(h->ip, a, &fam))
        return h->ip;
    if (bits >= 0) {
        int total = fam == 4 ? 32 : 128, start = fam == 4 ? 96 : 0;
        if (bits > total)
            bits = total;
        for (int i = start + bits; i < 128; i++)
            a[i / 8] &= (unsigned char)~(1u << (7 - i % 8));
    }
    gstr_init(&k, h->ctx->arena);
    if (fam == 4)
        gstr_printf(&k, "%d.%d.%d.%d", a[12], a[13], a[14], a[15]);
    else
        for (int i = 0; i < 16; i += 2)
            gstr_printf(&k, "%s%x", i ? (colons ? ":" : ".") : "",
                        (unsigned)(a[i] << 8 | a[i + 1]));
    if (bits >= 0)
        gstr_printf(&k, "/%d", bits);
    return gstr_str(&k);
}

static int
item_lookup(struct host_match *h, const char *item, const char *semi)
{
    const char *type = item;
    int bits = -1, by_ip = 0, colons = 0, rc;
    struct lookup_spec spec;
    struct lookup_call c;
    char *result = NULL;
    const char *key;
    gstr lerr;

    if (strncmp(item, "net", 3) == 0) {
        const char *p = item + 3;
        int n = 0, digits = 0;
        while (isdigit((unsigned char)*p)) {
            n = n * 10 + (*p++ - '0');
            digits = 1;
        }
        if (*p == '-') {
            by_ip = 1;
            bits = digits ? n : -1;
            type = p + 1;
        }
    }
    char *tname = arena_strndup(h->ctx->arena, type, (size_t)(semi - type));
    gstr_init(&lerr, h->ctx->arena);
    if (lookup_parse_type(h->ctx->arena, tname, &spec, &lerr) < 0)
        return host_error(h, MATCH_ERROR, "%s in host list", gstr_str(&lerr));
    if (strcmp(spec.driver->name, "iplsearch") == 0) {
        by_ip = 1;
        colons = 1;
    }
    if (by_ip)
        key = bits >= 0 || !colons ? masked_key(h, bits, colons) : h->ip;
    else {
        int nrc = host_name_get(h);
        if (nrc != MATCH_OK)
            return nrc;
        key = h->name;
    }
    memset(&c, 0, sizeof(c));
    c.a = h->ctx->arena;
    c.file = x_skip_space(semi + 1);
    c.key = key;
    c.err = &lerr;
    rc = lookup_run(&spec, &c, &result);
    if (rc == LOOKUP_OK) {
        expand_set_var(h->ctx, "host_data", result ? result : "");
        return MATCH_OK;
    }
    if (rc == LOOKUP_FAIL)
        return MATCH_FAIL;
    return host_error(h, MATCH_DEFER, "%s", gstr_str(&lerr));
}

/* Digits and dots only, or hex digits, colons and dots: meant as an
 * address, so a malformed one is an error rather than a host name. */
static int
looks_like_address(const char *item)
{
    const char *t = item;

    if (strchr(item, ':') != NULL) {
        while (isxdigit((unsigned char)*t) || *t == ':' || *t == '.')
            t++;
    } else {
        while (isdigit((unsigned char)*t) || *t == '.')
            t++;
    }
    return t != item && (*t == '\0' || *t == '/' || *t == '%');
}

static int
item_name_pattern(struct host_match *h, const char *item)
{
    struct exp e;
    gstr msg, list;
    int rc = host_name_get(h);

    if (rc != MATCH_OK)
        return rc;
    /* A list of one item: colons in a regex are doubled. */
    gstr_init(&list, h->ctx->arena);
    list_append(&list, ':', item);
    exp_init(&e, h->ctx, &msg);
    rc = exp_result(&e, x_match_domain(&e, h->name, gstr_str(&list)), h->err);
    return rc;
}

static int
host_item(struct host_match *h, const char *item)
{
    const char *semi, *t;
    int r;

    if (strcmp(item, "*") == 0)
        return MATCH_OK;
    if (h->ip[0] == '\0')
        return item[0] == '\0' ? MATCH_OK : MATCH_FAIL;
    if (item[0] == '\0')
        return MATCH_FAIL;
    if (strcmp(item, "@[]") == 0)
        return item_local_interface(h);
    if (strncmp(item, "@mx_", 4) == 0)
        return host_error(h, MATCH_ERROR,
                          "\"%s\" in a host list is not supported by mxlab "
                          "yet (it needs DNS MX lookups)",
                          item);
    if (strcmp(item, "@") == 0)
        item = main_config.primary_hostname ? main_config.primary_hostname : "";
    if ((r = ip_in_net(h->ip, item)) >= 0)
        return r == 1 ? MATCH_OK : MATCH_FAIL;
    if (looks_like_address(item))
        return host_error(h, MATCH_ERROR,
                          "malformed IP address or address mask \"%s\" in "
                          "host list",
                          item);
    if ((semi = strchr(item, ';')) != NULL)
        return item_lookup(h, item, semi);
    for (t = item; *t != '\0'; t++)
        if (!isalnum((unsigned char)*t) && *t != '.' && *t != '-' && *t != '_')
            break;
    if (*t == '\0')
        return item_by_name_lookup(h, item);
    return item_name_pattern(h, item);
}

/* One item a line; "#" starts a comment; blank lines are skipped. */
static int
host_file(struct host_match *h, const char *path, int depth)
{
    const char *data;
    size_t len;
    gstr ferr;
    char *copy;
    int rc = MATCH_FAIL, decided = 0;

    if (depth + 1 > HOST_MAX_NEST)
        return host_error(h, MATCH_ERROR,
                          "named lists nested too deeply (more than %s)", "20");
    gstr_init(&ferr, h->ctx->arena);
    if (lookup_file_get(path, "host list", &data, &len, &ferr) < 0)
        return host_error(h, MATCH_DEFER, "%s", gstr_str(&ferr));
    /* A copy: matching may read other files. */
    copy = arena_strndup(h->ctx->arena, data, len);
    lookup_file_release();
    for (char *p = copy; *p != '\0' && !decided;) {
        char *nl = strchr(p, '\n'), *hash, *e;
        if (nl != NULL)
            *nl = '\0';
        if ((hash = strchr(p, '#')) != NULL)
            *hash = '\0';
        while (isspace((unsigned char)*p))
            p++;
        e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (*p != '\0')
            rc = host_list_item(h, p, depth + 1, &decided);
        p = nl ? nl + 1 : p + strlen(p);
    }
    return decided ? rc : MATCH_FAIL;
}

static int
host_named(struct host_match *h, const char *name, int depth)
{
    const struct named_list *nl = conf_named_list(NL_HOST, name);
    char *value;

    if (nl == NULL)
        return host_error(h, MATCH_ERROR, "unknown named host list \"+%s\"",
                          name);
    value = nl->value;
    if (strchr(value, '$') != NULL) {
        gstr xerr;
        gstr_init(&xerr, h->ctx->arena);
        int rc = expand_string(h->ctx, nl->value, &value, &xerr);
        if (rc == EXPAND_FAIL)
            return MATCH_FAIL;
        if (rc != EXPAND_OK)
            return host_error(h, MATCH_DEFER, "%s", gstr_str(&xerr));
    }
    return host_list(h, value, depth + 1);
}

static int
host_special(struct host_match *h, const char *item)
{
    if (strcmp(item, "+include_unknown") == 0)
        h->include_unknown = 1, h->ignore_unknown = 0;
    else if (strcmp(item, "+ignore_unknown") == 0)
        h->ignore_unknown = 1, h->include_unknown = 0;
    else if (strcmp(item, "+include_defer") == 0)
        h->include_defer = 1, h->ignore_defer = 0;
    else if (strcmp(item, "+ignore_defer") == 0)
        h->ignore_defer = 1, h->include_defer = 0;
    else
        return 0;
    return 1;
}

/* One item; *decided is set when it ends the list, and the result
 * is then the list's. */
static int
host_list_item(struct host_match *h, const char *item, int depth, int *decided)
{
    int negate = 0, r;

    *decided = 0;
    if (host_special(h, item))
        return MATCH_FAIL;
    while (*item == '!') {
        negate = !negate;
        item = x_skip_space(item + 1);
    }
    if (item[0] == '+' && item[1] != '\0')
        r = host_named(h, item + 1, depth);
    else if (item[0] == '/')
        r = host_file(h, item, depth);
    else
        r = host_item(h, item);
    *decided = 1;
    switch (r) {
    case MATCH_OK:
        return negate ? MATCH_FAIL : MATCH_OK;
    case MATCH_FAIL:
        *decided = 0;
        return MATCH_FAIL;
    case H_UNKNOWN:
        if (h->ignore_unknown) {
            *decided = 0;
            return MATCH_FAIL;
        }
        if (h->include_unknown)
            return negate ? MATCH_FAIL : MATCH_OK;
        return MATCH_FAIL;
    case MATCH_DEFER:
        if (h->ignore_defer) {
            *decided = 0;
            return MATCH_FAIL;
        }
        if (h->include_defer)
            return negate ? MATCH_FAIL : MATCH_OK;
        return MATCH_DEFER;
    default:
        return r;
    }
}

static int
host_list(struct host_match *h, const char *list, int depth)
{
    struct list_iter it;
    const char *item;

    if (depth > HOST_MAX_NEST)
        return host_error(h, MATCH_ERROR,
                          "named lists nested too deeply (more than %s)", "20");
    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, h->ctx->arena)) != NULL) {
        int decided, r = host_list_item(h, item, depth, &decided);
        if (decided)
            return r;
    }
    return MATCH_FAIL;
}

int
match_host(struct expand_ctx *ctx, const char *ip, const char *name,
           const char *list, gstr *err)
{
    struct host_match h;

    memset(&h, 0, sizeof(h));
    h.ctx = ctx;
    h.ip = ip ? ip : "";
    h.name = name;
    h.err = err;
    return host_list(&h, list, 0);
}
