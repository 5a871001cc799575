/*++
 * NAME
 *	tpfilter 3
 * SUMMARY
 *	transport_filter: a message through a command
 * SYNOPSIS
 *	#include "transport/tpfilter.h"
 *
 *	int	tpfilter_run(struct transport_call *c, const char *command,
 *			tpfilter_sink *sink, void *ctx, gstr *err)
 * DESCRIPTION
 *	As Exim's transport filter: the command is split into arguments
 *	at blanks (double quotes group) and run without a shell; a child
 *	process writes the message to its standard input while this one
 *	reads its standard output and passes it to sink, so neither side
 *	can block the other. The bytes read are counted in
 *	c->bytes_written. The filter is killed after
 *	transport_filter_timeout.
 * DIAGNOSTICS
 *	"transport filter process failed (N)" for a filter that exits
 *	with status N (127 and ": unable to execute command" when it
 *	cannot be run), "transport filter timed out".
 *--*/

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "transport/tpcall.h"
#include "transport/tpfilter.h"
#include "transport/transport.h"

#define TPF_MAX_ARGS 64

/* Arguments at blanks, double quotes grouping. */
static char **
split_args(struct arena *a, const char *s)
{
    char **argv = arena_alloc(a, (TPF_MAX_ARGS + 1) * sizeof(*argv));
    int n = 0;

    while (*s != '\0' && n < TPF_MAX_ARGS) {
        gstr g;
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (*s == '\0')
            break;
        gstr_init(&g, a);
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
            if (*s == '"') {
                for (s++; *s != '\0' && *s != '"'; s++)
                    gstr_addc(&g, *s);
                if (*s == '"')
                    s++;
            } else {
                gstr_addc(&g, *s++);
            }
        }
        argv[n++] = (char *)gstr_str(&g);
    }
    argv[n] = NULL;
    return argv;
}

static int
wait_status(pid_t pid)
{
    int st;

    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return st;
}

/* The writer child: the message into fd, then exit. */
static void
writer_child(struct transport_call *c, int fd)
{
    static const struct tp_write_opts raw = {NULL, NULL, NULL, NULL, 0};
    gstr err;

    signal(SIGPIPE, SIG_DFL);
    gstr_init(&err, c->arena);
    _exit(transport_write_message(c, fd, &raw, &err) < 0 ? 1 : 0);
}

static int
read_output(struct transport_call *c, int fd, int timeout, tpfilter_sink *sink,
            void *ctx)
{
    char buf[8192];
    time_t deadline = time(NULL) + timeout;

    c->bytes_written = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long left = (long)(deadline - time(NULL));
        ssize_t n;
        int r;

        if (left <= 0)
            return 1;
        r = poll(&p, 1, (int)(left * 1000));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return 1;
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        c->bytes_written += n;
        if (sink(ctx, buf, (size_t)n) < 0)
            return -2;
    }
}

int
tpfilter_run(struct transport_call *c, const char *command, tpfilter_sink *sink,
             void *ctx, gstr *err)
{
    const struct transport_generic *g = c->tp->generic;
    char **argv = split_args(c->arena, command);
    int in[2], out[2], rc, st, save;
    pid_t filter, writer = -1;

    if (argv[0] == NULL) {
        gstr_printf(err, "transport filter process failed (127): "
                         "unable to execute command");
        return -1;
    }
    if (pipe(in) < 0 || pipe(out) < 0) {
        gstr_printf(err, "cannot create a pipe for the transport filter: %s",
                    strerror(errno));
        return -1;
    }
    if ((filter = fork()) == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (filter > 0 && (writer = fork()) == 0) {
        close(out[0]);
        writer_child(c, in[1]);
    }
    close(in[1]);
    if (filter < 0 || writer < 0) {
        gstr_printf(err, "fork of the transport filter failed: %s",
                    strerror(errno));
        close(out[0]);
        return -1;
    }
    rc = read_output(
        c, out[0],
        g->transport_filter_timeout > 0 ? g->transport_filter_timeout : 300,
        sink, ctx);
    save = errno;
    close(out[0]);
    if (rc != 0) {
        kill(filter, SIGKILL);
        kill(writer, SIGKILL);
    }
    st = wait_status(filter);
    (void)wait_status(writer);
    if (rc == -2) {
        errno = save;
        return -2;
    }
    if (rc == 1) {
        gstr_printf(err, "transport filter timed out");
        return -1;
    }
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        int code = st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        gstr_printf(err, "transport filter process failed (%d)%s", code,
                    code == 127 ? ": unable to execute command" : "");
        return -1;
    }
    return 0;
}
