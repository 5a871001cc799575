/*++
 * NAME
 *	header 3
 * SUMMARY
 *	qualifying and rewriting the addresses of one header line
 * SYNOPSIS
 *	#include "rewrite/rewrite.h"
 *
 *	unsigned rewrite_header_flag(char type)
 *	int	rewrite_address_place(const char *s, const char *e,
 *				const char **as, const char **ae)
 *	const char *rewrite_header_text(struct expand_ctx *ctx,
 *				const struct rewrite_rules *rr,
 *				const char *text, size_t len, unsigned flag,
 *				const char *qualify)
 * DESCRIPTION
 *	rewrite_header_flag() maps a spool header type to the rule flag
 *	of its header: S Sender:, F From:, R Reply-To:, T To:, C Cc:, B
 *	Bcc: (Resent- forms included); 0 for any other.
 *
 *	rewrite_address_place() finds the address of the mailbox s..e:
 *	inside "<>", or the addr-spec between the comments and white space
 *	round it, as Exim places it; 0 when it cannot be placed.
 *
 *	rewrite_header_text() goes through the addresses of a header as
 *	Exim's header rewriting does. An address without a domain gets
 *	"@qualify" when qualify is not NULL; otherwise it is left alone,
 *	and not rewritten. Then the rules rr that have flag apply (rr may
 *	be NULL). The address is replaced where it stands: the part
 *	inside "<>", or the addr-spec between the comments round it
 *	("alice@host (Alice)"); a local part with white space or
 *	comments inside it is left as it is. A w rule replaces the whole item,
 *	up to its separator. When an address grows and the new line is
 *	already more than 40 characters long, the header is folded after
 *	it, unless a newline is there already.
 *
 *	It returns the new text (in ctx's arena), or NULL when nothing
 *	changed.
 * DIAGNOSTICS
 *	What does not parse is left alone, and logged as Exim logs it:
 *	"qualify/rewrite: <parse error>".
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/addr.h"
#include "rewrite/rewrite.h"

unsigned
rewrite_header_flag(char type)
{
    static const char types[] = "SFRTCB";
    static const unsigned flags[] = {RW_SENDER, RW_FROM, RW_REPLYTO,
                                     RW_TO,     RW_CC,   RW_BCC};
    const char *at = type != '\0' ? strchr(types, type) : NULL;

    return at == NULL ? 0 : flags[at - types];
}

/* Past white space and comments, from s up to e. */
static const char *
skip_cfws(const char *s, const char *e)
{
    while (s < e) {
        if (isspace((unsigned char)*s)) {
            s++;
            continue;
        }
        if (*s != '(')
            break;
        int depth = 0;
        do {
            if (*s == '\\' && s + 1 < e)
                s++;
            else if (*s == '(')
                depth++;
            else if (*s == ')')
                depth--;
            s++;
        } while (s < e && depth > 0);
    }
    return s;
}

int
rewrite_address_place(const char *s, const char *e, const char **as,
                      const char **ae)
{
    const char *lt = memchr(s, '<', (size_t)(e - s)), *p;
    int inq = 0;

    if (lt != NULL) {
        const char *gt = memchr(lt, '>', (size_t)(e - lt));
        if (gt == NULL)
            return 0;
        *as = lt + 1;
        *ae = gt;
        return 1;
    }
    s = skip_cfws(s, e);
    for (p = s; p < e; p++) {
        if (inq) {
            if (*p == '\\' && p + 1 < e)
                p++;
            else if (*p == '"')
                inq = 0;
        } else if (*p == '"')
            inq = 1;
        else if (isspace((unsigned char)*p) || *p == '(')
            break;
        else if (strchr(")\\:;", *p) != NULL)
            return 0;
    }
    if (inq || skip_cfws(p, e) != e)
        return 0;
    *as = s;
    *ae = p;
    return p > s;
}

/* The address a after qualification and rewriting; a itself if neither
 * changed it, NULL if it is to be left alone. */
static const char *
new_address(struct expand_ctx *ctx, const struct rewrite_rules *rr,
            const char *a, int dom, unsigned flag, const char *qualify,
            int *whole)
{
    const char *q = a;

    *whole = 0;
    if (!dom) {
        if (qualify == NULL)
            return NULL;
        q = addr_qualify(ctx->arena, a, qualify);
    }
    if (rr != NULL && (rr->existflags & flag))
        q = rewrite_one(ctx, rr, q, flag, whole);
    return q;
}

const char *
rewrite_header_text(struct expand_ctx *ctx, const struct rewrite_rules *rr,
                    const char *text, size_t len, unsigned flag,
                    const char *qualify)
{
    const char *end = text + len, *colon = memchr(text, ':', len), *s, *done;
    size_t lastnl = 0;
    int changed = 0;
    gstr out;

    if (colon == NULL)
        return NULL;
    gstr_init(&out, ctx->arena);
    s = colon + 1;
    while (s < end && isspace((unsigned char)*s))
        s++;
    done = text;
    while (s < end) {
        const char *e = addr_find_end(s), *as, *ae, *why = NULL, *next, *n;
        int dom = 1, whole = 0;
        char *a = addr_extract(ctx->arena, s, (size_t)(e - s), &dom, &why);

        if (a == NULL) /* as Exim, which leaves it as it is */
            log_write(LOG_MAIN, "qualify/rewrite: %s", why);
        next = *e != '\0' && e < end ? e + 1 : end;
        while (next < end && isspace((unsigned char)*next))
            next++;
        if (a != NULL && *a != '\0' &&
            (n = new_address(ctx, rr, a, dom, flag, qualify, &whole)) != NULL &&
            n != a && rewrite_address_place(s, e, &as, &ae)) {
            if (whole) { /* the item, up to its separator, less a newline */
                as = s;
                ae = e < end ? e : end;
                if (ae > as && ae[-1] == '\n')
                    ae--;
            }
            gstr_addn(&out, done, (size_t)(as - done));
            gstr_adds(&out, n);
            gstr_addn(&out, ae, (size_t)(next - ae));
            done = next;
            changed = 1;
            /* Exim folds after an address that grew once the line is
             * long, unless a newline is already there */
            const char *p = next - 1;
            while (p > text && (*p == ' ' || *p == '\t'))
                p--;
            if (strlen(n) > (size_t)(ae - as) && out.len - lastnl > 40 &&
                *p != '\n') {
                lastnl = out.len;
                gstr_adds(&out, "\n\t");
            }
        }
        s = next;
    }
    if (!changed)
        return NULL;
    gstr_addn(&out, done, (size_t)(end - done));
    return gstr_str(&out);
}
