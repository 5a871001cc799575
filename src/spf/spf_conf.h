/* spf_conf.h: the SPF main options. */
#ifndef MXLAB_SPF_SPF_CONF_H
#define MXLAB_SPF_SPF_CONF_H

#include "conf/opt.h"

struct spf_main {
    char *spf_guess;
    char *spf_smtp_comment_template;
};

extern const struct opt_table spf_main_opts;
extern struct spf_main spf_main;

#endif
