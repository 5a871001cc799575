/*++
 * NAME
 *	script 3
 * SUMMARY
 *	fake-dccifd's script and whiteclnt file
 * SYNOPSIS
 *	#include "dccifd.h"
 *
 *	void	di_script_load(const char *path, struct di_config *cfg)
 *	void	di_whiteclnt_load(const char *path, struct di_config *cfg)
 *	const struct di_rule *di_rule_message(const struct di_config *cfg,
 *				const struct di_request *rq)
 *	char	di_rule_rcpt(const struct di_config *cfg, const char *rcpt)
 *	int	di_white_message(const struct di_config *cfg,
 *				const struct di_request *rq)
 *	int	di_white_rcpt(const struct di_config *cfg, const char *rcpt)
 * DESCRIPTION
 *	The script sets the daemon's identity (hostname, brand,
 *	server-id), its thresholds (greylist, threshold, many, fuz2-min),
 *	a delay before each answer, a whiteclnt file, and rules. A rule
 *	matches the body or the header section (POSIX extended regex,
 *	case-insensitive), the envelope sender, the client IP or a
 *	recipient (globs, case-insensitive), or any message; it gives a
 *	verdict (A R G T S) or a fault, optionally after delay=MS. The
 *	first message rule that matches wins; rcpt rules set the letter
 *	of each recipient they match.
 *
 *	The whiteclnt file is a small subset of dccifd's: lines "ok" or
 *	"many", then env_from, env_to, ip or from, then a value (a glob
 *	for addresses; an IPv4 address, optionally with /BITS, or an IPv6
 *	address for ip). "ok" whitelists, "many" blacklists.
 * DIAGNOSTICS
 *	Errors in either file are fatal, as "FILE:LINE: message".
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/fake_msg.h"
#include "../common/fake_regex.h"
#include "../common/fake_script.h"
#include "dccifd.h"

static long
script_number(const struct fake_script_line *l, const char *w)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(w, &end, 10);
    if (errno || end == w || *end || v < 0)
        fake_script_error(l, "not a number: \"%s\"", w);
    return v;
}

/* "A\nA\n" and the like: \n \r \t \\ \xHH decoded. */
static char *
script_unescape(const char *s, size_t *len)
{
    struct fake_buf b;

    fake_buf_init(&b);
    for (; *s; s++) {
        if (*s != '\\' || s[1] == '\0') {
            fake_buf_addch(&b, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'n':
            fake_buf_addch(&b, '\n');
            break;
        case 'r':
            fake_buf_addch(&b, '\r');
            break;
        case 't':
            fake_buf_addch(&b, '\t');
            break;
        case 'x':
            if (isxdigit((unsigned char)s[1]) &&
                isxdigit((unsigned char)s[2])) {
                char hex[3] = {s[1], s[2], 0};
                fake_buf_addch(&b, (int)strtol(hex, NULL, 16));
                s += 2;
                break;
            }
            /* fall through */
        default:
            fake_buf_addch(&b, *s);
        }
    }
    *len = b.len;
    fake_buf_addch(&b, 0);
    return b.data;
}

/* [delay=MS] (VERDICT | hang | garbage | zero | close-mid-answer |
 * answer TEXT) */
static void
script_action(const struct fake_script_line *l, int i, struct di_rule *r)
{
    char **w = l->words;

    if (i < l->nwords && strncmp(w[i], "delay=", 6) == 0)
        r->delay_ms = script_number(l, w[i++] + 6);
    if (i >= l->nwords)
        fake_script_error(l, "a verdict or an action is missing");
    r->action = DI_ACT_VERDICT;
    if (strlen(w[i]) == 1 && strchr("ARGTS", w[i][0]) != NULL)
        r->verdict = w[i][0];
    else if (strcmp(w[i], "hang") == 0)
        r->action = DI_ACT_HANG;
    else if (strcmp(w[i], "garbage") == 0)
        r->action = DI_ACT_GARBAGE;
    else if (strcmp(w[i], "zero") == 0)
        r->action = DI_ACT_ZERO;
    else if (strcmp(w[i], "close-mid-answer") == 0)
        r->action = DI_ACT_CUT;
    else if (strcmp(w[i], "answer") == 0 && i + 2 == l->nwords) {
        r->action = DI_ACT_RAW;
        r->raw = script_unescape(w[i + 1], &r->raw_len);
        return;
    } else
        fake_script_error(l, "unknown verdict or action \"%s\"", w[i]);
    if (i + 1 != l->nwords)
        fake_script_error(l, "unexpected \"%s\"", w[i + 1]);
}

static void
script_rule(const struct fake_script_line *l, enum di_match what,
            struct di_config *cfg)
{
    struct di_rule *r;
    int first = what == DI_M_ANY ? 1 : 2;

    if (what != DI_M_ANY && l->nwords < 3)
        fake_script_error(l, "usage: %s PATTERN VERDICT-OR-ACTION",
                          l->words[0]);
    cfg->rules =
        fake_realloc(cfg->rules, (size_t)cfg->nrules + 1, sizeof(*cfg->rules));
    r = &cfg->rules[cfg->nrules++];
    memset(r, 0, sizeof(*r));
    r->what = what;
    r->lineno = l->lineno;
    if (what != DI_M_ANY)
        r->pattern = fake_strdup(l->words[1]);
    if (what == DI_M_BODY || what == DI_M_HEADER) {
        fake_regex_compile(l, &r->re, r->pattern);
        r->compiled = 1;
    }
    script_action(l, first, r);
    if (what == DI_M_RCPT &&
        (r->action != DI_ACT_VERDICT || strchr("ARG", r->verdict) == NULL))
        fake_script_error(l, "a rcpt rule gives A, R or G");
}

void
di_script_load(const char *path, struct di_config *cfg)
{
    static const struct {
        const char *name;
        enum di_match what;
    } rules[] = {
        {"body", DI_M_BODY},     {"header", DI_M_HEADER},
        {"sender", DI_M_SENDER}, {"client", DI_M_CLIENT},
        {"rcpt", DI_M_RCPT},     {"any", DI_M_ANY},
    };
    struct fake_script sc;

    fake_regex_begin();
    if (path == NULL)
        return;
    fake_script_load(path, &sc);
    for (int i = 0; i < sc.nlines; i++) {
        struct fake_script_line *l = &sc.lines[i];
        char **w = l->words;
        int n = l->nwords;
        size_t k;

        for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++)
            if (strcmp(w[0], rules[k].name) == 0)
                break;
        if (k < sizeof(rules) / sizeof(rules[0]))
            script_rule(l, rules[k].what, cfg);
        else if (n != 2)
            fake_script_error(l, "unknown or malformed directive \"%s\"", w[0]);
        else if (strcmp(w[0], "hostname") == 0)
            cfg->hostname = w[1];
        else if (strcmp(w[0], "brand") == 0)
            cfg->brand = w[1];
        else if (strcmp(w[0], "server-id") == 0)
            cfg->server_id = w[1];
        else if (strcmp(w[0], "greylist") == 0)
            cfg->greylist = script_number(l, w[1]);
        else if (strcmp(w[0], "threshold") == 0)
            cfg->threshold = script_number(l, w[1]);
        else if (strcmp(w[0], "many") == 0)
            cfg->many = script_number(l, w[1]);
        else if (strcmp(w[0], "delay") == 0)
            cfg->delay_ms = script_number(l, w[1]);
        else if (strcmp(w[0], "fuz2-min") == 0)
            cfg->short_body = (size_t)script_number(l, w[1]);
        else if (strcmp(w[0], "whiteclnt") == 0)
            di_whiteclnt_load(w[1], cfg);
        else
            fake_script_error(l, "unknown directive \"%s\"", w[0]);
    }
}

void
di_whiteclnt_load(const char *path, struct di_config *cfg)
{
    struct fake_script sc;

    fake_script_load(path, &sc);
    for (int i = 0; i < sc.nlines; i++) {
        struct fake_script_line *l = &sc.lines[i];
        char **w = l->words;
        struct di_white *e;
        enum di_match what;

        if (l->nwords != 3)
            fake_script_error(l, "usage: ok|many TYPE VALUE");
        if (strcasecmp(w[0], "ok") != 0 && strcasecmp(w[0], "many") != 0)
            fake_script_error(l, "\"%s\": ok or many expected", w[0]);
        if (strcasecmp(w[1], "env_from") == 0)
            what = DI_M_SENDER;
        else if (strcasecmp(w[1], "env_to") == 0)
            what = DI_M_RCPT;
        else if (strcasecmp(w[1], "ip") == 0)
            what = DI_M_CLIENT;
        else if (strcasecmp(w[1], "from") == 0)
            what = DI_M_HEADER;
        else
            fake_script_error(l, "unknown type \"%s\"", w[1]);
        cfg->white = fake_realloc(cfg->white, (size_t)cfg->nwhite + 1,
                                  sizeof(*cfg->white));
        e = &cfg->white[cfg->nwhite++];
        e->many = strcasecmp(w[0], "many") == 0;
        e->what = what;
        e->value = fake_strdup(w[2]);
    }
}

static int
glob_match(const char *pattern, const char *s)
{
    return fnmatch(pattern, s, FNM_CASEFOLD) == 0;
}

/* An address, or an IPv4 network written ADDR/BITS. */
static int
ip_match(const char *pattern, const char *ip)
{
    const char *slash = strchr(pattern, '/');
    struct in_addr net, a;
    char buf[64];
    long bits;
    unsigned long mask;

    if (slash == NULL || (size_t)(slash - pattern) >= sizeof(buf))
        return strcasecmp(pattern, ip) == 0;
    memcpy(buf, pattern, (size_t)(slash - pattern));
    buf[slash - pattern] = '\0';
    bits = strtol(slash + 1, NULL, 10);
    if (bits < 0 || bits > 32 || inet_pton(AF_INET, buf, &net) != 1 ||
        inet_pton(AF_INET, ip, &a) != 1)
        return 0;
    mask = bits == 0 ? 0 : 0xffffffffUL << (32 - bits);
    return (ntohl(net.s_addr) & mask) == (ntohl(a.s_addr) & mask);
}

static int
regex_in(const regex_t *re, const char *p, size_t n)
{
    char *copy = fake_strndup(p, n);
    int rc = regexec(re, copy, 0, NULL, 0) == 0;

    free(copy);
    return rc;
}

const struct di_rule *
di_rule_message(const struct di_config *cfg, const struct di_request *rq)
{
    for (int i = 0; i < cfg->nrules; i++) {
        const struct di_rule *r = &cfg->rules[i];
        int hit = 0;

        switch (r->what) {
        case DI_M_BODY:
            hit = regex_in(&r->re, rq->msg + rq->body_off,
                           rq->msg_len - rq->body_off);
            break;
        case DI_M_HEADER:
            hit = regex_in(&r->re, rq->msg, rq->hdr_len);
            break;
        case DI_M_SENDER:
            hit = glob_match(r->pattern, rq->sender);
            break;
        case DI_M_CLIENT:
            hit = glob_match(r->pattern, rq->client);
            break;
        case DI_M_ANY:
            hit = 1;
            break;
        case DI_M_RCPT:
            break;
        }
        if (hit)
            return r;
    }
    return NULL;
}

char
di_rule_rcpt(const struct di_config *cfg, const char *rcpt)
{
    for (int i = 0; i < cfg->nrules; i++)
        if (cfg->rules[i].what == DI_M_RCPT &&
            glob_match(cfg->rules[i].pattern, rcpt))
            return cfg->rules[i].verdict;
    return 0;
}

/* The address in the first From: header, or "". */
static char *
header_from(const struct di_request *rq)
{
    const char *p = rq->msg, *end = rq->msg + rq->hdr_len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n > 5 && strncasecmp(p, "From:", 5) == 0) {
            const char *lt = memchr(p, '<', n), *gt;
            if (lt != NULL && (gt = memchr(lt, '>', n - (size_t)(lt - p))))
                return fake_strndup(lt + 1, (size_t)(gt - lt - 1));
            p += 5, n -= 5;
            while (n > 0 && (*p == ' ' || *p == '\t'))
                p++, n--;
            while (n > 0 && isspace((unsigned char)p[n - 1]))
                n--;
            return fake_strndup(p, n);
        }
        p = nl ? nl + 1 : end;
    }
    return fake_strdup("");
}

int
di_white_message(const struct di_config *cfg, const struct di_request *rq)
{
    char *from = header_from(rq);
    int found = -1;

    for (int i = 0; i < cfg->nwhite && found < 0; i++) {
        const struct di_white *e = &cfg->white[i];
        if ((e->what == DI_M_SENDER && glob_match(e->value, rq->sender)) ||
            (e->what == DI_M_CLIENT && ip_match(e->value, rq->client)) ||
            (e->what == DI_M_HEADER && glob_match(e->value, from)))
            found = e->many;
    }
    free(from);
    return found;
}

int
di_white_rcpt(const struct di_config *cfg, const char *rcpt)
{
    for (int i = 0; i < cfg->nwhite; i++)
        if (cfg->white[i].what == DI_M_RCPT &&
            glob_match(cfg->white[i].value, rcpt))
            return cfg->white[i].many;
    return -1;
}
