/*
 * NAME
 *	normalise - make a scenario's outputs comparable across runs
 * SYNOPSIS
 *	#include "msg.h"
#include "normalise.h"
 *
 *	struct norm *norm_create(const struct norm_params *p,
 *				struct buf *err);
 *	void	norm_apply(struct norm *n, struct buf *text);
 *	void	norm_free(struct norm *n);
 *	void	norm_print_rules(FILE *fp);
 * DESCRIPTION
 *	Outputs hold things that differ from run to run: the temporary
 *	directory, ports, message ids, pids, seconds, boundaries, ciphers.
 *	The rules in norm_rules[] below replace each with a stable
 *	placeholder; they are applied in table order, every one to the
 *	whole text.  A rule is one table row: a description, a PCRE2
 *	pattern (compiled with PCRE2_MULTILINE, so ^ and $ match at line
 *	ends), and a replacement in pcre2_substitute(3) syntax ($1 is the
 *	first group).  A few rows need more than a substitution and name
 *	a function that does the work.
 *
 *	norm_create() prepares the rules for one scenario run: p holds
 *	that run's directory, MTA path, source tree, ports, and the range
 *	of epoch seconds its fake clock covered.
 *
 *	norm_apply() normalises text in place.  The same struct norm must
 *	be used for all outputs of a scenario: message ids are numbered in
 *	the order norm_apply() first meets them, across calls.
 *
 *	norm_free() releases n.
 *
 *	norm_print_rules() prints the rule table as the Markdown table
 *	that docs/scenario-format.md carries (scenario-run --list-rules).
 * DIAGNOSTICS
 *	norm_create() returns NULL with a message in err if a pattern
 *	does not compile (a bug in the table).
 */

#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "msg.h"
#include "normalise.h"

struct norm;

typedef void (*norm_fn)(struct norm *, size_t, struct buf *);

struct norm_rule {
    const char *what;        /* for people */
    const char *pattern;     /* PCRE2, or a description if !regex */
    const char *replacement; /* pcre2_substitute(3) syntax */
    norm_fn apply;           /* NULL: plain substitution */
    int regex;               /* pattern is a regex to compile */
};

struct norm_id {
    char *id;
    char *placeholder;
};

struct norm {
    const struct norm_params *p;
    pcre2_code **code; /* per rule, NULL where !regex */
    struct norm_id *ids;
    size_t nids;
    char letters[16]; /* of the next message id placeholder */
};

static void norm_literal_dir(struct norm *, size_t, struct buf *);
static void norm_literal_mta(struct norm *, size_t, struct buf *);
static void norm_literal_srcdir(struct norm *, size_t, struct buf *);
static void norm_ports(struct norm *, size_t, struct buf *);
static void norm_msgids(struct norm *, size_t, struct buf *);
static void norm_epochs(struct norm *, size_t, struct buf *);
static void norm_mta_user(struct norm *, size_t, struct buf *);

#define MSGID_CHARS      "[0-9A-Za-z]"
#define NOT_ALNUM_BEFORE "(?<![0-9A-Za-z])"
#define NOT_ALNUM_AFTER  "(?![0-9A-Za-z])"
#define MONTHS           "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"

static const struct norm_rule norm_rules[] = {
    {"the scenario's temporary directory (a whole path, or the leading "
     "part of one)",
     "the path of $DIR", "$DIR", norm_literal_dir, 0},
    {"the MTA under test, likewise", "the path of $MTA", "$MTA",
     norm_literal_mta, 0},
    {"the source tree (the runner's working directory), likewise",
     "the path of $SRCDIR", "$SRCDIR", norm_literal_srcdir, 0},
    {"the pid after a log line's timestamp (log_selector +pid)",
     "^([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
     "(?:\\.[0-9]{3})?(?: [-+][0-9]{4})?) \\[[0-9]+\\]",
     "$1 [PID]", NULL, 1},
    {"pid=N", "\\bpid=[0-9]+", "pid=PID", NULL, 1},
    {"process N", "\\bprocess [0-9]+\\b", "process PID", NULL, 1},
    {"pid N: (the daemon's own log lines)", "\\bpid [0-9]+:", "pid PID:", NULL,
     1},
    {"the scenario's ports, not inside a longer number",
     "the numbers of $PORT, $PORT2, $PORT3", "$PORT, $PORT2, $PORT3",
     norm_ports, 0},
    {"message ids, new format, in order of first appearance (an E "
     "before one, as in Message-ID: <E...@host>, stays)",
     NOT_ALNUM_BEFORE "(E?)(" MSGID_CHARS "{6}-" MSGID_CHARS "{11}-" MSGID_CHARS
                      "{4})" NOT_ALNUM_AFTER,
     "10HmaX-000000005vi-0000, 10HmaY-..., 10HmaZ-..., 10HmbA-...", norm_msgids,
     1},
    {"message ids, old format (before Exim 4.97), numbered with the new "
     "ones and given the same new-format placeholders",
     NOT_ALNUM_BEFORE "(E?)(" MSGID_CHARS "{6}-" MSGID_CHARS "{6}-" MSGID_CHARS
                      "{2})" NOT_ALNUM_AFTER,
     "as above", norm_msgids, 1},
    {"seconds and milliseconds of timestamps (log_selector +millisec)",
     "\\b([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}):[0-9]{2}\\.[0-9]{3}"
     "\\b",
     "$1:ss.mmm", NULL, 1},
    {"seconds of timestamps",
     "\\b([0-9]{4}-[0-9]{2}-[0-9]{2} "
     "[0-9]{2}:[0-9]{2}):[0-9]{2}\\b",
     "$1:ss", NULL, 1},
    {"seconds of RFC 5322 dates (headers, DSNs)",
     "\\b([0-9]{1,2} " MONTHS " [0-9]{4} [0-9]{2}:[0-9]{2}):[0-9]{2}"
     "(?= [-+][0-9]{4})",
     "$1:ss", NULL, 1},
    {"seconds of the date in an mbox \"From \" line ($tod_bsdinbox)",
     "^(From \\S+ [A-Z][a-z]{2} " MONTHS " [ 0-9][0-9] "
     "[0-9]{2}:[0-9]{2}):[0-9]{2}(?= [0-9]{4}$)",
     "$1:ss", NULL, 1},
    {"MIME boundaries of Exim's DSNs", "\\b[0-9]+-eximdsn-[0-9]+\\b",
     "NNNNNNNNNN-eximdsn-MMMMMMMMMM", NULL, 1},
    {"epoch seconds the scenario's clock has shown (spool -H files), "
     "within a minute of the range",
     "(?<![0-9])[0-9]{10}(?![0-9])", "EPOCH", norm_epochs, 1},
    {"microseconds after an epoch", "(?<=EPOCH)\\.[0-9]{1,6}(?![0-9])",
     ".uuuuuu", NULL, 1},
    {"microseconds of a spool -H file's receive time",
     "^-received_time_usec \\.[0-9]{6}$", "-received_time_usec .uuuuuu", NULL,
     1},
    {"TLS cipher suites (the protocol version stays)",
     "\\b(TLS1\\.[0-3]):[A-Za-z0-9_-]+:[0-9]+\\b", "$1:CIPHER:nnn", NULL, 1},
    {"client ports in Received: headers (incoming_port)", "\\(port=[0-9]+\\b",
     "(port=EPHEMERAL", NULL, 1},
    {"client ports on the loopback", "\\[(127\\.0\\.0\\.1|::1)\\]:[0-9]+\\b",
     "[$1]:EPHEMERAL", NULL, 1},
    {"a session's duration on its closing line (whether a second boundary "
     "passed is luck)",
     "(?<![A-Za-z])D=[0-9]+(?:\\.[0-9]+)?s\\b", "D=Ns", NULL, 1},
    {"a real Exim's name and version where mxlab writes its own (SMTP "
     "banner, Received: header, daemon start line); the golden files "
     "were made with mxlab 0.1.0",
     "\\b[Ee]xim 4\\.[0-9]+(?:\\.[0-9]+)*(?:_[0-9]+)?\\b(?! compatible)",
     "mxlab 0.1.0", NULL, 1},
    {"Exim's warning for a configuration without keep_environment (two "
     "lines)",
     "^[^\\n]*Warning: purging the environment\\.\\n"
     " Suggested action: use keep_environment\\.\\n",
     "", NULL, 1},
    {"Exim's panic line when a -C or -D of a re-executed Exim is not "
     "trusted (the deliveries that fail for it still show)",
     "^[^\\n]*exim user lost privilege for using -[CD] option\\n", "", NULL, 1},
    {"the MTA's own user (--mta-user NAME): U=NAME on log lines, the line "
     "\"NAME UID GID\" of a spool -H file, and \"Received: from NAME by\" "
     "of a message it submitted (a bounce); the golden files were made "
     "with root as the caller (the name alone is left: it may be the "
     "MTA's own name, as mxlab's user is). Against another MTA than "
     "mxlab, the S= of a report (<= <> R=...) becomes S=N in the golden "
     "file and the output alike: Exim's MIME boundary has a random number "
     "of digits",
     "U=NAME; the line NAME UID GID; from NAME by; <= <> R=... S=N",
     "U=root; root 0 0; from root by; S=N", norm_mta_user, 0},
    {"the host of an \"authenticator failed\" line as Exim before 4.99 "
     "wrote it, without H= (4.99 added the tag; mxlab follows it)",
     "(?<= authenticator failed for )(?!H=|U=)", "H=", NULL, 1},
    {"Exim's name where mxlab starts a message to standard error with its "
     "own (\"exim: message rejected ...\")",
     "^exim: ", "mxlab: ", NULL, 1},
    {"Exim's name where mxlab starts a command-line error with its own "
     "(\"exim abandoned: \\\"X\\\" is not an IP address\")",
     "^exim abandoned: ", "mxlab abandoned: ", NULL, 1},
    {"the reference Exim's trusted shim configuration (exim-lab runs Exim "
     "with -C .../etc/lab.conf, which includes the scenario's file; "
     "docs/conformance.md) where mxlab names $DIR/test.conf",
     "(?<![^\\s\"'=<>(])/[^\\s\"']*/etc/lab\\.conf\\b", "$$DIR/test.conf", NULL,
     1},
};

#define NORM_NRULES (sizeof(norm_rules) / sizeof(*norm_rules))

/* ---------- literal rules ---------- */

enum norm_bound {
    NORM_NUMBER, /* not next to another digit */
    NORM_PATH,   /* not inside a longer path; "/" or "." may follow */
    NORM_WORD,   /* not inside a longer name */
    NORM_ANY,    /* anywhere */
};

static int
norm_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
norm_is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Is the match at hit (len bytes) in text a whole number or path? */
static int
norm_bounded(const struct buf *text, const char *hit, size_t len,
             enum norm_bound bound)
{
    int has_before = hit > text->data;
    int has_after = hit + len < text->data + text->len;
    char before = has_before ? hit[-1] : ' ';
    char after = has_after ? hit[len] : ' ';

    if (bound == NORM_NUMBER)
        return !norm_is_digit(before) && !norm_is_digit(after);
    if (bound == NORM_ANY)
        return 1;
    if (bound == NORM_WORD)
        return !norm_is_name_char(before) && !norm_is_name_char(after);
    return !norm_is_name_char(before) && before != '/' && before != '.' &&
           !norm_is_name_char(after);
}

static void
norm_replace_literal(struct buf *text, const char *what, const char *with,
                     enum norm_bound bound)
{
    struct buf out = BUF_INIT;
    size_t wlen = what ? strlen(what) : 0;
    const char *s = text->data;
    const char *end = s + text->len;
    const char *hit;

    if (wlen < 2 || text->len == 0)
        return;
    buf_add(&out, "", 0);
    while ((hit = memmem(s, (size_t)(end - s), what, wlen)) != NULL) {
        buf_add(&out, s, (size_t)(hit - s));
        if (norm_bounded(text, hit, wlen, bound))
            buf_puts(&out, with);
        else
            buf_add(&out, hit, wlen);
        s = hit + wlen;
    }
    buf_add(&out, s, (size_t)(end - s));
    buf_free(text);
    *text = out;
}

static void
norm_literal_dir(struct norm *n, size_t rule, struct buf *text)
{
    norm_replace_literal(text, n->p->dir, norm_rules[rule].replacement,
                         NORM_PATH);
}

static void
norm_literal_mta(struct norm *n, size_t rule, struct buf *text)
{
    norm_replace_literal(text, n->p->mta, norm_rules[rule].replacement,
                         NORM_PATH);
}

/* "/" as the source tree would replace every slash; leave it. */
static void
norm_literal_srcdir(struct norm *n, size_t rule, struct buf *text)
{
    if (n->p->srcdir != NULL && strcmp(n->p->srcdir, "/") != 0)
        norm_replace_literal(text, n->p->srcdir, norm_rules[rule].replacement,
                             NORM_PATH);
}

static void
norm_ports(struct norm *n, size_t rule, struct buf *text)
{
    static const char *const names[] = {"$PORT", "$PORT2", "$PORT3"};

    (void)rule;
    for (int i = 0; i < 3; i++)
        norm_replace_literal(text, n->p->ports[i], names[i], NORM_NUMBER);
}

/* --mta-user: its name, its Received: lines, then the "root UID GID"
 * line it leaves. */
static void
norm_mta_user(struct norm *n, size_t rule, struct buf *text)
{
    struct buf ids = BUF_INIT;

    (void)rule;
    if (n->p->mta_user == NULL || strcmp(n->p->mta_user, "root") == 0)
        return;
    buf_printf(&ids, "U=%s", n->p->mta_user);
    norm_replace_literal(text, buf_str(&ids), "U=root", NORM_WORD);
    buf_reset(&ids);
    buf_printf(&ids, "Received: from %s by ", n->p->mta_user);
    norm_replace_literal(text, buf_str(&ids), "Received: from root by ",
                         NORM_ANY);
    buf_reset(&ids);
    buf_printf(&ids, "\n%s %ld %ld\n", n->p->mta_user, n->p->mta_uid,
               n->p->mta_gid);
    norm_replace_literal(text, buf_str(&ids), "\nroot 0 0\n", NORM_ANY);
    buf_free(&ids);
}

/* ---------- regex rules ---------- */

typedef void (*norm_match_fn)(struct norm *, const char *subject,
                              const PCRE2_SIZE *ov, struct buf *out);

/* Replace each match of rule's pattern with what fn appends. */
static void
norm_each_match(struct norm *n, size_t rule, struct buf *text, norm_match_fn fn)
{
    pcre2_code *re = n->code[rule];
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    const char *subject = buf_str(text);
    struct buf out = BUF_INIT;
    PCRE2_SIZE pos = 0;
    const PCRE2_SIZE *ov;

    if (md == NULL)
        msg_fatal("out of memory for a PCRE2 match");
    buf_add(&out, "", 0);
    while (pos <= text->len && pcre2_match(re, (PCRE2_SPTR)subject, text->len,
                                           pos, 0, md, NULL) >= 0) {
        ov = pcre2_get_ovector_pointer(md);
        buf_add(&out, subject + pos, ov[0] - pos);
        fn(n, subject, ov, &out);
        pos = ov[1];
        if (ov[1] == ov[0] && pos < text->len)
            buf_putc(&out, subject[pos++]);
        else if (ov[1] == ov[0])
            break;
    }
    if (pos < text->len)
        buf_add(&out, subject + pos, text->len - pos);
    pcre2_match_data_free(md);
    buf_free(text);
    *text = out;
}

static void
norm_substitute(struct norm *n, size_t rule, struct buf *text)
{
    const char *repl = norm_rules[rule].replacement;
    PCRE2_SIZE size = text->len + text->len / 4 + 64;
    char *out = NULL;
    int rc;

    for (int tries = 0; tries < 2; tries++) {
        out = mem_grow(out, size + 1, 1);
        rc = pcre2_substitute(
            n->code[rule], (PCRE2_SPTR)buf_str(text), text->len, 0,
            PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, NULL,
            NULL, (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out,
            &size);
        if (rc != PCRE2_ERROR_NOMEMORY)
            break;
    }
    if (rc < 0)
        msg_fatal("normalisation rule %zu failed: error %d", rule + 1, rc);
    if (rc > 0) {
        buf_reset(text);
        buf_add(text, out, size);
    }
    free(out);
}

/* The next placeholder: 10HmaX, 10HmaY, 10HmaZ, 10HmbA, ... */
static void
norm_next_letters(char *letters, size_t size)
{
    size_t len = strlen(letters);
    size_t i = len;

    while (i-- > 0) {
        if (letters[i] == 'Z' || letters[i] == 'z') {
            letters[i] -= 25;
            continue;
        }
        letters[i]++;
        return;
    }
    if (len + 2 <= size) { /* carried out of the first letter */
        memmove(letters + 1, letters, len + 1);
        letters[0] = 'a';
    }
}

static const char *
norm_placeholder(struct norm *n, const char *id, size_t len)
{
    struct buf ph = BUF_INIT;
    struct norm_id *e;

    for (size_t i = 0; i < n->nids; i++)
        if (strlen(n->ids[i].id) == len && memcmp(n->ids[i].id, id, len) == 0)
            return n->ids[i].placeholder;
    buf_printf(&ph, "10Hm%s-000000005vi-0000", n->letters);
    norm_next_letters(n->letters, sizeof(n->letters));
    n->ids = mem_grow(n->ids, n->nids + 1, sizeof(*n->ids));
    e = &n->ids[n->nids++];
    e->id = mem_strndup(id, len);
    e->placeholder = buf_steal(&ph);
    return e->placeholder;
}

static void
norm_msgid_match(struct norm *n, const char *subject, const PCRE2_SIZE *ov,
                 struct buf *out)
{
    buf_add(out, subject + ov[2], ov[3] - ov[2]); /* the E, if any */
    buf_puts(out, norm_placeholder(n, subject + ov[4], ov[5] - ov[4]));
}

static void
norm_msgids(struct norm *n, size_t rule, struct buf *text)
{
    norm_each_match(n, rule, text, norm_msgid_match);
}

static void
norm_epoch_match(struct norm *n, const char *subject, const PCRE2_SIZE *ov,
                 struct buf *out)
{
    long long v = strtoll(subject + ov[0], NULL, 10);

    if (v >= n->p->epoch_lo - 60 && v <= n->p->epoch_hi + 60)
        buf_puts(out, "EPOCH");
    else
        buf_add(out, subject + ov[0], ov[1] - ov[0]);
}

static void
norm_epochs(struct norm *n, size_t rule, struct buf *text)
{
    norm_each_match(n, rule, text, norm_epoch_match);
}

/* ---------- the interface ---------- */

static pcre2_code *
norm_compile(size_t rule, struct buf *err)
{
    int code;
    PCRE2_SIZE at;
    PCRE2_UCHAR msg[256];
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)norm_rules[rule].pattern,
                      PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &code, &at, NULL);

    if (re == NULL) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        buf_printf(err, "normalisation rule %zu: %s at offset %zu", rule + 1,
                   (char *)msg, (size_t)at);
    }
    return re;
}

struct norm *
norm_create(const struct norm_params *p, struct buf *err)
{
    struct norm *n = mem_array(1, sizeof(*n));

    n->p = p;
    n->code = mem_array(NORM_NRULES, sizeof(*n->code));
    memcpy(n->letters, "aX", 3);
    for (size_t i = 0; i < NORM_NRULES; i++) {
        if (norm_rules[i].regex &&
            (n->code[i] = norm_compile(i, err)) == NULL) {
            norm_free(n);
            return NULL;
        }
    }
    return n;
}

void
norm_apply(struct norm *n, struct buf *text)
{
    buf_add(text, "", 0);
    for (size_t i = 0; i < NORM_NRULES; i++) {
        if (norm_rules[i].apply != NULL)
            norm_rules[i].apply(n, i, text);
        else
            norm_substitute(n, i, text);
    }
}

void
norm_free(struct norm *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < NORM_NRULES; i++)
        if (n->code[i] != NULL)
            pcre2_code_free(n->code[i]);
    for (size_t i = 0; i < n->nids; i++) {
        free(n->ids[i].id);
        free(n->ids[i].placeholder);
    }
    free(n->ids);
    free(n->code);
    free(n);
}

/* A table cell: "|" escaped, regexes in backquotes. */
static void
norm_print_cell(FILE *fp, const char *text, int code)
{
    fputs(code ? " `" : " ", fp);
    for (const char *s = text; *s != '\0'; s++) {
        if (*s == '|')
            fputc('\\', fp);
        fputc(*s, fp);
    }
    fputs(code ? "` |" : " |", fp);
}

void
norm_print_rules(FILE *fp)
{
    fputs("| # | what | pattern | replacement |\n", fp);
    fputs("|---|---|---|---|\n", fp);
    for (size_t i = 0; i < NORM_NRULES; i++) {
        const struct norm_rule *r = &norm_rules[i];

        fprintf(fp, "| %zu |", i + 1);
        norm_print_cell(fp, r->what, 0);
        norm_print_cell(fp, r->pattern, r->regex);
        norm_print_cell(fp, r->replacement, 1);
        fputc('\n', fp);
    }
}

/* A report's size ("<= <> R=ID U=NAME P=local S=N" to "S=N"): Exim's
 * MIME boundary ends in a random number of one to ten digits where mxlab
 * writes ten. Appends the line, changed or not, to out. */
static void
foreign_report_size(struct buf *out, const char *p, size_t len)
{
    const char *r = memmem(p, len, " <= <> R=", 9);
    const char *sz =
        r != NULL ? memmem(r, len - (size_t)(r - p), " P=local S=", 11) : NULL;
    const char *end = sz != NULL ? sz + 11 : NULL;

    while (end != NULL && end < p + len && *end >= '0' && *end <= '9')
        end++;
    if (end != NULL && end > sz + 11) {
        buf_add(out, p, (size_t)(sz + 11 - p));
        buf_puts(out, "N");
        buf_add(out, end, len - (size_t)(end - p));
    } else {
        buf_add(out, p, len);
    }
}

/* The reason after a lookup's "gave DEFER: ", cut off: mxlab names the
 * DNS error (SERVFAIL, timeout, ...), Exim gives none (docs/dns.md). True
 * when it did so and appended the line to out. */
static int
foreign_defer_reason(struct buf *out, const char *p, size_t len)
{
    static const char tag[] = " gave DEFER: ";
    const char *g = memmem(p, len, tag, sizeof tag - 1);

    if (g == NULL)
        return 0;
    buf_add(out, p, (size_t)(g - p) + sizeof tag - 1);
    if (p[len - 1] == '\n')
        buf_puts(out, "\n");
    return 1;
}

/* Run against another MTA than mxlab, golden and actual alike: the
 * differences that a scenario cannot avoid and that are not the MTA's
 * behaviour under test (docs/conformance.md lists them). */
void
norm_foreign(struct buf *text)
{
    struct buf out = BUF_INIT;
    const char *p = text->data, *stop = text->data + text->len;

    while (p < stop) {
        const char *eol = memchr(p, '\n', (size_t)(stop - p));
        size_t len = eol != NULL ? (size_t)(eol - p + 1) : (size_t)(stop - p);

        if (!foreign_defer_reason(&out, p, len))
            foreign_report_size(&out, p, len);
        p += len;
    }
    buf_reset(text);
    buf_add(text, out.data, out.len);
    buf_free(&out);
}
