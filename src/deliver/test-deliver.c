/*++
 * NAME
 *	test-deliver 1
 * SUMMARY
 *	unit tests for src/deliver
 * DESCRIPTION
 *	Table-driven Check tests: the daemon's -q<time> option forms, and
 *	whether a message just received waits for a queue run (-od*
 *	against queue_only and queue_only_file, as Exim's
 *	queue_only_override). In a DSN_INFO build also the DSN_INFO
 *	lines: the X-ip line with and without a port (25 is not shown),
 *	and Exim's folding at 79 columns and cut at 1023 characters.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "conf/mainopts.h"
#include "deliver/cli.h"
#include "deliver/deliver.h"
#ifdef EXPERIMENTAL_DSN_INFO
#include "base/gstr.h"
#include "deliver/dsn_info.h"
#endif

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *arg;
    int ok;
    int interval;
    const char *flag;
} qi_cases[] = {
    {"-q30m", 1, 1800, "-q"}, {"-qf1h", 1, 3600, "-qf"},
    {"-qff5s", 1, 5, "-qff"}, {"-q1h30m", 1, 5400, "-q"},
    {"-q", 0, 0, NULL},       {"-qf", 0, 0, NULL},
    {"-qff", 0, 0, NULL},     {"-qx", 0, 0, NULL},
    {"-q0s", 0, 0, NULL},     {"-M", 0, 0, NULL},
    {"-qfff1m", 0, 0, NULL},
};

START_TEST(test_queue_interval)
{
    int interval = 0;
    const char *flag = NULL;
    int ok = deliver_cli_queue_interval(qi_cases[_i].arg, &interval, &flag);

    ck_assert_msg(ok == qi_cases[_i].ok, "%s: %d", qi_cases[_i].arg, ok);
    if (ok) {
        ck_assert_int_eq(interval, qi_cases[_i].interval);
        ck_assert_str_eq(flag, qi_cases[_i].flag);
    }
}
END_TEST

static const struct {
    const char *label;
    char odmode;
    int queue_only;
    int file_exists;
    int queued;
} sq_cases[] = {
    {"default", 0, 0, 0, 0},
    {"-odq", 'q', 0, 0, 1},
    {"queue_only", 0, 1, 0, 1},
    {"-odi overrides queue_only", 'i', 1, 0, 0},
    {"-odb overrides queue_only", 'b', 1, 0, 0},
    {"queue_only_file exists", 0, 0, 1, 1},
    {"-odi does not override queue_only_file", 'i', 0, 1, 1},
    {"-odb does not override queue_only_file", 'b', 0, 1, 1},
    {"-odq with the file", 'q', 0, 1, 1},
};

START_TEST(test_should_queue)
{
    char path[64];
    char list[160];

    snprintf(path, sizeof(path), "/tmp/mxlab-test-deliver-%ld", (long)getpid());
    snprintf(list, sizeof(list), "smtp%s : %s", path, path);
    unlink(path);
    if (sq_cases[_i].file_exists) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
    }
    memset(&main_config, 0, sizeof(main_config));
    main_config.queue_only = sq_cases[_i].queue_only;
    main_config.queue_only_file = list;
    deliver_odmode = sq_cases[_i].odmode;
    ck_assert_msg(deliver_should_queue() == sq_cases[_i].queued, "%s",
                  sq_cases[_i].label);
    unlink(path);
}
END_TEST

#ifdef EXPERIMENTAL_DSN_INFO
static const struct {
    int port;
    const char *greeting;
    const char *want;
} xip_cases[] = {
    {25, NULL, "Remote-MTA: X-ip; [192.0.2.9]\n"},
    {2525, NULL, "Remote-MTA: X-ip; [192.0.2.9]:2525\n"},
    {587, "220 mx ready\n220 more",
     "Remote-MTA: X-ip; [192.0.2.9]:587\n"
     "X-Remote-MTA-smtp-greeting: X-str; 220 mx ready\n"},
};

START_TEST(test_dsn_info_xip)
{
    struct arena *a = arena_create();
    struct host_item h;
    struct address ad;
    gstr g;

    memset(&h, 0, sizeof(h));
    memset(&ad, 0, sizeof(ad));
    h.name = "mx.example";
    h.address = "192.0.2.9";
    h.port = xip_cases[_i].port;
    ad.host_used = &h;
    ad.smtp_greeting = (char *)xip_cases[_i].greeting;
    gstr_init(&g, a);
    dsn_info_host(&g, &ad);
    ck_assert_str_eq(gstr_str(&g), xip_cases[_i].want);
    arena_destroy(a);
}
END_TEST

START_TEST(test_dsn_info_wrap)
{
    struct arena *a = arena_create();
    gstr g, text;
    const char *s;
    size_t total = 0;

    /* folded at a blank, no line over 79 columns */
    gstr_init(&g, a);
    dsn_info_put_wrapped(&g, "X-Exim-Diagnostic: X-str; ",
                         "SMTP error from remote mail server after RCPT "
                         "TO:<u@example.net>: 550 no such user");
    ck_assert_str_eq(gstr_str(&g),
                     "X-Exim-Diagnostic: X-str; SMTP error from remote mail "
                     "server after RCPT\n TO:<u@example.net>: 550 no such "
                     "user\n");
    /* backslash-n and a real newline both break the line */
    gstr_init(&g, a);
    dsn_info_put_wrapped(&g, "H: ", "550-a\\n550-b\n550 c");
    ck_assert_str_eq(gstr_str(&g), "H: 550-a\n 550-b\n 550 c\n");
    /* a word longer than a line is cut at column 79 */
    gstr_init(&text, a);
    for (int i = 0; i < 200; i++)
        gstr_addc(&text, 'x');
    gstr_init(&g, a);
    dsn_info_put_wrapped(&g, "H: ", gstr_str(&text));
    s = gstr_str(&g);
    ck_assert_uint_eq(strcspn(s, "\n"), 79);
    /* at most 1023 characters, then the end */
    gstr_init(&text, a);
    for (int i = 0; i < 400; i++)
        gstr_adds(&text, "word ");
    gstr_init(&g, a);
    dsn_info_put_wrapped(&g, "H: ", gstr_str(&text));
    for (s = gstr_str(&g); *s != '\0'; s++)
        total++;
    ck_assert_uint_eq(total, 1024); /* 1023 and the final newline */
    arena_destroy(a);
}
END_TEST
#endif

static Suite *
deliver_suite(void)
{
    Suite *s = suite_create("deliver");
    TCase *t = tcase_create("options");

    tcase_add_loop_test(t, test_queue_interval, 0, NELEM(qi_cases));
    tcase_add_loop_test(t, test_should_queue, 0, NELEM(sq_cases));
#ifdef EXPERIMENTAL_DSN_INFO
    tcase_add_loop_test(t, test_dsn_info_xip, 0, NELEM(xip_cases));
    tcase_add_test(t, test_dsn_info_wrap);
#endif
    suite_add_tcase(s, t);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    arena_perm_init();
    sr = srunner_create(deliver_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
