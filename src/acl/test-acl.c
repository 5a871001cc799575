/*++
 * NAME
 *	test-acl 1
 * SUMMARY
 *	unit tests for src/acl
 * DESCRIPTION
 *	Table-driven Check tests of the ACL engine. Each case is a label,
 *	where the ACL runs, the ACL (an option value: a name or inline
 *	text), variables to set first ("name=value|name=value"; "rcpt="
 *	sets the RCPT address, "prefix=" the log prefix), and the expected
 *	result, user message and log message. Separate tests cover
 *	verify hooks, headers, controls, delays and ACL variables
 *	(logging, replies, rejection log lines, configuration errors and
 *	${acl} are in test-acl_output.c). The configuration, lookup
 *	files and logs live in a temporary directory; "@D@" in a case
 *	stands for it.
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

struct acase {
    const char *label;
    enum acl_where where;
    const char *acl;
    const char *vars;
    int rc;
    const char *user; /* expected user message; NULL: none; ANY: any */
    const char *log;  /* expected log message, likewise */
};

static void
set_vars(struct expand_ctx *x, struct acl_state *st, const char *vars)
{
    struct arena *a = x->arena;
    char *v, *item, *save = NULL;

    if (vars == NULL)
        return;
    v = arena_strdup(a, subst(a, vars));
    for (item = strtok_r(v, "|", &save); item != NULL;
         item = strtok_r(NULL, "|", &save)) {
        char *eq = strchr(item, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        if (strcmp(item, "rcpt") == 0)
            st->recipient = eq + 1;
        else if (strcmp(item, "prefix") == 0)
            st->log_prefix = eq + 1;
        else if (strncmp(item, "acl_", 4) == 0 && item[4] != 'a' &&
                 item[4] != 'n')
            ck_assert_int_eq(expand_set_acl_var(x, item, eq + 1), 0);
        else
            ck_assert_msg(expand_set_var(x, item, eq + 1) == 0,
                          "unknown variable %s", item);
    }
}

static void
check_msg(const char *label, const char *what, const char *want,
          const char *got)
{
    if (want == ANY)
        return;
    if (want == NULL)
        ck_assert_msg(got == NULL, "%s: %s: want none, got \"%s\"", label, what,
                      got);
    else
        ck_assert_msg(got != NULL && strcmp(got, want) == 0,
                      "%s: %s: want \"%s\", got \"%s\"", label, what, want,
                      got ? got : "(null)");
}

static void
run_case(const struct acase *c)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    gstr err;
    int rc;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    gstr_init(&err, a);
    set_vars(&x, &st, c->vars);
    rc = acl_run(c->where, acl_text(a, subst(a, c->acl)), &x, &st, &err);
    ck_assert_msg(rc == c->rc, "%s: want %s, got %s (%s)", c->label,
                  acl_rc_name(c->rc), acl_rc_name(rc),
                  st.log_message ? st.log_message : "");
    check_msg(c->label, "user message", c->user, st.user_message);
    check_msg(c->label, "log message", subst(a, c->log), st.log_message);
    arena_destroy(a);
}

#define H7 "sender_host_address=192.0.2.7"

/* Verbs, defaults, and how the option value is found. */
static const struct acase verb_cases[] = {
    {"accept", ACL_WHERE_RCPT, "accept", NULL, ACL_OK, NULL, NULL},
    {"deny", ACL_WHERE_RCPT, "deny", NULL, ACL_FAIL, NULL, NULL},
    {"deny message", ACL_WHERE_RCPT, "deny message = go away", NULL, ACL_FAIL,
     "go away", "go away"},
    {"defer", ACL_WHERE_RCPT, "defer message = later", NULL, ACL_DEFER, "later",
     "later"},
    {"discard", ACL_WHERE_RCPT, "discard", NULL, ACL_DISCARD, NULL, NULL},
    {"drop", ACL_WHERE_RCPT, "drop message = bye", NULL, ACL_FAIL_DROP, "bye",
     "bye"},
    {"require true passes on", ACL_WHERE_RCPT,
     "require hosts = 192.0.2.7\naccept", H7, ACL_OK, NULL, NULL},
    {"require false denies", ACL_WHERE_RCPT,
     "require message = need host\n        hosts = 10.9.9.9\naccept", H7,
     ACL_FAIL, "need host", "need host"},
    {"warn passes on", ACL_WHERE_RCPT, "warn\naccept", NULL, ACL_OK, NULL,
     NULL},
    {"implicit deny", ACL_WHERE_RCPT, "accept hosts = 10.0.0.9", H7, ACL_FAIL,
     NULL, NULL},
    {"false deny passes on", ACL_WHERE_RCPT, "deny hosts = 10.0.0.9\naccept",
     H7, ACL_OK, NULL, NULL},
    {"unset RCPT denies", ACL_WHERE_RCPT, NULL, NULL, ACL_FAIL, NULL, NULL},
    {"unset VRFY denies", ACL_WHERE_VRFY, NULL, NULL, ACL_FAIL, NULL, NULL},
    {"unset EXPN denies", ACL_WHERE_EXPN, NULL, NULL, ACL_FAIL, NULL, NULL},
    {"unset ETRN denies", ACL_WHERE_ETRN, NULL, NULL, ACL_FAIL, NULL, NULL},
    {"unset MAIL accepts", ACL_WHERE_MAIL, NULL, NULL, ACL_OK, NULL, NULL},
    {"unset connect accepts", ACL_WHERE_CONNECT, NULL, NULL, ACL_OK, NULL,
     NULL},
    {"unset DATA accepts", ACL_WHERE_DATA, NULL, NULL, ACL_OK, NULL, NULL},
    {"empty text denies", ACL_WHERE_MAIL, "", NULL, ACL_FAIL, NULL, NULL},
    {"empty named ACL denies", ACL_WHERE_MAIL, "empty", NULL, ACL_FAIL, NULL,
     NULL},
    {"named ACL", ACL_WHERE_RCPT, "rcpt", H7 "|rcpt=x@remote.ex", ACL_OK, NULL,
     NULL},
    {"named ACL denies", ACL_WHERE_RCPT, "rcpt",
     "sender_host_address=203.0.113.1|rcpt=x@remote.ex", ACL_FAIL,
     "relay not permitted", "relay not permitted"},
    {"named ACL local part", ACL_WHERE_RCPT, "rcpt",
     "sender_host_address=203.0.113.1|rcpt=Alice@Sub.Test.EX", ACL_OK, NULL,
     NULL},
    {"option expands to a name", ACL_WHERE_RCPT, "${if eq{1}{1}{yes}{no}}",
     NULL, ACL_OK, "nested yes", "nested yes"},
    {"forced failure accepts", ACL_WHERE_RCPT, "${if eq{1}{2}{no}fail}", NULL,
     ACL_OK, NULL, NULL},
    {"option expansion error", ACL_WHERE_RCPT, "${nosuch", NULL, ACL_ERROR,
     NULL, ANY},
    {"unknown name is inline text", ACL_WHERE_RCPT, "nosuchacl", NULL,
     ACL_ERROR, NULL,
     "inline ACL:1: unknown ACL verb \"nosuchacl\" in \"nosuchacl\""},
    {"ACL file", ACL_WHERE_RCPT, "@D@/aclfile", "sender_host_address=10.1.1.1",
     ACL_FAIL, "from file continued", "from file continued"},
    {"ACL file accepts", ACL_WHERE_RCPT, "@D@/aclfile", H7, ACL_OK, NULL, NULL},
    {"missing ACL file", ACL_WHERE_RCPT, "@D@/nosuchfile", NULL, ACL_ERROR,
     NULL,
     "failed to open ACL file \"@D@/nosuchfile\": No such file or directory"},
    {"continuation in ACL text", ACL_WHERE_RCPT,
     "deny message = one \\\n   two", NULL, ACL_FAIL, "one two", ANY},
    {"QUIT may not deny", ACL_WHERE_QUIT, "deny", NULL, ACL_ERROR, NULL,
     "QUIT or not-QUIT toplevel ACL may not fail ('deny' verb used "
     "incorrectly)"},
    {"NOTQUIT may not require", ACL_WHERE_NOTQUIT, "require condition = no",
     NULL, ACL_ERROR, NULL,
     "QUIT or not-QUIT toplevel ACL may not fail ('require' verb used "
     "incorrectly)"},
    {"QUIT may warn and accept", ACL_WHERE_QUIT, "warn\naccept message = bye",
     NULL, ACL_OK, "bye", "bye"},
    {"QUIT implicit end", ACL_WHERE_QUIT, "warn", NULL, ACL_FAIL, NULL, NULL},
};

/* Conditions. */
static const struct acase cond_cases[] = {
    {"hosts address", ACL_WHERE_RCPT, "accept hosts = 192.0.2.7", H7, ACL_OK,
     NULL, NULL},
    {"hosts network", ACL_WHERE_RCPT, "accept hosts = 192.0.2.0/24", H7, ACL_OK,
     NULL, NULL},
    {"hosts other network", ACL_WHERE_RCPT, "accept hosts = 198.51.100.0/24",
     H7, ACL_FAIL, NULL, NULL},
    {"hosts negated item", ACL_WHERE_RCPT, "accept hosts = !192.0.2.7 : *", H7,
     ACL_FAIL, NULL, NULL},
    {"!hosts", ACL_WHERE_RCPT, "accept !hosts = 10.0.0.0/8", H7, ACL_OK, NULL,
     NULL},
    {"hosts named list", ACL_WHERE_RCPT, "accept hosts = +relay_hosts", H7,
     ACL_OK, NULL, NULL},
    {"hosts IPv6", ACL_WHERE_RCPT, "accept hosts = <; 2001:db8::/32",
     "sender_host_address=2001:db8::1", ACL_OK, NULL, NULL},
    {"hosts empty item: local", ACL_WHERE_RCPT, "accept hosts = :", NULL,
     ACL_OK, NULL, NULL},
    {"hosts empty item: remote", ACL_WHERE_RCPT, "accept hosts = :", H7,
     ACL_FAIL, NULL, NULL},
    {"hosts star: local", ACL_WHERE_RCPT, "accept hosts = *", NULL, ACL_OK,
     NULL, NULL},
    {"hosts address: local", ACL_WHERE_RCPT, "accept hosts = 192.0.2.7", NULL,
     ACL_FAIL, NULL, NULL},
    {"hosts name wildcard", ACL_WHERE_RCPT, "accept hosts = *.example.com",
     H7 "|sender_host_name=mail.example.com", ACL_OK, NULL, NULL},
    {"hosts name regex", ACL_WHERE_RCPT, "accept hosts = ^mail\\d*\\.",
     H7 "|sender_host_name=mail2.example.com", ACL_OK, NULL, NULL},
    {"hosts name unknown fails the list", ACL_WHERE_RCPT,
     "accept hosts = *.example.com : 192.0.2.7", H7, ACL_FAIL, NULL, NULL},
    {"hosts +ignore_unknown", ACL_WHERE_RCPT,
     "accept hosts = +ignore_unknown : *.example.com : 192.0.2.7", H7, ACL_OK,
     NULL, NULL},
    {"hosts +include_unknown", ACL_WHERE_RCPT,
     "accept hosts = +include_unknown : *.example.com", H7, ACL_OK, NULL, NULL},
    {"hosts malformed address", ACL_WHERE_RCPT, "accept hosts = 1.2.3/24", H7,
     ACL_ERROR, NULL,
     "malformed IP address or address mask \"1.2.3/24\" in host list"},
    {"hosts net24-lsearch", ACL_WHERE_RCPT,
     "accept hosts = net24-lsearch;@D@/nets\n       message = $host_data", H7,
     ACL_OK, "net data", ANY},
    {"hosts iplsearch", ACL_WHERE_RCPT,
     "accept hosts = iplsearch;@D@/ips\n       message = $host_data", H7,
     ACL_OK, "ipl data", ANY},
    {"hosts lsearch by name", ACL_WHERE_RCPT,
     "accept hosts = lsearch;@D@/names\n       message = $host_data",
     H7 "|sender_host_name=mail.example.com", ACL_OK, "name data", ANY},
    {"hosts file", ACL_WHERE_RCPT, "accept hosts = @D@/hostfile",
     "sender_host_address=192.0.2.99", ACL_OK, NULL, NULL},
    {"hosts file no match", ACL_WHERE_RCPT, "accept hosts = @D@/hostfile", H7,
     ACL_FAIL, NULL, NULL},
    {"hosts forward lookup", ACL_WHERE_RCPT, "accept hosts = localhost",
     "sender_host_address=127.0.0.1", ACL_OK, NULL, NULL},
    {"hosts unknown named list", ACL_WHERE_RCPT, "accept hosts = +nosuch", H7,
     ACL_ERROR, NULL, "unknown named host list \"+nosuch\""},
    {"hosts list forced failure", ACL_WHERE_RCPT,
     "accept hosts = ${if eq{1}{2}{x}fail}", H7, ACL_FAIL, NULL, NULL},
    {"domains", ACL_WHERE_RCPT, "accept domains = +local_domains",
     "rcpt=x@a.test.ex", ACL_OK, NULL, NULL},
    {"domains no match", ACL_WHERE_RCPT, "accept domains = +local_domains",
     "rcpt=x@remote.ex", ACL_FAIL, NULL, NULL},
    {"domains in MAIL", ACL_WHERE_MAIL, "accept domains = test.ex", NULL,
     ACL_ERROR, NULL, "cannot test domains condition in MAIL ACL"},
    {"local_parts caseless", ACL_WHERE_RCPT, "accept local_parts = alice",
     "rcpt=ALICE@test.ex", ACL_OK, NULL, NULL},
    {"local_parts regex", ACL_WHERE_RCPT, "accept local_parts = \\N^a.*e$\\N",
     "rcpt=alice@test.ex", ACL_OK, NULL, NULL},
    {"recipients", ACL_WHERE_RCPT, "accept recipients = *@test.ex",
     "rcpt=bob@test.ex", ACL_OK, NULL, NULL},
    {"recipients no match", ACL_WHERE_RCPT, "accept recipients = a@test.ex",
     "rcpt=bob@test.ex", ACL_FAIL, NULL, NULL},
    {"recipients in DATA", ACL_WHERE_DATA, "accept recipients = a@test.ex",
     NULL, ACL_ERROR, NULL, "cannot test recipients condition in DATA ACL"},
    {"senders empty", ACL_WHERE_MAIL,
     "accept senders = :", "sender_address=", ACL_OK, NULL, NULL},
    {"senders empty, not bounce", ACL_WHERE_MAIL,
     "accept senders = :", "sender_address=a@b.ex", ACL_FAIL, NULL, NULL},
    {"senders", ACL_WHERE_RCPT, "accept senders = *@b.ex : c@d.ex",
     "sender_address=c@d.ex", ACL_OK, NULL, NULL},
    {"sender_domains", ACL_WHERE_MAIL, "accept sender_domains = *.ex",
     "sender_address=a@b.ex", ACL_OK, NULL, NULL},
    {"senders in connect", ACL_WHERE_CONNECT, "accept senders = :", NULL,
     ACL_ERROR, NULL, "cannot test senders condition in connection ACL"},
    {"condition yes", ACL_WHERE_RCPT, "accept condition = yes", NULL, ACL_OK,
     NULL, NULL},
    {"condition 0", ACL_WHERE_RCPT, "accept condition = 0", NULL, ACL_FAIL,
     NULL, NULL},
    {"condition -3", ACL_WHERE_RCPT, "accept condition = -3", NULL, ACL_OK,
     NULL, NULL},
    {"condition empty", ACL_WHERE_RCPT, "accept condition = ${if eq{a}{b}}",
     NULL, ACL_FAIL, NULL, NULL},
    {"condition invalid", ACL_WHERE_RCPT, "accept condition = maybe", NULL,
     ACL_DEFER, NULL, "invalid \"condition\" value \"maybe\""},
    {"condition forced failure ignored", ACL_WHERE_RCPT,
     "accept !condition = ${if eq{1}{2}{x}fail}", NULL, ACL_OK, NULL, NULL},
    {"condition expansion error", ACL_WHERE_RCPT,
     "accept condition = ${nosuch{}}", NULL, ACL_ERROR, NULL, ANY},
    {"authenticated any", ACL_WHERE_MAIL, "accept authenticated = *",
     "sender_host_authenticated=plain", ACL_OK, NULL, NULL},
    {"authenticated not", ACL_WHERE_MAIL, "accept authenticated = *", NULL,
     ACL_FAIL, NULL, NULL},
    {"authenticated list", ACL_WHERE_MAIL,
     "accept authenticated = plain : login", "sender_host_authenticated=login",
     ACL_OK, NULL, NULL},
    {"authenticated in HELO", ACL_WHERE_HELO, "accept authenticated = *", NULL,
     ACL_ERROR, NULL,
     "cannot test authenticated condition in EHLO or HELO ACL"},
    {"encrypted any", ACL_WHERE_MAIL, "accept encrypted = *",
     "tls_in_cipher=TLS1.3:TLS_AES_256_GCM_SHA384:256", ACL_OK, NULL, NULL},
    {"encrypted cipher", ACL_WHERE_MAIL,
     "accept encrypted = TLS_AES_256_GCM_SHA384",
     "tls_in_cipher=TLS1.3:TLS_AES_256_GCM_SHA384:256", ACL_OK, NULL, NULL},
    {"encrypted not", ACL_WHERE_MAIL, "accept encrypted = *", NULL, ACL_FAIL,
     NULL, NULL},
    {"dnslists not supported", ACL_WHERE_RCPT,
     "accept dnslists = ${if eq{1}{1}{zen.example}}", NULL, ACL_ERROR, NULL,
     "the \"dnslists\" ACL condition is not supported by mxlab yet"},
    {"several conditions: and", ACL_WHERE_RCPT,
     "accept hosts = 192.0.2.7\n       condition = no", H7, ACL_FAIL, NULL,
     NULL},
    {"continue", ACL_WHERE_RCPT, "accept continue = ${if eq{a}{a}}", NULL,
     ACL_OK, NULL, NULL},
};

/* verify =, acl = */
static const struct acase verify_cases[] = {
    {"verify recipient without routing", ACL_WHERE_RCPT,
     "accept verify = recipient", "rcpt=a@test.ex", ACL_DEFER, NULL,
     "verify = recipient: routing is not built yet, so addresses cannot be "
     "verified"},
    {"verify sender in connect", ACL_WHERE_CONNECT, "accept verify = sender",
     NULL, ACL_ERROR, NULL, "cannot verify sender in ACL for connection"},
    {"verify unknown", ACL_WHERE_RCPT, "accept verify = ${if eq{1}{1}{bogus}}",
     NULL, ACL_ERROR, NULL, ANY},
    {"verify option not allowed", ACL_WHERE_RCPT, "accept verify = helo/x",
     NULL, ACL_ERROR, NULL,
     "unexpected '/' found in \"helo/x\" (this verify item has no options)"},
    {"verify helo local", ACL_WHERE_MAIL, "accept verify = helo", NULL, ACL_OK,
     NULL, NULL},
    {"verify helo literal", ACL_WHERE_MAIL, "accept verify = helo",
     H7 "|sender_helo_name=[192.0.2.7]", ACL_OK, NULL, NULL},
    {"verify helo wrong literal", ACL_WHERE_MAIL, "accept verify = helo",
     H7 "|sender_helo_name=[192.0.2.8]", ACL_FAIL, NULL, NULL},
    {"verify header_syntax in RCPT", ACL_WHERE_RCPT,
     "accept verify = header_syntax", NULL, ACL_ERROR, NULL,
     "cannot verify header_syntax in ACL for RCPT"},
    {"verify certificate", ACL_WHERE_MAIL,
     "require verify = certificate\naccept", NULL, ACL_FAIL,
     "no verified certificate", "no verified certificate"},
    {"verify csa", ACL_WHERE_MAIL, "accept verify = csa", NULL, ACL_ERROR, NULL,
     ANY},
    {"acl nested accept", ACL_WHERE_RCPT, "accept acl = yes", NULL, ACL_OK,
     NULL, NULL},
    {"acl nested deny is false", ACL_WHERE_RCPT,
     "accept acl = no\ndeny message = outer", NULL, ACL_FAIL, "outer", "outer"},
    {"acl nested deny message", ACL_WHERE_RCPT, "require acl = no\naccept",
     NULL, ACL_FAIL, "nested no", "nested no"},
    {"acl nested defer", ACL_WHERE_RCPT, "accept acl = maybe", NULL, ACL_DEFER,
     "nested maybe", "nested maybe"},
    {"acl nested defer on warn", ACL_WHERE_RCPT, "warn acl = maybe\naccept",
     NULL, ACL_OK, NULL, NULL},
    {"acl nested drop", ACL_WHERE_RCPT, "require acl = dropper\naccept", NULL,
     ACL_FAIL_DROP, "nested drop", "nested drop"},
    {"acl nested discard", ACL_WHERE_RCPT, "accept acl = discarder", NULL,
     ACL_DISCARD, NULL, NULL},
    {"acl nested discard on deny", ACL_WHERE_RCPT, "deny acl = discarder", NULL,
     ACL_ERROR, NULL,
     "nested ACL returned \"discard\" for \"deny\" command (only allowed "
     "with \"accept\" or \"discard\")"},
    {"acl arguments", ACL_WHERE_RCPT,
     "require acl = args one \"t w o\"\naccept", NULL, ACL_OK, NULL, NULL},
    {"acl arguments seen", ACL_WHERE_RCPT, "deny !acl = args one two\naccept",
     NULL, ACL_OK, NULL, NULL},
    {"acl arguments count", ACL_WHERE_RCPT, "require acl = args one\naccept",
     NULL, ACL_FAIL, "narg 1", "narg 1"},
    {"acl arguments restored", ACL_WHERE_RCPT,
     "warn acl = args a b\naccept message = <$acl_narg>", NULL, ACL_OK, "<0>",
     ANY},
    {"acl loop", ACL_WHERE_RCPT, "accept acl = loop", NULL, ACL_ERROR, NULL,
     "ACL nested too deep: possible loop"},
    {"acl inline word", ACL_WHERE_RCPT, "accept acl = accept", NULL, ACL_OK,
     NULL, NULL},
    {"acl set variables seen outside", ACL_WHERE_RCPT,
     "require acl = setter\naccept message = $acl_m_inner", NULL, ACL_OK,
     "from inner", ANY},
};

/* message, log_message, endpass, set, negation, forced failures. */
static const struct acase modifier_cases[] = {
    {"log_message on deny", ACL_WHERE_RCPT,
     "deny message = user text\n     log_message = log text", NULL, ACL_FAIL,
     "user text", "log text"},
    {"log_message alone", ACL_WHERE_RCPT, "deny log_message = only log", NULL,
     ACL_FAIL, NULL, "only log"},
    {"message expanded late", ACL_WHERE_RCPT,
     "deny message = host $host_data\n     hosts = net24-lsearch;@D@/nets",
     "sender_host_address=192.0.2.0", ACL_FAIL, "host net data", ANY},
    {"message on accept", ACL_WHERE_RCPT, "accept message = 250 fine", NULL,
     ACL_OK, "250 fine", ANY},
    {"message of failed accept unused", ACL_WHERE_RCPT,
     "accept message = nope\n       condition = no\ndeny", NULL, ACL_FAIL, NULL,
     NULL},
    {"require: message before failing condition", ACL_WHERE_RCPT,
     "require message = first\n        condition = no\n        message = "
     "second\naccept",
     NULL, ACL_FAIL, "first", "first"},
    {"require: later message", ACL_WHERE_RCPT,
     "require message = first\n        condition = yes\n        message = "
     "second\n        condition = no\naccept",
     NULL, ACL_FAIL, "second", "second"},
    {"deny: last message", ACL_WHERE_RCPT,
     "deny message = first\n     condition = yes\n     message = last", NULL,
     ACL_FAIL, "last", "last"},
    {"empty message ignored", ACL_WHERE_RCPT, "deny message = ${if eq{a}{b}}",
     NULL, ACL_FAIL, NULL, NULL},
    {"endpass: condition after fails", ACL_WHERE_RCPT,
     "accept domains = test.ex\n       endpass\n       message = endpass "
     "denied\n       condition = no\naccept",
     "rcpt=a@test.ex", ACL_FAIL, "endpass denied", "endpass denied"},
    {"endpass: condition before fails", ACL_WHERE_RCPT,
     "accept domains = test.ex\n       endpass\n       condition = no\naccept "
     "message = next",
     "rcpt=a@remote.ex", ACL_OK, "next", ANY},
    {"endpass: all true", ACL_WHERE_RCPT,
     "accept domains = test.ex\n       endpass\n       message = unused\n"
     "       condition = yes",
     "rcpt=a@test.ex", ACL_OK, NULL, NULL},
    {"endpass on discard", ACL_WHERE_RCPT,
     "discard endpass\n        condition = no", NULL, ACL_FAIL, NULL, NULL},
    {"verify message in $acl_verify_message", ACL_WHERE_MAIL,
     "deny !verify = certificate\n     message = cert: $acl_verify_message",
     NULL, ACL_FAIL, "cert: no verified certificate", ANY},
    {"set and use", ACL_WHERE_RCPT,
     "warn set acl_m_x = ${uc:abc}\naccept message = $acl_m_x", NULL, ACL_OK,
     "ABC", ANY},
    {"set numbered", ACL_WHERE_RCPT,
     "warn set acl_c0 = zero\naccept message = $acl_c0", NULL, ACL_OK, "zero",
     ANY},
    {"set before false condition still happens", ACL_WHERE_RCPT,
     "warn set acl_m_y = yes\n     condition = no\naccept message = $acl_m_y",
     NULL, ACL_OK, "yes", ANY},
    {"set after false condition does not", ACL_WHERE_RCPT,
     "warn condition = no\n     set acl_m_z = yes\naccept message = "
     "<$acl_m_z>",
     NULL, ACL_OK, "<>", ANY},
    {"set expansion error", ACL_WHERE_RCPT, "warn set acl_m_e = ${nosuch", NULL,
     ACL_ERROR, NULL, ANY},
    {"log_reject_target", ACL_WHERE_RCPT, "deny log_reject_target = main", NULL,
     ACL_FAIL, NULL, NULL},
    {"delay zero", ACL_WHERE_RCPT, "accept delay = 0s", NULL, ACL_OK, NULL,
     NULL},
    {"delay bad", ACL_WHERE_RCPT, "accept delay = ${if eq{1}{1}{soon}}", NULL,
     ACL_ERROR, NULL,
     "syntax error in argument for \"delay\" modifier: \"soon\" is not a "
     "time value"},
    {"delay in NOTQUIT", ACL_WHERE_NOTQUIT, "accept delay = 1s", NULL,
     ACL_ERROR, NULL, "cannot use delay condition in NOTQUIT ACL"},
    {"add_header in connect", ACL_WHERE_CONNECT, "accept add_header = X-A: b",
     NULL, ACL_ERROR, NULL,
     "cannot use add_header condition in connection ACL"},
    {"control freeze in connect", ACL_WHERE_CONNECT, "accept control = freeze",
     NULL, ACL_ERROR, NULL, "cannot use \"control=freeze\" in connection ACL"},
    {"control unknown", ACL_WHERE_RCPT,
     "accept control = ${if eq{1}{1}{nosuch}}", NULL, ACL_ERROR, NULL,
     "syntax error in \"control=nosuch\""},
    {"control bad option", ACL_WHERE_RCPT, "accept control = freeze/often",
     NULL, ACL_ERROR, NULL, "syntax error in \"control=freeze/often\""},
    {"warn with deferring condition goes on", ACL_WHERE_RCPT,
     "warn condition = maybe\n     set acl_m_w = reached\naccept message = "
     "<$acl_m_w>",
     NULL, ACL_OK, "<>", ANY},
};

START_TEST(test_verbs)
{
    run_case(&verb_cases[_i]);
}
END_TEST

START_TEST(test_conds)
{
    run_case(&cond_cases[_i]);
}
END_TEST

START_TEST(test_verify)
{
    run_case(&verify_cases[_i]);
}
END_TEST

START_TEST(test_modifiers)
{
    run_case(&modifier_cases[_i]);
}
END_TEST

/* A router stand-in for verify = recipient/sender. */
static int
fake_verify(struct acl_call *c, int is_sender, const char *address,
            const char *options)
{
    (void)options;
    if (strncmp(address, "bad", 3) != 0)
        return ACL_OK;
    c->user_msg = is_sender ? "Sender verify failed" : "Unrouteable address";
    c->log_msg = c->user_msg;
    return ACL_FAIL;
}

START_TEST(test_verify_hook)
{
    static const struct acase cases[] = {
        {"recipient good", ACL_WHERE_RCPT, "require verify = recipient\naccept",
         "rcpt=good@test.ex", ACL_OK, NULL, NULL},
        {"recipient bad", ACL_WHERE_RCPT, "require verify = recipient\naccept",
         "rcpt=bad@test.ex", ACL_FAIL, "Unrouteable address",
         "Unrouteable address"},
        {"message overrides", ACL_WHERE_RCPT,
         "require message = no: $acl_verify_message\n"
         "        verify = recipient\naccept",
         "rcpt=bad@test.ex", ACL_FAIL, "no: Unrouteable address", ANY},
        {"sender", ACL_WHERE_MAIL, "require verify = sender\naccept",
         "sender_address=bad@x.ex", ACL_FAIL, "Sender verify failed", ANY},
        {"sender=address", ACL_WHERE_MAIL,
         "require verify = sender=good@x.ex\naccept", "sender_address=bad@x.ex",
         ACL_OK, NULL, NULL},
        {"warn drops the user message", ACL_WHERE_RCPT,
         "warn !verify = recipient\n     log_message = vf "
         "$acl_verify_message\naccept",
         "rcpt=bad@test.ex", ACL_OK, NULL, NULL},
    };

    acl_verify_address_hook = fake_verify;
    for (size_t i = 0; i < NELEM(cases); i++)
        run_case(&cases[i]);
    acl_verify_address_hook = NULL;
}
END_TEST

struct hdr_case {
    const char *label;
    const char *headers;
    const char *acl;
    int rc;
    const char *log;
};

static void
build_message(struct arena *a, struct expand_message *m, const char *text)
{
    struct expand_header **tail = &m->headers;
    const char *p = text;

    memset(m, 0, sizeof(*m));
    while (*p != '\0') {
        const char *e = p;
        struct expand_header *h = arena_alloc(a, sizeof(*h));
        for (;;) {
            const char *nl = strchr(e, '\n');
            e = nl ? nl + 1 : e + strlen(e);
            if (*e != ' ' && *e != '\t')
                break;
        }
        h->text = p;
        h->len = (size_t)(e - p);
        h->name_len = (size_t)(strchr(p, ':') - p);
        h->next = NULL;
        *tail = h;
        tail = &h->next;
        p = e;
    }
}

START_TEST(test_header_verify)
{
    static const struct hdr_case cases[] = {
        {"good headers", "From: A <a@b.ex>\nTo: c@d.ex, \"E F\" <e@f.ex>\n",
         "require verify = header_syntax\naccept", ACL_OK, NULL},
        {"group syntax", "To: friends: a@b.ex, c@d.ex;\nCc: undisclosed:;\n",
         "require verify = header_syntax\naccept", ACL_OK, NULL},
        {"comments", "From: a@b.ex (Alice)\n",
         "require verify = header_syntax\naccept", ACL_OK, NULL},
        {"at only", "To: @\n", "require verify = header_syntax\naccept",
         ACL_FAIL,
         "domain missing or malformed: failing address in \"To:\" header "
         "is: @"},
        {"bad domain", "Cc: x@, y@z.ex\n",
         "require verify = header_syntax\naccept", ACL_FAIL,
         "domain missing or malformed: failing address in \"Cc:\" header is: "
         "x@"},
        {"missing >", "From: A <a@b.ex\n",
         "require verify = header_syntax\naccept", ACL_FAIL,
         "'>' missing at end of address: failing address in \"From:\" header "
         "is: A <a@b.ex"},
        {"unqualified from a host", "To: alice\n",
         "require verify = header_syntax\naccept", ACL_FAIL,
         "unqualified address not permitted: failing address in \"To:\" "
         "header is: alice"},
        {"other headers ignored", "Subject: @@@\n",
         "require verify = header_syntax\naccept", ACL_OK, NULL},
        {"not blind", "To: a@test.ex\nCc: B@Test.EX\n",
         "require verify = not_blind\naccept", ACL_FAIL,
         "bcc recipient detected"},
        {"not blind, case_insensitive", "To: a@test.ex\nCc: B@Test.EX\n",
         "require verify = not_blind/case_insensitive\naccept", ACL_OK, NULL},
        {"blind", "To: a@test.ex\n", "require verify = not_blind\naccept",
         ACL_FAIL, "bcc recipient detected"},
        {"header names",
         "X-B\xc3\xa4"
         "d: 1\n",
         "require verify = header_names_ascii\naccept", ACL_FAIL,
         "Invalid character in header \"X-B\xc3\xa4"
         "d\" found"},
    };
    static const char *const rcpts[] = {"a@test.ex", "b@test.ex", NULL};

    for (size_t i = 0; i < NELEM(cases); i++) {
        struct arena *a = arena_create();
        struct expand_ctx x;
        struct expand_message m;
        struct acl_state st;
        int rc;

        expand_ctx_init(&x, a);
        acl_state_init(&st, a);
        build_message(a, &m, cases[i].headers);
        x.msg = &m;
        x.recipients = rcpts;
        expand_set_var(&x, "sender_host_address", "192.0.2.7");
        rc = acl_run(ACL_WHERE_DATA, cases[i].acl, &x, &st, NULL);
        ck_assert_msg(rc == cases[i].rc, "%s: got %s (%s)", cases[i].label,
                      acl_rc_name(rc), st.log_message ? st.log_message : "");
        check_msg(cases[i].label, "log", cases[i].log, st.log_message);
        arena_destroy(a);
    }
}
END_TEST

START_TEST(test_add_header)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    struct acl_header *h;
    int rc;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    rc = acl_run(
        ACL_WHERE_RCPT,
        acl_text(a, "warn add_header = X-One: 1\n"
                    "warn add_header = :at_start:X-Two: 2\n"
                    "warn add_header = :after_received:X-Three: 3\\nX-Four: 4\n"
                    "warn add_header = X-One: 1\n"
                    "warn add_header = not a header\n"
                    "warn add_header = X-Folded: a\\n\\tb\n"
                    "warn message = X-Old: warn message\n"
                    "warn condition = no\n"
                    "     add_header = X-Never: 0\n"
                    "accept"),
        &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    h = st.headers;
    ck_assert_str_eq(h->text, "X-One: 1\n");
    ck_assert_int_eq(h->pos, ACL_HDR_AT_END);
    h = h->next;
    ck_assert_str_eq(h->text, "X-Two: 2\n");
    ck_assert_int_eq(h->pos, ACL_HDR_AT_START);
    h = h->next;
    ck_assert_str_eq(h->text, "X-Three: 3\n");
    ck_assert_int_eq(h->pos, ACL_HDR_AFTER_RECEIVED);
    h = h->next;
    ck_assert_str_eq(h->text, "X-Four: 4\n");
    ck_assert_int_eq(h->pos, ACL_HDR_AT_END);
    h = h->next;
    ck_assert_str_eq(h->text, "X-ACL-Warn: not a header\n");
    h = h->next;
    ck_assert_str_eq(h->text, "X-Folded: a\n\tb\n");
    h = h->next;
    ck_assert_str_eq(h->text, "X-Old: warn message\n");
    ck_assert_ptr_null(h->next);

    rc = acl_run(ACL_WHERE_DATA,
                 "accept remove_header = x-a : X-B\n"
                 "       remove_header = ^X-C",
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert_str_eq(st.remove_headers->s, "x-a");
    ck_assert_str_eq(st.remove_headers->next->s, "X-B");
    ck_assert_str_eq(st.remove_headers->next->next->s, "^X-C");

    acl_state_new_message(&st);
    ck_assert_ptr_null(st.headers);
    ck_assert_ptr_null(st.remove_headers);
    arena_destroy(a);
}
END_TEST

START_TEST(test_controls)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    struct acl_reply r;
    int rc;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    rc = acl_run(ACL_WHERE_CONNECT,
                 "warn control = no_multiline_responses\n"
                 "warn control = no_pipelining\n"
                 "warn control = no_enforce_sync\n"
                 "accept control = allow_auth_unadvertised",
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert(st.controls & ACL_CTL_NO_MULTILINE);
    ck_assert(st.controls & ACL_CTL_NO_PIPELINING);
    ck_assert(st.controls & ACL_CTL_ALLOW_AUTH_UNADVERTISED);
    ck_assert_int_eq(st.enforce_sync, 0);

    rc = acl_run(ACL_WHERE_RCPT,
                 "warn control = freeze/no_tell\n"
                 "warn control = queue_only\n"
                 "warn control = submission/sender_retain/domain=ex.com/"
                 "name=A / B\n"
                 "warn control = suppress_local_fixups\n"
                 "warn control = cutthrough_delivery/defer=pass\n"
                 "accept control = fakereject",
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert(st.controls & ACL_CTL_FREEZE);
    ck_assert_int_eq(st.freeze_tell, 0);
    ck_assert(st.controls & ACL_CTL_QUEUE);
    ck_assert(st.controls & ACL_CTL_SUBMISSION);
    ck_assert_int_eq(st.submission_sender_retain, 1);
    ck_assert_str_eq(st.submission_domain, "ex.com");
    ck_assert_str_eq(st.submission_name, "A / B");
    ck_assert(st.controls & ACL_CTL_SUPPRESS_LOCAL_FIXUPS);
    ck_assert(st.controls & ACL_CTL_FAKEREJECT);
    ck_assert_ptr_nonnull(strstr(st.fake_message, "kept for evaluation"));
    ck_assert_str_eq(acl_control_value(&st, "cutthrough_delivery"),
                     "defer=pass");
    ck_assert_str_eq(acl_control_value(&st, "queue"), "_only");

    rc = acl_run(ACL_WHERE_DATA,
                 "warn control = freeze\n"
                 "accept control = fakedefer/not now",
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert_int_eq(st.freeze_tell, 1);
    ck_assert(st.controls & ACL_CTL_FAKEDEFER);
    ck_assert(!(st.controls & ACL_CTL_FAKEREJECT));
    ck_assert_str_eq(st.fake_message, "not now");

    /* Message controls end with the message; connection ones stay. */
    acl_state_new_message(&st);
    ck_assert(!(st.controls & ACL_CTL_FREEZE));
    ck_assert(!(st.controls & ACL_CTL_QUEUE));
    ck_assert(st.controls & ACL_CTL_NO_MULTILINE);
    ck_assert_ptr_null(acl_control_value(&st, "freeze"));
    ck_assert_ptr_nonnull(acl_control_value(&st, "no_pipelining"));
    ck_assert_ptr_null(st.fake_message);

    /* caseful_local_part restores the RCPT's case for the ACL. */
    st.recipient = "Alice@Test.EX";
    rc = acl_run(
        ACL_WHERE_RCPT,
        acl_text(a, "warn set acl_m_lc = $local_part\n"
                    "warn control = caseful_local_part\n"
                    "     set acl_m_cc = $local_part\n"
                    "warn control = caselower_local_part\n"
                    "accept message = $acl_m_lc $acl_m_cc $local_part $domain"),
        &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert_str_eq(st.user_message, "alice Alice alice test.ex");

    /* no_multiline_responses keeps the first line of a reply. */
    st.recipient = NULL;
    rc = acl_run(ACL_WHERE_MAIL, acl_text(a, "deny message = one\\ntwo"), &x,
                 &st, NULL);
    ck_assert_int_eq(rc, ACL_FAIL);
    acl_reply_get(ACL_WHERE_MAIL, rc, &st, &r);
    {
        gstr out;
        gstr_init(&out, a);
        acl_reply_format(&r, (st.controls & ACL_CTL_NO_MULTILINE) != 0, &out);
        ck_assert_str_eq(gstr_str(&out), "550 one\r\n");
    }
    arena_destroy(a);
}
END_TEST

static int delays;

static void
count_delay(struct acl_state *st, int seconds)
{
    (void)st;
    delays += seconds;
}

static int flushes;

static void
count_flush(void *arg)
{
    (void)arg;
    flushes++;
}

START_TEST(test_delay)
{
    struct arena *a = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    void (*saved)(struct acl_state *, int) = acl_delay_hook;

    expand_ctx_init(&x, a);
    acl_state_init(&st, a);
    st.flush = count_flush;
    acl_delay_hook = count_delay;
    ck_assert_int_eq(
        acl_run(ACL_WHERE_RCPT, "accept delay = 1m30s", &x, &st, NULL), ACL_OK);
    ck_assert_int_eq(delays, 90);
    ck_assert_int_eq(flushes, 1);
    st.delay_max = 5;
    ck_assert_int_eq(
        acl_run(ACL_WHERE_RCPT, "accept delay = 1h", &x, &st, NULL), ACL_OK);
    ck_assert_int_eq(delays, 95);
    st.host_checking = 1;
    ck_assert_int_eq(
        acl_run(ACL_WHERE_RCPT, "accept delay = 10s", &x, &st, NULL), ACL_OK);
    ck_assert_int_eq(delays, 95);
    st.host_checking = 0;
    ck_assert_int_eq(acl_run(ACL_WHERE_RCPT,
                             "warn control = no_delay_flush\n"
                             "accept delay = 1s",
                             &x, &st, NULL),
                     ACL_OK);
    ck_assert_int_eq(flushes, 2);
    acl_delay_hook = saved;
    /* The real one sleeps. */
    st.delay_max = 0;
    ck_assert_int_eq(acl_run(ACL_WHERE_RCPT, "accept delay = 1", &x, &st, NULL),
                     ACL_OK);
    ck_assert_int_eq(st.delayed, 97);
    arena_destroy(a);
}
END_TEST

START_TEST(test_acl_vars)
{
    struct arena *conn = arena_create(), *msg = arena_create();
    struct expand_ctx x;
    struct acl_state st;
    int rc;

    expand_ctx_init(&x, msg);
    acl_state_init(&st, conn);
    rc = acl_run(ACL_WHERE_RCPT,
                 acl_text(conn, "warn set acl_c_conn = c-value\n"
                                "     set acl_m_msg = m-value\n"
                                "     set acl_c1 = ${length_2:abcdef}\n"
                                "accept"),
                 &x, &st, NULL);
    ck_assert_int_eq(rc, ACL_OK);
    ck_assert_str_eq(expand_get_acl_var(&x, "acl_c_conn"), "c-value");
    ck_assert_str_eq(expand_get_acl_var(&x, "acl_m_msg"), "m-value");
    ck_assert_str_eq(expand_get_acl_var(&x, "acl_c1"), "ab");
    arena_destroy(conn);
    arena_destroy(msg);
}
END_TEST

static Suite *
acl_suite(void)
{
    Suite *s = suite_create("acl");
    TCase *tc = tcase_create("acl");

    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, setup_once, NULL);
    tcase_add_loop_test(tc, test_verbs, 0, NELEM(verb_cases));
    tcase_add_loop_test(tc, test_conds, 0, NELEM(cond_cases));
    tcase_add_loop_test(tc, test_verify, 0, NELEM(verify_cases));
    tcase_add_loop_test(tc, test_modifiers, 0, NELEM(modifier_cases));
    tcase_add_test(tc, test_verify_hook);
    tcase_add_test(tc, test_header_verify);
    tcase_add_test(tc, test_add_header);
    tcase_add_test(tc, test_controls);
    tcase_add_test(tc, test_delay);
    tcase_add_test(tc, test_acl_vars);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return acl_test_run(acl_suite());
}
