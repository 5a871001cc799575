/*++
 * NAME
 *	fake-xclient-proxy 1
 * SUMMARY
 *	an nginx-like SMTP proxy that passes its clients on with XCLIENT
 * SYNOPSIS
 *	fake-xclient-proxy --port N --upstream HOST:PORT [--script FILE]
 *		[--transcript FILE] [--hostname NAME] [--fault MODE] ...
 * DESCRIPTION
 *	fake-xclient-proxy stands in front of an SMTP server as nginx's
 *	mail proxy does: it greets clients itself, may authenticate them
 *	(AUTH PLAIN and LOGIN against the script's users), then connects
 *	upstream, sends EHLO and XCLIENT with the client's values, the
 *	client's own EHLO, and relays the transaction. Which XCLIENT
 *	attributes it sends, in which order, with or without the "IPV6:"
 *	prefix or PORT, is up to the script; the default is nginx's
 *	"XCLIENT ADDR=... [LOGIN=...] NAME=...". See --help and
 *	docs/fakes.md.
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
#include "proxy.h"

static const char proxy_script_help[] =
    "Script (--script FILE): one directive a line, # comments.\n"
    "  hostname NAME        the proxy's name (greeting, EHLO reply, its "
    "EHLO upstream)\n"
    "  greeting TEXT        the 220 greeting's text\n"
    "  user NAME PASSWORD   a user AUTH PLAIN/LOGIN accepts (repeatable;\n"
    "                       with users, EHLO offers AUTH PLAIN LOGIN)\n"
    "  auth required|optional   MAIL needs AUTH first (default optional)\n"
    "  xclient ATTR...      XCLIENT attributes in this order (default:\n"
    "                       ADDR LOGIN NAME, as nginx); ATTR: ADDR NAME "
    "PORT\n"
    "                       LOGIN DESTADDR DESTPORT HELO PROTO; "
    "\"xclient none\":\n"
    "                       no XCLIENT. LOGIN is left out for a client "
    "that\n"
    "                       did not authenticate.\n"
    "  name VALUE           NAME's value (default [UNAVAILABLE])\n"
    "  addr VALUE, port VALUE, destaddr VALUE, destport VALUE, login "
    "VALUE\n"
    "                       send VALUE instead of the real one\n"
    "  ipv6-prefix yes|no   IPV6: before an IPv6 address (default yes)\n"
    "  fault no-ehlo        no EHLO after XCLIENT (MAIL at once)\n"
    "  fault drop-after-xclient   close upstream after XCLIENT's reply\n"
    "  fault xclient-line TEXT    send TEXT instead of the XCLIENT "
    "command\n"
    "Transcript: the client side with < and >, upstream with } (sent) "
    "and { (received).\n"
    "Example (nginx with a user list):\n"
    "  hostname proxy.test.ex\n"
    "  user     alice s3cret\n"
    "  xclient  ADDR LOGIN NAME\n";

static struct proxy_config cfg;
static struct fake_opts opts;

static void
set_upstream(void *ctx, const char *value)
{
    struct proxy_config *c = ctx;
    const char *colon = strrchr(value, ':');
    char *end;
    long port;

    if (colon == NULL || colon == value)
        fake_msg_usage("--upstream needs HOST:PORT");
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port <= 0 || port > 65535)
        fake_msg_usage("--upstream: bad port in \"%s\"", value);
    if (value[0] == '[' && colon[-1] == ']')
        c->upstream_host = fake_strndup(value + 1, (size_t)(colon - value - 2));
    else
        c->upstream_host = fake_strndup(value, (size_t)(colon - value));
    c->upstream_port = (int)port;
}

static void
set_hostname(void *ctx, const char *value)
{
    ((struct proxy_config *)ctx)->hostname = value;
}

static const struct fake_option proxy_options[] = {
    {"upstream", "HOST:PORT",
     "the SMTP server to pass clients on to (IPv4, or [IPv6]:PORT)",
     set_upstream},
    {"hostname", "NAME",
     "the proxy's name (default: the script's, else "
     "fake-xclient-proxy.test.ex)",
     set_hostname},
    {NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
    struct fake_program prog = {
        "fake-xclient-proxy",
        "An nginx-like SMTP proxy that passes clients on with XCLIENT.",
        proxy_options, &cfg, proxy_script_help};
    const char *hostname;

    fake_msg_init(argv[0]);
    fake_opts_parse(argc, argv, &opts, &prog);
    if (cfg.upstream_host == NULL)
        fake_msg_usage("--upstream HOST:PORT is required");
    hostname = cfg.hostname;
    proxy_script_load(opts.script, &cfg);
    if (hostname != NULL)
        cfg.hostname = hostname;
    if (cfg.hostname == NULL)
        cfg.hostname = "fake-xclient-proxy.test.ex";
    return fake_server_run(&opts, proxy_session_run, &cfg);
}
