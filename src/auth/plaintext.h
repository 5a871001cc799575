/* plaintext.h: the plaintext authenticator. */
#ifndef MXLAB_AUTH_PLAINTEXT_H
#define MXLAB_AUTH_PLAINTEXT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct auth_server_call;
struct auth_client_call;

struct auth_plaintext {
    int client_ignore_invalid_base64;
    char *client_send;
    char *server_prompts;
};

extern const struct driver_info auth_plaintext_info;

int auth_plaintext_server(struct auth_server_call *c);
int auth_plaintext_client(struct auth_client_call *c);

#endif
