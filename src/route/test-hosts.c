/*++
 * NAME
 *	test-hosts 1
 * SUMMARY
 *	unit tests for host lists and the SMTP client's reply reader
 * DESCRIPTION
 *	Table-driven Check tests: host_list_parse() (names, ports after
 *	a doubled colon, IP addresses, bracketed IPv6 with a port in a
 *	"<;" list, empty items), host_list_print() (-bt's padding,
 *	MX= and port=), host_is_local() for loopback addresses, and
 *	smtp_conn_read_reply() on replies fed through a socket pair
 *	(single and multi-line, malformed, closed).
 *--*/

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "route/hosts.h"
#include "transport/smtp_client.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct parse_case {
    const char *label;
    const char *list;
    const char *want; /* "name/address/port" items joined by " " */
} parse_cases[] = {
    {"one name", "mail.test.ex", "mail.test.ex/-/0"},
    {"name and port", "mail.test.ex::2525", "mail.test.ex/-/2525"},
    {"two hosts", "a.test.ex : b.test.ex::26", "a.test.ex/-/0 b.test.ex/-/26"},
    {"IPv4 address", "192.0.2.1", "192.0.2.1/192.0.2.1/0"},
    {"IPv4 address and port", "192.0.2.1::2525", "192.0.2.1/192.0.2.1/2525"},
    {"bracketed IPv4", "[192.0.2.1]", "192.0.2.1/192.0.2.1/0"},
    {"IPv6 in a ; list", "<; [2001:db8::1]:2525 ; mx.test.ex",
     "2001:db8::1/2001:db8::1/2525 mx.test.ex/-/0"},
    {"bare IPv6 in a ; list", "<; ::1", "::1/::1/0"},
    {"empty items skipped", "a.test.ex : : b.test.ex",
     "a.test.ex/-/0 b.test.ex/-/0"},
    {"empty list", "", ""},
};

START_TEST(test_parse)
{
    const struct parse_case *t = &parse_cases[_i];
    struct arena *a = arena_create();
    struct host_item *h = host_list_parse(a, t->list, 0);
    gstr g;

    gstr_init(&g, a);
    for (; h != NULL; h = h->next)
        gstr_printf(&g, "%s%s/%s/%d", g.len ? " " : "", h->name,
                    h->address ? h->address : "-", h->port);
    ck_assert_msg(strcmp(gstr_str(&g), t->want) == 0, "%s: got \"%s\"",
                  t->label, gstr_str(&g));
    arena_destroy(a);
}
END_TEST

START_TEST(test_print)
{
    struct arena *a = arena_create();
    struct host_item *h =
        host_list_parse(a, "mx1.test.ex::2525 : 192.0.2.10 : x.test.ex", 0);
    gstr g;

    h->address = "127.0.0.1";
    h->mx = 10;
    gstr_init(&g, a);
    host_list_print(&g, h);
    ck_assert_str_eq(gstr_str(&g),
                     "  host mx1.test.ex [127.0.0.1]  MX=10 port=2525\n"
                     "  host 192.0.2.10  [192.0.2.10]\n"
                     "  host x.test.ex   [unknown]   \n");
    arena_destroy(a);
}
END_TEST

START_TEST(test_local)
{
    ck_assert_int_eq(host_is_local(NULL, "127.0.0.1"), 1);
    ck_assert_int_eq(host_is_local(NULL, "127.1.2.3"), 1);
    ck_assert_int_eq(host_is_local(NULL, "::1"), 1);
}
END_TEST

static const struct reply_case {
    const char *label;
    const char *input; /* what the server sends, then it closes */
    int code;          /* -1: error */
    int err;           /* errno for -1 */
    const char *text;
} reply_cases[] = {
    {"one line", "250 OK\r\n", 250, 0, "250 OK"},
    {"bare code", "250\r\n", 250, 0, "250"},
    {"LF only", "220 hi\n", 220, 0, "220 hi"},
    {"multi-line", "250-a.test.ex\r\n250-SIZE 10\r\n250 PIPELINING\r\n", 250, 0,
     "250-a.test.ex\n250-SIZE 10\n250 PIPELINING"},
    {"malformed", "hello\r\n", -1, SMTP_ERRNO_SMTPFORMAT, "hello"},
    {"bad separator", "250x\r\n", -1, SMTP_ERRNO_SMTPFORMAT, "250x"},
    {"closed", "", -1, 0, ""},
    {"closed mid-reply", "250-first\r\n", -1, 0, "250-first"},
};

START_TEST(test_reply)
{
    const struct reply_case *t = &reply_cases[_i];
    struct arena *a = arena_create();
    struct smtp_conn s;
    int sv[2], code;
    gstr reply;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], t->input, strlen(t->input)) ==
                         (ssize_t)strlen(t->input),
                     1);
    close(sv[1]);
    memset(&s, 0, sizeof(s));
    s.fd = sv[0];
    s.a = a;
    gstr_init(&reply, a);
    errno = 12345;
    code = smtp_conn_read_reply(&s, 5, &reply);
    ck_assert_msg(code == t->code, "%s: code %d", t->label, code);
    if (code < 0)
        ck_assert_msg(errno == t->err, "%s: errno %d", t->label, errno);
    ck_assert_msg(strcmp(gstr_str(&reply), t->text) == 0, "%s: got \"%s\"",
                  t->label, gstr_str(&reply));
    smtp_conn_close(&s);
    arena_destroy(a);
}
END_TEST

static Suite *
hosts_suite(void)
{
    Suite *s = suite_create("hosts");
    TCase *p = tcase_create("parse");
    TCase *o = tcase_create("print");
    TCase *r = tcase_create("reply");

    tcase_add_loop_test(p, test_parse, 0, NELEM(parse_cases));
    suite_add_tcase(s, p);
    tcase_add_test(o, test_print);
    tcase_add_test(o, test_local);
    suite_add_tcase(s, o);
    tcase_add_loop_test(r, test_reply, 0, NELEM(reply_cases));
    suite_add_tcase(s, r);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    arena_perm_init();
    sr = srunner_create(hosts_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
