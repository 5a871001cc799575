/*++
 * NAME
 *	smtp_script 3
 * SUMMARY
 *	fake-smtp's behaviour script
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	const char *smtp_stage_name(int stage)
 *	void	smtp_script_load(const char *path, struct smtp_script *s)
 * DESCRIPTION
 *	smtp_script_load() reads a script (line syntax: fake_script) into
 *	rules, drop points and EHLO keyword lines. The directives (see
 *	docs/fakes.md for the full story):
 *
 *	hostname NAME	the name in default replies
 *	connection N | N-M | N+ | *
 *		what follows applies to those connections only (counted
 *		from 1 in the order accepted); "*" returns to all. Rules
 *		for a connection are tried before rules for all.
 *	ehlo KEYWORD [PARAM...] [KEYWORD [PARAM...]]...
 *		EHLO keyword lines; a word that is a known extension name
 *		starts a new line; "ehlo none" advertises nothing
 *	STAGE [#N] [PATTERN] [delay=MS] [ACTION] [CODE TEXT]
 *		the reply at STAGE: greeting, helo, ehlo, mail, rcpt,
 *		data-cmd (the reply to DATA), data (the reply after the
 *		message), bdat, rset, noop, quit, vrfy, expn, help,
 *		starttls, auth, unknown, or "command VERB". #N: only the
 *		Nth time in a connection. PATTERN (helo, ehlo, mail, rcpt,
 *		vrfy, expn, auth, command): a glob on the argument (the
 *		address for mail and rcpt, <> the null sender). ACTION:
 *		drop, hang, garbage or close-mid-reply. Indented lines
 *		that follow are further lines of the reply.
 *	drop after STAGE [#N] | drop after command VERB [#N]
 *		close after the reply to that stage
 *	drop during data [N]
 *		close after N lines (default 1) of a message's DATA
 *
 *	smtp_stage_name() is the directive name of a stage.
 * DIAGNOSTICS
 *	A script error is fatal, reported as FILE:LINE: message.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_fake.h"

static const struct {
    const char *name;
    int stage;
    int pattern;
} smtp_stages[] = {
    {"greeting", SMTP_GREETING, 0}, {"helo", SMTP_HELO, 1},
    {"ehlo", SMTP_EHLO, 1},         {"mail", SMTP_MAIL, 1},
    {"rcpt", SMTP_RCPT, 1},         {"data-cmd", SMTP_DATA_CMD, 0},
    {"data", SMTP_DATA, 0},         {"bdat", SMTP_BDAT, 0},
    {"rset", SMTP_RSET, 0},         {"noop", SMTP_NOOP, 0},
    {"quit", SMTP_QUIT, 0},         {"vrfy", SMTP_VRFY, 1},
    {"expn", SMTP_EXPN, 1},         {"help", SMTP_HELP, 0},
    {"starttls", SMTP_STARTTLS, 0}, {"auth", SMTP_AUTH, 1},
    {"command", SMTP_COMMAND, 1},   {"unknown", SMTP_UNKNOWN, 0},
};

#define SMTP_NDIRECTIVES (int)(sizeof(smtp_stages) / sizeof(smtp_stages[0]))

/* Extension names that start a new EHLO line in an "ehlo" list. */
static const char *const smtp_known_keywords[] = {
    "8BITMIME", "ATRN",        "AUTH",          "BINARYMIME",
    "BURL",     "CHECKPOINT",  "CHUNKING",      "CONPERM",
    "CONNEG",   "DELIVERBY",   "DSN",           "ENHANCEDSTATUSCODES",
    "ETRN",     "EXPN",        "FUTURERELEASE", "HELP",
    "LIMITS",   "MT-PRIORITY", "MTRK",          "NO-SOLICITING",
    "ONEX",     "PIPELINING",  "PRDR",          "REQUIRETLS",
    "RRVS",     "SIZE",        "SMTPUTF8",      "STARTTLS",
    "VERB",     "VRFY",        "XCLIENT",       "XEXCH50",
    "XFORWARD", NULL,
};

struct smtp_section {
    int lo;
    int hi;
};

const char *
smtp_stage_name(int stage)
{
    int i;

    for (i = 0; i < SMTP_NDIRECTIVES; i++)
        if (smtp_stages[i].stage == stage)
            return smtp_stages[i].name;
    return "?";
}

static int
smtp_stage_lookup(const char *name, int *pattern)
{
    int i;

    for (i = 0; i < SMTP_NDIRECTIVES; i++) {
        if (strcmp(smtp_stages[i].name, name) == 0) {
            if (pattern)
                *pattern = smtp_stages[i].pattern;
            return smtp_stages[i].stage;
        }
    }
    return -1;
}

static int
smtp_is_code(const char *w)
{
    return strlen(w) == 3 && w[0] >= '2' && w[0] <= '5' &&
           isdigit((unsigned char)w[1]) && isdigit((unsigned char)w[2]);
}

/* A reply word: a code, delay=MS or an action. */
static int
smtp_is_reply_word(const char *w)
{
    struct fake_action a = {0, 0};

    return smtp_is_code(w) || fake_action_parse(w, &a) != 0;
}

static int
smtp_parse_number(const struct fake_script_line *l, const char *text,
                  const char *what)
{
    char *end;
    long v = strtol(text, &end, 10);

    if (end == text || *end || v < 1 || v > 1000000)
        fake_script_error(l, "bad %s: %s", what, text);
    return (int)v;
}

static char *
smtp_upper(const char *s)
{
    char *u = fake_strdup(s), *p;

    for (p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

static void
smtp_parse_reply(const struct fake_script_line *l, int i, struct smtp_rule *r)
{
    int acted = 0, rc, k;

    for (; i < l->nwords && !smtp_is_code(l->words[i]); i++) {
        rc = fake_action_parse(l->words[i], &r->act);
        if (rc < 0)
            fake_script_error(l, "bad delay: %s", l->words[i]);
        if (rc == 0)
            fake_script_error(l,
                              "expected a reply code (3 digits), an action "
                              "or delay=MS, found \"%s\"",
                              l->words[i]);
        if (strncmp(l->words[i], "delay=", 6) != 0 && acted++)
            fake_script_error(l, "more than one action");
    }
    if (i < l->nwords) {
        r->code = atoi(l->words[i]);
        r->nlines = 1 + l->ncont;
        r->lines = fake_realloc(NULL, (size_t)r->nlines, sizeof(char *));
        r->lines[0] = fake_strdup(fake_script_rest(l, i + 1));
        for (k = 0; k < l->ncont; k++)
            r->lines[k + 1] = fake_strdup(l->cont[k]);
    } else if (l->ncont > 0)
        fake_script_error(l, "continuation lines need a reply code");
}

static void
smtp_add_rule(struct smtp_script *s, const struct fake_script_line *l,
              int stage, int pattern, const struct smtp_section *sec)
{
    struct smtp_rule *r;
    int i = 1;

    s->rules = fake_realloc(s->rules, (size_t)s->nrules + 1, sizeof(*r));
    r = &s->rules[s->nrules++];
    memset(r, 0, sizeof(*r));
    r->stage = stage;
    r->conn_lo = sec->lo;
    r->conn_hi = sec->hi;
    r->lineno = l->lineno;
    if (stage == SMTP_COMMAND) {
        if (i >= l->nwords)
            fake_script_error(l, "command needs a command name");
        r->verb = smtp_upper(l->words[i++]);
    }
    if (i < l->nwords && l->words[i][0] == '#')
        r->nth = smtp_parse_number(l, l->words[i++] + 1, "#N");
    if (pattern && i < l->nwords && !smtp_is_reply_word(l->words[i]))
        r->pattern = fake_strdup(l->words[i++]);
    smtp_parse_reply(l, i, r);
}

static int
smtp_is_known_keyword(const char *w)
{
    int i;

    for (i = 0; smtp_known_keywords[i]; i++)
        if (strcasecmp(smtp_known_keywords[i], w) == 0)
            return 1;
    return 0;
}

static void
smtp_add_keyword(struct smtp_script *s, char *line,
                 const struct smtp_section *sec)
{
    struct smtp_keyword *k;

    s->keywords =
        fake_realloc(s->keywords, (size_t)s->nkeywords + 1, sizeof(*k));
    k = &s->keywords[s->nkeywords++];
    k->line = line;
    k->conn_lo = sec->lo;
    k->conn_hi = sec->hi;
}

static void
smtp_add_keywords(struct smtp_script *s, const struct fake_script_line *l,
                  const struct smtp_section *sec)
{
    struct fake_buf line;
    int i;

    if (l->ncont > 0)
        fake_script_error(l, "an EHLO keyword list has no continuation "
                             "lines; use one ehlo line each");
    if (l->nwords == 2 && strcmp(l->words[1], "none") == 0) {
        smtp_add_keyword(s, NULL, sec);
        return;
    }
    fake_buf_init(&line);
    for (i = 1; i < l->nwords; i++) {
        if (i > 1 && smtp_is_known_keyword(l->words[i])) {
            smtp_add_keyword(s, fake_strdup(fake_buf_cstr(&line)), sec);
            fake_buf_reset(&line);
        }
        if (line.len > 0)
            fake_buf_addch(&line, ' ');
        fake_buf_puts(&line, l->words[i]);
    }
    smtp_add_keyword(s, fake_strdup(fake_buf_cstr(&line)), sec);
    fake_buf_free(&line);
}

/* "ehlo" is a reply rule if a reply word comes first or second. */
static int
smtp_ehlo_is_reply(const struct fake_script_line *l)
{
    int i = 1;

    if (i < l->nwords && l->words[i][0] == '#')
        return 1;
    if (i < l->nwords && smtp_is_reply_word(l->words[i]))
        return 1;
    return i + 1 < l->nwords && smtp_is_reply_word(l->words[i + 1]);
}

static void
smtp_parse_section(const struct fake_script_line *l, struct smtp_section *sec)
{
    const char *spec;
    char *dash;

    if (l->nwords != 2)
        fake_script_error(l, "usage: connection N | N-M | N+ | *");
    spec = l->words[1];
    if (strcmp(spec, "*") == 0) {
        sec->lo = sec->hi = 0;
        return;
    }
    if (spec[0] && spec[strlen(spec) - 1] == '+') {
        char *n = fake_strndup(spec, strlen(spec) - 1);

        sec->lo = smtp_parse_number(l, n, "connection number");
        sec->hi = 1000000000;
        free(n);
        return;
    }
    if ((dash = strchr(spec, '-')) != NULL) {
        char *n = fake_strndup(spec, (size_t)(dash - spec));

        sec->lo = smtp_parse_number(l, n, "connection number");
        sec->hi = smtp_parse_number(l, dash + 1, "connection number");
        free(n);
        if (sec->hi < sec->lo)
            fake_script_error(l, "empty connection range: %s", spec);
        return;
    }
    sec->lo = sec->hi = smtp_parse_number(l, spec, "connection number");
}

static void
smtp_parse_drop(struct smtp_script *s, const struct fake_script_line *l,
                const struct smtp_section *sec)
{
    struct smtp_drop *d;
    int i = 2;

    if (l->nwords < 3 || (strcmp(l->words[1], "after") != 0 &&
                          strcmp(l->words[1], "during") != 0))
        fake_script_error(l, "usage: drop after STAGE [#N], drop during "
                             "data [LINES]");
    s->drops = fake_realloc(s->drops, (size_t)s->ndrops + 1, sizeof(*d));
    d = &s->drops[s->ndrops++];
    memset(d, 0, sizeof(*d));
    d->conn_lo = sec->lo;
    d->conn_hi = sec->hi;
    if (strcmp(l->words[1], "during") == 0) {
        if (strcmp(l->words[2], "data") != 0 || l->nwords > 4)
            fake_script_error(l, "usage: drop during data [LINES]");
        d->stage = SMTP_DATA;
        d->data_lines = l->nwords == 4
                            ? smtp_parse_number(l, l->words[3], "line count")
                            : 1;
        return;
    }
    if ((d->stage = smtp_stage_lookup(l->words[i++], NULL)) < 0 ||
        d->stage == SMTP_UNKNOWN)
        fake_script_error(l, "no such stage: %s", l->words[2]);
    if (d->stage == SMTP_COMMAND) {
        if (i >= l->nwords)
            fake_script_error(l, "drop after command needs a command name");
        d->verb = smtp_upper(l->words[i++]);
    }
    if (i < l->nwords && l->words[i][0] == '#')
        d->nth = smtp_parse_number(l, l->words[i++] + 1, "#N");
    if (i < l->nwords)
        fake_script_error(l, "unexpected \"%s\"", l->words[i]);
}

static void
smtp_parse_line(struct smtp_script *s, const struct fake_script_line *l,
                struct smtp_section *sec)
{
    const char *d = l->words[0];
    int stage, pattern;

    if (strcmp(d, "hostname") == 0) {
        if (l->nwords != 2)
            fake_script_error(l, "usage: hostname NAME");
        s->hostname = l->words[1];
    } else if (strcmp(d, "connection") == 0)
        smtp_parse_section(l, sec);
    else if (strcmp(d, "drop") == 0)
        smtp_parse_drop(s, l, sec);
    else if (strcmp(d, "ehlo") == 0 && !smtp_ehlo_is_reply(l)) {
        if (l->nwords < 2)
            fake_script_error(l, "ehlo needs keywords, none, or a reply");
        smtp_add_keywords(s, l, sec);
    } else if ((stage = smtp_stage_lookup(d, &pattern)) >= 0)
        smtp_add_rule(s, l, stage, pattern, sec);
    else
        fake_script_error(l, "unknown directive: %s", d);
}

void
smtp_script_load(const char *path, struct smtp_script *s)
{
    struct smtp_section sec = {0, 0};
    int i;

    memset(s, 0, sizeof(*s));
    if (path == NULL)
        return;
    fake_script_load(path, &s->source);
    for (i = 0; i < s->source.nlines; i++)
        smtp_parse_line(s, &s->source.lines[i], &sec);
}
