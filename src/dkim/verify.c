/*++
 * NAME
 *	verify 3
 * SUMMARY
 *	DKIM verification of a message as it is received
 * SYNOPSIS
 *	#include "dkim/dkim.h"
 *
 *	struct dkim_verify *dkim_verify_start(struct arena *a)
 *	void	dkim_verify_line(void *v, const char *line, size_t len)
 *	struct dkim_sig *dkim_verify_finish(struct dkim_verify *v,
 *				const struct dkim_verify_opts *o,
 *				const char **error)
 *	const char *dkim_verify_error(const struct dkim_verify *v)
 *	int	dkim_verify_disabled(const struct dkim_verify *v)
 *	void	dkim_verify_free(struct dkim_verify *v)
 *
 *	extern dkim_txt_fn *dkim_txt_hook;
 * DESCRIPTION
 *	The receiving side gives the verifier every line of the message,
 *	dot-unstuffed and without its line ending. Header fields are kept
 *	(with CRLF line ends, as they are hashed); at the blank line that
 *	ends them the DKIM-Signature fields are parsed and a body hash is
 *	set up for each different (canonicalisation, hash, l=) triple.
 *	Body lines then go straight into those hashes and are not kept.
 *
 *	dkim_verify_finish() finishes the body hashes, keeps the
 *	signatures whose hash is in dkim_verify_hashes and whose key type
 *	is in dkim_verify_keytypes (in the order of those lists, as Exim
 *	does), and for each one compares the body hash, checks that the
 *	required tags are there (d=, s=, h=, bh=, b=, a=, v=1), fetches
 *	the key from DNS (SELECTOR._domainkey.DOMAIN, TXT: the first record
 *	that does not start with "v=" or starts with "v=DKIM", its strings
 *	joined), checks the key's h= and s= tags, verifies the signature
 *	over the signed header fields (taken from the bottom up, each
 *	instance once, RFC 6376 5.4.2) and the signature field itself, and
 *	finally compares the key's size with dkim_verify_min_keysizes.
 *	The x= tag (expiry) is reported but not enforced, as in Exim.
 *
 *	Limits, as Exim's: a header field is cut at 65536 bytes, fields
 *	after the 512th are not kept, the 20th DKIM-Signature stops the
 *	verification ("EXCESS_SIGS"), and so does a body line of 16382
 *	bytes or more ("LONG_LINE"). A line in the header section that is
 *	not a header field turns verification off (it could hide a
 *	signature from a verifier that reads the message differently).
 * DIAGNOSTICS
 *	Each signature's status and reason; see dkim_result_text().
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "dkim/dkim.h"
#include "dns/dns.h"

#define MAX_HEADER_LEN 65536
#define MAX_HEADERS    512
#define MAX_SIGS       20
#define MAX_BODY_LINE  16382
#define MAX_TXT_LEN    65536

struct hdr {
    char *text; /* "Name: value\r\n", folds as CRLF */
    size_t len;
    int used; /* taken by the current signature's h= walk */
};

struct dkim_verify {
    struct arena *a;
    int in_headers;
    gstr cur; /* the field being read */
    struct hdr *hdrs;
    size_t nhdrs;
    struct dkim_sig *sigs; /* in the order of the fields */
    struct dkim_body **bodies;
    size_t nbodies;
    const char *error; /* LONG_LINE, EXCESS_SIGS */
    int disabled;
};

dkim_txt_fn *dkim_txt_hook;

struct dkim_verify *
dkim_verify_start(struct arena *a)
{
    struct dkim_verify *v = arena_alloc(a, sizeof(*v));

    memset(v, 0, sizeof(*v));
    v->a = a;
    v->in_headers = 1;
    gstr_init(&v->cur, a);
    /* not cleared: an entry is written when its field is kept, and the
     * "used" marks are reset before each signature's use of them */
    v->hdrs = arena_alloc_raw(a, MAX_HEADERS * sizeof(*v->hdrs));
    return v;
}

struct body_key {
    int canon, hash;
    long limit;
};

static struct dkim_body *
body_get(struct dkim_verify *v, struct body_key *keys, const struct dkim_sig *s)
{
    for (size_t i = 0; i < v->nbodies; i++)
        if (keys[i].canon == s->canon_body && keys[i].hash == s->hashtype &&
            keys[i].limit == s->bodylength)
            return v->bodies[i];
    keys[v->nbodies].canon = s->canon_body;
    keys[v->nbodies].hash = s->hashtype;
    keys[v->nbodies].limit = s->bodylength;
    v->bodies[v->nbodies] =
        dkim_body_new(v->a, s->canon_body, s->hashtype, s->bodylength);
    return v->bodies[v->nbodies++];
}

static int
is_sig_field(const char *t, size_t len)
{
    return len >= 15 && strncasecmp(t, "DKIM-Signature:", 15) == 0;
}

/* A field is complete: keep it, and parse it if it is a signature. */
static void
field_done(struct dkim_verify *v)
{
    char *t;
    size_t len = v->cur.len;

    if (len == 0)
        return;
    if (v->nhdrs >= MAX_HEADERS || v->error != NULL) {
        gstr_truncate(&v->cur, 0);
        return;
    }
    t = arena_strndup(v->a, v->cur.s, len);
    gstr_truncate(&v->cur, 0);
    v->hdrs[v->nhdrs].text = t;
    v->hdrs[v->nhdrs].len = len;
    v->nhdrs++;
    if (!is_sig_field(t, len))
        return;
    struct dkim_sig *s = dkim_sig_parse(v->a, t, len);
    if (s == NULL)
        return;
    struct dkim_sig **pp = &v->sigs;
    int n = 1;
    while (*pp != NULL)
        pp = &(*pp)->next, n++;
    *pp = s;
    if (n >= MAX_SIGS)
        v->error = "EXCESS_SIGS";
}

static void
field_add(struct dkim_verify *v, const char *line, size_t len)
{
    size_t room = MAX_HEADER_LEN > v->cur.len ? MAX_HEADER_LEN - v->cur.len : 0;

    if (len > room)
        len = room;
    gstr_addn(&v->cur, line, len);
    room -= len;
    gstr_addn(&v->cur, "\r\n", room < 2 ? room : 2);
}

/* Exim's header-line test: printing characters up to a colon. */
static int
is_field_start(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && isgraph((unsigned char)s[i]) && s[i] != ':')
        i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < len && s[i] == ':';
}

static void
headers_end(struct dkim_verify *v)
{
    struct body_key *keys;
    size_t n = 0;

    field_done(v);
    v->in_headers = 0;
    for (struct dkim_sig *s = v->sigs; s != NULL; s = s->next)
        n++;
    v->bodies = arena_alloc(v->a, (n + 1) * sizeof(*v->bodies));
    keys = arena_alloc(v->a, (n + 1) * sizeof(*keys));
    for (struct dkim_sig *s = v->sigs; s != NULL; s = s->next)
        s->body = body_get(v, keys, s);
}

void
dkim_verify_line(void *arg, const char *line, size_t len)
{
    struct dkim_verify *v = arg;

    if (v->disabled || v->error != NULL)
        return;
    if (!v->in_headers) {
        if (len >= MAX_BODY_LINE) {
            v->error = "LONG_LINE";
            return;
        }
        for (size_t i = 0; i < v->nbodies; i++)
            dkim_body_line(v->bodies[i], line, len);
        return;
    }
    if (len == 0) {
        headers_end(v);
        return;
    }
    if (line[0] == ' ' || line[0] == '\t') {
        if (v->cur.len == 0) { /* a fold with nothing to continue */
            v->disabled = 1;
            return;
        }
        field_add(v, line, len);
        return;
    }
    field_done(v);
    if (!is_field_start(line, len)) { /* the body starts without a blank */
        v->disabled = 1;
        return;
    }
    field_add(v, line, len);
}

const char *
dkim_verify_error(const struct dkim_verify *v)
{
    return v->error;
}

int
dkim_verify_disabled(const struct dkim_verify *v)
{
    return v->disabled;
}

void
dkim_verify_free(struct dkim_verify *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->nbodies; i++)
        dkim_body_free(v->bodies[i]);
    v->nbodies = 0;
}

/* Keeps the signatures of the listed hashes, then of the listed key
 * types, each time in the order of the list (Exim's sort_sig_methods). */
static struct dkim_sig *
sort_by(struct arena *a, struct dkim_sig *list, const char *prefs, int by_hash)
{
    struct dkim_sig *out = NULL, **tail = &out;
    struct list_iter it;
    char *ele;

    list_iter_init(&it, prefs ? prefs : "", ':');
    while ((ele = list_next(&it, a)) != NULL) {
        int want = by_hash ? dkim_hash_by_name(ele) : dkim_keytype_by_name(ele);
        for (struct dkim_sig **pp = &list; *pp != NULL;) {
            struct dkim_sig *s = *pp;
            if ((by_hash ? s->hashtype : s->keytype) == want) {
                *pp = s->next;
                s->next = NULL;
                *tail = s;
                tail = &s->next;
            } else
                pp = &s->next;
        }
    }
    return out;
}

static const char *
txt_from_dns(struct arena *a, const char *name)
{
    struct dns_result res;
    gstr err, g;

    gstr_init(&err, a);
    if (dns_lookup(a, name, DNS_T_TXT, &res, &err) != DNS_OK)
        return NULL;
    gstr_init(&g, a);
    for (struct dns_rr *rr = res.rrs; rr != NULL; rr = rr->next) {
        if (rr->type != DNS_T_TXT)
            continue;
        gstr_truncate(&g, 0);
        for (size_t i = 0; i < rr->nstrings; i++)
            gstr_adds(&g, rr->strings[i]);
        if (g.len >= MAX_TXT_LEN)
            return NULL;
        const char *t = gstr_str(&g);
        if (strncmp(t, "v=", 2) != 0 || strncasecmp(t, "v=dkim", 6) == 0)
            return arena_strdup(a, t);
    }
    return NULL;
}

const char *
dkim_txt_lookup(struct arena *a, const char *name)
{
    return dkim_txt_hook ? dkim_txt_hook(a, name) : txt_from_dns(a, name);
}

static void
sig_set(struct dkim_sig *s, enum dkim_status st, enum dkim_reason r)
{
    s->status = st;
    s->reason = r;
}

/* The key, or NULL with the status set. */
static struct dkim_pubkey *
sig_key(struct arena *a, struct dkim_sig *s)
{
    const char *name =
        arena_printf(a, "%s._domainkey.%s.", s->selector, s->domain);
    const char *txt = dkim_txt_lookup(a, name);
    struct dkim_pubkey *p;

    if (txt == NULL || txt[0] == '\0') {
        sig_set(s, DKIM_INVALID, DKIM_R_PUBKEY_UNAVAILABLE);
        return NULL;
    }
    p = dkim_pubkey_parse(a, txt);
    if (p == NULL ||
        (strcmp(p->srvtype, "*") != 0 && strcmp(p->srvtype, "email") != 0)) {
        sig_set(s, DKIM_INVALID, DKIM_R_PUBKEY_DNSRECORD);
        return NULL;
    }
    return p;
}

/* The signed header fields, in h= order, canonicalised, then the
 * signature field without b=, into the digest. */
static size_t
header_digest(struct dkim_verify *v, struct dkim_sig *s, unsigned char *out)
{
    gstr data, names;
    struct list_iter it;
    char *name;
    size_t n;

    gstr_init(&data, v->a);
    for (size_t i = 0; i < v->nhdrs; i++)
        v->hdrs[i].used = 0;
    gstr_init(&names, v->a);
    list_iter_init(&it, s->headernames, ':');
    while ((name = list_next(&it, v->a)) != NULL) {
        size_t nl = strlen(name);
        for (size_t i = v->nhdrs; i-- > 0;) {
            struct hdr *h = &v->hdrs[i];
            if (h->used || h->len <= nl || h->text[nl] != ':' ||
                strncasecmp(h->text, name, nl) != 0)
                continue;
            if (s->canon_headers == DKIM_CANON_RELAXED) {
                const char *r = dkim_relax_header(v->a, h->text, h->len, 1, &n);
                gstr_addn(&data, r, n);
            } else
                gstr_addn(&data, h->text, h->len);
            h->used = 1;
            break;
        }
    }
    if (s->canon_headers == DKIM_CANON_RELAXED) {
        const char *r =
            dkim_relax_header(v->a, s->raw_no_b, strlen(s->raw_no_b), 0, &n);
        gstr_addn(&data, r, n);
    } else
        gstr_adds(&data, s->raw_no_b);
    return dkim_digest(s->hashtype, data.s ? data.s : "", data.len, out);
}

static int
hash_allowed(const char *list, int hash)
{
    struct list_iter it;
    struct arena *a = arena_create();
    char *ele;
    int found = 0;

    list_iter_init(&it, list, ':');
    while (!found && (ele = list_next(&it, a)) != NULL)
        found = strcmp(ele, dkim_hash_name(hash)) == 0;
    arena_destroy(a);
    return found;
}

/* "rsa=1024 ed25519=250": the minimum for a key type, or 0. */
static unsigned
min_keysize(const char *list, int keytype)
{
    const char *name = dkim_keytype_name(keytype), *p = list;
    size_t n = strlen(name);

    while (p != NULL && *p != '\0') {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, name, n) == 0 && p[n] == '=')
            return (unsigned)atoi(p + n + 1);
        p += strcspn(p, " \t");
    }
    return 0;
}

/* Exim's rule for "DKIM: validation error: X": the outcome of the last
 * key import or signature check, kept when no signature passed. */
static const char *crypto_error;

const char *
dkim_verify_crypto_error(void)
{
    return crypto_error;
}

static void
sig_verify(struct dkim_verify *v, struct dkim_sig *s,
           const struct dkim_verify_opts *o)
{
    unsigned char digest[64];
    size_t dlen;
    int rc;

    if (!(s->domain && *s->domain && s->selector && *s->selector &&
          s->headernames && *s->headernames && s->bh && s->b &&
          s->version != 0)) {
        sig_set(s, DKIM_INVALID, DKIM_R_SIGNATURE_ERROR);
        return;
    }
    if (s->version != 1) {
        sig_set(s, DKIM_INVALID, DKIM_R_DKIM_VERSION);
        return;
    }
    if ((s->pubkey = sig_key(v->a, s)) == NULL)
        return;
    if (s->pubkey->hashes && !hash_allowed(s->pubkey->hashes, s->hashtype)) {
        sig_set(s, DKIM_FAIL, DKIM_R_FAIL_ALGO_MISMATCH);
        return;
    }
    dlen = header_digest(v, s, digest);
    rc = dkim_crypto_verify(s->keytype, s->hashtype, s->pubkey->key,
                            s->pubkey->keylen, digest, dlen, s->b, s->b_len,
                            &s->keybits);
    crypto_error = rc != 0 ? dkim_crypto_error() : NULL;
    if (rc < 0) {
        sig_set(s, DKIM_INVALID, DKIM_R_PUBKEY_IMPORT);
        s->pubkey = NULL;
        return;
    }
    if (rc > 0) {
        sig_set(s, DKIM_FAIL, DKIM_R_FAIL_MESSAGE);
        return;
    }
    unsigned min =
        o->min_keysizes ? min_keysize(o->min_keysizes, s->keytype) : 0;
    if (min > s->keybits) {
        sig_set(s, DKIM_FAIL, DKIM_R_PUBKEY_KEYSIZE);
        return;
    }
    sig_set(s, DKIM_PASS, DKIM_R_NONE);
}

struct dkim_sig *
dkim_verify_finish(struct dkim_verify *v, const struct dkim_verify_opts *o,
                   const char **error)
{
    struct dkim_sig *sigs;

    *error = v->error;
    if (v->error != NULL || v->disabled) {
        dkim_verify_free(v);
        return NULL;
    }
    if (v->in_headers) /* no body at all */
        headers_end(v);
    for (struct dkim_sig *s = v->sigs; s != NULL; s = s->next) {
        const unsigned char *bh;
        size_t bhlen;
        dkim_body_finish(s->body, &bh, &bhlen);
        if (!(s->bh && s->bh_len == bhlen && memcmp(s->bh, bh, bhlen) == 0))
            sig_set(s, DKIM_FAIL, DKIM_R_FAIL_BODY);
    }
    sigs = sort_by(v->a, v->sigs, o->hashes, 1);
    sigs = sort_by(v->a, sigs, o->keytypes, 0);
    v->sigs = sigs;
    crypto_error = NULL;
    int passed = 0;
    for (struct dkim_sig *s = sigs; s != NULL; s = s->next) {
        if (passed && o->minimal) { /* as Exim: the rest is not verified */
            sig_set(s, DKIM_NONE, DKIM_R_NONE);
            continue;
        }
        if (s->status != DKIM_FAIL)
            sig_verify(v, s, o);
        passed |= s->status == DKIM_PASS;
    }
    if (passed)
        crypto_error = NULL;
    dkim_verify_free(v);
    return sigs;
}
