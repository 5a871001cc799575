/*++
 * NAME
 *	test-rcpt_line 1
 * SUMMARY
 *	unit tests for the -H recipient and non-recipient lines
 * DESCRIPTION
 *	Findings of fuzz-spool turned into tests: an address that ends in
 *	what looks like the fields of a longer recipient form reads back
 *	as itself after a rewrite, and a non-recipients tree line whose
 *	address is cut to nothing by a NUL is corrupt.
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/envelope.h"
#include "spool/rcpt_line.h"
#include "spool/spool_read.h"

/* Addresses that, written alone, would look like a longer form. */
static const char *const ambiguous[] = {
    "t.ex666#1666", "user#3",           "a 5",
    "a 1,2,3",      "local@test.ex#12", "bob@test.ex", /* and one that is not */
};

START_TEST(test_address_reads_back)
{
    struct arena *a = arena_create();
    struct spool_rcpt r, back;
    const char *why = NULL;
    gstr line;

    memset(&r, 0, sizeof(r));
    r.address = (char *)ambiguous[_i];
    r.pno = -1;
    gstr_init(&line, a);
    rcpt_line_format(&line, &r);
    ck_assert_int_eq(line.s[line.len - 1], '\n');
    ck_assert_msg(rcpt_line_parse(line.s, line.len - 1, a, &back, &why) == 0,
                  "\"%s\" written as \"%s\" does not read: %s", r.address,
                  line.s, why ? why : "");
    ck_assert_str_eq(back.address, r.address);
    ck_assert_int_eq(back.pno, -1);
    ck_assert_ptr_null(back.errors_to);
    arena_destroy(a);
}
END_TEST

START_TEST(test_plain_address_stays_plain)
{
    struct arena *a = arena_create();
    struct spool_rcpt r;
    gstr line;

    memset(&r, 0, sizeof(r));
    r.address = "bob@test.ex";
    r.pno = -1;
    gstr_init(&line, a);
    rcpt_line_format(&line, &r);
    ck_assert_str_eq(line.s, "bob@test.ex\n"); /* as Exim writes it */
    arena_destroy(a);
}
END_TEST

START_TEST(test_tree_address_of_nuls_is_corrupt)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    gstr err;
    static const char file[] =
        "1vQk3L-0000Xb-0A-H\nroot 0 0\n<>\n1715000000 0\n"
        "NN \0\0\0\n1\nbob@test.ex\n\n";

    gstr_init(&err, a);
    ck_assert_int_ne(
        spool_parse_header(file, sizeof(file) - 1, NULL, a, &m, &err),
        SPOOL_READ_OK);
    ck_assert_msg(strstr(gstr_str(&err), "empty address") != NULL, "%s",
                  gstr_str(&err));
    arena_destroy(a);
}
END_TEST

static Suite *
rcpt_line_suite(void)
{
    Suite *s = suite_create("rcpt_line");
    TCase *tc = tcase_create("rcpt_line");

    tcase_add_loop_test(tc, test_address_reads_back, 0,
                        sizeof(ambiguous) / sizeof(ambiguous[0]));
    tcase_add_test(tc, test_plain_address_stays_plain);
    tcase_add_test(tc, test_tree_address_of_nuls_is_corrupt);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(rcpt_line_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
