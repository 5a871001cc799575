/*++
 * NAME
 *	fuzz-smtp 1
 * SUMMARY
 *	libFuzzer target for the SMTP server's command loop
 * SYNOPSIS
 *	make fuzz-smtp [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is what a client sends on one connection. It is fed,
 *	through a pipe, to a whole SMTP session run as "mxlab -bh" runs
 *	one (ACLs, authenticators and all; a message accepted after DATA
 *	or BDAT is thrown away instead of spooled), from the client
 *	192.0.2.7 port 1234, with every extension the server has turned
 *	on for that client: PIPELINING, CHUNKING, SIZE, 8BITMIME, DSN,
 *	LIMITS, AUTH (PLAIN and LOGIN, plaintext), and XCLIENT. Synchron-
 *	isation checks are off, so that a whole input reaches the command
 *	loop rather than stopping at the first pipelined command.
 *
 *	The server's replies go to /dev/null, and so do its log lines
 *	(log_to_fd()), but every reply and log line is still built and
 *	escaped. DNS queries go to a closed port on the loopback, so
 *	nothing waits for a time-out. TLS is not advertised: a handshake
 *	over a pipe would only fail.
 *
 *	Anything a sanitizer reports, a crash, a leak, or an input that
 *	takes longer than the time-out is a bug in the server.
 *--*/

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/msg.h"
#include "conf/conf.h"
#include "conf/mainopts.h"
#include "dns/dns.h"
#include "log/log.h"
#include "smtp/session.h"

#include "fuzz_dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs longer than a pipe holds would need a writer thread; 60 KB is
 * plenty to reach every command. */
#define FUZZ_MAX_INPUT (60 * 1024)

static const char fuzz_config[] =
    "primary_hostname = mx.test.ex\n"
    "qualify_domain = test.ex\n"
    "smtp_enforce_sync = false\n"
    "smtp_max_synprot_errors = 50\n"
    "smtp_max_unknown_commands = 50\n"
    "tls_advertise_hosts =\n"
    "auth_advertise_hosts = *\n"
    "chunking_advertise_hosts = *\n"
    "hosts_xclient = *\n"
    "dsn_advertise_hosts = *\n"
    "helo_accept_junk_hosts = 192.0.2.0/24\n"
    "message_size_limit = 1M\n"
    "recipients_max = 20\n"
    "acl_smtp_helo = helo\n"
    "acl_smtp_mail = mail\n"
    "acl_smtp_rcpt = rcpt\n"
    "acl_smtp_predata = predata\n"
    "acl_smtp_data = data\n"
    "acl_smtp_auth = accept\n"
    "acl_smtp_quit = quit\n"
    "acl_smtp_notquit = notquit\n"
    "begin acl\n"
    "helo:\n"
    "  warn    set acl_c_helo = $sender_helo_name\n"
    "  accept\n"
    "mail:\n"
    "  deny    senders = *@bad.example\n"
    "          message = refused <$sender_address> from $sender_helo_name\n"
    "  accept\n"
    "rcpt:\n"
    "  deny    local_parts = ^.*[@%!/|] : ^\\\\.\n"
    "  deny    !authenticated = *\n"
    "          !hosts = 192.0.2.0/24\n"
    "          message = relay not permitted for $local_part@$domain\n"
    "  accept  domains = test.ex\n"
    "          set acl_m_r = $acl_m_r $local_part\n"
    "  defer   domains = defer.example\n"
    "  accept\n"
    "predata:\n"
    "  accept\n"
    "data:\n"
    "  warn    add_header = X-Client: $sender_rcvhost $authenticated_id\n"
    "  deny    condition = ${if def:h_X-Bad:}\n"
    "          message = bad header $h_X-Bad:\n"
    "  accept\n"
    "quit:\n"
    "  accept  logwrite = quit $sender_fullhost\n"
    "notquit:\n"
    "  accept  logwrite = notquit $smtp_notquit_reason\n"
    "begin authenticators\n"
    "plain:\n"
    "  driver = plaintext\n"
    "  public_name = PLAIN\n"
    "  server_prompts = :\n"
    "  server_condition = ${if and {{eq{$auth2}{alice}}"
    "{eq{$auth3}{secret}}}}\n"
    "  server_set_id = $auth2\n"
    "login:\n"
    "  driver = plaintext\n"
    "  public_name = LOGIN\n"
    "  server_prompts = Username:: : Password::\n"
    "  server_condition = ${if eq{$auth2}{secret}}\n"
    "  server_set_id = $auth1\n";

static int null_fd = -1;
static char dir[] = "/tmp/mxlab-fuzz-smtp-XXXXXX";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path, *text;
    int fd;
    gstr err;

    (void)argc;
    (void)argv;
    msg_init("fuzz-smtp");
    arena_perm_init();
    /* A spool of its own, removed at exit: DATA writes the message there
     * before the data ACL, even under -bh. */
    if (fuzz_dir_make(dir) < 0)
        msg_fatal("cannot make a directory %s", dir);
    path = arena_printf(arena_perm, "%s/fuzz.conf", dir);
    text = arena_printf(arena_perm, "spool_directory = %s/spool\n%s", dir,
                        fuzz_config);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
        write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        msg_fatal("cannot write the configuration %s", path);
    close(fd);
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0)
        msg_fatal("configuration: %s", gstr_str(&err));
    unlink(path);
    mkdir(arena_printf(arena_perm, "%s/spool", dir), 0700);
    if ((null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        msg_fatal("cannot open /dev/null");
    log_to_fd(null_fd);
    return dns_set_server("127.0.0.1 1", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct smtp_session s;
    int in[2];

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (pipe(in) < 0)
        msg_fatal("pipe");
    fcntl(in[1], F_SETPIPE_SZ, FUZZ_MAX_INPUT + 4096);
    if (size > 0 && write(in[1], data, size) != (ssize_t)size)
        msg_fatal("short write into the input pipe");
    close(in[1]);
    smtp_session_init(&s, SMTP_MODE_BH, in[0], null_fd);
    s.host_address = "192.0.2.7";
    s.host_port = 1234;
    (void)smtp_session_run(&s);
    smtp_session_free(&s);
    close(in[0]);
    return 0;
}
