/*++
 * NAME
 *	dns_conf 3
 * SUMMARY
 *	where DNS queries go
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	int	dns_conf_parse_resolv(const char *text, struct dns_conf *c)
 *	int	dns_conf_parse_server(const char *spec, struct dns_conf *c,
 *				gstr *err)
 *	const struct dns_conf *dns_conf_get(void)
 *	void	dns_conf_server_text(gstr *out,
 *				const struct sockaddr_storage *ss)
 *
 *	#include "dns/dns.h"
 *
 *	int	dns_set_server(const char *spec, gstr *err)
 * DESCRIPTION
 *	By default queries go to the name servers of /etc/resolv.conf
 *	(read the first time a query is made), with its "timeout:" and
 *	"attempts:" options, or the resolver's defaults of 5 seconds and 2
 *	attempts. dns_set_server() (the dns_server option) replaces them
 *	with one server and port.
 * DIAGNOSTICS
 *	dns_conf_parse_server(): '"x" is not an IP address', 'bad port
 *	"x"'. Lines of resolv.conf that do not parse are ignored, as
 *	the C library's resolver ignores them.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns_int.h"

#define RESOLV_CONF      "/etc/resolv.conf"
#define DEFAULT_TIMEOUT  5000
#define DEFAULT_ATTEMPTS 2

static struct dns_conf conf_current;
static int conf_state; /* 0: not yet read, 1: resolv.conf, 2: dns_server */

static int
addr_set(struct sockaddr_storage *ss, socklen_t *len, const char *ip,
         unsigned port)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        *len = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*s6);
        return 0;
    }
    return -1;
}

static void
conf_defaults(struct dns_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->timeout_ms = DEFAULT_TIMEOUT;
    c->attempts = DEFAULT_ATTEMPTS;
}

static void
resolv_options(struct dns_conf *c, char *opts)
{
    char *save = NULL;

    for (char *o = strtok_r(opts, " \t", &save); o != NULL;
         o = strtok_r(NULL, " \t", &save)) {
        long v;
        if (strncmp(o, "timeout:", 8) == 0 && (v = atol(o + 8)) > 0)
            c->timeout_ms = (v > 30 ? 30 : v) * 1000;
        else if (strncmp(o, "attempts:", 9) == 0 && (v = atol(o + 9)) > 0)
            c->attempts = v > 5 ? 5 : (int)v;
    }
}

int
dns_conf_parse_resolv(const char *text, struct dns_conf *c)
{
    char line[1024];
    const char *p = text;

    conf_defaults(c);
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *s, *word;

        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : p + strlen(p);
        for (s = line; isspace((unsigned char)*s); s++)
            ;
        word = s;
        while (*s != '\0' && !isspace((unsigned char)*s))
            s++;
        if (*s != '\0')
            *s++ = '\0';
        while (isspace((unsigned char)*s))
            s++;
        if (strcmp(word, "nameserver") == 0 && c->nservers < DNS_MAX_SERVERS) {
            char *e = s;
            while (*e != '\0' && !isspace((unsigned char)*e) && *e != '%')
                e++;
            *e = '\0';
            if (addr_set(&c->servers[c->nservers], &c->server_len[c->nservers],
                         s, 53) == 0)
                c->nservers++;
        } else if (strcmp(word, "options") == 0)
            resolv_options(c, s);
    }
    if (c->nservers == 0) {
        addr_set(&c->servers[0], &c->server_len[0], "127.0.0.1", 53);
        c->nservers = 1;
    }
    return 0;
}

int
dns_conf_parse_server(const char *spec, struct dns_conf *c, gstr *err)
{
    char ip[INET6_ADDRSTRLEN + 8];
    const char *p = spec, *start;
    unsigned long port = 53;
    size_t n;

    conf_defaults(c);
    while (isspace((unsigned char)*p))
        p++;
    start = p;
    while (*p != '\0' && !isspace((unsigned char)*p))
        p++;
    n = (size_t)(p - start);
    if (n == 0 || n >= sizeof(ip)) {
        gstr_printf(err, "\"%s\" is not an IP address", spec);
        return -1;
    }
    memcpy(ip, start, n);
    ip[n] = '\0';
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0') {
        char *end;
        port = strtoul(p, &end, 10);
        while (isspace((unsigned char)*end))
            end++;
        if (!isdigit((unsigned char)*p) || *end != '\0' || port == 0 ||
            port > 65535) {
            gstr_printf(err, "bad port \"%s\" (IP [port] expected)", p);
            return -1;
        }
    }
    if (addr_set(&c->servers[0], &c->server_len[0], ip, (unsigned)port) < 0) {
        gstr_printf(err, "\"%s\" is not an IP address", ip);
        return -1;
    }
    c->nservers = 1;
    return 0;
}

int
dns_set_server(const char *spec, gstr *err)
{
    struct dns_conf c;

    dns_cache_clear(); /* what one server said is not another's answer */
    if (spec == NULL) {
        conf_state = 0;
        return 0;
    }
    if (err == NULL) {
        struct arena *a = arena_create();
        gstr e;
        int rc;

        gstr_init(&e, a);
        rc = dns_set_server(spec, &e);
        arena_destroy(a);
        return rc;
    }
    if (dns_conf_parse_server(spec, &c, err) < 0)
        return -1;
    conf_current = c;
    conf_state = 2;
    return 0;
}

static void
conf_read_resolv(void)
{
    FILE *f = fopen(RESOLV_CONF, "r");
    char buf[8192];
    size_t n = 0;

    if (f != NULL) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    dns_conf_parse_resolv(buf, &conf_current);
}

const struct dns_conf *
dns_conf_get(void)
{
    if (conf_state == 0) {
        conf_read_resolv();
        conf_state = 1;
    }
    return &conf_current;
}

void
dns_conf_server_text(gstr *out, const struct sockaddr_storage *ss)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;

    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
    }
    gstr_printf(out, "%s port %u", ip, port);
}
