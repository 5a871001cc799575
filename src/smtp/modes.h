/* modes.h: the command-line modes that run SMTP sessions. */
#ifndef MXLAB_SMTP_MODES_H
#define MXLAB_SMTP_MODES_H

/* -bs: one session on stdin/stdout from the local caller. */
int smtp_mode_bs(void);
/* -bh IP[.PORT]: a session as if from that host; ACLs run, nothing is
 * spooled or delivered, log lines go to stderr. */
int smtp_mode_bh(const char *host);

struct daemon_opts {
    const char *ports;      /* -oX, or NULL for daemon_smtp_ports */
    const char *pid_file;   /* -oP */
    int foreground;         /* -bdf */
    char **argv;            /* to re-exec on SIGHUP */
    int queue_interval;     /* -q<time>: seconds between queue runs, or 0 */
    const char *queue_flag; /* "-q", "-qf" or "-qff" for those runs */
    const char *queue_text; /* the option as given ("-q30m") for the log */
};
/* -bd: listens, forks a process per connection. Returns only on error
 * or after SIGTERM. */
int smtp_mode_daemon(const struct daemon_opts *o);

#endif
