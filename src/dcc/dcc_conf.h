/* dcc_conf.h: DCC main options. */
#ifndef MXLAB_DCC_DCC_CONF_H
#define MXLAB_DCC_DCC_CONF_H

#include "conf/driver.h"
#include "conf/opt.h"

struct dcc_main {
    int dcc_direct_add_header;
    char *dccifd_address;
    char *dccifd_options;
    int dccifd_timeout; /* seconds; an mxlab addition */
};

extern const struct opt_table dcc_main_opts;
extern struct dcc_main dcc_main;

#endif
