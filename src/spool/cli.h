/* cli.h: the queue's command-line modes: -bp and its variants, and the
 * -M message actions. */
#ifndef MXLAB_SPOOL_CLI_H
#define MXLAB_SPOOL_CLI_H

/* flag is the option as given ("-bp", "-bpc", "-bpu", "-bpa", "-bpr",
 * "-bpra", "-bpru", "-bpi"); ids, if any, restrict the listing. Returns
 * the exit status. */
int spool_cli_list(const char *flag, char **ids, int nids);
/* 1 if flag is one of the -bp forms spool_cli_list() knows. */
int spool_cli_is_list(const char *flag);
/* 1 if flag is one of the -M actions spool_cli_action() does. */
int spool_cli_is_action(const char *flag);
/* -Mvh, -Mvb, -Mvl, -Mvc (one id), -Mrm, -Mf, -Mt, -Mmad (one or more),
 * -Mar, -Mes, -Mmd (one id, then addresses). Returns the
 * exit status. Malformed ids and a missing id are reported on stderr
 * ("mxlab: malformed message id X after -Mf option"), status 1. */
int spool_cli_action(const char *flag, char **ids, int nids);

#endif
