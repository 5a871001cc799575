/* ip.h: IP addresses and networks, as lists and iplsearch match them. */
#ifndef MXLAB_EXPAND_IP_H
#define MXLAB_EXPAND_IP_H

/* Parses an IPv4 or IPv6 address (an IPv6 one may be in [] or have a
 * %zone). Sets *family to 4 or 6 and fills addr (IPv4 as v4-mapped).
 * Returns 1, or 0 if s is not an address. */
int ip_parse(const char *s, unsigned char addr[16], int *family);
/* Is addr inside net ("192.0.2.0/24", "2001:db8::/32", "192.0.2.1")?
 * Returns 1 or 0, or -1 if net is not an address or network. */
int ip_in_net(const char *addr, const char *net);
/* Is addr an address of one of this host's interfaces ("@[]")? 1 or 0,
 * or -1 if the interfaces cannot be listed. */
int ip_is_local_interface(const char *addr);

#endif
