/*++
 * NAME
 *	dkim_smtp 3
 * SUMMARY
 *	DKIM verification of messages received over SMTP
 * SYNOPSIS
 *	#include "dkim/dkim_smtp.h"
 *
 *	void	dkim_init(void)
 *	struct dkim_msg *dkim_msg_start(struct arena *a)
 *	void	dkim_msg_line(void *m, const char *line, size_t len)
 *	int	dkim_msg_finish(struct dkim_msg *m, struct expand_ctx *x,
 *				const char *id, const char *acl,
 *				dkim_acl_fn *run_acl, void *arg)
 *	const char *dkim_msg_firstpass(const struct dkim_msg *m)
 *	void	dkim_msg_free(struct dkim_msg *m)
 * DESCRIPTION
 *	Exim's sequence after the data of an SMTP message, before the
 *	data ACL: the signatures are verified and $dkim_signers is set to
 *	their domains and identities. With acl_smtp_dkim set, the option
 *	dkim_verify_signers is expanded and for each item (once each) the
 *	ACL runs for every signature whose d= (or i=, for an item with an
 *	"@") is the item, with $dkim_cur_signer, $dkim_verify_status,
 *	$dkim_verify_reason, $dkim_domain, $dkim_selector and the other
 *	$dkim_* variables of that signature; for an item without a
 *	signature it runs once with the defaults (status "none"). A run
 *	that does not accept ends it. (dkim_verify_minimal stops the
 *	verification at the first pass, as in Exim: the signatures after it
 *	are "none", "[not verified]"; the ACL still runs for every signer.)
 *	Afterwards $dkim_verify_status is the list of
 *	the statuses the runs ended with. Without the ACL nothing runs.
 *
 *	Each signature the ACL ran for (every signature, without the ACL)
 *	gets the "DKIM: d=... s=... c=... a=... b=... [...]" line when the
 *	dkim_verbose log selector is on, and the domain of a passing one
 *	becomes the "DKIM=" field of the reception line (+dkim, on by
 *	default). If the ACL changed $dkim_verify_status or
 *	$dkim_verify_reason, the log line shows "[STATUS - REASON]".
 *
 *	The ACL conditions: dkim_signers = LIST (only in acl_smtp_dkim)
 *	is true when $dkim_cur_signer is in the list; dkim_status = LIST
 *	(in the DKIM and DATA ACLs) is true when any of the statuses in
 *	$dkim_verify_status is in the list. Lists match as domain lists
 *	do (caselessly, with "*" and regular expressions).
 * DIAGNOSTICS
 *	"DKIM: d=D s=S [failed key import]" for each signature whose key
 *	could not be had. "DKIM: validation error: X" when the message
 *	cannot be taken in (X is LONG_LINE or EXCESS_SIGS), logged as the
 *	line comes in (so without the message id for a header, as in
 *	Exim), then at the end "DKIM: Error during validation, disabling
 *	signature verification: X".
 *	"expansion of dkim_verify_signers option failed: MSG" to the main
 *	and panic logs.
 *--*/

#include <string.h>
#include <strings.h>

#include "acl/acl.h"
#include "authres/authres.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "dkim/dkim.h"
#include "dkim/dkim_conf.h"
#include "dkim/dkim_smtp.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"

struct dkim_msg {
    struct arena *a;
    struct dkim_verify *v;
    struct dkim_sig *sigs;
    const char *firstpass;
    const char *status; /* as the ACL left $dkim_verify_status */
    int have_status;
    const char *id;
};

struct dkim_msg *
dkim_msg_start(struct arena *a)
{
    struct dkim_msg *m = arena_alloc(a, sizeof(*m));

    memset(m, 0, sizeof(*m));
    m->a = a;
    m->v = dkim_verify_start(a);
    return m;
}

void
dkim_msg_line(void *arg, const char *line, size_t len)
{
    struct dkim_msg *m = arg;
    const char *error;

    if (dkim_verify_error(m->v) != NULL)
        return;
    dkim_verify_line(m->v, line, len);
    /* logged as the data comes in, as Exim does: for a header (too
     * many signatures) that is before the message has its id */
    if ((error = dkim_verify_error(m->v)) != NULL)
        log_write(LOG_MAIN, "DKIM: validation error: %.100s", error);
}

void
dkim_msg_free(struct dkim_msg *m)
{
    if (m != NULL)
        dkim_verify_free(m->v);
}

const char *
dkim_msg_firstpass(const struct dkim_msg *m)
{
    return m ? m->firstpass : NULL;
}

/* A value from the message, made safe for a log line or a header. */
static const char *
safe(struct arena *a, const char *s)
{
    gstr g;

    if (s == NULL)
        return NULL;
    gstr_init(&g, a);
    str_printing(&g, s, strlen(s));
    return gstr_str(&g);
}

static const char *
num(struct arena *a, unsigned long n)
{
    return arena_printf(a, "%lu", n);
}

/* The $dkim_* variables of a signature; s NULL: Exim's defaults. */
static void
set_vars(struct dkim_msg *m, struct expand_ctx *x, const struct dkim_sig *s)
{
    const struct dkim_pubkey *p = s ? s->pubkey : NULL;
    struct arena *a = m->a;

    expand_set_var(x, "dkim_verify_status",
                   s ? dkim_status_name(s->status) : "none");
    expand_set_var(x, "dkim_verify_reason",
                   s ? dkim_reason_name(s->reason) : "");
    expand_set_var(x, "dkim_algo", s ? dkim_sig_algo(a, s) : "");
    expand_set_var(x, "dkim_bodylength",
                   s && s->bodylength >= 0
                       ? num(a, (unsigned long)s->bodylength)
                       : "9999999999999");
    expand_set_var(x, "dkim_canon_body",
                   !s                                    ? ""
                   : s->canon_body == DKIM_CANON_RELAXED ? "relaxed"
                                                         : "simple");
    expand_set_var(x, "dkim_canon_headers",
                   !s                                       ? ""
                   : s->canon_headers == DKIM_CANON_RELAXED ? "relaxed"
                                                            : "simple");
    expand_set_var(x, "dkim_copiedheaders",
                   s && s->copiedheaders ? s->copiedheaders : "");
    expand_set_var(x, "dkim_created",
                   s && s->created > 0 ? num(a, s->created) : "0");
    expand_set_var(x, "dkim_expires",
                   s && s->expires > 0 ? num(a, s->expires) : "9999999999999");
    expand_set_var(x, "dkim_headernames",
                   s && s->headernames ? s->headernames : "");
    expand_set_var(x, "dkim_identity", s && s->identity ? s->identity : "");
    expand_set_var(x, "dkim_key_granularity", p ? p->granularity : "*");
    expand_set_var(x, "dkim_key_srvtype", p ? p->srvtype : "*");
    expand_set_var(x, "dkim_key_notes", p && p->notes ? p->notes : "");
    expand_set_var(x, "dkim_key_testing", p && p->testing ? "1" : "0");
    expand_set_var(x, "dkim_key_nosubdomains",
                   p && p->no_subdomaining ? "1" : "0");
    if (s != NULL) {
        expand_set_var(x, "dkim_domain", s->domain);
        expand_set_var(x, "dkim_selector", s->selector);
        expand_set_var(x, "dkim_key_length", num(a, s->keybits));
    }
}

/* Exim's log line for a signature, and the DKIM= domain. */
static void
log_sig(struct dkim_msg *m, struct expand_ctx *x, const struct dkim_sig *s)
{
    const char *st =
        m->have_status ? expand_get_var(x, "dkim_verify_status") : NULL;
    const char *why = expand_get_var(x, "dkim_verify_reason");
    int policy = 0;
    gstr g;

    if (s == NULL)
        return;
    if ((m->firstpass == NULL && st != NULL) ? strcmp(st, "pass") == 0
                                             : s->status == DKIM_PASS)
        m->firstpass = s->domain;
    if (st != NULL &&
        (strcmp(st, dkim_status_name(s->status)) != 0 ||
         strcmp(why ? why : "", dkim_reason_name(s->reason)) != 0))
        policy = 1;
    if (!log_selected(LS_dkim_verbose))
        return;
    gstr_init(&g, m->a);
    gstr_printf(&g, "DKIM: d=%s s=%s c=%s/%s a=%s b=%zu",
                s->domain ? safe(m->a, s->domain) : "<UNSET>",
                s->selector ? safe(m->a, s->selector) : "<UNSET>",
                s->canon_headers == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                s->canon_body == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                dkim_sig_algo(m->a, s), s->b ? s->b_len * 8 : (size_t)0);
    if (s->identity)
        gstr_printf(&g, " i=%s", safe(m->a, s->identity));
    if (s->created > 0)
        gstr_printf(&g, " t=%lu", s->created);
    if (s->expires > 0)
        gstr_printf(&g, " x=%lu", s->expires);
    if (s->bodylength > -1)
        gstr_printf(&g, " l=%ld", s->bodylength);
    if (policy)
        gstr_printf(&g, " [%s - %s]", st, why ? why : "");
    else
        dkim_result_text(s, &g);
    log_write(LOG_MAIN, "%s %s", m->id, gstr_str(&g));
}

static int
signer_matches(const struct dkim_sig *s, const char *item)
{
    const char *v = strchr(item, '@') ? s->identity : s->domain;

    return v != NULL && strcasecmp(v, item) == 0;
}

/* One item of dkim_verify_signers: the ACL for each of its signatures,
 * or once without one. */
static int
run_signer(struct dkim_msg *m, struct expand_ctx *x, const char *item,
           gstr *results, dkim_acl_fn *run_acl, void *arg)
{
    int rc = -1;

    expand_set_var(x, "dkim_cur_signer", item);
    m->have_status = 1;
    for (struct dkim_sig *s = m->sigs; s != NULL; s = s->next) {
        if (!signer_matches(s, item))
            continue;
        set_vars(m, x, s);
        rc = run_acl(arg);
        log_sig(m, x, s);
        list_append(results, ':', expand_get_var(x, "dkim_verify_status"));
        if (rc != ACL_OK)
            return rc;
    }
    if (rc != -1)
        return rc;
    set_vars(m, x, NULL);
    rc = run_acl(arg);
    list_append(results, ':', expand_get_var(x, "dkim_verify_status"));
    return rc;
}

static int
run_signers(struct dkim_msg *m, struct expand_ctx *x, dkim_acl_fn *run_acl,
            void *arg)
{
    struct list_iter it, seen_it;
    char *list, *item, *old;
    gstr err, results, seen;
    int rc = ACL_OK;

    gstr_init(&err, m->a);
    if (expand_string(x, dkim_main.dkim_verify_signers, &list, &err) !=
        EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "expansion of dkim_verify_signers option failed: %s",
                  gstr_str(&err));
        return ACL_DEFER;
    }
    gstr_init(&results, m->a);
    gstr_init(&seen, m->a);
    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, m->a)) != NULL) {
        int dup = 0;
        if (*item == '\0')
            continue;
        list_iter_init(&seen_it, gstr_str(&seen), ':');
        while (!dup && (old = list_next(&seen_it, m->a)) != NULL)
            dup = strcmp(old, item) == 0;
        if (dup)
            continue;
        list_append(&seen, ':', item);
        rc = run_signer(m, x, item, &results, run_acl, arg);
        if (rc != ACL_OK)
            break;
    }
    expand_set_var(x, "dkim_verify_status", gstr_str(&results));
    return rc;
}

static const char *
authres_reason(const struct dkim_sig *s)
{
    switch (s->status) {
    case DKIM_NONE:
        return "none";
    case DKIM_PASS:
        return "pass";
    case DKIM_INVALID:
        switch (s->reason) {
        case DKIM_R_PUBKEY_UNAVAILABLE:
            return "tmperror (pubkey unavailable)\n\t\t";
        case DKIM_R_BUFFER_SIZE:
            return "permerror (overlong public key record)\n\t\t";
        case DKIM_R_PUBKEY_DNSRECORD:
        case DKIM_R_PUBKEY_IMPORT:
            return "neutral (public key record import problem)\n\t\t";
        case DKIM_R_SIGNATURE_ERROR:
            return "neutral (signature tag missing or invalid)\n\t\t";
        case DKIM_R_DKIM_VERSION:
            return "neutral (unsupported DKIM version)\n\t\t";
        default:
            return "permerror (unspecified problem)\n\t\t";
        }
    case DKIM_FAIL:
        switch (s->reason) {
        case DKIM_R_FAIL_BODY:
            return "fail (body hash mismatch; body probably modified in "
                   "transit)\n\t\t";
        case DKIM_R_FAIL_MESSAGE:
            return "fail (signature did not verify; headers probably "
                   "modified in transit)\n\t\t";
        case DKIM_R_PUBKEY_KEYSIZE:
            return NULL; /* with the size, below */
        default:
            return "fail (unspecified reason)\n\t\t";
        }
    }
    return "permerror";
}

/* The dkim= entries of ${authresults}, in Exim's words. */
static void
set_authres(struct dkim_msg *m)
{
    gstr g;

    gstr_init(&g, m->a);
    for (struct dkim_sig *s = m->sigs; s != NULL; s = s->next) {
        const char *r = authres_reason(s);
        gstr_adds(&g, ";\n\tdkim=");
        if (r != NULL)
            gstr_adds(&g, r);
        else
            gstr_printf(&g, "fail (public key too short: %u bits)\n\t\t",
                        s->keybits);
        if (s->domain)
            gstr_printf(&g, " header.d=%s", safe(m->a, s->domain));
        if (s->identity)
            gstr_printf(&g, " header.i=%s", safe(m->a, s->identity));
        if (s->selector)
            gstr_printf(&g, " header.s=%s", safe(m->a, s->selector));
        gstr_printf(&g, " header.a=%s", dkim_sig_algo(m->a, s));
    }
    authres_set_dkim(g.len ? gstr_str(&g) : NULL);
}

static void
log_key_failures(struct dkim_msg *m)
{
    for (struct dkim_sig *s = m->sigs; s != NULL; s = s->next)
        if (s->status == DKIM_INVALID &&
            (s->reason == DKIM_R_PUBKEY_UNAVAILABLE ||
             s->reason == DKIM_R_PUBKEY_DNSRECORD ||
             s->reason == DKIM_R_PUBKEY_IMPORT))
            log_write(LOG_MAIN, "%s DKIM: %s%s %s%s [failed key import]", m->id,
                      s->domain ? "d=" : "",
                      s->domain ? safe(m->a, s->domain) : "",
                      s->selector ? "s=" : "",
                      s->selector ? safe(m->a, s->selector) : "");
}

int
dkim_msg_finish(struct dkim_msg *m, struct expand_ctx *x, const char *id,
                const char *acl, dkim_acl_fn *run_acl, void *arg)
{
    struct dkim_verify_opts o = {
        dkim_main.dkim_verify_hashes, dkim_main.dkim_verify_keytypes,
        dkim_main.dkim_verify_min_keysizes, dkim_main.dkim_verify_minimal};
    const char *error = NULL;
    gstr signers;

    m->id = id;
    if (dkim_verify_disabled(m->v))
        return ACL_OK;
    m->sigs = dkim_verify_finish(m->v, &o, &error);
    if (error != NULL) {
        log_write(LOG_MAIN,
                  "%s DKIM: Error during validation, disabling signature "
                  "verification: %.100s",
                  id, error);
        return ACL_OK;
    }
    log_key_failures(m);
    if (dkim_verify_crypto_error() != NULL)
        log_write(LOG_MAIN, "%s DKIM: validation error: %s", id,
                  dkim_verify_crypto_error());
    gstr_init(&signers, m->a);
    for (struct dkim_sig *s = m->sigs; s != NULL; s = s->next) {
        if (s->domain)
            list_append(&signers, ':', s->domain);
        if (s->identity)
            list_append(&signers, ':', s->identity);
    }
    expand_set_var(x, "dkim_signers", gstr_str(&signers));
    set_authres(m);
    if (acl != NULL)
        return run_signers(m, x, run_acl, arg);
    for (struct dkim_sig *s = m->sigs; s != NULL; s = s->next)
        log_sig(m, x, s);
    return ACL_OK;
}

/* The ACL conditions. */

static int
list_match(struct acl_call *c, const char *subject, const char *list)
{
    gstr err;
    int rc;

    gstr_init(&err, c->x->arena);
    rc = match_domain(c->x, subject, list, &err);
    if (rc == MATCH_OK)
        return ACL_OK;
    if (rc == MATCH_FAIL)
        return ACL_FAIL;
    c->log_msg = gstr_str(&err);
    return rc == MATCH_DEFER ? ACL_DEFER : ACL_ERROR;
}

static int
c_dkim_signers(struct acl_call *c, const char *arg)
{
    const char *signer = expand_get_var(c->x, "dkim_cur_signer");

    if (signer == NULL || *signer == '\0')
        return ACL_FAIL;
    return list_match(c, signer, arg);
}

static int
c_dkim_status(struct acl_call *c, const char *arg)
{
    const char *st = expand_get_var(c->x, "dkim_verify_status");
    struct list_iter it;
    char *one;
    int rc = ACL_FAIL;

    list_iter_init(&it, st && *st ? st : "none", ':');
    while ((one = list_next(&it, c->x->arena)) != NULL)
        if ((rc = list_match(c, one, arg)) == ACL_OK)
            break;
    return rc;
}

static const struct acl_cond_def cond_signers = {
    "dkim_signers", ACL_CD_EXPAND, ACL_BITS_ALL & ~ACL_BIT(ACL_WHERE_DKIM),
    NULL, c_dkim_signers};
static const struct acl_cond_def cond_status = {
    "dkim_status", ACL_CD_EXPAND,
    ACL_BITS_ALL & ~(ACL_BIT(ACL_WHERE_DKIM) | ACL_BIT(ACL_WHERE_DATA)), NULL,
    c_dkim_status};

void
dkim_init(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    acl_register_condition(&cond_signers);
    acl_register_condition(&cond_status);
}
