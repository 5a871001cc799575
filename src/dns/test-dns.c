/* test-dns.c: unit tests for the resolver: the wire format (queries,
 * names with compression, messages, record data), malformed and
 * truncated messages, resolv.conf and dns_server, reverse names, and
 * lookups against a small server on the loopback (TCP fallback,
 * time-outs, stray replies, CNAME chains, MX ordering). */

#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/mainopts.h"
#include "dns/dns.h"
#include "dns/dns_int.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes from hex text ("c0 0c" or "c00c"); returns the length. */
static size_t
unhex(const char *s, unsigned char *out)
{
    size_t n = 0;

    while (*s != '\0') {
        unsigned v;
        if (*s == ' ') {
            s++;
            continue;
        }
        sscanf(s, "%2x", &v);
        out[n++] = (unsigned char)v;
        s += 2;
    }
    return n;
}

/* A heap copy of exactly n bytes, so that the sanitizer sees any read
 * past the end. */
static unsigned char *
exact(const unsigned char *p, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    memcpy(c, p, n);
    return c;
}

/* Queries. */
static const struct {
    const char *name;
    unsigned type;
    const char *hex; /* NULL: an error */
} query_cases[] = {
    {"a.b", DNS_T_A, "1234 0100 0001 0000 0000 0000 0161 0162 00 0001 0001"},
    {"a.b.", DNS_T_MX, "1234 0100 0001 0000 0000 0000 0161 0162 00 000f 0001"},
    {".", DNS_T_NS, "1234 0100 0001 0000 0000 0000 00 0002 0001"},
    {"a..b", DNS_T_A, NULL},
    {"", DNS_T_A, "1234 0100 0001 0000 0000 0000 00 0001 0001"},
    {".a", DNS_T_A, NULL},
    {"0123456789012345678901234567890123456789012345678901234567890123.x",
     DNS_T_A, NULL},
};

START_TEST(test_query)
{
    unsigned char buf[DNS_UDP_MAX], want[DNS_UDP_MAX];
    struct arena *a = arena_create();
    gstr err;
    size_t n;

    gstr_init(&err, a);
    n = dns_wire_query(buf, sizeof(buf), 0x1234, query_cases[_i].name,
                       query_cases[_i].type, &err);
    if (query_cases[_i].hex == NULL) {
        ck_assert_uint_eq(n, 0);
        ck_assert(err.len > 0);
    } else {
        size_t w = unhex(query_cases[_i].hex, want);
        ck_assert_uint_eq(n, w);
        ck_assert(memcmp(buf, want, n) == 0);
    }
    arena_destroy(a);
}
END_TEST

START_TEST(test_query_long_name)
{
    unsigned char buf[DNS_UDP_MAX];
    struct arena *a = arena_create();
    gstr err, name;

    gstr_init(&err, a);
    gstr_init(&name, a);
    /* 4 labels of 63 octets: 256 on the wire, one too many */
    for (int i = 0; i < 4; i++)
        gstr_printf(&name, "%s%.63s", i ? "." : "",
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                    "xxxxxxxxxxxxxxxxxxxx");
    ck_assert_uint_eq(
        dns_wire_query(buf, sizeof(buf), 1, gstr_str(&name), DNS_T_A, &err), 0);
    ck_assert_str_eq(err.s + strlen(err.s) - 8, "too long");
    ck_assert_int_eq(dns_set_server("no address", NULL), -1);
    /* no room */
    ck_assert_uint_eq(dns_wire_query(buf, 16, 1, "a.b", DNS_T_A, &err), 0);
    arena_destroy(a);
}
END_TEST

/* Names: a message (hex) and where the name starts. */
static const struct {
    const char *label, *hex;
    size_t off;
    const char *want; /* NULL: an error */
    size_t end;       /* where *off must be left */
} name_cases[] = {
    {"plain", "0161 0162 00", 0, "a.b", 5},
    {"root", "00", 0, ".", 1},
    {"pointer", "0161 0162 00 0163 c000", 5, "c.a.b", 9},
    {"pointer only", "0161 0162 00 c000", 5, "a.b", 7},
    {"pointer chain", "0161 00 0162 c000 0163 c003", 7, "c.b.a", 11},
    {"self loop", "c000", 0, NULL, 0},
    {"pointer to itself later", "0161 c002", 0, NULL, 0},
    {"forward pointer", "c002 0161 00", 0, NULL, 0},
    {"mutual loop", "0161 c004 0162 c000", 4, NULL, 0},
    {"pointer cut", "0161 c0", 0, NULL, 0},
    {"label past end", "0561 62", 0, NULL, 0},
    {"no terminator", "0161", 0, NULL, 0},
    {"start past end", "00", 1, NULL, 0},
    {"reserved label type", "4161 00", 0, NULL, 0},
    {"dot in label", "0361 2e62 00", 0, "a\\.b", 5},
    {"odd bytes", "0300 20ff 00", 0, "\\000\\032\\255", 5},
    {"upper case kept", "0141 0142 00", 0, "A.B", 5},
};

START_TEST(test_name)
{
    unsigned char msg[512], *m;
    char out[DNS_TEXT_MAX + 1];
    size_t n = unhex(name_cases[_i].hex, msg), off = name_cases[_i].off;
    struct arena *a = arena_create();
    gstr err;
    int rc;

    gstr_init(&err, a);
    m = exact(msg, n);
    rc = dns_wire_name(m, n, &off, out, &err);
    if (name_cases[_i].want == NULL) {
        ck_assert_msg(rc < 0, "%s: decoded as %s", name_cases[_i].label, out);
        ck_assert(err.len > 0);
    } else {
        ck_assert_msg(rc == 0, "%s: %s", name_cases[_i].label, gstr_str(&err));
        ck_assert_str_eq(out, name_cases[_i].want);
        ck_assert_uint_eq(off, name_cases[_i].end);
    }
    free(m);
    arena_destroy(a);
}
END_TEST

START_TEST(test_name_too_long)
{
    /* 128 labels "a" = 256 octets: over the limit */
    unsigned char msg[300], *m;
    char out[DNS_TEXT_MAX + 1];
    size_t n = 0, off = 0;
    struct arena *a = arena_create();
    gstr err;

    for (int i = 0; i < 128; i++) {
        msg[n++] = 1;
        msg[n++] = 'a';
    }
    msg[n++] = 0;
    m = exact(msg, n);
    gstr_init(&err, a);
    ck_assert_int_lt(dns_wire_name(m, n, &off, out, &err), 0);
    /* the longest names with the widest escapes fit the text buffer */
    n = 0;
    for (int i = 0; i < 4; i++) {
        msg[n++] = i < 3 ? 63 : 61;
        memset(msg + n, 0x01, i < 3 ? 63 : 61);
        n += i < 3 ? 63 : 61;
    }
    msg[n++] = 0;
    free(m);
    m = exact(msg, n);
    off = 0;
    ck_assert_int_eq(dns_wire_name(m, n, &off, out, &err), 0);
    ck_assert_uint_eq(strlen(out), 250 * 4 + 3);
    free(m);
    arena_destroy(a);
}
END_TEST

/* A reply to "a.b A": header, question, then answers. */
#define HDR_Q "1234 8180 0001 %s 0000 0000 0161 0162 00 0001 0001 "

static const struct {
    const char *label, *ancount, *answers;
    int ok;
    size_t nanswers;
} parse_cases[] = {
    {"one A", "0001", "c00c 0001 0001 0000012c 0004 c0000201", 1, 1},
    {"two A", "0002",
     "c00c 0001 0001 0000012c 0004 c0000201 "
     "c00c 0001 0001 0000012c 0004 c0000202",
     1, 2},
    {"no answers", "0000", "", 1, 0},
    {"count says more than there is", "0002",
     "c00c 0001 0001 0000012c 0004 c0000201", 0, 0},
    {"rdata past end", "0001", "c00c 0001 0001 0000012c 0010 c0000201", 0, 0},
    {"record header cut", "0001", "c00c 0001 0001 0000", 0, 0},
    {"huge count, nothing there", "ffff", "", 0, 0},
};

START_TEST(test_parse)
{
    unsigned char msg[1024], *m;
    char hex[2048];
    struct arena *a = arena_create();
    struct dns_msg dm;
    size_t n;
    gstr err;
    int rc;

    snprintf(hex, sizeof(hex), HDR_Q "%s", parse_cases[_i].ancount,
             parse_cases[_i].answers);
    n = unhex(hex, msg);
    m = exact(msg, n);
    gstr_init(&err, a);
    rc = dns_wire_parse(a, m, n, &dm, &err);
    ck_assert_msg((rc == 0) == parse_cases[_i].ok, "%s: %s",
                  parse_cases[_i].label, gstr_str(&err));
    if (rc == 0) {
        ck_assert_uint_eq(dm.nanswers, parse_cases[_i].nanswers);
        ck_assert_str_eq(dm.qname, "a.b");
        ck_assert_uint_eq(dm.qtype, 1);
        ck_assert_uint_eq(dm.id, 0x1234);
        ck_assert_int_eq(dm.qr, 1);
        ck_assert_int_eq(dm.tc, 0);
        ck_assert_uint_eq(dm.rcode, 0);
    }
    free(m);
    arena_destroy(a);
}
END_TEST

/* Record data, in a reply whose question is "a.b" at offset 12. */
static const struct {
    const char *label;
    unsigned type;
    const char *rdata;
    int ok;
    const char *text;
    unsigned pref;
    const char *strings; /* TXT strings joined with '|' */
} rdata_cases[] = {
    {"A", DNS_T_A, "c0000201", 1, "192.0.2.1", 0, NULL},
    {"A short", DNS_T_A, "c00002", 0, NULL, 0, NULL},
    {"AAAA", DNS_T_AAAA, "20010db8000000000000000000000001", 1, "2001:db8::1",
     0, NULL},
    {"AAAA long", DNS_T_AAAA, "20010db800000000000000000000000100", 0, NULL, 0,
     NULL},
    {"MX compressed", DNS_T_MX, "000a 026d78 c00c", 1, "mx.a.b", 10, NULL},
    {"MX plain", DNS_T_MX, "0014 0178 00", 1, "x", 20, NULL},
    {"MX null", DNS_T_MX, "0000 00", 1, ".", 0, NULL},
    {"MX no name", DNS_T_MX, "000a", 0, NULL, 0, NULL},
    {"MX name past rdata", DNS_T_MX, "000a 0578", 0, NULL, 0, NULL},
    {"MX trailing junk", DNS_T_MX, "000a 0178 00 ff", 0, NULL, 0, NULL},
    {"CNAME", DNS_T_CNAME, "0363 6e6e c00c", 1, "cnn.a.b", 0, NULL},
    {"PTR", DNS_T_PTR, "0468 6f73 7400", 1, "host", 0, NULL},
    {"TXT one", DNS_T_TXT, "03616263", 1, NULL, 0, "abc"},
    {"TXT three", DNS_T_TXT, "0161 00 026263", 1, NULL, 0, "a||bc"},
    {"TXT cut short", DNS_T_TXT, "0561 62", 1, NULL, 0, "ab"},
    {"TXT empty", DNS_T_TXT, "", 1, NULL, 0, ""},
    {"SRV", DNS_T_SRV, "000a 0005 0019 0178 00", 1, "x", 10, NULL},
    {"SRV short", DNS_T_SRV, "000a 0005", 0, NULL, 0, NULL},
    {"SOA", DNS_T_SOA,
     "026e73 c00c 02686d c00c 00000001 00000002 00000003 00000004 00000005", 1,
     "ns.a.b", 0, "hm.a.b|1|2|3|4|5"},
    {"SOA short", DNS_T_SOA, "026e73 c00c 02686d c00c 0000", 0, NULL, 0, NULL},
    {"unknown type", 99 + 1000, "00", 0, NULL, 0, NULL},
};

START_TEST(test_rdata)
{
    unsigned char msg[1024], *m;
    char hex[2048];
    struct arena *a = arena_create();
    struct dns_msg dm;
    struct dns_rr r;
    size_t n, rdlen;
    gstr err;
    int rc;

    rdlen = unhex(rdata_cases[_i].rdata, msg);
    snprintf(hex, sizeof(hex), HDR_Q "c00c %04x 0001 0000012c %04zx %s", "0001",
             rdata_cases[_i].type, rdlen, rdata_cases[_i].rdata);
    n = unhex(hex, msg);
    m = exact(msg, n);
    gstr_init(&err, a);
    ck_assert_int_eq(dns_wire_parse(a, m, n, &dm, &err), 0);
    ck_assert_uint_eq(dm.nanswers, 1);
    rc = dns_wire_rdata(a, &dm, &dm.answers[0], &r);
    ck_assert_msg((rc == 0) == rdata_cases[_i].ok, "%s", rdata_cases[_i].label);
    if (rc == 0) {
        ck_assert_uint_eq(r.ttl, 300);
        ck_assert_str_eq(r.owner, "a.b");
        if (rdata_cases[_i].text != NULL)
            ck_assert_str_eq(r.text, rdata_cases[_i].text);
        ck_assert_uint_eq(r.pref, rdata_cases[_i].pref);
        if (rdata_cases[_i].strings != NULL) {
            gstr j;
            gstr_init(&j, a);
            for (size_t i = 0; i < r.nstrings; i++)
                gstr_printf(&j, "%s%s", i ? "|" : "", r.strings[i]);
            ck_assert_str_eq(gstr_str(&j), rdata_cases[_i].strings);
        }
    }
    free(m);
    arena_destroy(a);
}
END_TEST

/* Every prefix of a valid message, and random bytes: parsing and
 * interpreting never read out of bounds (the sanitizer build checks). */
START_TEST(test_malformed)
{
    static const char *good =
        HDR_Q "c00c 000f 0001 0000012c 0007 000a 026d78 c00c "
              "c00c 0010 0001 0000012c 0004 03616263 "
              "c00c 0006 0001 0000012c 001e 026e73 c00c 02686d c00c "
              "00000001 00000002 00000003 00000004 00000005";
    unsigned char msg[1024], *m;
    char hex[2048];
    struct arena *a = arena_create();
    struct dns_msg dm;
    struct dns_rr r;
    unsigned long seed = 12345;
    size_t n;
    gstr err;

    snprintf(hex, sizeof(hex), good, "0003");
    n = unhex(hex, msg);
    gstr_init(&err, a);
    for (size_t len = 0; len <= n; len++) {
        m = exact(msg, len);
        if (dns_wire_parse(a, m, len, &dm, &err) == 0)
            for (size_t i = 0; i < dm.nanswers; i++)
                dns_wire_rdata(a, &dm, &dm.answers[i], &r);
        ck_assert_int_eq(len == n ? dns_wire_parse(a, m, len, &dm, &err) : 0,
                         0);
        free(m);
    }
    ck_assert_uint_eq(dm.nanswers, 3);
    for (int round = 0; round < 20000; round++) {
        size_t len = 12 + (size_t)(round % 80);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            msg[i] = (unsigned char)(seed >> 40);
            /* pointers and small counts more often than chance */
            if ((seed >> 20) % 7 == 0)
                msg[i] = 0xc0;
        }
        msg[4] = 0;
        msg[5] = (unsigned char)(round % 3);
        msg[6] = 0;
        msg[7] = (unsigned char)(round % 5);
        m = exact(msg, len);
        if (dns_wire_parse(a, m, len, &dm, &err) == 0)
            for (size_t i = 0; i < dm.nanswers; i++) {
                dm.answers[i].type =
                    (unsigned[]){1, 2, 5, 6, 12, 15, 16, 28, 33}[round % 9];
                dns_wire_rdata(a, &dm, &dm.answers[i], &r);
            }
        free(m);
        if (round % 1000 == 0)
            arena_reset(a), gstr_init(&err, a);
    }
    arena_destroy(a);
}
END_TEST

/* resolv.conf */
static const struct {
    const char *text;
    int nservers;
    long timeout_ms;
    int attempts;
    const char *first;
} resolv_cases[] = {
    {"nameserver 10.0.0.1\n", 1, 5000, 2, "10.0.0.1 port 53"},
    {"", 1, 5000, 2, "127.0.0.1 port 53"},
    {"# comment\nsearch x.example\nnameserver ::1\nnameserver 10.0.0.2\n"
     "options timeout:1 attempts:3 rotate\n",
     2, 1000, 3, "::1 port 53"},
    {"nameserver fe80::1%eth0\n", 1, 5000, 2, "fe80::1 port 53"},
    {"nameserver bogus\nnameserver 10.0.0.3", 1, 5000, 2, "10.0.0.3 port 53"},
    {"nameserver 1.1.1.1\nnameserver 1.1.1.2\nnameserver 1.1.1.3\n"
     "nameserver 1.1.1.4\noptions timeout:0 attempts:99\n",
     3, 5000, 5, "1.1.1.1 port 53"},
};

START_TEST(test_resolv)
{
    struct dns_conf c;
    struct arena *a = arena_create();
    gstr g;

    dns_conf_parse_resolv(resolv_cases[_i].text, &c);
    ck_assert_int_eq(c.nservers, resolv_cases[_i].nservers);
    ck_assert_int_eq(c.timeout_ms, resolv_cases[_i].timeout_ms);
    ck_assert_int_eq(c.attempts, resolv_cases[_i].attempts);
    gstr_init(&g, a);
    dns_conf_server_text(&g, &c.servers[0]);
    ck_assert_str_eq(gstr_str(&g), resolv_cases[_i].first);
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *spec, *want; /* want NULL: an error */
} server_cases[] = {
    {"127.0.0.1", "127.0.0.1 port 53"},
    {"127.0.0.1 5353", "127.0.0.1 port 5353"},
    {"  ::1   5353  ", "::1 port 5353"},
    {"127.0.0.1 0", NULL},
    {"127.0.0.1 65536", NULL},
    {"127.0.0.1 53x", NULL},
    {"localhost", NULL},
    {"", NULL},
    {"127.0.0.1 -5", NULL},
};

START_TEST(test_server)
{
    struct dns_conf c;
    struct arena *a = arena_create();
    gstr g, err;
    int rc;

    gstr_init(&g, a);
    gstr_init(&err, a);
    rc = dns_conf_parse_server(server_cases[_i].spec, &c, &err);
    if (server_cases[_i].want == NULL) {
        ck_assert_int_lt(rc, 0);
        ck_assert(err.len > 0);
    } else {
        ck_assert_int_eq(rc, 0);
        dns_conf_server_text(&g, &c.servers[0]);
        ck_assert_str_eq(gstr_str(&g), server_cases[_i].want);
    }
    arena_destroy(a);
}
END_TEST

static const struct {
    const char *ip, *want;
} reverse_cases[] = {
    {"192.0.2.1", "1.2.0.192.in-addr.arpa"},
    {"2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1."
                    "0.0.2.ip6.arpa"},
    {"host.example", NULL},
    {"192.0.2", NULL},
};

START_TEST(test_reverse)
{
    struct arena *a = arena_create();
    char *r = dns_reverse_name(a, reverse_cases[_i].ip);

    if (reverse_cases[_i].want == NULL)
        ck_assert_ptr_null(r);
    else
        ck_assert_str_eq(r, reverse_cases[_i].want);
    arena_destroy(a);
}
END_TEST

/* A small server on the loopback, in a child process: UDP and TCP on
 * one port, answering by the name asked for. */
static pid_t server_pid;
static unsigned server_port;

static size_t
rr_a(unsigned char *p, const char *ip4)
{
    unsigned b[4];
    sscanf(ip4, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]);
    unsigned char r[] = {0xc0,
                         0x0c,
                         0,
                         1,
                         0,
                         1,
                         0,
                         0,
                         1,
                         0x2c,
                         0,
                         4,
                         (unsigned char)b[0],
                         (unsigned char)b[1],
                         (unsigned char)b[2],
                         (unsigned char)b[3]};
    memcpy(p, r, sizeof(r));
    return sizeof(r);
}

static size_t
rr_mx(unsigned char *p, unsigned pref, char host)
{
    unsigned char r[] = {0xc0, 0x0c,
                         0,    15,
                         0,    1,
                         0,    0,
                         1,    0x2c,
                         0,    6,
                         0,    (unsigned char)pref,
                         1,    (unsigned char)host,
                         0xc0, 0x0c};
    memcpy(p, r, sizeof(r));
    return sizeof(r);
}

/* Builds the reply to q (qlen octets) into r; 0 for none. */
static size_t
server_reply(const unsigned char *q, size_t qlen, int tcp, unsigned char *r)
{
    char name[256];
    size_t o = 0, p = 12, n = qlen;
    unsigned an = 0;

    while (p < qlen && q[p] != 0 && o < 200) {
        if (o)
            name[o++] = '.';
        memcpy(name + o, q + p + 1, q[p]);
        o += q[p];
        p += 1 + q[p];
    }
    name[o] = '\0';
    memcpy(r, q, qlen);
    r[2] = 0x81;
    r[3] = 0x80;
    if (strcmp(name, "slow.test") == 0)
        return 0;
    if (strcmp(name, "formerr.test") == 0) {
        /* the header alone, without the question */
        r[3] |= 1;
        r[5] = 0;
        return 12;
    }
    if (strcmp(name, "tc.test") == 0 && !tcp) {
        r[2] |= 0x02;
        return qlen;
    }
    if (strcmp(name, "tc.test") == 0 || strcmp(name, "stray.test") == 0 ||
        strcmp(name, "target.test") == 0)
        n += rr_a(r + n, "192.0.2.9"), an++;
    else if (strcmp(name, "mx.test") == 0) {
        n += rr_mx(r + n, 10, 'b'), an++;
        n += rr_mx(r + n, 10, 'a'), an++;
        n += rr_mx(r + n, 5, 'c'), an++;
        n += rr_mx(r + n, 10, 'd'), an++;
    } else if (strcmp(name, "cname.test") == 0) {
        /* a CNAME to target.test, without what it points to */
        static const unsigned char c[] = {
            0xc0, 0x0c, 0,   5,   0,   1,   0, 0,   1,   0x2c, 0,   13, 6,
            't',  'a',  'r', 'g', 'e', 't', 4, 't', 'e', 's',  't', 0};
        memcpy(r + n, c, sizeof(c));
        n += sizeof(c), an++;
    } else if (strcmp(name, "loop.test") == 0) {
        /* a CNAME to itself */
        static const unsigned char c[] = {0xc0, 0x0c, 0,    5, 0, 1,    0,
                                          0,    1,    0x2c, 0, 2, 0xc0, 0x0c};
        memcpy(r + n, c, sizeof(c));
        n += sizeof(c), an++;
    } else if (strcmp(name, "junk.test") == 0) {
        /* an answer whose data runs past the end of the message */
        static const unsigned char c[] = {0xc0, 0x0c, 0, 1, 0, 1,   0,
                                          0,    1,    0, 0, 9, 192, 0};
        memcpy(r + n, c, sizeof(c));
        n += sizeof(c), an++;
    } else if (strcmp(name, "servfail.test") == 0)
        r[3] |= 2;
    else if (strcmp(name, "nodata.test") != 0)
        r[3] |= 3;
    r[6] = 0;
    r[7] = (unsigned char)an;
    return n;
}

static void
server_loop(int ufd, int tfd)
{
    for (;;) {
        struct pollfd pf[2] = {{ufd, POLLIN, 0}, {tfd, POLLIN, 0}};
        unsigned char q[600], r[2048];
        poll(pf, 2, -1);
        if (pf[0].revents & POLLIN) {
            struct sockaddr_storage from;
            socklen_t fl = sizeof(from);
            ssize_t n =
                recvfrom(ufd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
            size_t rl = n > 12 ? server_reply(q, (size_t)n, 0, r) : 0;
            if (rl > 0 && memcmp(q + 12, "\005stray", 6) == 0) {
                /* a reply with another id first */
                r[0] ^= 0xff;
                sendto(ufd, r, rl, 0, (struct sockaddr *)&from, fl);
                r[0] ^= 0xff;
            }
            if (rl > 0)
                sendto(ufd, r, rl, 0, (struct sockaddr *)&from, fl);
        }
        if (pf[1].revents & POLLIN) {
            int fd = accept(tfd, NULL, NULL);
            unsigned char h[2];
            if (fd >= 0 && read(fd, h, 2) == 2) {
                size_t ql = (size_t)h[0] << 8 | h[1], got = 0, rl;
                while (got < ql) {
                    ssize_t k = read(fd, q + got, ql - got);
                    if (k <= 0)
                        break;
                    got += (size_t)k;
                }
                rl = server_reply(q, ql, 1, r + 2);
                r[0] = (unsigned char)(rl >> 8);
                r[1] = (unsigned char)rl;
                if (write(fd, r, rl + 2) < 0)
                    break;
            }
            if (fd >= 0)
                close(fd);
        }
    }
}

static void
server_start(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int ufd, tfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    char spec[64];
    struct arena *a = arena_create();
    gstr err;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ck_assert_int_eq(bind(tfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    listen(tfd, 8);
    getsockname(tfd, (struct sockaddr *)&sa, &sl);
    ufd = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_eq(bind(ufd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    server_port = ntohs(sa.sin_port);
    if ((server_pid = fork()) == 0) {
        /* not Check's handler, which signals the whole group */
        signal(SIGTERM, SIG_DFL);
        server_loop(ufd, tfd);
        _exit(0);
    }
    close(ufd);
    close(tfd);
    snprintf(spec, sizeof(spec), "127.0.0.1 %u", server_port);
    gstr_init(&err, a);
    ck_assert_int_eq(dns_set_server(spec, &err), 0);
    arena_destroy(a);
}

static void
server_stop(void)
{
    ck_assert_int_gt(server_pid, 0);
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    dns_set_server(NULL, NULL);
}

static const struct {
    const char *name;
    unsigned type;
    int status;
    const char *first;  /* the first record's text */
    const char *errtxt; /* the message must contain this */
} lookup_cases[] = {
    {"tc.test", DNS_T_A, DNS_OK, "192.0.2.9", NULL},
    {"stray.test", DNS_T_A, DNS_OK, "192.0.2.9", NULL},
    {"cname.test", DNS_T_A, DNS_OK, "192.0.2.9", NULL},
    {"loop.test", DNS_T_A, DNS_FAIL, NULL, "CNAME chain too long"},
    {"nx.test", DNS_T_A, DNS_NOMATCH, NULL, "no such domain"},
    {"nodata.test", DNS_T_A, DNS_NODATA, NULL, "no records"},
    {"servfail.test", DNS_T_A, DNS_AGAIN, NULL, "(SERVFAIL)"},
    {"slow.test", DNS_T_A, DNS_AGAIN, NULL,
     "DNS lookup of slow.test (A) timed out (2 attempts of 200ms)"},
    /* Exim's name check: no such name, nothing asked; not for TXT */
    {"a..b", DNS_T_A, DNS_NOMATCH, NULL, "not a valid domain name"},
    {"a..b", DNS_T_TXT, DNS_FAIL, NULL, "not a valid domain name"},
    {"formerr.test", DNS_T_A, DNS_FAIL, NULL, "(FORMERR)"},
    /* as Exim through the C library: an answer without records */
    {"junk.test", DNS_T_A, DNS_NODATA, NULL,
     "malformed reply from 127.0.0.1 port"},
};

/* dns_cname_loops = 0: a CNAME that leads out of the answer is not
 * followed by a fresh query, and the lookup fails. */
START_TEST(test_cname_loops_zero)
{
    struct arena *a = arena_create();
    struct dns_options o = {200, 2};
    struct dns_result r;
    gstr err;
    int rc;

    main_config.dns_cname_loops = 0;
    server_start();
    gstr_init(&err, a);
    rc = dns_lookup_opts(a, "cname.test", DNS_T_A, &o, &r, &err);
    ck_assert_int_eq(rc, DNS_FAIL);
    ck_assert_msg(strstr(gstr_str(&err), "CNAME loop") != NULL, "%s",
                  gstr_str(&err));
    server_stop();
    main_config.dns_cname_loops = 1;
    arena_destroy(a);
}
END_TEST

START_TEST(test_lookup)
{
    struct arena *a = arena_create();
    struct dns_options o = {200, 2};
    struct dns_result r;
    gstr err;
    int rc;

    main_config.dns_cname_loops = 1; /* Exim's default */
    server_start();
    gstr_init(&err, a);
    rc = dns_lookup_opts(a, lookup_cases[_i].name, lookup_cases[_i].type, &o,
                         &r, &err);
    ck_assert_msg(rc == lookup_cases[_i].status, "%s: %d %s",
                  lookup_cases[_i].name, rc, gstr_str(&err));
    if (lookup_cases[_i].first != NULL)
        ck_assert_str_eq(r.rrs->text, lookup_cases[_i].first);
    if (lookup_cases[_i].errtxt != NULL)
        ck_assert_msg(strstr(gstr_str(&err), lookup_cases[_i].errtxt) != NULL,
                      "%s", gstr_str(&err));
    server_stop();
    arena_destroy(a);
}
END_TEST

START_TEST(test_mx_order)
{
    struct arena *a = arena_create();
    struct dns_host *h;
    gstr err, order, again;

    server_start();
    gstr_init(&err, a);
    gstr_init(&order, a);
    gstr_init(&again, a);
    dns_set_seed(42);
    ck_assert_int_eq(dns_mx_hosts(a, "mx.test", &h, &err), DNS_OK);
    for (; h != NULL; h = h->next) {
        gstr_printf(&order, "%u %s,", h->mx, h->name);
        ck_assert_int_eq(h->status, DNS_NOMATCH);
        ck_assert_ptr_null(h->addrs[0]);
    }
    /* lowest first; the same seed, the same order */
    ck_assert_int_eq(strncmp(gstr_str(&order), "5 c.mx.test,", 12), 0);
    dns_set_seed(42);
    ck_assert_int_eq(dns_mx_hosts(a, "mx.test", &h, &err), DNS_OK);
    for (; h != NULL; h = h->next)
        gstr_printf(&again, "%u %s,", h->mx, h->name);
    ck_assert_str_eq(gstr_str(&order), gstr_str(&again));
    ck_assert_int_eq(dns_mx_hosts(a, "nodata.test", &h, &err), DNS_NODATA);
    server_stop();
    arena_destroy(a);
}
END_TEST

START_TEST(test_host_addresses)
{
    struct arena *a = arena_create();
    const char **v;
    gstr err;

    gstr_init(&err, a);
    ck_assert_int_eq(dns_host_addresses(a, "192.0.2.7", &v, &err), DNS_OK);
    ck_assert_str_eq(v[0], "192.0.2.7");
    ck_assert_ptr_null(v[1]);
    server_start();
    ck_assert_int_eq(dns_host_addresses(a, "tc.test", &v, &err), DNS_OK);
    ck_assert_str_eq(v[0], "192.0.2.9");
    ck_assert_int_eq(dns_host_addresses(a, "nx.test", &v, &err), DNS_NOMATCH);
    ck_assert_int_eq(dns_host_addresses(a, "servfail.test", &v, &err),
                     DNS_AGAIN);
    server_stop();
    arena_destroy(a);
}
END_TEST

/* Failed queries are remembered by the process, successes are not:
 * with the server gone, the failures come back as they were and the
 * success is asked for again (and fails). */
START_TEST(test_negative_cache)
{
    struct arena *a = arena_create();
    struct dns_options o = {200, 1};
    struct dns_result r;
    gstr err;

    server_start();
    gstr_init(&err, a);
    ck_assert_int_eq(dns_lookup_opts(a, "nx.test", DNS_T_A, &o, &r, &err),
                     DNS_NOMATCH);
    ck_assert_int_eq(dns_lookup_opts(a, "nodata.test", DNS_T_A, &o, &r, &err),
                     DNS_NODATA);
    ck_assert_int_eq(
        dns_lookup_opts(a, "servfail.test", DNS_T_MX, &o, &r, &err), DNS_AGAIN);
    ck_assert_int_eq(dns_lookup_opts(a, "tc.test", DNS_T_A, &o, &r, &err),
                     DNS_OK);
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    ck_assert_int_eq(dns_lookup_opts(a, "nx.test", DNS_T_A, &o, &r, &err),
                     DNS_NOMATCH);
    ck_assert_str_eq(gstr_str(&err),
                     "DNS lookup of nx.test (A): no such domain");
    ck_assert_int_eq(dns_lookup_opts(a, "nodata.test", DNS_T_A, &o, &r, &err),
                     DNS_NODATA);
    ck_assert_int_eq(
        dns_lookup_opts(a, "servfail.test", DNS_T_MX, &o, &r, &err), DNS_AGAIN);
    ck_assert_str_eq(gstr_str(&err),
                     "DNS lookup of servfail.test (MX): server failure "
                     "(SERVFAIL)");
    /* another type, another name's case: asked, and the server is gone */
    ck_assert_int_eq(dns_lookup_opts(a, "nx.test", DNS_T_MX, &o, &r, &err),
                     DNS_AGAIN);
    ck_assert_int_eq(dns_lookup_opts(a, "NX.test", DNS_T_A, &o, &r, &err),
                     DNS_AGAIN);
    ck_assert_int_eq(dns_lookup_opts(a, "tc.test", DNS_T_A, &o, &r, &err),
                     DNS_AGAIN);
    dns_set_server(NULL, NULL);
    arena_destroy(a);
}
END_TEST

/* An entry is forgotten once its time has come. */
START_TEST(test_cache_expiry)
{
    struct arena *a = arena_create();
    gstr err;
    int rc = -1;

    gstr_init(&err, a);
    dns_cache_put("old.test", DNS_T_A, DNS_NOMATCH, time(NULL) - 1, "gone");
    dns_cache_put("new.test", DNS_T_A, DNS_NODATA, time(NULL) + 60, "later");
    dns_cache_put("ever.test", DNS_T_A, DNS_AGAIN, 0, "for ever");
    ck_assert_int_eq(dns_cache_get("old.test", DNS_T_A, &rc, &err), 0);
    ck_assert_int_eq(dns_cache_get("new.test", DNS_T_A, &rc, &err), 1);
    ck_assert_int_eq(rc, DNS_NODATA);
    ck_assert_str_eq(gstr_str(&err), "later");
    ck_assert_int_eq(dns_cache_get("ever.test", DNS_T_A, &rc, &err), 1);
    ck_assert_int_eq(rc, DNS_AGAIN);
    dns_cache_clear();
    ck_assert_int_eq(dns_cache_get("ever.test", DNS_T_A, &rc, &err), 0);
    arena_destroy(a);
}
END_TEST

/* The SOA's minimum field in the authority section of a negative
 * answer: how long it is remembered. */
static const struct {
    const char *label, *nscount, *authority;
    long neg_ttl;
} authority_cases[] = {
    {"SOA", "0001",
     "c00c 0006 0001 0000012c 0016 00 00 00000001 00000e10 00000258 "
     "00093a80 0000003c",
     60},
    {"NS, then SOA", "0002",
     "c00c 0002 0001 0000012c 0002 c00c "
     "c00c 0006 0001 0000012c 0016 00 00 00000001 00000e10 00000258 "
     "00093a80 0000012c",
     300},
    {"none", "0000", "", -1},
    {"SOA cut short", "0001", "c00c 0006 0001 0000012c 0016 00 00 0000", -1},
    {"SOA too small", "0001", "c00c 0006 0001 0000012c 0002 00 00", -1},
};

START_TEST(test_authority)
{
    unsigned char msg[1024], *m;
    char hex[2048];
    struct arena *a = arena_create();
    struct dns_msg dm;
    size_t n;
    gstr err;

    snprintf(hex, sizeof(hex),
             "1234 8183 0001 0000 %s 0000 0161 0162 00 0001 0001 %s",
             authority_cases[_i].nscount, authority_cases[_i].authority);
    n = unhex(hex, msg);
    m = exact(msg, n);
    gstr_init(&err, a);
    ck_assert_int_eq(dns_wire_parse(a, m, n, &dm, &err), 0);
    ck_assert_uint_eq(dm.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_msg(dm.neg_ttl == authority_cases[_i].neg_ttl, "%s: %ld",
                  authority_cases[_i].label, dm.neg_ttl);
    free(m);
    arena_destroy(a);
}
END_TEST

static Suite *
dns_suite(void)
{
    Suite *s = suite_create("dns");
    TCase *tc = tcase_create("dns");

    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_query, 0, NELEM(query_cases));
    tcase_add_test(tc, test_query_long_name);
    tcase_add_loop_test(tc, test_name, 0, NELEM(name_cases));
    tcase_add_test(tc, test_name_too_long);
    tcase_add_loop_test(tc, test_parse, 0, NELEM(parse_cases));
    tcase_add_loop_test(tc, test_authority, 0, NELEM(authority_cases));
    tcase_add_loop_test(tc, test_rdata, 0, NELEM(rdata_cases));
    tcase_add_test(tc, test_malformed);
    tcase_add_loop_test(tc, test_resolv, 0, NELEM(resolv_cases));
    tcase_add_loop_test(tc, test_server, 0, NELEM(server_cases));
    tcase_add_loop_test(tc, test_reverse, 0, NELEM(reverse_cases));
    tcase_add_test(tc, test_cname_loops_zero);
    tcase_add_loop_test(tc, test_lookup, 0, NELEM(lookup_cases));
    tcase_add_test(tc, test_mx_order);
    tcase_add_test(tc, test_host_addresses);
    tcase_add_test(tc, test_negative_cache);
    tcase_add_test(tc, test_cache_expiry);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(dns_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
