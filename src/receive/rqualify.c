/*++
 * NAME
 *	rqualify 3
 * SUMMARY
 *	addresses in a message's headers: qualified and rewritten
 * SYNOPSIS
 *	#include "receive/receive_int.h"
#include "rewrite/rewrite.h"
 *
 *	void	receive_qualify_headers(struct receive *r)
 * DESCRIPTION
 *	receive_qualify_headers() does what Exim's header rewriting does
 *	at reception, for each address in Sender:, From:, Reply-To:, To:,
 *	Cc: and Bcc: (and their Resent- forms):
 *
 *	In a message that may carry unqualified addresses (a local one),
 *	an address without a domain gets "@qualify_domain" (Sender:,
 *	From:, Reply-To:) or "@qualify_recipient" (To:, Cc:, Bcc:). In
 *	other messages such an address is left alone, and not rewritten.
 *
 *	Then the rewrite rules for that header (flags s f r t c b, h) are
 *	applied (src/rewrite/): the address is replaced where it stands,
 *	or with a w rule, the whole item (phrase and comments included).
 *
 *	As in Exim, a header that changes is kept, marked deleted, and
 *	its new version follows it; when an address grows and the new
 *	line is already more than 40 characters long, the header is
 *	folded after it.
 *
 *	An address is replaced where it stands: a bare one, or the part
 *	inside "<>". One written with comments or quoted parts around it
 *	and no "<>" is left as it is (not qualified, not rewritten).
 *
 *	It runs after -t has taken the recipients, as Exim documents.
 * DIAGNOSTICS
 *	What does not parse is left alone, and logged as Exim logs it:
 *	"qualify/rewrite: <parse error>".
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "log/log.h"
#include "receive/addr.h"
#include "receive/receive_int.h"
#include "rewrite/rewrite.h"

/* Where the address of the item s..e is: inside <>, or the item itself
 * when it is one plain word. 0 when it cannot be placed. */
static int
address_span(const char *s, const char *e, const char **as, const char **ae)
{
    const char *lt = memchr(s, '<', (size_t)(e - s));

    if (lt != NULL) {
        const char *gt = memchr(lt, '>', (size_t)(e - lt));
        if (gt == NULL)
            return 0;
        *as = lt + 1;
        *ae = gt;
        return 1;
    }
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    for (const char *p = s; p < e; p++)
        if (isspace((unsigned char)*p) || strchr("()\":;", *p) != NULL)
            return 0;
    *as = s;
    *ae = e;
    return e > s;
}

/* What the header's addresses are, for the rules and for qualifying. */
struct hdr_kind {
    unsigned flag;
    const char *domain; /* NULL: unqualified addresses stay as they are */
};

/* The address a after qualification and rewriting; a itself if neither
 * changed it, NULL if it is to be left alone. *whole: the result is the
 * whole item (a w rule). */
static const char *
new_address(struct receive *r, const struct hdr_kind *k, const char *a, int dom,
            int *whole)
{
    const struct rewrite_rules *rr = rewrite_global();
    const char *q = a;

    *whole = 0;
    if (!dom && *a != '\0') {
        if (k->domain == NULL)
            return NULL;
        q = addr_qualify(r->a, a, k->domain);
    }
    if ((rr->existflags & k->flag) && r->p.ctx != NULL && *q != '\0')
        q = rewrite_one(r->p.ctx, rr, q, k->flag, whole);
    return q;
}

/* The header with its addresses qualified and rewritten; NULL if none
 * changed. */
static const char *
qualified_text(struct receive *r, const struct spool_header *h,
               const struct hdr_kind *k)
{
    const char *text = h->text, *end = h->text + h->len;
    const char *colon = memchr(text, ':', h->len), *s, *done;
    size_t lastnl = 0;
    int changed = 0;
    gstr out;

    if (colon == NULL)
        return NULL;
    gstr_init(&out, r->a);
    s = colon + 1;
    while (s < end && isspace((unsigned char)*s))
        s++;
    done = text;
    while (s < end) {
        const char *e = addr_find_end(s), *as, *ae, *why = NULL, *next, *n;
        int dom = 1, whole = 0;
        char *a = addr_extract(r->a, s, (size_t)(e - s), &dom, &why);

        if (a == NULL) /* as Exim, which leaves it as it is */
            log_write(LOG_MAIN, "qualify/rewrite: %s", why);
        next = *e != '\0' && e < end ? e + 1 : end;
        while (next < end && isspace((unsigned char)*next))
            next++;
        if (a != NULL && *a != '\0' &&
            (n = new_address(r, k, a, dom, &whole)) != NULL && n != a &&
            address_span(s, e, &as, &ae)) {
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

static int
header_kind(const struct receive *r, char type, struct hdr_kind *k)
{
    static const char types[] = "SFRTCB";
    static const unsigned flags[] = {RW_SENDER, RW_FROM, RW_REPLYTO,
                                     RW_TO,     RW_CC,   RW_BCC};
    const char *at = strchr(types, type);

    if (type == '\0' || at == NULL)
        return 0;
    k->flag = flags[at - types];
    k->domain = !r->p.allow_unqualified ? NULL
                : at - types < 3        ? main_config.qualify_domain
                                        : main_config.qualify_recipient;
    return 1;
}

void
receive_qualify_headers(struct receive *r)
{
    const struct rewrite_rules *rr = rewrite_global();

    if (!r->p.allow_unqualified && !(rr->existflags & RW_HEADERS))
        return;
    for (struct spool_header *h = r->m.headers; h != NULL; h = h->next) {
        struct hdr_kind k;
        const char *text;

        if (!header_kind(r, h->type, &k) ||
            (text = qualified_text(r, h, &k)) == NULL)
            continue;
        receive_header_insert_after(r, h, h->type, text);
        h->type = '*';
        h = h->next; /* the new one needs nothing more */
    }
}
