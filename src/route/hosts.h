/* hosts.h: host lists for remote delivery: parsing them, finding the
 * hosts' addresses, recognising the local host, and the routers'
 * "self" option. */
#ifndef MXLAB_ROUTE_HOSTS_H
#define MXLAB_ROUTE_HOSTS_H

#include "base/gstr.h"
#include "route/address.h"
#include "route/route.h"

struct arena;
struct expand_ctx;

/* What finding a host's addresses came to. */
enum host_find {
    HOST_FOUND,
    HOST_FOUND_LOCAL, /* found; the first address is this machine's */
    HOST_FIND_FAILED, /* no such host: permanent */
    HOST_FIND_AGAIN,  /* a lookup could not tell */
};

/* A colon list of hosts ("name", "name:port" as "name::port" in the
 * list, "[ip]", "[ip]:port", "ip") into host items without addresses
 * (an IP address is its own name and address). NULL for an empty
 * list. randomize shuffles it (repeatably under dns_set_seed()). */
/* One host item (name copied; address copied or NULL), not from an MX
 * record (mx -1). */
struct host_item *host_item_new(struct arena *a, const char *name,
                                const char *address, int port);
struct host_item *host_list_parse(struct arena *a, const char *list,
                                  int randomize);
/* Finds the addresses of *h (one item per address, in place, keeping
 * port and MX). */
enum host_find host_find_addresses(struct arena *a, struct host_item *h,
                                   gstr *err);
/* 1 if ip is an address of this machine (a loopback address, or one
 * of its interfaces). */
int host_is_local(struct expand_ctx *x, const char *ip);
/* A random number for hosts_randomize and equal MX records. */
unsigned long host_random(void);

/* The generic "self" option for a router whose first host h is the
 * local host: Exim's rf_self_action(). Returns what the router
 * should return; ROUTE_OK for "send". */
enum route_rc host_self_action(struct route_call *c, const struct host_item *h);

/* Prints the hosts of a routed address as -bt does:
 * "  host NAME [IP] [port=N] [MX=N]" lines. */
void host_list_print(gstr *out, const struct host_item *h);

#endif
