/* router.h: options every router takes. */
#ifndef MXLAB_ROUTE_ROUTER_H
#define MXLAB_ROUTE_ROUTER_H

#include "conf/driver.h"
#include "conf/opt.h"

struct gstr;

struct router_generic {
    char *address_data;
    char *cannot_route_message;
    int caseful_local_part;
    int check_local_user;
    char *condition;
    char *debug_print;
    int disable_logging;
    char *domains;
    char *errors_to;
    int expn;
    int fail_verify_recipient;
    int fail_verify_sender;
    char *fallback_hosts;
    char *group;
    char *headers_add;
    char *headers_remove;
    char *ignore_target_hosts;
    int initgroups;
    char *local_part_prefix;
    int local_part_prefix_optional;
    char *local_part_suffix;
    int local_part_suffix_optional;
    char *local_parts;
    int log_as_local;
    int more;
    int pass_on_timeout;
    char *pass_router;
    char *redirect_router;
    int repeat_use;
    char *require_files;
    int retry_use_local_part;
    char *router_home_directory;
    char *self;
    char *senders;
    char *set;
    char *transport;
    char *transport_current_directory;
    char *transport_home_directory;
    char *translate_ip_address;
    int unseen;
    char *user;
    int verify_only;
    int verify_recipient;
    int verify_sender;
};

extern const struct opt_table router_generic_opts;

/* log_as_local's default depends on the driver (Exim's TRUE_UNSET):
 * true for accept, false for the others. Each driver's check hook
 * calls this with its default. Returns 0. */
int router_default_log_as_local(struct driver_instance *d, int value);
/* The check hook of drivers whose default is false. */
int router_check_generic(struct driver_instance *d, struct gstr *err);

#endif
