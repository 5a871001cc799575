/*++
 * NAME
 *	rqualify 3
 * SUMMARY
 *	unqualified addresses in a local message's headers
 * SYNOPSIS
 *	#include "receive/receive_int.h"
 *
 *	void	receive_qualify_headers(struct receive *r)
 * DESCRIPTION
 *	receive_qualify_headers() does what Exim's header rewriting does
 *	when there are no rewrite rules: in a message that may carry
 *	unqualified addresses (a local one), every address without a
 *	domain in Sender:, From:, Reply-To: (qualify_domain) and To:, Cc:,
 *	Bcc: (qualify_recipient) gets "@domain". As in Exim, a header that
 *	changes is kept, marked deleted, and its new version follows it;
 *	when an address grows and the new line is already more than 40
 *	characters long, the header is folded after it.
 *
 *	An address is replaced where it stands: a bare one, or the part
 *	inside "<>". One written with comments or quoted parts around it
 *	is left as it is.
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

/* The header with each unqualified address qualified; NULL if none. */
static const char *
qualified_text(struct receive *r, const struct spool_header *h,
               const char *domain)
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
        const char *e = addr_find_end(s), *as, *ae, *why = NULL, *next;
        int dom = 1;
        char *a = addr_extract(r->a, s, (size_t)(e - s), &dom, &why);

        if (a == NULL) /* as Exim, which leaves it as it is */
            log_write(LOG_MAIN, "qualify/rewrite: %s", why);
        next = *e != '\0' && e < end ? e + 1 : end;
        while (next < end && isspace((unsigned char)*next))
            next++;
        if (a != NULL && *a != '\0' && !dom && address_span(s, e, &as, &ae)) {
            gstr_addn(&out, done, (size_t)(as - done));
            gstr_adds(&out, addr_qualify(r->a, a, domain));
            gstr_addn(&out, ae, (size_t)(next - ae));
            done = next;
            changed = 1;
            /* Exim folds after an address that grew once the line is
             * long, unless a newline is already there */
            const char *p = next - 1;
            while (p > text && (*p == ' ' || *p == '\t'))
                p--;
            if (out.len - lastnl > 40 && *p != '\n') {
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

void
receive_qualify_headers(struct receive *r)
{
    if (!r->p.allow_unqualified)
        return;
    for (struct spool_header *h = r->m.headers; h != NULL; h = h->next) {
        const char *domain, *text;

        switch (h->type) {
        case 'S':
        case 'F':
        case 'R':
            domain = main_config.qualify_domain;
            break;
        case 'T':
        case 'C':
        case 'B':
            domain = main_config.qualify_recipient;
            break;
        default:
            continue;
        }
        if (domain == NULL || (text = qualified_text(r, h, domain)) == NULL)
            continue;
        receive_header_insert_after(r, h, h->type, text);
        h->type = '*';
        h = h->next; /* the new one needs nothing more */
    }
}
