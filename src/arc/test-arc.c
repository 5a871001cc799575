/*++
 * NAME
 *	test-arc 1
 * SUMMARY
 *	unit tests for the ARC parsers (src/arc/parse.c)
 * DESCRIPTION
 *	Table-driven Check tests: tag values and Exim's complaints from
 *	arc_line_parse(), the field without its b= value, sets collected
 *	by arc_chain_add() with their errors, $arc_domains with the empty
 *	elements Exim writes, and the AMS as a DKIM signature. Whole
 *	chains are verified by the scenarios in scenarios/arc/ and the
 *	public test suite (make arc-suite).
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arc/arc.h"
#include "base/arena.h"
#include "dkim/dkim.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A field, how it is read, and the error expected (NULL: none). */
static const struct {
    const char *label, *field;
    enum arc_extract x;
    const char *err;
} parse_cases[] = {
    {"seal", "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=a.example; s=s; b=AA==",
     ARC_X_ALL, NULL},
    {"dup a", "ARC-Seal: a=rsa-sha256; a=rsa-sha256", ARC_X_ALL, "a tag dup"},
    {"dup i", "ARC-Seal: i=1; i=2", ARC_X_ALL, "i tag dup"},
    {"dup cv", "ARC-Seal: cv=none; cv=pass", ARC_X_ALL, "cv tag dup"},
    {"no dash", "ARC-Seal: a=rsasha256", ARC_X_ALL, "no '-' in 'a' value"},
    {"b? tag", "ARC-Seal: bx=1", ARC_X_ALL, "b? tag"},
    {"empty b", "ARC-Seal: b= ;", ARC_X_ALL, "no b= value"},
    {"empty bh", "ARC-Message-Signature: bh=;", ARC_X_ALL, "no bh= value"},
    {"dup b", "ARC-Seal: b=AA; b=BB", ARC_X_ALL, "already b data"},
    {"unknown tag skipped", "ARC-Seal: i=1; zz=1; _=;", ARC_X_ALL, NULL},
    {"b not read for a signer", "ARC-Seal: i=1; bx=1", ARC_X_INSTANCE, NULL},
    {"signer stops at i", "ARC-Seal: i=1; a=x; a=y", ARC_X_INSTANCE, NULL},
    {"aar ip", "ARC-Authentication-Results: i=1; mx.example; smtp.remote-ip=1",
     ARC_X_INSTANCE_IP, NULL},
    {"aar ip without =",
     "ARC-Authentication-Results: i=1; x; smtp.remote-ip 1.2.3.4",
     ARC_X_INSTANCE_IP, "smtp.remote_ip tag val"},
};

START_TEST(test_parse)
{
    struct arena *a = arena_create();
    struct arc_line al;
    const char *f = parse_cases[_i].field, *e;
    size_t off;

    ck_assert_int_ge(arc_field_kind(f, strlen(f), &off), 0);
    memset(&al, 0, sizeof(al));
    e = arc_line_parse(a, &al, f, strlen(f), off, parse_cases[_i].x);
    if (parse_cases[_i].err == NULL)
        ck_assert_msg(e == NULL, "%s: %s", parse_cases[_i].label, e);
    else
        ck_assert_msg(e != NULL && strcmp(e, parse_cases[_i].err) == 0,
                      "%s: got %s", parse_cases[_i].label, e ? e : "NULL");
    arena_destroy(a);
}
END_TEST

START_TEST(test_values)
{
    struct arena *a = arena_create();
    struct arc_line al;
    const char *f = "ARC-Message-Signature: i=2 ; a=rsa-sha256;\r\n"
                    " c=relaxed; d=list.example; s=sel;\r\n"
                    " h=from : to; bh=AB\r\n CD=; b=EF\r\n\tGH==; t=5\r\n";
    size_t off;

    ck_assert_int_eq(arc_field_kind(f, strlen(f), &off), ARC_AMS);
    memset(&al, 0, sizeof(al));
    ck_assert_ptr_null(arc_line_parse(a, &al, f, strlen(f), off, ARC_X_ALL));
    ck_assert_str_eq(al.i, "2");
    ck_assert_str_eq(al.a_algo, "rsa");
    ck_assert_str_eq(al.a_hash, "sha256");
    ck_assert_str_eq(al.c_head, "relaxed");
    ck_assert_str_eq(al.c_body, "simple");
    ck_assert_str_eq(al.h, "from : to");
    ck_assert_str_eq(al.bh, "ABCD=");
    ck_assert_str_eq(al.b, "EFGH==");
    ck_assert_str_eq(al.raw_no_b,
                     "ARC-Message-Signature: i=2 ; a=rsa-sha256;\r\n"
                     " c=relaxed; d=list.example; s=sel;\r\n"
                     " h=from : to; bh=AB\r\n CD=; b=; t=5");

    struct dkim_sig *s = arc_ams_as_dkim(a, &al);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->hashtype, DKIM_HASH_SHA256);
    ck_assert_int_eq(s->canon_headers, DKIM_CANON_RELAXED);
    ck_assert_int_eq(s->canon_body, DKIM_CANON_SIMPLE);
    ck_assert_str_eq(s->selector, "sel");
    arena_destroy(a);
}
END_TEST

/* Fields added in order; the error of the last one, and $arc_domains. */
static const struct {
    const char *label;
    const char *fields[5];
    const char *err, *domains;
} chain_cases[] = {
    {"two seals",
     {"ARC-Seal: i=2; d=b.example", "ARC-Seal: i=1; d=a.example"},
     NULL,
     "a.example:b.example"},
    {"gap",
     {"ARC-Seal: i=3; d=c.example", "ARC-Seal: i=1; d=a.example"},
     NULL,
     "a.example::c.example"},
    {"no seal below",
     {"ARC-Seal: i=2; d=b.example", "ARC-Message-Signature: i=1; a=rsa-sha256"},
     NULL,
     "::b.example"},
    {"dup seal",
     {"ARC-Seal: i=1; d=a.example", "ARC-Seal: i=1; d=a.example"},
     "inserting AS: dup hdr",
     "a.example"},
    {"overlarge",
     {"ARC-Authentication-Results: i=51; x"},
     "inserting AAR: overlarge instance number",
     ""},
    {"i=0",
     {"ARC-Message-Signature: i=0; a=rsa-sha256"},
     "inserting AMS: instance find",
     ""},
    {"no i", {"ARC-Seal: d=a.example"}, "inserting AS: instance find", ""},
    {"line error",
     {"ARC-Seal: i=1; a=rsa"},
     "inserting AS: line parse: no '-' in 'a' value",
     ""},
    {"colon in d doubled", {"ARC-Seal: i=1; d=a:b"}, NULL, "a::b"},
    {"other fields ignored", {"Subject: i=1", "X-ARC-Seal: i=1"}, NULL, ""},
};

START_TEST(test_chain)
{
    struct arena *a = arena_create();
    struct arc_chain c;
    const char *e = NULL;

    arc_chain_init(&c, a);
    for (int i = 0; chain_cases[_i].fields[i] != NULL; i++) {
        const char *f = chain_cases[_i].fields[i];
        e = arc_chain_add(&c, f, strlen(f), 0);
    }
    if (chain_cases[_i].err == NULL)
        ck_assert_msg(e == NULL, "%s: %s", chain_cases[_i].label, e);
    else
        ck_assert_msg(e != NULL && strcmp(e, chain_cases[_i].err) == 0,
                      "%s: got %s", chain_cases[_i].label, e ? e : "NULL");
    ck_assert_str_eq(arc_chain_domains(a, &c), chain_cases[_i].domains);
    arena_destroy(a);
}
END_TEST

START_TEST(test_no_chain)
{
    struct arena *a = arena_create();
    struct arc_verify *v = arc_verify_start(a);
    struct arc_result r;
    const char *msg[] = {"From: a@b.example", "Subject: hi", "", "body"};

    for (size_t i = 0; i < NELEM(msg); i++)
        arc_verify_line(v, msg[i], strlen(msg[i]));
    arc_verify_free(v);
    ck_assert_str_eq(arc_verify_finish(v, &r), "none");
    ck_assert_ptr_null(r.reason);
    arena_destroy(a);
}
END_TEST

static Suite *
arc_suite(void)
{
    Suite *s = suite_create("arc");
    TCase *tc = tcase_create("arc");

    tcase_add_loop_test(tc, test_parse, 0, NELEM(parse_cases));
    tcase_add_test(tc, test_values);
    tcase_add_loop_test(tc, test_chain, 0, NELEM(chain_cases));
    tcase_add_test(tc, test_no_chain);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(arc_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
