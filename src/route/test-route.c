/*++
 * NAME
 *	test-route 1
 * SUMMARY
 *	unit tests for src/route and the message writer of src/transport
 * DESCRIPTION
 *	Table-driven Check tests: redirection data parsing (items,
 *	quoting, comments, specials, qualification), the order of the
 *	router preconditions (a later precondition is not evaluated when
 *	an earlier one skips the router: a condition whose lookup defers
 *	behind a domains or local_parts mismatch does not defer; one that
 *	cannot be expanded skips the router),
 *	more/pass/unseen, and the mbox writer's "From " line and escaping.
 *--*/

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "route/redirect.h"
#include "route/route.h"
#include "route/route_drivers.h"
#include "spool/envelope.h"
#include "transport/tpcall.h"
#include "transport/transport.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[64];

static const char conf_text[] =
    "primary_hostname = mx.test.ex\n"
    "qualify_domain = test.ex\n"
    "begin routers\n"
    "r_domains:\n"
    "  driver = accept\n"
    "  domains = d1.ex\n"
    "  condition = ${lookup{a/b}dsearch{/tmp}}\n"
    "  transport = t\n"
    "r_local_parts:\n"
    "  driver = accept\n"
    "  local_parts = lp\n"
    "  condition = ${lookup{a/b}dsearch{/tmp}}\n"
    "  transport = t\n"
    "r_prefix:\n"
    "  driver = accept\n"
    "  local_part_prefix = pre-\n"
    "  local_parts = bob\n"
    "  transport = t\n"
    "r_senders:\n"
    "  driver = accept\n"
    "  senders = nobody@nowhere.ex\n"
    "  require_files = /nonexistent/${if eq{x}}\n"
    "  transport = t\n"
    "r_decline_more:\n"
    "  driver = redirect\n"
    "  local_parts = stop : go\n"
    "  data = ${if eq{$local_part}{go}{bob@test.ex}{}}\n"
    "  no_more\n"
    "r_badcond:\n"
    "  driver = accept\n"
    "  local_parts = badcond\n"
    "  condition = ${if eq{x}}\n"
    "  transport = t\n"
    "r_condition:\n"
    "  driver = accept\n"
    "  condition = ${if eq{$local_part}{yes}}\n"
    "  transport = t\n"
    "r_unseen:\n"
    "  driver = accept\n"
    "  local_parts = both\n"
    "  transport = t\n"
    "  unseen\n"
    "r_last:\n"
    "  driver = accept\n"
    "  local_parts = both : bob\n"
    "  transport = t\n"
    "begin transports\n"
    "t:\n"
    "  driver = appendfile\n"
    "  file = /dev/null\n";

static void
setup_once(void)
{
    char path[128];
    gstr err;
    FILE *f;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxlab-test-route-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/conf", tmpdir);
    if ((f = fopen(path, "w")) == NULL)
        abort();
    fputs(conf_text, f);
    fclose(f);
    arena_perm_init();
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0) {
        fprintf(stderr, "conf_load: %s\n", gstr_str(&err));
        abort();
    }
    unlink(path);
}

/*
 * Redirection data.
 */

static const struct {
    const char *label;
    const char *data;
    unsigned allow; /* 1 allow_fail, 2 allow_defer */
    enum route_rc rc;
    const char *children; /* unique keys, " " separated */
    const char *message;
} rd_cases[] = {
    {"one address", "bob@test.ex", 0, ROUTE_REROUTED, "bob@test.ex", NULL},
    {"comma list, blanks", " bob@test.ex ,carol@test.ex,, ", 0, ROUTE_REROUTED,
     "bob@test.ex carol@test.ex", NULL},
    {"newlines and comments", "# team\nbob\n  # x\ncarol@other.ex\n", 0,
     ROUTE_REROUTED, "bob@test.ex carol@other.ex", NULL},
    {"unqualified gets qualify_domain", "bob", 0, ROUTE_REROUTED, "bob@test.ex",
     NULL},
    {"route-addr", "Bob Smith <bob@test.ex>", 0, ROUTE_REROUTED, "bob@test.ex",
     NULL},
    {"quoted local part with comma", "\"a,b\"@test.ex, c@test.ex", 0,
     ROUTE_REROUTED, "\"a,b\"@test.ex c@test.ex", NULL},
    {"backslash", "\\bob@test.ex", 0, ROUTE_REROUTED, "bob@test.ex", NULL},
    {"empty declines", "", 0, ROUTE_DECLINE, "", NULL},
    {"only comments declines", "# nothing\n", 0, ROUTE_DECLINE, "", NULL},
    {":unknown: ignored", ":unknown:, bob", 0, ROUTE_REROUTED, "bob@test.ex",
     NULL},
    {":blackhole:", ":blackhole:", 0, ROUTE_DISCARD, "", NULL},
    {":fail: allowed", ":fail: gone away\n", 1, ROUTE_FAIL, "", "gone away"},
    {":fail: no text", ":fail:", 1, ROUTE_FAIL, "", ""},
    {":defer: no text", ":defer:", 2, ROUTE_DEFER, "", ""},
    {":fail: not allowed", ":fail: gone", 0, ROUTE_DEFER, "",
     "error in redirect data: \":fail: gone\" is not permitted"},
    {":defer: allowed", ":defer: later", 2, ROUTE_DEFER, "", "later"},
    {":defer: not allowed", ":defer: later", 0, ROUTE_DEFER, "",
     "error in redirect data: \":defer: later\" is not permitted"},
    {"pipe", "|/bin/cat -v", 0, ROUTE_REROUTED, "|/bin/cat -v:x@test.ex", NULL},
    {"quoted pipe with comma", "\"|/bin/echo a, b\", bob", 0, ROUTE_REROUTED,
     "|/bin/echo a, b:x@test.ex bob@test.ex", NULL},
    {"file", "/var/mail/x", 0, ROUTE_REROUTED, "/var/mail/x:x@test.ex", NULL},
    {"include missing", ":include:/nonexistent/file", 0, ROUTE_DEFER, "",
     "error in redirect data: failed to open included file "
     "/nonexistent/file: No such file or directory"},
};

START_TEST(test_redirect_parse)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct route_ctx rc;
    struct router_redirect opts;
    struct driver_instance r;
    struct address *ad, *children = NULL;
    struct route_call c;
    gstr got;
    enum route_rc res;

    expand_ctx_init(&x, a);
    memset(&rc, 0, sizeof(rc));
    rc.arena = a;
    rc.x = &x;
    memset(&opts, 0, sizeof(opts));
    opts.data = "x";
    opts.allow_fail = (rd_cases[_i].allow & 1) != 0;
    opts.allow_defer = (rd_cases[_i].allow & 2) != 0;
    memset(&r, 0, sizeof(r));
    r.name = "rd";
    r.priv = &opts;
    ad = address_new(a, "x@test.ex", "test.ex");
    c.rc = &rc;
    c.a = ad;
    c.router = &r;
    c.children = &children;
    res = redirect_parse(&c, rd_cases[_i].data, 0);
    ck_assert_msg(res == rd_cases[_i].rc, "%s: rc %d", rd_cases[_i].label,
                  (int)res);
    gstr_init(&got, a);
    for (struct address *ch = children; ch != NULL; ch = ch->next) {
        ck_assert_ptr_eq(ch->parent, ad);
        gstr_printf(&got, "%s%s", got.len ? " " : "", ch->unique);
    }
    ck_assert_msg(strcmp(gstr_str(&got), rd_cases[_i].children) == 0,
                  "%s: children \"%s\"", rd_cases[_i].label, gstr_str(&got));
    if (rd_cases[_i].message != NULL)
        ck_assert_str_eq(ad->message, rd_cases[_i].message);
    arena_destroy(a);
}
END_TEST

/*
 * Router preconditions and routing flow.
 */

static const struct {
    const char *label;
    const char *address;
    const char *sender;
    enum route_rc rc;
    const char *router; /* the router that took it, or NULL */
    const char *more;   /* generated or unseen copies, unique keys */
} pre_cases[] = {
    {"domains, senders mismatch skip before condition, require_files",
     "lp2@other.ex", "a@b.ex", ROUTE_FAIL, NULL, ""},
    {"domains match: the condition's lookup defers", "x@d1.ex", "a@b.ex",
     ROUTE_DEFER, "r_domains", ""},
    {"local_parts match: the condition's lookup defers", "lp@test.ex", "a@b.ex",
     ROUTE_DEFER, "r_local_parts", ""},
    {"a condition that cannot be expanded skips the router", "badcond@test.ex",
     "a@b.ex", ROUTE_FAIL, NULL, ""},
    {"prefix stripped before local_parts", "pre-bob@test.ex",
     "nobody@nowhere.ex", ROUTE_OK, "r_prefix", ""},
    {"senders match: bad require_files defers", "zz@test.ex",
     "nobody@nowhere.ex", ROUTE_DEFER, "r_senders", ""},
    {"no_more stops after a decline", "stop@test.ex", "x@y.ex", ROUTE_FAIL,
     NULL, ""},
    {"redirect generates", "go@test.ex", "x@y.ex", ROUTE_REROUTED,
     "r_decline_more", "bob@test.ex"},
    {"condition true", "yes@test.ex", "x@y.ex", ROUTE_OK, "r_condition", ""},
    {"unseen makes a copy", "both@test.ex", "x@y.ex", ROUTE_OK, "r_unseen",
     "both@test.ex"},
};

START_TEST(test_preconditions)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct route_ctx rc;
    struct address *ad, *more = NULL;
    enum route_rc res;
    gstr got;

    expand_ctx_init(&x, a);
    memset(&rc, 0, sizeof(rc));
    rc.arena = a;
    rc.x = &x;
    rc.sender = pre_cases[_i].sender;
    ad = address_new(a, pre_cases[_i].address, "test.ex");
    res = route_address(&rc, ad, &more);
    ck_assert_msg(res == pre_cases[_i].rc, "%s: rc %d (%s)",
                  pre_cases[_i].label, (int)res,
                  ad->message ? ad->message : "");
    if (pre_cases[_i].router == NULL)
        ck_assert_ptr_null(ad->router);
    else
        ck_assert_str_eq(ad->router->name, pre_cases[_i].router);
    gstr_init(&got, a);
    for (struct address *m = more; m != NULL; m = m->next)
        gstr_printf(&got, "%s%s", got.len ? " " : "", m->unique);
    ck_assert_msg(strcmp(gstr_str(&got), pre_cases[_i].more) == 0,
                  "%s: more \"%s\"", pre_cases[_i].label, gstr_str(&got));
    if (more != NULL && (more->flags & ADDR_UNSEEN)) {
        ck_assert_str_eq(more->start_router->name, "r_last");
        ck_assert_str_eq(ad->unique, "both@test.ex/r_unseen");
    }
    arena_destroy(a);
}
END_TEST

/*
 * The message writer: mbox "From " handling.
 */

START_TEST(test_write_mbox)
{
    struct arena *a = arena_create();
    struct spool_msg m;
    struct tp_message tm;
    struct transport_generic g;
    struct driver_instance tp;
    struct transport_call c;
    struct tp_write_opts wo = {"From a@b.ex Mon May  6 09:10:00 2024\n", "\n",
                               "From ", ">From ", 0};
    struct address *ad = address_new(a, "bob@test.ex", "test.ex");
    char dpath[128], opath[128], buf[1024];
    /* only "From " with its blank is escaped, as Exim's check_string */
    const char body[] = "From here\nFrom\nnot From\n";
    struct expand_ctx x;
    int dfd, ofd;
    ssize_t n;
    gstr err;

    snprintf(dpath, sizeof(dpath), "%s/data", tmpdir);
    snprintf(opath, sizeof(opath), "%s/out", tmpdir);
    dfd = open(dpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ofd = open(opath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(dfd, 0);
    ck_assert_int_ge(ofd, 0);
    ck_assert_int_eq(write(dfd, "xx\n", 3), 3);
    ck_assert_int_eq(write(dfd, body, strlen(body)), (int)strlen(body));
    spool_msg_init(&m, a, "1vQk3L-000000000Xb-00A1");
    spool_msg_add_header(&m, ' ', "From: me\n", 9);
    spool_msg_add_header(&m, '*', "Bcc: gone\n", 10);
    memset(&g, 0, sizeof(g));
    g.return_path_add = 1;
    memset(&tp, 0, sizeof(tp));
    tp.name = "t";
    tp.generic = &g;
    tm.m = &m;
    tm.data_fd = dfd;
    tm.body_offset = 3;
    tm.body_size = (off_t)strlen(body);
    tm.size = 0;
    expand_ctx_init(&x, a);
    memset(&c, 0, sizeof(c));
    c.arena = a;
    c.x = &x;
    c.tp = &tp;
    c.msg = &tm;
    c.addrs = ad;
    c.return_path = "a@b.ex";
    gstr_init(&err, a);
    ck_assert_int_eq(transport_write_message(&c, ofd, &wo, &err), 0);
    n = pread(ofd, buf, sizeof(buf) - 1, 0);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "From a@b.ex Mon May  6 09:10:00 2024\n"
                          "Return-path: <a@b.ex>\n"
                          "From: me\n"
                          "\n"
                          ">From here\n"
                          "From\n"
                          "not From\n"
                          "\n");
    close(dfd);
    close(ofd);
    unlink(dpath);
    unlink(opath);
    arena_destroy(a);
}
END_TEST

static Suite *
route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *rd = tcase_create("redirect");
    TCase *pre = tcase_create("preconditions");
    TCase *wr = tcase_create("write");

    tcase_add_loop_test(rd, test_redirect_parse, 0, NELEM(rd_cases));
    suite_add_tcase(s, rd);
    tcase_add_loop_test(pre, test_preconditions, 0, NELEM(pre_cases));
    suite_add_tcase(s, pre);
    tcase_add_test(wr, test_write_mbox);
    suite_add_tcase(s, wr);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    setup_once();
    sr = srunner_create(route_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    rmdir(tmpdir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
