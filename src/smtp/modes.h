/* modes.h: the command-line modes that run SMTP sessions. */
#ifndef MXLAB_SMTP_MODES_H
#define MXLAB_SMTP_MODES_H

/* -oMa, -oMaa, -oMai, -oMas, -oMi, -oMs, -oMt as given (NULL: not
 * given): the client's identity a trusted caller sets for -bs, and
 * anyone for -bh. */
struct smtp_forced_id {
    const char *host_address;      /* -oMa IP[.PORT] or [IP]:PORT */
    const char *interface_address; /* -oMi, the same form */
    const char *host_name;         /* -oMs */
    const char *ident;             /* -oMt */
    const char *auth_name;         /* -oMaa: $sender_host_authenticated */
    const char *auth_id;           /* -oMai: $authenticated_id */
    const char *auth_sender;       /* -oMas: reset by each MAIL, as Exim */
};

/* -bs: one session on stdin/stdout from the local caller. Returns the
 * exit status (1 also for a bad -oMa or -oMi address). */
int smtp_mode_bs(const struct smtp_forced_id *f);
/* -bh IP[.PORT]: a session as if from that host; ACLs run, nothing is
 * spooled or delivered, log lines go to stderr. */
int smtp_mode_bh(const char *host, const struct smtp_forced_id *f);

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
