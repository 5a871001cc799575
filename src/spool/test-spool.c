/*++
 * NAME
 *	test-spool 1
 * SUMMARY
 *	unit tests for src/spool
 * DESCRIPTION
 *	Table-driven Check tests: -H round trips of rich messages, the
 *	worked example of the reference, legacy recipient forms, corrupt
 *	and truncated files, files on disk (body writer, commit, rewrite,
 *	locks), and the -bp listing. Message ids, decimals and the tree
 *	are in test-spool_util.c.
 *--*/

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/envelope.h"
#include "spool/msgid.h"
#include "spool/queue_list.h"
#include "spool/spool_body.h"
#include "spool/spool_lock.h"
#include "spool/spool_path.h"
#include "spool/spool_read.h"
#include "spool/spool_write.h"
#include "spool/tree.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * -H files: a rich message, written and read back.
 */

static const char acl_newlines[] = "line one\nline two\n\nend";
static const char acl_binary[] = {'a', '\0', 'b', '\n'};

static void
rich_message(struct spool_msg *m, struct arena *a, int nonrcpts,
             int with_headers)
{
    struct spool_rcpt *r;
    struct spool_aclvar *v;
    char *big;

    spool_msg_init(m, a, "1vQk3L-000000000Xb-00A1");
    m->login = "exim";
    m->uid = 93;
    m->gid = 93;
    m->sender = "alice@example.org";
    m->received_sec = 1715000000;
    m->received_usec = 123456;
    m->complete_sec = 1715000001;
    m->complete_usec = 789;
    m->warning_count = 2;
    m->helo_name = "client.example.org";
    m->host_address = "2001:db8::10";
    m->host_port = 53422;
    m->host_name = "client.example.org";
    m->host_auth = "dovecot_plain";
    m->host_auth_pubname = "PLAIN";
    m->interface_address = "203.0.113.1";
    m->interface_port = 587;
    m->active_hostname = "mx2.example.org";
    m->ident = "alice";
    m->received_protocol = "esmtpsa";
    m->tainted = SPOOL_TAINT(SPOOL_F_HELO_NAME) | SPOOL_TAINT(SPOOL_F_AUTH_ID) |
                 SPOOL_TAINT(SPOOL_F_IDENT);
    spool_msg_set_aclvar(m, 'm', "0", "spam", 4);
    v = spool_msg_set_aclvar(m, 'c', "_multi", acl_newlines,
                             sizeof(acl_newlines) - 1);
    v->tainted = 1;
    spool_msg_set_aclvar(m, 'm', "_bin", acl_binary, sizeof(acl_binary));
    v = spool_msg_set_aclvar(m, 'm', "_empty", "", 0);
    v->quoter = "mysql";
    spool_msg_set_aclvar(m, 'c', "9", "x", 1);
    spool_msg_set_aclvar(m, 'm', "0", "ham!", 4); /* replaced in place */
    m->body_linecount = 42;
    m->max_received_linelength = 998;
    m->body_zerocount = 3;
    m->auth_id = "alice";
    m->auth_sender = "alice@example.org";
    m->allow_unqualified_recipient = 1;
    m->allow_unqualified_sender = 1;
    m->deliver_firsttime = 1;
    m->frozen = 1;
    m->frozen_at = 1715000100;
    m->dont_deliver = 1;
    m->host_lookup_deferred = 1;
    m->host_lookup_failed = 1;
    m->local = 1;
    m->localerror = 1;
    m->manual_thaw = 1;
    m->sender_set_untrusted = 1;
    m->bmi_verdicts = "0:1:B1FAH2YAAAA:example.net";
    m->tls_certificate_verified = 1;
    m->tls_cipher = "TLS1.3:TLS_AES_256_GCM_SHA384:256";
    m->tls_peerdn = "CN=client,O=Example\tCorp\n\x01";
    m->tls_sni = "mx.example.org";
    m->tls_ourcert =
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    m->tls_peercert =
        "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
    m->tainted |= SPOOL_TAINT(SPOOL_F_TLS_PEERCERT);
    m->tls_resumption = 'A';
    m->tls_ver = "TLS1.3";
    m->dsn_envid = "QQ314159";
    m->dsn_ret = SPOOL_DSN_RET_HDRS;
    spool_msg_add_unknown(m, "-spam_score 5.5");
    spool_msg_add_unknown(m, "--(pgsql)future_option value with spaces");

    spool_msg_add_rcpt(m, "bob@example.net");
    r = spool_msg_add_rcpt(m, "carol@example.net");
    r->orcpt = "rfc822;carol@example.net";
    r->dsn_flags = SPOOL_DSN_SUCCESS | SPOOL_DSN_FAILURE;
    r = spool_msg_add_rcpt(m, "\"dave smith\"@example.net");
    r->errors_to = "owner@example.net";
    r->pno = 1;
    r = spool_msg_add_rcpt(m, "erin@example.net");
    r->orcpt = "rfc822;erin 1,2@example.net";
    r->dsn_flags = SPOOL_DSN_NEVER;
    r->errors_to = "x 3,4@example.net";
    r->pno = 0;
    r = spool_msg_add_rcpt(m, "frank@example.net");
    r->orcpt = "rfc822;frank@example.net"; /* ORCPT without NOTIFY */
    for (int i = 0; i < nonrcpts; i++)
        spool_msg_add_nonrcpt(
            m, arena_printf(a, "u%02d@example.net", (i * 7) % 20));
    if (!with_headers)
        return;
    spool_msg_add_header(m, 'P', "Received: from x\n\tby y; Mon\n", 28);
    spool_msg_add_header(m, ' ', "Subject: hi\n", 12);
    spool_msg_add_header(m, '*', "X-Old: gone\n", 12);
    for (size_t len = 999; len <= 1001; len++) {
        big = arena_alloc(a, len);
        memset(big, 'x', len);
        memcpy(big, "X-Big: ", 7);
        big[len - 1] = '\n';
        spool_msg_add_header(m, ' ', big, len);
    }
    big = arena_alloc(a, 5000);
    for (int i = 0; i < 5000; i++)
        big[i] = i % 80 == 79 ? '\n' : i % 80 == 0 && i > 0 ? '\t' : 'y';
    memcpy(big, "To: ", 4);
    big[4999] = '\n';
    spool_msg_add_header(m, 'T', big, 5000);
}

static char *
format_msg(struct arena *a, const struct spool_msg *m)
{
    gstr g;

    gstr_init(&g, a);
    spool_format_header(&g, m);
    return g.s;
}

START_TEST(test_roundtrip_rich)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    gstr g, err;
    const struct spool_aclvar *v;
    int rc;

    rich_message(&m, a, 5, 1);
    gstr_init(&g, a);
    gstr_init(&err, a);
    spool_format_header(&g, &m);
    rc = spool_parse_header(g.s, g.len, "1vQk3L-000000000Xb-00A1", a, &back,
                            &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "rc %d: %s", rc, gstr_str(&err));
    /* Written again, the file is the same. */
    ck_assert_str_eq(format_msg(a, &back), g.s);

    ck_assert_str_eq(back.id, "1vQk3L-000000000Xb-00A1");
    ck_assert_str_eq(back.login, "exim");
    ck_assert_int_eq(back.uid, 93);
    ck_assert_str_eq(back.sender, "alice@example.org");
    ck_assert_int_eq(back.received_sec, 1715000000);
    ck_assert_int_eq(back.received_usec, 123456);
    ck_assert_int_eq(back.complete_usec, 789);
    ck_assert_int_eq(back.warning_count, 2);
    ck_assert_str_eq(back.host_address, "2001:db8::10");
    ck_assert_int_eq(back.host_port, 53422);
    ck_assert_int_eq(back.interface_port, 587);
    ck_assert_str_eq(back.active_hostname, "mx2.example.org");
    ck_assert_uint_eq(back.tainted, m.tainted);
    ck_assert_str_eq(back.tls_peerdn, m.tls_peerdn);
    ck_assert_str_eq(back.tls_ourcert, m.tls_ourcert);
    ck_assert_str_eq(back.tls_peercert, m.tls_peercert);
    ck_assert_int_eq(back.tls_resumption, 'A');
    ck_assert_int_eq(back.frozen, 1);
    ck_assert_int_eq(back.frozen_at, 1715000100);
    ck_assert_int_eq(back.dsn_ret, 2);
    ck_assert_str_eq(back.bmi_verdicts, m.bmi_verdicts);
    ck_assert_int_eq(back.body_zerocount, 3);

    v = spool_msg_get_aclvar(&back, 'c', "_multi");
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->len, sizeof(acl_newlines) - 1);
    ck_assert(memcmp(v->value, acl_newlines, v->len) == 0);
    ck_assert_int_eq(v->tainted, 1);
    v = spool_msg_get_aclvar(&back, 'm', "_bin");
    ck_assert_uint_eq(v->len, sizeof(acl_binary));
    ck_assert(memcmp(v->value, acl_binary, v->len) == 0);
    v = spool_msg_get_aclvar(&back, 'm', "_empty");
    ck_assert_uint_eq(v->len, 0);
    ck_assert_str_eq(v->quoter, "mysql");
    ck_assert_str_eq(spool_msg_get_aclvar(&back, 'm', "0")->value, "ham!");

    ck_assert_int_eq(back.rcpt_count, 5);
    for (int i = 0; i < 5; i++) {
        const struct spool_rcpt *w = &m.rcpts[i], *r = &back.rcpts[i];

        ck_assert_str_eq(r->address, w->address);
        ck_assert_int_eq(r->pno, w->pno);
        ck_assert_int_eq(r->dsn_flags, w->dsn_flags);
        ck_assert_str_eq(r->orcpt ? r->orcpt : "-", w->orcpt ? w->orcpt : "-");
        ck_assert_str_eq(r->errors_to ? r->errors_to : "-",
                         w->errors_to ? w->errors_to : "-");
    }
    {
        const struct spool_header *h = back.headers, *w = m.headers;

        for (; h != NULL && w != NULL; h = h->next, w = w->next) {
            ck_assert_int_eq(h->type, w->type);
            ck_assert_uint_eq(h->len, w->len);
            ck_assert(memcmp(h->text, w->text, h->len) == 0);
        }
        ck_assert(h == NULL && w == NULL);
    }
    ck_assert_uint_eq(spool_msg_header_size(&back), 28 + 12 + 3000 + 5000);
    /* memmem(): the file holds a NUL (in an ACL variable). */
    ck_assert_ptr_nonnull(memmem(g.s, g.len, "\n1000  X-Big: ", 13));
    ck_assert_ptr_nonnull(memmem(g.s, g.len, "\n999  X-Big: ", 12));
    ck_assert_ptr_nonnull(memmem(g.s, g.len, "\n1001  X-Big: ", 13));
    ck_assert_ptr_nonnull(memmem(g.s, g.len, "\n5000T To: ", 11));
    ck_assert_ptr_nonnull(memmem(g.s, g.len, "\n012* X-Old: gone\n", 18));
    arena_destroy(a);
}
END_TEST

/* Non-recipient trees of 0..20 addresses survive a round trip, shape
 * included. */
START_TEST(test_roundtrip_nonrcpt)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    gstr g, err;
    int rc;

    rich_message(&m, a, _i, 0);
    gstr_init(&g, a);
    gstr_init(&err, a);
    spool_format_header(&g, &m);
    rc = spool_parse_header(g.s, g.len, NULL, a, &back, &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%d: %s", _i, gstr_str(&err));
    ck_assert_int_eq(tree_count(back.nonrecipients), _i);
    for (int i = 0; i < _i; i++)
        ck_assert(spool_msg_is_nonrcpt(
            &back, arena_printf(a, "u%02d@example.net", (i * 7) % 20)));
    ck_assert(!spool_msg_is_nonrcpt(&back, "bob@example.net"));
    /* Adding to a tree read back balances it as Exim would. */
    spool_msg_add_nonrcpt(&back, "zz@example.net");
    spool_msg_add_nonrcpt(&m, "zz@example.net");
    ck_assert_str_eq(format_msg(a, &back), format_msg(a, &m));
    arena_destroy(a);
}
END_TEST

/* The expected lines for the rich message's envelope. */
#define PART(s)                                                                \
    {                                                                          \
        s, sizeof(s) - 1                                                       \
    }

START_TEST(test_write_lines)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr g;
    static const struct {
        const char *s;
        size_t n;
    } want[] = {
        PART("1vQk3L-000000000Xb-00A1-H\nexim 93 93\n<alice@example.org>\n"
             "1715000000 2\n-received_time_usec .123456\n"
             "-received_time_complete 1715000001.000789\n"
             "--helo_name client.example.org\n"
             "-host_address [2001:db8::10]:53422\n"
             "-host_name client.example.org\n-host_auth dovecot_plain\n"
             "-host_auth_pubname PLAIN\n"
             "-interface_address [203.0.113.1]:587\n"
             "-active_hostname mx2.example.org\n--ident alice\n"
             "-received_protocol esmtpsa\n"),
        /* ACL variables in the pre-order of Exim's trees */
        PART("--aclc _multi 22\nline one\nline two\n\nend\n-aclc 9 1\nx\n"),
        PART("-aclm _bin 4\na\0b\n\n-aclm 0 4\nham!\n"
             "--(mysql)aclm _empty 0\n\n"),
        PART("-body_linecount 42\n-max_received_linelength 998\n"
             "-body_zerocount 3\n--auth_id alice\n"
             "-auth_sender alice@example.org\n"
             "-allow_unqualified_recipient\n-allow_unqualified_sender\n"
             "-deliver_firsttime\n-frozen 1715000100\n-N\n"
             "-host_lookup_deferred\n-host_lookup_failed\n-local\n"
             "-localerror\n-manual_thaw\n-sender_set_untrusted\n"
             "-bmi_verdicts 0:1:B1FAH2YAAAA:example.net\n"
             "-tls_certificate_verified\n"
             "-tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256\n"
             "--tls_peercert -----BEGIN CERTIFICATE-----\\nMIIC\\n-----END "
             "CERTIFICATE-----\\n\n"
             "-tls_peerdn CN=client,O=Example\\tCorp\\n\\001\n"
             "-tls_sni mx.example.org\n"
             "-tls_ourcert -----BEGIN CERTIFICATE-----\\nMIIB\\n-----END "
             "CERTIFICATE-----\\n\n"
             "-tls_resumption A\n-tls_ver TLS1.3\n"
             "-dsn_envid QQ314159\n-dsn_ret 2\n-spam_score 5.5\n"
             "--(pgsql)future_option value with spaces\nXX\n5\n"
             "bob@example.net\n"
             "carol@example.net rfc822;carol@example.net 24,12  0,-1#3\n"
             "\"dave smith\"@example.net  0,0 owner@example.net 17,1#3\n"
             "erin@example.net rfc822;erin 1,2@example.net 27,2 "
             "x 3,4@example.net 17,0#3\n"
             "frank@example.net rfc822;frank@example.net 24,0  0,-1#3\n\n"),
    };
    size_t off = 0;

    rich_message(&m, a, 0, 0);
    gstr_init(&g, a);
    spool_format_header(&g, &m);
    for (size_t i = 0; i < NELEM(want); i++) {
        ck_assert_msg(off + want[i].n <= g.len &&
                          memcmp(g.s + off, want[i].s, want[i].n) == 0,
                      "part %zu differs at: %.80s", i, g.s + off);
        off += want[i].n;
    }
    ck_assert_uint_eq(off, g.len);
    arena_destroy(a);
}
END_TEST

/* The worked example of exim-spool-and-logs.md, section 3. */
static const char worked_example[] =
    "1vQk3L-000000000Xb-00A1-H\n"
    "exim 93 93\n"
    "<alice@example.org>\n"
    "1715000000 0\n"
    "-received_time_usec .123456\n"
    "-received_time_complete 1715000001.000789\n"
    "--helo_name client.example.org\n"
    "-host_address [192.0.2.10]:53422\n"
    "-host_auth dovecot_plain\n"
    "-host_auth_pubname PLAIN\n"
    "-interface_address [203.0.113.1]:587\n"
    "-received_protocol esmtpsa\n"
    "-aclm 0 4\n"
    "spam\n"
    "-body_linecount 2\n"
    "-max_received_linelength 10\n"
    "--auth_id alice\n"
    "-deliver_firsttime\n"
    "-tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256\n"
    "-tls_ver TLS1.3\n"
    "-dsn_ret 2\n"
    "XX\n"
    "2\n"
    "bob@example.net\n"
    "carol@example.net rfc822;carol@example.net 24,12  0,-1#3\n"
    "\n"
    "136P Received: from [192.0.2.10] (helo=laptop)\n"
    "\tby mx.example.org with esmtpsa\n"
    "\tid 1vQk3L-000000000Xb-00A1;\n"
    "\tMon, 06 May 2024 09:10:11 +0000\n"
    "024F From: alice@example.org\n"
    "012  Subject: hi\n";

START_TEST(test_worked_example)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    const struct spool_header *h;
    gstr err;
    int rc;

    gstr_init(&err, a);
    rc = spool_parse_header(worked_example, sizeof(worked_example) - 1,
                            "1vQk3L-000000000Xb-00A1", a, &m, &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%s", gstr_str(&err));
    ck_assert_str_eq(m.login, "exim");
    ck_assert_int_eq(m.uid, 93);
    ck_assert_int_eq(m.gid, 93);
    ck_assert_str_eq(m.sender, "alice@example.org");
    ck_assert_int_eq(m.received_sec, 1715000000);
    ck_assert_int_eq(m.received_usec, 123456);
    ck_assert_int_eq(m.complete_sec, 1715000001);
    ck_assert_int_eq(m.complete_usec, 789);
    ck_assert_int_eq(m.warning_count, 0);
    ck_assert_str_eq(m.helo_name, "client.example.org");
    ck_assert(m.tainted & SPOOL_TAINT(SPOOL_F_HELO_NAME));
    ck_assert(m.tainted & SPOOL_TAINT(SPOOL_F_AUTH_ID));
    ck_assert(!(m.tainted & SPOOL_TAINT(SPOOL_F_HOST_ADDRESS)));
    ck_assert_str_eq(m.host_address, "192.0.2.10");
    ck_assert_int_eq(m.host_port, 53422);
    ck_assert_str_eq(m.host_auth, "dovecot_plain");
    ck_assert_str_eq(m.host_auth_pubname, "PLAIN");
    ck_assert_str_eq(m.interface_address, "203.0.113.1");
    ck_assert_int_eq(m.interface_port, 587);
    ck_assert_str_eq(m.received_protocol, "esmtpsa");
    ck_assert_str_eq(spool_msg_get_aclvar(&m, 'm', "0")->value, "spam");
    ck_assert_int_eq(m.body_linecount, 2);
    ck_assert_int_eq(m.max_received_linelength, 10);
    ck_assert_str_eq(m.auth_id, "alice");
    ck_assert_int_eq(m.deliver_firsttime, 1);
    ck_assert_str_eq(m.tls_cipher, "TLS1.3:TLS_AES_256_GCM_SHA384:256");
    ck_assert_str_eq(m.tls_ver, "TLS1.3");
    ck_assert_int_eq(m.dsn_ret, 2);
    ck_assert_ptr_null(m.nonrecipients);
    ck_assert_ptr_null(m.unknown);
    ck_assert_int_eq(m.rcpt_count, 2);
    ck_assert_str_eq(m.rcpts[0].address, "bob@example.net");
    ck_assert_int_eq(m.rcpts[0].pno, -1);
    ck_assert_str_eq(m.rcpts[1].address, "carol@example.net");
    ck_assert_str_eq(m.rcpts[1].orcpt, "rfc822;carol@example.net");
    ck_assert_int_eq(m.rcpts[1].dsn_flags, 12);
    ck_assert_ptr_null(m.rcpts[1].errors_to);
    ck_assert_int_eq(m.rcpts[1].pno, -1);
    h = m.headers;
    ck_assert_int_eq(h->type, 'P');
    ck_assert_uint_eq(h->len, 136);
    ck_assert(memcmp(h->text + 131, "0000\n", 5) == 0);
    h = h->next;
    ck_assert_int_eq(h->type, 'F');
    ck_assert_str_eq(h->text, "From: alice@example.org\n");
    h = h->next;
    ck_assert_int_eq(h->type, ' ');
    ck_assert_str_eq(h->text, "Subject: hi\n");
    ck_assert_ptr_null(h->next);
    /* mxlab writes it back byte for byte. */
    ck_assert_str_eq(format_msg(a, &m), worked_example);
    arena_destroy(a);
}
END_TEST

/*
 * Recipient lines, all the forms Exim has written.
 */

static const struct {
    const char *label;
    const char *line;
    const char *address;
    int pno;
    const char *errors_to;
    const char *orcpt;
    int dsn_flags;
} rcpt_cases[] = {
    {"plain", "a@b.example", "a@b.example", -1, NULL, NULL, 0},
    {"spaces in address", "\"a b\"@c.example", "\"a b\"@c.example", -1, NULL,
     NULL, 0},
    {"domain literal", "a@[192.0.2.1]", "a@[192.0.2.1]", -1, NULL, NULL, 0},
    {"ends in digits", "a@host2", "a@host2", -1, NULL, NULL, 0},
    {"early Exim 4 pno", "a@b.example 3", "a@b.example", 3, NULL, NULL, 0},
    {"Exim 3", "a@b.example 0,5,0", "a@b.example", 5, NULL, NULL, 0},
    {"Exim 3 negative pno", "a@b.example 0,-1,0", "a@b.example", -1, NULL, NULL,
     0},
    {"#1 errors_to", "a@b.example e@f.example 11,2#1", "a@b.example", 2,
     "e@f.example", NULL, 0},
    {"#1 empty errors_to", "a@b.example  0,4#1", "a@b.example", 4, NULL, NULL,
     0},
    {"#3 everything", "a b@c d 1,6 e f@g 5,7#3", "a b@c", 7, "e f@g", "d", 6},
    {"#3 empty fields", "a@b  0,0  0,-1#3", "a@b", -1, NULL, NULL, 0},
    {"#3 orcpt with digits and commas", "a@b x 1,2,3@y 9,30  0,-1#3", "a@b", -1,
     NULL, "x 1,2,3@y", 30},
    {"#2 orcpt only", "a@b rfc822;a@b 10,4#2", "a@b", -1, NULL, "rfc822;a@b",
     4},
};

static const char *
rcpt_file(struct arena *a, const char *line)
{
    return arena_printf(a,
                        "1vQk3L-000000000Xb-00A1-H\nu 1 1\n<>\n1 0\n"
                        "-body_linecount 0\nXX\n1\n%s\n\n",
                        line);
}

START_TEST(test_rcpt_forms)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    const char *f = rcpt_file(a, rcpt_cases[_i].line);
    const struct spool_rcpt *r;
    gstr err;
    int rc;

    gstr_init(&err, a);
    rc = spool_parse_header(f, strlen(f), NULL, a, &m, &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%s: %s", rcpt_cases[_i].label,
                  gstr_str(&err));
    ck_assert_int_eq(m.rcpt_count, 1);
    r = &m.rcpts[0];
    ck_assert_msg(strcmp(r->address, rcpt_cases[_i].address) == 0,
                  "%s: address \"%s\"", rcpt_cases[_i].label, r->address);
    ck_assert_msg(r->pno == rcpt_cases[_i].pno, "%s: pno %d",
                  rcpt_cases[_i].label, r->pno);
    ck_assert_int_eq(r->dsn_flags, rcpt_cases[_i].dsn_flags);
    ck_assert_str_eq(r->errors_to ? r->errors_to : "(none)",
                     rcpt_cases[_i].errors_to ? rcpt_cases[_i].errors_to
                                              : "(none)");
    ck_assert_str_eq(r->orcpt ? r->orcpt : "(none)",
                     rcpt_cases[_i].orcpt ? rcpt_cases[_i].orcpt : "(none)");
    ck_assert_str_eq(m.sender, "");
    arena_destroy(a);
}
END_TEST

/*
 * Corrupt files: each gives its own message.
 */

#define HEAD "1vQk3L-000000000Xb-00A1-H\nexim 93 93\n<a@b>\n1715000000 0\n"

static const struct {
    const char *label;
    const char *text;
    int rc;
    const char *message;
} corrupt_cases[] = {
    {"empty", "", SPOOL_READ_ENVERROR,
     "(unknown)-H is corrupt: line 1: file ends where the id line should be"},
    {"wrong id line", "hello-H\n", SPOOL_READ_ENVERROR,
     "line 1: first line \"hello-H\" is not \"<message id>-H\""},
    {"other message", "1vQk3L-000000000Xb-00A2-H\n", SPOOL_READ_ENVERROR,
     "names another message"},
    {"caller", "1vQk3L-000000000Xb-00A1-H\nexim x 93\n", SPOOL_READ_ENVERROR,
     "line 2: caller line \"exim x 93\" is not \"<login> <uid> <gid>\""},
    {"sender", "1vQk3L-000000000Xb-00A1-H\nexim 93 93\na@b\n",
     SPOOL_READ_ENVERROR, "line 3: sender \"a@b\" is not in angle brackets"},
    {"time", "1vQk3L-000000000Xb-00A1-H\nexim 93 93\n<a@b>\nnow 0\n",
     SPOOL_READ_ENVERROR, "line 4: time line \"now 0\" is not"},
    {"ends in options", HEAD "-local\n", SPOOL_READ_ENVERROR,
     "line 6: file ends where the non-recipients tree should be"},
    {"bad number", HEAD "-body_linecount 12a\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "line 5: body_linecount \"12a\" is not a number"},
    {"bad usec", HEAD "-received_time_usec 123\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "received_time_usec \"123\" is not \".NNNNNN\""},
    {"unclosed quoter", HEAD "--(mysqlhelo_name x\nXX\n0\n\n",
     SPOOL_READ_ENVERROR, "has \"(\" without \")\""},
    {"acl value short", HEAD "-aclm 0 10\nabc\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "line 5: the value of ACL variable acl_m0 is not 10 bytes and a newline"},
    {"acl length", HEAD "-aclc 0 -1\n\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "ACL variable length \"-1\" is not a number"},
    {"acl no name", HEAD "-aclc 4\nabcd\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "is not \"-acl<c|m> <name> <length>\""},
    {"old acl number", HEAD "-acl 20 1\nx\nXX\n0\n\n", SPOOL_READ_ENVERROR,
     "old ACL variable number \"20\" is not 0-19"},
    {"tree line", HEAD "YX a@b\n0\n\n", SPOOL_READ_ENVERROR,
     "line 5: non-recipients tree line \"YX a@b\" is not"},
    {"tree cut", HEAD "YN a@b\n", SPOOL_READ_ENVERROR,
     "line 6: file ends where a non-recipients tree line should be"},
    {"tree too deep", NULL, SPOOL_READ_ENVERROR,
     "non-recipients tree is deeper than 100"},
    {"count", HEAD "XX\nx\n", SPOOL_READ_ENVERROR,
     "spool file 1vQk3L-000000000Xb-00A1-H is corrupt: line 6: recipient "
     "count \"x\" is not a number"},
    {"count too big", HEAD "XX\n5\na@b\n\n", SPOOL_READ_ENVERROR,
     "recipient count 5 is more than the file holds"},
    {"missing recipient", HEAD "XX\n2\na@b\nc@d\n", SPOOL_READ_ENVERROR,
     "line 9: file ends where the empty line before the headers should be"},
    {"empty recipient", HEAD "XX\n1\n\n\n", SPOOL_READ_ENVERROR,
     "line 7: recipient line is empty"},
    {"bad #3", HEAD "XX\n1\na@b x 5,0  0,-1#3\n\n", SPOOL_READ_ENVERROR,
     "has a bad DSN field"},
    {"bad flags", HEAD "XX\n1\na@b #99999999999\n\n", SPOOL_READ_ENVERROR,
     "recipient \"a@b #99999999999\" has bad flags after \"#\""},
    {"bad #1 length", HEAD "XX\n1\na@b e 99,0#1\n\n", SPOOL_READ_ENVERROR,
     "has a bad errors_to field"},
    {"no blank line", HEAD "XX\n1\na@b\n012  Subject: hi\n",
     SPOOL_READ_ENVERROR,
     "line 8: line after the recipients \"012  Subject: hi\" is not empty"},
    {"header without length", HEAD "XX\n0\n\nSubject: hi\n",
     SPOOL_READ_HDRERROR,
     "line 8: header \"Subject: hi\\x0a\" does not start with its length"},
    {"header cut", HEAD "XX\n0\n\n012  Subject:", SPOOL_READ_HDRERROR,
     "line 8: header of 12 bytes is cut off after 8"},
    {"header prefix", HEAD "XX\n0\n\n012Subject: hi\n", SPOOL_READ_HDRERROR,
     "header prefix \"012Su\" is not \"<length><type> \""},
    {"header NUL", NULL, SPOOL_READ_HDRERROR, "header holds a NUL byte"},
    {"header length only", HEAD "XX\n0\n\n012", SPOOL_READ_HDRERROR,
     "header is cut off after its length"},
    {"second header bad", HEAD "XX\n0\n\n012  Subject: hi\n\n",
     SPOOL_READ_HDRERROR, "line 9: header \"\\x0a\" does not start"},
};

START_TEST(test_corrupt)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err, text;
    int rc;

    gstr_init(&err, a);
    gstr_init(&text, a);
    if (corrupt_cases[_i].text != NULL)
        gstr_adds(&text, corrupt_cases[_i].text);
    else if (strcmp(corrupt_cases[_i].label, "tree too deep") == 0) {
        gstr_adds(&text, HEAD);
        for (int i = 0; i < 200; i++)
            gstr_printf(&text, "YN a%03d@b\n", 200 - i);
        gstr_adds(&text, "NN a@b\n0\n\n");
    } else {
        gstr_adds(&text, HEAD "XX\n0\n\n012  Subject: h");
        gstr_addn(&text, "\0\n", 2);
    }
    rc = spool_parse_header(text.s, text.len,
                            strcmp(corrupt_cases[_i].label, "empty") == 0
                                ? NULL
                                : "1vQk3L-000000000Xb-00A1",
                            a, &m, &err);
    ck_assert_msg(rc == corrupt_cases[_i].rc, "%s: rc %d (%s)",
                  corrupt_cases[_i].label, rc, gstr_str(&err));
    ck_assert_msg(strstr(gstr_str(&err), corrupt_cases[_i].message) != NULL,
                  "%s: message \"%s\" lacks \"%s\"", corrupt_cases[_i].label,
                  gstr_str(&err), corrupt_cases[_i].message);
    ck_assert_msg(strncmp(err.s, "spool file ", 11) == 0, "%s", err.s);
    arena_destroy(a);
}
END_TEST

/* Cut a rich file at every byte: each prefix reads as an error or as a
 * valid message, and nothing is read past its end (an exact-size heap
 * copy for AddressSanitizer). */
START_TEST(test_truncated_everywhere)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    gstr g;
    int ok = 0, bad = 0;

    rich_message(&m, a, 9, 1);
    gstr_init(&g, a);
    spool_format_header(&g, &m);
    for (size_t n = 0; n <= g.len; n++) {
        struct arena *b = arena_create();
        char *copy = malloc(n ? n : 1);
        gstr err;
        int rc;

        memcpy(copy, g.s, n);
        gstr_init(&err, b);
        rc = spool_parse_header(copy, n, NULL, b, &back, &err);
        if (rc == SPOOL_READ_OK)
            ok++;
        else {
            ck_assert_msg(err.len > 0, "no message at %zu", n);
            bad++;
        }
        free(copy);
        arena_destroy(b);
    }
    /* The end of the recipients and the end of each of the 7 headers. */
    ck_assert_int_eq(ok, 8);
    ck_assert_int_gt(bad, 1000);
    arena_destroy(a);
}
END_TEST

START_TEST(test_damaged_everywhere)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    gstr g;
    static const char subst[] = {'\n', '\0', ' ', '-', '9', '#', ','};

    rich_message(&m, a, 9, 1);
    gstr_init(&g, a);
    spool_format_header(&g, &m);
    for (size_t n = 0; n < g.len && n < 2500; n++) {
        for (size_t k = 0; k < sizeof(subst); k++) {
            struct arena *b = arena_create();
            char *copy = malloc(g.len);
            gstr err;

            memcpy(copy, g.s, g.len);
            copy[n] = subst[k];
            gstr_init(&err, b);
            (void)spool_parse_header(copy, g.len, NULL, b, &back, &err);
            free(copy);
            arena_destroy(b);
        }
    }
    arena_destroy(a);
}
END_TEST

/* Unknown option lines are kept, and written back on a rewrite. */
START_TEST(test_unknown_options)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err;
    static const char text[] =
        "1vQk3L-000000000Xb-00A1-H\nexim 93 93\n<a@b>\n1715000000 0\n"
        "-received_time_usec .000001\n"
        "-debug_selector 0x7\n"
        "-tls_ocsp 4\n"
        "-spam_score 5.5\n"
        "-local yes\n"
        "--(pgsql)something_new x y z\n"
        "-smtputf8\n"
        "-body_linecount 1\n"
        "-local\n"
        "XX\n1\na@b\n\n";
    const char *out;
    int rc;

    gstr_init(&err, a);
    rc = spool_parse_header(text, sizeof(text) - 1, NULL, a, &m, &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%s", gstr_str(&err));
    ck_assert_int_eq(m.local, 1);
    ck_assert_int_eq(m.received_usec, 1);
    out = format_msg(a, &m);
    ck_assert_str_eq(out, "1vQk3L-000000000Xb-00A1-H\nexim 93 93\n<a@b>\n"
                          "1715000000 0\n-received_time_usec .000001\n"
                          "-body_linecount 1\n-max_received_linelength 0\n"
                          "-local\n"
                          "-debug_selector 0x7\n"
                          "-tls_ocsp 4\n"
                          "-spam_score 5.5\n"
                          "-local yes\n"
                          "--(pgsql)something_new x y z\n"
                          "-smtputf8\n"
                          "XX\n1\na@b\n\n");
    arena_destroy(a);
}
END_TEST

/* Values that would break the file are written so that it still reads:
 * newlines become spaces, the login is cut at 63 bytes as in Exim. */
START_TEST(test_write_defensive)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    struct spool_rcpt *r;
    gstr err;
    char *text;
    int rc;

    spool_msg_init(&m, a, "1vQk3L-000000000Xb-00A1");
    m.login = "a-very-long-login-name-that-goes-on-and-on-and-on-past-63-"
              "bytes\nreally";
    m.sender = "evil\n@example";
    m.helo_name = "helo\nname";
    m.tls_sni = "sni\nname";
    r = spool_msg_add_rcpt(&m, "rcpt\n@example");
    r->errors_to = "err\nors@example";
    spool_msg_add_nonrcpt(&m, "done\n@example");
    text = format_msg(a, &m);
    gstr_init(&err, a);
    rc = spool_parse_header(text, strlen(text), NULL, a, &back, &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%s", gstr_str(&err));
    ck_assert_uint_eq(strlen(back.login), 63);
    ck_assert_str_eq(back.sender, "evil @example");
    ck_assert_str_eq(back.helo_name, "helo name");
    ck_assert_str_eq(back.tls_sni, "sni\nname"); /* escaped, not lost */
    ck_assert_str_eq(back.rcpts[0].address, "rcpt @example");
    ck_assert_str_eq(back.rcpts[0].errors_to, "err ors@example");
    ck_assert(spool_msg_is_nonrcpt(&back, "done @example"));
    arena_destroy(a);
}
END_TEST

/* Names from outside never reach a path. */
START_TEST(test_bad_ids)
{
    struct arena *a = arena_create();
    static const char *const bad[] = {"../../etc/passwd", "",
                                      "1vQk3L-000000000Xb-00A1/../x",
                                      "1vQk3L-000000000Xb-00A"};
    struct spool_msg m;
    gstr err;
    int fd;
    off_t off;

    for (size_t i = 0; i < NELEM(bad); i++) {
        gstr_init(&err, a);
        ck_assert_int_eq(
            spool_read_header("/nonexistent/mxlab", 0, bad[i], a, &m, &err),
            SPOOL_READ_NOTOPEN);
        ck_assert_ptr_nonnull(strstr(err.s, "invalid message id"));
        ck_assert_ptr_null(
            spool_body_open(a, "/nonexistent/mxlab", 0, bad[i], &err));
        ck_assert_int_eq(
            spool_lock_open("/nonexistent/mxlab", 0, bad[i], &fd, &err),
            SPOOL_LOCK_ERROR);
        ck_assert_int_eq(spool_open_data("/nonexistent/mxlab", 0, bad[i], &fd,
                                         &off, NULL, &err),
                         -1);
        spool_msg_init(&m, a, bad[i]);
        if (strlen(bad[i]) <= MSGID_LEN) /* longer ones are cut to an id */
            ck_assert_int_eq(
                spool_write_header("/nonexistent/mxlab", 0, &m, &err), -1);
    }
    arena_destroy(a);
}
END_TEST

/* Older option forms. */
START_TEST(test_legacy_options)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err;
    static const char text[] =
        "1vQk3L-0000Xb-0A-H\nroot 0 -1\n<>\n1715000000 3\n"
        "-host_address 192.0.2.1.25\n"
        "-interface_address ::1.587\n"
        "-acl 3 5\nab\ncd\n"
        "-acl 12 0\n\n"
        "-tls_peerdn CN=a\\,b\\x41\\101\\\n"
        "XX\n0\n\n";
    int rc;

    gstr_init(&err, a);
    rc = spool_parse_header(text, sizeof(text) - 1, "1vQk3L-0000Xb-0A", a, &m,
                            &err);
    ck_assert_msg(rc == SPOOL_READ_OK, "%s", gstr_str(&err));
    ck_assert_str_eq(m.id, "1vQk3L-0000Xb-0A");
    ck_assert_str_eq(m.login, "root");
    ck_assert_int_eq(m.gid, -1);
    ck_assert_int_eq(m.warning_count, 3);
    ck_assert_str_eq(m.host_address, "192.0.2.1");
    ck_assert_int_eq(m.host_port, 25);
    ck_assert_str_eq(m.interface_address, "::1");
    ck_assert_int_eq(m.interface_port, 587);
    ck_assert_str_eq(spool_msg_get_aclvar(&m, 'c', "3")->value, "ab\ncd");
    ck_assert_uint_eq(spool_msg_get_aclvar(&m, 'm', "2")->len, 0);
    ck_assert_str_eq(m.tls_peerdn, "CN=a,bAA\\");
    arena_destroy(a);
}
END_TEST

/* fuzz-spool: a host address that cannot be split is kept whole, and
 * written back in brackets; read again, it must be the same address. */
START_TEST(test_unsplit_host_address_round_trip)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    gstr err, text;
    static const char in[] = "1vQk3L-0000Xb-0A-H\nroot 0 0\n<>\n1715000000 0\n"
                             "-host_address junk[192.0.2.7]:50123\n"
                             "XX\n0\n\n";

    gstr_init(&err, a);
    gstr_init(&text, a);
    ck_assert_int_eq(spool_parse_header(in, sizeof(in) - 1, NULL, a, &m, &err),
                     SPOOL_READ_OK);
    ck_assert_str_eq(m.host_address, "junk[192.0.2.7]:50123");
    ck_assert_int_eq(m.host_port, 0);
    spool_format_header(&text, &m);
    ck_assert_int_eq(spool_parse_header(text.s, text.len, NULL, a, &back, &err),
                     SPOOL_READ_OK);
    ck_assert_str_eq(back.host_address, m.host_address);
    ck_assert_int_eq(back.host_port, 0);
    arena_destroy(a);
}
END_TEST

/* fuzz-spool: an option line ends at a NUL, as in Exim, so that a flag
 * followed by a NUL is that flag (and reads back the same when written). */
START_TEST(test_option_line_ends_at_nul)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err;
    static const char in[] = "1vQk3L-0000Xb-0A-H\nroot 0 0\n<>\n1715000000 0\n"
                             "-deliver_firsttime\0\0\x80\n"
                             "-local\0junk\n"
                             "XX\n0\n\n";

    gstr_init(&err, a);
    ck_assert_int_eq(spool_parse_header(in, sizeof(in) - 1, NULL, a, &m, &err),
                     SPOOL_READ_OK);
    ck_assert_int_eq(m.deliver_firsttime, 1);
    ck_assert_int_eq(m.local, 1);
    ck_assert_ptr_null(m.unknown);
    arena_destroy(a);
}
END_TEST

/* fuzz-spool: a recipient line ends at a NUL, so a line that starts with
 * one is an empty recipient line, which is corrupt. */
START_TEST(test_rcpt_line_ends_at_nul)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err;
    static const char cut[] = "1vQk3L-0000Xb-0A-H\nroot 0 0\n<>\n1715000000 0\n"
                              "XX\n1\nbob@test.ex\0junk\n\n";
    static const char empty[] =
        "1vQk3L-0000Xb-0A-H\nroot 0 0\n<>\n1715000000 0\n"
        "XX\n1\n\0bob@test.ex\n\n";

    gstr_init(&err, a);
    ck_assert_int_eq(
        spool_parse_header(cut, sizeof(cut) - 1, NULL, a, &m, &err),
        SPOOL_READ_OK);
    ck_assert_str_eq(m.rcpts[0].address, "bob@test.ex");
    ck_assert_int_ne(
        spool_parse_header(empty, sizeof(empty) - 1, NULL, a, &m, &err),
        SPOOL_READ_OK);
    arena_destroy(a);
}
END_TEST

/*
 * Files on disk.
 */

static char spool_dir[64];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
spool_setup(void)
{
    snprintf(spool_dir, sizeof(spool_dir), "/tmp/mxlab-spool-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(spool_dir));
}

static void
spool_teardown(void)
{
    nftw(spool_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *
slurp(struct arena *a, const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    char *buf;

    if (fd < 0)
        return NULL;
    ck_assert_int_eq(fstat(fd, &st), 0);
    buf = arena_alloc(a, (size_t)st.st_size + 1);
    ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static int
count_files(const char *dir)
{
    char cmd[256];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof(cmd), "find %s -type f | wc -l", dir);
    p = popen(cmd, "r");
    if (p != NULL) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

START_TEST(test_disk_accept_and_read)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    struct spool_body *b;
    const char *id = "1vQk3L-000000000Xb-00A1";
    int split = _i;
    gstr err, path;
    char *data, buf[64];
    size_t len;
    int fd;
    off_t off, size;

    gstr_init(&err, a);
    gstr_init(&path, a);
    rich_message(&m, a, 0, 1);
    b = spool_body_open(a, spool_dir, split, id, &err);
    ck_assert_msg(b != NULL, "%s", gstr_str(&err));
    ck_assert_int_eq(spool_body_write(b, "line 1\nline", 11), 0);
    ck_assert_int_eq(spool_body_write(b, " 2 is longer\n\nx\0y", 17), 0);
    /* Not a message yet: only the temporary file exists. */
    ck_assert_int_eq(count_files(spool_dir), 1);
    ck_assert_int_eq(spool_write_message(spool_dir, split, &m, b, &err), 0);
    ck_assert_int_eq(m.body_linecount, 4);
    ck_assert_int_eq(m.body_zerocount, 1);
    ck_assert_int_eq(m.max_received_linelength, 998); /* already larger */
    ck_assert_int_eq(spool_body_size(b), 29);
    ck_assert_int_eq(spool_body_max_linelength(b), 16);
    ck_assert_int_eq(count_files(spool_dir), 2);

    gstr_printf(&path, "%s/input/%s%s-D", spool_dir, split ? "L/" : "", id);
    data = slurp(a, path.s, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, 26 + 29);
    ck_assert(memcmp(data,
                     "1vQk3L-000000000Xb-00A1-D\nline 1\nline 2 is longer\n"
                     "\nx\0y\n",
                     len) == 0);

    ck_assert_int_eq(spool_read_header(spool_dir, split, id, a, &back, &err),
                     SPOOL_READ_OK);
    ck_assert_str_eq(format_msg(a, &back), format_msg(a, &m));
    /* The other layout is looked at too. */
    ck_assert_int_eq(spool_read_header(spool_dir, !split, id, a, &back, &err),
                     SPOOL_READ_OK);

    ck_assert_int_eq(
        spool_open_data(spool_dir, split, id, &fd, &off, &size, &err), 0);
    ck_assert_int_eq(off, 26);
    ck_assert_int_eq(size, 29);
    ck_assert_int_eq(read(fd, buf, 7), 7);
    ck_assert(memcmp(buf, "line 1\n", 7) == 0);
    close(fd);

    /* A delivery: the -H is rewritten with the delivered address. */
    spool_msg_add_nonrcpt(&back, "bob@example.net");
    back.deliver_firsttime = 0;
    ck_assert_int_eq(spool_rewrite_header(spool_dir, split, &back, &err), 0);
    ck_assert_int_eq(spool_read_header(spool_dir, split, id, a, &m, &err),
                     SPOOL_READ_OK);
    ck_assert(spool_msg_is_nonrcpt(&m, "bob@example.net"));
    ck_assert_int_eq(m.deliver_firsttime, 0);
    ck_assert_int_eq(count_files(spool_dir), 2); /* no temporaries left */

    spool_body_close(b);
    ck_assert_int_eq(spool_read_header(spool_dir, split,
                                       "1vQk3L-000000000Xb-00A2", a, &m, &err),
                     SPOOL_READ_NOTOPEN);
    arena_destroy(a);
}
END_TEST

/* The -H written to the unnamed file made ahead of time: the same -H,
 * under its name, mode 0640, no other file left; the spare serves its
 * own directory only, once, and a forked child does not inherit it. */
START_TEST(test_disk_spare_header)
{
    struct arena *a = arena_create();
    struct spool_msg m, back;
    struct spool_body *b;
    const char *id = "1vQk3L-000000000Xb-00A1";
    gstr err, dir, path;
    struct stat st;
    mode_t old_mask;
    pid_t pid;
    int status, fd;

    gstr_init(&err, a);
    gstr_init(&dir, a);
    gstr_init(&path, a);
    rich_message(&m, a, 0, 1);
    ck_assert_int_eq(spool_path_make_dirs(spool_dir, 0, &err), 0);
    spool_path_dir(&dir, spool_dir, 0);
    spool_path_prepare_temp(dir.s);
    fd = spool_path_take_temp(dir.s);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(spool_path_take_temp(dir.s), -1); /* taken */
    old_mask = umask(022);
    spool_path_prepare_temp(dir.s);
    umask(old_mask);
    ck_assert_int_eq(count_files(spool_dir), 0); /* it has no name */
    ck_assert_int_eq(spool_path_take_temp(spool_dir), -1);
    pid = fork();
    if (pid == 0)
        _exit(spool_path_take_temp(dir.s) == -1 ? 0 : 1);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    b = spool_body_open(a, spool_dir, 0, id, &err);
    ck_assert_msg(b != NULL, "%s", gstr_str(&err));
    ck_assert_int_eq(spool_body_write(b, "body\n", 5), 0);
    ck_assert_int_eq(spool_write_message(spool_dir, 0, &m, b, &err), 0);
    ck_assert_int_eq(spool_path_take_temp(dir.s), -1); /* it was used */
    ck_assert_int_eq(count_files(spool_dir), 2);
    ck_assert_int_eq(spool_read_header(spool_dir, 0, id, a, &back, &err),
                     SPOOL_READ_OK);
    ck_assert_str_eq(format_msg(a, &back), format_msg(a, &m));
    gstr_printf(&path, "%s/%s-H", dir.s, id);
    ck_assert_int_eq(stat(path.s, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    spool_body_close(b);
    spool_path_forget_dir();
    arena_destroy(a);
}
END_TEST

START_TEST(test_disk_abort)
{
    struct arena *a = arena_create();
    struct spool_body *b;
    gstr err;

    gstr_init(&err, a);
    b = spool_body_open(a, spool_dir, 0, "1vQk3L-000000000Xb-00A1", &err);
    ck_assert_ptr_nonnull(b);
    spool_body_write(b, "x\n", 2);
    spool_body_abort(b);
    ck_assert_int_eq(count_files(spool_dir), 0);

    /* Committed body, no -H: abort removes the -D too. */
    b = spool_body_open(a, spool_dir, 0, "1vQk3L-000000000Xb-00A1", &err);
    spool_body_write(b, "x", 1);
    ck_assert_int_eq(spool_body_commit(b, &err), 0);
    ck_assert_int_eq(count_files(spool_dir), 1);
    ck_assert_int_eq(spool_body_linecount(b), 1); /* the LF was added */
    spool_body_abort(b);
    ck_assert_int_eq(count_files(spool_dir), 0);

    /* An empty body: just the id line. */
    {
        struct spool_msg m;
        size_t len;
        char *d;

        spool_msg_init(&m, a, "1vQk3L-000000000Xb-00A1");
        b = spool_body_open(a, spool_dir, 0, m.id, &err);
        ck_assert_int_eq(spool_write_message(spool_dir, 0, &m, b, &err), 0);
        spool_body_abort(b); /* accepted: nothing removed */
        ck_assert_int_eq(count_files(spool_dir), 2);
        d = slurp(a,
                  arena_printf(a, "%s/input/%s-D", spool_dir,
                               "1vQk3L-000000000Xb-00A1"),
                  &len);
        ck_assert_uint_eq(len, 26);
        ck_assert_int_eq(m.body_linecount, 0);
        ck_assert(d != NULL);
    }
    arena_destroy(a);
}
END_TEST

/* A body from a descriptor (local submission), an old-format id, and a
 * -D file whose first line is wrong. */
START_TEST(test_disk_copy_fd)
{
    struct arena *a = arena_create();
    const char *id = "1vQk3L-0000Xb-0A";
    struct spool_body *b;
    struct spool_msg m;
    gstr err;
    int p[2], fd;
    off_t off, size;

    gstr_init(&err, a);
    spool_msg_init(&m, a, id);
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(write(p[1], "from a pipe\nsecond", 19), 19);
    close(p[1]);
    b = spool_body_open(a, spool_dir, 1, id, &err);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(spool_body_copy_fd(b, p[0], &err), 0);
    close(p[0]);
    ck_assert_int_eq(spool_write_message(spool_dir, 1, &m, b, &err), 0);
    spool_body_close(b);
    ck_assert_int_eq(m.body_linecount, 2);
    ck_assert_int_eq(m.max_received_linelength, 11);
    ck_assert_int_eq(spool_open_data(spool_dir, 1, id, &fd, &off, &size, &err),
                     0);
    ck_assert_int_eq(off, 19);
    ck_assert_int_eq(size, 20);
    close(fd);
    fd = open(arena_printf(a, "%s/input/L/%s-D", spool_dir, id), O_WRONLY);
    ck_assert_int_eq(write(fd, "X", 1), 1);
    close(fd);
    gstr_truncate(&err, 0);
    ck_assert_int_eq(spool_open_data(spool_dir, 1, id, &fd, &off, &size, &err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err.s, "is corrupt: line 1"));
    arena_destroy(a);
}
END_TEST

static int
lock_in_child(const char *id)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        struct arena *a = arena_create();
        gstr err;
        int fd;

        gstr_init(&err, a);
        _exit(spool_lock_open(spool_dir, 0, id, &fd, &err) + 10);
    }
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status) - 10;
}

START_TEST(test_disk_lock)
{
    struct arena *a = arena_create();
    struct spool_body *b;
    struct spool_msg m;
    const char *id = "1vQk3L-000000000Xb-00A1";
    gstr err;
    int fd;

    gstr_init(&err, a);
    spool_msg_init(&m, a, id);
    b = spool_body_open(a, spool_dir, 0, id, &err);
    /* Held by the receiver from the start. */
    ck_assert_int_eq(spool_write_message(spool_dir, 0, &m, b, &err), 0);
    ck_assert_int_eq(lock_in_child(id), SPOOL_LOCK_BUSY);
    spool_body_close(b);
    ck_assert_int_eq(lock_in_child(id), SPOOL_LOCK_OK);
    ck_assert_int_eq(spool_lock_open(spool_dir, 0, id, &fd, &err),
                     SPOOL_LOCK_OK);
    ck_assert_int_eq(lock_in_child(id), SPOOL_LOCK_BUSY);
    spool_lock_release(fd);
    ck_assert_int_eq(lock_in_child(id), SPOOL_LOCK_OK);
    ck_assert_int_eq(
        spool_lock_open(spool_dir, 0, "1vQk3L-000000000Xb-00A2", &fd, &err),
        SPOOL_LOCK_MISSING);
    ck_assert_int_eq(fd, -1);
    arena_destroy(a);
}
END_TEST

/*
 * -bp.
 */

static const struct {
    long secs;
    const char *age;
} age_cases[] = {
    {0, " 0m "},          {59, " 0m "},
    {25 * 60, "25m "},    {90 * 60, "90m "},
    {91 * 60, " 2h "},    {150 * 60, " 3h "},
    {72 * 3600, "72h "},  {73 * 3600, " 3d "},
    {30 * 86400, "30d "}, {400 * 86400, "400d "},
};

START_TEST(test_bp_age)
{
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    queue_format_age(&g, age_cases[_i].secs);
    ck_assert_str_eq(gstr_str(&g), age_cases[_i].age);
    arena_destroy(a);
}
END_TEST

static const struct {
    long size;
    const char *text;
} size_cases[] = {
    {0, "     "},       {1, "    1"},        {287, "  287"},
    {1023, " 1023"},    {1024, " 1.0K"},     {1229, " 1.2K"},
    {10239, "10.0K"},   {10240, "  10K"},    {1048575, "1024K"},
    {1048576, " 1.0M"}, {10485760, "  10M"}, {157286400, " 150M"},
};

START_TEST(test_bp_size)
{
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    queue_format_size(&g, size_cases[_i].size);
    ck_assert_str_eq(gstr_str(&g), size_cases[_i].text);
    arena_destroy(a);
}
END_TEST

static void
put_message(struct arena *a, int split, const char *id, const char *sender,
            long age_from, int frozen, const char *body,
            const char *const *rcpts, const char *delivered)
{
    struct spool_msg m;
    struct spool_body *b;
    gstr err;

    gstr_init(&err, a);
    spool_msg_init(&m, a, id);
    m.sender = (char *)sender;
    m.received_sec = age_from;
    m.frozen = frozen;
    for (; *rcpts != NULL; rcpts++)
        spool_msg_add_rcpt(&m, *rcpts);
    if (delivered != NULL)
        spool_msg_add_nonrcpt(&m, delivered);
    spool_msg_add_header(&m, ' ', "Subject: test\n", 14);
    spool_msg_add_header(&m, '*', "X-Gone: yes\n", 12);
    b = spool_body_open(a, spool_dir, split, id, &err);
    ck_assert_ptr_nonnull(b);
    spool_body_write(b, body, strlen(body));
    ck_assert_int_eq(spool_write_message(spool_dir, split, &m, b, &err), 0);
    spool_body_close(b);
}

static int
collect_ids(const struct queue_entry *e, void *ctx)
{
    gstr_printf(ctx, "%s%c ", e->id, e->subdir ? e->subdir : '.');
    return 0;
}

START_TEST(test_bp_listing)
{
    struct arena *a = arena_create();
    static const char *const r1[] = {"bob@example.net", "carol@example.net",
                                     NULL};
    static const char *const r2[] = {"postmaster@example.org", NULL};
    char big[3000];
    gstr out, err, ids;
    time_t now = 1715000000 + 3600 * 5;
    int fd;

    memset(big, 'b', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    gstr_init(&out, a);
    gstr_init(&err, a);
    gstr_init(&ids, a);
    ck_assert_int_eq(queue_list(&out, spool_dir, 0, now, QUEUE_LIST_ALL, &err),
                     0);
    ck_assert_str_eq(gstr_str(&out), "");
    ck_assert_int_eq(spool_queue_count(spool_dir, &err), 0);

    /* Added out of order, in both layouts. */
    put_message(a, 1, "1s3xqM-00000000001-0000", "", 1715000000 + 3600 * 5, 0,
                "hi\n", r2, NULL);
    put_message(a, 0, "1s3xqK-0000000Hb84-4C91", "alice@example.org",
                1715000000, 1, big, r1, "carol@example.net");
    put_message(a, 1, "1s3xqK-00000000002-0W7E", "x@y", 1715000000 + 60 * 25, 0,
                "", r2, "someone@generated.example");
    /* Not messages: an -H-less -D, a temporary, a stray file. */
    close(open(arena_printf(a, "%s/input/1s3xqN-00000000001-0000-D", spool_dir),
               O_CREAT | O_WRONLY, 0600));
    close(
        open(arena_printf(a, "%s/input/hdr.1s3xqN-00000000001-0000", spool_dir),
             O_CREAT | O_WRONLY, 0600));
    close(open(arena_printf(a, "%s/input/notes-H", spool_dir),
               O_CREAT | O_WRONLY, 0600));

    ck_assert_int_eq(spool_queue_scan(spool_dir, 0, a, collect_ids, &ids, &err),
                     3);
    ck_assert_str_eq(gstr_str(&ids), "1s3xqK-00000000002-0W7EK "
                                     "1s3xqK-0000000Hb84-4C91. "
                                     "1s3xqM-00000000001-0000M ");
    ck_assert_int_eq(spool_queue_count(spool_dir, &err), 3);

    ck_assert_int_eq(queue_list(&out, spool_dir, 0, now, QUEUE_LIST_ALL, &err),
                     0);
    /* Sizes: headers 14 (the '*' one not counted) + body + 1. */
    ck_assert_str_eq(
        gstr_str(&out),
        " 5h    15 1s3xqK-00000000002-0W7E <x@y>\n"
        "          postmaster@example.org\n"
        "\n"
        " 5h  2.9K 1s3xqK-0000000Hb84-4C91 <alice@example.org> *** frozen "
        "***\n"
        "          bob@example.net\n"
        "        D carol@example.net\n"
        "\n"
        " 0m    18 1s3xqM-00000000001-0000 <>\n"
        "          postmaster@example.org\n"
        "\n");

    gstr_truncate(&out, 0);
    ck_assert_int_eq(
        queue_list(&out, spool_dir, 1, now, QUEUE_LIST_PLUS_GENERATED, &err),
        0);
    ck_assert_ptr_nonnull(strstr(out.s, "          postmaster@example.org\n"
                                        "       +D someone@generated.example\n"
                                        "\n"));
    gstr_truncate(&out, 0);
    ck_assert_int_eq(
        queue_list(&out, spool_dir, 0, now, QUEUE_LIST_UNDELIVERED, &err), 0);
    ck_assert_ptr_null(strstr(out.s, "carol"));

    /* A journal marks deliveries of an interrupted run; a corrupt -H is
     * reported in place. */
    fd = open(arena_printf(a, "%s/input/1s3xqK-0000000Hb84-4C91-J", spool_dir),
              O_CREAT | O_WRONLY, 0600);
    ck_assert_int_eq(write(fd, "bob@example.net\n", 16), 16);
    close(fd);
    fd =
        open(arena_printf(a, "%s/input/M/1s3xqM-00000000001-0000-H", spool_dir),
             O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "garbage\n", 8), 8);
    close(fd);
    gstr_truncate(&out, 0);
    ck_assert_int_eq(queue_list(&out, spool_dir, 0, now, QUEUE_LIST_ALL, &err),
                     0);
    ck_assert_ptr_nonnull(strstr(out.s, "        D bob@example.net\n"
                                        "        D carol@example.net\n"));
    ck_assert_ptr_nonnull(strstr(out.s,
                                 "\n      1s3xqM-00000000001-0000\n"
                                 "    *** spool format error: size=8 ***\n\n"));
    arena_destroy(a);
}
END_TEST

static Suite *
spool_suite(void)
{
    Suite *s = suite_create("spool");
    TCase *hfile = tcase_create("hfile");
    TCase *disk = tcase_create("disk");

    tcase_add_test(hfile, test_roundtrip_rich);
    tcase_add_loop_test(hfile, test_roundtrip_nonrcpt, 0, 21);
    tcase_add_test(hfile, test_write_lines);
    tcase_add_test(hfile, test_worked_example);
    tcase_add_loop_test(hfile, test_rcpt_forms, 0, NELEM(rcpt_cases));
    tcase_add_loop_test(hfile, test_corrupt, 0, NELEM(corrupt_cases));
    tcase_add_test(hfile, test_truncated_everywhere);
    tcase_add_test(hfile, test_damaged_everywhere);
    tcase_add_test(hfile, test_unknown_options);
    tcase_add_test(hfile, test_legacy_options);
    tcase_add_test(hfile, test_unsplit_host_address_round_trip);
    tcase_add_test(hfile, test_option_line_ends_at_nul);
    tcase_add_test(hfile, test_rcpt_line_ends_at_nul);
    tcase_add_test(hfile, test_write_defensive);
    tcase_add_test(hfile, test_bad_ids);
    tcase_add_loop_test(hfile, test_bp_age, 0, NELEM(age_cases));
    tcase_add_loop_test(hfile, test_bp_size, 0, NELEM(size_cases));
    tcase_set_timeout(hfile, 120);
    suite_add_tcase(s, hfile);

    tcase_add_checked_fixture(disk, spool_setup, spool_teardown);
    tcase_add_loop_test(disk, test_disk_accept_and_read, 0, 2);
    tcase_add_test(disk, test_disk_spare_header);
    tcase_add_test(disk, test_disk_abort);
    tcase_add_test(disk, test_disk_copy_fd);
    tcase_add_test(disk, test_disk_lock);
    tcase_add_test(disk, test_bp_listing);
    suite_add_tcase(s, disk);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(spool_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
