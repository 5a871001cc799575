/*++
 * NAME
 *	match 3
 * SUMMARY
 *	matching a rewrite pattern against an address
 * SYNOPSIS
 *	#include "rewrite/rewrite.h"
 *
 *	int	rewrite_match(struct expand_ctx *ctx, const char *pattern,
 *				const char *address, gstr *err)
 *	int	rewrite_match_regex(struct expand_ctx *ctx,
 *				const char *pattern, const char *subject,
 *				gstr *err)
 * DESCRIPTION
 *	A rewrite pattern is one item of an address list (Exim's
 *	check_address() with case-sensitive local parts), already
 *	expanded. The domain of the address is lower-cased before it is
 *	compared; local parts keep their case. On a match ctx->nums
 *	holds $0, the whole address as given, and then:
 *
 *	^regex		matched against the whole address; $1... are its
 *			groups
 *	type;file	a lookup of the whole address ("lsearch*@;..."
 *			as the lookup area allows): no numbers
 *	@@type;file	the domain is looked up; its data is a list of
 *			local parts (items may be negated with "!")
 *	local@domain	local is "*suffix" (the wild part becomes the
 *			next number) or literal; domain as below
 *	domain		(no "@") the address's domain against one
 *			domain item: "*suffix" (its wild part is the next
 *			number), "^regex" (its groups are),
 *			"partial-type;file" (the wild and the fixed part
 *			of the domain are the next two), a literal, or
 *			whatever match_domain() takes ("@", "@[]",
 *			"+name", "type;file"): no numbers
 *
 *	rewrite_match_regex() is for S rules: subject is anything (the
 *	data of a MAIL or RCPT command), matched, with case, against a
 *	regex; $0 is the subject, $1... the groups.
 * DIAGNOSTICS
 *	-1 with err set for a bad regex, a lookup that failed, an unknown
 *	named list, or a chained ("> name") @@ lookup, which mxlab does
 *	not follow.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "expand/lookups/lookup.h"
#include "expand/regex.h"
#include "rewrite/rewrite.h"

static void
num_add(struct expand_ctx *ctx, const char *s, size_t n)
{
    if (ctx->nnums < 10)
        ctx->nums[ctx->nnums++] = arena_strndup(ctx->arena, s, n);
}

/* subject against a regex (with case); its groups become numbers. */
static int
regex_numbers(struct expand_ctx *ctx, const char *pattern, const char *subject,
              gstr *err)
{
    pcre2_code *re;
    pcre2_match_data *md;
    int owned, rc;

    if ((re = expand_regex_compile(pattern, 0, err, &owned)) == NULL)
        return -1;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = expand_regex_exec(re, subject, strlen(subject), 0, md, err);
    if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (int i = 1; i < rc; i++) {
            if (ov[2 * i] == PCRE2_UNSET)
                num_add(ctx, "", 0);
            else
                num_add(ctx, subject + ov[2 * i], ov[2 * i + 1] - ov[2 * i]);
        }
    }
    pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(re);
    return rc < 0 ? -1 : rc > 0;
}

static int
from_list(int rc, gstr *err, const gstr *lerr)
{
    if (rc == MATCH_OK)
        return 1;
    if (rc == MATCH_FAIL)
        return 0;
    gstr_addn(err, lerr->s ? lerr->s : "", lerr->len);
    return -1;
}

/* One key of a partial match, without the partial options. */
static int
lookup_one(const struct lookup_spec *spec, struct lookup_call *c,
           const char *key)
{
    struct lookup_spec one = *spec;
    char *result;

    one.partial = -1;
    one.star = one.star_at = 0;
    c->key = key;
    return lookup_run(&one, c, &result);
}

/* "partial-type;file" as the domain item: as Exim, the wild part and
 * the fixed part of the domain become the next two numbers ("" and the
 * whole domain when the domain itself is a key). */
static int
partial_lookup(struct expand_ctx *ctx, const char *domain, const char *item,
               gstr *err)
{
    const char *semi = strchr(item, ';'), *tail = domain;
    struct lookup_spec spec;
    struct lookup_call c;
    size_t comps = *domain ? 1 : 0;
    int rc;

    if (lookup_parse_type(
            ctx->arena, arena_strndup(ctx->arena, item, (size_t)(semi - item)),
            &spec, err) < 0)
        return -1;
    memset(&c, 0, sizeof(c));
    c.a = ctx->arena;
    c.file = semi + 1;
    while (isspace((unsigned char)*c.file))
        c.file++;
    c.opts = spec.opts;
    c.err = err;
    if ((rc = lookup_one(&spec, &c, domain)) == LOOKUP_OK) {
        num_add(ctx, "", 0);
        num_add(ctx, domain, strlen(domain));
        return 1;
    }
    for (const char *p = domain; *p != '\0'; p++)
        comps += *p == '.';
    for (; rc == LOOKUP_FAIL && tail != NULL && (int)comps >= spec.partial;
         comps--) {
        rc = lookup_one(&spec, &c,
                        arena_printf(ctx->arena, "%s%s", spec.affix, tail));
        if (rc == LOOKUP_OK) {
            size_t wild = (size_t)(tail - domain);
            num_add(ctx, domain, wild > 0 ? wild - 1 : 0);
            num_add(ctx, tail, strlen(tail));
            return 1;
        }
        if ((tail = strchr(tail, '.')) != NULL)
            tail++;
    }
    if (rc == LOOKUP_FAIL && spec.partial == 0) {
        size_t n = strlen(spec.affix);
        rc = lookup_one(
            &spec, &c,
            arena_strndup(ctx->arena, spec.affix,
                          n > 0 && spec.affix[n - 1] == '.' ? n - 1 : n));
        if (rc == LOOKUP_OK) {
            num_add(ctx, domain, strlen(domain));
            num_add(ctx, "", 0);
            return 1;
        }
    }
    if (rc == LOOKUP_FAIL && (spec.star || spec.star_at)) {
        struct lookup_spec st = spec;
        char *result;
        st.partial = -1;
        c.key = domain;
        rc = lookup_run(&st, &c, &result);
        if (rc == LOOKUP_OK)
            return 1;
    }
    if (rc == LOOKUP_FAIL)
        return 0;
    if (err->len == 0)
        gstr_printf(err, "lookup of \"%s\" in %s failed", domain, c.file);
    return -1;
}

/* One domain item: numbers for "*suffix" and "^regex". */
static int
domain_matches(struct expand_ctx *ctx, const char *domain, const char *item,
               gstr *err)
{
    gstr lerr;

    if (item[0] == '^')
        return regex_numbers(ctx, item, domain, err);
    if (item[0] == '*') {
        size_t il = strlen(item + 1), dl = strlen(domain);
        if (il > dl || strcmp(domain + dl - il, item + 1) != 0)
            return 0;
        num_add(ctx, domain, dl - il);
        return 1;
    }
    if (item[0] != '@' && item[0] != '+' && strchr(item, ';') == NULL)
        return strcmp(domain, item) == 0;
    if (strncmp(item, "partial", 7) == 0 && strchr(item, ';') != NULL)
        return partial_lookup(ctx, domain, item, err);
    gstr_init(&lerr, ctx->arena);
    return from_list(match_domain(ctx, domain,
                                  arena_printf(ctx->arena, "<\n%s", item),
                                  &lerr),
                     err, &lerr);
}

/* "@@type;file": the domain's data lists the local parts. */
static int
split_lookup(struct expand_ctx *ctx, const char *local, const char *domain,
             const char *item, gstr *err)
{
    const char *value = NULL;
    gstr lerr;
    int rc;

    gstr_init(&lerr, ctx->arena);
    rc = from_list(match_domain_value(ctx, domain,
                                      arena_printf(ctx->arena, "<\n%s", item),
                                      &value, &lerr),
                   err, &lerr);
    if (rc <= 0 || value == NULL)
        return rc;
    const char *last = strrchr(value, ':');
    last = last != NULL ? last + 1 : value;
    while (isspace((unsigned char)*last))
        last++;
    if (*last == '>') {
        gstr_printf(err, "chained @@ lookups (\"%s\") are not supported", last);
        return -1;
    }
    /* A list that ends in a negated item would match what it does not
     * name; in an @@ list, as in Exim, no item matching is no match. */
    gstr_truncate(&lerr, 0);
    rc = match_local_part(ctx, local,
                          arena_printf(ctx->arena, "%s : !*", value), 1, &lerr);
    return from_list(rc, err, &lerr);
}

/* Whether a pattern is a lookup of the whole address: a type name,
 * optionally "*" and "@", then ";". */
static int
whole_lookup(const char *p)
{
    while (isalnum((unsigned char)*p) || *p == '-')
        p++;
    if (*p == '*')
        p++;
    if (*p == '@')
        p++;
    return *p == ';';
}

int
rewrite_match(struct expand_ctx *ctx, const char *pattern, const char *address,
              gstr *err)
{
    const char *at = strrchr(address, '@'), *pat;
    char *subject = arena_strdup(ctx->arena, address);
    char *local, *domain;

    if (at == NULL)
        return 0;
    for (char *p = subject + (at - address) + 1; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    local = arena_strndup(ctx->arena, subject, (size_t)(at - address));
    domain = subject + (at - address) + 1;
    ctx->nnums = 0;
    num_add(ctx, address, strlen(address));
    if (pattern[0] == '^')
        return regex_numbers(ctx, pattern, subject, err);
    if (whole_lookup(pattern)) {
        gstr lerr;
        gstr_init(&lerr, ctx->arena);
        return from_list(
            match_address(ctx, subject,
                          arena_printf(ctx->arena, "<\n%s", pattern), &lerr),
            err, &lerr);
    }
    if (pattern[0] == '@' && pattern[1] == '@')
        return split_lookup(ctx, local, domain, pattern + 2, err);
    if ((pat = strrchr(pattern, '@')) == NULL)
        return domain_matches(ctx, domain, pattern, err);
    /* "x@@", "x@@[]", "x@@mx_any": the domain item keeps its "@" */
    if (pat > pattern && pat[-1] == '@' &&
        (pat[1] == '\0' || strcmp(pat + 1, "[]") == 0 ||
         strncmp(pat + 1, "mx_", 3) == 0))
        pat--;
    size_t pl = (size_t)(pat - pattern), ll = strlen(local);
    if (pattern[0] == '*') {
        if (ll < pl - 1 || strncmp(local + ll - (pl - 1), pattern + 1, pl - 1))
            return 0;
        num_add(ctx, local, ll - (pl - 1));
    } else if (ll != pl || strncmp(local, pattern, pl) != 0)
        return 0;
    return domain_matches(ctx, domain, pat + 1, err);
}

int
rewrite_match_regex(struct expand_ctx *ctx, const char *pattern,
                    const char *subject, gstr *err)
{
    ctx->nnums = 0;
    num_add(ctx, subject, strlen(subject));
    return regex_numbers(ctx, pattern, subject, err);
}
