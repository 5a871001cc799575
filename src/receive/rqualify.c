/*++
 * NAME
 *	rqualify 3
 * SUMMARY
 *	addresses in a message's headers: qualified and rewritten
 * SYNOPSIS
 *	#include "receive/receive_int.h"
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
 *	applied. How an address is found and replaced in the header, and
 *	when the header is folded: rewrite_header_text()
 *	(src/rewrite/header.c).
 *
 *	As in Exim, a header that changes is kept, marked deleted, and
 *	its new version follows it.
 *
 *	It runs after -t has taken the recipients, as Exim documents, on
 *	every message (so a header address that does not parse is logged
 *	for SMTP messages too, as Exim logs it).
 * DIAGNOSTICS
 *	What does not parse is left alone, and logged as Exim logs it:
 *	"qualify/rewrite: <parse error>".
 *--*/

#include "conf/mainopts.h"
#include "expand/expand.h"
#include "receive/receive_int.h"
#include "rewrite/rewrite.h"

void
receive_qualify_headers(struct receive *r)
{
    const struct rewrite_rules *rr = rewrite_global();
    struct expand_ctx local;

    /* Without rules for a header only the message's arena is used (the
     * context's may be the connection's) */
    expand_ctx_init(&local, r->a);
    for (struct spool_header *h = r->m.headers; h != NULL; h = h->next) {
        unsigned flag = rewrite_header_flag(h->type);
        int rules = r->p.ctx != NULL && (rr->existflags & flag);
        const char *text, *domain = NULL;

        if (flag == 0)
            continue;
        if (r->p.allow_unqualified)
            domain = flag & (RW_SENDER | RW_FROM | RW_REPLYTO)
                         ? main_config.qualify_domain
                         : main_config.qualify_recipient;
        text = rewrite_header_text(rules ? r->p.ctx : &local, rules ? rr : NULL,
                                   h->text, h->len, flag, domain);
        if (text == NULL)
            continue;
        receive_header_insert_after(r, h, h->type, text);
        h->type = '*';
        h = h->next; /* the new one needs nothing more */
    }
}
