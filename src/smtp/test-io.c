/*++
 * NAME
 *	test-io 1
 * SUMMARY
 *	unit tests for when smtp_io sends a reply
 * DESCRIPTION
 *	On a socket pair: a queued reply stays queued until the server
 *	flushes; smtp_io_flush_early() sends it when the client has sent
 *	nothing more, and keeps it back when a pipelined command is
 *	already buffered, so that it leaves with the next reply, which
 *	the next read that needs the socket sends first.
 *--*/

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "smtp/io.h"

/* The session of the test running: the server's end and what it holds,
 * the client's end. */
static int sv[2];
static struct arena *a;
static gstr *line;
static struct smtp_io io;

/* What the client has been sent so far, without waiting; "" if nothing. */
static const char *
client_got(void)
{
    static char buf[256];
    ssize_t n = recv(sv[1], buf, sizeof(buf) - 1, MSG_DONTWAIT);

    if (n < 0) {
        ck_assert_int_eq(errno, EAGAIN);
        n = 0;
    }
    buf[n] = '\0';
    return buf;
}

static void
read_line(const char *want)
{
    enum io_eol eol;

    gstr_truncate(line, 0);
    ck_assert_int_eq(smtp_io_getline(&io, line, 1000, &eol), IO_OK);
    ck_assert_str_eq(gstr_str(line), want);
}

/* A session on a new socket pair whose client has sent what it sends
 * (the end of a message's data first); the server has read that line
 * and queued its 250. */
static void
after_dot(const char *sends)
{
    a = arena_create();
    line = gstr_new(a);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    smtp_io_init(&io, a, sv[0], sv[0], 5);
    ck_assert_int_eq(write(sv[1], sends, strlen(sends)),
                     (ssize_t)strlen(sends));
    read_line(".");
    smtp_io_printf(&io, "250 OK id=1\r\n");
}

static void
session_end(void)
{
    close(sv[0]);
    close(sv[1]);
    arena_destroy(a);
}

START_TEST(test_flush_early_sends)
{
    after_dot(".\r\n");
    ck_assert_str_eq(client_got(), ""); /* only queued */
    ck_assert_int_eq(smtp_io_flush_early(&io), IO_OK);
    ck_assert_str_eq(client_got(), "250 OK id=1\r\n");
    session_end();
}
END_TEST

START_TEST(test_flush_early_waits_for_pipelined)
{
    after_dot(".\r\nQUIT\r\n");
    ck_assert_int_eq(smtp_io_flush_early(&io), IO_OK);
    ck_assert_str_eq(client_got(), ""); /* QUIT is there */
    read_line("QUIT");
    smtp_io_printf(&io, "221 closing\r\n");
    ck_assert_int_eq(write(sv[1], "NOOP\r\n", 6), 6);
    read_line("NOOP"); /* the buffer was empty: flushed first */
    ck_assert_str_eq(client_got(), "250 OK id=1\r\n221 closing\r\n");
    session_end();
}
END_TEST

static Suite *
io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("flush");

    tcase_add_test(tc, test_flush_early_sends);
    tcase_add_test(tc, test_flush_early_waits_for_pipelined);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(io_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
