/*++
 * NAME
 *	addr 3
 * SUMMARY
 *	addresses in header lines and arguments
 * SYNOPSIS
 *	#include "receive/addr.h"
 *
 *	const char *addr_find_end(const char *s)
 *	char	*addr_extract(struct arena *a, const char *s, size_t n,
 *			int *has_domain, const char **why)
 *	char	*addr_qualify(struct arena *a, const char *addr,
 *			const char *domain)
 * DESCRIPTION
 *	What reception needs of RFC 5322 address syntax: splitting a To:,
 *	Cc: or Bcc: value (or a command-line argument) into mailboxes,
 *	and the address inside each. Group syntax ("list: a, b;") is
 *	allowed, as Exim allows it for -t; an empty group gives no
 *	address. Quoted strings and comments may hold anything.
 *
 *	addr_extract() takes what is between < and > when there is one,
 *	else the text with comments and unquoted white space removed, and
 *	checks that what is left looks like local-part[@domain].
 * DIAGNOSTICS
 *	addr_extract() returns NULL and sets *why ("missing or malformed
 *	local part", "'>' missing at end of address", "malformed address:
 *	...") for what is not an address.
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "receive/addr.h"

const char *
addr_find_end(const char *s)
{
    int inq = 0, depth = 0, angle = 0;

    for (; *s != '\0'; s++) {
        char c = *s;
        if (inq) {
            if (c == '\\' && s[1] != '\0')
                s++;
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (c == '\\' && s[1] != '\0')
            s++;
        else if (c == '"')
            inq = 1;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (c == '<' && depth == 0)
            angle = 1;
        else if (c == '>' && depth == 0)
            angle = 0;
        else if ((c == ',' || c == ';') && depth == 0 && !angle)
            break;
    }
    return s;
}

/* Skips a group's "display-name:" at the start of s (outside quotes,
 * comments and <>), returning where the mailbox starts. */
static const char *
skip_group_name(const char *s, const char *end)
{
    int inq = 0, depth = 0;

    for (const char *p = s; p < end; p++) {
        if (inq) {
            if (*p == '\\' && p + 1 < end)
                p++;
            else if (*p == '"')
                inq = 0;
            continue;
        }
        if (*p == '"')
            inq = 1;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        else if (*p == '<' && depth == 0)
            return s;
        else if (*p == ':' && depth == 0)
            return p + 1;
    }
    return s;
}

/* The text without comments and unquoted white space. Returns the
 * offset in g where white space separated two words ("a b@c"), which
 * makes the address malformed, or -1. */
static long
strip_comments(struct gstr *g, const char *s, size_t n)
{
    int inq = 0, depth = 0, gap = 0;
    long split = -1;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (inq) {
            /* A fold inside quotes is unfolded (RFC 5322 2.2.3): CR and
             * LF never reach the address, and with it the spool. */
            if (c == '\r' || c == '\n')
                continue;
            if (c == '\\' && i + 1 < n &&
                (s[i + 1] == '\r' || s[i + 1] == '\n'))
                continue;
            gstr_addc(g, c);
            if (c == '\\' && i + 1 < n)
                gstr_addc(g, s[++i]);
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (c == '(' || (depth > 0 && c == ')')) {
            depth += c == '(' ? 1 : -1;
            gap = 1;
            continue;
        }
        if (depth > 0)
            continue;
        if (isspace((unsigned char)c)) {
            gap = 1;
            continue;
        }
        if (gap && g->len > 0 && split < 0 &&
            strchr("@.", g->s[g->len - 1]) == NULL && strchr("@.", c) == NULL)
            split = (long)g->len;
        gap = 0;
        if (c == '"')
            inq = 1;
        gstr_addc(g, c);
    }
    return split;
}

static int
addr_syntax_ok(const char *a)
{
    int inq = 0;
    const char *at = NULL;

    if (*a == '@' || *a == '.')
        return 0;
    for (const char *p = a; *p != '\0'; p++) {
        if (inq) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            else if (*p == '"')
                inq = 0;
            continue;
        }
        if (*p == '"')
            inq = 1;
        else if (*p == '@')
            at = p;
        else if (strchr("<>(),;:[]\\", *p) != NULL && at == NULL)
            return 0;
        else if ((unsigned char)*p < 0x21 || *p == 0x7f)
            return 0;
    }
    return !inq && (at == NULL || at[1] != '\0');
}

char *
addr_extract(struct arena *a, const char *s, size_t n, int *has_domain,
             const char **why)
{
    const char *end = s + n, *lt = NULL, *gt = NULL;
    int inq = 0, depth = 0;
    gstr g;

    *has_domain = 0;
    s = skip_group_name(s, end);
    for (const char *p = s; p < end; p++) {
        if (inq) {
            if (*p == '\\' && p + 1 < end)
                p++;
            else if (*p == '"')
                inq = 0;
            continue;
        }
        if (*p == '"')
            inq = 1;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        else if (*p == '<' && depth == 0 && lt == NULL)
            lt = p;
        else if (*p == '>' && depth == 0 && lt != NULL && gt == NULL)
            gt = p;
    }
    if (lt != NULL) {
        if (gt == NULL) {
            /* Exim's words: the domain ran to the end, or no "@" came */
            const char *w = lt + 1;
            size_t wn;
            while (w < end && isspace((unsigned char)*w))
                w++;
            wn = strcspn(w, " \t@<>()\",;:");
            if (wn > (size_t)(end - w))
                wn = (size_t)(end - w);
            if (memchr(w, '@', (size_t)(end - w)) != NULL)
                *why = "'>' missing at end of address";
            else
                *why = arena_printf(a, "\"@\" or \".\" expected after \"%.*s\"",
                                    (int)wn, w);
            return NULL;
        }
        s = lt + 1;
        end = gt;
        if (s < end && *s == '@') { /* source route */
            const char *colon = memchr(s, ':', (size_t)(end - s));
            if (colon != NULL)
                s = colon + 1;
        }
    }
    gstr_init(&g, a);
    long split = strip_comments(&g, s, (size_t)(end - s));
    gstr_str(&g);
    if (g.len == 0)
        return g.s; /* an empty address, e.g. an empty group */
    if (split >= 0) {
        *why = arena_printf(a, "malformed address: %s may not follow %.*s",
                            g.s + split, (int)split, g.s);
        return NULL;
    }
    if (!addr_syntax_ok(g.s)) {
        *why = arena_printf(a, "malformed address: %s may not follow %.*s",
                            g.s + strcspn(g.s, "<>(),;:[]\\ "),
                            (int)strcspn(g.s, "<>(),;:[]\\ "), g.s);
        if (g.s[strcspn(g.s, "<>(),;:[]\\ ")] == '\0' || g.s[0] == '@')
            *why = "missing or malformed local part";
        return NULL;
    }
    *has_domain = strchr(g.s, '@') != NULL;
    return g.s;
}

char *
addr_qualify(struct arena *a, const char *addr, const char *domain)
{
    if (*addr == '\0' || strchr(addr, '@') != NULL || domain == NULL)
        return arena_strdup(a, addr);
    return arena_printf(a, "%s@%s", addr, domain);
}
