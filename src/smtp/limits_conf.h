/* limits_conf.h: LIMITS main options. */
#ifndef MXLAB_SMTP_LIMITS_CONF_H
#define MXLAB_SMTP_LIMITS_CONF_H

#include "conf/driver.h"
#include "conf/opt.h"

struct limits_main {
    char *limits_advertise_hosts;
};

extern const struct opt_table limits_main_opts;
extern struct limits_main limits_main;

#endif
