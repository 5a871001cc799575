/* queuefile.h: the queuefile transport. */
#ifndef MXLAB_TRANSPORT_QUEUEFILE_H
#define MXLAB_TRANSPORT_QUEUEFILE_H

#include "conf/driver.h"
#include "conf/opt.h"

struct transport_queuefile {
    char *directory;
};

extern const struct driver_info transport_queuefile_info;

#endif
