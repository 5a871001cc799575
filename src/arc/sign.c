/*++
 * NAME
 *	sign 3
 * SUMMARY
 *	one ARC set for an outgoing message
 * SYNOPSIS
 *	#include "arc/arc.h"
#include "arc/arc_sign.h"
 *
 *	int	arc_sign_set(struct arena *a, const struct arc_sign_req *r,
 *			const char *hdrs, size_t hlen,
 *			const char *dkim, size_t dlen,
 *			const unsigned char *bh, size_t bhlen,
 *			gstr *out, const char **why, gstr *err)
 * DESCRIPTION
 *	Builds the three fields a sealer adds (RFC 8617 section 5.1), in
 *	the layout of Exim 4.98.2, so that the same message, key and
 *	clock give the same bytes:
 *
 *	The basis is the first Authentication-Results field (top down)
 *	whose authserv-id is the identity; what follows the id and its
 *	";" becomes the ARC-Authentication-Results, after
 *	"i=N; <id>; smtp.remote-ip=<ip>;" and a fold. The arc= result in
 *	it, if any, is the cv= of the seal (default "none").
 *
 *	N is one more than the highest instance of the ARC fields already
 *	present, as the chain parser (parse.c, in its signing mode: i=
 *	only) reads them; fields it refuses (i= over 50, no i=) are
 *	ignored, as Exim ignores them when signing.
 *
 *	ARC-Message-Signature: tags i a c d s [t] [x] bh h b, always
 *	c=relaxed (relaxed header, simple body). h= names, bottom up,
 *	every field whose name is DKIM-Signature or on DKIM's default
 *	list, once per field present; the names fold at column 78.
 *
 *	ARC-Seal: tags i cv a d s [t] b. It signs the ARC fields of every
 *	set in instance order (AAR, AMS, AS; relaxed), its own with b=
 *	empty; after cv=fail only the new set's.
 *
 *	b= values are cut into 74-character pieces joined by CRLF, TAB
 *	and two spaces.
 *
 *	Exim hard-wires rsa-sha256 (an Ed25519 key then fails to sign).
 *	mxlab signs with an Ed25519 key too, as a=ed25519-sha256 (RFC
 *	8463: Ed25519 over the SHA-256 digest).
 *
 *	Two deliberate narrowings of Exim's matching (Exim compares
 *	prefixes only): the A-R's authserv-id must end at ";" or white
 *	space ("test.ex" does not pick up "test.example;"), and a field
 *	name must end at ":" or white space to count for h=.
 * DIAGNOSTICS
 *	0 and *why "noar" without a usable Authentication-Results; 0 and
 *	"chain" when an incoming set lacks one of its three fields (Exim
 *	then sends the message unsealed). -1 with err ("AMS signing:
 *	privkey PEM-block import: ...", "AS signing: ...") when a key
 *	cannot be used.
 *--*/

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arc/arc.h"
#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "dkim/dkim.h"
#include "dkim/dkim_sign.h"

/* One header field, "Name: value" with CRLF folds and a final CRLF. */
struct field {
    const char *s;
    size_t len;
};

struct fields {
    struct field *f;
    size_t n, cap;
};

static void
fields_add(struct arena *a, struct fields *fs, const char *s, size_t len)
{
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? 2 * fs->cap : 64;
        struct field *nf = arena_alloc(a, cap * sizeof(*nf));
        if (fs->n)
            memcpy(nf, fs->f, fs->n * sizeof(*nf));
        fs->f = nf;
        fs->cap = cap;
    }
    fs->f[fs->n].s = s;
    fs->f[fs->n].len = len;
    fs->n++;
}

/* Splits a header section into fields, each given CRLF line ends. */
static void
split_fields(struct arena *a, const char *p, size_t len, struct fields *fs)
{
    gstr cur;
    size_t i = 0;

    gstr_init(&cur, a);
    while (i < len) {
        size_t e = i;
        while (e < len && p[e] != '\n')
            e++;
        size_t l = e - i;
        if (l > 0 && p[i + l - 1] == '\r')
            l--;
        if (l == 0)
            break; /* the blank line ending the header */
        if (p[i] != ' ' && p[i] != '\t' && cur.len > 0) {
            fields_add(a, fs, arena_strndup(a, cur.s, cur.len), cur.len);
            gstr_truncate(&cur, 0);
        }
        gstr_addn(&cur, p + i, l);
        gstr_adds(&cur, "\r\n");
        i = e + 1;
    }
    if (cur.len > 0)
        fields_add(a, fs, arena_strndup(a, cur.s, cur.len), cur.len);
}

/* Whether field f is named name (case-insensitive; the name may be
 * followed by white space before the colon). */
static int
field_is(const struct field *f, const char *name)
{
    size_t n = strlen(name);

    if (f->len <= n || strncasecmp(f->s, name, n) != 0)
        return 0;
    return f->s[n] == ':' || f->s[n] == ' ' || f->s[n] == '\t';
}

/* The incoming chain, parsed as Exim's signer parses it (i= only; a
 * field that does not parse is left out, as Exim ignores the error).
 * Returns the highest instance (0: none). */
static unsigned
collect_chain(struct arena *a, const struct fields *fs, struct arc_chain *c)
{
    arc_chain_init(c, a);
    for (size_t i = 0; i < fs->n; i++)
        (void)arc_chain_add(c, fs->f[i].s, fs->f[i].len, 1);
    return c->last ? c->last->instance : 0;
}

static int
is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first Authentication-Results for id: what follows "id;" and FWS,
 * to the end of the field (its CRLF included). */
static const char *
find_ar(const struct fields *fs, const char *id, size_t *len)
{
    static const char name[] = "Authentication-Results:";
    size_t idlen = strlen(id), nlen = sizeof(name) - 1;

    for (size_t i = 0; i < fs->n; i++) {
        const char *s = fs->f[i].s, *end = s + fs->f[i].len;
        if (fs->f[i].len < nlen || strncmp(s, name, nlen) != 0)
            continue;
        for (s += nlen; s < end && is_fws(*s); s++)
            ;
        if ((size_t)(end - s) <= idlen || strncmp(s, id, idlen) != 0 ||
            (s[idlen] != ';' && !is_fws(s[idlen])))
            continue;
        s += idlen;
        if (*s == ';')
            s++;
        while (s < end && is_fws(*s))
            s++;
        if (s >= end)
            continue;
        *len = (size_t)(end - s);
        return s;
    }
    return NULL;
}

/* The arc= result in the A-R text, as the new seal's cv=. */
static const char *
ar_cv(struct arena *a, const char *ar, size_t len)
{
    const char *end = ar + len;

    for (const char *p = ar; p < end;) {
        while (p < end && is_fws(*p))
            p++;
        if ((size_t)(end - p) >= 4 && strncmp(p, "arc=", 4) == 0) {
            const char *v = p + 4, *q = v;
            while (q < end && *q != ';' && *q != ' ' && *q != '\r' &&
                   *q != '\n')
                q++;
            return arena_strndup(a, v, (size_t)(q - v));
        }
        while (p < end && *p != ';')
            p++;
        if (p < end)
            p++;
    }
    return "none";
}

/* The signature over data, base64 in *b64. */
static int
sign_data(struct arena *a, EVP_PKEY *key, const gstr *data, gstr *b64,
          gstr *err)
{
    unsigned char d[64], *sig;
    size_t dlen = dkim_digest(DKIM_HASH_SHA256, data->s, data->len, d);
    size_t slen;

    if (dkim_crypto_sign(key, DKIM_HASH_SHA256, d, dlen, a, &sig, &slen) < 0) {
        dkim_crypto_failed(err, "signing");
        return -1;
    }
    b64_encode(b64, sig, slen);
    return 0;
}

/* Replaces the final ";" of g with the signature, folded as Exim folds
 * it, and ";" CRLF. */
static void
append_sig(gstr *g, const gstr *b64)
{
    size_t off = 0;

    gstr_truncate(g, g->len - 1);
    for (;;) {
        size_t n = b64->len - off < 74 ? b64->len - off : 74;
        gstr_addn(g, b64->s + off, n);
        off += n;
        if (off >= b64->len)
            break;
        gstr_adds(g, "\r\n\t  ");
    }
    gstr_adds(g, ";\r\n");
}

static void
add_relaxed(struct arena *a, gstr *data, const char *s, size_t len, int crlf)
{
    size_t n;
    const char *r = dkim_relax_header(a, s, len, crlf, &n);

    gstr_addn(data, r, n);
}

static const char *
alg_name(EVP_PKEY *key)
{
    return EVP_PKEY_base_id(key) == EVP_PKEY_ED25519 ? "ed25519-sha256"
                                                     : "rsa-sha256";
}

/* The name under which field f is signed, from the AMS list, or NULL. */
static const char *
ams_name(struct arena *a, const struct field *f)
{
    const char *p = dkim_default_sign_headers;
    static const char dkim_sig[] = "DKIM-Signature";

    if (field_is(f, dkim_sig))
        return dkim_sig;
    while (*p != '\0') {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char *name = arena_strndup(a, p, n);
        if (field_is(f, name))
            return name;
        if (c == NULL)
            break;
        p = c + 1;
    }
    return NULL;
}

static int
make_ams(struct arena *a, const struct arc_sign_req *r, EVP_PKEY *key, int inst,
         const struct fields *fs, const unsigned char *bh, size_t bhlen,
         gstr *ams, gstr *err)
{
    gstr data, sig, bh64;
    int col = 3;

    gstr_init(&data, a);
    gstr_init(&sig, a);
    gstr_init(&bh64, a);
    b64_encode(&bh64, bh, bhlen);
    gstr_printf(ams, "ARC-Message-Signature: i=%d; a=%s; c=relaxed; d=%s; s=%s",
                inst, alg_name(key), r->identity, r->selector);
    if (r->timestamps)
        gstr_printf(ams, "; t=%lu", r->t);
    if (r->expire)
        gstr_printf(ams, "; x=%lu", r->x);
    gstr_printf(ams, ";\r\n\tbh=%s;\r\n\th=", gstr_str(&bh64));
    for (size_t i = fs->n; i-- > 0;) {
        const char *name = ams_name(a, &fs->f[i]);
        int len;
        if (name == NULL)
            continue;
        len = (int)strlen(name);
        if (col + len > 78) {
            gstr_adds(ams, "\r\n\t  ");
            col = 3;
        }
        gstr_adds(ams, name);
        gstr_addc(ams, ':');
        col += len + 1;
        add_relaxed(a, &data, fs->f[i].s, fs->f[i].len, 1);
    }
    if (ams->len > 0 && ams->s[ams->len - 1] == ':')
        gstr_truncate(ams, ams->len - 1);
    gstr_adds(ams, ";\r\n\tb=;");
    add_relaxed(a, &data, ams->s, ams->len, 0);
    if (sign_data(a, key, &data, &sig, err) < 0)
        return -1;
    append_sig(ams, &sig);
    return 0;
}

static int
make_as(struct arena *a, const struct arc_sign_req *r, EVP_PKEY *key, int inst,
        const char *cv, const struct arc_chain *chain, const gstr *aar,
        const gstr *ams, gstr *as, const char **why, gstr *err)
{
    gstr data, sig;

    gstr_init(&data, a);
    gstr_init(&sig, a);
    gstr_printf(as, "ARC-Seal: i=%d; cv=%s; a=%s; d=%s; s=%s", inst, cv,
                alg_name(key), r->identity, r->selector);
    if (r->timestamps)
        gstr_printf(as, "; t=%lu", r->t);
    gstr_adds(as, ";\r\n\t b=;");
    if (strcmp(cv, "fail") != 0)
        for (const struct arc_set *s = chain->first; s != NULL; s = s->next) {
            if (s->aar == NULL || s->ams == NULL || s->as == NULL) {
                *why = "chain";
                return 0;
            }
            add_relaxed(a, &data, s->aar->text, s->aar->len, 1);
            add_relaxed(a, &data, s->ams->text, s->ams->len, 1);
            add_relaxed(a, &data, s->as->text, s->as->len, 1);
        }
    add_relaxed(a, &data, aar->s, aar->len, 1);
    add_relaxed(a, &data, ams->s, ams->len, 1);
    add_relaxed(a, &data, as->s, as->len, 0);
    if (sign_data(a, key, &data, &sig, err) < 0) {
        gstr g;
        gstr_init(&g, a);
        gstr_printf(&g, "AS %s", gstr_str(err));
        gstr_truncate(err, 0);
        gstr_adds(err, gstr_str(&g));
        return -1;
    }
    append_sig(as, &sig);
    return 1;
}

int
arc_sign_set(struct arena *a, const struct arc_sign_req *r, const char *hdrs,
             size_t hlen, const char *dkim, size_t dlen,
             const unsigned char *bh, size_t bhlen, gstr *out, const char **why,
             gstr *err)
{
    struct fields fs = {0};
    struct arc_chain chain;
    const char *ar, *cv;
    size_t arlen;
    int inst, rc;
    EVP_PKEY *key;
    gstr aar, ams, as;

    *why = NULL;
    split_fields(a, dkim, dlen, &fs);
    split_fields(a, hdrs, hlen, &fs);
    if ((ar = find_ar(&fs, r->identity, &arlen)) == NULL) {
        *why = "noar";
        return 0;
    }
    inst = (int)collect_chain(a, &fs, &chain) + 1;
    cv = ar_cv(a, ar, arlen);
    gstr_init(&aar, a);
    gstr_init(&ams, a);
    gstr_init(&as, a);
    gstr_printf(
        &aar, "ARC-Authentication-Results: i=%d; %s; smtp.remote-ip=%s;\r\n\t",
        inst, r->identity, r->remote_ip ? r->remote_ip : "NULL");
    gstr_addn(&aar, ar, arlen);
    ERR_clear_error();
    key = dkim_private_key(r->privkey);
    if (key == NULL) {
        dkim_crypto_failed(err, "AMS signing: privkey PEM-block import");
        return -1;
    }
    if (make_ams(a, r, key, inst, &fs, bh, bhlen, &ams, err) < 0) {
        gstr g;
        gstr_init(&g, a);
        gstr_printf(&g, "AMS %s", gstr_str(err));
        gstr_truncate(err, 0);
        gstr_adds(err, gstr_str(&g));
        EVP_PKEY_free(key);
        return -1;
    }
    rc = make_as(a, r, key, inst, cv, &chain, &aar, &ams, &as, why, err);
    EVP_PKEY_free(key);
    if (rc <= 0)
        return rc;
    gstr_addn(out, as.s, as.len);
    gstr_addn(out, aar.s, aar.len);
    gstr_addn(out, ams.s, ams.len);
    return 1;
}
