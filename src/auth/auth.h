/* auth.h: options every authenticator takes, and the calls that run an
 * authenticator as a server (for AUTH) and as a client (for the smtp
 * transport). */
#ifndef MXLAB_AUTH_AUTH_H
#define MXLAB_AUTH_AUTH_H

#include "base/gstr.h"
#include "conf/driver.h"
#include "conf/opt.h"

struct arena;
struct expand_ctx;

struct auth_generic {
    char *client_condition;
    char *client_set_id;
    char *public_name;
    char *server_advertise_condition;
    char *server_condition;
    char *server_debug_print;
    char *server_mail_auth_condition;
    char *server_set_id;
};

extern const struct opt_table auth_generic_opts;

#define AUTH_VARS 4 /* $auth1 .. $auth4 */

/* What an authenticator's server or client code returns (Exim's). */
enum auth_rc {
    AUTH_OK,
    AUTH_FAIL,       /* wrong credentials: 535 */
    AUTH_DEFER,      /* cannot tell now: 435 */
    AUTH_BAD64,      /* the client sent bad base64: 501 */
    AUTH_CANCELLED,  /* the client sent "*": 501 */
    AUTH_UNEXPECTED, /* initial data where none is allowed: 553 */
    AUTH_IO,         /* the connection was lost or timed out */
    AUTH_ERROR,      /* client side: a local problem (message in err) */
    AUTH_FAIL_SEND,  /* client side: could not send */
};

/* One server-side AUTH exchange. The SMTP server fills in the
 * connection facts and the challenge hook; the driver fills in the
 * results. */
struct auth_server_call {
    const struct driver_instance *d;
    struct expand_ctx *x; /* $auth1.. are set here */
    struct arena *arena;
    const char *data; /* what followed the mechanism name; "" if none */
    /* Sends "334 TEXT" (TEXT is already base64, or what a driver relays
     * verbatim) and reads the client's answer line (CR LF removed).
     * Returns AUTH_OK, AUTH_CANCELLED for "*", AUTH_IO. */
    int (*challenge)(void *io_ctx, const char *text, char **answer);
    void *io_ctx;
    const char *host_address; /* NULL for a local (-bs) caller */
    int host_port;
    const char *interface_address;
    int interface_port;
    int tls;               /* the session is under TLS */
    int tls_cert_verified; /* and the client's certificate verified */
    int timeout;           /* seconds, for a driver's own sockets */
    /* Results. */
    char *vars[AUTH_VARS]; /* $auth1 .. */
    int nvars;
    gstr defer_msg;      /* for the log: why AUTH_DEFER */
    gstr defer_user_msg; /* appended to the 435 reply (" text") */
};

/* The instance's public (mechanism) name: public_name, else its name. */
const char *auth_public_name(const struct driver_instance *d);
/* Can this instance act as a server / a client? */
int auth_is_server(const struct driver_instance *d);
int auth_is_client(const struct driver_instance *d);

/* Runs the server side of instance d. */
int auth_server_run(struct auth_server_call *c);

/* Shared by the drivers (auth.c). */
/* Sets $auth1.. and the results from clear text split at NULs. */
void auth_vars_from_clear(struct auth_server_call *c, const char *clear,
                          size_t len, int at_least_one);
/* Decodes base64 data from the AUTH line ("=" is one empty item). */
int auth_read_input(struct auth_server_call *c, const char *data);
/* Sends a prompt (clear text), reads and decodes the answer. */
int auth_prompt(struct auth_server_call *c, const char *prompt);
/* Evaluates an authorization condition: unset gives unset_rc. */
int auth_check_cond(struct auth_server_call *c, const char *cond, int unset_rc);
/* Publishes c->vars as $auth1.. in c->x (NULL to clear). */
void auth_set_vars(struct auth_server_call *c);

/* Client side: one exchange on an SMTP connection (the transport's). */
struct auth_client_call {
    const struct driver_instance *d;
    struct expand_ctx *x;
    struct arena *arena;
    /* Sends a command line (without CRLF) and reads the reply: code,
     * and the whole reply text (first line after the code) in reply.
     * Returns 0, or -1 on an I/O error or time-out. */
    int (*command)(void *io_ctx, const char *line, int *code, gstr *reply);
    void *io_ctx;
    gstr err;        /* for AUTH_ERROR / AUTH_CANCELLED: why */
    gstr last_reply; /* the last reply from the server */
    int last_code;
};

int auth_client_run(struct auth_client_call *c);

#endif
