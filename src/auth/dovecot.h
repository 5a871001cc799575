/* dovecot.h: the dovecot authenticator. */
#ifndef MXLAB_AUTH_DOVECOT_H
#define MXLAB_AUTH_DOVECOT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct auth_server_call;

struct auth_dovecot {
    char *server_socket;
    int server_tls;
};

extern const struct driver_info auth_dovecot_info;

int auth_dovecot_server(struct auth_server_call *c);

#endif
