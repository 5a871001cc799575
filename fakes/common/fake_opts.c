/*++
 * NAME
 *	fake_opts 3
 * SUMMARY
 *	the command line every fake shares
 * SYNOPSIS
 *	#include "fake_opts.h"
 *
 *	void	fake_opts_parse(int argc, char **argv, struct fake_opts *o,
 *				const struct fake_program *p)
 *	void	fake_opts_help(const struct fake_program *p, FILE *fp)
 * DESCRIPTION
 *	Every fake takes the common options below, plus its own (the
 *	options table of p, each handed to its set() function with p->ctx).
 *	Options are --name VALUE or --name=VALUE.
 *
 *	--port N	listen on 127.0.0.1:N
 *	--listen SPEC	listen on SPEC (see fake_listen); may be repeated
 *	--unix PATH	listen on a unix-domain socket
 *	--script FILE	the behaviour script
 *	--transcript FILE	append the transcript to FILE
 *	--pid-file FILE	write the process id to FILE
 *	--fault MODE	a server-wide fault mode (see fake_fault)
 *	--timeout SECS	the I/O time-out for peers (default 60)
 *	--tls-cert FILE, --tls-key FILE	a certificate and key (PEM) for
 *			fakes that offer TLS
 *	--help		print the help and exit
 *
 *	fake_opts_help() prints the usage: p's summary, the common options,
 *	p's options, the fault modes and p->more_help (the script syntax).
 * DIAGNOSTICS
 *	A bad command line is reported with fake_msg_usage() (exit 2).
 *--*/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake_msg.h"
#include "fake_opts.h"

enum fake_opt_id {
    OPT_PORT,
    OPT_LISTEN,
    OPT_UNIX,
    OPT_SCRIPT,
    OPT_TRANSCRIPT,
    OPT_PID_FILE,
    OPT_FAULT,
    OPT_TIMEOUT,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
    OPT_HELP,
};

static const struct {
    const char *name;
    const char *arg;
    const char *help;
} fake_common_opts[] = {
    [OPT_PORT] = {"port", "N", "listen on 127.0.0.1 port N"},
    [OPT_LISTEN] = {"listen", "SPEC",
                    "listen on ADDR:PORT, [IPV6]:PORT or unix:PATH "
                    "(repeatable)"},
    [OPT_UNIX] = {"unix", "PATH", "listen on a unix-domain socket"},
    [OPT_SCRIPT] = {"script", "FILE", "the behaviour script"},
    [OPT_TRANSCRIPT] = {"transcript", "FILE",
                        "append everything received and sent to FILE"},
    [OPT_PID_FILE] = {"pid-file", "FILE", "write the process id to FILE"},
    [OPT_FAULT] = {"fault", "MODE", "misbehave on every connection (below)"},
    [OPT_TIMEOUT] = {"timeout", "SECS",
                     "give up on a silent peer after SECS (default 60)"},
    [OPT_TLS_CERT] = {"tls-cert", "FILE", "certificate chain (PEM) for TLS"},
    [OPT_TLS_KEY] = {"tls-key", "FILE",
                     "private key (PEM; default: in --tls-cert)"},
    [OPT_HELP] = {"help", NULL, "print this help and exit"},
};

#define FAKE_NCOMMON                                                           \
    (int)(sizeof(fake_common_opts) / sizeof(fake_common_opts[0]))

static void
fake_opts_print(FILE *fp, const char *name, const char *arg, const char *help)
{
    char left[40];

    snprintf(left, sizeof(left), "--%s%s%s", name, arg ? " " : "",
             arg ? arg : "");
    fprintf(fp, "  %-20s %s\n", left, help);
}

void
fake_opts_help(const struct fake_program *p, FILE *fp)
{
    const struct fake_option *x;
    int i;

    fprintf(fp, "Usage: %s [OPTION]...\n%s\n\nCommon options:\n", p->name,
            p->summary);
    for (i = 0; i < FAKE_NCOMMON; i++)
        fake_opts_print(fp, fake_common_opts[i].name, fake_common_opts[i].arg,
                        fake_common_opts[i].help);
    if (p->options && p->options[0].name) {
        fprintf(fp, "\nOptions of %s:\n", p->name);
        for (x = p->options; x->name; x++)
            fake_opts_print(fp, x->name, x->arg, x->help);
    }
    fprintf(fp, "\nFault modes (--fault):\n%s", fake_fault_help);
    fprintf(fp, "\nTranscript: one line per line received (N< ), sent (N> )"
                " or event (N* ),\nN the connection number; CRLF dropped, "
                "other control bytes escaped.\n");
    if (p->more_help)
        fprintf(fp, "\n%s", p->more_help);
}

static int
fake_opts_seconds(const char *text)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || v <= 0 || v > 86400)
        fake_msg_usage("bad time-out: %s", text);
    return (int)(v * 1000);
}

static void
fake_opts_set(struct fake_opts *o, int id, const char *value,
              const struct fake_program *p)
{
    if ((id == OPT_PORT || id == OPT_LISTEN || id == OPT_UNIX) &&
        o->nlisten >= FAKE_MAX_LISTEN)
        fake_msg_usage("too many listen addresses");
    switch (id) {
    case OPT_PORT:
    case OPT_LISTEN:
        o->listen[o->nlisten++] = value;
        break;
    case OPT_UNIX:
        if (value[0] != '/' && value[0] != '.') {
            size_t n = strlen(value) + 3;
            char *path = malloc(n);

            if (path == NULL)
                fake_msg_fatal("out of memory");
            snprintf(path, n, "./%s", value);
            value = path;
        }
        o->listen[o->nlisten++] = value;
        break;
    case OPT_SCRIPT:
        o->script = value;
        break;
    case OPT_TRANSCRIPT:
        o->transcript = value;
        break;
    case OPT_PID_FILE:
        o->pid_file = value;
        break;
    case OPT_FAULT:
        if (fake_fault_parse(value, &o->fault) < 0)
            fake_msg_usage("unknown fault mode: %s", value);
        break;
    case OPT_TIMEOUT:
        o->timeout_ms = fake_opts_seconds(value);
        break;
    case OPT_TLS_CERT:
        o->tls_cert = value;
        break;
    case OPT_TLS_KEY:
        o->tls_key = value;
        break;
    case OPT_HELP:
        fake_opts_help(p, stdout);
        exit(0);
    }
}

/* Finds option NAME (length len): common ones are ids >= 0, the fake's
 * own are -1 - index. */
static int
fake_opts_find(const char *name, size_t len, const struct fake_program *p,
               const char **arg)
{
    const struct fake_option *x;
    int i;

    for (i = 0; i < FAKE_NCOMMON; i++) {
        if (strlen(fake_common_opts[i].name) == len &&
            strncmp(fake_common_opts[i].name, name, len) == 0) {
            *arg = fake_common_opts[i].arg;
            return i;
        }
    }
    for (x = p->options; x && x->name; x++) {
        if (strlen(x->name) == len && strncmp(x->name, name, len) == 0) {
            *arg = x->arg;
            return -1 - (int)(x - p->options);
        }
    }
    fake_msg_usage("unknown option: --%.*s", (int)len, name);
}

void
fake_opts_parse(int argc, char **argv, struct fake_opts *o,
                const struct fake_program *p)
{
    const char *name, *eq, *value, *arg;
    size_t len;
    int i, id;

    memset(o, 0, sizeof(*o));
    o->timeout_ms = 60000;
    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0)
            fake_msg_usage("unexpected argument: %s", argv[i]);
        name = argv[i] + 2;
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        id = fake_opts_find(name, len, p, &arg);
        value = NULL;
        if (arg && eq)
            value = eq + 1;
        else if (arg && i + 1 < argc)
            value = argv[++i];
        else if (arg)
            fake_msg_usage("--%s needs a value", name);
        else if (eq)
            fake_msg_usage("--%.*s takes no value", (int)len, name);
        if (id >= 0)
            fake_opts_set(o, id, value, p);
        else
            p->options[-1 - id].set(p->ctx, value);
    }
    if (o->nlisten == 0 && o->fault.mode != FAKE_FAULT_NOLISTEN)
        fake_msg_usage("no --port, --listen or --unix given");
    if (o->tls_key && !o->tls_cert)
        fake_msg_usage("--tls-key without --tls-cert");
}
