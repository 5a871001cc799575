/*++
 * NAME
 *	test-acl_output 1
 * SUMMARY
 *	unit tests for src/acl: logging, replies and errors
 * DESCRIPTION
 *	Check tests of what the ACL engine writes and says: log lines
 *	and log_reject_target, reply texts, rejection and discard log
 *	lines, configuration errors and where they are reported,
 *	condition and verify extensions, and ${acl}. The configuration
 *	and logs live in a temporary directory, set up as for test-acl.c
 *	(test_acl_setup.h); the table-driven cases are there.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl/acl.h"
#include "acl/test_acl_setup.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/match.h"
#include "log/log.h"

static char *
slurp(const char *name)
{
    static char buf[65536];
    char path[256];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/spool/log/%s", tmpdir, name);
    if ((f = fopen(path, "r")) == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int
log_has(const char *name, const char *text)
{
    const char *s = slurp(name);
    return s != NULL && strstr(s, text) != NULL;
}

START_TEST(test_logging)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    int rc;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    st.log_prefix = "H=(helo.ex) [192.0.2.7]";
    expand_set_var(&x, "sender_host_address", "192.0.2.7");
    rc = acl_run(ACL_WHERE_RCPT,
                 acl_text(a, "warn log_message = seen $sender_host_address\n"
                             "warn log_message = seen $sender_host_address\n"
                             "warn logwrite = plain logwrite\n"
                             "warn logwrite = :reject: to reject\n"
                             "warn logwrite = :main,panic: to panic\n"
                             "warn logwrite = :nosuch: bad log\n"
                             "warn condition = maybe\n"
                             "     log_message = never written\n"
                             "accept"),
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert(log_has("mainlog", "H=(helo.ex) [192.0.2.7] Warning: seen "
                                 "192.0.2.7\n"));
    {
        const char *s = slurp("mainlog");
        const char *first = strstr(s, "Warning: seen");
        ck_assert_ptr_null(strstr(first + 1, "Warning: seen"));
    }
    ck_assert(log_has("mainlog", " plain logwrite\n"));
    ck_assert(log_has("rejectlog", " to reject\n"));
    ck_assert(log_has("paniclog", " to panic\n"));
    ck_assert(log_has("paniclog", "unknown log name in \":nosuch: bad log\" in "
                                  "\"logwrite\" in RCPT ACL"));
    ck_assert(log_has("mainlog", "H=(helo.ex) [192.0.2.7] Warning: ACL 'warn' "
                                 "statement skipped (in ACL "));
    ck_assert(log_has("mainlog", " at line 7 of "));
    ck_assert(log_has("mainlog", "): condition test deferred: invalid "
                                 "\"condition\" value \"maybe\"\n"));
    ck_assert(!log_has("mainlog", "never written"));

    /* A new message may log the same warning again. */
    acl_state_new_message(&st);
    rc = acl_run(ACL_WHERE_RCPT, "warn log_message = again\naccept", &x, &st,
                 NULL);
    rc = acl_run(ACL_WHERE_RCPT, "warn log_message = again\naccept", &x, &st,
                 NULL);
    {
        const char *s = slurp("mainlog");
        const char *first = strstr(s, "Warning: again");
        ck_assert_ptr_nonnull(first);
        ck_assert_ptr_null(strstr(first + 1, "Warning: again"));
    }

    /* Rejections go where log_reject_target says. */
    st.cmd_data = "<x@remote.ex>";
    expand_set_var(&x, "sender_address", "s@src.ex");
    rc = acl_run(ACL_WHERE_RCPT,
                 "deny message = no relay\n"
                 "     log_reject_target = reject",
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_FAIL);
    ck_assert_int_eq(st.log_reject_target, LOG_REJECT);
    acl_log_reject(ACL_WHERE_RCPT, rc, &x, &st);
    ck_assert(log_has("rejectlog", "H=(helo.ex) [192.0.2.7] F=<s@src.ex> "
                                   "rejected RCPT <x@remote.ex>: no relay\n"));
    rc = acl_run(ACL_WHERE_RCPT,
                 "deny message = quiet\n log_reject_target =", &x, &st, NULL);
    ck_assert_int_eq(st.log_reject_target, 0);
    acl_log_reject(ACL_WHERE_RCPT, rc, &x, &st);
    ck_assert(!log_has("mainlog", "quiet"));
    arena_destroy(a);
}
END_TEST

struct reply_case {
    const char *label;
    enum acl_where where;
    int rc;
    const char *user;
    int temp_details;
    const char *want;
};

START_TEST(test_replies)
{
    static const struct reply_case cases[] = {
        {"RCPT deny", ACL_WHERE_RCPT, ACL_FAIL, NULL, 0,
         "550 Administrative prohibition\r\n"},
        {"RCPT deny message", ACL_WHERE_RCPT, ACL_FAIL, "relay not permitted",
         0, "550 relay not permitted\r\n"},
        {"own code", ACL_WHERE_RCPT, ACL_FAIL, "551 5.7.1 go elsewhere", 0,
         "551 5.7.1 go elsewhere\r\n"},
        {"wrong first digit", ACL_WHERE_RCPT, ACL_FAIL, "450 soon", 0,
         "550 soon\r\n"},
        {"multiline", ACL_WHERE_MAIL, ACL_FAIL, "550 5.1.0 one\ntwo", 0,
         "550-5.1.0 one\r\n550 5.1.0 two\r\n"},
        {"defer default", ACL_WHERE_RCPT, ACL_DEFER, "secret", 0,
         "451 Temporary local problem - please try later\r\n"},
        {"defer verb", ACL_WHERE_RCPT, ACL_DEFER, "try later", 1,
         "451 try later\r\n"},
        {"defer verb code", ACL_WHERE_RCPT, ACL_DEFER, "452 4.2.2 full", 1,
         "452 4.2.2 full\r\n"},
        {"error", ACL_WHERE_MAIL, ACL_ERROR, NULL, 0,
         "451 Temporary local problem - please try later\r\n"},
        {"drop", ACL_WHERE_RCPT, ACL_FAIL_DROP, NULL, 0,
         "550 Administrative prohibition\r\n"},
        {"VRFY", ACL_WHERE_VRFY, ACL_FAIL, NULL, 0,
         "252 Administrative prohibition\r\n"},
        {"VRFY any code", ACL_WHERE_VRFY, ACL_FAIL, "550 no such user", 0,
         "550 no such user\r\n"},
        {"ETRN", ACL_WHERE_ETRN, ACL_FAIL, NULL, 0,
         "458 Administrative prohibition\r\n"},
        {"AUTH", ACL_WHERE_AUTH, ACL_FAIL, NULL, 0,
         "503 Administrative prohibition\r\n"},
        {"accept message", ACL_WHERE_RCPT, ACL_OK, "Fine, go on", 0,
         "250 Fine, go on\r\n"},
        {"predata accept", ACL_WHERE_PREDATA, ACL_OK, "354 send it", 0,
         "354 send it\r\n"},
        {"connect banner", ACL_WHERE_CONNECT, ACL_OK, "welcome", 0,
         "220 welcome\r\n"},
        {"quit keeps 221", ACL_WHERE_QUIT, ACL_OK, "250 bye", 0, "221 bye\r\n"},
        /* Exim's line breaking of a message over 75 characters: at the
         * last blank after a colon between columns 36 and 75 */
        {"long message split after a colon", ACL_WHERE_RCPT, ACL_FAIL,
         "192.0.2.200 is not allowed to send for test.ex: Please see "
         "http://www.open-spf.org/Why : Reason: mechanism",
         0,
         "550-192.0.2.200 is not allowed to send for test.ex:\r\n"
         "550 Please see http://www.open-spf.org/Why : Reason: mechanism\r\n"},
        /* no colon: the last blank before column 76 */
        {"long message split at a blank", ACL_WHERE_RCPT, ACL_FAIL,
         "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm "
         "nnnn oooo pppp qqqq",
         0,
         "550-aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll "
         "mmmm nnnn oooo\r\n550 pppp qqqq\r\n"},
        /* no blank before column 76: the next one after it */
        {"long word", ACL_WHERE_RCPT, ACL_FAIL,
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxx tail",
         0,
         "550-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxx\r\n550 tail\r\n"},
    };

    for (size_t i = 0; i < NELEM(cases); i++) {
        struct arena *a = arena_create();
        struct acl_state st;
        struct acl_reply r;
        gstr out;

        acl_state_init(&st, a);
        st.user_message = cases[i].user;
        st.temp_details = cases[i].temp_details;
        acl_reply_get(cases[i].where, cases[i].rc, &st, &r);
        ck_assert_int_eq(r.drop, cases[i].rc == ACL_FAIL_DROP);
        gstr_init(&out, a);
        acl_reply_format(&r, 0, &out);
        ck_assert_msg(strcmp(gstr_str(&out), cases[i].want) == 0,
                      "%s: got \"%s\"", cases[i].label, gstr_str(&out));
        arena_destroy(a);
    }
}
END_TEST

struct line_case {
    const char *label;
    enum acl_where where;
    int rc;
    const char *cmd_data;
    const char *log;
    const char *want;
};

START_TEST(test_reject_lines)
{
    static const struct line_case cases[] = {
        {"RCPT", ACL_WHERE_RCPT, ACL_FAIL, "<x@y.ex>", "relay not permitted",
         "H=[192.0.2.7] F=<s@src.ex> A=plain:alice rejected RCPT <x@y.ex>: "
         "relay not permitted"},
        {"RCPT no message", ACL_WHERE_RCPT, ACL_FAIL, "<x@y.ex>", NULL,
         "H=[192.0.2.7] F=<s@src.ex> A=plain:alice rejected RCPT <x@y.ex>"},
        {"temporary", ACL_WHERE_MAIL, ACL_DEFER, "<s@src.ex>", "db down",
         "H=[192.0.2.7] temporarily rejected MAIL <s@src.ex>: db down"},
        {"connect", ACL_WHERE_CONNECT, ACL_FAIL, NULL, "go away",
         "H=[192.0.2.7] rejected connection in \"connect\" ACL: go away"},
        {"HELO", ACL_WHERE_HELO, ACL_FAIL, "bad.helo", NULL,
         "H=[192.0.2.7] rejected EHLO or HELO bad.helo"},
        {"predata", ACL_WHERE_PREDATA, ACL_FAIL, NULL, "no data",
         "H=[192.0.2.7] rejected DATA: no data"},
        {"data", ACL_WHERE_DATA, ACL_FAIL, NULL, "spam\nsecond line",
         "H=[192.0.2.7] F=<s@src.ex> A=plain:alice rejected after DATA: spam"},
        {"AUTH hides the secret", ACL_WHERE_AUTH, ACL_FAIL, "PLAIN c2VjcmV0",
         NULL, "H=[192.0.2.7] rejected AUTH PLAIN"},
        {"code in log message", ACL_WHERE_RCPT, ACL_FAIL, "<x@y.ex>",
         "450 wrong digit",
         "H=[192.0.2.7] F=<s@src.ex> A=plain:alice rejected RCPT <x@y.ex>: "
         "550 wrong digit"},
        {"non-SMTP", ACL_WHERE_NOT_SMTP, ACL_FAIL, NULL, "local no",
         "H=[192.0.2.7] F=<s@src.ex> rejected by non-SMTP ACL: local no"},
    };

    for (size_t i = 0; i < NELEM(cases); i++) {
        struct arena *a = arena_create();
        struct expand_ctx x;
        struct acl_state st;
        gstr out;

        expand_ctx_init(&x, a);
        acl_state_init(&st, a);
        st.log_prefix = "H=[192.0.2.7]";
        st.cmd_data = cases[i].cmd_data;
        st.log_message = cases[i].log;
        expand_set_var(&x, "sender_address", "s@src.ex");
        expand_set_var(&x, "sender_host_authenticated", "plain");
        expand_set_var(&x, "authenticated_id", "alice");
        gstr_init(&out, a);
        acl_reject_line(cases[i].where, cases[i].rc, &x, &st, &out);
        ck_assert_msg(strcmp(gstr_str(&out), cases[i].want) == 0,
                      "%s: got \"%s\"", cases[i].label, gstr_str(&out));
        arena_destroy(a);
    }
}
END_TEST

START_TEST(test_discard_line)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    gstr out;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    st.log_prefix = "H=[192.0.2.7]";
    st.cmd_data = "<x@y.ex>";
    expand_set_var(&x, "sender_address", "s@src.ex");
    ck_assert_int_eq(acl_run(ACL_WHERE_RCPT, "discard log_message = blackholed",
                             &x, &st, NULL),
                     ACL_DISCARD);
    gstr_init(&out, a);
    acl_discard_line(&x, &st, 0, &out);
    ck_assert_str_eq(gstr_str(&out), "H=[192.0.2.7] F=<s@src.ex> RCPT "
                                     "<x@y.ex>: discarded by RCPT ACL: "
                                     "blackholed");
    gstr_init(&out, a);
    st.log_message = NULL;
    acl_discard_line(&x, &st, 1, &out);
    ck_assert_str_eq(gstr_str(&out), "H=[192.0.2.7] F=<s@src.ex> RCPT "
                                     "<x@y.ex>: discarded by MAIL ACL");
    arena_destroy(a);
}
END_TEST

struct conf_case {
    const char *label;
    const char *conf; /* appended to a minimal main section */
    const char *want; /* expected error; "@C@" is the config path */
};

START_TEST(test_config_errors)
{
    static const struct conf_case cases[] = {
        {"good",
         "acl_smtp_rcpt = accept hosts = 10.0.0.1\nbegin acl\na:\n"
         "  accept\n",
         NULL},
        {"unknown verb", "begin acl\na:\n  allow hosts = *\n",
         "@C@:4: unknown ACL verb \"allow\" in \"allow hosts = *\""},
        {"a verb's unknown condition",
         "begin acl\na:\n  accept\n  allow hosts = *\n",
         "@C@:5: unknown ACL condition/modifier in \"allow hosts = *\""},
        {"unknown condition", "begin acl\na:\n  accept\n          hostz = *\n",
         "@C@:5: unknown ACL condition/modifier in \"hostz = *\""},
        {"missing =", "begin acl\na:\n  deny hosts 10.0.0.1\n",
         "@C@:4: \"=\" missing after ACL \"hosts\" condition"},
        {"missing = modifier", "begin acl\na:\n  deny message bye\n",
         "@C@:4: \"=\" missing after ACL \"message\" modifier"},
        {"negated verb", "begin acl\na:\n  !deny\n",
         "@C@:4: malformed ACL line \"!deny\""},
        {"negated modifier", "begin acl\na:\n  deny !message = x\n",
         "@C@:4: ACL error: negation is not allowed with \"message\""},
        {"endpass on deny", "begin acl\na:\n  deny hosts = *\n  endpass\n",
         "@C@:5: ACL error: \"endpass\" is not allowed with \"deny\""},
        {"set name", "begin acl\na:\n  warn set acl_mx = 1\n",
         "@C@:4: invalid variable name after \"set\" in ACL modifier \"set "
         "acl_mx = 1\" (digit or underscore must follow acl_c or acl_m)"},
        {"set prefix", "begin acl\na:\n  warn set foo = 1\n",
         "@C@:4: invalid variable name after \"set\" in ACL modifier \"set "
         "foo = 1\" (must start \"acl_c\" or \"acl_m\")"},
        {"set character", "begin acl\na:\n  warn set acl_m_a-b = 1\n",
         "@C@:4: invalid character \"-\" in variable name in ACL modifier "
         "\"set acl_m_a-b = 1\""},
        {"unknown control", "begin acl\na:\n  accept control = nosuch\n",
         "@C@:4: syntax error in \"control=nosuch\""},
        {"unknown verify", "begin acl\na:\n  accept verify = bogus\n",
         "@C@:4: expected \"sender[=address]\", \"recipient\", \"helo\", "
         "\"header_syntax\", \"header_sender\", \"header_names_ascii\" or "
         "\"reverse_host_lookup\" at start of ACL condition \"verify "
         "bogus\""},
        {"bad delay", "begin acl\na:\n  accept delay = 5x\n",
         "@C@:4: syntax error in argument for \"delay\" modifier: \"5x\" is "
         "not a time value"},
        {"dnslists", "begin acl\na:\n  deny dnslists = zen.example\n",
         "@C@:4: the \"dnslists\" ACL condition is not supported by mxlab yet "
         "(it needs DNS black list lookups)"},
        {"inline option", "acl_smtp_mail = accept hostz = 1\n",
         "@C@:2: acl_smtp_mail: unknown ACL condition/modifier in \"accept "
         "hostz = 1\""},
        {"option naming a missing ACL", "acl_smtp_helo = helo_acl\n",
         "@C@:2: acl_smtp_helo: unknown ACL verb \"helo_acl\" in "
         "\"helo_acl\""},
        {"option with $ is left for later",
         "acl_smtp_helo = ${if eq{1}{1}{nosuch}}\n", NULL},
        {"continued line keeps its first line number",
         "begin acl\na:\n  accept hosts = 1.2.3.4 : \\\n     5.6.7.8\n"
         "  acept\n",
         "@C@:6: unknown ACL condition/modifier in \"acept\""},
    };
    char cpath[300];

    snprintf(cpath, sizeof(cpath), "%s/conf", tmpdir);
    for (size_t i = 0; i < NELEM(cases); i++) {
        struct arena *a = arena_create();
        gstr text, err, want;
        int rc;

        gstr_init(&text, a);
        gstr_printf(&text, "primary_hostname = mx.test.ex\n%s", cases[i].conf);
        load_conf(gstr_str(&text));
        gstr_init(&err, a);
        rc = acl_check_config(&err);
        if (cases[i].want == NULL) {
            ck_assert_msg(rc == 0, "%s: %s", cases[i].label, gstr_str(&err));
        } else {
            const char *w = cases[i].want, *p;
            gstr_init(&want, a);
            while ((p = strstr(w, "@C@")) != NULL) {
                gstr_addn(&want, w, (size_t)(p - w));
                gstr_adds(&want, cpath);
                w = p + 3;
            }
            gstr_adds(&want, w);
            ck_assert_msg(rc == -1, "%s: no error", cases[i].label);
            ck_assert_msg(strcmp(gstr_str(&err), gstr_str(&want)) == 0,
                          "%s: got \"%s\"", cases[i].label, gstr_str(&err));
        }
        arena_destroy(a);
    }
    load_conf(main_conf);
    {
        gstr err;
        gstr_init(&err, arena_perm);
        ck_assert_int_eq(acl_check_config(&err), 0);
    }
}
END_TEST

/* A feature's condition and control, added at start-up. */
static int
c_always(struct acl_call *c, const char *arg)
{
    (void)c;
    return strcmp(arg, "yes") == 0 ? ACL_OK : ACL_FAIL;
}

static int
v_feature(struct acl_call *c, const char *opts)
{
    (void)c;
    return strcmp(opts, "pass") == 0 ? ACL_OK : ACL_FAIL;
}

START_TEST(test_extensions)
{
    static const struct acl_cond_def feat = {"feature_test", ACL_CD_EXPAND,
                                             ACL_BIT(ACL_WHERE_CONNECT), NULL,
                                             c_always};
    static const struct acl_control_def ctl = {
        "feature_run", 0, ACL_BIT(ACL_WHERE_CONNECT), NULL};
    static const struct acl_verify_def ver = {"feature", ACL_BITS_HAVEDATA, 1,
                                              v_feature};
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;

    ck_assert_int_eq(acl_register_condition(&feat), 0);
    ck_assert_int_eq(acl_register_condition(&feat), -1);
    ck_assert_int_eq(acl_register_control(&ctl), 0);
    ck_assert_int_eq(acl_register_verify(&ver), 0);
    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    ck_assert_int_eq(
        acl_run(ACL_WHERE_DATA,
                acl_text(a, "require feature_test = ${if eq{1}{1}{yes}}\n"
                            "require verify = feature/pass\n"
                            "accept control = feature_run"),
                &x, &st, NULL),
        ACL_OK);
    ck_assert_str_eq(acl_control_value(&st, "feature_run"), "");
    ck_assert_int_eq(
        acl_run(ACL_WHERE_CONNECT, "accept feature_test = yes", &x, &st, NULL),
        ACL_ERROR);
    ck_assert_str_eq(st.log_message,
                     "cannot test feature_test condition in connection ACL");
    ck_assert_int_eq(
        acl_run(ACL_WHERE_RCPT, "accept verify = feature/pass", &x, &st, NULL),
        ACL_ERROR);
    arena_destroy(a);
}
END_TEST

/* ${acl} and the acl expansion condition. */
START_TEST(test_expand_hook)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    char *out;
    gstr err;

    expand_ctx_init(&x, a);
    gstr_init(&err, a);
    ck_assert_ptr_eq(expand_acl_hook, acl_expand_hook);
    ck_assert_int_eq(expand_string(&x, "${acl{args}{x}{y}}", &out, &err),
                     EXPAND_OK);
    ck_assert_str_eq(out, "x+y");
    ck_assert_int_eq(expand_string(&x, "${if acl{{no}}{yes}{no}}", &out, &err),
                     EXPAND_OK);
    ck_assert_str_eq(out, "no");
    ck_assert_int_eq(expand_string(&x, "${acl{maybe}}", &out, &err),
                     EXPAND_ERROR);
    /* from inside an ACL */
    {
        struct acl_state st;
        acl_state_init(&st, a);
        ck_assert_int_eq(
            acl_run(ACL_WHERE_RCPT,
                    acl_text(a, "accept message = ${acl{args}{p}{q}}"), &x, &st,
                    NULL),
            ACL_OK);
        ck_assert_str_eq(st.user_message, "p+q");
    }
    arena_destroy(a);
}
END_TEST

/* The error's place reaches err for the caller's log. */
START_TEST(test_error_place)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    gstr err;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    gstr_init(&err, a);
    ck_assert_int_eq(
        acl_run(ACL_WHERE_MAIL, "accept\n  domains = x", &x, &st, &err),
        ACL_ERROR);
    ck_assert_str_eq(gstr_str(&err), "inline ACL:2: cannot test domains "
                                     "condition in MAIL ACL");
    ck_assert_str_eq(acl_where_name(ACL_WHERE_HELO), "EHLO or HELO");
    ck_assert_str_eq(acl_verb_name(ACL_REQUIRE), "require");
    arena_destroy(a);
}
END_TEST

static Suite *
acl_output_suite(void)
{
    Suite *s = suite_create("acl_output");
    TCase *tc = tcase_create("acl_output");

    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, setup_once, NULL);
    tcase_add_test(tc, test_logging);
    tcase_add_test(tc, test_replies);
    tcase_add_test(tc, test_reject_lines);
    tcase_add_test(tc, test_discard_line);
    tcase_add_test(tc, test_extensions);
    tcase_add_test(tc, test_expand_hook);
    tcase_add_test(tc, test_error_place);
    tcase_add_test(tc, test_config_errors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return acl_test_run(acl_output_suite());
}
