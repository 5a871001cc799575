/*++
 * NAME
 *	sigparse 3
 * SUMMARY
 *	the DKIM-Signature and key-record tag parsers
 * SYNOPSIS
 *	#include "dkim/dkim.h"
 *
 *	struct dkim_sig *dkim_sig_parse(struct arena *a, const char *field,
 *				size_t len)
 *	struct dkim_pubkey *dkim_pubkey_parse(struct arena *a,
 *				const char *record)
 *	const char *dkim_hash_name(int hash)
 *	const char *dkim_keytype_name(int kt)
 *	int	dkim_hash_by_name(const char *s)
 *	int	dkim_keytype_by_name(const char *s)
 *	const char *dkim_sig_algo(struct arena *a, const struct dkim_sig *s)
 * DESCRIPTION
 *	dkim_sig_parse() reads a whole "DKIM-Signature: ..." field (folds
 *	as CRLF) into a struct dkim_sig, the way Exim reads one: a tag
 *	starts with a lower-case letter; white space and folds are dropped
 *	from tag values (so "h = from : to" is "from:to"); tags of more than
 *	one letter other than "bh" are ignored, as are tags it does not
 *	know; i= and z= are decoded from DKIM quoted-printable, b= and bh=
 *	from base64. It keeps the field with the b= value taken out, for
 *	the header hash. Missing tags are not an error here: the verifier
 *	reports them. A signature whose a= names an unknown key type or
 *	hash yields NULL (Exim drops it without a trace).
 *
 *	dkim_pubkey_parse() reads a key record: "tag=value" pairs separated
 *	by ";", white space around each ignored. v= must be DKIM1 if
 *	present; p= must be present (empty means a revoked key); t= flags
 *	y (testing) and s (no subdomains) are noted.
 * DIAGNOSTICS
 *	NULL as above; nothing is logged.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "dkim/dkim.h"

static const char *const hash_names[] = {"sha1", "sha256", "sha512"};
static const char *const keytype_names[] = {"rsa", "ed25519"};

const char *
dkim_hash_name(int hash)
{
    return hash >= 0 && hash < 3 ? hash_names[hash] : "err";
}

const char *
dkim_keytype_name(int kt)
{
    return kt >= 0 && kt < 2 ? keytype_names[kt] : "err";
}

int
dkim_hash_by_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, hash_names[i]) == 0)
            return i;
    return -1;
}

int
dkim_keytype_by_name(const char *s)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, keytype_names[i]) == 0)
            return i;
    return -1;
}

const char *
dkim_sig_algo(struct arena *a, const struct dkim_sig *s)
{
    if (s->keytype < 0 || s->hashtype < 0)
        return "err";
    return arena_printf(a, "%s-%s", dkim_keytype_name(s->keytype),
                        dkim_hash_name(s->hashtype));
}

/* DKIM quoted-printable (RFC 6376 2.11): =XX is a byte. */
static char *
qp_decode(struct arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) + 1), *q = out;

    while (*s != '\0') {
        if (s[0] == '=' && isxdigit((unsigned char)s[1]) &&
            isxdigit((unsigned char)s[2])) {
            char hex[3] = {s[1], s[2], '\0'};
            *q++ = (char)strtol(hex, NULL, 16);
            s += 3;
        } else
            *q++ = *s++;
    }
    *q = '\0';
    return out;
}

static unsigned char *
b64_value(struct arena *a, const char *s, size_t *len)
{
    gstr g;

    gstr_init(&g, a);
    if (b64_decode(&g, s, strlen(s)) < 0) {
        *len = 0;
        return NULL;
    }
    gstr_str(&g);
    *len = g.len;
    return (unsigned char *)(g.s != NULL ? g.s : arena_strdup(a, ""));
}

static void
sig_algo(struct dkim_sig *sig, const char *v)
{
    const char *dash = strchr(v, '-');
    char kt[16];

    if (dash == NULL || (size_t)(dash - v) >= sizeof(kt)) {
        sig->keytype = dkim_keytype_by_name(v);
        return;
    }
    memcpy(kt, v, (size_t)(dash - v));
    kt[dash - v] = '\0';
    sig->keytype = dkim_keytype_by_name(kt);
    sig->hashtype = dkim_hash_by_name(dash + 1);
}

static void
sig_canon(struct dkim_sig *sig, const char *v)
{
    const char *slash = strchr(v, '/');
    size_t n = slash ? (size_t)(slash - v) : strlen(v);

    /* Exim's table: "simple", "relaxed", and the pairs of them; an
     * unknown value leaves simple/simple */
    if (n == 7 && strncmp(v, "relaxed", 7) == 0)
        sig->canon_headers = DKIM_CANON_RELAXED;
    else if (!(n == 6 && strncmp(v, "simple", 6) == 0))
        return;
    if (slash == NULL)
        return;
    if (strcmp(slash + 1, "relaxed") == 0)
        sig->canon_body = DKIM_CANON_RELAXED;
    else if (strcmp(slash + 1, "simple") != 0)
        sig->canon_headers = DKIM_CANON_SIMPLE;
}

static void
sig_tag(struct arena *a, struct dkim_sig *sig, const char *tag, const char *v)
{
    if (tag[1] != '\0' && strcmp(tag, "bh") != 0)
        return;
    switch (tag[0]) {
    case 'b':
        if (tag[1] == 'h')
            sig->bh = b64_value(a, v, &sig->bh_len);
        else
            sig->b = b64_value(a, v, &sig->b_len);
        break;
    case 'v':
        sig->version = strcmp(v, "1") == 0 ? 1 : -1;
        break;
    case 'a':
        sig_algo(sig, v);
        break;
    case 'c':
        sig_canon(sig, v);
        break;
    case 's':
        sig->selector = arena_strdup(a, v);
        break;
    case 'd':
        sig->domain = arena_strdup(a, v);
        break;
    case 'i':
        sig->identity = qp_decode(a, v);
        break;
    case 't':
        sig->created = strtoul(v, NULL, 10);
        break;
    case 'x':
        sig->expires = strtoul(v, NULL, 10);
        break;
    case 'l':
        sig->bodylength = strtol(v, NULL, 10);
        break;
    case 'h':
        sig->headernames = arena_strdup(a, v);
        break;
    case 'z':
        sig->copiedheaders = qp_decode(a, v);
        break;
    default:
        break;
    }
}

struct dkim_sig *
dkim_sig_parse(struct arena *a, const char *field, size_t len)
{
    struct dkim_sig *sig = arena_alloc(a, sizeof(*sig));
    enum { LIMBO, TAG, VALUE } where = LIMBO;
    gstr tag, val, raw;
    int in_b = 0;
    size_t i = 0;

    memset(sig, 0, sizeof(*sig));
    sig->keytype = sig->hashtype = -1;
    sig->bodylength = -1;
    gstr_init(&tag, a);
    gstr_init(&val, a);
    gstr_init(&raw, a);
    while (i < len && field[i] != ':') /* the name */
        i++;
    if (i < len)
        i++;
    gstr_addn(&raw, field, i);
    for (; i <= len; i++) {
        char c = i < len ? field[i] : ';';
        int end = i == len;

        if (c == '\r' || c == '\n')
            goto copy;
        if (where == LIMBO) {
            if (!(c >= 'a' && c <= 'z'))
                goto copy;
            where = TAG;
        }
        if (where == TAG) {
            if (c == '=') {
                where = VALUE;
                if (strcmp(gstr_str(&tag), "b") == 0) {
                    gstr_addc(&raw, '=');
                    in_b = 1;
                    continue;
                }
                goto copy;
            }
            if (!isspace((unsigned char)c))
                gstr_addc(&tag, c);
            goto copy;
        }
        /* VALUE */
        if (c == ' ' || c == '\t')
            goto copy;
        if (c == ';') {
            if (tag.len > 0 && val.len > 0)
                sig_tag(a, sig, gstr_str(&tag), gstr_str(&val));
            gstr_truncate(&tag, 0);
            gstr_truncate(&val, 0);
            in_b = 0;
            where = LIMBO;
            goto copy;
        }
        gstr_addc(&val, c);
    copy:
        if (!in_b && !end)
            gstr_addc(&raw, c);
    }
    if (sig->keytype < 0 || sig->hashtype < 0)
        return NULL;
    size_t n = raw.len;
    while (n > 0 && (raw.s[n - 1] == '\r' || raw.s[n - 1] == '\n'))
        n--;
    gstr_truncate(&raw, n);
    sig->raw_no_b = (char *)gstr_str(&raw);
    return sig;
}

static const char *
trim(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return arena_strndup(a, s, n);
}

/* p= may be folded in the record: white space inside is dropped. */
static void
pubkey_key(struct arena *a, struct dkim_pubkey *pub, const char *v)
{
    gstr g;

    gstr_init(&g, a);
    for (; *v != '\0'; v++)
        if (!isspace((unsigned char)*v))
            gstr_addc(&g, *v);
    pub->key = b64_value(a, gstr_str(&g), &pub->keylen);
}

struct dkim_pubkey *
dkim_pubkey_parse(struct arena *a, const char *record)
{
    struct dkim_pubkey *pub = arena_alloc(a, sizeof(*pub));
    const char *ele = record;

    memset(pub, 0, sizeof(*pub));
    while (*ele != '\0') {
        const char *end = strchr(ele, ';'), *eq;
        size_t n = end ? (size_t)(end - ele) : strlen(ele);
        const char *spec = trim(a, ele, n);

        ele += n + (end ? 1 : 0);
        if ((eq = strchr(spec, '=')) == NULL)
            continue;
        const char *name = trim(a, spec, (size_t)(eq - spec));
        const char *v = trim(a, eq + 1, strlen(eq + 1));
        if (name[0] == '\0' || name[1] != '\0')
            continue;
        switch (name[0]) {
        case 'v':
            pub->version = v;
            break;
        case 'h':
            pub->hashes = v;
            break;
        case 'k':
            pub->keytype = v;
            break;
        case 'g':
            pub->granularity = v;
            break;
        case 'n':
            pub->notes = qp_decode(a, v);
            break;
        case 'p':
            pubkey_key(a, pub, v);
            break;
        case 's':
            pub->srvtype = v;
            break;
        case 't':
            pub->testing = strchr(v, 'y') != NULL;
            pub->no_subdomaining = strchr(v, 's') != NULL;
            break;
        default:
            break;
        }
    }
    if (pub->version == NULL)
        pub->version = "DKIM1";
    else if (strcmp(pub->version, "DKIM1") != 0)
        return NULL;
    if (pub->granularity == NULL)
        pub->granularity = "*";
    if (pub->keytype == NULL)
        pub->keytype = "rsa";
    if (pub->srvtype == NULL)
        pub->srvtype = "*";
    return pub->key != NULL ? pub : NULL;
}
