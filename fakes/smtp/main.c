/*++
 * NAME
 *	fake-smtp 1
 * SUMMARY
 *	a remote SMTP server driven by a script
 * SYNOPSIS
 *	fake-smtp --port N [--script FILE] [--transcript FILE]
 *		[--maildir DIR] [--hostname NAME] [--tls-cert FILE]
 *		[--tls-key FILE] [--tls-on-connect] [--fault MODE] ...
 * DESCRIPTION
 *	fake-smtp plays the remote SMTP server of a delivery: it greets,
 *	answers EHLO with the keywords a script lists, answers each command
 *	as the script says (or with a sensible default), stores each
 *	message it accepts under --maildir, and records everything in the
 *	transcript. See --help and docs/fakes.md.
 * DIAGNOSTICS
 *	Exit status 0 after SIGTERM, 1 for a script or set-up error, 2 for
 *	a bad command line.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/fake_msg.h"
#include "../common/fake_opts.h"
#include "../common/fake_server.h"
#include "../common/fake_tls.h"
#include "smtp_fake.h"

static const char smtp_script_help[] =
    "Script (--script FILE): one directive a line, # comments, indented\n"
    "lines continue a multi-line reply.\n"
    "  hostname NAME                  name in default replies\n"
    "  connection N | N-M | N+ | *    following lines apply to those "
    "connections\n"
    "  ehlo KEYWORD [PARAMS]...       EHLO keywords (ehlo none: no "
    "keywords)\n"
    "  STAGE [#N] [PATTERN] [delay=MS] [ACTION] [CODE TEXT]\n"
    "        STAGE: greeting helo ehlo mail rcpt data-cmd data bdat rset "
    "noop\n"
    "               quit vrfy expn help starttls auth unknown, command "
    "VERB\n"
    "        #N: only the Nth such command of a connection\n"
    "        PATTERN: glob on the argument (mail, rcpt: the address; <> "
    "null)\n"
    "        ACTION: drop hang garbage close-mid-reply\n"
    "  drop after STAGE [#N]          close after the reply to STAGE\n"
    "  drop during data [LINES]       close after LINES lines of a "
    "message\n"
    "Defaults: 220 greeting, 250 to HELO/EHLO/MAIL/RCPT/RSET/NOOP, 354 to "
    "DATA,\n"
    "250 after the message (stored as DIR/N with --maildir), 221 to QUIT,\n"
    "500 to unknown commands; EHLO offers PIPELINING 8BITMIME (STARTTLS "
    "with\n"
    "a certificate). A 421 reply closes the connection.\n"
    "Example:\n"
    "  greeting 220 remote.test.ex ESMTP\n"
    "  ehlo     PIPELINING SIZE 1000000 STARTTLS\n"
    "  rcpt     bob@remote.test.ex  250 OK\n"
    "  rcpt     *@remote.test.ex    550 5.1.1 no such user here\n"
    "  data     250 OK queued as 12345\n";

static struct smtp_config smtp_cfg;
static char smtp_greeting_name[256];
static struct fake_opts smtp_opts;

static void
smtp_set_maildir(void *ctx, const char *value)
{
    ((struct smtp_config *)ctx)->maildir = value;
}

static void
smtp_set_hostname(void *ctx, const char *value)
{
    ((struct smtp_config *)ctx)->hostname = value;
}

static void
smtp_set_tls_on_connect(void *ctx, const char *value)
{
    (void)value;
    ((struct smtp_config *)ctx)->tls_on_connect = 1;
}

static const struct fake_option smtp_options[] = {
    {"maildir", "DIR", "store each accepted message as DIR/1, DIR/2, ...",
     smtp_set_maildir},
    {"hostname", "NAME",
     "name in default replies (default: the script's hostname, else the "
     "first word of its greeting, else fake-smtp.test.ex)",
     smtp_set_hostname},
    {"tls-on-connect", NULL, "TLS from the start (SMTPS), needs --tls-cert",
     smtp_set_tls_on_connect},
    {NULL, NULL, NULL, NULL},
};

/* The name the greeting gives, so EHLO and QUIT agree with it. */
static const char *
smtp_default_hostname(const struct smtp_script *sc)
{
    int i;

    if (sc->hostname)
        return sc->hostname;
    for (i = 0; i < sc->nrules; i++) {
        const struct smtp_rule *r = &sc->rules[i];

        if (r->stage == SMTP_GREETING && r->conn_lo == 0 &&
            r->code / 100 == 2 && r->lines[0][0] && r->lines[0][0] != ' ') {
            snprintf(smtp_greeting_name, sizeof(smtp_greeting_name), "%.*s",
                     (int)strcspn(r->lines[0], " "), r->lines[0]);
            return smtp_greeting_name;
        }
    }
    return "fake-smtp.test.ex";
}

int
main(int argc, char **argv)
{
    struct fake_program prog = {
        "fake-smtp", "A remote SMTP server driven by a behaviour script.",
        smtp_options, &smtp_cfg, smtp_script_help};

    fake_msg_init(argv[0]);
    fake_opts_parse(argc, argv, &smtp_opts, &prog);
    smtp_script_load(smtp_opts.script, &smtp_cfg.script);
    if (smtp_cfg.hostname == NULL)
        smtp_cfg.hostname = smtp_default_hostname(&smtp_cfg.script);
    if (smtp_opts.tls_cert)
        smtp_cfg.tls =
            fake_tls_server_ctx(smtp_opts.tls_cert, smtp_opts.tls_key);
    if (smtp_cfg.tls_on_connect && smtp_cfg.tls == NULL)
        fake_msg_usage("--tls-on-connect needs --tls-cert");
    return fake_server_run(&smtp_opts, smtp_session_run, &smtp_cfg);
}
