/*++
 * NAME
 *	test-smtp_limits 1
 * SUMMARY
 *	unit tests for the smtp transport's LIMITS reading
 * DESCRIPTION
 *	Table-driven Check tests of smtp_limits_read() (EHLO replies as
 *	the transport keeps them: lines joined by newlines, codes kept)
 *	and of the lower-of rules. Without EXPERIMENTAL_ESMTP_LIMITS every
 *	reply must give no limits.
 *--*/

#include <check.h>
#include <stdlib.h>

#include "transport/smtp_limits.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    const char *reply;
    int tls;
    int mailmax, rcptmax, dommax;
} cases[] = {
    {"both", "250-mx Hello\n250-LIMITS MAILMAX=10 RCPTMAX=2\n250 HELP", 0, 10,
     2, 0},
    {"last line", "250-mx Hello\n250 LIMITS RCPTMAX=3", 0, 0, 3, 0},
    {"domain max", "250-mx\n250-LIMITS RCPTDOMAINMAX=1\n250 HELP", 0, 0, 0, 1},
    {"names in any case", "250-mx\n250-LIMITS mailmax=4 RcptMax=5\n250 X", 0, 4,
     5, 0},
    {"keyword in lower case", "250-mx\n250-limits MAILMAX=4\n250 X", 0, 0, 0,
     0},
    {"first line is not a keyword", "250 LIMITS MAILMAX=4", 0, 0, 0, 0},
    {"unknown items skipped", "250-mx\n250-LIMITS FOO=1 RCPTMAX=7 BAR\n250 X",
     0, 0, 7, 0},
    {"last of repeated wins", "250-mx\n250-LIMITS RCPTMAX=9 RCPTMAX=2\n250 X",
     0, 0, 2, 0},
    {"leading digits", "250-mx\n250-LIMITS RCPTMAX=2x MAILMAX=x3\n250 X", 0, 0,
     2, 0},
    {"zero is no limit", "250-mx\n250-LIMITS MAILMAX=0 RCPTMAX=0\n250 X", 0, 0,
     0, 0},
    {"no items", "250-mx\n250-LIMITS \n250 X", 0, 0, 0, 0},
    {"STARTTLS offered, no TLS",
     "250-mx\n250-LIMITS RCPTMAX=2\n250-STARTTLS\n250 HELP", 0, 0, 0, 0},
    {"STARTTLS offered, under TLS",
     "250-mx\n250-LIMITS RCPTMAX=2\n250-STARTTLS\n250 HELP", 1, 0, 2, 0},
    {"no LIMITS", "250-mx\n250-PIPELINING\n250 HELP", 0, 0, 0, 0},
};

START_TEST(test_read)
{
    struct smtp_limits l;

    smtp_limits_read(&l, cases[_i].reply, cases[_i].tls);
#ifdef EXPERIMENTAL_ESMTP_LIMITS
    ck_assert_msg(l.mailmax == cases[_i].mailmax, "%s: mailmax %d",
                  cases[_i].label, l.mailmax);
    ck_assert_msg(l.rcptmax == cases[_i].rcptmax, "%s: rcptmax %d",
                  cases[_i].label, l.rcptmax);
    ck_assert_msg(l.rcptdomainmax == cases[_i].dommax, "%s: dommax %d",
                  cases[_i].label, l.rcptdomainmax);
#else
    ck_assert(l.mailmax == 0 && l.rcptmax == 0 && l.rcptdomainmax == 0);
#endif
}
END_TEST

START_TEST(test_lower_of)
{
    struct smtp_limits l = {0, 0, 0};

    ck_assert_int_eq(smtp_limits_rcpt(&l, 100), 100);
    ck_assert_int_eq(smtp_limits_mail(&l, 500), 500);
    ck_assert_int_eq(smtp_limits_mail(&l, 0), 0);
    l.rcptmax = 2;
    l.mailmax = 3;
    ck_assert_int_eq(smtp_limits_rcpt(&l, 100), 2);
    ck_assert_int_eq(smtp_limits_rcpt(&l, 1), 1);
    ck_assert_int_eq(smtp_limits_mail(&l, 500), 3);
    ck_assert_int_eq(smtp_limits_mail(&l, 2), 2);
    ck_assert_int_eq(smtp_limits_mail(&l, 0), 3);
}
END_TEST

static Suite *
limits_suite(void)
{
    Suite *s = suite_create("smtp_limits");
    TCase *tc = tcase_create("smtp_limits");

    tcase_add_loop_test(tc, test_read, 0, NELEM(cases));
    tcase_add_test(tc, test_lower_of);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(limits_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
