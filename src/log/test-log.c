/*++
 * NAME
 *	test-log 1
 * SUMMARY
 *	unit tests for src/log
 * DESCRIPTION
 *	log_selector parsing (a table of settings and the selectors they
 *	leave on or off) and log_write() into a temporary spool: the line
 *	shape, +pid, and which files reject and panic lines reach.
 *--*/

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "log/log.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *value;
    enum log_sel sel;
    int on; /* -1: the value must be rejected */
} sel_cases[] = {
    {NULL, LS_msg_id, 1},
    {NULL, LS_smtp_connection, 0},
    {"+smtp_connection", LS_smtp_connection, 1},
    {"-msg_id", LS_msg_id, 0},
    {"+all", LS_protocol_detail, 1},
    {"+all -protocol_detail", LS_protocol_detail, 0},
    {"-all +pid", LS_pid, 1},
    {"-all +pid", LS_msg_id, 0},
    {"+pid+millisec", LS_millisec, 1},
    {"+nosuch", LS_pid, -1},
    {"pid", LS_pid, -1},
    {"+", LS_pid, -1},
};

START_TEST(test_selector)
{
    struct arena *a = arena_create();
    unsigned char set[LS_COUNT];
    gstr err;
    int r;

    gstr_init(&err, a);
    r = log_selector_parse(sel_cases[_i].value, set, &err);
    if (sel_cases[_i].on < 0) {
        ck_assert_int_eq(r, -1);
        ck_assert_msg(strncmp(gstr_str(&err), "log_selector: ", 14) == 0,
                      "error \"%s\" does not name log_selector", err.s);
    } else {
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(set[sel_cases[_i].sel], sel_cases[_i].on);
    }
    arena_destroy(a);
}
END_TEST

static char spool[] = "/tmp/mxlab-test-log-XXXXXX";

static char *
slurp(const char *which)
{
    char path[512];
    static char buf[8192];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "%s/log/%slog", spool, which);
    fp = fopen(path, "r");
    if (fp == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int
matches(const char *text, const char *pattern)
{
    regex_t re;
    int r;

    if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE) != 0)
        return 0;
    r = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return r;
}

START_TEST(test_write)
{
    struct arena *a = arena_create();
    struct main_config m;
    gstr err;
    char *text;

    memset(&m, 0, sizeof(m));
    m.spool_directory = spool;
    m.write_rejectlog = 1;
    m.log_selector = "+pid";
    gstr_init(&err, a);
    ck_assert_int_eq(log_setup(&m, &err), 0);
    log_write(LOG_MAIN, "plain %d", 1);
    log_write(LOG_MAIN | LOG_REJECT, "rejected %s", "RCPT");
    log_write(LOG_MAIN | LOG_PANIC, "panic line");

    text = slurp("main");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(matches(text, "^[0-9]{4}-[0-9]{2}-[0-9]{2} "
                                "[0-9]{2}:[0-9]{2}:[0-9]{2} \\[[0-9]+\\] "
                                "plain 1$"),
                  "main log line shape: %s", text);
    ck_assert_msg(matches(text, "rejected RCPT\n.*panic line\n$"),
                  "main log has every line: %s", text);
    text = slurp("reject");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(matches(text, "^[^\n]* rejected RCPT\n$"),
                  "reject log has only the reject line: %s", text);
    text = slurp("panic");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(matches(text, "^[^\n]* panic line\n$"),
                  "panic log has only the panic line: %s", text);
    arena_destroy(a);
}
END_TEST

/* The main log stays open between lines, and is opened anew once
 * rotated away (renamed, or removed). */
START_TEST(test_main_kept_open)
{
    struct arena *a = arena_create();
    struct main_config m;
    char main_path[512], old_path[512];
    gstr err;
    char *text;
    int fd;

    memset(&m, 0, sizeof(m));
    m.spool_directory = spool;
    gstr_init(&err, a);
    ck_assert_int_eq(log_setup(&m, &err), 0);
    snprintf(main_path, sizeof(main_path), "%s/log/mainlog", spool);
    snprintf(old_path, sizeof(old_path), "%s/log/mainlog.1", spool);
    (void)unlink(main_path);
    log_write(LOG_MAIN, "first");
    fd = log_main_fd();
    ck_assert_msg(fd > 2, "kept open above stderr: %d", fd);
    log_write(LOG_MAIN, "second");
    ck_assert_int_eq(log_main_fd(), fd);

    ck_assert_int_eq(rename(main_path, old_path), 0); /* rotated */
    log_write(LOG_MAIN, "third");
    text = slurp("main");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(matches(text, "^[^\n]* third\n$"),
                  "the new main log has only the line after the rotation: %s",
                  text);
    ck_assert_int_eq(unlink(main_path), 0); /* removed */
    log_write(LOG_MAIN, "fourth");
    text = slurp("main");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(matches(text, "^[^\n]* fourth\n$"), "made again: %s", text);

    log_close_main();
    ck_assert_int_eq(log_main_fd(), -1);
    log_write(LOG_MAIN, "fifth");
    text = slurp("main");
    ck_assert_msg(matches(text, "fourth\n[^\n]* fifth\n$"),
                  "opened again after log_close_main(): %s", text);
    log_close_main();
    (void)unlink(old_path);
    arena_destroy(a);
}
END_TEST

START_TEST(test_paths)
{
    struct arena *a = arena_create();
    struct main_config m;
    gstr err;

    memset(&m, 0, sizeof(m));
    m.spool_directory = "/var/spool/mxlab";
    gstr_init(&err, a);
    m.log_file_path = "/var/log/mxlab/%s.log";
    ck_assert_int_eq(log_setup(&m, &err), 0);
    ck_assert_str_eq(log_path("reject"), "/var/log/mxlab/reject.log");
    m.log_file_path = "";
    ck_assert_int_eq(log_setup(&m, &err), 0);
    ck_assert_str_eq(log_path("main"), "/var/spool/mxlab/log/mainlog");
    m.log_file_path = "syslog";
    ck_assert_int_eq(log_setup(&m, &err), -1);
    m.log_file_path = "/var/log/%s-%s";
    ck_assert_int_eq(log_setup(&m, &err), -1);
    arena_destroy(a);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    SRunner *sr;
    int failed;

    if (mkdtemp(spool) == NULL) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    tcase_add_loop_test(tc, test_selector, 0, NELEM(sel_cases));
    tcase_add_test(tc, test_write);
    tcase_add_test(tc, test_main_kept_open);
    tcase_add_test(tc, test_paths);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (fork() == 0)
        execlp("rm", "rm", "-rf", spool, (char *)NULL);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
