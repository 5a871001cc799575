/*++
 * NAME
 *	test-spool_util 1
 * SUMMARY
 *	unit tests for the building blocks of src/spool
 * DESCRIPTION
 *	Table-driven Check tests: message ids (format, parsing, order,
 *	uniqueness in one process and across forked ones), strict
 *	decimal numbers and the balanced tree. The -H files, the files
 *	on disk and the -bp listing are in test-spool.c.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/decimal.h"
#include "spool/msgid.h"
#include "spool/tree.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Message ids.
 */

static const struct {
    const char *label;
    long sec;
    long usec;
    unsigned long pid;
    int lhn;
    const char *id;
} format_cases[] = {
    {"plain", 1715000000, 123456, 12345, -1, "1s3xqK-000000003D7-0W7E"},
    {"big pid, last usec", 1715000000, 999999, 4194304, -1,
     "1s3xqK-0000000Hb84-4C91"},
    {"localhost_number 16, usec 0", 1715000000, 0, 1, 16,
     "1s3xqK-00000000001-XZAG"},
    {"localhost_number 16, last usec", 1715000000, 999999, 1, 16,
     "1s3xqK-00000000001-ZfEl"},
    {"all zero", 0, 0, 0, -1, "000000-00000000000-0000"},
    {"reference example", 1764757543, 621, 2083, -1, "1vQk3L-000000000Xb-00A1"},
};

START_TEST(test_msgid_format)
{
    char id[MSGID_LEN + 1];
    struct msgid_parts p;

    msgid_format(id, format_cases[_i].sec, format_cases[_i].usec,
                 format_cases[_i].pid, format_cases[_i].lhn);
    ck_assert_msg(strcmp(id, format_cases[_i].id) == 0, "%s: got %s, want %s",
                  format_cases[_i].label, id, format_cases[_i].id);
    ck_assert_int_eq(msgid_parse(id, &p), MSGID_NEW);
    ck_assert_int_eq(p.sec, format_cases[_i].sec);
    ck_assert_uint_eq(p.pid, format_cases[_i].pid);
    ck_assert_int_eq(msgid_usec(&p, format_cases[_i].lhn),
                     format_cases[_i].lhn >= 0 ? format_cases[_i].usec / 2 * 2
                                               : format_cases[_i].usec);
}
END_TEST

static const struct {
    const char *s;
    enum msgid_kind kind;
} check_cases[] = {
    {"1vQk3L-000000000Xb-00A1", MSGID_NEW},
    {"1vQk3L-0000Xb-0A", MSGID_OLD},
    {"10HmaX-000000005vi-0000", MSGID_NEW},
    {"10HmaX-0005vi-00", MSGID_OLD},
    {"1vQk3L-000000000Xb-00A", MSGID_INVALID},   /* short */
    {"1vQk3L-000000000Xb-00A12", MSGID_INVALID}, /* long */
    {"1vQk3L_000000000Xb-00A1", MSGID_INVALID},  /* first separator */
    {"1vQk3L-000000000Xb_00A1", MSGID_INVALID},  /* second separator */
    {"1vQk3L-00000000-Xb-00A1", MSGID_INVALID},  /* dash inside */
    {"1vQk3L-000000000Xb-00A_", MSGID_INVALID},  /* not base 62 */
    {"1vQk3L-0000Xb-0A-H", MSGID_INVALID},
    {"", MSGID_INVALID},
    {"E1vQk3L-000000000Xb-00A", MSGID_INVALID},
    {"1vQk3L-0000Xb_0A", MSGID_INVALID},
    {"1vQ k3L-0000Xb-0A", MSGID_INVALID},
};

START_TEST(test_msgid_check)
{
    const char *s = check_cases[_i].s;

    ck_assert_msg(msgid_check(s, strlen(s)) == check_cases[_i].kind,
                  "\"%s\": got %d", s, msgid_check(s, strlen(s)));
    ck_assert_int_eq(msgid_parse(s, NULL), check_cases[_i].kind);
}
END_TEST

START_TEST(test_msgid_misc)
{
    struct arena *a = arena_create();
    gstr g;

    ck_assert_int_eq(msgid_split_char("1vQk3L-000000000Xb-00A1"), 'L');
    ck_assert_int_eq(msgid_split_char("1vQk3L-0000Xb-0A"), 'L');
    ck_assert_uint_eq(msgid_data_offset("1vQk3L-000000000Xb-00A1"), 26);
    ck_assert_uint_eq(msgid_data_offset("1vQk3L-0000Xb-0A"), 19);
    gstr_init(&g, a);
    msgid_header_value(&g, "1vQk3L-000000000Xb-00A1", "mx.example.org");
    ck_assert_str_eq(gstr_str(&g), "<E1vQk3L-000000000Xb-00A1@mx.example.org>");
    /* Time first, then sub-second; the pid does not count. */
    ck_assert_int_lt(
        msgid_cmp("1vQk3L-zzzzzzzzzzz-0000", "1vQk3M-00000000000-0000"), 0);
    ck_assert_int_lt(
        msgid_cmp("1vQk3L-zzzzzzzzzzz-0001", "1vQk3L-00000000000-0002"), 0);
    ck_assert_int_gt(
        msgid_cmp("1vQk3L-00000000000-0002", "1vQk3L-zzzzzzzzzzz-0001"), 0);
    ck_assert_int_lt(msgid_cmp("1vQk3L-0000Xb-0A", "1vQk3M-000000000Xb-00A1"),
                     0);
    ck_assert_int_eq(
        msgid_cmp("1vQk3L-000000000Xb-00A1", "1vQk3L-000000000Xb-00A1"), 0);
    arena_destroy(a);
}
END_TEST

static int
cmp_ids(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

#define N_IDS      10000
#define N_CHILDREN 4

START_TEST(test_msgid_unique)
{
    static char ids[N_IDS * (N_CHILDREN + 1)][MSGID_LEN + 1];
    size_t n = 0;
    int fds[N_CHILDREN][2];
    pid_t pids[N_CHILDREN];

    for (int c = 0; c < N_CHILDREN; c++) {
        ck_assert_int_eq(pipe(fds[c]), 0);
        pids[c] = fork();
        ck_assert_int_ge(pids[c], 0);
        if (pids[c] == 0) {
            char id[MSGID_LEN + 1];

            close(fds[c][0]);
            for (int i = 0; i < N_IDS; i++) {
                msgid_generate(id, c == 1 ? 3 : -1);
                if (write(fds[c][1], id, MSGID_LEN) != MSGID_LEN)
                    _exit(1);
            }
            _exit(0);
        }
        close(fds[c][1]);
    }
    /* This process, meanwhile: ids strictly increase. */
    for (int i = 0; i < N_IDS; i++) {
        msgid_generate(ids[n], -1);
        ck_assert_int_eq(msgid_check(ids[n], strlen(ids[n])), MSGID_NEW);
        if (i > 0)
            ck_assert_msg(msgid_cmp(ids[n - 1], ids[n]) < 0, "%s then %s",
                          ids[n - 1], ids[n]);
        n++;
    }
    for (int c = 0; c < N_CHILDREN; c++) {
        int status;

        for (int i = 0; i < N_IDS; i++) {
            size_t got = 0;

            while (got < MSGID_LEN) {
                ssize_t r = read(fds[c][0], ids[n] + got, MSGID_LEN - got);

                ck_assert_int_gt(r, 0);
                got += (size_t)r;
            }
            ids[n][MSGID_LEN] = '\0';
            n++;
        }
        close(fds[c][0]);
        ck_assert_int_eq(waitpid(pids[c], &status, 0), pids[c]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    qsort(ids, n, sizeof(ids[0]), cmp_ids);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "duplicate id %s",
                      ids[i]);
}
END_TEST

static const struct {
    const char *s;
    int neg;
    int ok;
    long v;
} decimal_cases[] = {
    {"0", 0, 1, 0},
    {"42", 0, 1, 42},
    {"-1", 1, 1, -1},
    {"-1", 0, 0, 0},
    {"", 0, 0, 0},
    {"-", 1, 0, 0},
    {" 1", 0, 0, 0},
    {"1 ", 0, 0, 0},
    {"1a", 0, 0, 0},
    {"+1", 0, 0, 0},
    {"9223372036854775807", 0, 1, 9223372036854775807L},
    {"9223372036854775808", 0, 0, 0},
};

START_TEST(test_decimal)
{
    long v = 7;
    int rc = decimal_long(decimal_cases[_i].s, strlen(decimal_cases[_i].s),
                          decimal_cases[_i].neg, &v);

    ck_assert_msg((rc == 0) == decimal_cases[_i].ok, "\"%s\"",
                  decimal_cases[_i].s);
    ck_assert_int_eq(v, decimal_cases[_i].ok ? decimal_cases[_i].v : 7);
}
END_TEST

/*
 * The balanced tree.
 */

static int
check_avl(const struct tree_node *n, const char *lo, const char *hi)
{
    int l, r;

    if (n == NULL)
        return 0;
    ck_assert(lo == NULL || strcmp(lo, n->name) < 0);
    ck_assert(hi == NULL || strcmp(n->name, hi) < 0);
    l = check_avl(n->left, lo, n->name);
    r = check_avl(n->right, n->name, hi);
    ck_assert_int_le(abs(l - r), 1);
    return 1 + (l > r ? l : r);
}

static const struct {
    const char *label;
    const char *insert; /* names joined with "," */
    const char *written;
} tree_cases[] = {
    {"empty", "", "XX\n"},
    {"one", "a", "NN a\n"},
    {"ascending three", "a,b,c", "YY b\nNN a\nNN c\n"},
    {"descending three", "c,b,a", "YY b\nNN a\nNN c\n"},
    {"double rotation", "a,c,b", "YY b\nNN a\nNN c\n"},
    {"duplicates", "b,a,b,a", "YN b\nNN a\n"},
    {"five", "e,d,c,b,a", "YY d\nYY b\nNN a\nNN c\nNN e\n"},
};

START_TEST(test_tree_shapes)
{
    struct arena *a = arena_create();
    struct tree_node *root = NULL;
    char *list = arena_strdup(a, tree_cases[_i].insert), *save = NULL;
    gstr g;

    for (char *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save))
        tree_add(&root, a, t, NULL);
    gstr_init(&g, a);
    tree_write(&g, root);
    ck_assert_msg(strcmp(gstr_str(&g), tree_cases[_i].written) == 0,
                  "%s: got\n%s", tree_cases[_i].label, g.s);
    arena_destroy(a);
}
END_TEST

START_TEST(test_tree_random)
{
    struct arena *a = arena_create();
    struct tree_node *root = NULL;
    int added = 0;

    srandom(42);
    for (int i = 0; i < 2000; i++) {
        char name[32];

        snprintf(name, sizeof(name), "u%ld@example.com", random() % 1500);
        added += tree_add(&root, a, name, NULL);
        if (i % 97 == 0)
            check_avl(root, NULL, NULL);
    }
    check_avl(root, NULL, NULL);
    ck_assert_int_eq(tree_count(root), added);
    ck_assert_ptr_nonnull(tree_search(root, root->name));
    ck_assert_ptr_null(tree_search(root, "nobody@example.com"));
    arena_destroy(a);
}
END_TEST

static Suite *
spool_util_suite(void)
{
    Suite *s = suite_create("spool_util");
    TCase *ids = tcase_create("msgid");
    TCase *tree = tcase_create("tree");

    tcase_add_loop_test(ids, test_msgid_format, 0, NELEM(format_cases));
    tcase_add_loop_test(ids, test_msgid_check, 0, NELEM(check_cases));
    tcase_add_test(ids, test_msgid_misc);
    tcase_add_loop_test(ids, test_decimal, 0, NELEM(decimal_cases));
    tcase_add_test(ids, test_msgid_unique);
    tcase_set_timeout(ids, 60);
    suite_add_tcase(s, ids);

    tcase_add_loop_test(tree, test_tree_shapes, 0, NELEM(tree_cases));
    tcase_add_test(tree, test_tree_random);
    suite_add_tcase(s, tree);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(spool_util_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
