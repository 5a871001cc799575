/*++
 * NAME
 *	header 3
 * SUMMARY
 *	header variables and the message body for expansions
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	int	x_header_prefix(const char *name, char *kind, size_t *skip)
 *	int	x_header(struct exp *e, char kind, const char *name,
 *				gstr *out)
 *	void	x_message_headers(struct exp *e, int raw, gstr *out)
 *	void	x_message_body(struct exp *e, int end, gstr *out)
 *
 *	void	expand_rfc2047_decode(gstr *out, const char *in, size_t len,
 *				const char *to_charset)
 * DESCRIPTION
 *	x_header_prefix() says whether a variable name is a header
 *	variable: h_ or header_ (white space trimmed, RFC 2047 decoded),
 *	bh_ or bheader_ (the same, with no charset translation), rh_ or rheader_
 *(raw: the text after the colon as received, newline included), lh_ or lheader_
 *(raw, as a colon-separated list, one item per header of that name).
 *
 *	x_header() appends the value of every header with the given name
 *	(case does not matter, a trailing colon is ignored). For h_ and bh_
 *	several headers are joined with a newline, or ",\n" for headers
 *	that hold addresses (From, To, Cc, Bcc, Reply-To, Sender).
 *
 *	x_message_body() gives the first (or, with end, the last)
 *	message_body_visible bytes of the body, newlines turned into
 *	spaces unless message_body_newlines is set.
 *
 *	expand_rfc2047_decode() decodes encoded words; with to_charset
 *	(h_ and ${rfc2047d:} use Exim's default headers_charset,
 *	ISO-8859-1) each word's text is translated from its own charset,
 *	as Exim does: what cannot be translated is kept as it is.
 * DIAGNOSTICS
 *	x_header() returns 0 if there is no such header (or no message),
 *	1 otherwise. Malformed encoded words are left as they are.
 *--*/

#include <ctype.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand_int.h"

void expand_rfc2047_decode(gstr *out, const char *in, size_t len,
                           const char *to_charset);

int
x_header_prefix(const char *name, char *kind, size_t *skip)
{
    static const struct {
        const char *prefix;
        char kind;
    } prefixes[] = {
        {"h_", 'h'},  {"header_", 'h'},  {"bh_", 'b'}, {"bheader_", 'b'},
        {"rh_", 'r'}, {"rheader_", 'r'}, {"lh_", 'l'}, {"lheader_", 'l'},
    };

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n;

        if (name[0] != prefixes[i].prefix[0]) /* most names: at once */
            continue;
        n = strlen(prefixes[i].prefix);
        if (strncmp(name, prefixes[i].prefix, n) == 0) {
            *kind = prefixes[i].kind;
            *skip = n;
            return 1;
        }
    }
    return 0;
}

static int
address_header(const struct expand_header *h)
{
    static const char *const names[] = {"from", "to",       "cc",
                                        "bcc",  "reply-to", "sender"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (h->name_len == strlen(names[i]) &&
            strncasecmp(h->text, names[i], h->name_len) == 0)
            return 1;
    return 0;
}

static int
hex_value(int c)
{
    if (isdigit(c))
        return c - '0';
    return tolower(c) - 'a' + 10;
}

/* Appends in (len bytes, in charset from) translated to charset to, as
 * Exim: a stretch that does not translate, and all after it, is kept
 * as it is; so is everything when the pair is unknown. */
static void
translate(gstr *out, const char *from, const char *to, const char *in,
          size_t len)
{
    iconv_t cd = iconv_open(to, from);
    char *ip = (char *)in;

    if (cd == (iconv_t)-1) {
        gstr_addn(out, in, len);
        return;
    }
    while (len > 0) {
        char buf[256], *op = buf;
        size_t left = sizeof(buf);
        (void)iconv(cd, &ip, &len, &op, &left);
        if (op == buf) {
            gstr_addn(out, ip, len);
            break;
        }
        gstr_addn(out, buf, (size_t)(op - buf));
    }
    iconv_close(cd);
}

/* Decodes one encoded word at p ("=?cs?E?text?="), translated to
 * to_charset unless it is NULL; returns its length, or 0 if p does not
 * start one. */
static size_t
decode_word(gstr *out, const char *p, const char *end, const char *to_charset)
{
    const char *cs = p + 2, *q, *text, *stop;
    char enc;
    gstr raw;

    if (end - p < 8 || p[0] != '=' || p[1] != '?')
        return 0;
    q = memchr(cs, '?', (size_t)(end - cs));
    if (q == NULL || q == cs || end - q < 5 || q[2] != '?')
        return 0;
    enc = (char)tolower((unsigned char)q[1]);
    if (enc != 'b' && enc != 'q')
        return 0;
    text = q + 3;
    for (stop = text; stop + 1 < end; stop++)
        if (stop[0] == '?' && stop[1] == '=')
            break;
    if (stop + 1 >= end)
        return 0;
    for (const char *c = text; c < stop; c++)
        if (isspace((unsigned char)*c))
            return 0;
    if (to_charset != NULL) {
        /* the charset name ends at '?' or at an RFC 2231 '*language' */
        const char *cend = memchr(cs, '*', (size_t)(q - cs));
        char *from =
            arena_strndup(out->arena, cs, (size_t)((cend ? cend : q) - cs));
        gstr_init(&raw, out->arena);
        if (decode_word(&raw, p, end, NULL) == 0)
            return 0;
        translate(out, from, to_charset, raw.s ? raw.s : "", raw.len);
        return (size_t)(stop + 2 - p);
    }
    if (enc == 'b') {
        size_t before = out->len;
        if (b64_decode(out, text, (size_t)(stop - text)) < 0) {
            gstr_truncate(out, before);
            return 0;
        }
    } else {
        for (const char *c = text; c < stop; c++) {
            if (*c == '_')
                gstr_addc(out, ' ');
            else if (*c == '=' && c + 2 < stop + 1 &&
                     isxdigit((unsigned char)c[1]) &&
                     isxdigit((unsigned char)c[2])) {
                gstr_addc(out, (char)(hex_value((unsigned char)c[1]) * 16 +
                                      hex_value((unsigned char)c[2])));
                c += 2;
            } else
                gstr_addc(out, *c);
        }
    }
    return (size_t)(stop + 2 - p);
}

void
expand_rfc2047_decode(gstr *out, const char *in, size_t len,
                      const char *to_charset)
{
    const char *p = in, *end = in + len;
    int last_was_word = 0;

    while (p < end) {
        size_t n = decode_word(out, p, end, to_charset);
        if (n > 0) {
            p += n;
            last_was_word = 1;
            continue;
        }
        if (last_was_word && isspace((unsigned char)*p)) {
            /* White space between two encoded words disappears. */
            const char *q = p;
            while (q < end && isspace((unsigned char)*q))
                q++;
            gstr probe;
            gstr_init(&probe, out->arena);
            if (q < end && decode_word(&probe, q, end, NULL) > 0) {
                p = q;
                continue;
            }
        }
        last_was_word = 0;
        gstr_addc(out, *p++);
    }
}

static int
name_matches(const struct expand_header *h, const char *name, size_t n)
{
    return h->name_len == n && strncasecmp(h->text, name, n) == 0;
}

int
x_header(struct exp *e, char kind, const char *name, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    size_t n = strlen(name);
    int found = 0, comma = 0;
    gstr g;

    if (n > 0 && name[n - 1] == ':')
        n--;
    if (m == NULL)
        return 0;
    gstr_init(&g, e->a);
    for (const struct expand_header *h = m->headers; h != NULL; h = h->next) {
        if (!name_matches(h, name, n))
            continue;
        const char *s = h->text + h->name_len + 1;
        const char *t = h->text + h->len;
        if (kind == 'l') {
            while (t > s && t[-1] == '\n')
                t--;
            if (found)
                gstr_addc(&g, ':');
            for (const char *c = s; c < t; c++) {
                gstr_addc(&g, *c);
                if (*c == ':')
                    gstr_addc(&g, ':');
            }
        } else if (kind == 'r') {
            gstr_addn(&g, s, (size_t)(t - s));
        } else {
            while (s < t && isspace((unsigned char)*s))
                s++;
            while (t > s && isspace((unsigned char)t[-1]))
                t--;
            comma |= address_header(h);
            if (found)
                gstr_adds(&g, comma ? ",\n" : "\n");
            gstr_addn(&g, s, (size_t)(t - s));
        }
        found = 1;
    }
    if (!found)
        return 0;
    if (kind == 'h' || kind == 'b')
        expand_rfc2047_decode(out, g.s, g.len,
                              kind == 'h' ? EXPAND_HEADERS_CHARSET : NULL);
    else
        gstr_addn(out, g.s, g.len);
    return 1;
}

void
x_message_headers(struct exp *e, int raw, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    gstr g;
    int first = 1;

    if (m == NULL)
        return;
    gstr_init(&g, e->a);
    for (const struct expand_header *h = m->headers; h != NULL; h = h->next) {
        if (raw) {
            gstr_addn(out, h->text, h->len);
            continue;
        }
        const char *t = h->text + h->len;
        while (t > h->text && isspace((unsigned char)t[-1]))
            t--;
        if (!first)
            gstr_addc(&g, '\n');
        gstr_addn(&g, h->text, (size_t)(t - h->text));
        first = 0;
    }
    if (!raw)
        expand_rfc2047_decode(out, g.s, g.len, NULL);
}

void
x_message_body(struct exp *e, int end, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    size_t visible = main_config.message_body_visible > 0
                         ? (size_t)main_config.message_body_visible
                         : 0;
    const char *p;
    size_t n;

    if (m == NULL || m->body == NULL)
        return;
    n = m->body_len < visible ? m->body_len : visible;
    p = end ? m->body + m->body_len - n : m->body;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if ((c == '\n' && !main_config.message_body_newlines) || c == '\0')
            c = ' ';
        gstr_addc(out, c);
    }
}
