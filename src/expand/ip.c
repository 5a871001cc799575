/*++
 * NAME
 *	ip 3
 * SUMMARY
 *	IP addresses and networks for lists and lookups
 * SYNOPSIS
 *	#include "expand/ip.h"
 *
 *	int	ip_parse(const char *s, unsigned char addr[16], int *family)
 *	int	ip_in_net(const char *addr, const char *net)
 *	int	ip_is_local_interface(const char *addr)
 * DESCRIPTION
 *	ip_parse() accepts what Exim's string_is_ip_address() accepts:
 *	dotted-quad IPv4, and IPv6 in any inet_pton() form, optionally in
 *	brackets or with a "%zone" suffix. IPv4 addresses are stored as
 *	v4-mapped IPv6 so that both compare alike.
 *
 *	ip_in_net() compares the first "mask" bits; a net without a mask
 *	is a single host (/32 or /128).
 *
 *	ip_is_local_interface() says whether addr is an address of one of
 *	this host's interfaces (Exim's "@[]").
 * DIAGNOSTICS
 *	ip_in_net() returns -1 for a malformed net or mask.
 *	ip_is_local_interface() returns -1 when the interfaces cannot be
 *	listed.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "expand/ip.h"

int
ip_parse(const char *s, unsigned char addr[16], int *family)
{
    char buf[64];
    size_t n = strlen(s);
    const char *pct;

    if (n == 0 || n >= sizeof(buf))
        return 0;
    if (s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if ((pct = strchr(buf, '%')) != NULL)
        buf[pct - buf] = '\0';
    memset(addr, 0, 16);
    if (strchr(buf, ':') == NULL) {
        /* inet_pton accepts only full dotted quads, as Exim does. */
        if (inet_pton(AF_INET, buf, addr + 12) != 1)
            return 0;
        addr[10] = addr[11] = 0xff;
        *family = 4;
        return 1;
    }
    if (inet_pton(AF_INET6, buf, addr) != 1)
        return 0;
    *family = 6;
    return 1;
}

int
ip_in_net(const char *addr, const char *net)
{
    unsigned char a[16], b[16];
    int fa, fb;
    long bits;
    char buf[64];
    const char *slash = strrchr(net, '/');
    size_t n = slash ? (size_t)(slash - net) : strlen(net);

    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, net, n);
    buf[n] = '\0';
    if (!ip_parse(buf, b, &fb))
        return -1;
    if (slash != NULL) {
        char *end;
        if (!isdigit((unsigned char)slash[1]))
            return -1;
        bits = strtol(slash + 1, &end, 10);
        if (*end != '\0' || bits > (fb == 4 ? 32 : 128))
            return -1;
    } else
        bits = fb == 4 ? 32 : 128;
    if (!ip_parse(addr, a, &fa))
        return 0;
    if (fa != fb)
        return 0;
    if (fb == 4)
        bits += 96;
    for (long i = 0; i < bits; i++) {
        int byte = (int)(i / 8), bit = 7 - (int)(i % 8);
        if (((a[byte] >> bit) & 1) != ((b[byte] >> bit) & 1))
            return 0;
    }
    return 1;
}

int
ip_is_local_interface(const char *addr)
{
    struct ifaddrs *ifs;
    int found = 0;

    if (getifaddrs(&ifs) != 0)
        return -1;
    for (struct ifaddrs *i = ifs; i != NULL && !found; i = i->ifa_next) {
        char buf[NI_MAXHOST];
        socklen_t len;

        if (i->ifa_addr == NULL)
            continue;
        if (i->ifa_addr->sa_family == AF_INET)
            len = sizeof(struct sockaddr_in);
        else if (i->ifa_addr->sa_family == AF_INET6)
            len = sizeof(struct sockaddr_in6);
        else
            continue;
        found = getnameinfo(i->ifa_addr, len, buf, sizeof(buf), NULL, 0,
                            NI_NUMERICHOST) == 0 &&
                ip_in_net(addr, buf) == 1;
    }
    freeifaddrs(ifs);
    return found;
}
