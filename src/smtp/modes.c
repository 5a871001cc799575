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
 *	lines go to standard error, each as "LOG: " and the line without
 *	its time stamp, as Exim prints them, among the ">>> " trace of
 *	the ACLs run (acl_trace).
 *
 *	The -oM options (struct smtp_forced_id) set the client's identity
 *	as Exim's do: -oMa the client's address and port (with -bs the
 *	session is then a remote one: "esmtp", not "local-esmtp"), -oMi
 *	the local end, -oMs its host name (no lookup is made), -oMt the
 *	ident, -oMaa and -oMai the authenticator and $authenticated_id
 *	as if it had authenticated. For -bs they count only when the
 *	caller is trusted (root, exim_user, or in trusted_users), and
 *	are ignored otherwise, as in Exim; -bh always takes them, and of
 *	-bh and -oMa the one given later sets the address. -oMas is read,
 *	and, as in Exim, reset by the first MAIL of a session.
 * DIAGNOSTICS
 *	A bad -bh, -oMa or -oMi address is reported ("mxlab abandoned: "X"
 *	is not an IP address", Exim's words) and the exit status is 1.
 *	Once a -bh session has started, the exit status is 0 however it
 *	ends, as in Exim.
 *--*/

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/list.h"
#include "conf/mainopts.h"
#include "expand/ip.h"
#include "expand/match.h"
#include "log/log.h"
#include "priv/priv.h"
#include "smtp/modes.h"
#include "smtp/session.h"
#include "smtp/smtp_int.h"

static char *
caller_login(struct arena *a)
{
    const char *login = priv_caller_login();

    if (login != NULL)
        return arena_strdup(a, login);
    return arena_printf(a, "%ld", (long)priv_caller_uid());
}

/* "IP", "IP.PORT" or "[IP]:PORT" into *addr and *port; 0, or -1. */
static int
split_address(struct arena *ar, const char *text, char **addr, int *port)
{
    unsigned char a[16];
    char *copy = arena_strdup(ar, text), *p;
    int family;

    *port = 0;
    if (copy[0] == '[' && (p = strchr(copy, ']')) != NULL) {
        *p = '\0';
        if (p[1] == ':' || p[1] == '.')
            *port = atoi(p + 2);
        else if (p[1] != '\0')
            return -1;
        copy++;
    } else if (!ip_parse(copy, a, &family) &&
               (p = strrchr(copy, '.')) != NULL) {
        *p = '\0';
        *port = atoi(p + 1);
    }
    *addr = copy;
    return ip_parse(copy, a, &family) ? 0 : -1;
}

/* root, exim_user, or a trusted_users login */
static int
caller_trusted(struct arena *ar)
{
    const char *login = caller_login(ar);
    struct list_iter it;
    char *u;

    /* The caller, not this process: reception has dropped to the exim
     * user by now. */
    if (priv_caller_uid() == 0)
        return 1;
    if (main_config.exim_user != NULL &&
        strcmp(main_config.exim_user, login) == 0)
        return 1;
    if (main_config.trusted_users == NULL)
        return 0;
    list_iter_init(&it, main_config.trusted_users, ':');
    while ((u = list_next(&it, ar)) != NULL)
        if (strcmp(u, login) == 0)
            return 1;
    return 0;
}

/* Applies the -oM options; -1 (reported) for a bad address. */
static int
apply_forced(struct smtp_session *s, const struct smtp_forced_id *f)
{
    char *addr;
    int port;

    if (f == NULL)
        return 0;
    if (f->host_address != NULL && s->host_address == NULL) {
        if (split_address(s->conn_arena, f->host_address, &addr, &port) < 0) {
            fprintf(stderr, "mxlab abandoned: \"%s\" is not an IP address\n",
                    f->host_address);
            return -1;
        }
        s->host_address = addr;
        s->host_port = port;
    }
    if (f->interface_address != NULL) {
        if (split_address(s->conn_arena, f->interface_address, &addr, &port) <
            0) {
            fprintf(stderr, "mxlab abandoned: \"%s\" is not an IP address\n",
                    f->interface_address);
            return -1;
        }
        s->interface_address = addr;
        s->interface_port = port;
    }
    if (f->host_name != NULL)
        s->host_name = arena_strdup(s->conn_arena, f->host_name);
    if (f->ident != NULL)
        s->ident = arena_strdup(s->conn_arena, f->ident);
    if (f->auth_name != NULL)
        s->authenticated_by = arena_strdup(s->conn_arena, f->auth_name);
    if (f->auth_id != NULL)
        s->authenticated_id = arena_strdup(s->conn_arena, f->auth_id);
    return 0;
}

int
smtp_mode_bs(const struct smtp_forced_id *f)
{
    struct smtp_session s;
    int r;

    smtp_session_init(&s, SMTP_MODE_BS, STDIN_FILENO, STDOUT_FILENO);
    s.ident = caller_login(s.conn_arena);
    if (caller_trusted(s.conn_arena) && apply_forced(&s, f) < 0) {
        smtp_session_free(&s);
        return 1;
    }
    r = smtp_session_run(&s);
    smtp_session_free(&s);
    return r == 0 ? 0 : 1;
}

int
smtp_mode_bh(const char *host, const struct smtp_forced_id *f)
{
    struct smtp_session s;
    unsigned char a[16];
    char *addr, *dot;
    int family, port = 0;

    smtp_session_init(&s, SMTP_MODE_BH, STDIN_FILENO, STDOUT_FILENO);
    addr = arena_strdup(s.conn_arena, host);
    if (!ip_parse(addr, a, &family) && (dot = strrchr(addr, '.')) != NULL) {
        *dot = '\0';
        port = atoi(dot + 1);
    }
    if (!ip_parse(addr, a, &family)) {
        fprintf(stderr, "mxlab abandoned: \"%s\" is not an IP address\n", host);
        smtp_session_free(&s);
        return 1;
    }
    /* an -oMa after -bh replaces its address (main.c), as in Exim */
    if (f == NULL || f->host_address == NULL) {
        s.host_address = addr;
        s.host_port = port;
    }
    if (apply_forced(&s, f) < 0) {
        smtp_session_free(&s);
        return 1;
    }
    log_to_stderr(1);
    acl_trace = match_trace = 1; /* Exim's ">>> " lines */
    smtp_host_in_named(&s, main_config.hosts_connection_nolog,
                       "hosts_connection_nolog");
    printf("\n**** SMTP testing session as if from host %s\n"
           "**** but without any ident (RFC 1413) callback.\n"
           "**** This is not for real!\n\n",
           s.host_address);
    fflush(stdout);
    (void)smtp_session_run(&s);
    smtp_session_free(&s);
    return 0; /* as Exim: however the test session ended */
}
