/*++
 * NAME
 *	test-base 1
 * SUMMARY
 *	unit tests for src/base
 * DESCRIPTION
 *	Table-driven Check tests: Exim lists, base64, xtext, durations,
 *	growable strings and arenas.
 *--*/

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "base/tod.h"
#include "base/xtext.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Items joined with "|" so one string states the whole expectation. */
static const struct {
    const char *label;
    const char *list;
    const char *items;
} list_cases[] = {
    {"simple", "a : b : c", "a|b|c"},
    {"no spaces", "a:b:c", "a|b|c"},
    {"doubled colon", "a::b : c", "a:b|c"},
    {"IPv6 doubled", "::::1 : 127.0.0.1", "::1|127.0.0.1"},
    {"changed separator", "<; ::1 ; 127.0.0.1", "::1|127.0.0.1"},
    {"changed separator doubled", "<; a;;b ; c", "a;b|c"},
    {"comma separator", "<, x,y", "x|y"},
    {"empty middle item", "a : : b", "a||b"},
    {"leading empty item", ": a", "|a"},
    {"trailing separator", "a :", "a"},
    {"empty list", "", ""},
    {"only spaces", "   ", ""},
    {"lt not followed by punct", "<a : b", "<a|b"},
    {"inner spaces kept", "a b : c d", "a b|c d"},
};

START_TEST(test_list)
{
    struct arena *a = arena_create();
    struct list_iter it;
    gstr got;
    char *item;
    int first = 1;

    gstr_init(&got, a);
    list_iter_init(&it, list_cases[_i].list, ':');
    while ((item = list_next(&it, a)) != NULL) {
        if (!first)
            gstr_addc(&got, '|');
        gstr_adds(&got, item);
        first = 0;
    }
    ck_assert_msg(strcmp(gstr_str(&got), list_cases[_i].items) == 0,
                  "%s: \"%s\" gave \"%s\", want \"%s\"", list_cases[_i].label,
                  list_cases[_i].list, gstr_str(&got), list_cases[_i].items);
    arena_destroy(a);
}
END_TEST

START_TEST(test_list_append_roundtrip)
{
    struct arena *a = arena_create();
    gstr g;
    struct list_iter it;

    gstr_init(&g, a);
    list_append(&g, ':', "a:b");
    list_append(&g, ':', "c");
    ck_assert_str_eq(gstr_str(&g), "a::b:c");
    list_iter_init(&it, g.s, ':');
    ck_assert_str_eq(list_next(&it, a), "a:b");
    ck_assert_str_eq(list_next(&it, a), "c");
    ck_assert_ptr_null(list_next(&it, a));
    ck_assert_uint_eq(list_count("a:b::c:d", ':'), 3);
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *plain;
    const char *encoded;
} b64_cases[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"\0alice\0secret", "AGFsaWNlAHNlY3JldA=="},
};

START_TEST(test_b64)
{
    struct arena *a = arena_create();
    gstr enc, dec;
    size_t len = _i == 5 ? 13 : strlen(b64_cases[_i].plain);

    gstr_init(&enc, a);
    gstr_init(&dec, a);
    b64_encode(&enc, (const unsigned char *)b64_cases[_i].plain, len);
    ck_assert_str_eq(gstr_str(&enc), b64_cases[_i].encoded);
    ck_assert_int_eq(
        b64_decode(&dec, b64_cases[_i].encoded, strlen(b64_cases[_i].encoded)),
        (ssize_t)len);
    ck_assert_mem_eq(gstr_str(&dec), b64_cases[_i].plain, len);
    arena_destroy(a);
}
END_TEST

static const char *const b64_bad[] = {"Zg=a", "Z", "Zm9v!", "Zg===", "Z m9"};

START_TEST(test_b64_bad)
{
    struct arena *a = arena_create();
    gstr dec;

    gstr_init(&dec, a);
    ck_assert_msg(b64_decode(&dec, b64_bad[_i], strlen(b64_bad[_i])) == -1,
                  "\"%s\" should be rejected", b64_bad[_i]);
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *plain;
    const char *xtext;
} xtext_cases[] = {
    {"alice@example.org", "alice@example.org"},
    {"a+b=c", "a+2Bb+3Dc"},
    {"with space", "with+20space"},
    {"", ""},
};

START_TEST(test_xtext)
{
    struct arena *a = arena_create();
    gstr enc, dec;

    gstr_init(&enc, a);
    gstr_init(&dec, a);
    xtext_encode(&enc, xtext_cases[_i].plain, strlen(xtext_cases[_i].plain));
    ck_assert_str_eq(gstr_str(&enc), xtext_cases[_i].xtext);
    ck_assert_int_eq(xtext_decode(&dec, xtext_cases[_i].xtext,
                                  strlen(xtext_cases[_i].xtext)),
                     0);
    ck_assert_str_eq(gstr_str(&dec), xtext_cases[_i].plain);
    arena_destroy(a);
}
END_TEST

START_TEST(test_xtext_bad)
{
    struct arena *a = arena_create();
    gstr dec;

    gstr_init(&dec, a);
    ck_assert_int_eq(xtext_decode(&dec, "a+4", 3), -1);
    ck_assert_int_eq(xtext_decode(&dec, "a+ZZ", 4), -1);
    gstr_truncate(&dec, 0);
    ck_assert_int_eq(xtext_decode(&dec, "+2b", 3), 0);
    ck_assert_str_eq(gstr_str(&dec), "+");
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *text;
    long secs; /* -1: must be rejected */
    const char *printed;
} duration_cases[] = {
    {"30s", 30, "30s"},       {"5m", 300, "5m"},
    {"1h30m", 5400, "1h30m"}, {"2d", 172800, "2d"},
    {"1w", 604800, "1w"},     {"90", 90, "1m30s"},
    {"0s", 0, "0s"},          {"1h1s", 3601, "1h1s"},
    {"", -1, NULL},           {"5x", -1, NULL},
    {"h", -1, NULL},          {"99999999999999999999s", -1, NULL},
};

START_TEST(test_duration)
{
    struct arena *a = arena_create();
    long secs = -2;
    gstr g;
    int r = tod_parse_duration(duration_cases[_i].text, &secs);

    if (duration_cases[_i].secs < 0) {
        ck_assert_msg(r == -1, "\"%s\" should be rejected",
                      duration_cases[_i].text);
    } else {
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(secs, duration_cases[_i].secs);
        gstr_init(&g, a);
        tod_format_duration(&g, secs);
        ck_assert_str_eq(gstr_str(&g), duration_cases[_i].printed);
    }
    arena_destroy(a);
}
END_TEST

START_TEST(test_dates)
{
    struct arena *a = arena_create();
    gstr g;

    setenv("TZ", "UTC", 1);
    gstr_init(&g, a);
    tod_log(&g, 1714986611); /* 2024-05-06 09:10:11 UTC */
    ck_assert_str_eq(gstr_str(&g), "2024-05-06 09:10:11");
    gstr_truncate(&g, 0);
    tod_full(&g, 1714986611);
    ck_assert_str_eq(gstr_str(&g), "Mon, 06 May 2024 09:10:11 +0000");
    arena_destroy(a);
}
END_TEST

START_TEST(test_gstr_and_arena)
{
    struct arena *a = arena_create();
    gstr g;
    char *big;

    gstr_init(&g, a);
    ck_assert_str_eq(gstr_str(&g), "");
    for (int i = 0; i < 10000; i++)
        gstr_addc(&g, (char)('a' + i % 26));
    ck_assert_uint_eq(g.len, 10000);
    ck_assert_int_eq(g.s[9999], 'a' + 9999 % 26);
    gstr_printf(&g, "%d-%s", 42, "x");
    ck_assert_str_eq(g.s + 10000, "42-x");
    gstr_truncate(&g, 3);
    ck_assert_str_eq(gstr_str(&g), "abc");
    big = arena_alloc(a, 1 << 20); /* a block of its own */
    memset(big, 1, 1 << 20);
    ck_assert_str_eq(arena_printf(a, "%s=%d", "n", 7), "n=7");
    ck_assert_str_eq(arena_strndup(a, "abcdef", 3), "abc");
    arena_reset(a);
    ck_assert_uint_eq(arena_used(a), 0);
    arena_destroy(a);
}
END_TEST

/* gstr_printf() against snprintf(), for the conversions gstr does itself
 * and for some it leaves to vsnprintf(). */
#define FMT_CASE(...)                                                          \
    do {                                                                       \
        char want[256];                                                        \
        gstr_truncate(&g, 0);                                                  \
        snprintf(want, sizeof(want), __VA_ARGS__);                             \
        gstr_printf(&g, __VA_ARGS__);                                          \
        ck_assert_str_eq(gstr_str(&g), want);                                  \
        ck_assert_uint_eq(g.len, strlen(want));                                \
    } while (0)

START_TEST(test_gstr_printf)
{
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    gstr_printf(&g, "%s", "");
    ck_assert_ptr_nonnull(g.s);
    FMT_CASE("plain");
    FMT_CASE("%s and %s", "one", "two");
    FMT_CASE("%d %d %d %i", 0, -1, INT_MAX, INT_MIN);
    FMT_CASE("%ld %ld %lu", LONG_MAX, LONG_MIN, ULONG_MAX);
    FMT_CASE("%lld %llu", LLONG_MIN, ULLONG_MAX);
    FMT_CASE("%zu %zd %zu", (size_t)0, (ssize_t)-5, SIZE_MAX);
    FMT_CASE("%u %u", 0u, UINT_MAX);
    FMT_CASE("%03zu%c %s", (size_t)7, 'P', "Received:");
    FMT_CASE("[%5d][%05d][%2d][%05d][%1d]", 42, 42, 123, -42, 0);
    FMT_CASE("[%8s][%2s][%c][%3c]", "ab", "abcd", 'x', 'y');
    FMT_CASE("%.*s|%.2s|%.0s|%.9s", 3, "abcdef", "xyz", "q", "short");
    FMT_CASE("%.*s", -1, "negative precision: all of it");
    FMT_CASE("100%% %s%%", "sure");
    FMT_CASE(".%06ld %ld.%06ld", 1234L, 1715000000L, 5L);
    /* left to vsnprintf() */
    FMT_CASE("%-6s|%x|%08.3f|%+d|%p", "l", 255u, 2.5, 3, (void *)0);
    {
        const char *volatile none = NULL; /* (null), as glibc writes it */
        FMT_CASE("[%s]", none);
    }
    FMT_CASE("%5.1d|%hd|%*d", 7, (short)-3, 4, 9);
    FMT_CASE("%d then %x", 10, 10u);
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *in;
    size_t len;
    const char *out;
} printing_cases[] = {
    {"plain text", 10, "plain text"}, {"a\r\nb", 4, "a\\r\\nb"},
    {"tab\there", 8, "tab\\there"},   {"nul\0x", 5, "nul\\000x"},
    {"\x7f\xff", 2, "\\177\\377"},    {"back\\slash", 10, "back\\slash"},
};

START_TEST(test_printing)
{
    struct arena *a = arena_create();
    gstr g;

    gstr_init(&g, a);
    str_printing(&g, printing_cases[_i].in, printing_cases[_i].len);
    ck_assert_str_eq(gstr_str(&g), printing_cases[_i].out);
    arena_destroy(a);
}
END_TEST

static Suite *
base_suite(void)
{
    Suite *s = suite_create("base");
    TCase *tc = tcase_create("base");

    tcase_add_loop_test(tc, test_list, 0, NELEM(list_cases));
    tcase_add_test(tc, test_list_append_roundtrip);
    tcase_add_loop_test(tc, test_b64, 0, NELEM(b64_cases));
    tcase_add_loop_test(tc, test_b64_bad, 0, NELEM(b64_bad));
    tcase_add_loop_test(tc, test_xtext, 0, NELEM(xtext_cases));
    tcase_add_test(tc, test_xtext_bad);
    tcase_add_loop_test(tc, test_duration, 0, NELEM(duration_cases));
    tcase_add_test(tc, test_dates);
    tcase_add_test(tc, test_gstr_and_arena);
    tcase_add_test(tc, test_gstr_printf);
    tcase_add_loop_test(tc, test_printing, 0, NELEM(printing_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(base_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
