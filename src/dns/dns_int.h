/* dns_int.h: the resolver's parts, for its own files and unit tests:
 * the wire format, the configuration, the transport. */
#ifndef MXLAB_DNS_DNS_INT_H
#define MXLAB_DNS_DNS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "base/gstr.h"
#include "dns/dns.h"

#define DNS_NAME_MAX    255  /* wire length of a name */
#define DNS_TEXT_MAX    1024 /* a name as text, with \DDD escapes */
#define DNS_UDP_MAX     512
#define DNS_MSG_MAX     65535
#define DNS_MAX_CNAMES  10
#define DNS_MAX_SERVERS 3

#define DNS_RCODE_NOERROR  0
#define DNS_RCODE_FORMERR  1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP   4
#define DNS_RCODE_REFUSED  5

/* One resource record of a message, its data not yet interpreted. */
struct dns_wire_rr {
    char *name;
    unsigned type, class;
    unsigned long ttl;
    size_t rdoff, rdlen; /* where its data is in the message */
};

/* A parsed message. */
struct dns_msg {
    const unsigned char *buf;
    size_t len;
    unsigned id;
    int qr, tc, rd, ra, aa;
    unsigned opcode, rcode;
    char *qname; /* the first question, if any */
    unsigned qtype, qclass;
    struct dns_wire_rr *answers;
    size_t nanswers;
    long neg_ttl;  /* an SOA's minimum field in the authority section, or -1 */
    int malformed; /* the records could not be read (dns_transact) */
};

/* Writes a query (recursion desired) into buf; returns its length, or
 * 0 with err set if name is not a valid domain name or buf too small. */
size_t dns_wire_query(unsigned char *buf, size_t cap, unsigned id,
                      const char *name, unsigned type, gstr *err);

/* Reads a (possibly compressed) name at *off into out (DNS_TEXT_MAX+1
 * bytes), moving *off past it. Returns 0, or -1 with err set. */
int dns_wire_name(const unsigned char *buf, size_t len, size_t *off, char *out,
                  gstr *err);

/* Parses a message: header, questions, answers (the other sections are
 * not needed). Returns 0, or -1 with err set; never reads outside buf. */
int dns_wire_parse(struct arena *a, const unsigned char *buf, size_t len,
                   struct dns_msg *m, gstr *err);

/* Interprets an answer's data into r (type, text, strings ...).
 * Returns 0, or -1 if the data is malformed for its type. */
int dns_wire_rdata(struct arena *a, const struct dns_msg *m,
                   const struct dns_wire_rr *w, struct dns_rr *r);

/* Names are compared without regard to case or a trailing dot. */
int dns_name_eq(const char *x, const char *y);

/* Where queries go, how long to wait, how often to try. */
struct dns_conf {
    struct sockaddr_storage servers[DNS_MAX_SERVERS];
    socklen_t server_len[DNS_MAX_SERVERS];
    int nservers;
    long timeout_ms; /* per attempt */
    int attempts;
};

/* resolv.conf text: "nameserver IP" lines (up to three), "options
 * timeout:N attempts:N". Without nameservers, 127.0.0.1. Returns 0. */
int dns_conf_parse_resolv(const char *text, struct dns_conf *c);
/* "IP [port]" into c's only server. Returns 0, or -1 with err set. */
int dns_conf_parse_server(const char *spec, struct dns_conf *c, gstr *err);
/* The configuration in force (reads /etc/resolv.conf the first time,
 * unless dns_set_server() set a server). */
const struct dns_conf *dns_conf_get(void);
/* "127.0.0.1 port 53" */
void dns_conf_server_text(gstr *out, const struct sockaddr_storage *ss);

/* Sends query to the configured servers, UDP first and TCP when the
 * reply is truncated, until a reply for it comes or the attempts run
 * out. Returns DNS_OK with the parsed reply in m, or DNS_AGAIN with err
 * set. */
int dns_transact(struct arena *a, const struct dns_conf *c, long timeout_ms,
                 int attempts, const unsigned char *query, size_t qlen,
                 struct dns_msg *m, gstr *err);

/* Failed lookups remembered per process, as Exim (dns_cache.c).
 * expiry: a time(), or 0 for the life of the process. */
int dns_cache_get(const char *name, unsigned type, int *rc, gstr *err);
void dns_cache_put(const char *name, unsigned type, int rc, time_t expiry,
                   const char *message);

#endif
