/* smtp_auth.h: client-side SMTP AUTH for the smtp transport. */
#ifndef MXLAB_TRANSPORT_SMTP_AUTH_H
#define MXLAB_TRANSPORT_SMTP_AUTH_H

#include "base/gstr.h"

struct arena;
struct expand_ctx;
struct smtp_conn;

#define SMTP_ERRNO_AUTHFAIL (-42) /* required, but not authenticated */
#define SMTP_ERRNO_AUTHPROB (-48) /* an authenticator's own problem */

/* One connection's authentication, after EHLO (and STARTTLS). */
struct smtp_auth_call {
    struct smtp_conn *conn;
    struct arena *a;
    struct expand_ctx *x;
    int timeout;            /* command_timeout */
    const char *ehlo_reply; /* the EHLO reply, lines joined by "\n" */
    int require;            /* the host is in hosts_require_auth */
    int try_auth;           /* the host is in hosts_try_auth */
    const char *host_name;
    const char *host_address;
    const char *msgid; /* the message's id, prefixed to log lines */
    /* Results. */
    const char *authenticator; /* the instance that succeeded (A=) */
    const char *auth_id;       /* its client_set_id, or NULL */
    const char *cmd;           /* the last command, its AUTH data as "*"s */
    gstr *reply;               /* the caller's reply buffer (last reply) */
    int basic_errno;           /* for SMTP_AUTH_DEFER */
    const char *message;
    int attempts; /* authenticators tried (protocol_detail "a" each) */
};

enum smtp_auth_result {
    SMTP_AUTH_OK,        /* authenticated, or not needed */
    SMTP_AUTH_DEFER,     /* give up on the host: basic_errno, message */
    SMTP_AUTH_SEND_FAIL, /* could not write; errno set */
    SMTP_AUTH_RESP_FAIL, /* a read failed, or a 4xx: errno, *reply */
};

int smtp_auth_client(struct smtp_auth_call *c);

/* " AUTH=<xtext>" for MAIL when authenticated (or forced) and there is
 * an authenticated sender, with that sender in *sender; "" (and *sender
 * NULL) otherwise; NULL with *err for an expansion failure of the
 * authenticated_sender option. */
const char *smtp_auth_mail_option(struct expand_ctx *x, struct arena *a,
                                  int authenticated, const char *option,
                                  int force, const char **sender,
                                  const char **err);

#endif
