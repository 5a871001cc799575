/*++
 * NAME
 *	test-receive 1
 * SUMMARY
 *	unit tests for src/receive
 * DESCRIPTION
 *	Table-driven Check tests: header parsing and folding, where the
 *	header section ends, header type characters, the headers added
 *	on reception (and when not), -t extraction, the size limit, the
 *	client's names ($sender_fullhost, $sender_rcvhost), the "<=" line
 *	under log selectors, ACL header changes, and a round trip through
 *	a temporary spool read back with spool_read_header().
 *--*/

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/addr.h"
#include "receive/receive.h"
#include "receive/receive_int.h"
#include "spool/envelope.h"
#include "spool/spool_read.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXL     8

static char spool_dir[] = "/tmp/test-receive-XXXXXX";

static void
set_selectors(const char *sel)
{
    struct main_config mc = main_config;
    struct arena *a = arena_create();
    gstr err;

    gstr_init(&err, a);
    mc.log_selector = (char *)sel;
    mc.spool_directory = spool_dir;
    ck_assert_int_eq(log_setup(&mc, &err), 0);
    arena_destroy(a);
}

static void
setup(void)
{
    set_selectors("");
}

/* The defaults, with the few options the tests rely on. */
static int
load_config(void)
{
    char path[sizeof(spool_dir) + 16];
    gstr err;
    FILE *f;

    snprintf(path, sizeof(path), "%s/test.conf", spool_dir);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    fprintf(f,
            "primary_hostname = mx.test.ex\nqualify_domain = test.ex\n"
            "spool_directory = %s\nmessage_logs = false\n",
            spool_dir);
    fclose(f);
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0) {
        fprintf(stderr, "conf_load: %s\n", gstr_str(&err));
        return -1;
    }
    return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

/* A message from lines; SMTP-like unless local is set. */
struct msg {
    struct arena *a;
    struct expand_ctx x;
    struct receive *r;
    struct receive_params p;
    struct spool_rcpt rcpt[2];
};

static void
msg_start(struct msg *m, int local)
{
    gstr err;

    memset(m, 0, sizeof(*m));
    m->a = arena_create();
    expand_ctx_init(&m->x, m->a);
    m->rcpt[0].address = "bob@test.ex";
    m->rcpt[0].pno = -1;
    m->p.sender = "alice@example.org";
    m->p.rcpts = m->rcpt;
    m->p.nrcpts = 1;
    m->p.ctx = &m->x;
    m->p.login = "mxlab";
    if (local) {
        m->p.protocol = "local";
        m->p.not_smtp = 1;
        m->p.sender_local = 1;
        m->p.trusted_caller = 1;
        m->p.ident = "mxlab";
        m->p.originator_name = "Mx Lab";
    } else {
        m->p.protocol = "esmtp";
        m->p.host_address = "192.0.2.1";
        m->p.host_port = 4242;
        m->p.helo_name = "client.example";
    }
    gstr_init(&err, m->a);
}

static void
msg_open(struct msg *m)
{
    gstr err;

    gstr_init(&err, m->a);
    m->r = receive_start(m->a, &m->p, &err);
    ck_assert_msg(m->r != NULL, "receive_start: %s", err.s);
}

static int
msg_feed(struct msg *m, const char *const *lines)
{
    int rc = RECEIVE_OK;

    for (int i = 0; i < MAXL && lines[i] != NULL; i++)
        rc = receive_line(m->r, lines[i], strlen(lines[i]));
    return rc;
}

static void
msg_end(struct msg *m)
{
    receive_abort(m->r);
    arena_destroy(m->a);
}

/* "T|text" for each header that is not the Received: one, '|'
 * separated lines. */
static char *
headers_of(struct msg *m)
{
    gstr g;

    gstr_init(&g, m->a);
    for (struct spool_header *h = receive_msg(m->r)->headers; h; h = h->next) {
        if (h == m->r->received)
            continue;
        gstr_printf(&g, "%c|%.*s", h->type, (int)h->len, h->text);
    }
    return (char *)gstr_str(&g);
}

/*
 * The header section.
 */

static const struct {
    const char *label;
    const char *lines[MAXL];
    const char *headers; /* type|text, in order */
    const char *body;
    long max_linelen;
    /* Exim's BDAT LAST total: the size, one more per line, and one more
     * when a non-header line ended the headers */
    long chunking_total;
} parse_cases[] = {
    {"simple",
     {"Subject: x", "", "body", NULL},
     " |Subject: x\n",
     "body\n",
     10,
     20},
    {"folded",
     {"Subject: a", " b", "\tc", "", "x", NULL},
     " |Subject: a\n b\n\tc\n",
     "x\n",
     10,
     25},
    {"blank continuations dropped",
     {"X: a", "  ", "\t", "Y: b", "", NULL},
     " |X: a\n |Y: b\n",
     "",
     4,
     16},
    {"no empty line",
     {"Subject: x", "not a header", "Y: in body", NULL},
     " |Subject: x\n",
     "not a header\nY: in body\n",
     12,
     39},
    {"first line not a header",
     {"hello world", "Subject: x", NULL},
     "",
     "hello world\nSubject: x\n",
     11,
     26},
    {"first line starts with space",
     {" lead", "Subject: y", NULL},
     "",
     " lead\nSubject: y\n",
     10,
     20},
    {"space before colon", {"Name : v", "", NULL}, " |Name : v\n", "", 8, 12},
    {"empty name", {": v", "", NULL}, " |: v\n", "", 3, 7},
    {"non-header with continuation",
     {"Subject: s", "not header", " cont", "Z: z", NULL},
     " |Subject: s\n",
     "not header\n cont\nZ: z\n",
     10,
     38},
    {"headers only", {"Subject: x", NULL}, " |Subject: x\n", "", 10, 12},
    {"empty message", {NULL}, "", "", 0, 0},
    {"body starts with empty line", {"", "", "x", NULL}, "", "\nx\n", 1, 7},
    {"long body line",
     {"A: b", "", "0123456789abcdef", NULL},
     " |A: b\n",
     "0123456789abcdef\n",
     16,
     26},
};

START_TEST(test_parse)
{
    struct msg m;
    gstr err;

    msg_start(&m, 0);
    msg_open(&m);
    msg_feed(&m, parse_cases[_i].lines);
    gstr_init(&err, m.a);
    ck_assert_msg(receive_finish(m.r, &err) == RECEIVE_OK, "%s", err.s);
    ck_assert_msg(strcmp(headers_of(&m), parse_cases[_i].headers) == 0,
                  "%s: headers \"%s\"", parse_cases[_i].label, headers_of(&m));
    struct expand_message *x = receive_expand_message(m.r);
    ck_assert_msg(x->body_len == strlen(parse_cases[_i].body) &&
                      memcmp(x->body, parse_cases[_i].body, x->body_len) == 0,
                  "%s: body \"%.*s\"", parse_cases[_i].label, (int)x->body_len,
                  x->body);
    ck_assert_ptr_eq(m.x.msg, x);
    ck_assert_int_eq(gstr_str(&err)[0], '\0');
    ck_assert_msg(receive_chunking_total(m.r) == parse_cases[_i].chunking_total,
                  "%s: chunking total %ld", parse_cases[_i].label,
                  receive_chunking_total(m.r));
    ck_assert_int_eq(receive_commit(m.r, &err), 0);
    ck_assert_msg(receive_msg(m.r)->max_received_linelength ==
                      parse_cases[_i].max_linelen,
                  "%s: max line %ld", parse_cases[_i].label,
                  receive_msg(m.r)->max_received_linelength);
    msg_end(&m);
}
END_TEST

START_TEST(test_nul_in_header)
{
    struct msg m;
    gstr err;

    msg_start(&m, 0);
    msg_open(&m);
    receive_line(m.r, "X: a\0b", 6);
    receive_line(m.r, "", 0);
    receive_line(m.r, "c\0d", 3);
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    ck_assert_str_eq(headers_of(&m), " |X: a?b\n");
    ck_assert_int_eq(receive_expand_message(m.r)->body_len, 4);
    ck_assert_int_eq(receive_commit(m.r, &err), 0);
    ck_assert_int_eq(receive_msg(m.r)->body_zerocount, 1);
    msg_end(&m);
}
END_TEST

/* A body larger than what is kept: its start and its end are there for
 * $message_body and $message_body_end. */
START_TEST(test_big_body)
{
    struct msg m;
    char line[100];
    gstr err;
    long total = 0;
    int n = 0;

    msg_start(&m, 0);
    msg_open(&m);
    receive_line(m.r, "Subject: big", 12);
    receive_line(m.r, "", 0);
    while (total < RECEIVE_BODY_HEAD + 3 * RECEIVE_BODY_TAIL / 2) {
        int len = snprintf(line, sizeof(line), "line %08d", n++);
        receive_line(m.r, line, (size_t)len);
        total += len + 1;
    }
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    struct expand_message *x = receive_expand_message(m.r);
    /* message_body_visible (500 here) of its start and of its end */
    ck_assert_int_eq(x->body_len, 2 * 500);
    ck_assert(memcmp(x->body, "line 00000000\n", 14) == 0);
    snprintf(line, sizeof(line), "line %08d\n", n - 1);
    ck_assert(memcmp(x->body + x->body_len - 14, line, 14) == 0);
    ck_assert(x->counted);
    ck_assert_int_eq((long)x->body_size, total);
    ck_assert_int_eq((long)x->body_lines, n + 0);
    ck_assert_int_eq(receive_commit(m.r, &err), 0);
    ck_assert_int_eq(receive_msg(m.r)->body_linecount, n);
    msg_end(&m);
}
END_TEST

/*
 * Header types.
 */

static const struct {
    const char *text;
    int resent;
    char type;
    char detail;
} type_cases[] = {
    {"From: a\n", 0, 'F', 'F'},
    {"to: b\n", 0, 'T', 'T'},
    {"CC : c\n", 0, 'C', 'C'},
    {"Bcc: d\n", 0, 'B', 'B'},
    {"Message-ID: <x@y>\n", 0, 'I', 'I'},
    {"Received: x\n", 0, 'P', 'P'},
    {"Reply-To: r\n", 0, 'R', 'R'},
    {"Sender: s\n", 0, 'S', 'S'},
    {"Subject: s\n", 0, ' ', 's'},
    {"Date: d\n", 0, ' ', 'd'},
    {"Return-Path: <a>\n", 0, ' ', 'r'},
    {"Envelope-To: a\n", 0, ' ', 'e'},
    {"Delivery-Date: d\n", 0, ' ', 'v'},
    {"Resent-From: x\n", 1, 'F', 'F'},
    {"Resent-Reply-To: x\n", 1, ' ', ' '},
    {"Resent-Message-Id: <x>\n", 1, 'I', 'I'},
    {"Fromage: x\n", 0, ' ', ' '},
    {"X-To: x\n", 0, ' ', ' '},
};

START_TEST(test_types)
{
    char detail;
    char t =
        receive_header_type(type_cases[_i].text, strlen(type_cases[_i].text),
                            type_cases[_i].resent, &detail);

    ck_assert_msg(t == type_cases[_i].type && detail == type_cases[_i].detail,
                  "%s: got '%c' '%c'", type_cases[_i].text, t, detail);
}
END_TEST

/*
 * Headers added on reception.
 */

static const struct {
    const char *label;
    int local;
    int trusted;
    int suppress;
    const char *lines[MAXL];
    const char *headers;
} fixup_cases[] = {
    {"remote: nothing added", 0, 0, 0, {"Subject: s", NULL}, " |Subject: s\n"},
    {"local: Message-Id, From, Date",
     1,
     1,
     0,
     {"Subject: s", NULL},
     " |Subject: s\nI|Message-Id: <E@ID@@mx.test.ex>\n"
     "F|From: Mx Lab <alice@example.org>\n |Date: @DATE@\n"},
    {"local with all three: none",
     1,
     1,
     0,
     {"From: a@b", "Date: d", "Message-ID: <m@x>", NULL},
     "F|From: a@b\n |Date: d\nI|Message-ID: <m@x>\n"},
    {"suppress_local_fixups", 1, 1, 1, {"Subject: s", NULL}, " |Subject: s\n"},
    {"untrusted: Sender added, old Sender removed",
     1,
     0,
     0,
     {"From: other@example.org", "Sender: forged@x", "Date: d",
      "Message-ID: <m@x>", NULL},
     "F|From: other@example.org\n*|Sender: forged@x\n |Date: d\n"
     "I|Message-ID: <m@x>\nS|Sender: Mx Lab <mxlab@test.ex>\n"},
    {"untrusted, From is the caller: no Sender",
     1,
     0,
     0,
     {"From: Me <mxlab@test.ex>", "Date: d", "Message-ID: <m@x>", NULL},
     "F|From: Me <mxlab@test.ex>\n |Date: d\nI|Message-ID: <m@x>\n"},
    {"From: login alone gets the full form",
     1,
     1,
     0,
     {"From: mxlab", "Date: d", "Message-ID: <m@x>", NULL},
     "*|From: mxlab\n |Date: d\nI|Message-ID: <m@x>\n"
     "F|From: Mx Lab <mxlab@test.ex>\n"},
    {"removed on input",
     0,
     0,
     0,
     {"Return-Path: <x>", "Envelope-To: y", "Delivery-Date: z", NULL},
     "*|Return-Path: <x>\n*|Envelope-To: y\n*|Delivery-Date: z\n"},
};

/* The expected text with @ID@ and @DATE@ filled in. */
static char *
expected_headers(struct msg *m, const char *want)
{
    gstr g, date;

    gstr_init(&g, m->a);
    gstr_init(&date, m->a);
    tod_full(&date, receive_msg(m->r)->received_sec);
    for (const char *s = want; *s;) {
        if (strncmp(s, "@ID@", 4) == 0) {
            gstr_adds(&g, receive_id(m->r));
            s += 4;
        } else if (strncmp(s, "@DATE@", 6) == 0) {
            gstr_adds(&g, date.s);
            s += 6;
        } else
            gstr_addc(&g, *s++);
    }
    return (char *)gstr_str(&g);
}

START_TEST(test_fixups)
{
    struct msg m;
    gstr err;

    msg_start(&m, fixup_cases[_i].local);
    m.p.trusted_caller = fixup_cases[_i].trusted;
    m.p.suppress_local_fixups = fixup_cases[_i].suppress;
    msg_open(&m);
    msg_feed(&m, fixup_cases[_i].lines);
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    char *want = expected_headers(&m, fixup_cases[_i].headers);
    ck_assert_msg(strcmp(headers_of(&m), want) == 0,
                  "%s:\n got \"%s\"\nwant \"%s\"", fixup_cases[_i].label,
                  headers_of(&m), want);
    msg_end(&m);
}
END_TEST

START_TEST(test_received_header)
{
    struct msg m;
    gstr err;

    msg_start(&m, 0);
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Subject: s", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    struct spool_header *h = receive_msg(m.r)->headers;
    ck_assert_int_eq(h->type, 'P');
    char *want = arena_printf(
        m.a,
        "Received: from [192.0.2.1] (helo=client.example)\n"
        "\tby mx.test.ex with esmtp (mxlab %s)\n"
        "\t(envelope-from <alice@example.org>)\n"
        "\tid %s\n\tfor bob@test.ex;\n\t",
        expand_get_var(&m.x, "version_number") ?: "0.1.0", receive_id(m.r));
    ck_assert_msg(strncmp(h->text, want, strlen(want)) == 0, "got %s", h->text);
    ck_assert_int_eq(h->len, strlen(h->text));
    msg_end(&m);
}
END_TEST

START_TEST(test_extract)
{
    struct msg m;
    gstr err;

    msg_start(&m, 1);
    m.p.extract_rcpts = 1;
    msg_open(&m);
    msg_feed(&m, (const char *[]){"To: A <a@x.ex>, b", "Cc: g: c@x.ex, d@x.ex;",
                                  "Bcc: bob@test.ex", "", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    struct spool_msg *s = receive_msg(m.r);
    ck_assert_int_eq(s->rcpt_count, 4);
    ck_assert_str_eq(s->rcpts[0].address, "a@x.ex");
    ck_assert_str_eq(s->rcpts[1].address, "b@test.ex");
    ck_assert_str_eq(s->rcpts[2].address, "c@x.ex");
    ck_assert_str_eq(s->rcpts[3].address, "d@x.ex");
    /* bob was an argument: not sent to even though in Bcc: */
    ck_assert(spool_msg_is_nonrcpt(s, "bob@test.ex"));
    ck_assert_msg(strstr(headers_of(&m), "*|Bcc: bob@test.ex\n") != NULL, "%s",
                  headers_of(&m));
    msg_end(&m);

    msg_start(&m, 1);
    m.p.extract_rcpts = 1;
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Subject: none", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_ERROR);
    ck_assert_str_eq(err.s, "no recipients in message");
    msg_end(&m);

    /* bad addresses: fatal, or (extract_bad_ok, Exim's -oem) kept for
     * the report while the others go on */
    for (int ok = 0; ok <= 1; ok++) {
        const struct receive_bad_rcpt *bad;
        int nbad, ignored;

        msg_start(&m, 1);
        m.p.extract_rcpts = 1;
        m.p.extract_bad_ok = ok;
        msg_open(&m);
        msg_feed(&m, (const char *[]){"To: a@x.ex, <c@x.ex", "Subject: s", "",
                                      NULL});
        gstr_init(&err, m.a);
        ck_assert_int_eq(receive_finish(m.r, &err),
                         ok ? RECEIVE_OK : RECEIVE_ERROR);
        if (!ok)
            ck_assert_str_eq(
                err.s,
                "invalid address:  <c@x.ex: '>' missing at end of address");
        bad = receive_bad_rcpts(m.r, &nbad, &ignored);
        ck_assert_int_eq(nbad, 1);
        ck_assert_int_eq(ignored, 0);
        ck_assert_str_eq(bad[0].text, "<c@x.ex");
        ck_assert_str_eq(bad[0].why, "'>' missing at end of address");
        ck_assert_int_eq(receive_msg(m.r)->rcpt_count, 1);
        msg_end(&m);
    }
}
END_TEST

/*
 * The size limit.
 */

START_TEST(test_size_limit)
{
    struct msg m;
    gstr err;

    /* every line counts with its LF; a size equal to the limit is OK */
    msg_start(&m, 0);
    m.p.message_size_limit = 21;
    msg_open(&m);
    ck_assert_int_eq(receive_line(m.r, "Subject: 12345", 14), RECEIVE_OK);
    ck_assert_int_eq(receive_line(m.r, "", 0), RECEIVE_OK);
    ck_assert_int_eq(receive_size(m.r), 16);
    ck_assert_int_eq(receive_line(m.r, "abcd", 4), RECEIVE_OK);
    ck_assert_int_eq(receive_size(m.r), 21);
    msg_end(&m);

    msg_start(&m, 0);
    m.p.message_size_limit = 20;
    msg_open(&m);
    receive_line(m.r, "Subject: 1234", 13);
    receive_line(m.r, "", 0);
    ck_assert_int_eq(receive_line(m.r, "abcd", 4), RECEIVE_OK); /* 20 */
    ck_assert_int_eq(receive_line(m.r, "e", 1), RECEIVE_TOOBIG);
    ck_assert_int_eq(receive_line(m.r, "f", 1), RECEIVE_TOOBIG);
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_TOOBIG);
    /* as Exim: an SMTP message is read to its end, all of it counted */
    ck_assert_str_eq(receive_log_toobig(m.r),
                     "rejected from <alice@example.org> H=(client.example) "
                     "[192.0.2.1]: message too big: read=24 max=20");
    msg_end(&m);

    /* a local one stops at the first byte over the limit */
    msg_start(&m, 0);
    m.p.message_size_limit = 20;
    m.p.not_smtp = 1;
    msg_open(&m);
    receive_line(m.r, "Subject: 1234", 13);
    receive_line(m.r, "", 0);
    receive_line(m.r, "abcd", 4);
    ck_assert_int_eq(receive_line(m.r, "e", 1), RECEIVE_TOOBIG);
    ck_assert_int_eq(receive_line(m.r, "f", 1), RECEIVE_TOOBIG);
    ck_assert_ptr_nonnull(strstr(receive_log_toobig(m.r), "read=21 max=20"));
    /* the report copies what Exim read: the body up to that byte */
    ck_assert_int_eq(receive_body_read(m.r), 6); /* "abcd\ne" */
    msg_end(&m);
}
END_TEST

/*
 * The client's names.
 */

static const struct {
    const char *label;
    const char *addr, *name, *helo, *ident;
    int port_sel;
    const char *fullhost, *rcvhost;
} host_cases[] = {
    {"ip only", "192.0.2.1", NULL, NULL, NULL, 0, "[192.0.2.1]", "[192.0.2.1]"},
    {"helo", "192.0.2.1", NULL, "h.ex", NULL, 0, "(h.ex) [192.0.2.1]",
     "[192.0.2.1] (helo=h.ex)"},
    {"name is helo", "192.0.2.1", "mx.ex", "MX.ex", NULL, 0,
     "mx.ex [192.0.2.1]", "mx.ex ([192.0.2.1])"},
    {"name and helo", "192.0.2.1", "mx.ex", "h.ex", NULL, 0,
     "mx.ex (h.ex) [192.0.2.1]", "mx.ex ([192.0.2.1] helo=h.ex)"},
    {"helo is own ip", "192.0.2.1", NULL, "[192.0.2.1]", NULL, 0,
     "([192.0.2.1]) [192.0.2.1]", "[192.0.2.1]"},
    {"helo is own ipv6", "2001:db8::1", "n.ex", "[IPv6:2001:DB8:0::1]", NULL, 0,
     "n.ex [2001:db8::1]", "n.ex ([2001:db8::1])"},
    {"port", "192.0.2.1", NULL, "h.ex", NULL, 1, "(h.ex) [192.0.2.1]:4242",
     "[192.0.2.1] (port=4242 helo=h.ex)"},
    {"ident", "192.0.2.1", NULL, "h.ex", "u", 0, "(h.ex) [192.0.2.1]",
     "[192.0.2.1] (helo=h.ex ident=u)"},
    {"name, helo, ident", "192.0.2.1", "mx.ex", "h.ex", "u", 0,
     "mx.ex (h.ex) [192.0.2.1]", "mx.ex\n\t([192.0.2.1] helo=h.ex ident=u)"},
    {"local", NULL, NULL, NULL, "u", 0, "", ""},
};

START_TEST(test_host_names)
{
    struct receive_params p;
    struct arena *a = arena_create();
    gstr f, r;

    memset(&p, 0, sizeof(p));
    p.host_address = host_cases[_i].addr;
    p.host_port = 4242;
    p.host_name = host_cases[_i].name;
    p.helo_name = host_cases[_i].helo;
    p.ident = host_cases[_i].ident;
    set_selectors(host_cases[_i].port_sel ? "+incoming_port" : "");
    gstr_init(&f, a);
    gstr_init(&r, a);
    receive_fullhost(&f, &p);
    receive_rcvhost(&r, &p);
    ck_assert_msg(strcmp(gstr_str(&f), host_cases[_i].fullhost) == 0,
                  "%s: fullhost %s", host_cases[_i].label, f.s);
    ck_assert_msg(strcmp(gstr_str(&r), host_cases[_i].rcvhost) == 0,
                  "%s: rcvhost %s", host_cases[_i].label, r.s);
    arena_destroy(a);
}
END_TEST

/*
 * The <= line.
 */

static const struct {
    const char *label;
    const char *selectors;
    int local;
    int tls, auth;
    const char *want; /* after "<= ", with @S@ for the size */
} logline_cases[] = {
    {"plain smtp", "", 0, 0, 0,
     "alice@example.org H=(client.example) [192.0.2.1] P=esmtp S=@S@ "
     "id=m1@example.org"},
    {"local", "", 1, 0, 0,
     "alice@example.org U=mxlab P=local S=@S@ "
     "id=m1@example.org"},
    {"port, interface, no msg_id", "+incoming_port +incoming_interface -msg_id",
     0, 0, 0,
     "alice@example.org H=(client.example) [192.0.2.1]:4242 "
     "I=[203.0.113.1]:25 P=esmtp S=@S@"},
    {"tls and auth", "+tls_peerdn +tls_sni +smtp_mailauth", 0, 1, 1,
     "alice@example.org H=(client.example) [192.0.2.1] P=esmtpsa "
     "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN=\"CN=client\" "
     "SNI=mx.test.ex A=plain:alice:alice@example.org S=@S@ "
     "id=m1@example.org"},
    {"subject, sender, recipients",
     "+subject +received_sender "
     "+received_recipients",
     0, 0, 0,
     "alice@example.org H=(client.example) [192.0.2.1] P=esmtp S=@S@ "
     "id=m1@example.org T=\"a \\\"b\\\" c\" from <alice@example.org> for "
     "bob@test.ex"},
    {"8bitmime, receive_time", "+8bitmime +receive_time", 0, 0, 0,
     "alice@example.org H=(client.example) [192.0.2.1] P=esmtp S=@S@ M8S=0 "
     "RT=0s id=m1@example.org"},
};

START_TEST(test_logline)
{
    struct msg m;
    gstr err;

    set_selectors(logline_cases[_i].selectors);
    msg_start(&m, logline_cases[_i].local);
    m.p.interface_address = "203.0.113.1";
    m.p.interface_port = 25;
    if (logline_cases[_i].tls) {
        m.p.tls_cipher = "TLS1.3:TLS_AES_256_GCM_SHA384:256";
        m.p.tls_peercert = 1;
        m.p.tls_certificate_verified = 1;
        m.p.tls_peerdn = "CN=client";
        m.p.tls_sni = "mx.test.ex";
    }
    if (logline_cases[_i].auth) {
        m.p.protocol = "esmtpsa";
        m.p.auth_driver = "plain";
        m.p.auth_id = "alice";
        m.p.auth_sender = "alice@example.org";
    }
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Message-ID: <m1@example.org>",
                                  "Subject: a \"b\" c", "Date: d", "From: a@b",
                                  "", "body", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    ck_assert_int_eq(receive_commit(m.r, &err), 0);
    long size = (long)spool_msg_header_size(receive_msg(m.r)) + 5 + 1;
    gstr want;
    gstr_init(&want, m.a);
    gstr_adds(&want, "<= ");
    for (const char *s = logline_cases[_i].want; *s;) {
        if (strncmp(s, "@S@", 3) == 0) {
            gstr_printf(&want, "%ld", size);
            s += 3;
        } else
            gstr_addc(&want, *s++);
    }
    ck_assert_msg(strcmp(receive_log_line(m.r), want.s) == 0,
                  "%s:\n got %s\nwant %s", logline_cases[_i].label,
                  receive_log_line(m.r), want.s);
    msg_end(&m);
    set_selectors("");
}
END_TEST

START_TEST(test_msgid_created_logged)
{
    struct msg m;
    gstr err;

    set_selectors("+msg_id_created");
    msg_start(&m, 1);
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Subject: s", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    char *want = arena_printf(m.a, " id*=E%s@mx.test.ex", receive_id(m.r));
    ck_assert_msg(strstr(receive_log_line(m.r), want) != NULL, "%s",
                  receive_log_line(m.r));
    msg_end(&m);
    set_selectors("");
}
END_TEST

/*
 * ACL header changes.
 */

START_TEST(test_acl_headers)
{
    struct msg m;
    gstr err;

    msg_start(&m, 0);
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Received: older", "Subject: s",
                                  "X-Spam: yes", "", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    receive_add_header(m.r, "X-End: 1", RECEIVE_AT_END);
    receive_add_header(m.r, "X-Top: 2\n", RECEIVE_AT_START);
    receive_add_header(m.r, "X-Rcvd: 3\n  folded\nX-Rcvd2: 4",
                       RECEIVE_AFTER_RECEIVED);
    receive_add_header(m.r, "Reply-To: r@x", RECEIVE_AT_END);
    receive_remove_headers(m.r, "x-spam : Subject:");
    ck_assert_str_eq(headers_of(&m),
                     " |X-Top: 2\nP|Received: older\n"
                     " |X-Rcvd: 3\n  folded\n |X-Rcvd2: 4\n*|Subject: s\n"
                     "*|X-Spam: yes\n |X-End: 1\nR|Reply-To: r@x\n");
    /* $h_ sees the change at once */
    char *v;
    ck_assert_int_eq(
        expand_string(&m.x, "${if def:h_x-spam:{y}{n}}$h_x-end:", &v, NULL),
        EXPAND_OK);
    ck_assert_str_eq(v, "n1");
    msg_end(&m);
}
END_TEST

/*
 * Round trip through the spool.
 */

START_TEST(test_roundtrip)
{
    struct msg m;
    struct spool_msg back;
    struct arena *a = arena_create();
    gstr err;

    msg_start(&m, 0);
    m.rcpt[1].address = "carol@test.ex";
    m.rcpt[1].orcpt = "rfc822;carol@test.ex";
    m.rcpt[1].dsn_flags = SPOOL_DSN_SUCCESS | SPOOL_DSN_FAILURE;
    m.rcpt[1].pno = -1;
    m.p.nrcpts = 2;
    m.p.auth_driver = "plain";
    m.p.auth_id = "alice";
    m.p.tainted = SPOOL_TAINT(SPOOL_F_HELO_NAME);
    m.p.dsn_ret = SPOOL_DSN_RET_HDRS;
    m.p.dsn_envid = "xyz";
    msg_open(&m);
    msg_feed(&m, (const char *[]){"Subject: round", " trip", "", "line 1",
                                  "line 2", NULL});
    gstr_init(&err, m.a);
    ck_assert_int_eq(receive_finish(m.r, &err), RECEIVE_OK);
    spool_msg_set_aclvar(receive_msg(m.r), 'm', "0", "spam", 4);
    ck_assert_int_eq(receive_commit(m.r, &err), 0);
    ck_assert_int_eq(
        spool_read_header(spool_dir, 0, receive_id(m.r), a, &back, &err),
        SPOOL_READ_OK);
    ck_assert_str_eq(back.sender, "alice@example.org");
    ck_assert_int_eq(back.rcpt_count, 2);
    ck_assert_str_eq(back.rcpts[1].orcpt, "rfc822;carol@test.ex");
    ck_assert_int_eq(back.rcpts[1].dsn_flags,
                     SPOOL_DSN_SUCCESS | SPOOL_DSN_FAILURE);
    ck_assert_str_eq(back.helo_name, "client.example");
    ck_assert(back.tainted & SPOOL_TAINT(SPOOL_F_HELO_NAME));
    ck_assert_str_eq(back.host_address, "192.0.2.1");
    ck_assert_int_eq(back.host_port, 4242);
    ck_assert_str_eq(back.received_protocol, "esmtp");
    ck_assert_str_eq(back.host_auth, "plain");
    ck_assert_str_eq(back.auth_id, "alice");
    ck_assert_int_eq(back.body_linecount, 2);
    ck_assert_int_eq(back.dsn_ret, SPOOL_DSN_RET_HDRS);
    ck_assert_str_eq(back.dsn_envid, "xyz");
    ck_assert(back.deliver_firsttime);
    ck_assert_str_eq(spool_msg_get_aclvar(&back, 'm', "0")->value, "spam");
    ck_assert_int_eq(back.headers->type, 'P');
    ck_assert_str_eq(back.headers->next->text, "Subject: round\n trip\n");
    ck_assert_ptr_null(back.headers->next->next);
    receive_close(m.r);
    arena_destroy(m.a);
    arena_destroy(a);
}
END_TEST

/* A small message, received and committed to the spool. */
static void
msg_committed(struct msg *m)
{
    gstr err;

    msg_start(m, 0);
    msg_open(m);
    msg_feed(m, (const char *[]){"Subject: x", "", "y", NULL});
    gstr_init(&err, m->a);
    ck_assert_int_eq(receive_finish(m->r, &err), RECEIVE_OK);
    ck_assert_int_eq(receive_commit(m->r, &err), 0);
}

START_TEST(test_abort_leaves_nothing)
{
    struct msg m;
    gstr path;
    char id[MSGID_LEN + 1];

    msg_committed(&m);
    memcpy(id, receive_id(m.r), sizeof(id));
    receive_abort(m.r);
    gstr_init(&path, m.a);
    gstr_printf(&path, "%s/input/%s-H", spool_dir, id);
    ck_assert_int_ne(access(path.s, F_OK), 0);
    gstr_truncate(&path, 0);
    gstr_printf(&path, "%s/input/%s-D", spool_dir, id);
    ck_assert_int_ne(access(path.s, F_OK), 0);
    arena_destroy(m.a);
}
END_TEST

/* The message log is made with the -D, removed when the message is
 * thrown away, and given its line when the message is committed. */
START_TEST(test_msglog)
{
    struct msg m;
    gstr path;
    char buf[512];
    FILE *f;
    size_t n;

    main_config.message_logs = 1;
    msg_start(&m, 0);
    msg_open(&m);
    gstr_init(&path, m.a);
    gstr_printf(&path, "%s/msglog/%s", spool_dir, receive_id(m.r));
    ck_assert_msg(access(path.s, F_OK) == 0, "%s made with the -D", path.s);
    receive_abort(m.r);
    ck_assert_msg(access(path.s, F_OK) != 0, "%s left by an abort", path.s);
    arena_destroy(m.a);

    msg_committed(&m);
    receive_close(m.r);
    gstr_init(&path, m.a);
    gstr_printf(&path, "%s/msglog/%s", spool_dir, receive_id(m.r));
    f = fopen(path.s, "r");
    ck_assert_msg(f != NULL, "%s kept after the commit", path.s);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_msg(strstr(buf, " Received from alice@example.org ") != NULL,
                  "message log: %s", buf);
    arena_destroy(m.a);
    main_config.message_logs = 0;
}
END_TEST

/*
 * Addresses.
 */

static const struct {
    const char *in;
    const char *out; /* NULL: malformed */
    const char *why; /* Exim's error for it, when checked */
} addr_cases[] = {
    {"a@b.ex", "a@b.ex", NULL},
    {"Name <a@b.ex>", "a@b.ex", NULL},
    {"\"Last, First\" <a@b.ex>", "a@b.ex", NULL},
    {"a@b.ex (comment)", "a@b.ex", NULL},
    {"<@route.ex:a@b.ex>", "a@b.ex", NULL},
    {"group: a@b.ex", "a@b.ex", NULL},
    {"\"quoted local\"@b.ex", "\"quoted local\"@b.ex", NULL},
    {"unqualified", "unqualified", NULL},
    {"", "", NULL},
    {"<a@b.ex", NULL, "'>' missing at end of address"},
    {"<broken", NULL, "\"@\" or \".\" expected after \"broken\""},
    {"Joe < joe here", NULL, "\"@\" or \".\" expected after \"joe\""},
    {"a b@c.ex", NULL, NULL},
    {"@b.ex", NULL, NULL},
    /* fuzz-address: a fold inside quotes is unfolded, so that no LF
     * reaches the -H file's recipient lines */
    {"\"a\n b\"@b.ex", "\"a b\"@b.ex", NULL},
    {"Joe <\"a\r\n\tb\"@b.ex>", "\"a\tb\"@b.ex", NULL},
    {"\"a\\\n b\"@b.ex", "\"a b\"@b.ex", NULL},
};

START_TEST(test_addr)
{
    struct arena *a = arena_create();
    const char *why = NULL;
    int dom;
    const char *in = addr_cases[_i].in;
    char *got = addr_extract(a, in, strlen(in), &dom, &why);

    if (addr_cases[_i].out == NULL) {
        ck_assert_msg(got == NULL && why != NULL, "%s: got %s", in, got);
        if (addr_cases[_i].why != NULL)
            ck_assert_str_eq(why, addr_cases[_i].why);
    } else
        ck_assert_msg(got != NULL && strcmp(got, addr_cases[_i].out) == 0,
                      "%s: got %s (%s)", in, got, why);
    arena_destroy(a);
}
END_TEST

static Suite *
receive_suite(void)
{
    Suite *s = suite_create("receive");
    TCase *parse = tcase_create("parse");
    TCase *hdrs = tcase_create("headers");
    TCase *logs = tcase_create("logs");
    TCase *spool = tcase_create("spool");

    tcase_add_checked_fixture(parse, setup, NULL);
    tcase_add_checked_fixture(hdrs, setup, NULL);
    tcase_add_checked_fixture(logs, setup, NULL);
    tcase_add_checked_fixture(spool, setup, NULL);
    tcase_add_loop_test(parse, test_parse, 0, NELEM(parse_cases));
    tcase_add_test(parse, test_nul_in_header);
    tcase_add_test(parse, test_size_limit);
    tcase_add_test(parse, test_big_body);
    tcase_add_loop_test(parse, test_addr, 0, NELEM(addr_cases));
    tcase_add_loop_test(hdrs, test_types, 0, NELEM(type_cases));
    tcase_add_loop_test(hdrs, test_fixups, 0, NELEM(fixup_cases));
    tcase_add_test(hdrs, test_received_header);
    tcase_add_test(hdrs, test_extract);
    tcase_add_test(hdrs, test_acl_headers);
    tcase_add_loop_test(logs, test_host_names, 0, NELEM(host_cases));
    tcase_add_loop_test(logs, test_logline, 0, NELEM(logline_cases));
    tcase_add_test(logs, test_msgid_created_logged);
    tcase_add_test(spool, test_roundtrip);
    tcase_add_test(spool, test_abort_leaves_nothing);
    tcase_add_test(spool, test_msglog);
    suite_add_tcase(s, parse);
    suite_add_tcase(s, hdrs);
    suite_add_tcase(s, logs);
    suite_add_tcase(s, spool);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    arena_perm_init();
    if (mkdtemp(spool_dir) == NULL || load_config() < 0)
        return EXIT_FAILURE;
    sr = srunner_create(receive_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    nftw(spool_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
