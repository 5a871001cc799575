/* dkim_conf.h: the DKIM main options (verification). acl_smtp_dkim is
 * with the other ACL options in conf/mainopts.h. */
#ifndef MXLAB_DKIM_DKIM_CONF_H
#define MXLAB_DKIM_DKIM_CONF_H

#include "conf/opt.h"

struct dkim_main {
    char *dkim_verify_hashes;
    char *dkim_verify_keytypes;
    char *dkim_verify_min_keysizes;
    int dkim_verify_minimal;
    char *dkim_verify_signers;
};

extern const struct opt_table dkim_main_opts;
extern struct dkim_main dkim_main;

#endif
