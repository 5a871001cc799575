/*++
 * NAME
 *	test-retry 1
 * SUMMARY
 *	unit tests for src/retry
 * DESCRIPTION
 *	retry_find_config(): which rule a key (host, address, domain) and
 *	an error select, as Exim's retry_find_config() does; and the LMDB
 *	store: put, get, walk in key order, delete.
 *--*/

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "retry/retry_conf.h"
#include "retry/retry_db.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[64];

static const char conf_text[] =
    "spool_directory = SPOOL\n"
    "begin retry\n"
    "mx.example.com  timeout_connect  F,1h,1m\n"
    "*.example.com   refused_MX       F,1h,2m\n"
    "bob@test.ex     quota_7d         F,1h,3m\n"
    "*               rcpt_45x         F,1h,4m\n"
    "*               mail_452         F,1h,5m\n"
    "test.ex         lost_connection  F,1h,6m\n"
    "*               *  senders=*@lists.test.ex  F,1h,7m\n"
    "*               *                F,2h,15m; G,16h,1h,1.5; H,4d,6h,2\n";

static const struct {
    const char *key, *alt;
    int basic, more;
    const char *sender;
    long first_interval; /* p1 of the first rule */
} cases[] = {
    /* a host key: the host name, then the domain */
    {"mx.example.com:192.0.2.1", NULL, ETIMEDOUT, RETRY_CTOUT | 'A', NULL, 60},
    {"mx.example.com:192.0.2.1", NULL, ETIMEDOUT, 'A', NULL, 900},
    {"mx.other.com:192.0.2.1", "example.com", ECONNREFUSED, 'M', NULL, 900},
    {"mx.other.com:192.0.2.1", "a.example.com", ECONNREFUSED, 'M', NULL, 120},
    {"mx.other.com:192.0.2.1", "a.example.com", ECONNREFUSED, 'A', NULL, 900},
    /* addresses and domains */
    {"bob@test.ex", NULL, EDQUOT, 0, NULL, 180},
    {"bob@test.ex", NULL, -22, 0, NULL, 180},
    {"carol@test.ex", NULL, -22, 0, NULL, 900},
    {"bob@remote.ex:<a@b>", NULL, -44, (51 << 8) | 'A', NULL, 240},
    {"bob@remote.ex:<a@b>", NULL, -44, (21 << 8) | 'A', NULL, 900},
    {"mx:192.0.2.1:25:ID", "x.ex", -45, (52 << 8) | 'M', NULL, 300},
    {"mx:192.0.2.1:25:ID", "x.ex", -45, (51 << 8) | 'M', NULL, 900},
    {"test.ex", NULL, -18, 0, NULL, 360},
    {"test.ex", NULL, -1, 0, "x@lists.test.ex", 420},
    {"test.ex", NULL, -1, 0, "x@test.ex", 900},
};

START_TEST(test_find)
{
    const struct retry_config *c =
        retry_find_config(cases[_i].key, cases[_i].alt, cases[_i].basic,
                          cases[_i].more, cases[_i].sender);

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(c->rules);
    ck_assert_int_eq(c->rules->p1, cases[_i].first_interval);
}
END_TEST

START_TEST(test_rules)
{
    const struct retry_config *c = retry_find_config("x.ex", NULL, -1, 0, NULL);
    const struct retry_rule *r = c->rules;

    ck_assert_int_eq(r->kind, 'F');
    ck_assert_int_eq(r->timeout, 7200);
    r = r->next;
    ck_assert_int_eq(r->kind, 'G');
    ck_assert_int_eq(r->timeout, 16 * 3600);
    ck_assert_int_eq(r->p1, 3600);
    ck_assert_int_eq(r->p2, 1500);
    r = r->next;
    ck_assert_int_eq(r->kind, 'H');
    ck_assert_int_eq(r->p2, 2000);
    ck_assert_ptr_null(r->next);
}
END_TEST

static int
collect(const char *key, const struct retry_rec *r, void *ctx)
{
    gstr *g = ctx;

    gstr_printf(g, "%s=%d,%ld;", key, r->basic_errno, (long)r->next_try);
    return 0;
}

START_TEST(test_db)
{
    struct arena *a = arena_create();
    struct retry_db *db;
    struct retry_rec r, back;
    gstr err, g;

    gstr_init(&err, a);
    gstr_init(&g, a);
    ck_assert_ptr_null(retry_db_open(0, &err)); /* none yet */
    ck_assert_int_eq(err.len, 0);
    db = retry_db_open(1, &err);
    ck_assert_msg(db != NULL, "%s", gstr_str(&err));
    memset(&r, 0, sizeof(r));
    r.basic_errno = 111;
    r.next_try = 100;
    snprintf(r.text, sizeof(r.text), "Connection refused");
    ck_assert_int_eq(retry_db_put(db, "T:b:192.0.2.2", &r), 0);
    r.basic_errno = -44;
    r.next_try = 200;
    r.expired = 1;
    ck_assert_int_eq(retry_db_put(db, "R:a@x", &r), 0);
    ck_assert_int_eq(retry_db_get(db, "R:a@x", &back), 1);
    ck_assert_int_eq(back.basic_errno, -44);
    ck_assert_int_eq(back.expired, 1);
    ck_assert_str_eq(back.text, "Connection refused");
    ck_assert_int_eq(retry_db_get(db, "R:nothing", &back), 0);
    ck_assert_int_eq(retry_db_walk(db, collect, &g), 0);
    ck_assert_str_eq(gstr_str(&g), "R:a@x=-44,200;T:b:192.0.2.2=111,100;");
    ck_assert_int_eq(retry_db_del(db, "R:a@x"), 0);
    ck_assert_int_eq(retry_db_del(db, "R:a@x"), 0); /* gone: no error */
    ck_assert_int_eq(retry_db_get(db, "R:a@x", &back), 0);
    retry_db_close(db);
    arena_destroy(a);
}
END_TEST

static void
setup_once(void)
{
    char path[128];
    gstr err, text;
    FILE *f;
    const char *p;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxlab-test-retry-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        abort();
    arena_perm_init();
    gstr_init(&text, arena_perm);
    for (p = conf_text; *p != '\0'; p++)
        if (strncmp(p, "SPOOL", 5) == 0) {
            gstr_adds(&text, tmpdir);
            p += 4;
        } else {
            gstr_addc(&text, *p);
        }
    snprintf(path, sizeof(path), "%s/conf", tmpdir);
    if ((f = fopen(path, "w")) == NULL)
        abort();
    fputs(gstr_str(&text), f);
    fclose(f);
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0 || retry_conf_check(&err) < 0) {
        fprintf(stderr, "%s\n", gstr_str(&err));
        abort();
    }
    unlink(path);
}

int
main(void)
{
    Suite *s = suite_create("retry");
    TCase *tc = tcase_create("retry");
    SRunner *sr;
    int failed;

    setup_once();
    tcase_add_loop_test(tc, test_find, 0, NELEM(cases));
    tcase_add_test(tc, test_rules);
    tcase_add_test(tc, test_db);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (fork() == 0)
        execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
