/*++
 * NAME
 *	match_trace 3
 * SUMMARY
 *	host list matching with Exim's -bh trace
 * SYNOPSIS
 *	#include "expand/match.h"
 *
 *	extern int match_trace;
 *
 *	int	match_host_traced(struct expand_ctx *ctx, const char *ip,
 *				const char *name, const char *list,
 *				const char *option, gstr *err)
 *	int	match_list_traced(struct expand_ctx *ctx, int kind,
 *				const char *subject, const char *list,
 *				gstr *err)
 *	int	match_list_traced_named(struct expand_ctx *ctx, int kind,
 *				const char *subject, const char *list,
 *				const char *option, gstr *err)
 * DESCRIPTION
 *	match_host_traced() is match_host() for callers that know what
 *	list they check. When match_trace is set (-bh), it writes to
 *	standard error the ">>> " lines Exim's match_check_list() writes
 *	in host-checking mode:
 * .IP "host in OPTION? no (option unset)"
 *	for an unset option (option is its name; an option set to an
 *	empty list gives "host in OPTION?" and "host in OPTION? no (end of
 *	list)");
 * .IP "host in OPTION?" or "host in \"LIST\"?"
 *	then " list element: ITEM" for each item tried, and
 *	" host in ...? yes (matched \"ITEM\")" (or "no" for a negated
 *	item) when one matches, or "host in ...? no (end of list)" ("yes"
 *	when the last item was negated) when none does.
 * .PP
 *	match_list_traced() does the same for a domain ('d'), address
 *	('a') or local part ('l') list, labelled "SUBJECT in \"LIST\"?";
 *	match_list_traced_named() for a main option's list, labelled
 *	"SUBJECT in OPTION?".
 *
 *	Items are tried one by one with match_host(), which gives the
 *	list's answer: the first item that matches decides. Named lists
 *	("+name") are tried as one item; their own items are not traced.
 *	Non-printing bytes are escaped.
 * DIAGNOSTICS
 *	As match_host(): MATCH_DEFER or MATCH_ERROR with err set; the
 *	trace stops there.
 *--*/

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"

int match_trace;

/* What one item (a list of one) gives for the subject. */
struct one_match {
    struct expand_ctx *ctx;
    const char *ip, *name; /* hosts */
    const char *subject;   /* the others */
    int kind;              /* 'h', 'd', 'a', 'l' */
};

static int
match_one(const struct one_match *m, const char *list, gstr *err)
{
    switch (m->kind) {
    case 'h':
        return match_host(m->ctx, m->ip, m->name, list, err);
    case 'd':
        return match_domain(m->ctx, m->subject, list, err);
    case 'a':
        return match_address(m->ctx, m->subject, list, err);
    default:
        return match_local_part(m->ctx, m->subject, list, 0, err);
    }
}

/* The list tried item by item, each step traced; the first item that
 * matches decides, as in the whole-list match. */
static int
traced(const struct one_match *m, const char *list, const char *label,
       gstr *err)
{
    struct list_iter it;
    char *item;
    int last_negated = 0;

    log_trace("%s", label);
    list_iter_init(&it, list, ':');
    while ((item = list_next(&it, m->ctx->arena)) != NULL) {
        int negated = item[0] == '!';
        const char *bare = item + negated;
        gstr one;
        int r;

        log_trace(" list element: %s", item);
        while (*bare == ' ' || *bare == '\t')
            bare++;
        gstr_init(&one, m->ctx->arena);
        list_append(&one, ':', bare);
        r = match_one(m, *bare == '\0' ? "" : gstr_str(&one), err);
        if (r == MATCH_OK) {
            log_trace(" %s %s (matched \"%s\")", label, negated ? "no" : "yes",
                      item);
            return negated ? MATCH_FAIL : MATCH_OK;
        }
        if (r != MATCH_FAIL)
            return r;
        last_negated = negated;
    }
    log_trace("%s %s (end of list)", label, last_negated ? "yes" : "no");
    return last_negated ? MATCH_OK : MATCH_FAIL;
}

static char *
list_label(struct arena *a, const char *subject, const char *list)
{
    return arena_printf(a, "%s in \"%.2048s%s\"?", subject, list,
                        strlen(list) > 2048 ? "..." : "");
}

int
match_host_traced(struct expand_ctx *ctx, const char *ip, const char *name,
                  const char *list, const char *option, gstr *err)
{
    struct one_match m = {ctx, ip, name, NULL, 'h'};

    if (!match_trace)
        return list == NULL ? MATCH_FAIL : match_host(ctx, ip, name, list, err);
    /* As Exim: unset is one line, set but empty two (no items). */
    if (list == NULL || (*list == '\0' && option == NULL)) {
        if (option != NULL)
            log_trace("host in %s? no (option unset)", option);
        return MATCH_FAIL;
    }
    return traced(&m, list,
                  option != NULL
                      ? arena_printf(ctx->arena, "host in %s?", option)
                      : list_label(ctx->arena, "host", list),
                  err);
}

int
match_list_traced_named(struct expand_ctx *ctx, int kind, const char *subject,
                        const char *list, const char *option, gstr *err)
{
    struct one_match m = {ctx, NULL, NULL, subject, kind};

    if (!match_trace)
        return list == NULL ? MATCH_FAIL : match_one(&m, list, err);
    if (list == NULL) {
        log_trace("%s in %s? no (option unset)", subject, option);
        return MATCH_FAIL;
    }
    return traced(&m, list,
                  arena_printf(ctx->arena, "%s in %s?", subject, option), err);
}

int
match_list_traced(struct expand_ctx *ctx, int kind, const char *subject,
                  const char *list, gstr *err)
{
    struct one_match m = {ctx, NULL, NULL, subject, kind};

    if (!match_trace)
        return match_one(&m, list, err);
    return traced(&m, list, list_label(ctx->arena, subject, list), err);
}
