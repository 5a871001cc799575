/*++
 * NAME
 *	dns_setup 3
 * SUMMARY
 *	the resolver at start-up, and the host-list lookup hooks
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	int	dns_setup(gstr *err)
 * DESCRIPTION
 *	dns_setup() runs once the configuration is read. It expands the
 *	dns_server main option (an mxlab extension; "IP [port]") and, if
 *	it is set, sends every query there. It then sets the hooks that
 *	host lists use (expand/match.h):
 * .IP "the reverse hook"
 *	looks up PTR records of the client's address and returns the
 *	first name that looks up forward (in the DNS, as Exim) to that
 *	address again, as Exim verifies host names. When names were found
 *	but none verifies, it fails with "IP does not match any IP address
 *	for NAME" in err. The methods of host_lookup_order are tried
 *	in turn: "bydns" asks the DNS for PTR records, "byaddr" the C
 *	library's getnameinfo() (skipped with dns_server, so that a lab
 *	sees only its own DNS). The first that finds a name decides.
 *	When a name was found but does not look up to the address, err
 *	says so ("IP does not match any IP address for NAME"); it is empty
 *	when no name was found. The answer (a name, or none) for the last
 *	address asked about
 *	is kept for the life of the process, as Exim keeps a client's
 *	name for its connection.
 * .IP "the forward hook"
 *	is set only with dns_server, so that host names in lists are
 *	looked up at that server; without it they go through the C
 *	library (getaddrinfo(), which reads /etc/hosts), as in Exim.
 * DIAGNOSTICS
 *	"FILE:LINE: dns_server: ..." when the option does not expand or
 *	is not "IP [port]". An item of host_lookup_order other than bydns
 *	and byaddr (in any case) is passed over, as Exim does.
 *--*/

#include <netdb.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "dns/dns.h"
#include "expand/expand.h"
#include "expand/ip.h"
#include "expand/match.h"

static int dns_server_set;

static int
match_status(int rc)
{
    switch (rc) {
    case DNS_OK:
        return MATCH_OK;
    case DNS_AGAIN:
        return MATCH_DEFER;
    default:
        return MATCH_FAIL;
    }
}

static void
err_copy(gstr *err, gstr *from)
{
    if (err != NULL) {
        gstr_truncate(err, 0);
        gstr_adds(err, gstr_str(from));
    }
}

static int
hook_forward(struct expand_ctx *ctx, const char *name, const char ***addrs,
             gstr *err)
{
    gstr e;
    int rc;

    gstr_init(&e, ctx->arena);
    rc = dns_host_addresses(ctx->arena, name, addrs, &e);
    if (rc == DNS_AGAIN)
        err_copy(err, &e);
    return match_status(rc);
}

static int
same_address(const char *x, const char *y)
{
    unsigned char a[16], b[16];
    int fa, fb;

    return ip_parse(x, a, &fa) && ip_parse(y, b, &fb) && fa == fb &&
           memcmp(a, b, sizeof(a)) == 0;
}

/* Does name look up to ip? MATCH_OK, MATCH_FAIL or MATCH_DEFER. As
 * Exim, the check asks the DNS (A and AAAA), never /etc/hosts, even for
 * a name that byaddr found there. */
static int
name_confirms(struct expand_ctx *ctx, const char *name, const char *ip,
              gstr *err)
{
    const char **addrs = NULL;
    int rc = hook_forward(ctx, name, &addrs, err);

    if (rc != MATCH_OK)
        return rc;
    for (size_t i = 0; addrs[i] != NULL; i++)
        if (same_address(addrs[i], ip))
            return MATCH_OK;
    return MATCH_FAIL;
}

/* A name was found but none of its addresses is the client's: Exim's
 * wording, kept in err (the caller logs nothing for this case). */
static void
note_unverified(gstr *err, const char *ip, const char *name)
{
    if (err != NULL) {
        gstr_truncate(err, 0);
        gstr_printf(err, "%s does not match any IP address for %s", ip, name);
    }
}

static int
hook_reverse_byaddr(struct expand_ctx *ctx, const char *ip, const char **name,
                    gstr *err, int *found_names)
{
    struct addrinfo hints, *res;
    char buf[NI_MAXHOST];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST;
    if (getaddrinfo(ip, NULL, &hints, &res) != 0)
        return MATCH_FAIL;
    rc = getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof(buf), NULL, 0,
                     NI_NAMEREQD);
    freeaddrinfo(res);
    if (rc != 0)
        return rc == EAI_AGAIN ? MATCH_DEFER : MATCH_FAIL;
    *found_names = 1;
    if (name_confirms(ctx, buf, ip, NULL) != MATCH_OK) {
        note_unverified(err, ip, buf);
        return MATCH_FAIL;
    }
    *name = arena_strdup(ctx->arena, buf);
    return MATCH_OK;
}

static int
hook_reverse_bydns(struct expand_ctx *ctx, const char *ip, const char **name,
                   gstr *err, int *found_names)
{
    const char *rname = dns_reverse_name(ctx->arena, ip);
    struct dns_result r;
    int deferred = 0;
    gstr e;
    int rc;

    if (rname == NULL)
        return MATCH_FAIL;
    gstr_init(&e, ctx->arena);
    rc = dns_lookup(ctx->arena, rname, DNS_T_PTR, &r, &e);
    if (rc == DNS_AGAIN) {
        err_copy(err, &e);
        return MATCH_DEFER;
    }
    if (rc != DNS_OK)
        return MATCH_FAIL;
    *found_names = r.rrs != NULL;
    for (struct dns_rr *rr = r.rrs; rr != NULL; rr = rr->next) {
        int c = name_confirms(ctx, rr->text, ip, &e);
        if (c == MATCH_OK) {
            *name = rr->text;
            return MATCH_OK;
        }
        if (c == MATCH_DEFER)
            deferred = 1;
    }
    if (deferred) {
        err_copy(err, &e);
        return MATCH_DEFER;
    }
    if (r.rrs != NULL)
        note_unverified(err, ip, r.rrs->text);
    return MATCH_FAIL;
}

/* host_lookup_order: each method in turn (bydns, byaddr, in any case;
 * Exim passes over any other item, and so does mxlab) until one finds a
 * name (a
 * PTR record ends the search even when its name does not look up
 * forward to the address again), or the DNS defers. With
 * dns_server set, "byaddr" (the system's resolver, /etc/hosts) is
 * skipped so that a lab sees only its own DNS. */
static int
reverse_lookup(struct expand_ctx *ctx, const char *ip, const char **name,
               gstr *err)
{
    struct list_iter it;
    char *method;
    int rc = MATCH_FAIL, found = 0;

    list_iter_init(&it, main_config.host_lookup_order, ':');
    while ((method = list_next(&it, ctx->arena)) != NULL) {
        if (strcasecmp(method, "bydns") == 0)
            rc = hook_reverse_bydns(ctx, ip, name, err, &found);
        else if (strcasecmp(method, "byaddr") == 0 && !dns_server_set)
            rc = hook_reverse_byaddr(ctx, ip, name, err, &found);
        /* as Exim, any other item is passed over */
        if (rc != MATCH_FAIL || found)
            return rc;
    }
    return rc;
}

/* The last address's verified name, or that it has none: Exim looks a
 * client's name up once per connection (a host list that needs it,
 * then verify = reverse_host_lookup, ask nothing more), and each
 * connection is a process of its own. A deferred lookup is not kept. */
static struct {
    char *ip, *name; /* name NULL: none was found */
    char *why;       /* then: a name that did not look up to ip, or "" */
} reverse_seen;

static int
hook_reverse(struct expand_ctx *ctx, const char *ip, const char **name,
             gstr *err)
{
    int rc;

    if (reverse_seen.ip != NULL && strcmp(reverse_seen.ip, ip) == 0) {
        if (reverse_seen.name == NULL) {
            if (err != NULL) {
                gstr_truncate(err, 0);
                gstr_adds(err, reverse_seen.why);
            }
            return MATCH_FAIL;
        }
        *name = arena_strdup(ctx->arena, reverse_seen.name);
        return MATCH_OK;
    }
    if (err != NULL)
        gstr_truncate(err, 0);
    rc = reverse_lookup(ctx, ip, name, err);
    if (rc == MATCH_DEFER)
        return rc;
    arena_perm_init();
    reverse_seen.ip = arena_strdup(arena_perm, ip);
    reverse_seen.name = rc == MATCH_OK && *name != NULL
                            ? arena_strdup(arena_perm, *name)
                            : NULL;
    reverse_seen.why = arena_strdup(
        arena_perm, rc != MATCH_OK && err != NULL ? gstr_str(err) : "");
    return rc;
}

int
dns_setup(gstr *err)
{
    const char *file;
    int line;
    char *spec;
    struct expand_ctx ctx;
    gstr e;

    dns_server_set = 0;
    reverse_seen.ip = NULL;
    dns_set_server(NULL, err);
    match_host_reverse_hook = hook_reverse;
    match_host_forward_hook = NULL;
    if (main_config.dns_server == NULL)
        return 0;
    gstr_init(&e, arena_perm);
    expand_ctx_init(&ctx, arena_perm);
    if (expand_string(&ctx, main_config.dns_server, &spec, &e) != EXPAND_OK ||
        (spec[0] != '\0' && dns_set_server(spec, &e) < 0)) {
        gstr_truncate(err, 0);
        if (conf_option_origin("dns_server", &file, &line) == 0)
            gstr_printf(err, "%s:%d: ", file, line);
        gstr_printf(err, "dns_server: %s",
                    e.len ? gstr_str(&e) : "forced expansion failure");
        return -1;
    }
    if (spec[0] == '\0')
        return 0;
    dns_server_set = 1;
    match_host_forward_hook = hook_forward;
    return 0;
}
