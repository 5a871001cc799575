/* redirect.h: the redirect router. */
#ifndef MXLAB_ROUTE_REDIRECT_H
#define MXLAB_ROUTE_REDIRECT_H

#include "conf/driver.h"
#include "conf/opt.h"

struct router_redirect {
    int allow_defer;
    int allow_fail;
    int allow_filter;
    int allow_freeze;
    int check_ancestor;
    int check_group;
    int check_owner;
    char *data;
    char *directory_transport;
    char *file;
    char *file_transport;
    int forbid_blackhole;
    int forbid_file;
    int forbid_include;
    int forbid_pipe;
    int hide_child_in_errmsg;
    int ignore_eacces;
    int ignore_enotdir;
    char *include_directory;
    int modemask;
    int one_time;
    char *owners;
    char *owngroups;
    char *pipe_transport;
    char *qualify_domain;
    int qualify_preserve_domain;
    char *reply_transport;
    int rewrite;
    int skip_syntax_errors;
    char *syntax_errors_text;
    char *syntax_errors_to;
};

extern const struct driver_info router_redirect_info;

#endif
