/* proxy.h: fake-xclient-proxy's shared declarations. */
#ifndef FAKE_XCLIENT_PROXY_H
#define FAKE_XCLIENT_PROXY_H

#include "../common/fake_conn.h"

/* Transcript marks for the upstream side (the client side uses the
 * common '<' and '>'). */
#define PROXY_TR_UP_SENT '}'
#define PROXY_TR_UP_RECV '{'

#define PROXY_MAX_USERS 32
#define PROXY_MAX_ATTRS 8

struct proxy_user {
    const char *name;
    const char *password;
};

enum proxy_fault {
    PROXY_FAULT_NONE,
    PROXY_FAULT_NO_EHLO,      /* no EHLO after XCLIENT: MAIL at once */
    PROXY_FAULT_DROP_XCLIENT, /* close upstream after the XCLIENT reply */
    PROXY_FAULT_XCLIENT_LINE, /* send fault_line instead of XCLIENT */
};

struct proxy_config {
    const char *upstream_host;
    int upstream_port;
    const char *hostname;
    const char *greeting;
    struct proxy_user users[PROXY_MAX_USERS];
    int nusers;
    int auth_required;
    const char *attrs[PROXY_MAX_ATTRS]; /* XCLIENT attributes, in order */
    int nattrs;                         /* 0: send no XCLIENT */
    const char *name;                   /* NAME value */
    const char *addr, *port;            /* ADDR, PORT overrides */
    const char *destaddr, *destport;    /* DESTADDR, DESTPORT overrides */
    const char *login;                  /* LOGIN override */
    int ipv6_prefix;
    enum proxy_fault fault;
    const char *fault_line;
};

void proxy_script_load(const char *path, struct proxy_config *cfg);
int proxy_session_run(struct fake_conn *c, void *ctx);

#endif
