/*++
 * NAME
 *	mxlab 8
 * SUMMARY
 *	Exim-compatible mail transfer agent core
 * SYNOPSIS
 *	mxlab [-C file] [-D name=value ...] [-d] -bV
 *	mxlab [-C file] [-D name=value ...] [-d] -bP [name ...]
 *	mxlab [-C file] -bP router|transport|authenticator name
 *	mxlab [-C file] [-D name=value ...] -be [string ...]
 *	mxlab [-C file] [-D name=value ...] -bem file [string ...]
 *	mxlab [-C file] [-N] -M id ... | -Mc id ... | -q | -qf | -qff
 *	mxlab [-C file] -bd [-q<time>] [-oX ports]
 *	mxlab [-C file] -bt address ...
 * DESCRIPTION
 *	The command line follows Exim's. This file parses it, reads the
 *	configuration and hands over to the mode asked for:
 * .IP "-C file"
 *	Use this configuration file instead of the built-in path.
 * .IP "-D name=value"
 *	Define a macro, overriding a definition in the file. -Dname=value
 *	works too; without "=value" the macro is empty.
 * .IP -d
 *	Write debugging output to stderr.
 * .IP -bV
 *	Print the version, what was built in, and the configuration file,
 *	after checking the configuration.
 * .IP "-bP [name ...]"
 *	Print main options ("name = value"), all of them without a name.
 *	"-bP router NAME", "-bP transport NAME" and "-bP authenticator
 *	NAME" print one instance; "routers", "transports" and
 *	"authenticators" print all, and "router_list" (and the like) just
 *	their names. "-bP macros" lists the macros, "-bP macro NAME" one,
 *	"-bP config_file" the file in use, "-bP domainlist NAME" (and the
 *	other named lists) one named list.
 * .IP "-be [string ...]"
 *	Expansion test mode: expand each string, or each line of the
 *	standard input, and print the result or "Failed: " and the error
 *	(see src/expand/betest.c).
 * .IP "-bem file"
 *	The same, with the message in file loaded first, so that header
 *	variables and $message_body have values.
 * .IP "-M id ..., -Mc id ..., -q, -qf, -qff, -bt address ..."
 *	Delivery and address testing (see src/deliver/cli.c).
 * .IP "-q<time>, -qf<time>, -qff<time>"
 *	With -bd: a queue run every <time> (see src/smtp/daemon.c).
 * .IP "-dumpdb [retry], -tidydb [-t time] [retry]"
 *	mxlab's exim_dumpdb and exim_tidydb for the retry database (see
 *	src/retry/retry_cli.c).
 * .IP -N
 *	Deliveries this process makes are not done, only logged with
 *	"*>" (Exim's debugging option).
 * DIAGNOSTICS
 *	A configuration error is printed as "mxlab: FILE:LINE: message"
 *	and the exit status is 1. An unknown command-line option, or one
 *	missing its argument, is reported with a hint, exit status 1
 *	also. -bP of an unknown name prints a message on stderr, carries
 *	on with the rest, and exits 1.
 *--*/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"
#include "conf/conf.h"
#include "deliver/cli.h"
#include "deliver/deliver.h"
#include "dns/dns.h"
#include "expand/betest.h"
#include "log/log.h"
#include "priv/handoff.h"
#include "priv/priv.h"
#include "receive/cli.h"
#include "registry.h"
#include "retry/retry_cli.h"
#include "retry/retry_conf.h"
#include "smtp/modes.h"
#include "spool/cli.h"
#include "version.h"

enum mode {
    MODE_NONE,
    MODE_VERSION,
    MODE_PRINT,
    MODE_EXPAND,
    MODE_SMTP_BS,
    MODE_SMTP_BH,
    MODE_DAEMON,
    MODE_SUBMIT,     /* rcpt ... or -t: src/receive/cli_submit.c */
    MODE_QUEUE_LIST, /* -bp...: src/spool/cli.c */
    MODE_MSG_ACTION, /* -Mvh, -Mvb, -Mvl, -Mrm, -Mf, -Mt */
    MODE_DELIVER,    /* -M, -Mc, -q, -qf, -qff: src/deliver/cli.c */
    MODE_ADDR_TEST,  /* -bt: src/deliver/cli.c */
    MODE_RETRY_DB,   /* -dumpdb, -tidydb: src/retry/retry_cli.c */
};

struct cmdline {
    const char *config_file;
    struct conf_macro *macros;
    enum mode mode;
    char **args; /* what follows the mode flag */
    int nargs;
    const char *message_file;  /* -bem */
    const char *bh_host;       /* -bh */
    struct daemon_opts daemon; /* -bd, -bdf, -oX, -oP */

    /* local submission, -bp and -M: src/receive/cli.h, src/spool/cli.h */
    struct submit_opts submit;
    const char *mode_flag; /* -bp..., -M... as given */
};

static void
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "mxlab: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nmxlab: usage: mxlab [-C file] [-D name=value] [-d] "
                    "-bV | -bP [name ...]\n");
    exit(1);
}

static void
cmdline_macro(struct cmdline *c, const char *def)
{
    const char *eq = strchr(def, '=');
    size_t n = eq ? (size_t)(eq - def) : strlen(def);
    char *name = arena_strndup(arena_perm, def, n);

    if (n == 0 || !isupper((unsigned char)name[0]))
        usage_error("-D %s: a macro name must start with an upper-case "
                    "letter",
                    def);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            usage_error("-D %s: a macro name has only letters, digits "
                        "and \"_\"",
                        def);
    c->macros =
        conf_macro_add(arena_perm, c->macros, name, eq ? eq + 1 : "", 1, 0);
}

static void
cmdline_set_mode(struct cmdline *c, enum mode m, const char *flag)
{
    if (c->mode != MODE_NONE)
        usage_error("%s: only one mode option (-bV, -bP ...) may be given",
                    flag);
    c->mode = m;
}

static void
cmdline_parse(struct cmdline *c, int argc, char **argv)
{
    int i, sub;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (retry_cli_is_mode(a)) { /* before -d, a prefix of -dumpdb */
            cmdline_set_mode(c, MODE_RETRY_DB, a);
            c->mode_flag = a;
            i++;
            break; /* the rest are its arguments */
        } else if (strcmp(a, "-C") == 0) {
            if (++i >= argc)
                usage_error("%s needs a file name", a);
            c->config_file = argv[i];
        } else if (strncmp(a, "-D", 2) == 0) {
            if (a[2] != '\0')
                cmdline_macro(c, a + 2);
            else if (++i < argc)
                cmdline_macro(c, argv[i]);
            else
                usage_error("%s needs name=value", a);
        } else if (strncmp(a, "-d", 2) == 0 && a[2] != 'f') {
            msg_debug_level = 1;
        } else if (strcmp(a, "-bV") == 0) {
            cmdline_set_mode(c, MODE_VERSION, a);
        } else if (strcmp(a, "-be") == 0 || strcmp(a, "-bem") == 0) {
            cmdline_set_mode(c, MODE_EXPAND, a);
            if (a[3] == 'm') {
                if (++i >= argc)
                    usage_error("%s needs a file name", a);
                c->message_file = argv[i];
            }
        } else if (strcmp(a, "-N") == 0) {
            deliver_dont_deliver = 1;
        } else if (strcmp(a, "-bs") == 0) {
            cmdline_set_mode(c, MODE_SMTP_BS, a);
        } else if (strcmp(a, "-bh") == 0) {
            cmdline_set_mode(c, MODE_SMTP_BH, a);
            if (++i >= argc)
                usage_error("%s needs an IP address", a);
            c->bh_host = argv[i];
        } else if (strcmp(a, "-bd") == 0 || strcmp(a, "-bdf") == 0) {
            cmdline_set_mode(c, MODE_DAEMON, a);
            c->daemon.foreground = a[3] == 'f';
        } else if (strcmp(a, "-oX") == 0 || strcmp(a, "-oP") == 0) {
            if (++i >= argc)
                usage_error("%s needs an argument", a);
            if (a[2] == 'X')
                c->daemon.ports = argv[i];
            else
                c->daemon.pid_file = argv[i];
        } else if (strcmp(a, "-bP") == 0) {
            cmdline_set_mode(c, MODE_PRINT, a);
            i++;
            break; /* the rest are names to print */
        } else if (deliver_cli_queue_interval(a, &c->daemon.queue_interval,
                                              &c->daemon.queue_flag)) {
            c->daemon.queue_text = a; /* with -bd: queue runs */
        } else if (deliver_cli_is_mode(a)) {
            cmdline_set_mode(c, MODE_DELIVER, a);
            c->mode_flag = a;
            i++;
            break; /* the rest are message ids */
        } else if (strcmp(a, "-bt") == 0) {
            /* Options may follow (-bt -f sender addr), as in Exim: the
             * addresses start at the first argument that is not one. */
            cmdline_set_mode(c, MODE_ADDR_TEST, a);
        } else if (spool_cli_is_list(a) || spool_cli_is_action(a)) {
            cmdline_set_mode(c, a[1] == 'b' ? MODE_QUEUE_LIST : MODE_MSG_ACTION,
                             a);
            c->mode_flag = a;
            i++;
            break; /* the rest are message ids */
        } else if ((sub = receive_cli_option(&c->submit, argc, argv, &i))) {
            if (sub < 0)
                usage_error("%s needs an argument", a);
        } else {
            usage_error("unknown or incomplete option \"%s\"", a);
        }
    }
    c->args = argv + i;
    c->nargs = argc - i;
    if (c->mode == MODE_EXPAND)
        return; /* the rest are strings to expand */
    if (c->mode == MODE_NONE && (c->nargs > 0 || c->submit.extract))
        c->mode = MODE_SUBMIT;
    if (c->mode == MODE_NONE)
        usage_error("%s", "no mode option given");
}

/* Exim's _HAVE_ and _DRIVER_ macros, so that a configuration can test
 * with .ifdef what this binary has. */
static struct conf_macro *
builtin_macros(struct conf_macro *list)
{
    static const struct driver_class *const classes[] = {
        &router_class, &transport_class, &auth_class};
    static const char *const class_macro[] = {"ROUTER", "TRANSPORT",
                                              "AUTHENTICATOR"};

    list = conf_macro_add(arena_perm, list, "_HAVE_TLS", "y", 0, 1);
    list = conf_macro_add(arena_perm, list, "_HAVE_OPENSSL", "y", 0, 1);
    list = conf_macro_add(arena_perm, list, "_HAVE_IPV6", "y", 0, 1);
    for (size_t i = 0; i < registry_nfeatures; i++)
        list = conf_macro_add(arena_perm, list, registry_features[i]->macro,
                              "y", 0, 1);
    for (size_t c = 0; c < 3; c++)
        for (size_t d = 0; d < classes[c]->ndrivers; d++) {
            char *name =
                arena_printf(arena_perm, "_DRIVER_%s_%s", class_macro[c],
                             classes[c]->drivers[d]->name);
            for (char *p = name; *p != '\0'; p++)
                *p = (char)toupper((unsigned char)*p);
            list = conf_macro_add(arena_perm, list, name, "y", 0, 1);
        }
    return list;
}

static void
fatal_config(const char *text)
{
    /* Several errors come one a line; each line gets the prefix. */
    for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
        fprintf(stderr, "mxlab: %.*s\n", (int)(nl - text), text);
    fprintf(stderr, "mxlab: %s\n", text);
    exit(1);
}

static void
load_config(struct cmdline *c)
{
    gstr err;
    const char *file;
    int line;

    gstr_init(&err, arena_perm);
    c->macros = builtin_macros(c->macros);
    DEBUG("configuration file is %s", c->config_file);
    if (conf_load(c->config_file, c->macros, &err) < 0)
        fatal_config(gstr_str(&err));
    gstr_truncate(&err, 0);
    if (log_setup(&main_config, &err) < 0) {
        const char *opt = strncmp(err.s, "log_selector", 12) == 0
                              ? "log_selector"
                              : "log_file_path";
        if (conf_option_origin(opt, &file, &line) == 0)
            fatal_config(arena_printf(arena_perm, "%s:%d: %s", file, line,
                                      gstr_str(&err)));
        fatal_config(gstr_str(&err));
    }
    gstr_truncate(&err, 0);
    registry_acl_init();
    if (acl_check_config(&err) < 0)
        fatal_config(gstr_str(&err));
    if (retry_conf_check(&err) < 0)
        fatal_config(gstr_str(&err));
    if (dns_setup(&err) < 0)
        fatal_config(gstr_str(&err));
    deliver_verify_init();
    if (priv_init(&err) < 0)
        fatal_config(gstr_str(&err));
}

/* Who this process runs as, when root started it (priv(3)): the
 * testing and printing modes stay the caller's, as in Exim; -bh reads
 * from a client and delivers nothing, so it drops for good; -bs and
 * local submission receive in a child that drops and hand their
 * messages to a root parent; the rest (daemon, delivery, queue
 * listing and actions) run lowered. */
static void
set_privilege(enum mode m)
{
    switch (m) {
    case MODE_NONE:
    case MODE_VERSION:
    case MODE_PRINT:
    case MODE_EXPAND:
        return;
    case MODE_SMTP_BH:
        priv_drop();
        return;
    case MODE_SMTP_BS:
    case MODE_SUBMIT:
        priv_make_spool();
        handoff_split(m == MODE_SUBMIT);
        return;
    case MODE_DAEMON:
        priv_make_spool();
        priv_lower();
        return;
    default:
        priv_lower();
        return;
    }
}

/* ALT_CONFIG_PREFIX (a build option, as Exim's): a -C file must be
 * under it, without "/../" (root may name /dev/null). */
static void
check_alt_config(const char *file)
{
#ifdef ALT_CONFIG_PREFIX
    if (strcmp(file, CONFIGURE_FILE) == 0)
        return;
    if (strncmp(file, ALT_CONFIG_PREFIX, strlen(ALT_CONFIG_PREFIX)) == 0 &&
        strstr(file, "/../") == NULL)
        return;
    if (strcmp(file, "/dev/null") == 0 && getuid() == 0)
        return;
    fprintf(stderr, "mxlab: -C Permission denied\n");
    exit(1);
#else
    (void)file;
#endif
}

static void
print_driver_names(gstr *out, const char *label, const struct driver_class *cls)
{
    gstr_adds(out, label);
    for (size_t i = 0; i < cls->ndrivers; i++) {
        const char *name = cls->drivers[i]->name;
        gstr_printf(out, " %s", name);
        if (strcmp(name, "appendfile") == 0)
            gstr_adds(out, "/maildir");
    }
    gstr_addc(out, '\n');
}

static int
mode_version(struct cmdline *c)
{
    gstr out;

    gstr_init(&out, arena_perm);
    gstr_printf(&out, "mxlab version %s (Exim %s compatible)\n", MXLAB_VERSION,
                MXLAB_EXIM_COMPAT);
    gstr_adds(&out, "Copyright (c) the mxlab authors; licensed under "
                    "GPL-2.0-or-later\n");
    gstr_adds(&out, "Support for: OpenSSL PCRE2 IPv6");
    for (size_t i = 0; i < registry_nfeatures; i++)
        gstr_printf(&out, " %s", registry_features[i]->support_name);
    gstr_addc(&out, '\n');
    if (registry_lookups[0] != NULL) {
        gstr_adds(&out, "Lookups (built-in):");
        for (size_t i = 0; registry_lookups[i] != NULL; i++)
            gstr_printf(&out, " %s", registry_lookups[i]);
        gstr_addc(&out, '\n');
    }
    print_driver_names(&out, "Authenticators:", &auth_class);
    print_driver_names(&out, "Routers:", &router_class);
    print_driver_names(&out, "Transports:", &transport_class);
    fputs(gstr_str(&out), stdout);
    fflush(stdout);
    /* As Exim, what was built in is shown even when the configuration
     * then turns out to be missing or wrong. */
    load_config(c);
    printf("Configuration file is %s\n", c->config_file);
    return 0;
}

static int
print_macros(gstr *out, const char *only)
{
    int found = 0;

    /* The list is newest first; print in definition order. */
    size_t n = 0;
    for (struct conf_macro *m = config->macros; m != NULL; m = m->next)
        n++;
    struct conf_macro **v = arena_alloc(arena_perm, (n + 1) * sizeof(*v));
    n = 0;
    for (struct conf_macro *m = config->macros; m != NULL; m = m->next)
        v[n++] = m;
    while (n-- > 0) {
        if (only == NULL ? v[n]->builtin : strcmp(v[n]->name, only) != 0)
            continue;
        gstr_printf(out, "%s=%s\n", v[n]->name, v[n]->value);
        found = 1;
    }
    return found || only == NULL ? 0 : -1;
}

static const char *
instance_kind(const char *word, int *all, int *names)
{
    static const char *const kinds[] = {"router", "transport", "authenticator"};

    *all = *names = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(kinds[i]);
        if (strncmp(word, kinds[i], n) != 0)
            continue;
        if (word[n] == '\0')
            return kinds[i];
        if (strcmp(word + n, "s") == 0) {
            *all = 1;
            return kinds[i];
        }
        if (strcmp(word + n, "_list") == 0) {
            *names = 1;
            return kinds[i];
        }
    }
    return NULL;
}

static int
is_named_list_word(const char *w)
{
    return strcmp(w, "domainlist") == 0 || strcmp(w, "hostlist") == 0 ||
           strcmp(w, "addresslist") == 0 || strcmp(w, "localpartlist") == 0;
}

/* Prints one -bP item; returns the number of arguments used, or -1. */
static int
print_item(gstr *out, char **args, int nargs)
{
    const char *w = args[0];
    const char *kind;
    int all, names;

    if ((kind = instance_kind(w, &all, &names)) != NULL) {
        if (names) {
            conf_print_instance_names(out, kind);
            return 1;
        }
        if (all)
            return conf_print_instance(out, kind, NULL) == 0 ? 1 : -1;
        if (nargs < 2) {
            fprintf(stderr, "mxlab: -bP %s needs the name of a %s\n", w, w);
            return -1;
        }
        if (conf_print_instance(out, kind, args[1]) < 0) {
            fprintf(stderr, "mxlab: -bP: no %s named \"%s\"\n", kind, args[1]);
            return -2;
        }
        return 2;
    }
    if (strcmp(w, "macros") == 0)
        return print_macros(out, NULL) == 0 ? 1 : -1;
    if (strcmp(w, "macro") == 0 || is_named_list_word(w)) {
        if (nargs < 2) {
            fprintf(stderr, "mxlab: -bP %s needs a name\n", w);
            return -1;
        }
        int r = strcmp(w, "macro") == 0
                    ? print_macros(out, args[1])
                    : conf_print_named_list(out, w, args[1]);
        if (r < 0) {
            fprintf(stderr, "mxlab: -bP: no %s named \"%s\"\n", w, args[1]);
            return -2;
        }
        return 2;
    }
    if (conf_print_main_option(out, w) < 0) {
        fprintf(stderr, "mxlab: -bP: \"%s\" is not a main option\n", w);
        return -1;
    }
    return 1;
}

static int
mode_print(struct cmdline *c)
{
    gstr out;
    int status = 0;

    gstr_init(&out, arena_perm);
    if (c->nargs == 0)
        conf_print_all_main(&out);
    for (int i = 0; i < c->nargs;) {
        int used = print_item(&out, c->args + i, c->nargs - i);
        if (used < 0) {
            status = 1;
            used = -used;
        }
        i += used;
    }
    fputs(gstr_str(&out), stdout);
    return status;
}

int
main(int argc, char **argv)
{
    struct cmdline c;

    msg_init("mxlab");
    arena_perm_init();
    memset(&c, 0, sizeof(c));
    c.config_file = CONFIGURE_FILE;
    cmdline_parse(&c, argc, argv);
    check_alt_config(c.config_file);
    if (c.mode != MODE_VERSION)
        load_config(&c);
    deliver_odmode = c.submit.delivery;
    /* A delivery run from the command line has a caller to tell (for
     * -odi submissions, see receive_cli_submit()). */
    if (c.mode == MODE_DELIVER)
        log_panic_to_stderr(1);
    set_privilege(c.mode);
    switch (c.mode) {
    case MODE_VERSION:
        return mode_version(&c);
    case MODE_PRINT:
        return mode_print(&c);
    case MODE_EXPAND:
        return expand_test_mode(c.args, c.nargs, c.message_file);
    case MODE_SMTP_BS:
        return smtp_mode_bs();
    case MODE_SMTP_BH:
        return smtp_mode_bh(c.bh_host);
    case MODE_DAEMON:
        c.daemon.argv = argv;
        return smtp_mode_daemon(&c.daemon);
    case MODE_SUBMIT:
        return receive_cli_submit(&c.submit, c.args, c.nargs);
    case MODE_QUEUE_LIST:
        return spool_cli_list(c.mode_flag, c.args, c.nargs);
    case MODE_MSG_ACTION:
        return spool_cli_action(c.mode_flag, c.args, c.nargs);
    case MODE_DELIVER:
        return deliver_cli_run(c.mode_flag, c.args, c.nargs);
    case MODE_ADDR_TEST:
        return deliver_cli_address_test(c.args, c.nargs, c.submit.sender);
    case MODE_RETRY_DB:
        return retry_cli_run(c.mode_flag, c.args, c.nargs);
    case MODE_NONE:
        break;
    }
    return 1;
}
