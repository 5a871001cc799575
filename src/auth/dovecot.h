/* dovecot.h: the dovecot authenticator. */
#ifndef MXLAB_AUTH_DOVECOT_H
#define MXLAB_AUTH_DOVECOT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct auth_server_call;

struct auth_dovecot {
    char *server_socket;
    int server_tls;     /* say "secured" to Dovecot under TLS (default) */
    int server_timeout; /* mxlab: seconds for each socket step */
};

extern const struct driver_info auth_dovecot_info;

int auth_dovecot_server(struct auth_server_call *c);

#endif
