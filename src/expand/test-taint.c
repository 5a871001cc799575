/*++
 * NAME
 *	test-taint 1
 * SUMMARY
 *	unit tests for the taint mark of expansions (taint.c)
 * DESCRIPTION
 *	Table-driven Check tests: each case is a label, an expansion and
 *	whether its result is tainted, in a context where $local_part,
 *	$sender_address and a header came with the message, $acl_m_t is
 *	a tainted ACL variable and $acl_m_u an untainted one. Then the
 *	ACL variable API: the mark is kept, cleared by a plain set, and
 *	copied by a set from a tainted expansion.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/betest.h"
#include "expand/expand.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct tcase {
    const char *label;
    const char *in;
    int tainted;
};

static char users[64];

static const struct tcase cases[] = {
    {"constant", "fixed", 0},
    {"local_part", "$local_part", 1},
    {"braced local_part", "${local_part}", 1},
    {"text around it", "<$local_part>", 1},
    {"sender_address", "$sender_address", 1},
    {"helo name", "$sender_helo_name", 1},
    {"host address", "$sender_host_address", 0},
    {"primary_hostname", "$primary_hostname", 0},
    {"message_size", "$message_size", 0},
    {"unset tainted variable", "$local_part_suffix", 0},
    {"header", "$h_subject:", 1},
    {"missing header", "$h_x-none:", 0},
    {"message body", "$message_body", 1},
    {"tainted acl variable", "$acl_m_t", 1},
    {"untainted acl variable", "$acl_m_u", 0},
    {"lc copies", "${lc:$local_part}", 1},
    {"length copies", "${length_2:$local_part}", 1},
    {"hash copies", "${hash_2:$local_part}", 1},
    {"md5 computes", "${md5:$local_part}", 0},
    {"sha256 computes", "${sha256:$local_part}", 0},
    {"strlen computes", "${strlen:$local_part}", 0},
    {"nhash computes", "${nhash_8:$local_part}", 0},
    {"md5 then tainted", "${md5:$local_part}$local_part", 1},
    {"tainted then md5", "$local_part${md5:x}", 1},
    {"hmac computes", "${hmac{md5}{k}{$local_part}}", 0},
    {"condition only tested", "${if eq{$local_part}{bob}{yes}{no}}", 0},
    {"branch taken is tainted", "${if eq{$local_part}{bob}{$local_part}{no}}",
     1},
    {"branch skipped", "${if eq{x}{y}{$local_part}{no}}", 0},
    {"match capture", "${if match{$local_part}{^(b)}{$1}{none}}", 1},
    {"match capture untainted", "${if match{abc}{^(a)}{$1}{none}}", 0},
    {"match without capture", "${if match{$local_part}{^b}{yes}{no}}", 0},
    {"and of conditions",
     "${if and{{eq{$local_part}{bob}}{def:sender_address}}{y}{n}}", 0},
    {"lookup result", "${lookup{$local_part}lsearch{@U@}}", 0},
    {"lookup yes branch", "${lookup{$local_part}lsearch{@U@}{$local_part}}", 1},
    {"lookup fail branch", "${lookup{nobody}lsearch{@U@}{x}{$local_part}}", 1},
    {"extract", "${extract{1}{:}{$local_part:x}}", 1},
    {"map", "${map{a:b}{$item}}", 0},
    {"map of tainted list", "${map{$local_part}{$item}}", 1},
};

static char *
subst_users(struct arena *a, const char *s)
{
    const char *at = strstr(s, "@U@");

    if (at == NULL)
        return arena_strdup(a, s);
    return arena_printf(a, "%.*s%s%s", (int)(at - s), s, users, at + 3);
}

static void
setup(struct expand_ctx *ctx, struct arena *a, struct expand_message *msg)
{
    static const char message[] = "Subject: hello\n\nbody\n";

    expand_ctx_init(ctx, a);
    expand_message_load(a, message, sizeof(message) - 1, msg);
    ctx->msg = msg;
    expand_set_var(ctx, "local_part", "bob");
    expand_set_var(ctx, "local_part_suffix", "");
    expand_set_var(ctx, "sender_address", "alice@test.ex");
    expand_set_var(ctx, "sender_helo_name", "client.test.ex");
    expand_set_var(ctx, "sender_host_address", "192.0.2.7");
    expand_set_var(ctx, "message_size", "20");
    expand_set_acl_var_taint(ctx, "acl_m_t", "bob", 1);
    expand_set_acl_var_taint(ctx, "acl_m_u", "fixed", 0);
}

START_TEST(test_taint)
{
    const struct tcase *c = &cases[_i];
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    struct expand_message msg;
    char *out = NULL;
    gstr err;

    setup(&ctx, a, &msg);
    gstr_init(&err, a);
    ck_assert_msg(expand_string(&ctx, subst_users(a, c->in), &out, &err) ==
                      EXPAND_OK,
                  "%s: %s: failed: %s", c->label, c->in, gstr_str(&err));
    ck_assert_msg(ctx.tainted == c->tainted, "%s: %s (\"%s\"): tainted %d",
                  c->label, c->in, out, ctx.tainted);
    arena_destroy(a);
}
END_TEST

/* A failed expansion leaves no mark from an earlier one. */
START_TEST(test_failure_clears)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    struct expand_message msg;
    char *out;

    setup(&ctx, a, &msg);
    ck_assert_int_eq(expand_string(&ctx, "$local_part", &out, NULL), EXPAND_OK);
    ck_assert_int_eq(ctx.tainted, 1);
    ck_assert_int_eq(expand_string(&ctx, "${if", &out, NULL), EXPAND_ERROR);
    ck_assert_int_eq(ctx.tainted, 0);
    arena_destroy(a);
}
END_TEST

START_TEST(test_acl_var_api)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    struct expand_message msg;
    char *out;

    setup(&ctx, a, &msg);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_m_t"), 1);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_m_u"), 0);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_m_none"), 0);
    /* a plain set clears the mark */
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_m_t", "x"), 0);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_m_t"), 0);
    /* a set from a tainted expansion keeps it, as the ACL's set does */
    ck_assert_int_eq(expand_string(&ctx, "$local_part", &out, NULL), EXPAND_OK);
    ck_assert_int_eq(
        expand_set_acl_var_taint(&ctx, "acl_c_copy", out, ctx.tainted), 0);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_c_copy"), 1);
    /* unset: no mark */
    ck_assert_int_eq(expand_set_acl_var_taint(&ctx, "acl_c_copy", NULL, 1), 0);
    ck_assert_int_eq(expand_acl_var_tainted(&ctx, "acl_c_copy"), 0);
    ck_assert_int_eq(expand_set_acl_var_taint(&ctx, "bad_name", "x", 1), -1);
    ck_assert_int_eq(expand_var_tainted("local_part"), 1);
    ck_assert_int_eq(expand_var_tainted("local_part_data"), 0);
    ck_assert_int_eq(expand_var_tainted("primary_hostname"), 0);
    arena_destroy(a);
}
END_TEST

static Suite *
taint_suite(void)
{
    Suite *s = suite_create("taint");
    TCase *tc = tcase_create("taint");

    tcase_add_loop_test(tc, test_taint, 0, NELEM(cases));
    tcase_add_test(tc, test_failure_clears);
    tcase_add_test(tc, test_acl_var_api);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(taint_suite());
    FILE *f;
    int failed;

    snprintf(users, sizeof(users), "/tmp/mxlab-test-taint-%ld", (long)getpid());
    if ((f = fopen(users, "w")) == NULL)
        return 1;
    fputs("bob: robert\n", f);
    fclose(f);
    arena_perm_init();
    main_config.message_body_visible = 500; /* conf_load()'s default */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    unlink(users);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
