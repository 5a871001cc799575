/*++
 * NAME
 *	pipe_run 3
 * SUMMARY
 *	the pipe transport: delivery to a command's standard input
 * SYNOPSIS
 *	#include "transport/tpdrivers.h"
 *
 *	extern const struct transport_driver transport_pipe_driver;
 * DESCRIPTION
 *	The command is the pipe address of a redirection ("|cmd args",
 *	not expanded), or the "command" option, split into arguments at
 *	blanks (quotes group) and each argument expanded. A command that
 *	is not an absolute path is looked for in "path". Under use_shell
 *	the whole expanded command runs with /bin/sh -c.
 *
 *	The child gets Exim's environment: LOCAL_PART, LOGNAME, USER,
 *	LOCAL_PART_PREFIX, LOCAL_PART_SUFFIX, DOMAIN, HOME, MESSAGE_ID,
 *	PATH, RECIPIENT, QUALIFY_DOMAIN, SENDER, SHELL, and what
 *	"environment" adds (a colon list of NAME=value). It runs in a
 *	process group of its own; its output (standard output and error)
 *	is copied to a temporary file by a reader process, which kills the
 *	group once the command has written more than max_output, as
 *	Exim's output process does.
 *	The message is written with Exim's pipe defaults (the "From "
 *	line as prefix, "\\n" as suffix).
 *
 *	Exit status 0 delivers, unless return_output is set and the
 *	command wrote something ("return message generated"); a status
 *	in temp_errors defers, any other fails, with Exim's message
 *	"Child process of T transport returned N from command: PROGRAM"
 *	(the program alone, as Exim). A
 *	command still running after "timeout" is killed: "pipe delivery
 *	process timed out" (a defer under timeout_defer). The output is
 *	logged under log_output ("<addr>: T transport output: line").
 * DIAGNOSTICS
 *	A command that cannot be found or run fails the address.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/list.h"
#include "conf/mainopts.h"
#include "expand/expand.h"
#include "log/log.h"
#include "spool/envelope.h"
#include "transport/pipe.h"
#include "transport/tpdrivers.h"
#include "transport/transport.h"

#define PIPE_PREFIX                                                            \
    "From ${if def:return_path{$return_path}{MAILER-DAEMON}} "                 \
    "${tod_bsdinbox}\n"
#define PIPE_ARGS_MAX 64
#define PIPE_ENV_MAX  64

static volatile sig_atomic_t pipe_timed_out;

static void
pipe_alarm(int sig)
{
    (void)sig;
    pipe_timed_out = 1;
}

/* Splits cmd at blanks; "..." and '...' group. */
static int
pipe_split(struct arena *a, const char *cmd, char **argv)
{
    int argc = 0;
    const char *p = cmd;

    while (*p != '\0' && argc < PIPE_ARGS_MAX - 1) {
        gstr g;
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == '\0')
            break;
        gstr_init(&g, a);
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                while (*p != '\0' && *p != q) {
                    if (q == '"' && *p == '\\' && p[1] != '\0')
                        p++;
                    gstr_addc(&g, *p++);
                }
                if (*p == q)
                    p++;
            } else {
                gstr_addc(&g, *p++);
            }
        }
        argv[argc++] = g.s;
    }
    argv[argc] = NULL;
    return argc;
}

static int
pipe_find(struct transport_call *c, const struct transport_pipe *o, char **argv)
{
    struct list_iter it;
    char *path, *dir;
    struct stat st;

    if (argv[0][0] == '/')
        return 0;
    if (transport_expand(c, o->path ? o->path : "/bin:/usr/bin", &path) < 0)
        return -1;
    list_iter_init(&it, path, ':');
    while ((dir = list_next(&it, c->arena)) != NULL) {
        char *full = arena_printf(c->arena, "%s/%s", dir, argv[0]);
        if (stat(full, &st) == 0) {
            argv[0] = full;
            return 0;
        }
    }
    transport_set_result(c, ADDR_FAIL, 0,
                         arena_printf(c->arena,
                                      "\"%s\" command not found for %s "
                                      "transport",
                                      argv[0], c->tp->name));
    return -1;
}

/* The argument vector; -1 after setting the addresses' result. */
static int
pipe_argv(struct transport_call *c, const struct transport_pipe *o, char **argv)
{
    struct address *a = c->addrs;
    char *cmd;
    int argc;

    if (a->flags & ADDR_PIPE) {
        cmd = a->address + 1;
        expand_set_var(c->x, "address_pipe", a->address);
    } else if (o->command == NULL) {
        cmd = ""; /* no words: refused below */
    } else if (o->use_shell) {
        if (transport_expand(c, o->command, &cmd) < 0)
            return -1;
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = cmd;
        argv[3] = NULL;
        return 0;
    } else {
        cmd = o->command;
    }
    argc = pipe_split(c->arena, cmd, argv);
    if (argc == 0) {
        transport_set_result(c, ADDR_DEFER, 0,
                             arena_printf(c->arena,
                                          "no command specified for %s "
                                          "transport",
                                          c->tp->name));
        return -1;
    }
    if (!(a->flags & ADDR_PIPE))
        for (int i = 0; i < argc; i++)
            if (transport_expand(c, argv[i], &argv[i]) < 0)
                return -1;
    return pipe_find(c, o, argv);
}

/* HOME: the transport's home_directory (expanded), else the home the
 * router found (check_local_user, router_home_directory). */
static const char *
pipe_home(struct transport_call *c)
{
    const struct transport_generic *g = c->tp->generic;
    char *home = NULL;

    if (g->home_directory != NULL &&
        transport_expand(c, g->home_directory, &home) == 0 && home != NULL)
        return home;
    return c->addrs->home ? c->addrs->home : "";
}

static void
pipe_env(struct transport_call *c, const struct transport_pipe *o, char **envp)
{
    const struct address *a = c->addrs;
    struct list_iter it;
    char *path, *extra = NULL, *item;
    int n = 0;

    if (o->path == NULL || transport_expand(c, o->path, &path) < 0)
        path = "/bin:/usr/bin";
    envp[n++] = arena_printf(c->arena, "LOCAL_PART=%s", a->local_part);
    envp[n++] = arena_printf(c->arena, "LOGNAME=%s", a->local_part);
    envp[n++] = arena_printf(c->arena, "USER=%s", a->local_part);
    envp[n++] = arena_printf(c->arena, "LOCAL_PART_PREFIX=%s",
                             a->prefix ? a->prefix : "");
    envp[n++] = arena_printf(c->arena, "LOCAL_PART_SUFFIX=%s",
                             a->suffix ? a->suffix : "");
    envp[n++] = arena_printf(c->arena, "DOMAIN=%s", a->domain);
    envp[n++] = arena_printf(c->arena, "HOME=%s", pipe_home(c));
    envp[n++] = arena_printf(c->arena, "MESSAGE_ID=%s", c->msg->m->id);
    envp[n++] = arena_printf(c->arena, "PATH=%s", path);
    envp[n++] = arena_printf(c->arena, "RECIPIENT=%s",
                             address_top((struct address *)a)->address);
    envp[n++] =
        arena_printf(c->arena, "QUALIFY_DOMAIN=%s", main_config.qualify_domain);
    envp[n++] = arena_printf(c->arena, "SENDER=%s", c->msg->m->sender);
    envp[n++] = "SHELL=/bin/sh";
    if (getenv("TZ") != NULL)
        envp[n++] = arena_printf(c->arena, "TZ=%s", getenv("TZ"));
    /* libfaketime and the sanitizers reach the command as they reach us */
    if (getenv("LD_PRELOAD") != NULL)
        envp[n++] =
            arena_printf(c->arena, "LD_PRELOAD=%s", getenv("LD_PRELOAD"));
    if (getenv("FAKETIME") != NULL)
        envp[n++] = arena_printf(c->arena, "FAKETIME=%s", getenv("FAKETIME"));
    if (o->environment != NULL &&
        transport_expand(c, o->environment, &extra) == 0) {
        list_iter_init(&it, extra, ':');
        while (n < PIPE_ENV_MAX - 1 &&
               (item = list_next(&it, c->arena)) != NULL)
            envp[n++] = item;
    }
    envp[n] = NULL;
}

static void
pipe_child(char **argv, char **envp, int in, int out, int umask_val)
{
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (in > 2)
        close(in);
    if (out > 2)
        close(out);
    umask((mode_t)umask_val);
    execve(argv[0], argv, envp);
    _exit(127);
}

/* Exim's os_strexit(): what a sysexits.h status could mean. */
static const char *
pipe_strexit(int code)
{
    static const char *const text[] = {
        "usage or syntax error",     "error in input data",
        "input data missing",        "user nonexistent",
        "host nonexistent",          "service or program unavailable",
        "internal software error",   "internal operating system error",
        "system file missing",       "cannot create output file",
        "input/output error",        "temporary error",
        "remote error in protocol",  "permission denied",
        "local configuration error",
    };

    if (code < 64 || code > 78)
        return NULL;
    return text[code - 64];
}

static void
pipe_status(struct transport_call *c, const struct transport_pipe *o,
            char **argv, int status)
{
    struct list_iter it;
    const char *item;
    gstr msg;
    int code, temp = 0;

    if (WIFSIGNALED(status)) {
        /* as Exim: the command as configured (or the pipe address) */
        const char *cmd = c->addrs->flags & ADDR_PIPE ? c->addrs->address + 1
                          : o->command != NULL        ? o->command
                                                      : argv[0];
        transport_set_result(c, o->freeze_signal ? ADDR_DEFER : ADDR_FAIL, 0,
                             arena_printf(c->arena,
                                          "Child process of %s transport "
                                          "(running command \"%s\") was "
                                          "terminated by signal %d (%s)",
                                          c->tp->name, cmd, WTERMSIG(status),
                                          strsignal(WTERMSIG(status))));
        return;
    }
    code = WEXITSTATUS(status);
    if (code == 0 || o->ignore_status) {
        transport_set_result(c, ADDR_OK, 0, NULL);
        return;
    }
    if (o->temp_errors != NULL && o->temp_errors[0] == '*')
        temp = 1;
    list_iter_init(&it, o->temp_errors ? o->temp_errors : "", ':');
    while (!temp && (item = list_next(&it, c->arena)) != NULL)
        temp = atoi(item) == code;
    gstr_init(&msg, c->arena);
    gstr_printf(&msg, "Child process of %s transport returned %d", c->tp->name,
                code);
    if (code > 128)
        gstr_printf(&msg, " (could mean shell command ended by signal %d (%s))",
                    code - 128, strsignal(code - 128));
    else if (pipe_strexit(code) != NULL)
        gstr_printf(&msg, " (could mean %s)", pipe_strexit(code));
    /* Exim names the program only, not its arguments (its loop over the
       arguments stops after the first). */
    gstr_adds(&msg, " from command:");
    if (argv[0] != NULL)
        gstr_printf(&msg, strpbrk(argv[0], " \t") ? " \"%s\"" : " %s", argv[0]);
    transport_set_result(c, temp ? ADDR_DEFER : ADDR_FAIL, 0, msg.s);
}

/* What the command wrote: logged and/or turned into a failure. */
static void
pipe_output(struct transport_call *c, const struct transport_pipe *o, int outfd)
{
    struct address *a = c->addrs;
    char buf[1024];
    ssize_t n = pread(outfd, buf, sizeof(buf) - 1, 0);
    char *nl;

    if (n <= 0)
        return;
    buf[n] = '\0';
    if ((nl = strchr(buf, '\n')) != NULL)
        *nl = '\0';
    if (o->log_output || (a->result == ADDR_FAIL && o->log_fail_output) ||
        (a->result == ADDR_DEFER && o->log_defer_output))
        log_write(LOG_MAIN, "%s <%s>: %s transport output: %s", c->msg->m->id,
                  a->address, c->tp->name, buf);
    if (o->return_output && a->result == ADDR_OK)
        transport_set_result(c, ADDR_FAIL, 0, "return message generated");
}

static int
pipe_write(struct transport_call *c, const struct transport_pipe *o, int fd)
{
    struct tp_write_opts wo = {NULL, NULL, o->check_string, o->escape_string,
                               o->use_crlf};
    char *prefix, *suffix;
    gstr err;

    if (transport_expand(c, o->message_prefix ? o->message_prefix : PIPE_PREFIX,
                         &prefix) < 0 ||
        transport_expand(c, o->message_suffix ? o->message_suffix : "\n",
                         &suffix) < 0)
        return -1;
    wo.prefix = prefix;
    wo.suffix = suffix;
    gstr_init(&err, c->arena);
    return transport_write_message(c, fd, &wo, &err);
}

/* As Exim's output process: copies the command's output (read from rfd)
 * to outfd and kills the command's process group once it has written
 * more than max_output, noting it where return_output would show it.
 * msgfd, the message's way in to the command, is not the reader's. */
static pid_t
pipe_reader(int rfd, int outfd, int msgfd, pid_t cmd, long max)
{
    static const char note[] =
        "\n\n*** Too much output - remainder discarded ***\n";
    char buf[8192];
    long count = 0;
    ssize_t n;
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    close(msgfd); /* else the command would never see its input end */
    while ((n = read(rfd, buf, sizeof(buf))) > 0) {
        if (write(outfd, buf, (size_t)n) != n) {
            /* the output file is full: keep counting */
        }
        count += n;
        if (count > max) {
            if (write(outfd, note, sizeof(note) - 1) < 0) {
                /* as above */
            }
            killpg(cmd, SIGKILL);
            break;
        }
    }
    _exit(0);
}

static void
pipe_deliver(struct transport_call *c)
{
    const struct transport_pipe *o = c->tp->priv;
    char *argv[PIPE_ARGS_MAX], *envp[PIPE_ENV_MAX];
    struct sigaction sa, old_alrm, old_pipe;
    char tmpl[] = "/tmp/mxlab-pipe-XXXXXX";
    int fds[2], out[2] = {-1, -1}, outfd, status = 0;
    pid_t pid, w, reader = -1;

    if (transport_check_generic(c) < 0 || pipe_argv(c, o, argv) < 0)
        return;
    pipe_env(c, o, envp);
    if ((outfd = mkostemp(tmpl, O_CLOEXEC)) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(fds, O_CLOEXEC) < 0) {
        transport_set_result(c, ADDR_DEFER, errno, "pipe transport set-up");
        if (outfd >= 0)
            close(outfd);
        if (out[0] >= 0) {
            close(out[0]);
            close(out[1]);
        }
        return;
    }
    unlink(tmpl);
    if ((pid = fork()) == 0)
        pipe_child(argv, envp, fds[0], out[1], o->umask);
    close(fds[0]);
    close(out[1]);
    if (pid > 0) {
        (void)setpgid(pid, pid); /* before the reader may kill the group */
        reader = pipe_reader(out[0], outfd, fds[1], pid, o->max_output);
    }
    close(out[0]);
    if (pid < 0 || reader < 0) {
        transport_set_result(c, ADDR_DEFER, errno, "fork failed");
        if (pid > 0) {
            killpg(pid, SIGKILL);
            (void)waitpid(pid, &status, 0);
        }
        close(fds[1]);
        close(outfd);
        return;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = pipe_alarm;
    sigaction(SIGALRM, &sa, &old_alrm);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &old_pipe);
    pipe_timed_out = 0;
    alarm(o->timeout > 0 ? (unsigned)o->timeout : 0);
    (void)pipe_write(c, o, fds[1]); /* a command may stop reading early */
    close(fds[1]);
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR &&
           !pipe_timed_out)
        ;
    alarm(0);
    if (w < 0) {
        killpg(pid, SIGKILL);
        (void)waitpid(pid, &status, 0);
        transport_set_result(c, o->timeout_defer ? ADDR_DEFER : ADDR_FAIL, 0,
                             "pipe delivery process timed out");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
               access(argv[0], X_OK) < 0) {
        transport_set_result(c, ADDR_FAIL, 0,
                             arena_printf(c->arena,
                                          "pipe process failed to exec \"%s\"",
                                          argv[0]));
    } else {
        pipe_status(c, o, argv, status);
    }
    sigaction(SIGALRM, &old_alrm, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    /* the reader ends when the last writer (the command, or what it
     * left running) has gone, or after killing the group */
    while (waitpid(reader, NULL, 0) < 0 && errno == EINTR)
        ;
    pipe_output(c, o, outfd);
    close(outfd);
}

const struct transport_driver transport_pipe_driver = {"pipe", 1, pipe_deliver,
                                                       NULL};
