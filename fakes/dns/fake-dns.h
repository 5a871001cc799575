/* fake-dns.h: the zone and the answers of fake-dns. */
#ifndef MXLAB_FAKES_DNS_H
#define MXLAB_FAKES_DNS_H

#include <stddef.h>

#define FDNS_MSG_MAX  65535
#define FDNS_UDP_MAX  512
#define FDNS_NAME_MAX 256 /* a name as text, lower case, no final dot */
#define FDNS_NOTE_MAX 512

/* Fault modes a name can be given instead of records. */
enum fdns_mode {
    FDNS_RECORD,
    FDNS_SERVFAIL,
    FDNS_REFUSED,
    FDNS_TIMEOUT,
    FDNS_TRUNCATE,
    FDNS_GARBAGE,
};

struct fdns_rr {
    char name[FDNS_NAME_MAX];
    enum fdns_mode mode;
    unsigned type;
    unsigned long ttl;
    unsigned char rdata[4096];
    size_t rdlen;
    char target[FDNS_NAME_MAX]; /* CNAME: where it points */
};

struct fdns_zone {
    struct fdns_rr *rrs;
    size_t n;
};

void fdns_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

/* Reads the zone file; dies with FILE:LINE: message on an error. */
void fdns_zone_load(struct fdns_zone *z, const char *path);

/* Answers query q (udp: 1 for UDP, 0 for TCP) into r; returns its
 * length, or 0 for no answer at all. note receives the transcript
 * line's text: "a.test.ex A: NOERROR, 1 record". */
size_t fdns_answer(const struct fdns_zone *z, const unsigned char *q,
                   size_t qlen, int udp, unsigned char *r, size_t cap,
                   char *note, size_t notecap);

#endif
