/* smtp_int.h: what the files of the SMTP server share. Not for use
 * outside src/smtp/. */
#ifndef MXLAB_SMTP_SMTP_INT_H
#define MXLAB_SMTP_SMTP_INT_H

#include "receive/hostid.h"
#include "smtp/session.h"

#define SMTP_CMD_MAX 16384 /* longest command line, as Exim */

enum synprot { SYNPROT_SYNTAX, SYNPROT_PROTOCOL };

/* reply.c */
void smtp_reply(struct smtp_session *s, int code, const char *text);
void smtp_replyf(struct smtp_session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A reply text that may start with its own code ("550 5.7.1 go away")
 * and may have several lines; code is used when it does not. */
void smtp_reply_user(struct smtp_session *s, int code, const char *text);
/* acl_glue.c: what Exim's reject log adds after a rejection once the
 * message has headers (envelope, headers with their type letters). */
struct receive;
const char *smtp_reject_block(struct smtp_session *s, struct receive *r);
/* Lines of a reply before its last. */
void smtp_reply_more(struct smtp_session *s, int code, const char *text);
/* Notes the first reply to a RCPT (see reply.c). */
void smtp_note_rcpt_response(struct smtp_session *s, const char *text);
/* Logs a syntax or protocol error, replies, and ends the session when
 * there were too many. Returns 1 if the session must end. */
int smtp_synprot_error(struct smtp_session *s, enum synprot type, int code,
                       const char *data, const char *text);
/* Ends the session with a reply (421/554 ...) and a log line of the
 * reason for the not-QUIT ACL. */
void smtp_notquit_exit(struct smtp_session *s, const char *reason, int code,
                       const char *text);
/* If the session ran past smtp_session_max_time (its input deadline
 * expired), logs that (with the sender of the message abandoned, if
 * any), replies 421 and returns 1 (the session must end); else 0. */
int smtp_session_cut(struct smtp_session *s, const char *sender);
/* Reading a command timed out (IO_TIMEOUT) or the connection was lost:
 * logs and ends the session as Exim does. Returns 1. */
int smtp_command_lost(struct smtp_session *s, int status);

/* A command a feature adds (server.c). name is the keyword; in_help,
 * if set, says whether HELP lists it for this session. */
struct smtp_ext_cmd {
    const char *name;
    int (*fn)(struct smtp_session *s, char *arg);
    int (*in_help)(struct smtp_session *s);
};
void smtp_command_register(const struct smtp_ext_cmd *c);

/* mail.c: the per-connection limits, expanded (0: none) */
long smtp_mailmax(struct smtp_session *s);
long smtp_rcptmax(struct smtp_session *s);

/* hello.c: does the client match a host list option? */
int smtp_host_in_named(struct smtp_session *s, const char *list,
                       const char *option);
/* A host list, as smtp_host_in_named(), without a name for the -bh
 * trace (which shows the list itself). */
#define smtp_host_in(s, list) smtp_host_in_named((s), (list), NULL)
/* A main option's host list: smtp_host_in_opt(s, auth_advertise_hosts);
 * the -bh trace names the option, as Exim's does. */
#define smtp_host_in_opt(s, opt) smtp_host_in_named((s), main_config.opt, #opt)

/* hostlookup.c: $sender_host_name under host_lookup (at connection) and
 * helo_lookup_domains (at HELO/EHLO). */
void smtp_host_lookup_on_connect(struct smtp_session *s);
void smtp_host_lookup_for_helo(struct smtp_session *s, const char *helo);
void smtp_host_lookup_when_read(struct smtp_session *s);
/* An ACL found the client's name ($sender_host_name): it stands for
 * the rest of the session. */
void smtp_host_name_adopt(struct smtp_session *s);
/* helo_verify_hosts, helo_try_verify_hosts: does the HELO name fit the
 * client? 1 yes, 0 no, -1 the DNS did not answer. */
int smtp_helo_verify(struct smtp_session *s);

/* host naming for this session */
void smtp_host_id(const struct smtp_session *s, struct host_id *h);
const char *smtp_host_and_ident(struct smtp_session *s, int with_flag);
/* "connection[ Ci=N] from CLIENT" (hostid.c's host_connection_from()). */
const char *smtp_connection_from(struct smtp_session *s);
void smtp_set_host_vars(struct smtp_session *s);
/* "C=EHLO,MAIL,QUIT" history, for log lines. */
void smtp_history_add(struct smtp_session *s, const char *cmd);
void smtp_incomplete_transaction_log(struct smtp_session *s, const char *what);

/* command handlers: return 0 to go on, 1 to end the session */
int smtp_cmd_helo(struct smtp_session *s, char *arg);
int smtp_cmd_ehlo(struct smtp_session *s, char *arg);
int smtp_cmd_mail(struct smtp_session *s, char *arg);
int smtp_cmd_rcpt(struct smtp_session *s, char *arg);
int smtp_cmd_data(struct smtp_session *s, char *arg);
int smtp_cmd_bdat(struct smtp_session *s, char *arg);
/* After a RCPT's 250: the next -H's file made ahead (data.c). */
void smtp_data_prepare(struct smtp_session *s);
/* auth_cmd.c */
int smtp_cmd_auth(struct smtp_session *s, char *arg);
void smtp_auth_register(void);
/* Forgets an authentication (after STARTTLS). */
void smtp_auth_reset(struct smtp_session *s);
/* MAIL's AUTH=: the decoded sender to keep, or NULL (ignored, logged). */
char *smtp_auth_mail_param(struct smtp_session *s, const char *raw,
                           const char *decoded);
int smtp_cmd_starttls(struct smtp_session *s, char *arg); /* tls.c */
/* tls.c: would STARTTLS be offered to this client now? */
int smtp_tls_offered(struct smtp_session *s);
void smtp_txn_reset(struct smtp_session *s);
/* Drops a BDAT message under way (RSET, a new EHLO, the end). */
void smtp_bdat_abort(struct smtp_session *s);
/* The connection was lost between BDAT chunks: logged as Exim does
 * ("lost while reading message data"), the message dropped. 0 when no
 * BDAT message was under way. */
int smtp_bdat_lost(struct smtp_session *s);

/* acl glue (acl_glue.c): runs a stage's ACL and sends the reply for a
 * refusal. Returns 1 if accepted (reply not yet sent), 2 if discarded
 * (answered as accepted), 0 if refused (reply sent), -1 if the session
 * must end (drop). */
int smtp_acl_stage(struct smtp_session *s, int where, const char *acl,
                   const char *recipient, const char *cmd_data,
                   char **user_msg);
/* The two halves of smtp_acl_stage(): the run (returns an acl_rc) and
 * the answer to its result (returns as smtp_acl_stage()). */
int smtp_acl_run(struct smtp_session *s, int where, const char *acl,
                 const char *recipient, const char *cmd_data);
int smtp_acl_answer(struct smtp_session *s, int where, int rc, char **user_msg);
/* The same for the DATA ACL, with the message r open to content checks
 * (acl_state.message) while it runs. */
struct receive;
int smtp_acl_stage_message(struct smtp_session *s, int where, const char *acl,
                           struct receive *r, char **user_msg);

#endif
