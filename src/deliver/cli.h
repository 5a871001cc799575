/* cli.h: the delivery area's command-line modes: -M, -Mc, -q, -qf,
 * -qff, -bt; and the routing behind "verify = recipient|sender". */
#ifndef MXLAB_DELIVER_CLI_H
#define MXLAB_DELIVER_CLI_H

/* 1 if flag is -M, -Mc, -q, -qf, -qff. */
int deliver_cli_is_mode(const char *flag);
/* Runs it; ids are message ids for -M/-Mc. Returns the exit status. */
int deliver_cli_run(const char *flag, char **ids, int nids);
/* One queue run ("-q", "-qf" or "-qff"); the exit status. The daemon's
 * -q<time> runs use it too. */
int deliver_queue_run(const char *flag);
/* -q<time> and its -qf/-qff forms: sets *interval (seconds) and *flag
 * ("-q", "-qf", "-qff") and returns 1, or 0 if arg is not one. */
int deliver_cli_queue_interval(const char *arg, int *interval,
                               const char **flag);
/* -R/-qR and -S/-qS: a queue run takes only messages with an
 * undelivered recipient (-R) or a sender (-S) that contains the string
 * (any case), or matches it as a regex with the "r" flag. Set from the
 * command line before deliver_queue_run(). */
struct deliver_select {
    const char *rcpt, *sender;
    int rcpt_regex, sender_regex;
    int force, thaw; /* the "f" and "ff" flags */
};
extern struct deliver_select deliver_selection;
/* Reads -R..., -S..., -qR..., -qS... at argv[*i] (taking the next
 * argument as the string when needed) into deliver_selection. Returns
 * 1 if it was one, 0 if not, -1 if the string is missing. */
int deliver_cli_select_option(int argc, char **argv, int *i);

/* -bt: prints where each address goes; status 0, 1 (a deferral) or 2
 * (a failure), as Exim's. sender: -f, or NULL for the caller. */
int deliver_cli_address_test(char **addrs, int naddrs, const char *sender);
/* -bv (as_sender 0) and -bvs: verifies each address, or each line of
 * stdin when there are none; status 0, 1 or 2 as -bt's. */
int deliver_cli_verify(char **addrs, int naddrs, int as_sender,
                       const char *sender);
/* Installs acl_verify_address_hook. */
void deliver_verify_init(void);

#endif
