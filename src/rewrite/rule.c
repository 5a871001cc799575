/*++
 * NAME
 *	rule 3
 * SUMMARY
 *	rewrite rules: parsing the "begin rewrite" section
 * SYNOPSIS
 *	#include "rewrite/rewrite.h"
 *
 *	struct rewrite_rule *rewrite_rule_parse(struct arena *a,
 *				const char *text, int global,
 *				const char **msg)
 *	int	rewrite_conf_check(gstr *err)
 *	const struct rewrite_rules *rewrite_global(void)
 *	const struct rewrite_rules *rewrite_transport_rules(
 *				const struct driver_instance *tp)
 * DESCRIPTION
 *	A rule is "pattern replacement flags". The pattern and the
 *	replacement each end at white space, unless they start with a
 *	double quote: then they end at the closing quote, and backslash
 *	escapes inside (\n, \t, \\, \", octal \ddd, hex \xhh) are
 *	interpreted, as in Exim. The flags are single letters in any
 *	order, blanks between them ignored:
 *
 *	    E F T	the envelope (both, sender, recipients)
 *	    h s f t c b r  headers (all, Sender:, From:, To:, Cc:, Bcc:,
 *			Reply-To:)
 *	    S		SMTP time (the pattern must be a regex)
 *	    Q q R w	qualify, quit, repeat, whole address
 *
 *	A rule with none of E F T h s f t c b r S applies everywhere
 *	(global rules) or to all headers (a transport's).
 *
 *	rewrite_conf_check() parses config->rewrite into the rules that
 *	rewrite_global() then returns, and each transport's
 *	headers_rewrite (a list of rules, colon-separated as Exim's lists
 *	are) into the rules rewrite_transport_rules() returns (NULL for a
 *	transport without any).
 * DIAGNOSTICS
 *	rewrite_rule_parse(): "missing rewrite replacement string",
 *	"rewrite rule has the S flag but is not a regular expression",
 *	"unknown rewrite flag character 'x' (could be missing quotes
 *	round replacement item)" (Exim's wording).
 *	A transport's rule may not have E, F, T or S: "rewrite rule
 *	specifies a non-header rewrite - not allowed at transport time -"
 *	(Exim's words).
 *	rewrite_conf_check() prefixes "file:line: " (for headers_rewrite,
 *	the option's line and 'transport "name": headers_rewrite: ').
 *--*/

#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/xlist.h"
#include "rewrite/rewrite.h"
#include "transport/transport.h"

/* The rules of one transport's headers_rewrite. */
struct tp_rules {
    const struct driver_instance *tp;
    struct rewrite_rules rules;
    struct tp_rules *next;
};

static struct rewrite_rules global_rules;
static struct tp_rules *transport_rules;
static int parsed;

static const char *
skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static int
hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* One backslash escape at *pp (pointing at the backslash); leaves *pp
 * on its last byte and returns the byte it stands for. */
static int
escape_char(const char **pp)
{
    const char *p = *pp + 1;
    int c = (unsigned char)*p, v;

    if (c == '\0')
        return '\\';
    p++;
    switch (c) {
    case 'b':
        v = '\b';
        break;
    case 'f':
        v = '\f';
        break;
    case 'n':
        v = '\n';
        break;
    case 'r':
        v = '\r';
        break;
    case 't':
        v = '\t';
        break;
    case 'v':
        v = '\v';
        break;
    case 'x':
        v = 0;
        for (int i = 0; i < 2 && isxdigit((unsigned char)*p); i++)
            v = v * 16 + hexval((unsigned char)*p++);
        break;
    default:
        if (c >= '0' && c <= '7') {
            v = c - '0';
            for (int i = 0; i < 2 && *p >= '0' && *p <= '7'; i++)
                v = v * 8 + (*p++ - '0');
        } else
            v = c;
    }
    *pp = p - 1; /* on the escape's last byte, as the caller steps on */
    return v;
}

/* A word: up to white space, or a quoted string. */
static char *
read_word(struct arena *a, const char **pp)
{
    const char *p = *pp;
    gstr w;

    gstr_init(&w, a);
    if (*p != '"') {
        while (*p != '\0' && !isspace((unsigned char)*p))
            gstr_addc(&w, *p++);
    } else {
        for (p++; *p != '\0' && *p != '"'; p++)
            gstr_addc(&w, *p == '\\' ? (char)escape_char(&p) : *p);
        if (*p == '"')
            p++;
    }
    *pp = p;
    return (char *)gstr_str(&w);
}

static int
flag_bit(int c, unsigned *bit)
{
    static const char letters[] = "qwhsftcbrEFTQRS";
    static const unsigned bits[] = {
        RW_QUIT,    RW_WHOLE, RW_HEADERS, RW_SENDER,  RW_FROM,
        RW_TO,      RW_CC,    RW_BCC,     RW_REPLYTO, RW_ENVELOPE,
        RW_ENVFROM, RW_ENVTO, RW_QUALIFY, RW_REPEAT,  RW_SMTP,
    };
    const char *at = c != '\0' ? strchr(letters, c) : NULL;

    if (at == NULL)
        return -1;
    *bit = bits[at - letters];
    return 0;
}

struct rewrite_rule *
rewrite_rule_parse(struct arena *a, const char *text, int global,
                   const char **msg)
{
    struct rewrite_rule *r = arena_alloc(a, sizeof(*r));
    const char *p = skip_space(text);

    memset(r, 0, sizeof(*r));
    r->key = read_word(a, &p);
    p = skip_space(p);
    if (*p == '\0') {
        *msg = "missing rewrite replacement string";
        return NULL;
    }
    r->replacement = read_word(a, &p);
    for (; *p != '\0'; p++) {
        unsigned bit;
        if (*p == ' ' || *p == '\t')
            continue;
        if (flag_bit(*p, &bit) < 0) {
            *msg = arena_printf(a,
                                "unknown rewrite flag character '%c' (could be "
                                "missing quotes round replacement item)",
                                *p);
            return NULL;
        }
        if (bit == RW_SMTP && r->key[0] != '^' &&
            strncmp(r->key, "\\N^", 3) != 0) {
            *msg = "rewrite rule has the S flag but is not a regular "
                   "expression";
            return NULL;
        }
        r->flags |= bit;
    }
    if ((r->flags & (RW_ALL | RW_SMTP)) == 0)
        r->flags |= global ? RW_ALL : RW_HEADERS;
    return r;
}

/* A transport's headers_rewrite, set at file:line; 0, or -1 with *msg
 * set. */
static int
parse_transport(struct driver_instance *tp, const char *list, const char *file,
                int line, const char **msg)
{
    struct tp_rules *t = arena_alloc(arena_perm, sizeof(*t));
    struct rewrite_rule **tail = &t->rules.first;
    struct xlist it;
    const char *item;

    memset(t, 0, sizeof(*t));
    t->tp = tp;
    xlist_init(&it, list, 0);
    while ((item = xlist_next(&it, arena_perm)) != NULL) {
        struct rewrite_rule *r = rewrite_rule_parse(arena_perm, item, 0, msg);
        if (r == NULL)
            return -1;
        r->file = file;
        r->line = line;
        *tail = r;
        tail = &r->next;
        t->rules.existflags |= r->flags;
    }
    if (t->rules.existflags & (RW_ENVELOPE | RW_SMTP)) {
        *msg = "rewrite rule specifies a non-header rewrite - not allowed "
               "at transport time -";
        return -1;
    }
    t->next = transport_rules;
    transport_rules = t;
    return 0;
}

int
rewrite_conf_check(gstr *err)
{
    struct rewrite_rule **tail = &global_rules.first;

    if (parsed)
        return 0;
    parsed = 1;
    if (config == NULL)
        return 0;
    for (size_t i = 0; i < config->rewrite.n; i++) {
        const struct conf_line *l = &config->rewrite.v[i];
        const char *msg = NULL;
        struct rewrite_rule *r =
            rewrite_rule_parse(arena_perm, l->text, 1, &msg);
        if (r == NULL) {
            gstr_printf(err, "%s:%d: %s", l->file, l->line, msg);
            return -1;
        }
        r->file = l->file;
        r->line = l->line;
        *tail = r;
        tail = &r->next;
        global_rules.existflags |= r->flags;
    }
    for (struct driver_instance *tp = config->transports; tp != NULL;
         tp = tp->next) {
        const struct transport_generic *g = tp->generic;
        const char *msg = NULL, *file = tp->file;
        int line = tp->line;
        if (g == NULL || g->headers_rewrite == NULL)
            continue;
        (void)conf_slot_origin(&g->headers_rewrite, &file, &line);
        if (parse_transport(tp, g->headers_rewrite, file, line, &msg) < 0) {
            gstr_printf(err, "%s:%d: transport \"%s\": headers_rewrite: %s",
                        file, line, tp->name, msg);
            return -1;
        }
    }
    return 0;
}

const struct rewrite_rules *
rewrite_global(void)
{
    return &global_rules;
}

const struct rewrite_rules *
rewrite_transport_rules(const struct driver_instance *tp)
{
    for (const struct tp_rules *t = transport_rules; t != NULL; t = t->next)
        if (t->tp == tp)
            return &t->rules;
    return NULL;
}
