/*++
 * NAME
 *	rewrite 3
 * SUMMARY
 *	applying rewrite rules to one address
 * SYNOPSIS
 *	#include "rewrite/rewrite.h"
 *
 *	const char *rewrite_one(struct expand_ctx *ctx,
 *				const struct rewrite_rules *rr,
 *				const char *s, unsigned flag, int *whole)
 *	const char *rewrite_one_noted(struct expand_ctx *ctx,
 *				const struct rewrite_rules *rr,
 *				const char *s, unsigned flag, int *whole,
 *				void (*noted)(void *arg, const char *old),
 *				void *arg)
 *	void	rewrite_address_span(const char *text, size_t *start,
 *				size_t *end)
 * DESCRIPTION
 *	rewrite_one() scans the rules in order, skipping those whose flags
 *	do not include flag. For a rule whose pattern (expanded first)
 *	matches, the replacement is expanded with $0, $1 ... from the match
 *	and $local_part and $domain set to the address's parts (not for S
 *	rules, whose subject is the raw MAIL or RCPT data). Its result must
 *	be an address with a domain, unless the rule has Q (then it is
 *	qualified with qualify_recipient) or the field is the envelope
 *	sender (which may become <>). The result is the subject of the
 *	rules that follow. A replacement "*" ends the scan, leaving the
 *	address as it is; q ends it after a rule that matched; R applies a
 *	rule again to its own result, up to 10 more times. A forced
 *	failure of the replacement skips the rule (and ends the scan with
 *	q).
 *
 *	For a header address, a "w" rule's result replaces the whole item
 *	(phrase and comments included); later rules without w change only
 *	the address part inside it.
 *
 *	rewrite_one_noted() also calls noted(arg, old) for each rule that
 *	changed the address (reception records "X-rewrote-..." headers).
 * DIAGNOSTICS
 *	With the address_rewrite log selector, each rewrite is logged:
 *	'"OLD" from WHERE rewritten as "NEW" by rule N'. In the main and
 *	panic logs, as Exim: "Expansion of R failed while rewriting: ...",
 *	"Rewrite of A yielded unparseable address: ... in address R",
 *	"Rewrite of A yielded unqualified address \"R\"" (each ends the
 *	scan, the address as it was then), "rewrite rule repeat ignored
 *	after 10 times".
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/addr.h"
#include "rewrite/rewrite.h"

#define REPEAT_MAX 10

static const char *
where_name(unsigned flag)
{
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {
        {RW_SENDER, "sender:"},
        {RW_FROM, "from:"},
        {RW_TO, "to:"},
        {RW_CC, "cc:"},
        {RW_BCC, "bcc:"},
        {RW_REPLYTO, "reply-to:"},
        {RW_ENVFROM, "env-from"},
        {RW_ENVTO, "env-to"},
        {RW_SMTP, "smtp recipient"},
        {RW_SMTP | RW_SMTP_SENDER, "smtp sender"},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].flag == flag)
            return names[i].name;
    return "?";
}

void
rewrite_address_span(const char *text, size_t *start, size_t *end)
{
    size_t s = 0, e = strlen(text);
    const char *as, *ae;

    if (rewrite_address_place(text, text + e, &as, &ae)) {
        *start = (size_t)(as - text);
        *end = (size_t)(ae - text);
        return;
    }
    while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\n'))
        s++;
    while (e > s &&
           (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n'))
        e--;
    *start = s;
    *end = e;
}

/* The state of one scan. */
struct scan {
    struct expand_ctx *ctx;
    unsigned flag;
    const char *yield;   /* what is returned: an address, or a whole item */
    const char *subject; /* the address the next rule sees */
    size_t ystart, yend; /* the address within yield, after a w rule */
    int *whole;
};

/* Does the rule's pattern match the subject? Sets the numbers. */
static int
rule_matches(struct scan *sc, const struct rewrite_rule *rule)
{
    struct expand_ctx *ctx = sc->ctx;
    char *key;
    gstr err;
    int rc;

    gstr_init(&err, ctx->arena);
    ctx->nnums = 0;
    rc = expand_string(ctx, rule->key, &key, &err);
    if (rc == EXPAND_FAIL)
        return 0;
    if (rc != EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "failed to expand \"%s\" while checking %s: %s", rule->key,
                  sc->flag & RW_SMTP ? "for SMTP rewriting" : "a list",
                  gstr_str(&err));
        return 0;
    }
    rc = sc->flag & RW_SMTP ? rewrite_match_regex(ctx, key, sc->subject, &err)
                            : rewrite_match(ctx, key, sc->subject, &err);
    if (rc < 0)
        log_write(LOG_MAIN | LOG_PANIC, "rewrite rule at %s:%d: %s",
                  rule->file ? rule->file : "?", rule->line, gstr_str(&err));
    return rc > 0;
}

/* Expands the replacement with $local_part and $domain set (not for
 * S rules), putting back what they were. */
static int
expand_replacement(struct scan *sc, const struct rewrite_rule *rule, char **out,
                   gstr *err)
{
    struct expand_ctx *ctx = sc->ctx;
    const char *old_lp = expand_get_var(ctx, "local_part");
    const char *old_dom = expand_get_var(ctx, "domain");
    const char *at = strrchr(sc->subject, '@');
    int rc;

    if (!(sc->flag & RW_SMTP) && at != NULL) {
        (void)expand_set_var(
            ctx, "local_part",
            arena_strndup(ctx->arena, sc->subject, (size_t)(at - sc->subject)));
        (void)expand_set_var(ctx, "domain", at + 1);
    }
    rc = expand_string(ctx, rule->replacement, out, err);
    if (!(sc->flag & RW_SMTP) && at != NULL) {
        (void)expand_set_var(ctx, "local_part", old_lp);
        (void)expand_set_var(ctx, "domain", old_dom);
    }
    return rc;
}

/* s past white space and comments. */
static const char *
after_comments(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (*s != '(')
            return s;
        for (int depth = 0; *s != '\0';) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            else if (*s == '(')
                depth++;
            else if (*s == ')' && --depth == 0) {
                s++;
                break;
            }
            s++;
        }
    }
}

static int
may_be_null(unsigned flag)
{
    return flag == RW_ENVFROM || flag == (RW_SMTP | RW_SMTP_SENDER);
}

/* Checks what the replacement gave: *parsed is its address, *start
 * and *end where that is in *new (which Q may change). 0, or -1 when
 * the scan ends (logged). */
static int
check_result(struct scan *sc, const struct rewrite_rule *rule, char **new,
             const char **parsed, size_t *start, size_t *end)
{
    struct arena *a = sc->ctx->arena;
    const char *why = NULL;
    int dom = 0;
    char *addr = addr_extract(a, *new, strlen(*new), &dom, &why);

    rewrite_address_span(*new, start, end);
    if (addr != NULL && (*new)[*end] == '>') {
        /* after "<address>" only comments may follow */
        const char *rest = after_comments(*new + *end + 1);
        if (*rest != '\0') {
            why = arena_printf(a, "malformed address: %s may not follow %.*s",
                               rest, (int)(rest - *new), *new);
            addr = NULL;
        }
    }
    if (addr == NULL) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "Rewrite of %s yielded unparseable address: %s in address %s",
                  sc->subject, why, *new);
        return -1;
    }
    if (!dom && (*addr != '\0' || !may_be_null(sc->flag))) {
        if (!(rule->flags & RW_QUALIFY)) {
            log_write(LOG_MAIN | LOG_PANIC,
                      "Rewrite of %s yielded unqualified address \"%s\"",
                      sc->subject, *new);
            return -1;
        }
        addr = arena_printf(a, "%s@%s", addr, main_config.qualify_recipient);
        *new =
            arena_printf(a, "%.*s%s%s", (int)*start, *new, addr, *new + *end);
        *end = *start + strlen(addr);
    }
    *parsed = addr;
    return 0;
}

/* Exim's parse_fix_phrase() for the simple cases: a phrase with a
 * special character and no quotes or comments of its own is quoted as
 * a whole; anything else is kept as written. */
static const char *
fix_phrase(struct arena *a, const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
        s++;
        n--;
    }
    const char *t = arena_strndup(a, s, n);
    if (strpbrk(t, "\"(") != NULL || strpbrk(t, ")<>@,;:\\.[]") == NULL)
        return t;
    for (const char *p = t; *p != '\0'; p++)
        if ((unsigned char)*p > 126 || ((unsigned char)*p < 32 && *p != '\t'))
            return t; /* Exim encodes it (RFC 2047): not done */
    return arena_printf(a, "\"%s\"", t);
}

/* A w rule's "phrase <address> rest": the phrase and the rest made
 * valid as Exim makes them; *start and *end follow the address. */
static char *
fix_whole(struct arena *a, char *new, size_t *start, size_t *end)
{
    size_t p1, p2;
    const char *pf1, *pf2;

    if (*start == 0 || new[*start - 1] != '<' || new[*end] != '>')
        return new;
    p1 = *start - 1;
    while (p1 > 0 && new[p1 - 1] == ' ')
        p1--;
    p2 = *end + 1;
    while (new[p2] == ' ')
        p2++;
    pf1 = fix_phrase(a, new, p1);
    pf2 = fix_phrase(a, new + p2, strlen(new + p2));
    size_t alen = *end - *start;
    *start = strlen(pf1) + (*start - p1);
    *end = *start + alen;
    return arena_printf(a, "%s%.*s%s", pf1, (int)(p2 - p1), new + p1, pf2);
}

/* Takes a checked result as the new state of the scan. */
static void
take_result(struct scan *sc, const struct rewrite_rule *rule, const char *new,
            const char *parsed, size_t start, size_t end)
{
    struct arena *a = sc->ctx->arena;

    if (sc->whole != NULL && (sc->flag & RW_HEADERS)) {
        if (rule->flags & RW_WHOLE) {
            new = fix_whole(a, (char *)new, &start, &end);
            sc->yield = new;
            sc->ystart = start;
            sc->yend = end;
            sc->subject = parsed;
            *sc->whole = 1;
            return;
        }
        if (*sc->whole) {
            /* keep what a w rule put round the address */
            sc->yield = arena_printf(a, "%.*s%s%s", (int)sc->ystart, sc->yield,
                                     parsed, sc->yield + sc->yend);
            sc->yend = sc->ystart + strlen(parsed);
            sc->subject = parsed;
            return;
        }
    }
    sc->yield = sc->subject = parsed;
}

enum step { STEP_NEXT, STEP_DONE, STEP_AGAIN };

/* One application of a rule whose flags fit; number is its place.
 * STEP_AGAIN: it rewrote the address; STEP_NEXT: it did not apply;
 * STEP_DONE: the scan ends. */
static enum step
apply_rule(struct scan *sc, const struct rewrite_rule *rule, int number,
           void (*noted)(void *, const char *), void *arg)
{
    const char *parsed, *before = sc->subject;
    size_t start, end;
    char *new;
    gstr err;
    int rc;

    if (!rule_matches(sc, rule))
        return STEP_NEXT;
    if (!(sc->flag & RW_SMTP) && strcmp(rule->replacement, "*") == 0)
        return STEP_DONE;
    gstr_init(&err, sc->ctx->arena);
    rc = expand_replacement(sc, rule, &new, &err);
    if (rc == EXPAND_FAIL)
        return rule->flags & RW_QUIT ? STEP_DONE : STEP_NEXT;
    if (rc != EXPAND_OK) {
        log_write(LOG_MAIN | LOG_PANIC,
                  "Expansion of %s failed while rewriting: %s",
                  rule->replacement, gstr_str(&err));
        return STEP_DONE;
    }
    if (check_result(sc, rule, &new, &parsed, &start, &end) < 0)
        return STEP_DONE;
    log_write(LOG_MAIN | LOG_SEL(LS_address_rewrite),
              "\"%s\" from %s rewritten as \"%s\" by rule %d", sc->yield,
              where_name(sc->flag), new, number);
    if (noted != NULL)
        noted(arg, before);
    take_result(sc, rule, new, parsed, start, end);
    return STEP_AGAIN;
}

const char *
rewrite_one_noted(struct expand_ctx *ctx, const struct rewrite_rules *rr,
                  const char *s, unsigned flag, int *whole,
                  void (*noted)(void *arg, const char *old), void *arg)
{
    struct scan sc = {ctx, flag, s, s, 0, 0, whole};
    const char *save_nums[10];
    int save_nnums = ctx->nnums, number = 0;

    memcpy(save_nums, ctx->nums, sizeof(save_nums));
    if (whole != NULL)
        *whole = 0;
    for (const struct rewrite_rule *rule = rr->first; rule != NULL;
         rule = rule->next) {
        enum step st;
        int count = 0, changed = 0;

        number++;
        if (!(rule->flags & flag))
            continue;
        while ((st = apply_rule(&sc, rule, number, noted, arg)) == STEP_AGAIN) {
            changed = 1;
            if (!(rule->flags & RW_REPEAT))
                break;
            if (count++ >= REPEAT_MAX) {
                log_write(LOG_MAIN | LOG_PANIC,
                          "rewrite rule repeat ignored after 10 times");
                break;
            }
        }
        /* q ends the scan after a rewrite, even when a repeat of the
         * rule then did not match */
        if (st == STEP_DONE || (changed && (rule->flags & RW_QUIT)))
            break;
    }
    memcpy(ctx->nums, save_nums, sizeof(save_nums));
    ctx->nnums = save_nnums;
    return sc.yield;
}

const char *
rewrite_one(struct expand_ctx *ctx, const struct rewrite_rules *rr,
            const char *s, unsigned flag, int *whole)
{
    return rewrite_one_noted(ctx, rr, s, flag, whole, NULL, NULL);
}
