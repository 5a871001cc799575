/*++
 * NAME
 *	address 3
 * SUMMARY
 *	SMTP paths
 * SYNOPSIS
 *	#include "smtp/address.h"
 *
 *	int	smtp_parse_path(struct arena *a, const char *in,
 *				int allow_null, struct smtp_path *p, gstr *err)
 * DESCRIPTION
 *	smtp_parse_path() takes the argument of MAIL FROM: or RCPT TO: and
 *	separates the address from the ESMTP parameters after it. The
 *	address is normally in angle brackets; like Exim, mxlab also takes
 *	a bare address, which ends at the first space. A source route
 *	("<@relay1,@relay2:user@domain>") is dropped, as RFC 5321 says it
 *	may be.
 *
 *	The local part is a dot-atom or a quoted string; the domain is a
 *	sequence of labels or an address literal in brackets. An address
 *	without a domain is syntactically fine: whether it may be
 *	qualified is for the caller to decide (has_domain tells it).
 * DIAGNOSTICS
 *	-1 with a message such as "malformed address: x may not follow
 *	a@b", "\"@\" or \".\" expected after \"a\"", "'>' missing at end
 *	of address" or "missing or malformed local part".
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "smtp/address.h"

static int
is_atext(unsigned char c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Length of a dot-atom at p (0 if none). As Exim, an empty atom next
 * to a dot (".a@b", "a..b@c", "a.@b") is let through; only a local
 * part without any atom is refused. */
static size_t
dot_atom(const char *p)
{
    const char *s = p;
    int atoms = 0;

    while (is_atext((unsigned char)*p) || *p == '.') {
        if (*p != '.')
            atoms = 1;
        p++;
    }
    return atoms ? (size_t)(p - s) : 0;
}

/* Length of a quoted string at p (0 if none or unterminated). */
static size_t
quoted_span(const char *p)
{
    const char *s = p;

    if (*p++ != '"')
        return 0;
    for (; *p != '\0' && *p != '"'; p++)
        if (*p == '\\' && p[1] != '\0')
            p++;
    return *p == '"' ? (size_t)(p + 1 - s) : 0;
}

/* As quoted_span(), and 0 too for a quoted string that holds a CR or
 * LF, which RFC 5321's qtextSMTP and quoted-pairSMTP exclude and which
 * would reach the next hop's RCPT line (found by fuzz-address). */
static size_t
quoted_string(const char *p)
{
    size_t n = quoted_span(p);

    return memchr(p, '\r', n) != NULL || memchr(p, '\n', n) != NULL ? 0 : n;
}

static size_t
domain_part(const char *p)
{
    const char *s = p;

    if (*p == '[') {
        /* an address literal: dtext (RFC 5321: printable ASCII but [ \ ]),
         * so no CR or LF can travel on inside it */
        const char *e = p + 1;
        while (*e != ']' && *e >= 33 && *e <= 126 && *e != '[' && *e != '\\')
            e++;
        return *e == ']' ? (size_t)(e + 1 - p) : 0;
    }
    for (;;) {
        const char *start = p;
        while (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
            p++;
        if (p == start)
            return 0;
        if (*p != '.')
            return (size_t)(p - s);
        p++;
    }
}

static int
path_error(gstr *err, const char *text)
{
    gstr_adds(err, text);
    return -1;
}

/* Checks "local@domain" (or "local"); sets has_domain. */
static int
check_address(const char *addr, int *has_domain, gstr *err)
{
    size_t n = addr[0] == '"' ? quoted_string(addr) : dot_atom(addr);
    const char *p = addr + n;

    *has_domain = 0;
    if (n == 0)
        return path_error(err, "missing or malformed local part");
    if (*p == '\0')
        return 0;
    if (*p != '@') { /* Exim's words inside <> */
        gstr_printf(err, "\"@\" or \".\" expected after \"%.*s\"", (int)n,
                    addr);
        return -1;
    }
    p++;
    n = domain_part(p);
    if (n == 0)
        return path_error(err, *p == '[' ? "malformed domain literal"
                                         : "domain missing or malformed");
    if (p[n] != '\0') {
        gstr_printf(err, "malformed address: %.32s may not follow %.*s", p + n,
                    (int)(p + n - addr), addr);
        return -1;
    }
    *has_domain = 1;
    return 0;
}

int
smtp_parse_path(struct arena *a, const char *in, int allow_null,
                struct smtp_path *p, gstr *err)
{
    const char *s = in, *end;
    char *addr;

    memset(p, 0, sizeof(*p));
    while (*s == ' ')
        s++;
    if (*s == '<') {
        const char *q = s + 1;
        for (; *q != '\0' && *q != '>'; q++) {
            if (*q == '"') {
                size_t n = quoted_span(q);
                if (n == 0)
                    break;
                q += n - 1;
            }
        }
        if (*q != '>')
            return path_error(err, "'>' missing at end of address");
        addr = arena_strndup(a, s + 1, (size_t)(q - s - 1));
        end = q + 1;
    } else {
        end = s;
        while (*end != '\0' && *end != ' ')
            end++;
        addr = arena_strndup(a, s, (size_t)(end - s));
    }
    if (addr[0] == '@') { /* a source route: drop it */
        char *colon = strchr(addr, ':');
        if (colon == NULL) /* as Exim: no commas, so most likely this */
            return path_error(err, strchr(addr, ',') != NULL
                                       ? "colon expected after route list"
                                       : "no local part");
        addr = colon + 1;
    }
    while (*end == ' ')
        end++;
    p->rest = arena_strdup(a, end);
    p->address = addr;
    if (*addr == '\0') {
        if (allow_null)
            return 0;
        return path_error(err, "missing or malformed local part");
    }
    return check_address(addr, &p->has_domain, err);
}
