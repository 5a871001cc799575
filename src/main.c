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
 *	mxlab [-C file] -bv|-bvs address ... | -brw address
 *	mxlab [-C file] [-oMa ip] [-oMi ip] [-oMs name] ... -bs | -bh ip
 *	mxlab [-C file] -R[flags] string | -S[flags] string
 *	mxlab --help
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
 *	their names. "-bP macros" lists the macros, predefined ones first
 *	(src/conf/macros.c), "macro_list" their names, "-bP macro NAME" one,
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
 * .IP "-bv, -bvs"
 *	Address verification (src/deliver/cli.c).
 * .IP -brw
 *	Rewrite testing: what the "begin rewrite" rules make of the
 *	address in each header and envelope field (src/rewrite/brw.c).
 * .IP "-oMa, -oMaa, -oMai, -oMas, -oMi, -oMs"
 *	The client's identity for -bs (trusted callers) and -bh (see
 *	src/smtp/modes.c); -oMr and -oMt belong to local submission too.
 * .IP "-bhc"
 *	As -bh, saying that callouts are not done.
 * .IP "-R..., -S..., -qR..., -qS..."
 *	Selective queue runs (src/deliver/cli.c).
 * .IP --help
 *	Lists the options.
 * DIAGNOSTICS
 *	A configuration error is printed as "mxlab: FILE:LINE: message"
 *	and the exit status is 1. An unknown command-line option, or one
 *	missing its argument, is reported with a hint, exit status 1
 *	also. -bP of an unknown name prints a message on stderr, carries
 *	on with the rest, and exits 1.
 *--*/

#include <ctype.h>
#include <limits.h>
#include <malloc.h>
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
#include "expand/expand.h"
#include "expand/betest.h"
#include "log/log.h"
#include "priv/handoff.h"
#include "priv/priv.h"
#include "receive/cli.h"
#include "dkim/dkim_sign.h"
#include "registry.h"
#include "retry/retry_cli.h"
#include "retry/retry_conf.h"
#include "rewrite/rewrite.h"
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
    MODE_VERIFY,     /* -bv, -bvs: src/deliver/cli.c */
    MODE_REWRITE,    /* -brw */
    MODE_HELP,       /* --help */
};

struct cmdline {
    const char *config_file;
    struct conf_macro *macros;
    enum mode mode;
    char **args; /* what follows the mode flag */
    int nargs;
    const char *message_file;     /* -bem */
    const char *bh_host;          /* -bh */
    int bh_callout;               /* -bhc */
    int verify_sender;            /* -bvs */
    struct smtp_forced_id forced; /* -oMa, -oMaa ... */
    struct daemon_opts daemon;    /* -bd, -bdf, -oX, -oP */

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
                    "-bV | -bP [name ...]\n"
                    "mxlab: \"mxlab --help\" lists every option\n");
    exit(1);
}

/* A missing argument: one line, as Exim's exim_fail() (no usage). */
static void
missing_argument(const char *fmt, const char *arg)
{
    fprintf(stderr, "mxlab: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
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

/* -oMa, -oMaa, -oMai, -oMas, -oMi, -oMs (-oMr and -oMt are the local
 * submission's, src/receive/cli_submit.c): 1 if a is one, with its
 * argument taken. */
static int
forced_option(struct cmdline *c, int argc, char **argv, int *i)
{
    static const char *const names[] = {"a", "aa", "ai", "as", "i", "s"};
    const char *a = argv[*i], *rest = a + 3;
    size_t k;

    for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(rest, names[k]) == 0)
            break;
    if (k == sizeof(names) / sizeof(names[0]))
        return 0;
    if (*i + 1 >= argc)
        missing_argument("data expected after %s", a);
    const char *v = argv[++*i];
    switch (k) {
    case 0:
        c->forced.host_address = v;
        break;
    case 1:
        c->forced.auth_name = v;
        break;
    case 2:
        c->forced.auth_id = v;
        break;
    case 3:
        c->forced.auth_sender = v;
        break;
    case 4:
        c->forced.interface_address = v;
        break;
    default:
        c->forced.host_name = v;
        break;
    }
    return 1;
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
        } else if (strcmp(a, "--help") == 0) {
            cmdline_set_mode(c, MODE_HELP, a);
        } else if (strncmp(a, "-oM", 3) == 0 &&
                   forced_option(c, argc, argv, &i)) {
            continue;
        } else if (strcmp(a, "-bv") == 0 || strcmp(a, "-bvs") == 0) {
            cmdline_set_mode(c, MODE_VERIFY, a);
            c->verify_sender = a[3] == 's';
        } else if (strcmp(a, "-brw") == 0) {
            cmdline_set_mode(c, MODE_REWRITE, a);
        } else if ((sub = deliver_cli_select_option(argc, argv, &i)) != 0) {
            if (sub < 0)
                missing_argument("string expected after %s", a);
            /* -R/-S alone: one queue run; with -q<time> or -q: those runs */
            if (c->mode == MODE_NONE) {
                cmdline_set_mode(c, MODE_DELIVER, a);
                c->mode_flag = "-q";
            } else if (c->mode != MODE_DELIVER || c->mode_flag[1] != 'q') {
                if (c->mode != MODE_DAEMON)
                    usage_error("%s: only one mode option (-bV, -bP ...) may "
                                "be given",
                                a);
            }
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
        } else if (strcmp(a, "-bh") == 0 || strcmp(a, "-bhc") == 0) {
            cmdline_set_mode(c, MODE_SMTP_BH, a);
            c->bh_callout = a[3] == 'c';
            /* as Exim: of -bh and -oMa, the later one gives the address */
            c->forced.host_address = NULL;
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
            if (a[1] == 'q' && c->mode == MODE_DELIVER &&
                c->mode_flag[1] == 'q') {
                c->mode_flag = a; /* -R x -qf: a forced selective run */
                continue;
            }
            cmdline_set_mode(c, MODE_DELIVER, a);
            c->mode_flag = a;
            if (a[1] == 'q')
                continue; /* -R or -S may follow */
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
    c->macros = conf_builtin_macros(c->macros);
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
    if (rewrite_conf_check(&err) < 0)
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

/* Under +arguments, as Exim: "cwd=DIR N args: ARG ...", the working
 * directory mxlab was started in and its command line, an argument
 * that is empty or holds a space in double quotes (log_write() escapes
 * what does not print). Only the modes that do something are logged:
 * not the tests (-be, -bh, -bt, -bv, -brw), -bP, -bV or the hints
 * tools. Exim breaks a line longer than its 16 KiB buffer into pieces
 * joined by "..."; mxlab writes it whole. */
static void
log_arguments(enum mode m, const char *cwd, int argc, char **argv)
{
    gstr g;

    if (!log_selected(LS_arguments) ||
        (m != MODE_SMTP_BS && m != MODE_DAEMON && m != MODE_SUBMIT &&
         m != MODE_QUEUE_LIST && m != MODE_MSG_ACTION && m != MODE_DELIVER))
        return;
    gstr_init(&g, arena_perm);
    gstr_printf(&g, "cwd=%s %d args:", cwd != NULL ? cwd : " (failed)", argc);
    for (int i = 0; i < argc; i++) {
        const char *q = argv[i][0] == '\0' || strchr(argv[i], ' ') ? "\"" : "";
        gstr_printf(&g, " %s%s%s", q, argv[i], q);
    }
    log_write(LOG_MAIN, "%s", gstr_str(&g));
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

/* As Exim: the predefined macros (in the order conf_builtin_macros()
 * gives them), then -D and the file's, in definition order. */
static int
print_macros(gstr *out, const char *only, int names_only)
{
    size_t n = 0, k = 0;
    struct conf_macro **v;

    for (struct conf_macro *m = config->macros; m != NULL; m = m->next)
        n++;
    v = arena_alloc(arena_perm, (n + 1) * sizeof(*v));
    /* The list is newest first: builtins at its tail, already in
     * Exim's order; the others are reversed into definition order. */
    for (struct conf_macro *m = config->macros; m != NULL; m = m->next)
        if (!m->builtin)
            v[k++] = m;
    for (size_t i = 0; i < k / 2; i++) {
        struct conf_macro *t = v[i];
        v[i] = v[k - 1 - i];
        v[k - 1 - i] = t;
    }
    {
        size_t nuser = k;
        memmove(v + (n - nuser), v, nuser * sizeof(*v));
        k = 0;
        for (struct conf_macro *m = config->macros; m != NULL; m = m->next)
            if (m->builtin)
                v[k++] = m;
        k = n;
    }
    for (size_t i = 0; i < k; i++) {
        if (only != NULL && strcmp(v[i]->name, only) != 0)
            continue;
        if (names_only)
            gstr_printf(out, "%s\n", v[i]->name);
        else
            gstr_printf(out, "%s=%s\n", v[i]->name, v[i]->value);
        if (only != NULL)
            return 0;
    }
    if (only == NULL)
        return 0;
    gstr_printf(out, "macro %s not found\n", only);
    return -1;
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
    if (strcmp(w, "macros") == 0 || strcmp(w, "macro_list") == 0)
        return print_macros(out, NULL, w[5] == '_') == 0 ? 1 : -1;
    if (strcmp(w, "macro") == 0 || is_named_list_word(w)) {
        if (nargs < 2) {
            fprintf(stderr, "mxlab: -bP %s needs a name\n", w);
            return -1;
        }
        int r = strcmp(w, "macro") == 0
                    ? print_macros(out, args[1], 0)
                    : conf_print_named_list(out, w, args[1]);
        if (r < 0) {
            if (strcmp(w, "macro") != 0) /* that one says it on stdout */
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

/* -brw address: as Exim, only the first argument counts. */
static int
mode_rewrite_test(struct cmdline *c)
{
    struct arena *a = arena_create();
    struct expand_ctx x;

    if (c->nargs == 0) {
        printf("-brw needs an address argument\n");
        return 1;
    }
    expand_ctx_init(&x, a);
    log_stamped_to_stderr(1);
    rewrite_test(&x, rewrite_global(), c->args[0]);
    arena_destroy(a);
    return 0;
}

static const char help_text[] =
    "usage: mxlab [options] [address ...]\n"
    "Configuration:\n"
    "  -C file           use this configuration file\n"
    "  -D name[=value]   define a macro\n"
    "  -d                debugging output on stderr\n"
    "  -N                do not deliver, log with \"*>\"\n"
    "Information:\n"
    "  -bV               version, what is built in, configuration check\n"
    "  -bP [name ...]    print options, drivers, macros, named lists\n"
    "  -be [string ...]  expansion test; -bem file: with a message\n"
    "  -bt address ...   address test (routing)\n"
    "  -bv address ...   verify recipients; -bvs: senders\n"
    "  -brw address      rewrite test\n"
    "  --help            this text\n"
    "SMTP:\n"
    "  -bs               SMTP session on stdin/stdout\n"
    "  -bh ip[.port]     host checking session; -bhc: the same, no callouts\n"
    "  -bd, -bdf         daemon (-bdf: in the foreground)\n"
    "  -oX ports         daemon ports; -oP file: pid file\n"
    "  -oMa ip[.port]    client address (trusted callers, -bs; and -bh)\n"
    "  -oMaa name        authenticator; -oMai id: authenticated id\n"
    "  -oMas address     authenticated sender of a local message (trusted)\n"
    "  -oMi ip[.port]    local interface; -oMs name: client host name\n"
    "  -oMr protocol     received protocol; -oMt ident: sender ident\n"
    "Submission:\n"
    "  address ...       read a message from stdin for the addresses\n"
    "  -t                take recipients from the headers\n"
    "  -f sender         envelope sender; -F name: full name\n"
    "  -i, -oi, -oitrue  a line with \".\" does not end the message\n"
    "  -bm, -om, -oo     accepted (sendmail's), no effect\n"
    "  -odb, -odf, -odi, -odq   delivery mode\n"
    "  -oem, -oee, -oew, -oep, -oeq   errors: mailed to the sender, or "
    "stderr\n"
    "Queue:\n"
    "  -bp, -bpc, -bpu, -bpa, -bpi, -bpr...   list the queue\n"
    "  -q, -qf, -qff     queue run; -qq...: two stages\n"
    "  -q<time>          with -bd: a queue run every <time>\n"
    "  -R[f|ff|r...] string, -qR...   run for matching recipients\n"
    "  -S[f|ff|r...] string, -qS...   run for matching senders\n"
    "  -M id ...         deliver now; -Mc: respecting retry and frozen\n"
    "  -Mg id ...        give up (bounce)\n"
    "  -Mf, -Mt id ...   freeze, thaw\n"
    "  -Mrm id ...       remove\n"
    "  -Mar id addr ...  add recipients; -Mes id addr: edit sender\n"
    "  -Mmd id addr ...  mark delivered; -Mmad id ...: all of them\n"
    "  -Mvh, -Mvb, -Mvl, -Mvc id   show header, body, log, whole message\n"
    "Hints:\n"
    "  -dumpdb [retry], -tidydb [-t time] [retry]\n";

int
main(int argc, char **argv)
{
    struct cmdline c;
    static char cwd_buf[PATH_MAX];
    const char *cwd = getcwd(cwd_buf, sizeof(cwd_buf)); /* initial_cwd */

    /* A fixed mmap threshold: glibc's moving one rises when a large
     * block is freed, and then the retry database's 2 MiB calloc() in
     * every delivery process came from the heap and was cleared page by
     * page (a memset and 512 page faults per message delivered). */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* Nor is the heap's top handed back to the kernel after each
     * message, only to be asked for (and its pages faulted in) again
     * for the next: three brk() calls a message in a session. */
    mallopt(M_TRIM_THRESHOLD, 512 * 1024);
    msg_init("mxlab");
    arena_perm_init();
    memset(&c, 0, sizeof(c));
    c.config_file = CONFIGURE_FILE;
    cmdline_parse(&c, argc, argv);
    if (c.mode == MODE_HELP) {
        fputs(help_text, stdout);
        return 0;
    }
    check_alt_config(c.config_file);
    if (c.mode != MODE_VERSION)
        load_config(&c);
    deliver_odmode = c.submit.delivery;
    /* A delivery run from the command line has a caller to tell (for
     * -odi submissions, see receive_cli_submit()). */
    if (c.mode == MODE_DELIVER)
        log_panic_to_stderr(1);
    set_privilege(c.mode);
    log_arguments(c.mode, cwd, argc, argv);
    switch (c.mode) {
    case MODE_VERSION:
        return mode_version(&c);
    case MODE_PRINT:
        return mode_print(&c);
    case MODE_EXPAND:
        return expand_test_mode(c.args, c.nargs, c.message_file);
    case MODE_SMTP_BS:
        c.forced.ident = c.submit.ident;
        return smtp_mode_bs(&c.forced);
    case MODE_SMTP_BH:
        c.forced.ident = c.submit.ident;
        if (c.bh_callout)
            fprintf(stderr, "mxlab: -bhc: callouts are not implemented; the "
                            "session runs as with -bh\n");
        return smtp_mode_bh(c.bh_host, &c.forced);
    case MODE_VERIFY:
        return deliver_cli_verify(c.args, c.nargs, c.verify_sender,
                                  c.submit.sender);
    case MODE_REWRITE:
        return mode_rewrite_test(&c);
    case MODE_HELP:
        return 0; /* printed before the configuration was read */
    case MODE_DAEMON:
        c.daemon.argv = argv;
        return smtp_mode_daemon(&c.daemon);
    case MODE_SUBMIT:
        c.submit.auth_sender = c.forced.auth_sender;
        c.submit.auth_id = c.forced.auth_id;
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
