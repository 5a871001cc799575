/*++
 * NAME
 *	recycle 3
 * SUMMARY
 *	a daemon's session process made ready for another connection
 * SYNOPSIS
 *	#include "smtp/recycle.h"
 *
 *	void	smtp_recycle_mark(int except_fd)
 *
 *	int	smtp_recycle(struct smtp_session *s, int result, int keep_fd)
 * DESCRIPTION
 *	A daemon's session process that has served a connection may serve
 *	another (smtp_process_max_use), so that the daemon need not fork,
 *	and the kernel tear down, a process for each connection.
 *	smtp_recycle() is called when the session s has ended (result:
 *	smtp_session_run()'s) and its socket is closed. It decides whether
 *	the process can be used again and, if so, frees the session and
 *	puts back what a session leaves in the process outside its
 *	arenas, so that the next client finds the process as a freshly
 *	forked one: the mechanism and DKIM results kept for
 *	${authresults}, the message id that prefixes log lines, the DNS
 *	and lookup-file caches (a new process reads its files and asks its
 *	DNS questions anew), what the features keep
 *	(registry_session_reset()), OpenSSL's error queue, and the
 *	descriptor kept open on the spool's input directory. Caches whose
 *	answer depends only on their key (compiled regular expressions,
 *	parsed ACLs, parsed DKIM keys) are kept.
 *
 *	It refuses, and the process then exits as it always did, when:
 *	the session failed or was cut short (result not 0); TLS was
 *	started or tried on the connection (what OpenSSL keeps is not
 *	reset); log_selector has +connection_id (Ci= is the serving
 *	process's pid, which Exim's readers take as one per connection);
 *	the process still has a child running; or a descriptor is open
 *	that was not when smtp_recycle_mark() was called (once, before the
 *	process's first connection; except_fd, that connection's socket if
 *	it is open already, does not count), other than keep_fd (its
 *	socket to the daemon) and the main log (log_main_fd()): that would
 *	be something a module opened and did not close, and might hold
 *	what one client sent.
 * DIAGNOSTICS
 *	None: a process that cannot be used again exits quietly.
 *--*/

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <openssl/err.h>

#include "authres/authres.h"
#include "dns/dns.h"
#include "expand/lookups/lookup.h"
#include "log/log.h"
#include "registry.h"
#include "smtp/recycle.h"
#include "smtp/smtp_int.h"
#include "spool/spool_path.h"

/* Whether a child of this process is still running (any that ended are
 * reaped here). */
static int
child_running(void)
{
    pid_t p;
    int status;

    while ((p = waitpid(-1, &status, WNOHANG)) > 0)
        ;
    return p == 0 || (p < 0 && errno != ECHILD);
}

/* Open descriptors, one bit each. */
#define MARK_FDS 1024
typedef unsigned char fd_bits[MARK_FDS / 8];

/* Those open before the first connection (what the process inherited),
 * and whether that could be told. */
static fd_bits marked;
static int mark_taken;

/* Sets the bit of each open descriptor (but the one that lists them)
 * in bits; -1 if they cannot be listed or one is past MARK_FDS. */
static int
list_fds(fd_bits bits)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int rc = 0;

    memset(bits, 0, sizeof(fd_bits));
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd;

        if (e->d_name[0] == '.')
            continue;
        fd = strtol(e->d_name, &end, 10);
        if (*end != '\0' || fd < 0 || fd >= MARK_FDS)
            rc = -1;
        else if (fd != dirfd(d))
            bits[fd / 8] |= (unsigned char)(1u << (fd % 8));
    }
    closedir(d);
    return rc;
}

static void
fd_clear(fd_bits bits, int fd)
{
    if (fd >= 0 && fd < MARK_FDS)
        bits[fd / 8] &= (unsigned char)~(1u << (fd % 8));
}

void
smtp_recycle_mark(int except_fd)
{
    mark_taken = list_fds(marked) == 0;
    fd_clear(marked, except_fd);
}

/* Whether a descriptor is open that was not at smtp_recycle_mark(),
 * keep apart; also when that cannot be told. */
static int
other_fd_open(int keep)
{
    fd_bits now;

    if (!mark_taken || list_fds(now) < 0)
        return 1;
    fd_clear(now, keep);
    fd_clear(now, log_main_fd()); /* kept open for every session */
    for (size_t i = 0; i < sizeof(now); i++)
        if (now[i] & ~marked[i])
            return 1;
    return 0;
}

int
smtp_recycle(struct smtp_session *s, int result, int keep_fd)
{
    int tls = s->tls.active || s->tls_ssl != NULL || s->tls_failed ||
              s->tls_on_connect;

    if (result != 0 || tls || log_selected(LS_connection_id)) {
        smtp_bdat_abort(s); /* the process exits: only its files matter */
        return -1;
    }
    /* first what may still point into the session's arenas */
    registry_session_reset();
    authres_set_auth_mechanism(NULL);
    authres_set_dkim(NULL);
    log_set_message_id(NULL);
    smtp_session_free(s);
    dns_cache_clear();
    lookup_file_flush();
    ERR_clear_error();
    spool_path_forget_dir();
    if (child_running() || other_fd_open(keep_fd))
        return -1;
    return 0;
}
