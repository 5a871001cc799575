/*++
 * NAME
 *	smtp_rules 3
 * SUMMARY
 *	which scripted reply applies
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_glob(const char *pattern, const char *text)
 *	int	smtp_conn_matches(int lo, int hi, unsigned long conn)
 *	const struct smtp_rule *smtp_rule_find(const struct smtp_session *s,
 *				int stage, const char *arg)
 *	const struct smtp_drop *smtp_drop_find(const struct smtp_session *s,
 *				int stage, int data_lines)
 *	int	smtp_count(struct smtp_session *s, int stage)
 *	void	smtp_keywords(const struct smtp_session *s,
 *				struct fake_buf *out, const char *helo_arg)
 * DESCRIPTION
 *	smtp_glob() matches text against a pattern where * stands for any
 *	string and ? for one character, ignoring case.
 *
 *	smtp_count() counts one more command of a stage (for SMTP_COMMAND,
 *	of s->verb) in the connection and returns the count, which is what
 *	a rule's #N is compared with.
 *
 *	smtp_rule_find() returns the rule for a stage: the first, in script
 *	order, of the rules for this connection whose #N and pattern match,
 *	else the first such rule for all connections, else NULL (the
 *	default reply). arg is what the pattern is matched against.
 *
 *	smtp_drop_find() returns the "drop after" point for the stage that
 *	the current command reached, or with data_lines > 0 the "drop
 *	during data" point for that many lines, or NULL.
 *
 *	smtp_keywords() appends the EHLO reply's lines (without codes):
 *	the greeting line and the keywords that apply to the connection
 *	(its own, else those for all, else PIPELINING, 8BITMIME and, with a
 *	certificate, STARTTLS). STARTTLS is not offered once TLS is on.
 * DIAGNOSTICS
 *	None.
 *--*/

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "smtp_fake.h"

int
smtp_glob(const char *pattern, const char *text)
{
    const char *star = NULL, *retry = NULL;

    while (*text) {
        if (*pattern == '*') {
            star = ++pattern;
            retry = text;
        } else if (*pattern == '?' || tolower((unsigned char)*pattern) ==
                                          tolower((unsigned char)*text)) {
            pattern++;
            text++;
        } else if (star) {
            pattern = star;
            text = ++retry;
        } else
            return 0;
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == 0;
}

int
smtp_conn_matches(int lo, int hi, unsigned long conn)
{
    return lo == 0 || (conn >= (unsigned long)lo && conn <= (unsigned long)hi);
}

static int
smtp_verb_slot(struct smtp_session *s, const char *verb)
{
    int i;

    for (i = 0; i < (int)(sizeof(s->verbs) / sizeof(s->verbs[0])); i++) {
        if (s->verbs[i].verb[0] == 0)
            snprintf(s->verbs[i].verb, sizeof(s->verbs[i].verb), "%s", verb);
        if (strcasecmp(s->verbs[i].verb, verb) == 0)
            return i;
    }
    return -1;
}

int
smtp_count(struct smtp_session *s, int stage)
{
    int slot;

    if (stage != SMTP_COMMAND)
        return ++s->counts[stage];
    if ((slot = smtp_verb_slot(s, s->verb)) < 0)
        return 0;
    return ++s->verbs[slot].n;
}

static int
smtp_current_count(const struct smtp_session *s, int stage, const char *verb)
{
    size_t i;

    if (stage != SMTP_COMMAND)
        return s->counts[stage];
    for (i = 0; i < sizeof(s->verbs) / sizeof(s->verbs[0]); i++)
        if (strcasecmp(s->verbs[i].verb, verb) == 0)
            return s->verbs[i].n;
    return 0;
}

static int
smtp_rule_matches(const struct smtp_session *s, const struct smtp_rule *r,
                  int stage, const char *arg)
{
    if (r->stage != stage)
        return 0;
    if (stage == SMTP_COMMAND && strcasecmp(r->verb, s->verb) != 0)
        return 0;
    if (r->nth && r->nth != smtp_current_count(s, stage, s->verb))
        return 0;
    return r->pattern == NULL || smtp_glob(r->pattern, arg ? arg : "");
}

const struct smtp_rule *
smtp_rule_find(const struct smtp_session *s, int stage, const char *arg)
{
    const struct smtp_script *sc = &s->cfg->script;
    int i, pass;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < sc->nrules; i++) {
            const struct smtp_rule *r = &sc->rules[i];

            if ((r->conn_lo == 0) != (pass == 1))
                continue;
            if (!smtp_conn_matches(r->conn_lo, r->conn_hi, s->c->id))
                continue;
            if (smtp_rule_matches(s, r, stage, arg))
                return r;
        }
    }
    return NULL;
}

const struct smtp_drop *
smtp_drop_find(const struct smtp_session *s, int stage, int data_lines)
{
    const struct smtp_script *sc = &s->cfg->script;
    const struct smtp_drop *d;
    int i;

    for (i = 0; i < sc->ndrops; i++) {
        d = &sc->drops[i];
        if (d->stage != stage || d->data_lines != data_lines ||
            !smtp_conn_matches(d->conn_lo, d->conn_hi, s->c->id))
            continue;
        if (stage == SMTP_COMMAND && strcasecmp(d->verb, s->verb) != 0)
            continue;
        if (data_lines == 0 && d->nth &&
            d->nth != smtp_current_count(s, stage, s->verb))
            continue;
        return d;
    }
    return NULL;
}

static void
smtp_keyword_line(const struct smtp_session *s, struct fake_buf *out,
                  const char *kw)
{
    if (s->c->ssl && strcasecmp(kw, "STARTTLS") == 0)
        return;
    fake_buf_puts(out, kw);
    fake_buf_addch(out, '\n');
}

void
smtp_keywords(const struct smtp_session *s, struct fake_buf *out,
              const char *helo_arg)
{
    const struct smtp_script *sc = &s->cfg->script;
    int i, pass, found = 0;

    fake_buf_printf(out, "%s Hello %s\n", s->host, helo_arg);
    for (pass = 0; pass < 2 && !found; pass++) {
        for (i = 0; i < sc->nkeywords; i++) {
            const struct smtp_keyword *k = &sc->keywords[i];

            if ((k->conn_lo == 0) != (pass == 1) ||
                !smtp_conn_matches(k->conn_lo, k->conn_hi, s->c->id))
                continue;
            found = 1;
            if (k->line)
                smtp_keyword_line(s, out, k->line);
        }
    }
    if (found)
        return;
    smtp_keyword_line(s, out, "PIPELINING");
    smtp_keyword_line(s, out, "8BITMIME");
    if (s->cfg->tls)
        smtp_keyword_line(s, out, "STARTTLS");
}
