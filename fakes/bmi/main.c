/*++
 * NAME
 *	fake-bmid 1
 * SUMMARY
 *	a simulated Brightmail (BMI) server for mxlab's BMI line protocol
 * SYNOPSIS
 *	fake-bmid --port N | --unix PATH | --listen SPEC
 *		[--script FILE] [--transcript FILE] [--fault MODE] ...
 * DESCRIPTION
 *	fake-bmid answers libbmiclient_single (mxlab's stand-in for the
 *	Brightmail client SDK, used by mxlab and by an Exim built with
 *	EXPERIMENTAL_BRIGHTMAIL) over the protocol of
 *	docs/bmi-protocol.md. It greets with "BMI1 ...", reads one message
 *	(connection address, sender, recipients with their opt-in
 *	strings, header lines, body) and, at END, gives each recipient a
 *	verdict from its script: deliver normally, deliver to an alternate
 *	location (a header-like string), do not deliver, or an error, with
 *	the rule numbers that fired. Recipients with the same verdict share
 *	one VERDICT line, in the order they came. Everything received and
 *	sent goes to the transcript.
 *
 *	Script directives (docs/fakes.md has the full list):
 *
 *	rule [rcpt GLOB] [sender GLOB] [ip GLOB] [optin STRING]
 *	     [header REGEX] [body REGEX] => VERDICT [rules N,N..]
 *	     [alt TEXT | altx XTEXT]
 *		the first rule whose conditions all hold for a recipient
 *		decides its verdict (deliver, alternate, discard, error);
 *		without one it is "deliver" with no rules.
 *	greeting TEXT	the text after "BMI1 " in the greeting.
 *	answer ACTION	drop, hang, garbage, close-mid-reply or delay=MS
 *		instead of (or before) the verdict answer.
 *	error TEXT	answer "ERROR TEXT" instead of verdicts.
 * DIAGNOSTICS
 *	A protocol error from the client gets "ERROR ..." and the
 *	connection is closed. Exit status 0 after SIGTERM, 1 for a script
 *	or set-up error, 2 for a bad command line.
 *--*/

#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../common/fake_buf.h"
#include "../common/fake_conn.h"
#include "../common/fake_fault.h"
#include "../common/fake_msg.h"
#include "../common/fake_opts.h"
#include "../common/fake_regex.h"
#include "../common/fake_script.h"
#include "../common/fake_server.h"
#include "../common/fake_transcript.h"
#include "bmid.h"

#define BM_MAX_RULES  64
#define BM_MAX_RCPTS  1000
#define BM_MAX_OPTINS 32
#define BM_LINE_MAX   65536

static const char bm_help[] =
    "Script (--script FILE): one directive a line, # comments.\n"
    "  rule [rcpt GLOB] [sender GLOB] [ip GLOB] [optin STRING]\n"
    "       [header REGEX] [body REGEX] => VERDICT [rules N,N...] [alt TEXT]\n"
    "                       the first matching rule decides a recipient's\n"
    "                       verdict: deliver, alternate (needs alt), discard\n"
    "                       or error; no match: deliver, no rules\n"
    "                       (altx XTEXT instead of alt: the location sent as\n"
    "                       written, in xtext, so a test can send any byte)\n"
    "  greeting TEXT        the greeting is \"BMI1 TEXT\" (default "
    "\"fake-bmid ready\")\n"
    "  answer ACTION        drop | hang | garbage | close-mid-reply | "
    "delay=MS\n"
    "                       for the verdict answer\n"
    "  error TEXT           answer \"ERROR TEXT\" instead of verdicts\n"
    "GLOBs match case-insensitively (sender \"\" or <> is the null "
    "sender);\n"
    "REGEXes are POSIX extended, case-insensitive; header is tried on each\n"
    "header line, body on the whole body.\n"
    "Example:\n"
    "  rule rcpt spam@* => discard rules 5\n"
    "  rule header \"^Subject:.*offer\" => alternate rules 8,11 alt "
    "\"X-Spam: yes\"\n";

enum bm_kind { K_DEFAULT, K_ALTERNATE, K_DISCARD, K_ERROR };
static const char *const bm_kind_names[] = {"default", "alternate", "discard",
                                            "error"};

struct bm_rule {
    const char *rcpt, *sender, *ip, *optin;
    regex_t header, body;
    int has_header, has_body;
    enum bm_kind kind;
    const char *rules; /* "5,8" or NULL */
    const char *alt;
    int alt_raw; /* alt is sent as written (altx: already xtext) */
};

struct bm_config {
    struct bm_rule rules[BM_MAX_RULES];
    int nrules;
    const char *greeting;
    struct fake_action answer;
    const char *error;
};

struct bm_rcpt {
    char *address;
    char *optins[BM_MAX_OPTINS];
    int noptins;
    const struct bm_rule *rule; /* NULL: default */
};

struct bm_msg {
    char *ip, *sender;
    struct bm_rcpt rcpts[BM_MAX_RCPTS];
    int nrcpts;
    struct fake_buf headers; /* the header lines, NUL-separated */
    struct fake_buf body;
};

static struct bm_config bm_cfg;
static struct fake_opts bm_opts;

static int
bm_valid_rules(const char *s)
{
    if (*s == '\0')
        return 0;
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= '0' && *p <= '9') ||
              (*p == ',' && p != s && p[1] != ',' && p[1] != '\0')))
            return 0;
    return 1;
}

static void
bm_parse_rule(const struct fake_script_line *l, struct bm_rule *r)
{
    char **w = l->words;
    int n = l->nwords, i = 1, k;

    memset(r, 0, sizeof(*r));
    for (; i < n && strcmp(w[i], "=>") != 0; i += 2) {
        if (i + 1 >= n || strcmp(w[i + 1], "=>") == 0)
            fake_script_error(l, "\"%s\" needs a value", w[i]);
        if (strcmp(w[i], "rcpt") == 0)
            r->rcpt = w[i + 1];
        else if (strcmp(w[i], "sender") == 0)
            r->sender = w[i + 1];
        else if (strcmp(w[i], "ip") == 0)
            r->ip = w[i + 1];
        else if (strcmp(w[i], "optin") == 0)
            r->optin = w[i + 1];
        else if (strcmp(w[i], "header") == 0) {
            fake_regex_compile(l, &r->header, w[i + 1]);
            r->has_header = 1;
        } else if (strcmp(w[i], "body") == 0) {
            fake_regex_compile(l, &r->body, w[i + 1]);
            r->has_body = 1;
        } else
            fake_script_error(l, "unknown condition \"%s\"", w[i]);
    }
    if (i + 1 >= n)
        fake_script_error(l, "missing \"=> VERDICT\"");
    for (k = 0; k < 4 && strcmp(bm_kind_names[k], w[i + 1]) != 0; k++)
        ;
    if (k == 4 && strcmp(w[i + 1], "deliver") == 0)
        k = K_DEFAULT;
    else if (k == 4)
        fake_script_error(l, "unknown verdict \"%s\"", w[i + 1]);
    r->kind = (enum bm_kind)k;
    for (i += 2; i < n; i += 2) {
        if (i + 1 >= n)
            fake_script_error(l, "\"%s\" needs a value", w[i]);
        if (strcmp(w[i], "rules") == 0 && bm_valid_rules(w[i + 1]))
            r->rules = w[i + 1];
        else if (strcmp(w[i], "alt") == 0)
            r->alt = w[i + 1];
        else if (strcmp(w[i], "altx") == 0) {
            r->alt = w[i + 1];
            r->alt_raw = 1;
        } else
            fake_script_error(l, "bad \"%s %s\"", w[i], w[i + 1]);
    }
    if ((r->kind == K_ALTERNATE) != (r->alt != NULL))
        fake_script_error(l, "alt TEXT (or altx) goes with alternate, and "
                             "only with it");
}

static void
bm_load(const char *path, struct bm_config *cfg)
{
    struct fake_script sc;

    fake_regex_begin();
    cfg->greeting = "fake-bmid ready";
    if (path == NULL)
        return;
    fake_script_load(path, &sc);
    for (int i = 0; i < sc.nlines; i++) {
        struct fake_script_line *l = &sc.lines[i];
        char **w = l->words;
        int n = l->nwords;

        if (strcmp(w[0], "rule") == 0) {
            if (cfg->nrules == BM_MAX_RULES)
                fake_script_error(l, "too many rules");
            bm_parse_rule(l, &cfg->rules[cfg->nrules++]);
        } else if (strcmp(w[0], "greeting") == 0 && n >= 2)
            cfg->greeting = fake_strdup(fake_script_rest(l, 1));
        else if (strcmp(w[0], "error") == 0 && n >= 2)
            cfg->error = fake_strdup(fake_script_rest(l, 1));
        else if (strcmp(w[0], "answer") == 0 && n == 2) {
            if (fake_action_parse(w[1], &cfg->answer) <= 0)
                fake_script_error(l, "unknown answer action \"%s\"", w[1]);
        } else
            fake_script_error(l, "unknown or malformed directive \"%s\"", w[0]);
    }
}

static int
bm_glob(const char *pattern, const char *s)
{
    if (strcmp(pattern, "<>") == 0)
        pattern = "";
    if (*pattern == '\0')
        return *s == '\0';
    return fnmatch(pattern, s, FNM_CASEFOLD) == 0;
}

static int
bm_header_match(const regex_t *re, const struct fake_buf *h)
{
    for (size_t off = 0; off < h->len; off += strlen(h->data + off) + 1)
        if (regexec(re, h->data + off, 0, NULL, 0) == 0)
            return 1;
    return 0;
}

static int
bm_rule_holds(const struct bm_rule *r, struct bm_msg *m,
              const struct bm_rcpt *rc)
{
    if (r->rcpt && !bm_glob(r->rcpt, rc->address))
        return 0;
    if (r->sender && !bm_glob(r->sender, m->sender ? m->sender : ""))
        return 0;
    if (r->ip && !bm_glob(r->ip, m->ip ? m->ip : ""))
        return 0;
    if (r->optin) {
        int found = 0;
        for (int i = 0; i < rc->noptins && !found; i++)
            found = strcasecmp(rc->optins[i], r->optin) == 0;
        if (!found)
            return 0;
    }
    if (r->has_header && !bm_header_match(&r->header, &m->headers))
        return 0;
    if (r->has_body &&
        regexec(&r->body, fake_buf_cstr(&m->body), 0, NULL, 0) != 0)
        return 0;
    return 1;
}

static int
bm_same(const struct bm_rule *a, const struct bm_rule *b)
{
    if (a == b)
        return 1;
    if (a == NULL || b == NULL)
        return 0;
    return a->kind == b->kind &&
           strcmp(a->rules ? a->rules : "", b->rules ? b->rules : "") == 0 &&
           strcmp(a->alt ? a->alt : "", b->alt ? b->alt : "") == 0;
}

/* The answer: one VERDICT line per distinct verdict, then ".". */
static void
bm_verdicts(struct bm_msg *m, struct fake_buf *out)
{
    int done[BM_MAX_RCPTS] = {0};

    for (int i = 0; i < m->nrcpts; i++) {
        struct bm_rcpt *rc = &m->rcpts[i];
        rc->rule = NULL;
        for (int j = 0; j < bm_cfg.nrules && rc->rule == NULL; j++)
            if (bm_rule_holds(&bm_cfg.rules[j], m, rc))
                rc->rule = &bm_cfg.rules[j];
    }
    for (int i = 0; i < m->nrcpts; i++) {
        const struct bm_rule *r = m->rcpts[i].rule;
        if (done[i])
            continue;
        fake_buf_printf(out, "VERDICT %s %s ",
                        bm_kind_names[r ? r->kind : K_DEFAULT],
                        r && r->rules ? r->rules : "-");
        if (r && r->alt && r->alt_raw)
            fake_buf_puts(out, r->alt);
        else if (r && r->alt && strcmp(r->alt, "-") == 0)
            fake_buf_puts(out, "+2D");
        else if (r && r->alt)
            bm_xtext(out, r->alt);
        else
            fake_buf_puts(out, "-");
        for (int j = i; j < m->nrcpts; j++)
            if (!done[j] && bm_same(r, m->rcpts[j].rule)) {
                done[j] = 1;
                fake_buf_puts(out, " ");
                bm_xtext(out, m->rcpts[j].address);
            }
        fake_buf_puts(out, "\n");
    }
    fake_buf_puts(out, ".\n");
}

static void
bm_msg_free(struct bm_msg *m)
{
    free(m->ip);
    free(m->sender);
    for (int i = 0; i < m->nrcpts; i++) {
        free(m->rcpts[i].address);
        for (int j = 0; j < m->rcpts[i].noptins; j++)
            free(m->rcpts[i].optins[j]);
    }
    fake_buf_free(&m->headers);
    fake_buf_free(&m->body);
    memset(m, 0, sizeof(*m));
}

static int
bm_send(struct fake_conn *c, const char *text, const struct fake_action *a)
{
    static const struct fake_action plain = {FAKE_ACT_REPLY, 0};

    return fake_fault_respond(c, a ? a : &plain, text, strlen(text), NULL);
}

static int
bm_protocol_error(struct fake_conn *c, const char *why)
{
    struct fake_buf out;

    fake_buf_init(&out);
    fake_buf_printf(&out, "ERROR %s\n", why);
    fake_conn_send_last(c, out.data, out.len, "protocol error, closing");
    fake_buf_free(&out);
    return FAKE_IO_CLOSED;
}

/* HEADER n / BODY n: reads the n bytes that follow. */
static int
bm_data(struct fake_conn *c, long n, struct fake_buf *into, int header)
{
    struct fake_buf data;
    int rc;

    if ((long)into->len + n > BM_DATA_MAX)
        return bm_protocol_error(c, "too much data");
    fake_buf_init(&data);
    rc = fake_conn_read_bytes(c, &data, (size_t)n);
    if (rc == FAKE_IO_OK) {
        fake_buf_append(into, data.data, data.len);
        if (header) /* one header line each, NUL-separated */
            fake_buf_addch(into, '\0');
    }
    fake_buf_free(&data);
    return rc;
}

static int
bm_answer(struct fake_conn *c, struct bm_msg *m)
{
    struct fake_buf out;
    int rc;

    fake_buf_init(&out);
    if (bm_cfg.error)
        fake_buf_printf(&out, "ERROR %s\n", bm_cfg.error);
    else
        bm_verdicts(m, &out);
    rc = bm_send(c, fake_buf_cstr(&out), &bm_cfg.answer);
    fake_buf_free(&out);
    return rc;
}

/* One command line of a message (without its line end). */
static int
bm_command(struct fake_conn *c, struct bm_msg *m, const char *line, int *in_msg)
{
    const char *why = NULL;
    char *val = NULL;
    long len;
    enum bm_cmd cmd = bm_parse_line(line, &val, &len, &why);
    struct bm_rcpt *r;

    if (cmd == BM_BAD)
        return bm_protocol_error(c, why);
    if (cmd != BM_MESSAGE && !*in_msg) {
        free(val);
        return bm_protocol_error(c, "no MESSAGE");
    }
    switch (cmd) {
    case BM_MESSAGE:
        bm_msg_free(m);
        *in_msg = 1;
        break;
    case BM_IP:
        free(m->ip);
        m->ip = val;
        break;
    case BM_FROM:
        free(m->sender);
        m->sender = val;
        break;
    case BM_TO:
        if (m->nrcpts == BM_MAX_RCPTS) {
            free(val);
            return bm_protocol_error(c, "too many recipients");
        }
        m->rcpts[m->nrcpts++].address = val;
        break;
    case BM_OPTIN:
        r = m->nrcpts > 0 ? &m->rcpts[m->nrcpts - 1] : NULL;
        if (r == NULL || r->noptins == BM_MAX_OPTINS) {
            free(val);
            return bm_protocol_error(c, "OPTIN without TO, or too many");
        }
        r->optins[r->noptins++] = val;
        break;
    case BM_HEADER:
        return bm_data(c, len, &m->headers, 1);
    case BM_BODY:
        return bm_data(c, len, &m->body, 0);
    case BM_END:
        *in_msg = 0;
        return bm_answer(c, m);
    default: /* ENDTO, ENDHEADERS, ENDBODY: nothing to do */
        break;
    }
    return FAKE_IO_OK;
}

static int
bm_session(struct fake_conn *c, void *ctx)
{
    struct fake_buf greet, line;
    static struct bm_msg msg;
    int rc, in_msg = 0;

    (void)ctx;
    fake_buf_init(&greet);
    fake_buf_init(&line);
    fake_buf_printf(&greet, "BMI1 %s\n", bm_cfg.greeting);
    rc = bm_send(c, fake_buf_cstr(&greet), NULL);
    while (rc == FAKE_IO_OK) {
        size_t len;
        if ((rc = fake_conn_read_line(c, &line, BM_LINE_MAX)) != FAKE_IO_OK)
            break;
        len = line.len;
        while (len > 0 &&
               (line.data[len - 1] == '\n' || line.data[len - 1] == '\r'))
            line.data[--len] = '\0';
        rc = bm_command(c, &msg, line.data, &in_msg);
    }
    bm_msg_free(&msg);
    fake_buf_free(&greet);
    fake_buf_free(&line);
    return rc == FAKE_IO_TOOLONG ? bm_protocol_error(c, "line too long") : rc;
}

int
main(int argc, char **argv)
{
    static const struct fake_option none[] = {{NULL, NULL, NULL, NULL}};
    struct fake_program prog = {
        "fake-bmid",
        "A simulated Brightmail (BMI) server: per-recipient verdicts from "
        "a script.",
        none, NULL, bm_help};

    fake_msg_init(argv[0]);
    fake_opts_parse(argc, argv, &bm_opts, &prog);
    bm_load(bm_opts.script, &bm_cfg);
    umask(0);
    return fake_server_run(&bm_opts, bm_session, NULL);
}
