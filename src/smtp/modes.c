/*++
 * NAME
 *	modes 3
 * SUMMARY
 *	-bs and -bh
 * SYNOPSIS
 *	#include "smtp/modes.h"
 *
 *	int	smtp_mode_bs(void)
 *	int	smtp_mode_bh(const char *host)
 * DESCRIPTION
 *	smtp_mode_bs() runs one SMTP session with the local caller on
 *	standard input and output, as "exim -bs" does for a program that
 *	submits mail by SMTP: no host address, the caller's login as the
 *	ident, the protocol "local-smtp" or "local-esmtp", and no
 *	synchronisation checks.
 *
 *	smtp_mode_bh() tests a host's treatment: the session runs as if
 *	from IP (and PORT, after a dot), ACLs and all, but messages are
 *	thrown away after the data ACL instead of being spooled, and log
 *	lines go to standard error, each as "LOG: " and the logs it would
 *	have gone to, then the line, as Exim prints them.
 * DIAGNOSTICS
 *	A bad -bh address is reported and the exit status is 1.
 *--*/

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "expand/ip.h"
#include "log/log.h"
#include "priv/priv.h"
#include "smtp/modes.h"
#include "smtp/session.h"

static char *
caller_login(struct arena *a)
{
    struct passwd *pw = getpwuid(priv_caller_uid());

    if (pw != NULL)
        return arena_strdup(a, pw->pw_name);
    return arena_printf(a, "%ld", (long)priv_caller_uid());
}

int
smtp_mode_bs(void)
{
    struct smtp_session s;
    int r;

    smtp_session_init(&s, SMTP_MODE_BS, STDIN_FILENO, STDOUT_FILENO);
    s.ident = caller_login(s.conn_arena);
    r = smtp_session_run(&s);
    smtp_session_free(&s);
    return r == 0 ? 0 : 1;
}

int
smtp_mode_bh(const char *host)
{
    struct smtp_session s;
    unsigned char a[16];
    char *addr, *dot;
    int family, port = 0, r;

    smtp_session_init(&s, SMTP_MODE_BH, STDIN_FILENO, STDOUT_FILENO);
    addr = arena_strdup(s.conn_arena, host);
    if (!ip_parse(addr, a, &family) && (dot = strrchr(addr, '.')) != NULL) {
        *dot = '\0';
        port = atoi(dot + 1);
    }
    if (!ip_parse(addr, a, &family)) {
        fprintf(stderr, "mxlab: -bh: \"%s\" is not an IP address\n", host);
        smtp_session_free(&s);
        return 1;
    }
    s.host_address = addr;
    s.host_port = port;
    log_to_stderr(1);
    printf("\n**** SMTP testing session as if from host %s\n"
           "**** but without any ident (RFC 1413) callback.\n"
           "**** This is not for real!\n\n",
           addr);
    fflush(stdout);
    r = smtp_session_run(&s);
    smtp_session_free(&s);
    return r == 0 ? 0 : 1;
}
