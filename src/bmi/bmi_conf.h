/* bmi_conf.h: Brightmail router preconditions, Brightmail main options. */
#ifndef MXLAB_BMI_BMI_CONF_H
#define MXLAB_BMI_BMI_CONF_H

#include "conf/driver.h"
#include "conf/opt.h"

struct bmi_router {
    int bmi_deliver_alternate;
    int bmi_deliver_default;
    int bmi_dont_deliver;
    char *bmi_rule;
};

extern const struct driver_ext bmi_router_ext;

struct bmi_main {
    char *bmi_config_file;
};

extern const struct opt_table bmi_main_opts;
extern struct bmi_main bmi_main;

#endif
