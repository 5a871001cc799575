/*++
 * NAME
 *	test-auth 1
 * SUMMARY
 *	unit tests for src/auth
 * DESCRIPTION
 *	Check tests of the driver-independent part of authentication:
 *	splitting decoded data into $auth1.., "=" as one empty item, bad
 *	base64, the truth values of server conditions, the plaintext
 *	server's prompts, and the plaintext client ("^" as NUL, one item
 *	per challenge, too few items) against a scripted server.
 *--*/

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/plaintext.h"
#include "base/arena.h"
#include "expand/expand.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
    struct arena *a;
    struct expand_ctx x;
    struct auth_generic g;
    struct auth_plaintext p;
    struct driver_instance d;
    struct auth_server_call c;
};

static void
fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->a = arena_create();
    expand_ctx_init(&f->x, f->a);
    f->d.name = "plain";
    f->d.info = &auth_plaintext_info;
    f->d.generic = &f->g;
    f->d.priv = &f->p;
    f->c.d = &f->d;
    f->c.x = &f->x;
    f->c.arena = f->a;
    f->c.data = "";
    gstr_init(&f->c.defer_msg, f->a);
    gstr_init(&f->c.defer_user_msg, f->a);
}

/* Items joined with "|". */
static const char *
joined(struct fixture *f)
{
    gstr g;

    gstr_init(&g, f->a);
    for (int i = 0; i < f->c.nvars && i < AUTH_VARS; i++)
        gstr_printf(&g, "%s%s", i ? "|" : "", f->c.vars[i]);
    return gstr_str(&g);
}

static const struct {
    const char *data;
    int rc;
    const char *items;
    const char *auth2; /* $auth2 afterwards, or NULL for unset */
} input_cases[] = {
    {"AGFsaWNlAHMzY3JldA==", AUTH_OK, "|alice|s3cret", "alice"},
    {"=", AUTH_OK, "", NULL},
    {"YQBiAGM=", AUTH_OK, "a|b|c", "b"},
    {"YWxpY2U=", AUTH_OK, "alice", NULL},
    {"!!!", AUTH_BAD64, "", NULL},
};

START_TEST(test_read_input)
{
    struct fixture f;

    fixture_init(&f);
    ck_assert_int_eq(auth_read_input(&f.c, input_cases[_i].data),
                     input_cases[_i].rc);
    ck_assert_str_eq(joined(&f), input_cases[_i].items);
    if (input_cases[_i].auth2 == NULL)
        ck_assert_ptr_null(expand_get_var(&f.x, "auth2"));
    else
        ck_assert_str_eq(expand_get_var(&f.x, "auth2"), input_cases[_i].auth2);
    if (strcmp(input_cases[_i].data, "=") == 0)
        ck_assert_int_eq(f.c.nvars, 1);
    arena_destroy(f.a);
}
END_TEST

static const struct {
    const char *cond;
    int rc;
    const char *user_msg;
} cond_cases[] = {
    {"yes", AUTH_OK, ""},
    {"TRUE", AUTH_OK, ""},
    {"1", AUTH_OK, ""},
    {"", AUTH_FAIL, ""},
    {"0", AUTH_FAIL, ""},
    {"No", AUTH_FAIL, ""},
    {"false", AUTH_FAIL, ""},
    {"${if eq{a}{a}}", AUTH_OK, ""},
    {"${if eq{a}{b}}", AUTH_FAIL, ""},
    {"${if eq{a}{b}{x}fail}", AUTH_FAIL, ""},
    {"maybe later", AUTH_DEFER, ": maybe later"},
    {"${nosuchitem}", AUTH_DEFER, ""},
};

START_TEST(test_condition)
{
    struct fixture f;

    fixture_init(&f);
    ck_assert_int_eq(auth_check_cond(&f.c, cond_cases[_i].cond, 99),
                     cond_cases[_i].rc);
    ck_assert_str_eq(gstr_str(&f.c.defer_user_msg), cond_cases[_i].user_msg);
    if (cond_cases[_i].rc == AUTH_DEFER)
        ck_assert_uint_gt(f.c.defer_msg.len, 0);
    ck_assert_int_eq(auth_check_cond(&f.c, NULL, 42), 42);
    arena_destroy(f.a);
}
END_TEST

/* A scripted client for the server side: answers challenges in turn. */
struct script {
    const char *const *answers;
    int n, next;
    gstr seen; /* challenges received, "|"-joined */
};

static int
script_challenge(void *ctx, const char *text, char **answer)
{
    struct script *s = ctx;

    gstr_printf(&s->seen, "%s%s", s->seen.len ? "|" : "", text);
    if (s->next >= s->n)
        return AUTH_IO;
    *answer = (char *)s->answers[s->next++];
    return strcmp(*answer, "*") == 0 ? AUTH_CANCELLED : AUTH_OK;
}

START_TEST(test_plaintext_login_server)
{
    static const char *const answers[] = {"YWxpY2U=", "czNjcmV0"};
    struct fixture f;
    struct script s = {answers, 2, 0, {0}};

    fixture_init(&f);
    gstr_init(&s.seen, f.a);
    f.p.server_prompts = "<| Username: | Password:";
    f.g.server_condition =
        "${if and {{eq{$auth1}{alice}}{eq{$auth2}{s3cret}}}}";
    f.c.challenge = script_challenge;
    f.c.io_ctx = &s;
    ck_assert_int_eq(auth_server_run(&f.c), AUTH_OK);
    ck_assert_str_eq(gstr_str(&s.seen), "VXNlcm5hbWU6|UGFzc3dvcmQ6");

    /* With the user name on the AUTH line only the password is asked. */
    s.next = 0;
    s.answers = answers + 1;
    s.n = 1;
    gstr_truncate(&s.seen, 0);
    f.c.data = "YWxpY2U=";
    ck_assert_int_eq(auth_server_run(&f.c), AUTH_OK);
    ck_assert_str_eq(gstr_str(&s.seen), "UGFzc3dvcmQ6");

    /* "*" cancels; bad base64 in an answer. */
    static const char *const cancel[] = {"*"};
    static const char *const bad[] = {"not base64!"};
    f.c.data = "";
    s.next = 0;
    s.answers = cancel;
    ck_assert_int_eq(auth_server_run(&f.c), AUTH_CANCELLED);
    s.next = 0;
    s.answers = bad;
    ck_assert_int_eq(auth_server_run(&f.c), AUTH_BAD64);
    arena_destroy(f.a);
}
END_TEST

/* A scripted server for the client side. */
struct server {
    const int *codes;
    const char *const *texts;
    int n, next;
    gstr sent; /* lines the client sent, "|"-joined */
};

static int
server_command(void *ctx, const char *line, int *code, gstr *reply)
{
    struct server *s = ctx;

    gstr_printf(&s->sent, "%s%s", s->sent.len ? "|" : "", line);
    if (s->next >= s->n)
        return -1;
    *code = s->codes[s->next];
    gstr_truncate(reply, 0);
    gstr_adds(reply, s->texts[s->next++]);
    return 0;
}

START_TEST(test_plaintext_client)
{
    static const int plain_codes[] = {235};
    static const char *const plain_texts[] = {"ok"};
    static const int login_codes[] = {334, 334, 235};
    static const char *const login_texts[] = {"VXNlcm5hbWU6", "UGFzc3dvcmQ6",
                                              "ok"};
    struct fixture f;
    struct server s = {plain_codes, plain_texts, 1, 0, {0}};
    struct auth_client_call cc;

    fixture_init(&f);
    gstr_init(&s.sent, f.a);
    memset(&cc, 0, sizeof(cc));
    cc.d = &f.d;
    cc.x = &f.x;
    cc.arena = f.a;
    cc.command = server_command;
    cc.io_ctx = &s;

    /* "^" is a NUL, "^^" a caret. */
    f.g.public_name = "PLAIN";
    f.p.client_send = "^alice^s3^^cret";
    ck_assert_int_eq(auth_client_run(&cc), AUTH_OK);
    ck_assert_str_eq(gstr_str(&s.sent), "AUTH PLAIN AGFsaWNlAHMzXmNyZXQ=");

    /* LOGIN: an empty first item means no initial response; the
     * challenges so far are $auth1, $auth2 for the items after them. */
    f.g.public_name = "LOGIN";
    f.p.client_send = "<; ; alice ; ${if eq{$auth2}{Password:}{s3cret}{wrong}}";
    s.codes = login_codes;
    s.texts = login_texts;
    s.n = 3;
    s.next = 0;
    gstr_truncate(&s.sent, 0);
    ck_assert_int_eq(auth_client_run(&cc), AUTH_OK);
    ck_assert_str_eq(gstr_str(&s.sent), "AUTH LOGIN|YWxpY2U=|czNjcmV0");

    /* Too few items: "*" is sent, and it is a local error. */
    f.p.client_send = ": alice";
    s.next = 0;
    gstr_truncate(&s.sent, 0);
    ck_assert_int_eq(auth_client_run(&cc), AUTH_ERROR);
    ck_assert_str_eq(gstr_str(&s.sent), "AUTH LOGIN|YWxpY2U=|*");
    ck_assert_str_eq(gstr_str(&cc.err),
                     "Too few items in client_send in plain authenticator");
    arena_destroy(f.a);
}
END_TEST

static Suite *
auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");

    tcase_add_loop_test(tc, test_read_input, 0, NELEM(input_cases));
    tcase_add_loop_test(tc, test_condition, 0, NELEM(cond_cases));
    tcase_add_test(tc, test_plaintext_login_server);
    tcase_add_test(tc, test_plaintext_client);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(auth_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
