/*++
 * NAME
 *	test-busypoll 1
 * SUMMARY
 *	unit tests for polling a quick client's socket (smtp_busy_poll)
 * DESCRIPTION
 *	busy_poll_read() on a socket pair: what is there already, nothing
 *	within the time, the peer's end. Then smtp_io's plain reads with
 *	polling on: a command already there and one sent within the
 *	polling time keep the client quick; one that comes after a long
 *	pause marks it slow, and a quick one after that makes it quick
 *	again. Every line is read intact whichever way it was read.
 *--*/

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/deadline.h"
#include "base/gstr.h"
#include "smtp/busypoll.h"
#include "smtp/io.h"

static int sv[2];

static void
pair_open(void)
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
pair_close(void)
{
    close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
}

START_TEST(test_read_ready)
{
    char buf[16];

    pair_open();
    ck_assert_int_eq(write(sv[1], "MAIL\r\n", 6), 6);
    ck_assert_int_eq(busy_poll_read(sv[0], buf, sizeof(buf), 1000), 6);
    ck_assert(memcmp(buf, "MAIL\r\n", 6) == 0);
    pair_close();
}
END_TEST

START_TEST(test_read_nothing)
{
    char buf[16];
    long t0 = clock_us();

    pair_open();
    errno = 0;
    ck_assert_int_eq(busy_poll_read(sv[0], buf, sizeof(buf), 2000), -1);
    ck_assert_int_eq(errno, EAGAIN);
    ck_assert_msg(clock_us() - t0 >= 2000, "gave up before 2 ms");
    pair_close();
}
END_TEST

START_TEST(test_read_eof)
{
    char buf[16];

    pair_open();
    close(sv[1]);
    sv[1] = -1;
    ck_assert_int_eq(busy_poll_read(sv[0], buf, sizeof(buf), 1000000), 0);
    pair_close();
}
END_TEST

START_TEST(test_cpu_spare_answers)
{
    int a = busy_poll_cpu_spare();

    ck_assert(a == 0 || a == 1);
}
END_TEST

/* Writes line to sv[1] after delay_ms, from a thread. */
struct late {
    const char *line;
    int delay_ms;
};

static void *
late_write(void *arg)
{
    const struct late *l = arg;
    struct timespec ts = {.tv_sec = l->delay_ms / 1000,
                          .tv_nsec = (long)(l->delay_ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
    if (write(sv[1], l->line, strlen(l->line)) < 0)
        abort();
    return NULL;
}

/* Reads one line through io, the line written delay_ms later (or at
 * once, delay_ms 0); checks it. */
static void
read_line_late(struct smtp_io *io, gstr *line, const char *text, int delay_ms)
{
    struct late l = {text, delay_ms};
    pthread_t t;
    enum io_eol eol;

    ck_assert_int_eq(pthread_create(&t, NULL, late_write, &l), 0);
    ck_assert_int_eq(smtp_io_getline(io, line, 1000, &eol), IO_OK);
    pthread_join(t, NULL);
    ck_assert_int_eq((int)eol, (int)IO_EOL_CRLF);
    ck_assert_int_eq((int)line->len, (int)strlen(text) - 2);
    ck_assert(memcmp(line->s, text, line->len) == 0);
    gstr_truncate(line, 0);
}

START_TEST(test_io_quick_client)
{
    struct arena *a = arena_create();
    gstr *line = gstr_new(a);
    struct smtp_io io;

    pair_open();
    smtp_io_init(&io, a, sv[0], sv[0], 5);
    ck_assert_msg(io.read_waits, "a blocking socket reads on its own");
    smtp_io_set_busy_poll(&io, 20000); /* 20 ms */
    ck_assert_int_eq((int)io.busy_poll_us, 20000);
    ck_assert_msg(io.client_quick, "taken as quick at the start");

    read_line_late(&io, line, "EHLO a\r\n", 0);
    ck_assert_msg(io.client_quick, "a command already there is quick");
    read_line_late(&io, line, "MAIL FROM:<>\r\n", 5);
    ck_assert_msg(io.client_quick, "5 ms is within the polling time");
    read_line_late(&io, line, "RCPT TO:<b@c>\r\n", 400);
    ck_assert_msg(!io.client_quick, "400 ms is past eight times 20 ms");
    read_line_late(&io, line, "DATA\r\n", 0);
    ck_assert_msg(io.client_quick, "quick again");

    smtp_io_set_busy_poll(&io, 0);
    ck_assert_int_eq((int)io.busy_poll_us, 0);
    ck_assert_int_eq(io.client_quick, 0); /* no polling, nothing to say */
    read_line_late(&io, line, "QUIT\r\n", 5);
    pair_close();
    arena_destroy(a);
}
END_TEST

static Suite *
busypoll_suite(void)
{
    Suite *s = suite_create("busypoll");
    TCase *tc = tcase_create("busypoll");

    tcase_add_test(tc, test_read_ready);
    tcase_add_test(tc, test_read_nothing);
    tcase_add_test(tc, test_read_eof);
    tcase_add_test(tc, test_cpu_spare_answers);
    tcase_add_test(tc, test_io_quick_client);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(busypoll_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
