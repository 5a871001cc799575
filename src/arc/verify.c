/*++
 * NAME
 *	verify 3
 * SUMMARY
 *	ARC chain validation (RFC 8617 section 5.2, as Exim 4.98 does it)
 * SYNOPSIS
 *	#include "arc/arc.h"
 *
 *	struct arc_verify *arc_verify_start(struct arena *a)
 *	void	arc_verify_line(void *v, const char *line, size_t len)
 *	const char *arc_verify_finish(struct arc_verify *v,
 *				struct arc_result *r)
 *	void	arc_verify_free(struct arc_verify *v)
 *	void	arc_authres(const struct arc_result *r, const char *ip,
 *				gstr *out)
 * DESCRIPTION
 *	The receiving side gives the verifier every line of the message,
 *	as it gives DKIM's (dot-unstuffed, no line ending). The header
 *	fields are kept; at the end of the header section every
 *	ARC-Message-Signature is read and a body hash is set up for each
 *	different (body canonicalisation, hash, l=) it asks for, which the
 *	body lines then feed as they stream past.
 *
 *	arc_verify_finish() runs the chain validation in Exim's order:
 *
 *	1. Collect the ARC sets. An unreadable field fails the chain
 *	   ("collecting headers: inserting AMS: line parse: a tag dup");
 *	   no ARC field at all gives "none".
 *
 *	2. From the highest instance N down to 1, each set must be the
 *	   next lower instance ("i=3 (sequence; expected 2)"), complete
 *	   ("i=2 (missing header)") and its seal must not say cv=fail
 *	   ("i=2 (cv)"). While the sets are walked, the AMS of each is
 *	   verified from the top until one fails; the lowest instance
 *	   down to which all passed is $arc_oldest_pass. The walk must end
 *	   at instance 1 ("(sequence; expected i=1)").
 *
 *	3. The AMS of instance N must verify like a DKIM signature:
 *	   "required tag missing" (a=, b=, bh=, d=, h=, s=), "internal hash
 *	   setup error" (an a= hash or c= that cannot be used), "AMS body
 *	   hash miscompare", "pubkey problem" (no key record, a record of
 *	   another service, or a key whose h= excludes the hash), "internal
 *	   sigverify init error" (a key that is not a DER RSA key) or "AMS
 *	   sig nonverify".
 *
 *	4. Every seal from N down to 1 must verify: cv=none on instance 1
 *	   and only there ("seal cv state"); a usable a= hash ("seal hash
 *	   setup error"); its signature over the relaxed ARC fields of the
 *	   sets 1 to its own, AAR, AMS, AS in each, its own without the b=
 *	   value ("seal sigverify error"). A seal whose key cannot be had
 *	   fails the chain without a reason, as in Exim.
 *
 *	Otherwise the state is "pass".
 *
 *	arc_authres() writes the arc= entry of ${authresults}.
 * DIAGNOSTICS
 *	The reasons above, in r->reason.
 * BUGS
 *	As in Exim 4.98.2: the AMS header names of h= match field names
 *	as prefixes; keys are read as RSA only; $arc_oldest_pass is not
 *	reset between the messages of one connection; and an AMS with
 *	"simple" header canonicalisation is hashed over header lines
 *	ending in LF (Exim's internal form) with the AMS's own line end,
 *	instead of CRLF, so that it never verifies.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc/arc.h"
#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/list.h"
#include "dkim/dkim.h"

#define MAX_HEADER_LEN 65536

struct body {
    int canon, hash;
    long limit;
    struct dkim_body *b;
};

struct arc_verify {
    struct arena *a;
    int in_headers;
    gstr cur;
    struct arc_hdr *hdrs;
    size_t nhdrs, cap;
    struct body *bodies;
    size_t nbodies, bcap;
    int finished;
};

/* Exim's global: kept from message to message of a connection. */
static int oldest_pass;

struct arc_verify *
arc_verify_start(struct arena *a)
{
    struct arc_verify *v = arena_alloc(a, sizeof(*v));

    memset(v, 0, sizeof(*v));
    v->a = a;
    v->in_headers = 1;
    gstr_init(&v->cur, a);
    return v;
}

static struct dkim_body *
body_find(struct arc_verify *v, const struct dkim_sig *s, int create)
{
    for (size_t i = 0; i < v->nbodies; i++)
        if (v->bodies[i].canon == s->canon_body &&
            v->bodies[i].hash == s->hashtype &&
            v->bodies[i].limit == s->bodylength)
            return v->bodies[i].b;
    if (!create)
        return NULL;
    if (v->nbodies == v->bcap) {
        size_t n = v->bcap ? v->bcap * 2 : 4;
        v->bodies =
            arena_realloc(v->a, v->bodies, v->bcap * sizeof(struct body),
                          n * sizeof(struct body));
        v->bcap = n;
    }
    struct body *b = &v->bodies[v->nbodies++];
    b->canon = s->canon_body;
    b->hash = s->hashtype;
    b->limit = s->bodylength;
    b->b = dkim_body_new(v->a, s->canon_body, s->hashtype, s->bodylength);
    return b->b;
}

static void
field_done(struct arc_verify *v)
{
    size_t off;
    int kind;

    if (v->cur.len == 0)
        return;
    if (v->nhdrs == v->cap) {
        size_t n = v->cap ? v->cap * 2 : 32;
        v->hdrs = arena_realloc(v->a, v->hdrs, v->cap * sizeof(*v->hdrs),
                                n * sizeof(*v->hdrs));
        v->cap = n;
    }
    struct arc_hdr *h = &v->hdrs[v->nhdrs++];
    h->text = arena_strndup(v->a, v->cur.s, v->cur.len);
    h->len = v->cur.len;
    gstr_truncate(&v->cur, 0);
    kind = arc_field_kind(h->text, h->len, &off);
    if (kind != ARC_AMS)
        return;
    /* an AMS: its body hash is computed as the body arrives */
    struct arc_line al;
    memset(&al, 0, sizeof(al));
    if (arc_line_parse(v->a, &al, h->text, h->len, off, ARC_X_ALL) != NULL ||
        al.a_hash == NULL)
        return;
    if (al.c == NULL)
        al.c_head = al.c_body = "simple";
    struct dkim_sig *s = arc_ams_as_dkim(v->a, &al);
    if (s != NULL)
        body_find(v, s, 1);
}

void
arc_verify_line(void *arg, const char *line, size_t len)
{
    struct arc_verify *v = arg;

    if (v == NULL || v->finished)
        return;
    if (!v->in_headers) {
        for (size_t i = 0; i < v->nbodies; i++)
            dkim_body_line(v->bodies[i].b, line, len);
        return;
    }
    if (len == 0) {
        field_done(v);
        v->in_headers = 0;
        return;
    }
    if (line[0] != ' ' && line[0] != '\t')
        field_done(v);
    if (v->cur.len + len + 2 <= MAX_HEADER_LEN) {
        gstr_addn(&v->cur, line, len);
        gstr_addn(&v->cur, "\r\n", 2);
    }
}

void
arc_verify_free(struct arc_verify *v)
{
    const unsigned char *out;
    size_t n;

    if (v == NULL)
        return;
    v->finished = 1; /* no more lines */
    for (size_t i = 0; i < v->nbodies; i++)
        dkim_body_finish(v->bodies[i].b, &out, &n);
}

/* Exim's cv test: an absent or empty cv= matches anything. */
static int
cv_is(const struct arc_line *as, const char *what)
{
    return as->cv == NULL || strncmp(what, as->cv, strlen(as->cv)) == 0;
}

/* The key record for an AMS or AS, or NULL (Exim's "pubkey problem"). */
static struct dkim_pubkey *
line_key(struct arena *a, const struct arc_line *al)
{
    const char *name = arena_printf(a, "%s._domainkey.%s.", al->s ? al->s : "",
                                    al->d ? al->d : "");
    const char *txt = dkim_txt_lookup(a, name);
    struct dkim_pubkey *p;

    if (txt == NULL || *txt == '\0')
        return NULL;
    p = dkim_pubkey_parse(a, txt);
    if (p == NULL ||
        (strcmp(p->srvtype, "*") != 0 && strcmp(p->srvtype, "email") != 0))
        return NULL;
    if (p->hashes != NULL) {
        struct list_iter it;
        char *ele;
        size_t n = al->a_hash ? strlen(al->a_hash) : 0;
        list_iter_init(&it, p->hashes, ':');
        while ((ele = list_next(&it, a)) != NULL)
            if (strncmp(ele, al->a_hash ? al->a_hash : "", n) == 0)
                break;
        if (ele == NULL)
            return NULL;
    }
    return p;
}

/* "simple" header canonicalisation as Exim 4.98 applies it to an AMS:
 * over its stored header lines, which end in LF, not CRLF (so such an
 * AMS never verifies in Exim; see BUGS). */
static void
add_lf(gstr *g, const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!(p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))
            gstr_addc(g, p[i]);
}

/* The AMS header hash: the fields named in h=, each name taking the
 * next unused field from the bottom, then the AMS without b=. */
static size_t
ams_header_digest(struct arc_verify *v, const struct dkim_sig *s,
                  unsigned char *out)
{
    char *used = arena_alloc(v->a, v->nhdrs + 1);
    struct list_iter it;
    char *name;
    gstr data;
    size_t n;

    memset(used, 0, v->nhdrs + 1);
    gstr_init(&data, v->a);
    list_iter_init(&it, s->headernames, ':');
    while ((name = list_next(&it, v->a)) != NULL) {
        size_t nl = strlen(name);
        for (size_t i = v->nhdrs; i-- > 0;) {
            const struct arc_hdr *h = &v->hdrs[i];
            if (used[i] || strncasecmp(h->text, name, nl) != 0)
                continue;
            if (s->canon_headers == DKIM_CANON_RELAXED) {
                const char *r = dkim_relax_header(v->a, h->text, h->len, 1, &n);
                gstr_addn(&data, r, n);
            } else
                add_lf(&data, h->text, h->len);
            used[i] = 1;
            break;
        }
    }
    if (s->canon_headers == DKIM_CANON_RELAXED) {
        const char *r =
            dkim_relax_header(v->a, s->raw_no_b, strlen(s->raw_no_b), 0, &n);
        gstr_addn(&data, r, n);
    } else {
        add_lf(&data, s->raw_no_b, strlen(s->raw_no_b));
        gstr_addc(&data, '\n');
    }
    return dkim_digest(s->hashtype, data.s ? data.s : "", data.len, out);
}

/* Step 3 for one set: NULL when the AMS verifies, else the reason
 * (also kept in the set). */
static const char *
ams_verify(struct arc_verify *v, struct arc_set *set)
{
    const struct arc_line *ams = set->ams;
    struct dkim_pubkey *p;
    struct dkim_sig *s;
    struct dkim_body *body;
    const unsigned char *bh;
    size_t bhlen, dlen;
    unsigned char digest[64];
    unsigned bits;
    int rc;

    set->ams_verify_done = "in-progress";
    if (!ams->a || !ams->b || !ams->bh || !ams->d || !ams->h || !ams->s)
        return set->ams_verify_done = "required tag missing";
    if ((s = arc_ams_as_dkim(v->a, ams)) == NULL ||
        (body = body_find(v, s, 0)) == NULL)
        return set->ams_verify_done = "internal hash setup error";
    dkim_body_finish(body, &bh, &bhlen);
    if (s->bh == NULL || s->bh_len != bhlen || memcmp(s->bh, bh, bhlen) != 0)
        return set->ams_verify_done = "AMS body hash miscompare";
    if ((p = line_key(v->a, ams)) == NULL)
        return set->ams_verify_done = "pubkey problem";
    dlen = ams_header_digest(v, s, digest);
    rc = dkim_crypto_verify(DKIM_KEY_RSA, s->hashtype, p->key, p->keylen,
                            digest, dlen, s->b ? s->b : (unsigned char *)"",
                            s->b ? s->b_len : 0, &bits);
    if (rc < 0)
        return set->ams_verify_done = "internal sigverify init error";
    if (rc > 0)
        return set->ams_verify_done = "AMS sig nonverify";
    set->ams_verify_passed = 1;
    return NULL;
}

/* Steps 2 and 3: NULL, or the state ("fail") with r->reason set. */
static const char *
headers_check(struct arc_verify *v, struct arc_result *r)
{
    struct arc_set *set = r->chain.last;
    int inst, ams_failed = 0;

    for (inst = (int)set->instance; set != NULL; set = set->prev, inst--) {
        if ((int)set->instance != inst)
            r->reason = arena_printf(v->a, "i=%u (sequence; expected %d)",
                                     set->instance, inst);
        else if (!set->aar || !set->ams || !set->as)
            r->reason =
                arena_printf(v->a, "i=%u (missing header)", set->instance);
        else if (cv_is(set->as, "fail"))
            r->reason = arena_printf(v->a, "i=%u (cv)", set->instance);
        else {
            if (!ams_failed) {
                if (ams_verify(v, set) != NULL)
                    ams_failed = 1;
                else
                    oldest_pass = inst;
            }
            r->reason = NULL;
            continue;
        }
        return "fail";
    }
    if (inst != 0) {
        r->reason = arena_printf(v->a, "(sequence; expected i=%d)", inst);
        return "fail";
    }
    set = r->chain.last;
    r->received_instance = set->instance;
    r->ams_selector = set->ams->s;
    if (!set->ams_verify_passed) {
        if (set->ams_verify_done == NULL)
            ams_verify(v, set);
        if (!set->ams_verify_passed) {
            r->reason = set->ams_verify_done;
            return "fail";
        }
    }
    return NULL;
}

static const char *
relaxed(struct arc_verify *v, struct arc_line *al)
{
    size_t n;

    if (al->relaxed == NULL)
        al->relaxed = dkim_relax_header(v->a, al->text, al->len, 1, &n);
    return al->relaxed;
}

/* Step 4 for one seal: 0 good, -1 failed (r->reason set when Exim
 * gives one). */
static int
seal_verify(struct arc_verify *v, struct arc_result *r, struct arc_set *set)
{
    struct arc_line *as = set->as;
    struct dkim_pubkey *p;
    unsigned char digest[64];
    size_t dlen, n;
    unsigned bits;
    int hash, rc;
    gstr data, sig;

    if ((set->instance == 1 && !cv_is(as, "none")) ||
        (cv_is(as, "none") && set->instance != 1)) {
        r->reason = "seal cv state";
        return -1;
    }
    if ((hash = arc_hash_type(as->a_hash)) < 0) {
        r->reason = "seal hash setup error";
        return -1;
    }
    gstr_init(&data, v->a);
    for (struct arc_set *s2 = r->chain.first;
         s2 != NULL && s2->instance <= set->instance; s2 = s2->next) {
        gstr_adds(&data, relaxed(v, s2->aar));
        gstr_adds(&data, relaxed(v, s2->ams));
        if (s2 == set) {
            const char *t =
                dkim_relax_header(v->a, as->raw_no_b, as->raw_no_b_len, 0, &n);
            gstr_addn(&data, t, n);
        } else
            gstr_adds(&data, relaxed(v, s2->as));
    }
    dlen = dkim_digest(hash, data.s ? data.s : "", data.len, digest);
    if ((p = line_key(v->a, as)) == NULL)
        return -1;
    gstr_init(&sig, v->a);
    if (as->b == NULL || b64_decode(&sig, as->b, strlen(as->b)) < 0)
        gstr_truncate(&sig, 0);
    rc = dkim_crypto_verify(DKIM_KEY_RSA, hash, p->key, p->keylen, digest, dlen,
                            (const unsigned char *)(sig.s ? sig.s : ""),
                            sig.len, &bits);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        r->reason = "seal sigverify error";
        return -1;
    }
    return 0;
}

const char *
arc_verify_finish(struct arc_verify *v, struct arc_result *r)
{
    const char *e;

    memset(r, 0, sizeof(*r));
    arc_chain_init(&r->chain, v->a);
    if (v->in_headers && !v->finished) { /* no body */
        field_done(v);
        v->in_headers = 0;
    }
    v->finished = 1;
    if ((e = arc_chain_collect(&r->chain, v->hdrs, v->nhdrs, 0)) != NULL) {
        r->reason = arena_printf(v->a, "collecting headers: %s", e);
        r->state = "fail";
    } else if (r->chain.first == NULL)
        r->state = "none";
    else if ((r->state = headers_check(v, r)) == NULL) {
        r->state = "pass";
        for (struct arc_set *s = r->chain.last; s != NULL; s = s->prev)
            if (seal_verify(v, r, s) < 0) {
                r->state = "fail";
                break;
            }
    }
    r->oldest_pass = oldest_pass;
    r->domains = arc_chain_domains(v->a, &r->chain);
    return r->state;
}

void
arc_authres(const struct arc_result *r, const char *ip, gstr *out)
{
    if (r == NULL || r->state == NULL)
        return;
    gstr_printf(out, ";\n\tarc=%s", r->state);
    if (r->received_instance > 0) {
        gstr_printf(out, " (i=%u)", r->received_instance);
        if (r->reason)
            gstr_printf(out, "(%s)", r->reason);
        gstr_printf(out, " header.s=%s arc.oldest-pass=%d",
                    r->ams_selector ? r->ams_selector : "", r->oldest_pass);
        if (ip != NULL && *ip != '\0')
            gstr_printf(out, " smtp.remote-ip=%s", ip);
    } else if (r->reason)
        gstr_printf(out, " (%s)", r->reason);
}
