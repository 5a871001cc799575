/*++
 * NAME
 *	test-sign 1
 * SUMMARY
 *	unit tests for ARC signing (src/arc/sign*.c)
 * DESCRIPTION
 *	Table-driven Check tests: the arc_sign value parser (elements,
 *	options, the errors Exim names), and the set builder on small
 *	messages: which Authentication-Results is the basis, the instance
 *	after an incoming chain, cv= from the arc= result, the tag order
 *	and folding of the three fields. The signatures themselves are
 *	checked by the scenarios (against Exim's bytes and dkimpy).
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/gstr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label, *spec;
    int rc;
    const char *what; /* -1: the element named; 1: the identity */
    int timestamps, expire;
    unsigned long x;
    const char *unknown;
} spec_cases[] = {
    {"empty", "", 0, NULL, 0, 0, 0, NULL},
    {"blank", "  ", 0, NULL, 0, 0, 0, NULL},
    {"three elements", "a.ex : sel : /k", 1, "a.ex", 0, 0, 0, NULL},
    {"empty identity", " : sel : /k", -1, "identity", 0, 0, 0, NULL},
    {"empty selector", "a.ex : : /k", -1, "selector", 0, 0, 0, NULL},
    {"no key", "a.ex : sel", -1, "privkey", 0, 0, 0, NULL},
    {"empty key", "a.ex : sel : ", -1, "privkey", 0, 0, 0, NULL},
    {"underscore", "a_ex : sel : /k", -1, "identity", 0, 0, 0, NULL},
    {"slash in selector", "a.ex : s/1 : /k", -1, "selector", 0, 0, 0, NULL},
    {"timestamps", "a.ex : sel : /k : timestamps", 1, "a.ex", 1, 0, 0, NULL},
    {"expire default", "a.ex:sel:/k:expire", 1, "a.ex", 0, 1, 1000 + 2592000,
     NULL},
    {"expire offset", "a.ex:sel:/k:expire=+60", 1, "a.ex", 0, 1, 1060, NULL},
    {"expire +0", "a.ex:sel:/k:expire=+0", 1, "a.ex", 0, 1, 1000 + 2592000,
     NULL},
    {"expire absolute", "a.ex:sel:/k:expire=5", 1, "a.ex", 0, 1, 5, NULL},
    {"both", "a.ex:sel:/k:timestamps,expire=7", 1, "a.ex", 1, 1, 7, NULL},
    {"unknown", "a.ex:sel:/k:stamps,timestamps", 1, "a.ex", 1, 0, 0, "stamps"},
    {"separator", "<; a.ex ; sel ; /k", 1, "a.ex", 0, 0, 0, NULL},
};

START_TEST(test_spec)
{
    struct arena *a = arena_create();
    struct arc_sign_req r;
    const char *what, *unknown;
    int rc =
        arc_sign_spec_parse(a, spec_cases[_i].spec, 1000, &r, &what, &unknown);

    ck_assert_msg(rc == spec_cases[_i].rc, "%s: rc %d", spec_cases[_i].label,
                  rc);
    if (rc < 0)
        ck_assert_str_eq(what, spec_cases[_i].what);
    if (rc > 0) {
        ck_assert_str_eq(r.identity, spec_cases[_i].what);
        ck_assert_int_eq(r.timestamps, spec_cases[_i].timestamps);
        if (r.timestamps)
            ck_assert_uint_eq(r.t, 1000);
        ck_assert_int_eq(r.expire, spec_cases[_i].expire);
        if (r.expire)
            ck_assert_uint_eq(r.x, spec_cases[_i].x);
        if (spec_cases[_i].unknown)
            ck_assert_str_eq(unknown, spec_cases[_i].unknown);
        else
            ck_assert_ptr_null(unknown);
    }
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *label, *hdrs;
    int rc;
    const char *why;     /* rc 0 */
    const char *want[3]; /* substrings of AS, AAR, AMS (rc 1) */
} set_cases[] = {
    {"no A-R", "From: a@b\r\n", 0, "noar", {NULL}},
    {"A-R of another ADMD",
     "Authentication-Results: other.ex; x=y\r\n",
     0,
     "noar",
     {NULL}},
    {"prefix of another ADMD",
     "Authentication-Results: a.example; x=y\r\n",
     0,
     "noar",
     {NULL}},
    {"A-R with nothing after the id",
     "Authentication-Results: a.ex;\r\n",
     0,
     "noar",
     {NULL}},
    {"incomplete incoming set",
     "Authentication-Results: a.ex; arc=pass\r\nARC-Seal: i=1; cv=none\r\n",
     0,
     "chain",
     {NULL}},
    {"first set",
     "Authentication-Results: a.ex; spf=pass\r\nFrom: a@b\r\nTo: c@d\r\n",
     1,
     NULL,
     {"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=a.ex; s=sel;\r\n\t b=",
      "ARC-Authentication-Results: i=1; a.ex; smtp.remote-ip=192.0.2.1;"
      "\r\n\tspf=pass\r\n",
      "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed; d=a.ex; s=sel;"
      "\r\n\tbh="}},
    {"h= bottom up",
     "Authentication-Results: a.ex; spf=pass\r\nFrom: a@b\r\nTo: c@d\r\n",
     1,
     NULL,
     {NULL, NULL, ";\r\n\th=To:From;\r\n\tb="}},
    {"top A-R wins",
     "Authentication-Results: a.ex; dkim=none\r\n"
     "Authentication-Results: a.ex; spf=pass\r\n",
     1,
     NULL,
     {NULL, "\r\n\tdkim=none\r\n", NULL}},
    {"cv from arc=",
     "Authentication-Results: a.ex; arc=fail (i=1); spf=pass\r\n",
     1,
     NULL,
     {"i=1; cv=fail;", NULL, NULL}},
    {"instance after an incoming chain",
     "Authentication-Results: a.ex; arc=fail\r\n"
     "ARC-Seal: i=2; cv=pass; b=x\r\nARC-Seal: i=1; cv=none; b=x\r\n",
     1,
     NULL,
     {"ARC-Seal: i=3; cv=fail;", "i=3; a.ex;", "i=3;"}},
    {"instance over 50 ignored",
     "Authentication-Results: a.ex; arc=fail\r\nARC-Seal: i=51; cv=pass\r\n",
     1,
     NULL,
     {"ARC-Seal: i=1;", NULL, NULL}},
};

static char *pem;

START_TEST(test_set)
{
    struct arena *a = arena_create();
    struct arc_sign_req r = {"a.ex", "sel", pem, 0, 0, 0, 0, "192.0.2.1"};
    static const unsigned char bh[32];
    const char *why;
    gstr out, err;
    int rc;

    gstr_init(&out, a);
    gstr_init(&err, a);
    rc = arc_sign_set(a, &r, set_cases[_i].hdrs, strlen(set_cases[_i].hdrs), "",
                      0, bh, sizeof(bh), &out, &why, &err);
    ck_assert_msg(rc == set_cases[_i].rc, "%s: rc %d (%s)", set_cases[_i].label,
                  rc, gstr_str(&err));
    if (rc == 0)
        ck_assert_str_eq(why, set_cases[_i].why);
    for (int i = 0; rc == 1 && i < 3; i++)
        if (set_cases[_i].want[i] != NULL)
            ck_assert_msg(strstr(gstr_str(&out), set_cases[_i].want[i]),
                          "%s: no <%s> in <%s>", set_cases[_i].label,
                          set_cases[_i].want[i], gstr_str(&out));
    arena_destroy(a);
}
END_TEST

START_TEST(test_bad_key)
{
    struct arena *a = arena_create();
    struct arc_sign_req r = {"a.ex", "sel", "garbage", 0, 0, 0, 0, NULL};
    static const char h[] = "Authentication-Results: a.ex; x=y\r\n";
    static const unsigned char bh[32];
    const char *why;
    gstr out, err;

    gstr_init(&out, a);
    gstr_init(&err, a);
    ck_assert_int_eq(arc_sign_set(a, &r, h, strlen(h), "", 0, bh, sizeof(bh),
                                  &out, &why, &err),
                     -1);
    ck_assert_msg(strncmp(gstr_str(&err),
                          "AMS signing: privkey PEM-block import: ", 39) == 0,
                  "%s", gstr_str(&err));
    ck_assert_uint_eq(out.len, 0);
    arena_destroy(a);
}
END_TEST

static char *
read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    static char buf[8192];
    size_t n;

    if (f == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

int
main(void)
{
    Suite *s = suite_create("arc-sign");
    TCase *tc = tcase_create("arc-sign");
    SRunner *sr;
    int failed;

    pem = read_key("harness/dkim/keys/rsa1024.pem");
    if (pem == NULL) {
        perror("harness/dkim/keys/rsa1024.pem");
        return EXIT_FAILURE;
    }
    tcase_add_loop_test(tc, test_spec, 0, NELEM(spec_cases));
    tcase_add_loop_test(tc, test_set, 0, NELEM(set_cases));
    tcase_add_test(tc, test_bad_key);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
