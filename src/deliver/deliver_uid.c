/*++
 * NAME
 *	deliver_uid 3
 * SUMMARY
 *	local deliveries under another user and group
 * SYNOPSIS
 *	#include "deliver/deliver_int.h"
 *
 *	int	deliver_as_user(struct transport_call *c,
 *			const struct transport_driver *drv, int journal_fd)
 * DESCRIPTION
 *	As Exim does for local transports: when root started mxlab, each
 *	local delivery runs in a child process that has changed for good
 *	to a user and group (priv_become()), and the results come back to
 *	the delivery process through a pipe. The user is, in Exim's
 *	order, the transport's "user" option (expanded; a name or a
 *	number), else the router's, else the local user that
 *	"check_local_user" found, else the exim user; the group is
 *	"group" (the transport's, else the router's), else the user's
 *	login group (exim_group for the exim user). "initgroups" (the
 *	transport's or the router's) also sets the user's supplementary
 *	groups; otherwise there is just the group. A user on the
 *	never_users list, and root always, is refused. Remote transports
 *	(which run in the delivery process, as the exim user: see
 *	priv(3)), queuefile, and deliveries when mxlab is not root are
 *	not affected (0 is returned and the caller runs the transport
 *	itself). The child works in the address's home directory (from
 *	check_local_user or router_home_directory), else in "/", as
 *	Exim's local deliveries do.
 *
 *	The child appends the keys of the addresses it delivered to
 *	journal_fd (the message's -J file, opened by the delivery
 *	process; -1: none) and fsync()s it as soon as the transport
 *	returns, before it reports, and 2 is returned when it did
 *	(1 otherwise, and the caller journals them). Exim's
 *	delivery process writes the journal after reading the results;
 *	here a child whose delivery process was killed while it wrote the
 *	mailbox still records what it delivered, so the next delivery does
 *	not repeat it. The child is not killed with its parent, and
 *	ignores SIGINT, SIGTERM, SIGHUP and SIGUSR1, as Exim's does: a
 *	mailbox write is finished rather than torn.
 * DIAGNOSTICS
 *	A user or group that does not exist defers the address (errno
 *	-29 or -28): 'Failed to find user "x" from expanded string "x"
 *	for the T transport'. As Exim, these defer the addresses and are
 *	also logged to the main and panic logs: "User U set for T
 *	transport is on the never_users list" (fixed_never_users for
 *	root when never_users does not list it; errno -29), and "User
 *	set without group for T transport" (a number that is no user's,
 *	no group; errno -28). A child that dies without reporting defers
 *	with "transport process died"; a home directory the user cannot
 *	enter defers with its errno and "failed to chdir to DIR", as in
 *	Exim; a child killed by a signal is logged,
 *	as Exim, "T transport process returned non-zero status 0xS:
 *	terminated by signal N". A child whose delivery process is gone
 *	logs, as Exim, "Failed writing transport results to pipe: ERROR"
 *	(main and panic logs) for each write that fails: the result and
 *	the two messages of each address. A journal the child cannot
 *	write is logged (main and panic logs) as "failed to write journal:
 *	ERROR", and the delivery process then tries itself.
 *--*/

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fdio.h"
#include "conf/driver.h"
#include "deliver/deliver_int.h"
#include "log/log.h"
#include "priv/priv.h"
#include "route/router.h"
#include "transport/tpcall.h"
#include "transport/transport.h"

#define ERRNO_GIDFAIL (-28)
#define ERRNO_UIDFAIL (-29)

/* Exim's common_error(): defers every address of the call and logs
 * the reason to the main and panic logs. */
static int
refuse(struct transport_call *c, int basic_errno, const char *message)
{
    transport_set_result(c, ADDR_DEFER, basic_errno, message);
    transport_log(c, LOG_MAIN | LOG_PANIC, "%s", message);
    return -1;
}

/* Works out uid and gid: 1 found, -1 (addresses deferred) an unknown
 * user or group, a user without a group, or a never user. */
static int
find_ids(struct transport_call *c, uid_t *uid, gid_t *gid, int *initgr,
         char **uname)
{
    const char *never;
    const struct transport_generic *tg = c->tp->generic;
    const struct address *a = c->addrs;
    const struct router_generic *rg =
        a->router ? (const struct router_generic *)a->router->generic : NULL;
    const char *user = NULL, *group = NULL;
    char *u = NULL, *g = NULL;
    struct passwd *pw = NULL;

    if (tg->user != NULL)
        user = tg->user;
    else if (rg != NULL && rg->user != NULL)
        user = rg->user;
    else if (rg != NULL && rg->check_local_user)
        user =
            a->parent && (a->flags & (ADDR_PIPE | ADDR_FILE | ADDR_DIRECTORY))
                ? a->parent->local_part
                : a->local_part;
    group = tg->group != NULL ? tg->group : rg != NULL ? rg->group : NULL;
    *initgr = tg->initgroups || (rg != NULL && rg->initgroups);
    if (user != NULL) {
        if (transport_expand(c, user, &u) < 0)
            return -1;
        if (priv_find_user(u, uid, &pw) < 0)
            return refuse(c, ERRNO_UIDFAIL,
                          arena_printf(c->arena,
                                       "Failed to find user \"%s\" from "
                                       "expanded string \"%s\" for the %s "
                                       "transport",
                                       u, user, c->tp->name));
        *gid = pw ? pw->pw_gid : (gid_t)-1;
        *uname = pw ? arena_strdup(c->arena, pw->pw_name) : NULL;
    } else { /* nobody named: the exim user */
        *uid = priv_exim_uid();
        *gid = priv_exim_gid();
        *uname = NULL;
    }
    if (group != NULL) {
        if (transport_expand(c, group, &g) < 0)
            return -1;
        if (priv_find_group(g, gid) < 0)
            return refuse(c, ERRNO_GIDFAIL,
                          arena_printf(c->arena,
                                       "Failed to find group \"%s\" from "
                                       "expanded string \"%s\" for the %s "
                                       "transport",
                                       g, group, c->tp->name));
    }
    if (*gid == (gid_t)-1)
        return refuse(c, ERRNO_GIDFAIL,
                      arena_printf(c->arena,
                                   "User set without group for %s transport",
                                   c->tp->name));
    if ((never = priv_never_list(*uid)) != NULL)
        return refuse(c, ERRNO_UIDFAIL,
                      arena_printf(c->arena,
                                   "User %ld set for %s transport is on the "
                                   "%s list",
                                   (long)*uid, c->tp->name, never));
    return 1;
}

/* What the child reports for each address: this, then the message and
 * the user message, each as a size_t length ((size_t)-1: none) and its
 * bytes. */
struct report {
    int result;
    int basic_errno;
    long size;
    int journaled; /* the successes are in the -J file */
};

static int
put_text(int fd, const char *s)
{
    size_t len = s != NULL ? strlen(s) : (size_t)-1;

    if (fd_write_all(fd, &len, sizeof(len)) < 0)
        return -1;
    return s != NULL ? fd_write_all(fd, s, len) : 0;
}

static void
put_failed(struct transport_call *c)
{
    transport_log(c, LOG_MAIN | LOG_PANIC,
                  "Failed writing transport results to pipe: %s",
                  strerror(errno));
}

/* As Exim's local delivery process: when the delivery process is gone
 * (killed), each write that fails is logged to the main and panic logs,
 * the result's and each message's (three lines an address). The report
 * goes down the pipe as its bytes: it is built here, padding zeroed, so
 * that no stack garbage goes with it (make valgrind). */
static void
put_report(struct transport_call *c, int fd, int result, int basic_errno,
           long size, int journaled, const char *message,
           const char *user_message)
{
    struct report r;

    memset(&r, 0, sizeof(r));
    r.result = result;
    r.basic_errno = basic_errno;
    r.size = size;
    r.journaled = journaled;
    if (fd_write_all(fd, &r, sizeof(r)) < 0)
        put_failed(c);
    if (put_text(fd, message) < 0)
        put_failed(c);
    if (put_text(fd, user_message) < 0)
        put_failed(c);
}

/* The child's successes in the -J file: 1 if written (or none), 0 if
 * not (no journal, or the write failed: logged). */
static int
child_journal(struct transport_call *c, int journal_fd)
{
    if (journal_fd < 0)
        return 0;
    errno = 0;
    if (deliver_journal_write(journal_fd, c->addrs, c->arena) < 0) {
        transport_log(c, LOG_MAIN | LOG_PANIC, "failed to write journal: %s",
                      strerror(errno));
        return 0;
    }
    return 1;
}

static void
child(struct transport_call *c, const struct transport_driver *drv, int fd,
      int journal_fd, uid_t uid, gid_t gid, int initgr, const char *uname)
{
    const char *wd;
    gstr err;
    int journaled;

    /* a write to a delivery process that is gone fails, and is logged */
    signal(SIGPIPE, SIG_IGN);
    /* as Exim's local delivery process: a SIGTERM or SIGINT meant for the
     * delivery (or its process group) does not tear a mailbox write */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    gstr_init(&err, c->arena);
    if (priv_become(uid, gid, initgr ? uname : NULL, &err) < 0) {
        int e = errno;
        for (struct address *a = c->addrs; a != NULL; a = a->next)
            put_report(c, fd, ADDR_DEFER, e, 0, 0, gstr_str(&err), NULL);
        _exit(1);
    }
    /* as Exim: the home directory (check_local_user's, or
     * router_home_directory), else "/"; a failure defers */
    wd = c->addrs != NULL && c->addrs->home != NULL ? c->addrs->home : "/";
    if (chdir(wd) < 0) {
        int e = errno;
        gstr_truncate(&err, 0);
        gstr_printf(&err, "failed to chdir to %s", wd);
        for (struct address *a = c->addrs; a != NULL; a = a->next)
            put_report(c, fd, ADDR_DEFER, e, 0, 0, gstr_str(&err), NULL);
        _exit(1);
    }
    drv->deliver(c);
    /* first the journal: the delivery process may be gone */
    journaled = child_journal(c, journal_fd);
    for (struct address *a = c->addrs; a != NULL; a = a->next)
        put_report(c, fd, (int)a->result, a->basic_errno, c->bytes_written,
                   journaled, a->message, a->user_message);
    _exit(0);
}

static int
read_all(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* One of put_text()'s strings, in c's arena (NULL for none). */
static int
get_text(struct transport_call *c, int fd, char **out)
{
    size_t len;
    char *m;

    if (read_all(fd, &len, sizeof(len)) < 0)
        return -1;
    if (len == (size_t)-1) {
        *out = NULL;
        return 0;
    }
    if (len > 65536)
        return -1;
    m = arena_alloc(c->arena, len + 1);
    if (read_all(fd, m, len) < 0)
        return -1;
    m[len] = '\0';
    *out = m;
    return 0;
}

int
deliver_as_user(struct transport_call *c, const struct transport_driver *drv,
                int journal_fd)
{
    uid_t uid;
    gid_t gid;
    int initgr, fds[2], status, rc, bad = 0, journaled = 1;
    char *uname = NULL;
    pid_t pid;

    /* queuefile ignores user and group (experimental-spec.txt): it
     * copies the spool's own files, as the MTA's user */
    if (!drv->local || !priv_is_root() || strcmp(drv->name, "queuefile") == 0)
        return 0;
    if ((rc = find_ids(c, &uid, &gid, &initgr, &uname)) <= 0)
        return rc < 0; /* -1: the addresses are deferred already */
    if (pipe(fds) < 0) {
        transport_set_result(c, ADDR_DEFER, errno,
                             "failed to create a pipe for the transport");
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0) {
        close(fds[0]);
        close(fds[1]);
        transport_set_result(c, ADDR_DEFER, errno,
                             "fork of the transport process failed");
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(c, drv, fds[1], journal_fd, uid, gid, initgr, uname);
    }
    close(fds[1]);
    for (struct address *a = c->addrs; a != NULL; a = a->next) {
        struct report r;
        if (bad || read_all(fds[0], &r, sizeof(r)) < 0) {
            bad = 1;
            journaled = 0;
            a->result = ADDR_DEFER;
            a->basic_errno = 0;
            a->message = "transport process died";
            continue;
        }
        a->result = (enum addr_result)r.result;
        a->basic_errno = r.basic_errno;
        journaled &= r.journaled != 0;
        c->bytes_written = r.size;
        if (get_text(c, fds[0], &a->message) < 0 ||
            get_text(c, fds[0], &a->user_message) < 0) {
            bad = 1;
            a->result = ADDR_DEFER;
            a->message = "transport process died";
        }
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status))
        log_write(LOG_MAIN | LOG_PANIC,
                  "%s transport process returned non-zero status 0x%04x: "
                  "terminated by signal %d",
                  drv->name, (unsigned)status & 0xffff, WTERMSIG(status));
    return journaled ? 2 : 1;
}
