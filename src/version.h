/* version.h: mxlab's version and the Exim release it follows. */
#ifndef MXLAB_VERSION_H
#define MXLAB_VERSION_H

#define MXLAB_VERSION     "0.1.0"
#define MXLAB_EXIM_COMPAT "4.97"

#ifndef CONFIGURE_FILE
#define CONFIGURE_FILE "/etc/mxlab/configure"
#endif

#endif
