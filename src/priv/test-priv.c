/*++
 * NAME
 *	test-priv 1
 * SUMMARY
 *	unit tests for never_users and the delivery hand-over
 * DESCRIPTION
 *	Table-driven Check tests of priv_never_list() (uid 0 is always
 *	refused, as Exim's FIXED_NEVER_USERS; never_users adds names and
 *	numbers) and of handoff_read(), which must take a well-formed
 *	request and refuse anything that is not one message id, whatever
 *	a session process writes.
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/mainopts.h"
#include "priv/handoff.h"
#include "priv/priv.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    const char *never_users;
    long uid;
    const char *want; /* NULL: allowed */
} never_cases[] = {
    {"root, no option", NULL, 0, "fixed_never_users"},
    {"root, listed by the option", "root", 0, "never_users"},
    {"root, listed by number", "0 : 1", 0, "never_users"},
    {"other user, no option", NULL, 1, NULL},
    {"other user, listed by number", "7 : 1", 1, "never_users"},
    {"other user, listed by name", "daemon", 1, "never_users"},
    {"other user, not listed", "daemon", 65534, NULL},
    {"unknown name in the list", "no-such-user-here : 3", 3, "never_users"},
};

START_TEST(test_never)
{
    const char *got;

    main_config.never_users = (char *)never_cases[_i].never_users;
    got = priv_never_list((uid_t)never_cases[_i].uid);
    if (never_cases[_i].want == NULL)
        ck_assert_msg(got == NULL, "%s: got %s", never_cases[_i].label, got);
    else
        ck_assert_msg(got != NULL && strcmp(got, never_cases[_i].want) == 0,
                      "%s: got %s", never_cases[_i].label,
                      got ? got : "(null)");
}
END_TEST

/* What a session process might write: flag byte, id, padding. */
static const struct {
    const char *label;
    char flag;
    const char *id;
    int len; /* bytes sent; 0: a whole request */
    int want;
} read_cases[] = {
    {"no wait", '-', "1s3uMC-000000007ys-1CL4", 0, 1},
    {"wait", 'w', "1s3uMC-000000007ys-1CL4", 0, 1},
    {"old id form", '-', "1s3uMC-0000Ab-1C", 0, 1},
    {"bad flag", 'x', "1s3uMC-000000007ys-1CL4", 0, -1},
    {"not an id", '-', "../../etc/passwd", 0, -1},
    {"empty id", '-', "", 0, -1},
    {"short write", '-', "1s3uMC-000000007ys-1CL4", 10, -1},
};

START_TEST(test_read)
{
    char buf[1 + MSGID_LEN + 1], id[MSGID_LEN + 1];
    int sv[2], wait_for = -1, r;
    size_t n = read_cases[_i].len ? (size_t)read_cases[_i].len : sizeof(buf);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    memset(buf, 0, sizeof(buf));
    buf[0] = read_cases[_i].flag;
    memcpy(buf + 1, read_cases[_i].id, strlen(read_cases[_i].id));
    ck_assert_int_eq(write(sv[1], buf, n), (ssize_t)n);
    close(sv[1]);
    r = handoff_read(sv[0], id, &wait_for);
    ck_assert_msg(r == read_cases[_i].want, "%s: got %d", read_cases[_i].label,
                  r);
    if (r == 1) {
        ck_assert_str_eq(id, read_cases[_i].id);
        ck_assert_int_eq(wait_for, read_cases[_i].flag == 'w');
        ck_assert_int_eq(handoff_read(sv[0], id, &wait_for), -1); /* EOF */
    }
    close(sv[0]);
}
END_TEST

static Suite *
priv_suite(void)
{
    Suite *s = suite_create("priv");
    TCase *tc = tcase_create("priv");

    tcase_add_loop_test(tc, test_never, 0, NELEM(never_cases));
    tcase_add_loop_test(tc, test_read, 0, NELEM(read_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(priv_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
