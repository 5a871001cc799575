/*++
 * NAME
 *	test-bmi 1
 * SUMMARY
 *	unit tests for src/bmi (the SDK stand-in and verdict reading)
 * DESCRIPTION
 *	Table-driven Check tests: xtext and base64 round trips and
 *	refusals, verdict lines accepted and refused, answer lines, verdict
 *	strings through the SDK calls (destination, rules, recipients,
 *	writable addresses, the tracker string), bad opt-in calls, the
 *	SDK's configuration file, and bmi_verdict_outcome() as routing uses it.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "bmi/bmi_verdict.h"
#include "bmi/sdk/bmi_api.h"
#include "bmi/sdk/bmi_wire.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- xtext ---- */

static const struct {
    const char *plain, *xtext;
} xtext_cases[] = {
    {"u1@test.ex", "u1@test.ex"},
    {"", "+"},
    {"a b", "a+20b"},
    {"x+y=z", "x+2By+3Dz"},
    {"tab\there", "tab+09here"},
    {"caf\xc3\xa9", "caf+C3+A9"},
};

START_TEST(test_xtext_round_trip)
{
    struct bmi_str b;
    char *copy;

    bmi_str_init(&b);
    bmi_str_add_xtext(&b, xtext_cases[_i].plain);
    ck_assert_str_eq(b.s, xtext_cases[_i].xtext);
    copy = strdup(b.s);
    ck_assert_int_eq(bmi_xtext_decode(copy), 0);
    ck_assert_str_eq(copy, xtext_cases[_i].plain);
    free(copy);
    free(b.s);
}
END_TEST

static const char *const bad_xtext[] = {"a b", "a+2", "a+zz",
                                        "a=b", "+00", "a+2b"};

START_TEST(test_xtext_refused)
{
    char *copy = strdup(bad_xtext[_i]);

    ck_assert_int_eq(bmi_xtext_decode(copy), -1);
    free(copy);
}
END_TEST

/* ---- base64 ---- */

static const struct {
    const char *plain, *b64;
} b64_cases[] = {
    {"rules=", "cnVsZXM9"},
    {"rules=7,12", "cnVsZXM9NywxMg=="},
    {"default 4 - u1@test.ex", "ZGVmYXVsdCA0IC0gdTFAdGVzdC5leA=="},
    {"a", "YQ=="},
    {"ab", "YWI="},
};

START_TEST(test_b64_round_trip)
{
    char *enc =
        bmi_b64_encode(b64_cases[_i].plain, strlen(b64_cases[_i].plain));
    size_t len;
    char *dec = bmi_b64_decode(enc, &len);

    ck_assert_str_eq(enc, b64_cases[_i].b64);
    ck_assert_ptr_nonnull(dec);
    ck_assert_uint_eq(len, strlen(b64_cases[_i].plain));
    ck_assert_str_eq(dec, b64_cases[_i].plain);
    free(enc);
    free(dec);
}
END_TEST

static const char *const bad_b64[] = {
    "", "abc", "a===", "YQ=a", "Y:==", "YWI=YWI="};

START_TEST(test_b64_refused)
{
    ck_assert_ptr_null(bmi_b64_decode(bad_b64[_i], NULL));
}
END_TEST

/* ---- verdict lines ---- */

static const struct {
    const char *line;
    int ok;
    enum bmi_wire_kind kind;
    int nrules;
    const char *alt;
    int nrcpts;
} line_cases[] = {
    {"default - - u1@test.ex", 1, BMI_KIND_DEFAULT, 0, NULL, 1},
    {"discard 5,11 - a@x b@y", 1, BMI_KIND_DISCARD, 2, NULL, 2},
    {"alternate 8 X-Spam:+20yes u@x", 1, BMI_KIND_ALTERNATE, 1, "X-Spam: yes",
     1},
    {"alternate - +2D u@x", 1, BMI_KIND_ALTERNATE, 0, "-", 1},
    {"error 3 - u@x", 1, BMI_KIND_ERROR, 1, NULL, 1},
    {"default - -", 0, 0, 0, NULL, 0},                    /* no recipient */
    {"alternate - - u@x", 0, 0, 0, NULL, 0},              /* no location */
    {"discard - X u@x", 0, 0, 0, NULL, 0},                /* a location */
    {"maybe - - u@x", 0, 0, 0, NULL, 0},                  /* unknown kind */
    {"default 0 - u@x", 0, 0, 0, NULL, 0},                /* rule 0 */
    {"default 5, - u@x", 0, 0, 0, NULL, 0},               /* trailing comma */
    {"default 99999999999 - u@x", 0, 0, 0, NULL, 0},      /* too big */
    {"default - - u+zz", 0, 0, 0, NULL, 0},               /* bad xtext */
    {"alternate - X:+0D+0AY:+20z u@x", 0, 0, 0, NULL, 0}, /* a line break */
    {"alternate - X:+7F u@x", 0, 0, 0, NULL, 0},          /* DEL */
    {"alternate - X:+09y u@x", 1, BMI_KIND_ALTERNATE, 0, "X:\ty", 1},
    {"", 0, 0, 0, NULL, 0},
};

START_TEST(test_verdict_line)
{
    struct bmi_wire_verdict v;
    int rc = bmi_wire_parse_verdict(line_cases[_i].line, &v);

    ck_assert_int_eq(rc == 0, line_cases[_i].ok);
    if (!line_cases[_i].ok) {
        ck_assert_int_eq(v.nrcpts, 0);
        ck_assert_ptr_null(v.alt);
        return;
    }
    ck_assert_int_eq(v.kind, line_cases[_i].kind);
    ck_assert_int_eq(v.nrules, line_cases[_i].nrules);
    ck_assert_int_eq(v.nrcpts, line_cases[_i].nrcpts);
    if (line_cases[_i].alt)
        ck_assert_str_eq(v.alt, line_cases[_i].alt);
    else
        ck_assert_ptr_null(v.alt);
    {
        char *again = bmi_wire_format_verdict(&v);
        ck_assert_str_eq(again, line_cases[_i].line);
        free(again);
    }
    bmi_wire_free_verdict(&v);
}
END_TEST

static const struct {
    const char *line;
    enum bmi_answer want;
} answer_cases[] = {
    {".", BMI_ANSWER_END},
    {"ERROR", BMI_ANSWER_ERROR},
    {"ERROR overloaded", BMI_ANSWER_ERROR},
    {"VERDICT default - - u@x", BMI_ANSWER_VERDICT},
    {"VERDICT nonsense", BMI_ANSWER_BAD},
    {"ERRORS", BMI_ANSWER_BAD},
    {"..", BMI_ANSWER_BAD},
    {"", BMI_ANSWER_BAD},
};

START_TEST(test_answer_line)
{
    struct bmi_wire_verdict v;

    ck_assert_int_eq(bmi_wire_parse_answer(answer_cases[_i].line, &v),
                     answer_cases[_i].want);
    bmi_wire_free_verdict(&v);
}
END_TEST

/* ---- verdicts through the SDK calls ---- */

static char *
verdict_str(const char *line)
{
    return bmi_b64_encode(line, strlen(line));
}

START_TEST(test_sdk_verdict)
{
    char *s = verdict_str("alternate 5,8 X-Spam:+20yes u1@test.ex U2@Test.EX");
    BmiVerdict *v = NULL;
    const BmiRecipient *r;
    char *back = NULL, *old = NULL, *addr;

    ck_assert_int_eq(bmiErrorIsFatal(bmiCreateVerdictFromStr(s, &v)),
                     BMI_FALSE);
    ck_assert_int_eq(bmiErrorIsFatal(bmiVerdictError(v)), BMI_FALSE);
    ck_assert_int_eq(bmiVerdictDestinationIsDefault(v), BMI_FALSE);
    ck_assert_str_eq(bmiVerdictAccessDestination(v), "X-Spam: yes");
    ck_assert_int_eq(bmiVerdictRuleFired(v, 8), BMI_TRUE);
    ck_assert_int_eq(bmiVerdictRuleFired(v, 6), BMI_FALSE);
    r = bmiVerdictAccessFirstRecipient(v);
    addr = bmiRecipientAccessAddress(r);
    ck_assert_str_eq(addr, "u1@test.ex");
    addr[2] = '\0'; /* writable, as Exim needs */
    r = bmiVerdictAccessNextRecipient(v, r);
    ck_assert_str_eq(bmiRecipientAccessAddress(r), "U2@Test.EX");
    ck_assert_ptr_null(bmiVerdictAccessNextRecipient(v, r));
    ck_assert_int_eq(bmiErrorIsFatal(bmiCreateOldStrFromVerdict(v, &old)),
                     BMI_FALSE);
    ck_assert_str_eq(old, "cnVsZXM9NSw4");
    bmiFreeStr(old);
    bmiFreeVerdict(v);
    /* a fresh verdict from the same string is unchanged */
    ck_assert_int_eq(bmiErrorIsFatal(bmiCreateVerdictFromStr(s, &v)),
                     BMI_FALSE);
    ck_assert_int_eq(bmiErrorIsFatal(bmiCreateStrFromVerdict(v, &back)),
                     BMI_FALSE);
    ck_assert_str_eq(back, s);
    bmiFreeStr(back);
    bmiFreeVerdict(v);
    free(s);
}
END_TEST

START_TEST(test_sdk_verdict_refused)
{
    BmiVerdict *v = NULL;
    char *s = verdict_str("alternate - - u@x");
    BmiError e = bmiCreateVerdictFromStr(s, &v);

    ck_assert_int_eq(bmiErrorIsFatal(e), BMI_TRUE);
    ck_assert_int_eq(bmiErrorGetLocation(e), BMI_ERROR_LOC_VERDICT);
    ck_assert_int_eq(bmiErrorGetType(e), BMI_ERROR_TYPE_SYNTAX);
    ck_assert_ptr_null(v);
    free(s);
    e = bmiCreateVerdictFromStr("not!base64", &v);
    ck_assert_int_eq(bmiErrorIsFatal(e), BMI_TRUE);
    ck_assert_ptr_null(v);
}
END_TEST

START_TEST(test_sdk_optin_usage)
{
    BmiOptin *o = NULL;

    ck_assert_int_eq(bmiErrorIsFatal(bmiOptinInit(&o)), BMI_FALSE);
    ck_assert_int_eq(bmiErrorIsFatal(bmiOptinMset(o, "a:b", ':')), BMI_FALSE);
    ck_assert_int_eq(bmiErrorGetType(bmiOptinMset(o, NULL, ':')),
                     BMI_ERROR_TYPE_USAGE);
    ck_assert_int_eq(bmiErrorGetType(bmiOptinMset(NULL, "a", ':')),
                     BMI_ERROR_TYPE_USAGE);
    bmiOptinFree(o);
}
END_TEST

/* ---- the configuration file ---- */

static const struct {
    const char *text;
    int ok;
    BmiErrorType type;
} config_cases[] = {
    {"server = 127.0.0.1:1234\n", 1, 0},
    {"# comment\n\nserver = [::1]:1234\ntimeout = 500ms\n", 1, 0},
    {"server = /run/bmid.sock\nconnect_timeout = 3\n", 1, 0},
    {"timeout = 5s\n", 0, BMI_ERROR_TYPE_SYNTAX},       /* no server */
    {"server = 127.0.0.1\n", 0, BMI_ERROR_TYPE_SYNTAX}, /* no port */
    {"server = 127.0.0.1:1\nretries = 3\n", 0, BMI_ERROR_TYPE_SYNTAX},
    {"server = 127.0.0.1:1\ntimeout = 5m\n", 0, BMI_ERROR_TYPE_SYNTAX},
    {"server 127.0.0.1:1\n", 0, BMI_ERROR_TYPE_SYNTAX},
};

START_TEST(test_config)
{
    char path[] = "/tmp/test-bmi-XXXXXX";
    int fd = mkstemp(path);
    BmiSystem *sys = NULL;
    BmiError e;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(
        write(fd, config_cases[_i].text, strlen(config_cases[_i].text)),
        (ssize_t)strlen(config_cases[_i].text));
    close(fd);
    e = bmiInitSystem(BMI_VERSION, path, &sys);
    unlink(path);
    ck_assert_int_eq(bmiErrorIsFatal(e) == BMI_FALSE, config_cases[_i].ok);
    if (config_cases[_i].ok)
        ck_assert_ptr_nonnull(sys);
    else {
        ck_assert_ptr_null(sys);
        ck_assert_int_eq(bmiErrorGetLocation(e), BMI_ERROR_LOC_CONFIG);
        ck_assert_int_eq(bmiErrorGetType(e), config_cases[_i].type);
    }
    bmiFreeSystem(sys);
}
END_TEST

START_TEST(test_config_missing)
{
    BmiSystem *sys = NULL;
    BmiError e = bmiInitSystem(BMI_VERSION, "/nonexistent/bmi.cfg", &sys);

    ck_assert_int_eq(bmiErrorIsFatal(e), BMI_TRUE);
    ck_assert_int_eq(bmiErrorGetLocation(e), BMI_ERROR_LOC_CONFIG);
    ck_assert_int_eq(bmiErrorGetType(e), BMI_ERROR_TYPE_SYSTEM);
    e = bmiInitSystem(BMI_VERSION + 1, "/nonexistent/bmi.cfg", &sys);
    ck_assert_int_eq(bmiErrorGetType(e), BMI_ERROR_TYPE_USAGE);
}
END_TEST

/* ---- routing's reading of stored verdicts ---- */

static const struct {
    const char *lp, *dom;
    const char *verdict_line; /* expected, or NULL: none */
    int deliver;
    const char *alt;
} outcome_cases[] = {
    {"u1", "test.ex", "default 3 - u1@test.ex", 1, NULL},
    {"U1", "TEST.EX", "default 3 - u1@test.ex", 1, NULL},
    {"u2", "test.ex", "discard 5 - u2@test.ex u3@test.ex", 0, NULL},
    {"u3", "test.ex", "discard 5 - u2@test.ex u3@test.ex", 0, NULL},
    {"u4", "test.ex", "alternate - X-A:+20b u4@test.ex", 1, "X-A: b"},
    {"u5", "test.ex", "error 9 - u5@test.ex", 1, NULL},
    {"nobody", "test.ex", NULL, 1, NULL},
};

START_TEST(test_outcome)
{
    static const char *const lines[] = {
        "default 3 - u1@test.ex", "discard 5 - u2@test.ex u3@test.ex",
        "alternate - X-A:+20b u4@test.ex", "error 9 - u5@test.ex"};
    struct arena *a = arena_create();
    char *all = NULL, *want = NULL;
    size_t len = 0;
    struct bmi_outcome o;

    for (size_t i = 0; i < NELEM(lines); i++) {
        char *s = verdict_str(lines[i]);
        all = realloc(all, len + strlen(s) + 2);
        len += (size_t)sprintf(all + len, "%s%s", i ? ":" : "", s);
        free(s);
    }
    bmi_verdict_outcome(a, all, outcome_cases[_i].lp, outcome_cases[_i].dom,
                        NULL, &o);
    if (outcome_cases[_i].verdict_line) {
        want = verdict_str(outcome_cases[_i].verdict_line);
        ck_assert_str_eq(o.verdict, want);
        ck_assert_ptr_nonnull(o.tracker);
    } else {
        ck_assert_ptr_null(o.verdict);
        ck_assert_ptr_null(o.tracker);
    }
    ck_assert_int_eq(o.deliver, outcome_cases[_i].deliver);
    if (outcome_cases[_i].alt)
        ck_assert_str_eq(o.alt, outcome_cases[_i].alt);
    else
        ck_assert_ptr_null(o.alt);
    ck_assert_int_eq(bmi_verdict_rule_fired(a, o.verdict, "1:5:x:9"),
                     outcome_cases[_i].verdict_line != NULL &&
                         outcome_cases[_i].deliver == 0);
    free(want);
    free(all);
    arena_destroy(a);
}
END_TEST

START_TEST(test_outcome_none)
{
    struct arena *a = arena_create();
    struct bmi_outcome o;

    bmi_verdict_outcome(a, NULL, "u1", "test.ex", NULL, &o);
    ck_assert_int_eq(o.deliver, 1);
    ck_assert_ptr_null(o.verdict);
    ck_assert_ptr_null(o.alt);
    ck_assert_int_eq(bmi_verdict_rule_fired(a, NULL, "5"), 0);
    arena_destroy(a);
}
END_TEST

static Suite *
bmi_suite(void)
{
    Suite *s = suite_create("bmi");
    TCase *wire = tcase_create("wire"), *sdk = tcase_create("sdk"),
          *route = tcase_create("route");

    tcase_add_loop_test(wire, test_xtext_round_trip, 0, NELEM(xtext_cases));
    tcase_add_loop_test(wire, test_xtext_refused, 0, NELEM(bad_xtext));
    tcase_add_loop_test(wire, test_b64_round_trip, 0, NELEM(b64_cases));
    tcase_add_loop_test(wire, test_b64_refused, 0, NELEM(bad_b64));
    tcase_add_loop_test(wire, test_verdict_line, 0, NELEM(line_cases));
    tcase_add_loop_test(wire, test_answer_line, 0, NELEM(answer_cases));
    suite_add_tcase(s, wire);
    tcase_add_test(sdk, test_sdk_verdict);
    tcase_add_test(sdk, test_sdk_verdict_refused);
    tcase_add_test(sdk, test_sdk_optin_usage);
    tcase_add_loop_test(sdk, test_config, 0, NELEM(config_cases));
    tcase_add_test(sdk, test_config_missing);
    suite_add_tcase(s, sdk);
    tcase_add_loop_test(route, test_outcome, 0, NELEM(outcome_cases));
    tcase_add_test(route, test_outcome_none);
    suite_add_tcase(s, route);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(bmi_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
