/* xclient_conf.h: XCLIENT main options. */
#ifndef MXLAB_SMTP_XCLIENT_CONF_H
#define MXLAB_SMTP_XCLIENT_CONF_H

#include "conf/driver.h"
#include "conf/opt.h"

struct xclient_main {
    char *hosts_xclient;
    char *hosts_xclient_port_optional; /* mxlab: may leave out PORT */
};

extern const struct opt_table xclient_main_opts;
extern struct xclient_main xclient_main;

#endif
