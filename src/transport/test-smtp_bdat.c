/*++
 * NAME
 *	test-smtp_bdat 1
 * SUMMARY
 *	unit tests for the smtp transport's BDAT chunk sizes
 * DESCRIPTION
 *	Table-driven Check tests of smtp_bdat_plan(): the chunks Exim's
 *	transport sends (one BDAT LAST up to 8 KB; a headers chunk before
 *	it for a larger message; 8191- or 8192-byte chunks of headers that
 *	overflow Exim's buffer, depending on whether a CR LF is one step).
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "transport/smtp_bdat.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* head: lines copies of line, then the blank line, or literal text */
static const struct {
    const char *label;
    const char *line;
    int lines;
    int fixed;     /* head is a part sent whole (NULL head) */
    long head_len; /* for fixed or literal heads */
    int byte_units;
    long total;
    long want[4];
} cases[] = {
    {"small: one last chunk", "Subject: x\r\n", 1, 0, 0, 0, 30, {30}},
    {"8192 bytes: still one", "Subject: x\r\n", 1, 0, 0, 0, 8192, {8192}},
    {"8193 bytes: headers first",
     "Subject: x\r\n",
     1,
     0,
     0,
     0,
     8193,
     {14, 8179}},
    {"no headers (body_only)", NULL, 0, 0, 0, 0, 10000, {10000}},
    {"fixed part, large", NULL, 0, 1, 500, 0, 10000, {500, 9500}},
    {"fixed part, small", NULL, 0, 1, 500, 0, 8000, {8000}},
    {"fixed part empty", NULL, 0, 1, 0, 0, 10000, {10000}},
    {"long headers, CR LF one step",
     "aaaaaa\r\n",
     2048,
     0,
     0,
     0,
     16486,
     {8192, 8192, 102}},
    {"long headers, bytes one by one",
     "aaaaaa\r\n",
     2048,
     0,
     0,
     1,
     16486,
     {8191, 8191, 104}},
    {"long headers, then a large body",
     "aaaaaaa\r\n",
     1000,
     0,
     0,
     0,
     30000,
     {8191, 811, 20998}},
};

START_TEST(test_plan)
{
    long sizes[8] = {0}, sum = 0, head_len = cases[_i].head_len;
    char *head = NULL;
    size_t n, want_n = 0;

    if (cases[_i].line != NULL) {
        size_t l = strlen(cases[_i].line);
        head = malloc(l * (size_t)cases[_i].lines + 3);
        ck_assert(head != NULL);
        for (int i = 0; i < cases[_i].lines; i++)
            memcpy(head + l * (size_t)i, cases[_i].line, l);
        memcpy(head + l * (size_t)cases[_i].lines, "\r\n", 3);
        head_len = (long)(l * (size_t)cases[_i].lines + 2);
    } else if (!cases[_i].fixed) {
        head = strdup("");
    }
    n = smtp_bdat_plan(head, head_len, cases[_i].byte_units, cases[_i].total,
                       sizes, NELEM(sizes));
    while (want_n < NELEM(cases[_i].want) && cases[_i].want[want_n] != 0)
        want_n++;
    ck_assert_msg(n == want_n, "%s: %zu chunks", cases[_i].label, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(sizes[i] == cases[_i].want[i], "%s: chunk %zu is %ld",
                      cases[_i].label, i, sizes[i]);
        sum += sizes[i];
    }
    ck_assert_msg(sum == cases[_i].total, "%s: sum %ld", cases[_i].label, sum);
    free(head);
}
END_TEST

START_TEST(test_too_small)
{
    long sizes[1];
    char head[] = "Subject: x\r\n\r\n";

    /* two chunks wanted, room for one */
    ck_assert_int_eq(smtp_bdat_plan(head, 14, 0, 9000, sizes, 1), 0);
    ck_assert_int_eq(smtp_bdat_plan(head, 14, 0, 900, sizes, 1), 1);
    ck_assert_int_eq(sizes[0], 900);
}
END_TEST

static Suite *
bdat_suite(void)
{
    Suite *s = suite_create("smtp_bdat");
    TCase *tc = tcase_create("smtp_bdat");

    tcase_add_loop_test(tc, test_plan, 0, NELEM(cases));
    tcase_add_test(tc, test_too_small);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(bdat_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
