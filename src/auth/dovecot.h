/* dovecot.h: the dovecot authenticator. */
#ifndef MXLAB_AUTH_DOVECOT_H
#define MXLAB_AUTH_DOVECOT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct auth_dovecot {
    char *server_socket;
    int server_tls;
};

extern const struct driver_info auth_dovecot_info;

#endif
