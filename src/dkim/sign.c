/*++
 * NAME
 *	sign 3
 * SUMMARY
 *	DKIM signatures for an outgoing message
 * SYNOPSIS
 *	#include "dkim/dkim_sign.h"
 *
 *	struct dkim_signer *dkim_signer_new(struct arena *a)
 *	int	dkim_signer_add(struct dkim_signer *g,
 *				const struct dkim_sign_req *r, gstr *err)
 *	void	dkim_signer_line(struct dkim_signer *g, const char *line,
 *				size_t len)
 *	int	dkim_signer_finish(struct dkim_signer *g, gstr *out,
 *				gstr *err)
 *	void	dkim_signer_free(struct dkim_signer *g)
 * DESCRIPTION
 *	A signer takes one message, line by line as it will be sent
 *	(without line endings), and makes one DKIM-Signature field per
 *	request added before the first line. Header fields are kept; the
 *	body goes into the body hashes as it passes.
 *
 *	Which fields are signed follows Exim's dkim_sign_headers rules:
 *	the fields are taken from the bottom of the header up; a name of
 *	the list signs the first such field met (the bottom-most) and is
 *	then used up; a name with "=" or "+" before it signs every field
 *	of that name. Afterwards every name of the list that signed
 *	nothing, and every "+" name, is added to h= once more, so that a
 *	field of that name added later breaks the signature; "=" names
 *	are not. Without a list, Exim's default list is used.
 *
 *	The field is laid out as Exim's pdkim lays it out, tag for tag:
 *	v=1; a=; q=dns/txt; c=; d=; s=; h=; bh=; then i=, t=, x= if set,
 *	then b= and a final ";". Lines are folded with CRLF TAB before
 *	column 78: a tag that fits on a new line is not split; longer
 *	values (b=, long h= lists) are split at column 78. The signature
 *	covers the field as it will be sent, with the value of b= taken
 *	out (see sign_one() for the one case where Exim differs).
 * DIAGNOSTICS
 *	dkim_signer_add() and dkim_signer_finish() return -1 with err set
 *	("DKIM: unrecognised hashname 'x'", "signing_init: privkey
 *	PEM-block import: ...", "signing: ...").
 *--*/

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/list.h"
#include "dkim/dkim.h"
#include "dkim/dkim_sign.h"

#define MAX_HEADERS 512
#define FOLD_COL    78

const char dkim_default_sign_headers[] =
    "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:"
    "Content-Type:Content-Transfer-Encoding:Content-ID:Content-Description:"
    "Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:"
    "Resent-Message-ID:In-Reply-To:References:List-Id:List-Help:"
    "List-Unsubscribe:List-Subscribe:List-Post:List-Owner:List-Archive";

const char *
dkim_oversign_headers(struct arena *a)
{
    gstr g;

    gstr_init(&g, a);
    gstr_addc(&g, '+');
    for (const char *p = dkim_default_sign_headers; *p != '\0'; p++) {
        gstr_addc(&g, *p);
        if (*p == ':')
            gstr_addc(&g, '+');
    }
    return gstr_str(&g);
}

struct one_sig {
    struct dkim_sign_req r;
    EVP_PKEY *key;
    int keytype;
    struct dkim_body *body;
    struct one_sig *next;
};

struct dkim_signer {
    struct arena *a;
    int in_headers;
    gstr cur;
    char **hdrs; /* "Name: value\r\n" */
    size_t *hlens;
    size_t nhdrs;
    struct one_sig *sigs;
};

struct dkim_signer *
dkim_signer_new(struct arena *a)
{
    struct dkim_signer *g = arena_alloc(a, sizeof(*g));

    memset(g, 0, sizeof(*g));
    g->a = a;
    g->in_headers = 1;
    gstr_init(&g->cur, a);
    g->hdrs = arena_alloc(a, MAX_HEADERS * sizeof(*g->hdrs));
    g->hlens = arena_alloc(a, MAX_HEADERS * sizeof(*g->hlens));
    return g;
}

int
dkim_signer_add(struct dkim_signer *g, const struct dkim_sign_req *r, gstr *err)
{
    struct one_sig *s = arena_alloc(g->a, sizeof(*s)), **pp;

    memset(s, 0, sizeof(*s));
    s->r = *r;
    if (r->hash < 0) {
        gstr_printf(err, "DKIM: unrecognised hashname '%s'",
                    r->hash_name ? r->hash_name : "");
        return -1;
    }
    s->key = dkim_private_key(r->privkey);
    if (s->key == NULL) {
        dkim_crypto_failed(err, "signing_init: privkey PEM-block import");
        return -1;
    }
    s->keytype = EVP_PKEY_base_id(s->key) == EVP_PKEY_ED25519 ? DKIM_KEY_ED25519
                                                              : DKIM_KEY_RSA;
    s->body = dkim_body_new(g->a, r->canon, r->hash, -1);
    for (pp = &g->sigs; *pp != NULL; pp = &(*pp)->next)
        ;
    *pp = s;
    return 0;
}

static void
field_done(struct dkim_signer *g)
{
    if (g->cur.len == 0)
        return;
    if (g->nhdrs < MAX_HEADERS) {
        g->hdrs[g->nhdrs] = arena_strndup(g->a, g->cur.s, g->cur.len);
        g->hlens[g->nhdrs] = g->cur.len;
        g->nhdrs++;
    }
    gstr_truncate(&g->cur, 0);
}

void
dkim_signer_line(struct dkim_signer *g, const char *line, size_t len)
{
    if (!g->in_headers) {
        for (struct one_sig *s = g->sigs; s != NULL; s = s->next)
            dkim_body_line(s->body, line, len);
        return;
    }
    if (len == 0) {
        field_done(g);
        g->in_headers = 0;
        return;
    }
    if (line[0] != ' ' && line[0] != '\t')
        field_done(g);
    gstr_addn(&g->cur, line, len);
    gstr_addn(&g->cur, "\r\n", 2);
}

/* Exim's header-name check against the list: the element matched is
 * ticked off (its first character made '_') unless it carries "=" or
 * "+". */
static int
name_match(const char *hdr, char *list)
{
    const char *colon = strchr(hdr, ':');
    size_t n;
    char *p = list;

    if (colon == NULL)
        return 0;
    n = (size_t)(colon - hdr);
    while (*p != '\0') {
        char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *ele = p;
        while (len > 0 && (*ele == ' ' || *ele == '\t'))
            ele++, len--;
        while (len > 0 && (ele[len - 1] == ' ' || ele[len - 1] == '\t'))
            len--;
        int multi = len > 0 && (*ele == '=' || *ele == '+');
        if (multi)
            ele++, len--;
        if (len == n && strncasecmp(ele, hdr, n) == 0) {
            if (!multi)
                *ele = '_';
            return 1;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

/* Exim's folding (pdkim_headcat). */
struct hdr_out {
    gstr *g;
    int col;
};

static void
fold(struct hdr_out *h)
{
    gstr_adds(h->g, "\r\n\t");
    h->col = 1;
}

static void
headcat(struct hdr_out *h, const char *pad, const char *intro,
        const char *payload)
{
    int padded = 0;
    size_t len;

    if (pad != NULL) {
        if (h->col + 1 <= FOLD_COL) {
            gstr_addc(h->g, pad[0]);
            h->col++;
            pad = NULL;
            padded = 1;
        } else
            fold(h);
    }
    len = (size_t)(pad ? 2 : padded) + (intro ? strlen(intro) : 0) +
          (payload ? strlen(payload) : 0);
    if (len <= FOLD_COL - 1 && h->col + (int)len > FOLD_COL) {
        fold(h);
        padded = 0;
    }
    if (pad != NULL) {
        gstr_addc(h->g, pad[0]);
        gstr_addc(h->g, ' ');
        h->col += 2;
    } else if (padded && h->col < FOLD_COL) {
        gstr_addc(h->g, ' ');
        h->col++;
    }
    if (intro != NULL)
        headcat(h, NULL, NULL, intro);
    if (payload != NULL)
        for (len = strlen(payload); len > 0;) {
            size_t chomp;
            if (h->col >= FOLD_COL)
                fold(h);
            chomp = h->col + (int)len > FOLD_COL ? (size_t)(FOLD_COL - h->col)
                                                 : len;
            gstr_addn(h->g, payload, chomp);
            h->col += (int)chomp;
            payload += chomp;
            len -= chomp;
        }
}

static const char *
b64(struct arena *a, const unsigned char *p, size_t n)
{
    gstr g;

    gstr_init(&g, a);
    b64_encode(&g, p, n);
    return gstr_str(&g);
}

/* The field; b NULL: the version that is hashed ("b=;"). */
static void
build_header(struct arena *a, const struct one_sig *s, const char *names,
             const char *bh, const char *b, gstr *out)
{
    struct hdr_out h = {out, 0};
    const char *canon =
        s->r.canon == DKIM_CANON_RELAXED ? "relaxed/relaxed" : "simple/simple";
    char num[24];

    gstr_adds(out, "DKIM-Signature: v=1");
    h.col = (int)strlen("DKIM-Signature: v=1");
    headcat(&h, ";", "a=",
            arena_printf(a, "%s-%s", dkim_keytype_name(s->keytype),
                         dkim_hash_name(s->r.hash)));
    headcat(&h, ";", "q=", "dns/txt");
    headcat(&h, ";", "c=", canon);
    headcat(&h, ";", "d=", s->r.domain);
    headcat(&h, ";", "s=", s->r.selector);
    {
        char *n = arena_strdup(a, names);
        const char *pad = ";", *intro = "h=";
        while (*n != '\0') {
            char *c = strchr(n, ':');
            if (c != NULL)
                *c = '\0';
            if (intro == NULL)
                headcat(&h, NULL, NULL, ":");
            headcat(&h, pad, intro, n);
            if (c == NULL)
                break;
            n = c + 1;
            pad = intro = NULL;
        }
    }
    headcat(&h, ";", "bh=", bh);
    if (s->r.identity != NULL)
        headcat(&h, ";", "i=", s->r.identity);
    if (s->r.created > 0) {
        snprintf(num, sizeof(num), "%lu", s->r.created);
        headcat(&h, ";", "t=", num);
    }
    if (s->r.expires > 0) {
        snprintf(num, sizeof(num), "%lu", s->r.expires);
        headcat(&h, ";", "x=", num);
    }
    if (b != NULL) {
        headcat(&h, ";", "b=", b);
        headcat(&h, NULL, ";", "");
    } else
        headcat(&h, ";", "b=;", "");
}

/* The signed fields (bottom up) into data, their names into names. */
static void
pick_headers(struct dkim_signer *g, const struct one_sig *s, gstr *data,
             gstr *names)
{
    char *list =
        arena_strdup(g->a, s->r.sign_headers ? s->r.sign_headers
                                             : dkim_default_sign_headers);
    struct list_iter it;
    char *ele;
    size_t n;

    for (size_t i = g->nhdrs; i-- > 0;) {
        const char *h = g->hdrs[i];
        if (!name_match(h, list))
            continue;
        list_append(names, ':',
                    arena_strndup(g->a, h, (size_t)(strchr(h, ':') - h)));
        if (s->r.canon == DKIM_CANON_RELAXED) {
            const char *r = dkim_relax_header(g->a, h, g->hlens[i], 1, &n);
            gstr_addn(data, r, n);
        } else
            gstr_addn(data, h, g->hlens[i]);
    }
    list_iter_init(&it, list, ':');
    while ((ele = list_next(&it, g->a)) != NULL) {
        if (*ele == '+')
            ele++;
        if (*ele != '_' && *ele != '=' && *ele != '\0')
            list_append(names, ':', ele);
    }
}

static int
sign_one(struct dkim_signer *g, struct one_sig *s, gstr *out, gstr *err)
{
    const unsigned char *bh;
    unsigned char digest[64], *sig = NULL;
    size_t bhlen, dlen, slen = 0, n;
    gstr data, names, hdr;

    dkim_body_finish(s->body, &bh, &bhlen);
    gstr_init(&data, g->a);
    gstr_init(&names, g->a);
    gstr_init(&hdr, g->a);
    pick_headers(g, s, &data, &names);
    const char *bh64 = b64(g->a, bh, bhlen);
    /* What is hashed is the final field with b='s value taken out, as a
     * verifier sees it: the field is laid out with a stand-in value of
     * the signature's length, so the folds fall where they will fall.
     * (Exim lays out a field with "b=;" instead, which folds
     * differently when the tag lands near column 78, and its simple/
     * simple signatures then fail; otherwise the two are the same.) */
    size_t siglen =
        s->keytype == DKIM_KEY_ED25519 ? 64 : (size_t)EVP_PKEY_get_size(s->key);
    char *stand_in = arena_alloc(g->a, 4 * ((siglen + 2) / 3) + 1);
    memset(stand_in, 'A', 4 * ((siglen + 2) / 3));
    stand_in[4 * ((siglen + 2) / 3)] = '\0';
    build_header(g->a, s, gstr_str(&names), bh64, stand_in, &hdr);
    struct dkim_sig *parsed = dkim_sig_parse(g->a, hdr.s, hdr.len);
    if (parsed == NULL) {
        gstr_adds(err, "signing: cannot lay out the DKIM-Signature field");
        return -1;
    }
    n = strlen(parsed->raw_no_b);
    if (s->r.canon == DKIM_CANON_RELAXED) {
        const char *r = dkim_relax_header(g->a, parsed->raw_no_b, n, 0, &n);
        gstr_addn(&data, r, n);
    } else
        gstr_addn(&data, parsed->raw_no_b, n);
    dlen = dkim_digest(s->r.hash, data.s, data.len, digest);
    if (dkim_crypto_sign(s->key, s->r.hash, digest, dlen, g->a, &sig, &slen) <
        0) {
        dkim_crypto_failed(err, "signing");
        return -1;
    }
    build_header(g->a, s, gstr_str(&names), bh64, b64(g->a, sig, slen), out);
    gstr_adds(out, "\r\n");
    return 0;
}

int
dkim_signer_finish(struct dkim_signer *g, gstr *out, gstr *err)
{
    if (g->in_headers)
        dkim_signer_line(g, "", 0);
    for (struct one_sig *s = g->sigs; s != NULL; s = s->next)
        if (sign_one(g, s, out, err) < 0)
            return -1;
    return 0;
}

void
dkim_signer_free(struct dkim_signer *g)
{
    if (g == NULL)
        return;
    for (struct one_sig *s = g->sigs; s != NULL; s = s->next) {
        dkim_body_free(s->body);
        EVP_PKEY_free(s->key);
        s->key = NULL;
    }
}
