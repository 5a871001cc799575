/*++
 * NAME
 *	parse 3
 * SUMMARY
 *	the ARC header field parsers and the chain of ARC sets
 * SYNOPSIS
 *	#include "arc/arc.h"
 *
 *	const char *arc_line_parse(struct arena *a, struct arc_line *al,
 *				const char *field, size_t len, size_t off,
 *				enum arc_extract x)
 *	int	arc_field_kind(const char *field, size_t len, size_t *off)
 *	void	arc_chain_init(struct arc_chain *c, struct arena *a)
 *	const char *arc_chain_add(struct arc_chain *c, const char *field,
 *				size_t len, int signing)
 *	const char *arc_chain_collect(struct arc_chain *c,
 *				const struct arc_hdr *h, size_t n,
 *				int signing)
 *	struct dkim_sig *arc_ams_as_dkim(struct arena *a,
 *				const struct arc_line *ams)
 *	const char *arc_chain_domains(struct arena *a,
 *				const struct arc_chain *c)
 * DESCRIPTION
 *	arc_line_parse() reads the tag list of an ARC-Seal,
 *	ARC-Message-Signature or ARC-Authentication-Results field the way
 *	Exim 4.98 does: a tag is known by its first letter (and "bh",
 *	"cv", "smtp.remote-ip"), the others are skipped; a value runs to
 *	the next ";" with the white space around it taken off; b= and bh=
 *	lose all white space. A tag given twice, an a= without "-", an
 *	empty b= or bh=, and any other tag starting with "b" are errors.
 *	How much is read depends on x: only i= (a signer), i= and
 *	smtp.remote-ip (an AAR being verified), or everything, with a
 *	copy of the field without its b= value for the signature hashes.
 *
 *	arc_chain_add() puts an ARC field into the set of its instance,
 *	creating sets in increasing instance order. An instance that is
 *	not a number from 1 to 50 and a second field of one kind in a set
 *	are errors, worded as Exim words them ("inserting AS: dup hdr").
 *
 *	arc_ams_as_dkim() gives an AMS as the DKIM code's signature
 *	structure, to share its body hashes and header hash.
 *
 *	arc_chain_domains() gives $arc_domains: the AS d= values in
 *	instance order, with an empty element for each instance that has
 *	no AS or no d=.
 * DIAGNOSTICS
 *	The error strings above; nothing is logged here.
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

static const struct {
    const char *name;
    size_t len;
} field_names[] = {
    [ARC_AAR] = {"ARC-Authentication-Results:", 27},
    [ARC_AMS] = {"ARC-Message-Signature:", 22},
    [ARC_AS] = {"ARC-Seal:", 9},
};

int
arc_field_kind(const char *field, size_t len, size_t *off)
{
    for (int k = ARC_AAR; k <= ARC_AS; k++)
        if (len >= field_names[k].len &&
            strncasecmp(field, field_names[k].name, field_names[k].len) == 0) {
            *off = field_names[k].len;
            return k;
        }
    return -1;
}

static int
is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t
skip_fws(const char *p, size_t i, size_t end)
{
    while (i < end && is_fws(p[i]))
        i++;
    return i;
}

/* A tag value from p[*i] (just after the '='), to the next ';'. */
static const char *
tag_value(struct arena *a, const char **slot, const char *p, size_t *i,
          size_t end)
{
    size_t start, stop;

    if (*slot != NULL)
        return "dup";
    start = skip_fws(p, *i, end);
    stop = start;
    while (stop < end && p[stop] != ';')
        stop++;
    *i = stop;
    while (stop > start && is_fws(p[stop - 1]))
        stop--;
    *slot = arena_strndup(a, p + start, stop - start);
    return NULL;
}

/* b= or bh= from p[*i] (just after the '='): all white space out. */
static const char *
b64_value(struct arena *a, const char **slot, const char *p, size_t *i,
          size_t end)
{
    gstr g;

    gstr_init(&g, a);
    while (*i < end && p[*i] != ';') {
        if (!is_fws(p[*i]))
            gstr_addc(&g, p[*i]);
        (*i)++;
    }
    if (g.len == 0)
        return "empty";
    *slot = gstr_str(&g);
    return NULL;
}

/* One tag-spec starting at p[*i]; *i ends on its ';' (or the end).
 * bstart, bend: the b= value's place, for the copy without it. */
static const char *
one_tag(struct arena *a, struct arc_line *al, const char *p, size_t *i,
        size_t end, enum arc_extract x, size_t *bstart, size_t *bend, int *done)
{
    size_t k = *i;
    char tag = p[k++];
    int all = x == ARC_X_ALL;

    k = skip_fws(p, k, end);
    if (k >= end) {
        *i = k;
        return NULL;
    }
    switch (tag) {
    case 'a':
        if (all && p[k] == '=') {
            k++;
            if (tag_value(a, &al->a, p, &k, end))
                return "a tag dup";
            const char *dash = strchr(al->a, '-');
            if (dash == NULL)
                return "no '-' in 'a' value";
            al->a_algo = arena_strndup(a, al->a, (size_t)(dash - al->a));
            al->a_hash = dash + 1;
        }
        break;
    case 'b':
        if (!all)
            break;
        if (p[k] == '=') {
            if (al->b != NULL)
                return "already b data";
            *bstart = ++k;
            if (b64_value(a, &al->b, p, &k, end))
                return "no b= value";
            *bend = k;
        } else if (p[k] == 'h') {
            k = skip_fws(p, k + 1, end);
            if (k < end && p[k] == '=') {
                if (al->bh != NULL)
                    return "already bh data";
                k++;
                if (b64_value(a, &al->bh, p, &k, end))
                    return "no bh= value";
            }
        } else
            return "b? tag";
        break;
    case 'c':
        if (!all)
            break;
        if (p[k] == '=') {
            k++;
            if (tag_value(a, &al->c, p, &k, end))
                return "c tag dup";
            size_t n = 0;
            while (isalpha((unsigned char)al->c[n]))
                n++;
            al->c_head = arena_strndup(a, al->c, n);
            al->c_body = al->c[n] == '/' ? al->c + n + 1 : "simple";
        } else if (p[k] == 'v' && k + 1 < end && p[k + 1] == '=') {
            k += 2;
            if (tag_value(a, &al->cv, p, &k, end))
                return "cv tag dup";
        }
        break;
    case 'd':
        if (all && p[k] == '=') {
            k++;
            if (tag_value(a, &al->d, p, &k, end))
                return "d tag dup";
        }
        break;
    case 'h':
        if (p[k] == '=') {
            k++;
            if (tag_value(a, &al->h, p, &k, end))
                return "h tag dup";
        }
        break;
    case 'i':
        if (p[k] == '=') {
            k++;
            if (tag_value(a, &al->i, p, &k, end))
                return "i tag dup";
            if (x == ARC_X_INSTANCE)
                *done = 1;
        }
        break;
    case 'l':
        if (all && p[k] == '=') {
            k++;
            if (tag_value(a, &al->l, p, &k, end))
                return "l tag dup";
        }
        break;
    case 's':
        if (all && p[k] == '=') {
            k++;
            if (tag_value(a, &al->s, p, &k, end))
                return "s tag dup";
        } else if (x == ARC_X_INSTANCE_IP && end - k >= 13 &&
                   strncmp(p + k, "mtp.remote-ip", 13) == 0) {
            k = skip_fws(p, k + 13, end);
            if (k >= end || p[k] != '=')
                return "smtp.remote_ip tag val";
            k++;
            if (tag_value(a, &al->ip, p, &k, end))
                return "ip tag dup";
        }
        break;
    }
    *i = k;
    return NULL;
}

const char *
arc_line_parse(struct arena *a, struct arc_line *al, const char *p, size_t len,
               size_t off, enum arc_extract x)
{
    gstr raw;
    size_t i = off;

    al->text = p;
    al->len = len;
    if (x == ARC_X_ALL) {
        gstr_init(&raw, a);
        gstr_addn(&raw, p, off);
    }
    while (i < len) {
        size_t field = i, bstart = 0, bend = 0;
        int done = 0;
        const char *e;

        i = skip_fws(p, i, len);
        if (i >= len)
            break;
        if ((e = one_tag(a, al, p, &i, len, x, &bstart, &bend, &done)))
            return e;
        if (done)
            return NULL;
        while (i < len && p[i] != ';')
            i++;
        if (i < len)
            i++;
        if (x != ARC_X_ALL)
            continue;
        if (bend != 0) {
            gstr_addn(&raw, p + field, bstart - field);
            gstr_addn(&raw, p + bend, i - bend);
        } else
            gstr_addn(&raw, p + field, i - field);
    }
    if (x == ARC_X_ALL) {
        size_t n = raw.len;
        if (n >= 2 && raw.s[n - 2] == '\r' && raw.s[n - 1] == '\n')
            n -= 2;
        al->raw_no_b = arena_strndup(a, raw.s ? raw.s : "", n);
        al->raw_no_b_len = n;
    }
    return NULL;
}

void
arc_chain_init(struct arc_chain *c, struct arena *a)
{
    memset(c, 0, sizeof(*c));
    c->a = a;
}

static struct arc_set *
find_set(struct arc_chain *c, unsigned inst)
{
    struct arc_set *prev = NULL, *next = c->first, *s;

    while (next != NULL && next->instance <= inst) {
        if (next->instance == inst)
            return next;
        prev = next;
        next = next->next;
    }
    s = arena_alloc(c->a, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->instance = inst;
    s->prev = prev;
    s->next = next;
    if (prev)
        prev->next = s;
    else
        c->first = s;
    if (next)
        next->prev = s;
    else
        c->last = s;
    return s;
}

static const char *
insert(struct arc_chain *c, int kind, const char *field, size_t len, size_t off,
       enum arc_extract x)
{
    struct arc_line *al = arena_alloc(c->a, sizeof(*al));
    struct arc_line **slot;
    struct arc_set *s;
    const char *e;
    unsigned inst;

    memset(al, 0, sizeof(*al));
    al->kind = kind;
    if ((e = arc_line_parse(c->a, al, field, len, off, x)))
        return arena_printf(c->a, "line parse: %s", e);
    if (al->i == NULL || (inst = (unsigned)atoi(al->i)) == 0)
        return "instance find";
    if (inst > ARC_MAX_INSTANCE)
        return "overlarge instance number";
    s = find_set(c, inst);
    slot = kind == ARC_AAR ? &s->aar : kind == ARC_AMS ? &s->ams : &s->as;
    if (*slot != NULL)
        return "dup hdr";
    *slot = al;
    if (kind == ARC_AMS && al->c == NULL)
        al->c_head = al->c_body = "simple";
    return NULL;
}

const char *
arc_chain_add(struct arc_chain *c, const char *field, size_t len, int signing)
{
    static const char *const what[] = {"AAR", "AMS", "AS"};
    enum arc_extract x;
    size_t off;
    const char *e;
    int kind = arc_field_kind(field, len, &off);

    if (kind < 0)
        return NULL;
    x = signing           ? ARC_X_INSTANCE
        : kind == ARC_AAR ? ARC_X_INSTANCE_IP
                          : ARC_X_ALL;
    if ((e = insert(c, kind, field, len, off, x)))
        return arena_printf(c->a, "inserting %s: %s", what[kind], e);
    return NULL;
}

const char *
arc_chain_collect(struct arc_chain *c, const struct arc_hdr *h, size_t n,
                  int signing)
{
    const char *e;

    for (size_t i = 0; i < n; i++)
        if ((e = arc_chain_add(c, h[i].text, h[i].len, signing)))
            return e;
    return NULL;
}

/* Exim's hash-name match: the a= hash as a prefix of a known name. */
int
arc_hash_type(const char *h)
{
    static const char *const names[] = {"sha1", "sha256", "sha512"};
    static const int types[] = {DKIM_HASH_SHA1, DKIM_HASH_SHA256,
                                DKIM_HASH_SHA512};
    size_t n;

    if (h == NULL || (n = strlen(h)) == 0)
        return -1;
    for (int i = 0; i < 3; i++)
        if (strncmp(h, names[i], n) == 0)
            return types[i];
    return -1;
}

/* c=, one of Exim's six accepted spellings, else -1. */
static int
body_canon(const char *c)
{
    static const struct {
        const char *s;
        int body;
    } canons[] = {
        {"simple/simple", DKIM_CANON_SIMPLE},
        {"simple/relaxed", DKIM_CANON_RELAXED},
        {"relaxed/simple", DKIM_CANON_SIMPLE},
        {"relaxed/relaxed", DKIM_CANON_RELAXED},
        {"simple", DKIM_CANON_SIMPLE},
        {"relaxed", DKIM_CANON_SIMPLE}, /* relaxed/simple (RFC 6376) */
    };

    if (c == NULL)
        return DKIM_CANON_SIMPLE;
    for (size_t i = 0; i < sizeof(canons) / sizeof(canons[0]); i++)
        if (strcmp(c, canons[i].s) == 0)
            return canons[i].body;
    return -1;
}

static unsigned char *
decode(struct arena *a, const char *s, size_t *len)
{
    gstr g;

    if (s == NULL)
        return NULL;
    gstr_init(&g, a);
    if (b64_decode(&g, s, strlen(s)) < 0)
        return NULL;
    *len = g.len;
    return (unsigned char *)(g.s ? g.s : arena_strdup(a, ""));
}

struct dkim_sig *
arc_ams_as_dkim(struct arena *a, const struct arc_line *ams)
{
    struct dkim_sig *s;
    const char *head = ams->c_head ? ams->c_head : "simple";
    int hash = arc_hash_type(ams->a_hash);
    int body = body_canon(ams->c);

    if (hash < 0 || body < 0)
        return NULL;
    s = arena_alloc(a, sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->version = 1;
    s->keytype = DKIM_KEY_RSA;
    s->hashtype = hash;
    /* Exim: relaxed when c='s header part is a prefix of "relaxed" */
    s->canon_headers = strncmp("relaxed", head, strlen(head)) == 0
                           ? DKIM_CANON_RELAXED
                           : DKIM_CANON_SIMPLE;
    s->canon_body = body;
    s->domain = ams->d;
    s->selector = ams->s;
    s->headernames = ams->h;
    s->bodylength = ams->l ? strtol(ams->l, NULL, 10) : -1;
    s->bh = decode(a, ams->bh, &s->bh_len);
    s->b = decode(a, ams->b, &s->b_len);
    s->raw_no_b = ams->raw_no_b;
    return s;
}

const char *
arc_chain_domains(struct arena *a, const struct arc_chain *c)
{
    unsigned inst = 1;
    gstr g;

    gstr_init(&g, a);
    for (const struct arc_set *s = c->first; s != NULL; s = s->next, inst++) {
        if (s->as == NULL) {
            gstr_addc(&g, ':');
            continue;
        }
        for (; inst < s->instance; inst++)
            gstr_addc(&g, ':');
        if (s->as->d != NULL && *s->as->d != '\0')
            list_append(&g, ':', s->as->d);
        else
            gstr_addc(&g, ':');
    }
    return gstr_str(&g);
}
