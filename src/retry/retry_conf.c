/*++
 * NAME
 *	retry_conf 3
 * SUMMARY
 *	retry rules
 * SYNOPSIS
 *	#include "retry/retry_conf.h"
 *
 *	int	retry_conf_check(gstr *err)
 *	int	retry_enabled(void)
 *	const struct retry_config *retry_find_config(const char *key,
 *			const char *alternate, int basic_errno,
 *			int more_errno, const char *sender)
 * DESCRIPTION
 *	Each line of the "begin retry" section is, as in Exim,
 *
 *	    pattern  error  [senders=list]  rule; rule; ...
 *
 *	pattern is one address-list item ("*", a domain, "*.domain",
 *	"*@domain", "local@domain", "^regex", "!..."); error is "*",
 *	"timeout" (with "_A", "_MX", "_connect", "_connect_A",
 *	"_connect_MX"), "refused" ("_A", "_MX"), "lost_connection",
 *	"mail_4xx", "rcpt_4xx", "data_4xx" (each with "xx", "dx" or "dd"
 *	for the code), "quota" ("quota_<time>"), "auth_failed",
 *	"tls_required" or "lookup". A rule is "F,cutoff,interval",
 *	"G,cutoff,interval,multiplier" or "H,cutoff,interval,multiplier";
 *	cutoffs are measured from the first failure.
 *
 *	retry_find_config() is Exim's: the key's host name (or address)
 *	is matched as "*@name" unless it has a local part, then the
 *	alternate (the domain of the address for a host key); the first
 *	line whose error and pattern (and senders) match wins.
 * DIAGNOSTICS
 *	"file:line: message" with Exim's wording: "missing error type in
 *	retry rule", "unknown or malformed retry error "x"", "unknown
 *	retry rule letter", "comma expected", "bad parameters for retry
 *	rule", "semicolon expected", and a bad time.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "retry/retry_conf.h"

static struct retry_config *retries;
static int parsed;

int
retry_enabled(void)
{
    return config != NULL && config->retry.n > 0;
}

/* Exim's readconf_retry_error(). NULL, or the error text. */
static const char *
decode_error(struct arena *a, const char *pp, const char *p, int *basic,
             int *more)
{
    const char *q = pp;
    size_t len, xlen;

    *basic = *more = 0;
    while (q < p && *q != '_')
        q++;
    len = (size_t)(q - pp);
    xlen = q < p ? (size_t)(p - q - 1) : 0;
    if (len == 5 && strncasecmp(pp, "quota", 5) == 0) {
        *basic = RETRY_ERRNO_EXIMQUOTA;
        if (q < p) {
            long t;
            char *s = arena_strndup(a, q + 1, xlen);
            if (tod_parse_duration(s, &t) < 0)
                return "bad time value";
            *more = (int)t;
        }
    } else if (len == 7 && strncasecmp(pp, "refused", 7) == 0) {
        *basic = ECONNREFUSED;
        if (q < p) {
            if (xlen == 2 && strncasecmp(q + 1, "MX", 2) == 0)
                *more = 'M';
            else if (xlen == 1 && strncasecmp(q + 1, "A", 1) == 0)
                *more = 'A';
            else
                return "A or MX expected after \"refused\"";
        }
    } else if (len == 7 && strncasecmp(pp, "timeout", 7) == 0) {
        static const char *const extras[] = {"A", "MX", "connect", "connect_A",
                                             "connect_MX"};
        static const int values[] = {'A', 'M', RETRY_CTOUT, RETRY_CTOUT | 'A',
                                     RETRY_CTOUT | 'M'};
        *basic = ETIMEDOUT;
        if (q < p) {
            size_t i;
            for (i = 0; i < 5; i++)
                if (strlen(extras[i]) == xlen &&
                    strncasecmp(q + 1, extras[i], xlen) == 0)
                    break;
            if (i == 5)
                return "\"A\", \"MX\", or \"connect\" expected after "
                       "\"timeout\"";
            *more = values[i];
        }
    } else if (p - pp >= 6 && (strncasecmp(pp, "mail_4", 6) == 0 ||
                               strncasecmp(pp, "rcpt_4", 6) == 0 ||
                               strncasecmp(pp, "data_4", 6) == 0)) {
        int bad = 0, x = 255;
        if (p != pp + 8) {
            bad = 1;
        } else {
            int c1 = pp[6], c2 = pp[7];
            if (isdigit(c1)) {
                x = (c1 - '0') * 10;
                if (isdigit(c2))
                    x += c2 - '0';
                else if (c2 == 'x')
                    x += 100;
                else
                    bad = 1;
            } else if (c1 != 'x' || c2 != 'x') {
                bad = 1;
            }
        }
        if (bad)
            return arena_printf(a,
                                "%.4s_4 must be followed by xx, dx, or dd, "
                                "where x is literal and d is any digit",
                                pp);
        *basic = tolower((unsigned char)*pp) == 'm'   ? RETRY_ERRNO_MAIL4XX
                 : tolower((unsigned char)*pp) == 'r' ? RETRY_ERRNO_RCPT4XX
                                                      : RETRY_ERRNO_DATA4XX;
        *more = x << 8;
    } else if ((size_t)(p - pp) == 11 &&
               strncasecmp(pp, "auth_failed", 11) == 0) {
        *basic = RETRY_ERRNO_AUTHFAIL;
    } else if ((size_t)(p - pp) == 15 &&
               strncasecmp(pp, "lost_connection", 15) == 0) {
        *basic = RETRY_ERRNO_SMTPCLOSED;
    } else if ((size_t)(p - pp) == 12 &&
               strncasecmp(pp, "tls_required", 12) == 0) {
        *basic = RETRY_ERRNO_TLSREQUIRED;
    } else if ((size_t)(p - pp) == 6 && strncasecmp(pp, "lookup", 6) == 0) {
        *basic = RETRY_ERRNO_UNKNOWNHOST;
    } else if (p - pp != 1 || *pp != '*') {
        return arena_printf(a, "unknown or malformed retry error \"%.*s\"",
                            (int)(p - pp), pp);
    }
    return NULL;
}

static const char *
skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* A time (letters and digits), as Exim's retry_arg(): anything else
 * before the next ',' ';' or blank is "comma or semicolon expected"; a
 * malformed time reads as -1, which the rule's check then refuses. */
static const char *
read_time(struct arena *a, const char **pp, long *out)
{
    const char *p = skip_space(*pp), *e = p;
    char *s;

    while (isalnum((unsigned char)*e))
        e++;
    if (*e != '\0' && *e != ',' && *e != ';' && !isspace((unsigned char)*e))
        return "comma or semicolon expected";
    s = arena_strndup(a, p, (size_t)(e - p));
    if (*s == '\0' || tod_parse_duration(s, out) < 0)
        *out = -1;
    *pp = skip_space(e);
    return NULL;
}

static const char *
expect_comma(const char **pp)
{
    const char *p = skip_space(*pp);

    if (*p != ',')
        return "comma expected";
    *pp = p + 1;
    return NULL;
}

/* "F,2h,15m; G,16h,1h,1.5" */
static const char *
parse_rules(struct arena *a, const char *p, struct retry_rule **out)
{
    struct retry_rule **tail = out;
    const char *e;

    p = skip_space(p);
    while (*p != '\0') {
        struct retry_rule *r = arena_alloc(a, sizeof(*r));
        memset(r, 0, sizeof(*r));
        r->kind = (char)toupper((unsigned char)*p);
        if (r->kind != 'F' && r->kind != 'G' && r->kind != 'H')
            return "unknown retry rule letter";
        p++;
        if ((e = expect_comma(&p)) != NULL ||
            (e = read_time(a, &p, &r->timeout)) ||
            (e = expect_comma(&p)) != NULL || (e = read_time(a, &p, &r->p1)))
            return e;
        if (r->kind != 'F') {
            char *end;
            double m;
            if ((e = expect_comma(&p)) != NULL)
                return e;
            p = skip_space(p);
            m = strtod(p, &end);
            if (end == p)
                return "bad parameters for retry rule";
            r->p2 = (long)(m * 1000.0 + 0.5);
            p = skip_space(end);
        }
        if (r->timeout <= 0 || r->p1 <= 0 || (r->kind != 'F' && r->p2 < 1000))
            return "bad parameters for retry rule";
        *tail = r;
        tail = &r->next;
        p = skip_space(p);
        if (*p == '\0')
            break;
        if (*p != ';')
            return "semicolon expected";
        p = skip_space(p + 1);
    }
    return NULL;
}

static int
parse_line(struct arena *a, const struct conf_line *l, gstr *err)
{
    struct retry_config *c = arena_alloc(a, sizeof(*c)), **tail;
    const char *p = skip_space(l->text), *s, *msg;

    memset(c, 0, sizeof(*c));
    c->file = l->file;
    c->line = l->line;
    s = p;
    if (*p == '"') {
        s = ++p;
        while (*p != '\0' && *p != '"')
            p++;
        c->pattern = arena_strndup(a, s, (size_t)(p - s));
        if (*p == '"')
            p++;
    } else {
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        c->pattern = arena_strndup(a, s, (size_t)(p - s));
    }
    p = skip_space(p);
    s = p;
    while (*p != '\0' && !isspace((unsigned char)*p))
        p++;
    if (p == s) {
        msg = "missing error type in retry rule";
        goto bad;
    }
    if ((msg = decode_error(a, s, p, &c->basic_errno, &c->more_errno)) != NULL)
        goto bad;
    p = skip_space(p);
    if (strncmp(p, "senders", 7) == 0) {
        p = skip_space(p + 7);
        if (*p++ != '=') {
            msg = "\"=\" expected after \"senders\" in retry rule";
            goto bad;
        }
        p = skip_space(p);
        s = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        c->senders = arena_strndup(a, s, (size_t)(p - s));
    }
    if ((msg = parse_rules(a, p, &c->rules)) != NULL)
        goto bad;
    for (tail = &retries; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = c;
    return 0;
bad:
    gstr_printf(err, "%s:%d: %s", l->file, l->line, msg);
    return -1;
}

int
retry_conf_check(gstr *err)
{
    if (parsed)
        return 0;
    parsed = 1;
    if (config == NULL)
        return 0;
    for (size_t i = 0; i < config->retry.n; i++)
        if (parse_line(arena_perm, &config->retry.v[i], err) < 0)
            return -1;
    return 0;
}

/* Exim's error matching in retry_find_config(). */
static int
error_matches(const struct retry_config *c, int basic, int more)
{
    if (c->basic_errno == 0)
        return 1;
    if (c->basic_errno == RETRY_ERRNO_EXIMQUOTA)
        /* quota_<time> compares how long ago the mailbox was read; the
         * transports here cannot tell, so it matches any quota error */
        return basic == RETRY_ERRNO_EXIMQUOTA || basic == EDQUOT ||
               basic == ENOSPC;
    if (c->basic_errno == RETRY_ERRNO_TLSREQUIRED)
        return basic == RETRY_ERRNO_TLSREQUIRED || basic == -37;
    if (c->basic_errno == RETRY_ERRNO_MAIL4XX ||
        c->basic_errno == RETRY_ERRNO_RCPT4XX ||
        c->basic_errno == RETRY_ERRNO_DATA4XX) {
        int wanted = (c->more_errno >> 8) & 255, got = (more >> 8) & 255;
        if (basic != c->basic_errno)
            return 0;
        if (wanted == 255)
            return 1;
        return wanted >= 100 ? (got / 10) * 10 == wanted - 100 : got == wanted;
    }
    if (c->basic_errno == ETIMEDOUT) {
        if (basic != ETIMEDOUT)
            return 0;
        if (c->more_errno == RETRY_CTOUT)
            return (more & RETRY_CTOUT) != 0;
        if (c->more_errno != 0) {
            int cf = more;
            if ((c->more_errno & RETRY_CTOUT) == 0)
                cf &= ~RETRY_CTOUT;
            return c->more_errno == cf;
        }
        return 1;
    }
    return c->basic_errno == basic &&
           (c->more_errno == 0 || c->more_errno == more);
}

const struct retry_config *
retry_find_config(const char *key, const char *alternate, int basic_errno,
                  int more_errno, const char *sender)
{
    struct arena *a = arena_create();
    const char *colon = strchr(key, ':');
    const struct retry_config *c;
    struct expand_ctx x;
    gstr err;

    expand_ctx_init(&x, a);
    gstr_init(&err, a);
    if (colon != NULL) {
        if (isalnum((unsigned char)*key))
            key = arena_strndup(a, key, (size_t)(colon - key));
        else if (*key == '[' && strchr(key, ']') != NULL)
            key =
                arena_strndup(a, key + 1, (size_t)(strchr(key, ']') - key - 1));
        else
            key = strrchr(key, ':') + 1;
    }
    if (strchr(key, '@') == NULL)
        key = arena_printf(a, "*@%s", key);
    if (alternate != NULL)
        alternate = arena_printf(a, "*@%s", alternate);
    for (c = retries; c != NULL; c = c->next) {
        if (!error_matches(c, basic_errno, more_errno))
            continue;
        if (c->senders != NULL &&
            (sender == NULL ||
             match_address(&x, sender, c->senders, &err) != MATCH_OK))
            continue;
        if (match_address(&x, key, c->pattern, &err) == MATCH_OK ||
            (alternate != NULL &&
             match_address(&x, alternate, c->pattern, &err) == MATCH_OK))
            break;
    }
    arena_destroy(a);
    return c;
}
