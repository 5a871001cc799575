/* auth.h: options every authenticator takes. */
#ifndef MXLAB_AUTH_AUTH_H
#define MXLAB_AUTH_AUTH_H

#include "conf/driver.h"
#include "conf/opt.h"

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

#endif
