/*++
 * NAME
 *	test_acl_setup 3h
 * SUMMARY
 *	the set-up the ACL unit tests share
 * DESCRIPTION
 *	Included by test-acl.c and test-acl_output.c, each a program of
 *	its own: a temporary directory (tmpdir) for the configuration and
 *	the logs, write_file() and subst() ("@D@" becomes the directory),
 *	the main configuration, load_conf(), setup_once() and acl_text()
 *	(an ACL whose text must be expanded goes into a file of its own),
 *	and acl_test_run(), main()'s body.
 *--*/

#ifndef ACL_TEST_ACL_SETUP_H
#define ACL_TEST_ACL_SETUP_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "log/log.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ANY      ((const char *)1) /* any text will do */

static char tmpdir[64];

static inline void
write_file(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs(text, f);
    fclose(f);
}

/* Replaces "@D@" with the temporary directory. */
static inline const char *
subst(struct arena *a, const char *s)
{
    gstr g;
    const char *p;

    if (s == NULL || s == ANY)
        return s;
    gstr_init(&g, a);
    while ((p = strstr(s, "@D@")) != NULL) {
        gstr_addn(&g, s, (size_t)(p - s));
        gstr_adds(&g, tmpdir);
        s = p + 3;
    }
    gstr_adds(&g, s);
    return gstr_str(&g);
}

static const char main_conf[] =
    "primary_hostname = mx.test.ex\n"
    "spool_directory = @D@/spool\n"
    "domainlist local_domains = test.ex : *.test.ex\n"
    "hostlist relay_hosts = 192.0.2.0/24 : 10.0.0.1\n"
    "acl_smtp_rcpt = rcpt\n"
    "acl_smtp_mail = accept\n"
    "begin acl\n"
    "rcpt:\n"
    "  accept  hosts = +relay_hosts\n"
    "  accept  domains = +local_domains\n"
    "          local_parts = alice : bob\n"
    "  deny    message = relay not permitted\n"
    "yes:\n"
    "  accept  message = nested yes\n"
    "no:\n"
    "  deny    message = nested no\n"
    "maybe:\n"
    "  defer   message = nested maybe\n"
    "dropper:\n"
    "  drop    message = nested drop\n"
    "discarder:\n"
    "  discard\n"
    "args:\n"
    "  accept  condition = ${if eq{$acl_narg}{2}}\n"
    "          message = $acl_arg1+$acl_arg2\n"
    "  deny    message = narg $acl_narg\n"
    "loop:\n"
    "  accept  acl = loop\n"
    "empty:\n"
    "setter:\n"
    "  warn    set acl_m_inner = from inner\n"
    "  accept\n";

static inline void
load_conf(const char *text)
{
    struct arena *a = arena_create();
    gstr err;
    char path[256];

    write_file("conf", subst(a, text));
    snprintf(path, sizeof(path), "%s/conf", tmpdir);
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0) {
        fprintf(stderr, "conf_load: %s\n", gstr_str(&err));
        abort();
    }
    arena_destroy(a);
}

static inline void
setup_once(void)
{
    gstr err;
    char path[300];

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxlab-test-acl-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/spool", tmpdir);
    mkdir(path, 0700);
    write_file("nets", "192.0.2.0/24: net data\n");
    write_file("ips", "192.0.2.0/24: ipl data\n");
    write_file("names", "mail.example.com: name data\n");
    write_file("hostfile", "# friends\n198.51.100.1\n\n192.0.2.99\n");
    write_file("aclfile", "# an ACL in a file\n"
                          "accept hosts = 192.0.2.7\n"
                          "deny   message = from file \\\n"
                          "         continued\n");
    arena_perm_init();
    load_conf(main_conf);
    gstr_init(&err, arena_perm);
    if (log_setup(config->main, &err) < 0) {
        fprintf(stderr, "log_setup: %s\n", gstr_str(&err));
        abort();
    }
    if (acl_check_config(&err) < 0) {
        fprintf(stderr, "acl_check_config: %s\n", gstr_str(&err));
        abort();
    }
}

/* Inline text in an option is expanded before it is parsed, as in
 * Exim; a case whose ACL has "$" for its conditions to expand puts the
 * text in a file of its own (the file's name is all that is expanded). */
static inline const char *
acl_text(struct arena *a, const char *text)
{
    static int n;
    char name[32];

    if (text == NULL || text[0] == '$' ||
        (strchr(text, '$') == NULL && strchr(text, '\\') == NULL))
        return text;
    snprintf(name, sizeof(name), "acl-%d", ++n);
    write_file(name, text);
    return arena_printf(a, "%s/%s", tmpdir, name);
}

/* Runs the suite (no fork: the set-up is shared), removes tmpdir, and
 * gives main()'s exit status. */
static inline int
acl_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    char cmd[128];
    int failed;

    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (tmpdir[0] != '\0' && system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

#endif
