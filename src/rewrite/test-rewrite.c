/*++
 * NAME
 *	test-rewrite 1
 * SUMMARY
 *	unit tests for src/rewrite
 * DESCRIPTION
 *	Tables of cases for the rule parser (flags, quoting, errors), the
 *	pattern matcher (which addresses a pattern takes and the numeric
 *	variables it sets, as Exim's address-list matching with
 *	case-sensitive local parts) and rewrite_one() (replacement,
 *	"*", q, R, Q, w, forced failure, fields).
 *--*/

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "rewrite/rewrite.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *text;
    unsigned flags; /* 0: the rule must be refused */
    const char *key, *replacement, *msg;
} parse_cases[] = {
    {"*@a.example  $1@b.example", RW_ALL, "*@a.example", "$1@b.example", NULL},
    {"*@a.example  $1@b.example  F T", RW_ENVELOPE, NULL, NULL, NULL},
    {"*@a.example  x@b.example  h", RW_HEADERS, NULL, NULL, NULL},
    {"*@a.example  x@b.example  fq", RW_FROM | RW_QUIT, NULL, NULL, NULL},
    {"*@a.example  x@b.example  Rw", RW_ALL | RW_REPEAT | RW_WHOLE, NULL, NULL,
     NULL},
    {"^x  y@b  S", RW_SMTP, NULL, NULL, NULL},
    {"\\N^x\\N  y@b  S", RW_SMTP, NULL, NULL, NULL},
    {"\"a b@c\"  \"N <x\\x40y>\"  E", RW_ENVELOPE, "a b@c", "N <x@y>", NULL},
    {"*@a.example", 0, NULL, NULL, "missing rewrite replacement string"},
    {"*@a.example  x@y  Z", 0, NULL, NULL,
     "unknown rewrite flag character 'Z' (could be missing quotes round "
     "replacement item)"},
    {"*@a.example  x@y  S", 0, NULL, NULL,
     "rewrite rule has the S flag but is not a regular expression"},
};

START_TEST(test_parse)
{
    const char *msg = NULL;
    struct rewrite_rule *r =
        rewrite_rule_parse(arena_perm, parse_cases[_i].text, 1, &msg);

    if (parse_cases[_i].flags == 0) {
        ck_assert_ptr_null(r);
        ck_assert_str_eq(msg, parse_cases[_i].msg);
        return;
    }
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->flags, parse_cases[_i].flags);
    if (parse_cases[_i].key != NULL) {
        ck_assert_str_eq(r->key, parse_cases[_i].key);
        ck_assert_str_eq(r->replacement, parse_cases[_i].replacement);
    }
}
END_TEST

static const struct {
    const char *pattern, *address;
    int matched;
    const char *nums; /* "$1|$2|..." when matched */
} match_cases[] = {
    {"*@a.example", "joe@a.example", 1, "joe"},
    {"*@a.example", "joe@A.Example", 1, "joe"},
    {"*@a.example", "joe@b.example", 0, NULL},
    {"joe@*", "joe@anywhere.example", 1, "anywhere.example"},
    {"joe@*", "Joe@anywhere.example", 0, NULL}, /* local parts: with case */
    {"*queen@*.fict.example", "hearts-queen@wonderland.fict.example", 1,
     "hearts-|wonderland"},
    {"*@*.fict.example", "x@fict.example", 0, NULL},
    {"joe@a.example", "joe@a.example", 1, ""},
    {"a.example", "anyone@a.example", 1, ""},
    {"*.example", "anyone@b.example", 1, "b"},
    {"^(.*)@(.*)\\.example$", "Joe@B.EXAMPLE", 1, "Joe|b"},
    {"^(?i)joe@", "JOE@x", 1, ""},
    {"^joe@", "JOE@x", 0, NULL},
    {"*@^([a-z]+)\\.example$", "x@abc.example", 1, "x|abc"},
};

static void
nums_text(gstr *g, const struct expand_ctx *x)
{
    for (int i = 1; i < x->nnums; i++) {
        if (i > 1)
            gstr_addc(g, '|');
        gstr_adds(g, x->nums[i]);
    }
    gstr_str(g);
}

START_TEST(test_match)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    gstr err, nums;
    int rc;

    expand_ctx_init(&x, a);
    gstr_init(&err, a);
    gstr_init(&nums, a);
    rc = rewrite_match(&x, match_cases[_i].pattern, match_cases[_i].address,
                       &err);
    ck_assert_int_eq(rc, match_cases[_i].matched);
    if (rc == 1) {
        ck_assert_str_eq(x.nums[0], match_cases[_i].address);
        nums_text(&nums, &x);
        ck_assert_str_eq(nums.s, match_cases[_i].nums);
    }
    arena_destroy(a);
}
END_TEST

static const char *const rules_text[] = {
    "hatta@l.example  *  f",
    "*@l.example  looking@glass.example  fq",
    "*@l.example  other@glass.example  f",
    "*@old.example  $local_part@new.example",
    "*@new.example  \"${if eq{$1}{keep}{$0}fail}\"  t",
    "aaa@rep.example  aab@rep.example  R",
    "aab@rep.example  aac@rep.example",
    "*@unq.example  $1  Q",
    "^x(.*)@rr.example  x$1x@rr.example  Rq",
    "lp@w.example  \"New <np@w.example>\"  cw",
    "np@w.example  final@w.example  c",
    "dot@w.example  \"  C. D <cd@w.example> \"  tw",
};

static const struct {
    const char *address;
    unsigned flag;
    const char *result;
    int whole;
} one_cases[] = {
    {"hatta@l.example", RW_FROM, "hatta@l.example", 0},         /* "*" */
    {"hatta@l.example", RW_TO, "hatta@l.example", 0},           /* not f */
    {"tweedle@l.example", RW_FROM, "looking@glass.example", 0}, /* q */
    {"joe@old.example", RW_ENVFROM, "joe@new.example", 0},
    {"keep@old.example", RW_TO, "keep@new.example", 0},
    {"aaa@rep.example", RW_ENVTO, "aac@rep.example", 0},
    {"u@unq.example", RW_ENVTO, "u@q.example", 0},
    {"xy@rr.example", RW_SENDER, "xyxxxxxxxxxxx@rr.example", 0},
    {"lp@w.example", RW_CC, "New <final@w.example>", 1},
    {"lp@w.example", RW_ENVTO, "lp@w.example", 0},
    {"nobody@none.example", RW_ENVTO, "nobody@none.example", 0},
    {"dot@w.example", RW_TO, "\"C. D\" <cd@w.example> ", 1},
};

static struct rewrite_rules rules;

START_TEST(test_one)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    int whole = -1;
    const char *r;

    expand_ctx_init(&x, a);
    r = rewrite_one(&x, &rules, one_cases[_i].address, one_cases[_i].flag,
                    &whole);
    ck_assert_str_eq(r, one_cases[_i].result);
    ck_assert_int_eq(whole, one_cases[_i].whole);
    if (strcmp(r, one_cases[_i].address) == 0)
        ck_assert_ptr_eq(r, one_cases[_i].address);
    arena_destroy(a);
}
END_TEST

static void
setup_rules(void)
{
    struct rewrite_rule **tail = &rules.first;

    arena_perm_init();
    log_to_fd(
        open("/dev/null", O_WRONLY)); /* the panic lines some cases make */
    main_config.qualify_recipient = "q.example";
    for (size_t i = 0; i < NELEM(rules_text); i++) {
        const char *msg = NULL;
        struct rewrite_rule *r =
            rewrite_rule_parse(arena_perm, rules_text[i], 1, &msg);
        if (r == NULL) {
            fprintf(stderr, "%s: %s\n", rules_text[i], msg);
            abort();
        }
        *tail = r;
        tail = &r->next;
        rules.existflags |= r->flags;
    }
}

int
main(void)
{
    Suite *s = suite_create("rewrite");
    TCase *tc = tcase_create("rewrite");
    SRunner *sr;
    int failed;

    setup_rules();
    tcase_add_loop_test(tc, test_parse, 0, NELEM(parse_cases));
    tcase_add_loop_test(tc, test_match, 0, NELEM(match_cases));
    tcase_add_loop_test(tc, test_one, 0, NELEM(one_cases));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
