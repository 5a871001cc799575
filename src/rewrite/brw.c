/*++
 * NAME
 *	brw 3
 * SUMMARY
 *	-brw: testing the rewrite rules
 * SYNOPSIS
 *	#include "rewrite/rewrite.h"
 *
 *	void	rewrite_test(struct expand_ctx *ctx,
 *				const struct rewrite_rules *rr,
 *				const char *address)
 * DESCRIPTION
 *	Prints, as Exim's -brw does, what the rules make of address in
 *	each place it may appear: first "    SMTP: new" when an S rule
 *	changed it, then (when there are rules other than S ones) one line
 *	for each header and envelope field, names right-aligned to eight
 *	columns: "  sender:", "    from:", "      to:", "      cc:",
 *	"     bcc:", "reply-to:", "env-from:", "  env-to:". A header line
 *	shows the address in the text as given (a phrase and <> kept)
 *	unless a w rule replaced the whole; an envelope line shows the
 *	address alone, <> for the empty one. An address without "@" is
 *	qualified with qualify_recipient first.
 *
 *	Without any rule it prints "No rewrite rules are defined".
 * DIAGNOSTICS
 *	"Syntax error in ADDRESS" and the parser's reason, capitalised,
 *	when the address does not parse (and no S rule changed it).
 *--*/

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "receive/addr.h"
#include "rewrite/rewrite.h"

static void
print_smtp(struct expand_ctx *ctx, const struct rewrite_rules *rr,
           const char *s, int *done)
{
    const char *new = rewrite_one(ctx, rr, s, RW_SMTP | RW_SMTP_SENDER, NULL);

    if (new == s)
        return;
    printf("    SMTP: %s\n", *new == '\0' ? "<>" : new);
    *done = 1;
}

void
rewrite_test(struct expand_ctx *ctx, const struct rewrite_rules *rr,
             const char *s)
{
    static const char *const names[] = {
        "  sender", "    from", "      to", "      cc",
        "     bcc", "reply-to", "env-from", "  env-to",
    };
    const char *why = NULL, *addr;
    size_t start, end;
    int dom, done_smtp = 0;

    if (rr->existflags == 0) {
        printf("No rewrite rules are defined\n");
        return;
    }
    if (rr->existflags & RW_SMTP)
        print_smtp(ctx, rr, s, &done_smtp);
    if ((rr->existflags & ~(unsigned)RW_SMTP) == 0)
        return;
    if (strchr(s, '@') == NULL)
        s = arena_printf(ctx->arena, "%s@%s", s, main_config.qualify_recipient);
    addr = addr_extract(ctx->arena, s, strlen(s), &dom, &why);
    if (addr == NULL) {
        if (!done_smtp)
            printf("Syntax error in %s\n%c%s\n", s,
                   toupper((unsigned char)*why), why + 1);
        return;
    }
    rewrite_address_span(s, &start, &end);
    for (unsigned i = 0; i < 8; i++) {
        unsigned flag = 1u << i;
        int whole = 0;
        const char *new = rewrite_one(ctx, rr, addr, flag, &whole);

        printf("%s: ", names[i]);
        if (*new == '\0')
            printf("<>\n");
        else if (whole || !(flag & RW_HEADERS))
            printf("%s\n", new);
        else
            printf("%.*s%s%s\n", (int)start, s, new, s + end);
    }
}
