/* transport.h: options every transport takes. */
#ifndef MXLAB_TRANSPORT_TRANSPORT_H
#define MXLAB_TRANSPORT_TRANSPORT_H

#include "conf/driver.h"
#include "conf/opt.h"

/* retry_use_local_part not set in the configuration: true, except on
 * the smtp transport (Exim's TRUE_UNSET). */
#define TRANSPORT_RULP_UNSET 2

struct transport_generic {
    int body_only;
    char *current_directory;
    char *debug_print;
    int delivery_date_add;
    int disable_logging;
    int envelope_to_add;
    char *event_action;
    char *group;
    char *headers_add;
    int headers_only;
    char *headers_remove;
    char *headers_rewrite;
    char *home_directory;
    int initgroups;
    char *max_parallel;
    char *message_size_limit;
    int rcpt_include_affixes;
    int retry_use_local_part; /* 0, 1, or TRANSPORT_RULP_UNSET (true) */
    char *return_path;
    int return_path_add;
    char *shadow_condition;
    char *shadow_transport;
    char *transport_filter;
    int transport_filter_timeout;
    char *user;
};

extern const struct opt_table transport_generic_opts;

struct gstr;
/* A driver's check that refuses transport_filter, which it does not
 * act on: 0, or -1 with a message in err. */
int transport_check_no_filter(struct driver_instance *d, struct gstr *err);

#endif
