/*++
 * NAME
 *	test-dcc 1
 * SUMMARY
 *	unit tests for src/dcc
 * DESCRIPTION
 *	Table-driven Check tests: reading dccifd answers the way Exim's
 *	client reads them, and parsing dccifd_address.
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "dcc/dcc.h"
#include "dcc/dcc_client.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    const char *answer; /* NUL-free */
    char verdict;
    int extra;
    const char *rcpts;
    const char *header; /* NULL: $dcc_header unset */
} answer_cases[] = {
    {"accept with header", "A\nA\nX-DCC-B-Metrics: h 1; Body=1 Fuz1=1\n\n", 'A',
     0, "A", "X-DCC-B-Metrics: h 1; Body=1 Fuz1=1\n"},
    {"greylist three", "G\nGGG\nX-DCC-B-Metrics: h 1; Body=3\n\n", 'G', 0,
     "GGG", "X-DCC-B-Metrics: h 1; Body=3\n"},
    {"no trailer", "A\nA\n", 'A', 0, "A", NULL},
    {"no recipient line", "R\n", 'R', 0, "", NULL},
    {"letter only", "T", 'T', 0, "", NULL},
    {"empty first line", "\nA\n", 0, 0, "A", NULL},
    {"extra bytes", "AB\nA\n", 'A', 1, "A", NULL},
    {"garbage", "}}garbage{{\r\n", '}', 11, "", NULL},
    {"body, not a header", "A\nA\nReceived: x\n\nbody\n", 'A', 0, "A", NULL},
    {"folded header kept", "A\nA\nX-DCC-B-Metrics: h 1;\n\tBody=1\n\n", 'A', 0,
     "A", "X-DCC-B-Metrics: h 1;\n\tBody=1\n"},
    {"new line indented", "A\nA\nX-DCC-x: 1\nInjected: yes\n\n", 'A', 0, "A",
     "X-DCC-x: 1\n\tInjected: yes\n"},
    {"control bytes", "A\nA\nX-DCC-x: a\rb\x01\n\n", 'A', 0, "A",
     "X-DCC-x: a?b?\n"},
    {"no final blank line", "A\nA\nX-DCC-x: 1\n", 'A', 0, "A", "X-DCC-x: 1\n"},
    {"cut at 120",
     "A\nA\nX-DCC-B-Metrics: "
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789\n\n",
     'A', 0, "A",
     "X-DCC-B-Metrics: "
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "012345678901234567890123456789012\n"},
};

START_TEST(test_answer)
{
    struct arena *a = arena_create();
    struct dcc_answer ans;
    const char *in = answer_cases[_i].answer;

    dcc_answer_parse(in, strlen(in), a, &ans);
    ck_assert_msg(ans.verdict == answer_cases[_i].verdict, "%s: verdict",
                  answer_cases[_i].label);
    ck_assert_int_eq(ans.line1_extra, answer_cases[_i].extra);
    ck_assert_str_eq(ans.rcpts, answer_cases[_i].rcpts);
    if (answer_cases[_i].header == NULL)
        ck_assert_ptr_null(ans.header);
    else {
        ck_assert_ptr_nonnull(ans.header);
        ck_assert_str_eq(ans.header, answer_cases[_i].header);
    }
    arena_destroy(a);
}
END_TEST

START_TEST(test_answer_empty)
{
    struct arena *a = arena_create();
    struct dcc_answer ans;

    dcc_answer_parse("", 0, a, &ans);
    ck_assert_int_eq(ans.verdict, 0);
    ck_assert_ptr_null(ans.header);
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *text;
    int ok;
    const char *path, *host;
    unsigned port;
} addr_cases[] = {
    {"/usr/local/dcc/var/dccifd", 1, "/usr/local/dcc/var/dccifd", NULL, 0},
    {"127.0.0.1 1234", 1, NULL, "127.0.0.1", 1234},
    {"  ::1\t10025 ", 1, NULL, "::1", 10025},
    {"dcc.example 1", 1, NULL, "dcc.example", 1},
    {"127.0.0.1", 0, NULL, NULL, 0},
    {"127.0.0.1 0", 0, NULL, NULL, 0},
    {"127.0.0.1 65536", 0, NULL, NULL, 0},
    {"127.0.0.1 12x", 0, NULL, NULL, 0},
    {"127.0.0.1 1 2", 0, NULL, NULL, 0},
    {"", 0, NULL, NULL, 0},
    {"relative/path", 0, NULL, NULL, 0},
};

START_TEST(test_addr)
{
    struct arena *a = arena_create();
    struct dcc_addr addr;
    int rc = dcc_addr_parse(addr_cases[_i].text, a, &addr);

    ck_assert_msg((rc == 0) == addr_cases[_i].ok, "%s", addr_cases[_i].text);
    if (rc == 0 && addr_cases[_i].path)
        ck_assert_str_eq(addr.path, addr_cases[_i].path);
    if (rc == 0 && addr_cases[_i].host) {
        ck_assert_str_eq(addr.host, addr_cases[_i].host);
        ck_assert_uint_eq(addr.port, addr_cases[_i].port);
    }
    arena_destroy(a);
}
END_TEST

static Suite *
dcc_suite(void)
{
    Suite *s = suite_create("dcc");
    TCase *tc = tcase_create("dcc");

    tcase_add_loop_test(tc, test_answer, 0, NELEM(answer_cases));
    tcase_add_test(tc, test_answer_empty);
    tcase_add_loop_test(tc, test_addr, 0, NELEM(addr_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(dcc_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
