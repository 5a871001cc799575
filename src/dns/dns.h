/* dns.h: the resolver. A, AAAA, MX, TXT, PTR, CNAME, NS, SRV and SOA
 * queries over UDP (TCP when a reply is truncated), with time-outs and
 * retries, aimed at the system's name servers (/etc/resolv.conf) or at
 * the server of the dns_server option (an mxlab extension). */
#ifndef MXLAB_DNS_DNS_H
#define MXLAB_DNS_DNS_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

enum dns_type {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_PTR = 12,
    DNS_T_MX = 15,
    DNS_T_TXT = 16,
    DNS_T_AAAA = 28,
    DNS_T_SRV = 33,
    DNS_T_SPF = 99, /* obsolete; data as TXT */
};

/* What a lookup came to. NOMATCH and NODATA are permanent, AGAIN is
 * temporary (SERVFAIL, REFUSED, time-out, network error), FAIL is a
 * permanent error that is neither (FORMERR, NOTIMP, a bad name). */
enum dns_status {
    DNS_OK,      /* records found */
    DNS_NOMATCH, /* the name does not exist (NXDOMAIN) */
    DNS_NODATA,  /* the name exists, without records of that type */
    DNS_AGAIN,
    DNS_FAIL,
};

/* One record of the type asked for. */
struct dns_rr {
    const char *owner; /* the name the record belongs to */
    enum dns_type type;
    unsigned long ttl;
    /* A, AAAA: the address as text; CNAME, PTR, NS: the name; MX, SRV:
     * the target host; SOA: the primary name server. */
    const char *text;
    unsigned pref;   /* MX preference, SRV priority */
    unsigned weight; /* SRV */
    unsigned port;   /* SRV */
    /* TXT: the character-strings, NULL-terminated (nstrings of them);
     * SOA: the responsible mailbox, then serial, refresh, retry, expire
     * and minimum as decimal text. */
    const char **strings;
    size_t nstrings;
    struct dns_rr *next;
};

struct dns_result {
    const char *name;      /* the name asked for */
    const char *canonical; /* the name CNAMEs led to (name if none) */
    struct dns_rr *rrs;    /* in the order of the answer */
    size_t count;
};

/* Per-lookup overrides of the resolver's time-out (per attempt, in
 * milliseconds) and number of attempts; 0 keeps the default. */
struct dns_options {
    long timeout_ms;
    int attempts;
};

/* Looks up name. Returns an enum dns_status; on DNS_OK out holds the
 * records (in a), otherwise err says what happened ("DNS lookup of
 * x.example (A) timed out"). A name with a trailing dot is the same
 * name. opts may be NULL. */
int dns_lookup(struct arena *a, const char *name, enum dns_type type,
               struct dns_result *out, gstr *err);
int dns_lookup_opts(struct arena *a, const char *name, enum dns_type type,
                    const struct dns_options *opts, struct dns_result *out,
                    gstr *err);

/* "A", "MX" ...; "TYPE65" for others. */
const char *dns_type_name(unsigned type);

/* The in-addr.arpa or ip6.arpa name of an IP address, or NULL if ip is
 * not an address. */
char *dns_reverse_name(struct arena *a, const char *ip);

/* The addresses of a host: AAAA records, then A records, as a
 * NULL-terminated array. An IP address is its own answer. DNS_OK if
 * any address was found; else DNS_AGAIN if a lookup could not tell,
 * else DNS_NOMATCH or DNS_NODATA. */
int dns_host_addresses(struct arena *a, const char *name, const char ***addrs,
                       gstr *err);

/* A domain's mail hosts, from its MX records, lowest preference first
 * and in random order among equal ones (dns_set_seed() makes the order
 * repeatable), each with its addresses looked up. DNS_OK with *hosts
 * set; DNS_NODATA if the domain has no MX records (the caller falls
 * back to the domain's own addresses); DNS_NOMATCH if it does not
 * exist; DNS_FAIL for a null MX ("0 ."), which says the domain takes
 * no mail; DNS_AGAIN. */
struct dns_host {
    const char *name;
    unsigned mx;         /* MX preference */
    const char **addrs;  /* NULL-terminated; empty if none found */
    int status;          /* of the address lookup: DNS_OK, DNS_AGAIN ... */
    const char *message; /* for a status other than DNS_OK */
    struct dns_host *next;
};
int dns_mx_hosts(struct arena *a, const char *domain, struct dns_host **hosts,
                 gstr *err);
void dns_set_seed(unsigned long seed);

/* The configuration. dns_set_server() aims every query at "IP [port]"
 * (port 53 by default); NULL goes back to the system's name servers.
 * Returns 0 or -1 with err set (err may be NULL). */
int dns_set_server(const char *spec, gstr *err);

/* Start-up, after the configuration is read: expands and checks the
 * dns_server option, and sets the host-list lookup hooks of
 * expand/match.h. Returns 0, or -1 with "FILE:LINE: message" in err. */
int dns_setup(gstr *err);

/* Forgets the failed lookups this process remembers (Exim's negative
 * cache, src/dns/dns_cache.c): each delivery starts afresh, as each of
 * Exim's runs in a process of its own. */
void dns_cache_clear(void);

#endif
