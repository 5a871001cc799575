/*++
 * NAME
 *	spf 3
 * SUMMARY
 *	SPF checks through libspf2, with mxlab's resolver
 * SYNOPSIS
 *	#include "spf/spf.h"
 *
 *	void	spf_init(void)
 * DESCRIPTION
 *	The ACL conditions, as Exim has them:
 *
 *	spf = LIST checks the client's address, its HELO name and the
 *	envelope sender ($sender_host_address, $sender_helo_name,
 *	$sender_address) against the sender domain's SPF policy (RFC
 *	7208) and is true when the result is in LIST: pass, fail,
 *	softfail, neutral, none, temperror, permerror (and invalid); an
 *	item "!name" is true when the result is not that one. The items
 *	are looked at in turn and the first that decides, decides.
 *
 *	spf_guess = LIST does the same, but a domain without a policy
 *	("none") is checked against spf_guess instead ($spf_result_guessed
 *	is then "yes").
 *
 *	Both set $spf_result, $spf_header_comment, $spf_received (a whole
 *	Received-SPF: header field), $spf_smtp_comment (the explanation,
 *	from spf_smtp_comment_template or the domain's exp=) and
 *	$spf_used_domain (the sender's domain, or the HELO name for an
 *	empty sender). Without a HELO name (a MAIL before HELO) the
 *	result is permerror and the variables are left alone, as in Exim.
 *	Without a client address (a local -bs session) the address is
 *	0.0.0.0, as Exim has libspf2 take it: against most policies a
 *	fail.
 *
 *	libspf2 makes its DNS queries through a layer of ours that asks
 *	mxlab's resolver (src/dns/), so dns_server aims them at fake-dns
 *	in tests; type SPF (99) queries are answered "no data" at once
 *	(RFC 7208 retired the type), and only TXT records that start
 *	with "v=spf1" are passed on.
 * DIAGNOSTICS
 *	A library that cannot be set up is logged to the main and panic
 *	logs, "SPF: ..."; the condition then gives permerror.
 *--*/

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <string.h>
#include <strings.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "conf/mainopts.h"
#include "dns/dns.h"
#include "expand/expand.h"
#include "log/log.h"
#include "spf/spf.h"
#include "spf/spf_conf.h"

/* Exim's names, in libspf2's numbering. */
static const char *const result_names[] = {
    "invalid",  "neutral", "pass",      "fail",
    "softfail", "none",    "temperror", "permerror",
};

static SPF_server_t *spf_server;

/* Copies data into record i of rr. */
static int
rr_put(SPF_dns_rr_t *rr, int i, const void *data, size_t len)
{
    if (SPF_dns_rr_buf_realloc(rr, i, len) != SPF_E_SUCCESS)
        return -1;
    memcpy(rr->rr[i], data, len);
    return 0;
}

static int
rr_one(SPF_dns_rr_t *rr, int i, ns_type type, const struct dns_rr *r)
{
    unsigned char addr[16];

    switch (type) {
    case ns_t_a:
        return inet_pton(AF_INET, r->text, addr) == 1
                   ? rr_put(rr, i, addr, sizeof(struct in_addr))
                   : -1;
    case ns_t_aaaa:
        return inet_pton(AF_INET6, r->text, addr) == 1
                   ? rr_put(rr, i, addr, sizeof(struct in6_addr))
                   : -1;
    case ns_t_mx:
    case ns_t_ptr:
        return rr_put(rr, i, r->text, strlen(r->text) + 1);
    case ns_t_txt: {
        char *out;
        size_t n = 0;
        if (r->nstrings == 0 || strncasecmp(r->strings[0], "v=spf1", 6) != 0)
            return -1;
        for (size_t k = 0; k < r->nstrings; k++)
            n += strlen(r->strings[k]);
        if (SPF_dns_rr_buf_realloc(rr, i, n + 1) != SPF_E_SUCCESS)
            return -1;
        out = (char *)rr->rr[i];
        for (size_t k = 0; k < r->nstrings; k++) {
            size_t l = strlen(r->strings[k]);
            memcpy(out, r->strings[k], l);
            out += l;
        }
        *out = '\0';
        return 0;
    }
    default:
        return -1;
    }
}

/* libspf2's DNS layer: one query through mxlab's resolver. */
static SPF_dns_rr_t *
dns_layer_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
                 int should_cache)
{
    struct arena *a = arena_create();
    struct dns_result res;
    SPF_dns_rr_t *rr;
    SPF_dns_stat_t herr;
    gstr err;
    int n = 0;

    (void)should_cache;
    if (type == ns_t_spf) { /* retired by RFC 7208 */
        arena_destroy(a);
        return SPF_dns_rr_new_init(srv, domain, type, 0, NO_DATA);
    }
    gstr_init(&err, a);
    switch (dns_lookup(a, domain, (enum dns_type)type, &res, &err)) {
    case DNS_OK:
        herr = NETDB_SUCCESS;
        break;
    case DNS_NOMATCH:
        herr = HOST_NOT_FOUND;
        break;
    case DNS_NODATA:
        herr = NO_DATA;
        break;
    case DNS_AGAIN:
        herr = TRY_AGAIN;
        break;
    default:
        herr = NO_RECOVERY;
        break;
    }
    rr = SPF_dns_rr_new_init(srv, domain, type, 300, herr);
    if (rr != NULL && herr == NETDB_SUCCESS) {
        for (struct dns_rr *r = res.rrs; r != NULL; r = r->next)
            if (r->type == (enum dns_type)type && rr_one(rr, n, type, r) == 0) {
                rr->ttl = (time_t)r->ttl;
                n++;
            }
        rr->num_rr = n;
        if (n == 0)
            rr->herrno = NO_DATA;
    }
    arena_destroy(a);
    return rr;
}

static SPF_dns_server_t *
dns_layer_new(void)
{
    static SPF_dns_server_t layer;

    memset(&layer, 0, sizeof(layer));
    layer.lookup = dns_layer_lookup;
    layer.name = "mxlab";
    return &layer;
}

/* The library, once per process. */
static SPF_server_t *
server(struct expand_ctx *x)
{
    SPF_response_t *resp = NULL;
    char *tmpl;
    gstr err;

    if (spf_server != NULL)
        return spf_server;
    spf_server = SPF_server_new_dns(dns_layer_new(), 0);
    if (spf_server == NULL) {
        log_write(LOG_MAIN | LOG_PANIC, "SPF: cannot set up libspf2");
        return NULL;
    }
    gstr_init(&err, x->arena);
    if (expand_string(x, spf_main.spf_smtp_comment_template, &tmpl, &err) !=
        EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "expansion of spf_smtp_comment_template failed");
        tmpl = "";
    }
    SPF_server_set_explanation(spf_server, tmpl, &resp);
    if (resp != NULL)
        SPF_response_free(resp);
    if (main_config.primary_hostname != NULL)
        SPF_server_set_rec_dom(spf_server, main_config.primary_hostname);
    return spf_server;
}

static void
set_var(struct expand_ctx *x, const char *name, const char *v)
{
    expand_set_var(x, name, v ? v : "");
}

/* The result for the connection and sender: its libspf2 number. */
static int
spf_query(struct acl_call *c, int guess)
{
    struct expand_ctx *x = c->x;
    const char *ip = expand_get_var(x, "sender_host_address");
    const char *helo = expand_get_var(x, "sender_helo_name");
    const char *sender = expand_get_var(x, "sender_address");
    SPF_server_t *srv = server(x);
    SPF_request_t *req;
    SPF_response_t *resp = NULL;
    int rc = SPF_RESULT_PERMERROR;

    if (srv == NULL || helo == NULL || *helo == '\0')
        return rc;
    req = SPF_request_new(srv);
    if (req == NULL)
        return rc;
    /* as Exim: no address (-bs) is given to libspf2 as NULL: 0.0.0.0 */
    if (ip != NULL && *ip == '\0')
        ip = NULL;
    if ((SPF_request_set_ipv4_str(req, ip) != SPF_E_SUCCESS &&
         SPF_request_set_ipv6_str(req, ip) != SPF_E_SUCCESS) ||
        SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS ||
        SPF_request_set_env_from(req, sender ? sender : "") != SPF_E_SUCCESS) {
        SPF_request_free(req);
        return rc;
    }
    if (guess)
        SPF_request_query_fallback(req, &resp, spf_main.spf_guess);
    else
        SPF_request_query_mailfrom(req, &resp);
    if (resp != NULL) {
        rc = (int)SPF_response_result(resp);
        set_var(x, "spf_header_comment", SPF_response_get_header_comment(resp));
        set_var(x, "spf_received", SPF_response_get_received_spf(resp));
        set_var(x, "spf_result", SPF_strresult(SPF_response_result(resp)));
        set_var(x, "spf_smtp_comment", SPF_response_get_smtp_comment(resp));
        set_var(x, "spf_result_guessed", guess ? "yes" : "no");
        set_var(x, "spf_used_domain",
                sender && *sender ? strrchr(sender, '@') + 1 : helo);
        SPF_response_free(resp);
    }
    SPF_request_free(req);
    return rc;
}

static int
spf_condition(struct acl_call *c, const char *arg, int guess)
{
    struct list_iter it;
    char *item;
    int rc = spf_query(c, 0);

    if (guess && rc == SPF_RESULT_NONE)
        rc = spf_query(c, 1);
    if (rc < 0 || rc > SPF_RESULT_PERMERROR)
        rc = SPF_RESULT_PERMERROR;
    list_iter_init(&it, arg, ':');
    while ((item = list_next(&it, c->x->arena)) != NULL) {
        int negate = item[0] == '!';
        int match = strcmp(item + negate, result_names[rc]) == 0;
        if (negate != match)
            return ACL_OK;
    }
    return ACL_FAIL;
}

static int
c_spf(struct acl_call *c, const char *arg)
{
    return spf_condition(c, arg, 0);
}

static int
c_spf_guess(struct acl_call *c, const char *arg)
{
    return spf_condition(c, arg, 1);
}

/* Exim forbids them where there is no sender to check. */
#define SPF_FORBIDDEN                                                          \
    (ACL_BIT(ACL_WHERE_AUTH) | ACL_BIT(ACL_WHERE_CONNECT) |                    \
     ACL_BIT(ACL_WHERE_HELO) | ACL_BIT(ACL_WHERE_MAILAUTH) |                   \
     ACL_BIT(ACL_WHERE_ETRN) | ACL_BIT(ACL_WHERE_EXPN) |                       \
     ACL_BIT(ACL_WHERE_STARTTLS) | ACL_BIT(ACL_WHERE_VRFY) |                   \
     ACL_BIT(ACL_WHERE_NOT_SMTP) | ACL_BIT(ACL_WHERE_NOT_SMTP_START))

static const struct acl_cond_def cond_spf = {"spf", ACL_CD_EXPAND,
                                             SPF_FORBIDDEN, NULL, c_spf};
static const struct acl_cond_def cond_spf_guess = {
    "spf_guess", ACL_CD_EXPAND, SPF_FORBIDDEN, NULL, c_spf_guess};

void
spf_init(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    acl_register_condition(&cond_spf);
    acl_register_condition(&cond_spf_guess);
}
