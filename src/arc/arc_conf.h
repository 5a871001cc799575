/* arc_conf.h: the arc_sign transport option. */
#ifndef MXLAB_ARC_ARC_CONF_H
#define MXLAB_ARC_ARC_CONF_H

#include "conf/driver.h"
#include "conf/opt.h"

struct arc_transport {
    char *arc_sign;
};

extern const struct driver_ext arc_transport_ext;

#endif
