/*++
 * NAME
 *	acl_hdrcheck 3
 * SUMMARY
 *	verify = header_syntax and verify = not_blind
 * SYNOPSIS
 *	#include "acl/acl_int.h"
 *
 *	int	acl_verify_headers(struct acl_call *c, const char **msg)
 *	int	acl_verify_not_blind(struct acl_call *c, int case_sensitive)
 * DESCRIPTION
 *	Both read the message's headers from the expansion context.
 *	The address headers (From, Sender, Reply-To, To, Cc, Bcc) are
 *	split into addresses at commas outside quotes, comments and angle
 *	brackets, with RFC 5322 group syntax ("name: a, b;") allowed.
 *	Each address is the part in <> if there is one, else the whole
 *	item less its comments; it must be local@domain, with a local
 *	part of atoms or quoted strings and a domain of atoms or a
 *	literal. An address without a domain is allowed only in a message
 *	from a local caller (no $sender_host_address). Empty items are
 *	allowed.
 *
 *	acl_verify_not_blind() requires each envelope recipient (the
 *	context's recipients) to appear in a To: or Cc: header (or
 *	Resent-To:/Resent-Cc:); local parts compare with case as asked,
 *	domains without.
 * DIAGNOSTICS
 *	acl_verify_headers() returns ACL_FAIL with *msg in Exim's form:
 *	'REASON: failing address in "To:" header is: ADDRESS'.
 *--*/

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "acl/acl_int.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "expand/expand.h"

static int
is_atext(int ch)
{
    return isalnum(ch) || (ch != 0 && strchr("!#$%&'*+-/=?^_`{|}~", ch));
}

/* The value of one header, unfolded. */
static char *
header_value(struct arena *a, const struct expand_header *h)
{
    const char *p = h->text + h->name_len, *end = h->text + h->len;
    gstr g;

    while (p < end && *p != ':')
        p++;
    if (p < end)
        p++;
    gstr_init(&g, a);
    for (; p < end; p++)
        if (*p != '\r' && *p != '\n')
            gstr_addc(&g, *p);
    return (char *)gstr_str(&g);
}

static int
name_is(const struct expand_header *h, const char *name)
{
    size_t n = strlen(name);
    return h->name_len == n && strncasecmp(h->text, name, n) == 0;
}

/* The item without comments; quotes kept. */
static char *
strip_comments(struct arena *a, const char *s, size_t n)
{
    gstr g;
    int depth = 0, quoted = 0;

    gstr_init(&g, a);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (quoted) {
            gstr_addc(&g, ch);
            if (ch == '\\' && i + 1 < n)
                gstr_addc(&g, s[++i]);
            else if (ch == '"')
                quoted = 0;
        } else if (depth > 0) {
            if (ch == '\\' && i + 1 < n)
                i++;
            else if (ch == '(')
                depth++;
            else if (ch == ')')
                depth--;
        } else if (ch == '(')
            depth++;
        else {
            if (ch == '"')
                quoted = 1;
            gstr_addc(&g, ch);
        }
    }
    return (char *)gstr_str(&g);
}

static char *
trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Is s words (atoms or quoted strings) joined by dots? */
static int
dotted_words(const char *s, const char *end, int allow_quoted)
{
    int want_word = 1;

    if (s == end)
        return 0;
    while (s < end) {
        if (want_word) {
            if (allow_quoted && *s == '"') {
                for (s++; s < end && *s != '"'; s++)
                    if (*s == '\\')
                        s++;
                if (s >= end)
                    return 0;
                s++;
            } else if (is_atext((unsigned char)*s)) {
                while (s < end && is_atext((unsigned char)*s))
                    s++;
            } else
                return 0;
            want_word = 0;
        } else {
            if (*s != '.')
                return 0;
            s++;
            want_word = 1;
        }
    }
    return !want_word;
}

/* Checks one address; NULL if good, else the reason. */
static const char *
check_addr(struct acl_call *c, const char *spec, int *unqualified)
{
    const char *at = NULL, *end = spec + strlen(spec);
    int quoted = 0;

    *unqualified = 0;
    if (*spec == '@') {
        /* a source route, "@a,@b:local@domain", as Exim reads it: each
         * route domain must be there, then a colon */
        const char *p = spec;
        int commas = 0;
        while (*p == '@') {
            const char *d = p + 1, *e = d;
            while (*e != '\0' && *e != ',' && *e != ':')
                e++;
            if (e == d || !dotted_words(d, e, 0))
                return "domain missing or malformed";
            p = e;
            if (*p != ',')
                break;
            commas = 1;
            p++;
        }
        if (*p != ':')
            return commas ? "colon expected after route list" : "no local part";
        return check_addr(c, p + 1, unqualified);
    }
    for (const char *p = spec; *p != '\0'; p++) {
        if (*p == '\\' && quoted && p[1] != '\0')
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == '@' && !quoted)
            at = p;
    }
    if (at == NULL) {
        if (!dotted_words(spec, end, 1))
            return "missing or malformed local part";
        *unqualified = 1;
        return NULL;
    }
    if (!dotted_words(spec, at, 1))
        return "missing or malformed local part";
    if (at[1] == '[') {
        const char *close = strchr(at, ']');
        if (close == NULL || close[1] != '\0')
            return "malformed domain literal";
        return NULL;
    }
    if (!dotted_words(at + 1, end, 0))
        return "domain missing or malformed";
    (void)c;
    return NULL;
}

/* The operative address of one list item into *spec (NULL if empty);
 * NULL, or the reason it is malformed. */
static const char *
item_address(struct acl_call *c, const char *item, size_t n, char **spec)
{
    char *s = trim(strip_comments(c->x->arena, item, n));
    char *lt = strchr(s, '<'), *gt;

    *spec = NULL;
    if (*s == '\0')
        return NULL;
    if (lt == NULL) {
        *spec = s;
        return NULL;
    }
    if ((gt = strchr(lt, '>')) == NULL)
        return "'>' missing at end of address";
    if (*trim(gt + 1) != '\0')
        return arena_printf(c->x->arena,
                            "malformed address: %.32s may not follow %.*s",
                            gt + 1, (int)(gt + 1 - s), s);
    *gt = '\0';
    *spec = trim(lt + 1);
    /* a source route ("@a,@b:") is skipped */
    if (**spec == '@' && strchr(*spec, ':') != NULL)
        *spec = strchr(*spec, ':') + 1;
    return NULL;
}

typedef int addr_fn(struct acl_call *c, const char *spec, void *arg);

/* Calls fn for each item of an address list; stops if it returns
 * non-zero and returns that, with the item in item and itemlen. */
static int
each_item(struct acl_call *c, const char *v, addr_fn *fn, void *arg,
          const char **item, size_t *itemlen)
{
    const char *p = v, *start = v;
    int depth = 0, quoted = 0, angle = 0, r;

    for (;; p++) {
        char ch = *p;
        if (ch != '\0' && quoted) {
            if (ch == '\\' && p[1] != '\0')
                p++;
            else if (ch == '"')
                quoted = 0;
            continue;
        }
        if (ch != '\0' && depth > 0) {
            if (ch == '\\' && p[1] != '\0')
                p++;
            else if (ch == '(')
                depth++;
            else if (ch == ')')
                depth--;
            continue;
        }
        if (ch == '"')
            quoted = 1;
        else if (ch == '(')
            depth++;
        else if (ch == '<')
            angle++;
        else if (ch == '>' && angle > 0)
            angle--;
        else if (ch == ':' && angle == 0) {
            start = p + 1; /* a group's display name */
            continue;
        }
        if (ch == '\0' || ((ch == ',' || ch == ';') && angle == 0)) {
            *item = start;
            *itemlen = (size_t)(p - start);
            if ((r = fn(c, start, arg)) != 0)
                return r;
            if (ch == '\0')
                return 0;
            start = p + 1;
        }
    }
}

struct syntax_arg {
    const char *reason;
    size_t len;
};

static int
syntax_one(struct acl_call *c, const char *item, void *arg)
{
    struct syntax_arg *s = arg;
    char *spec;
    int unq;
    const char *reason = item_address(c, item, s->len, &spec);

    (void)reason;
    if (reason == NULL && spec != NULL) {
        reason = check_addr(c, spec, &unq);
        if (reason == NULL && unq) {
            const char *ip = expand_get_var(c->x, "sender_host_address");
            if (ip != NULL && ip[0] != '\0')
                reason = "unqualified address not permitted";
        }
    }
    s->reason = reason;
    return reason != NULL;
}

/* each_item passes the item's start; its length is found again here. */
static size_t
item_len(const char *item)
{
    int depth = 0, quoted = 0, angle = 0;
    const char *p;

    for (p = item; *p != '\0'; p++) {
        if (quoted) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            else if (*p == '"')
                quoted = 0;
        } else if (depth > 0) {
            if (*p == '(')
                depth++;
            else if (*p == ')')
                depth--;
        } else if (*p == '"')
            quoted = 1;
        else if (*p == '(')
            depth++;
        else if (*p == '<')
            angle++;
        else if (*p == '>' && angle > 0)
            angle--;
        else if ((*p == ',' || *p == ';') && angle == 0)
            break;
    }
    return (size_t)(p - item);
}

static int
syntax_item(struct acl_call *c, const char *item, void *arg)
{
    struct syntax_arg *s = arg;
    s->len = item_len(item);
    return syntax_one(c, item, arg);
}

int
acl_verify_headers(struct acl_call *c, const char **msg)
{
    static const char *const names[] = {"From", "Sender", "Reply-To",
                                        "To",   "Cc",     "Bcc"};

    for (struct expand_header *h = c->x->msg ? c->x->msg->headers : NULL;
         h != NULL; h = h->next) {
        size_t i;
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (name_is(h, names[i]))
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            continue;
        const char *v = header_value(c->x->arena, h), *item;
        size_t len;
        struct syntax_arg s = {NULL, 0};
        if (each_item(c, v, syntax_item, &s, &item, &len) == 0)
            continue;
        while (len > 0 && isspace((unsigned char)item[len - 1]))
            len--;
        while (len > 0 && isspace((unsigned char)*item))
            item++, len--;
        *msg = arena_printf(
            c->x->arena, "%s: failing address in \"%.*s:\" header %s: %.*s",
            s.reason, (int)h->name_len, h->text, len > 1024 ? "begins" : "is",
            (int)(len > 1024 ? 1024 : len), item);
        return ACL_FAIL;
    }
    return ACL_OK;
}

struct blind_arg {
    const char *rcpt;
    int case_sensitive;
};

static int
blind_item(struct acl_call *c, const char *item, void *arg)
{
    struct blind_arg *b = arg;
    char *spec;
    const char *at, *rat = strrchr(b->rcpt, '@');
    size_t n = item_len(item);

    if (item_address(c, item, n, &spec) != NULL || spec == NULL)
        return 0;
    if ((at = strrchr(spec, '@')) == NULL || rat == NULL)
        return 0;
    if ((size_t)(at - spec) != (size_t)(rat - b->rcpt))
        return 0;
    if (b->case_sensitive
            ? strncmp(spec, b->rcpt, (size_t)(at - spec)) != 0
            : strncasecmp(spec, b->rcpt, (size_t)(at - spec)) != 0)
        return 0;
    return strcasecmp(at, rat) == 0;
}

int
acl_verify_not_blind(struct acl_call *c, int case_sensitive)
{
    const char *const *r = c->x->recipients;

    for (; r != NULL && *r != NULL; r++) {
        struct blind_arg b = {*r, case_sensitive};
        int found = 0;
        for (struct expand_header *h = c->x->msg ? c->x->msg->headers : NULL;
             h != NULL && !found; h = h->next) {
            const char *item;
            size_t len;
            if (!name_is(h, "To") && !name_is(h, "Cc") &&
                !name_is(h, "Resent-To") && !name_is(h, "Resent-Cc"))
                continue;
            found = each_item(c, header_value(c->x->arena, h), blind_item, &b,
                              &item, &len);
        }
        if (!found)
            return ACL_FAIL;
    }
    return ACL_OK;
}
