/* retry_cli.h: mxlab -dumpdb and -tidydb (Exim's exim_dumpdb and
 * exim_tidydb for the retry database). */
#ifndef MXLAB_RETRY_RETRY_CLI_H
#define MXLAB_RETRY_RETRY_CLI_H

/* 1 if flag is -dumpdb or -tidydb. */
int retry_cli_is_mode(const char *flag);
/* Runs it with the arguments after the flag; the exit status. */
int retry_cli_run(const char *flag, char **args, int nargs);

#endif
