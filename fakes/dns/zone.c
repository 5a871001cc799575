/*++
 * NAME
 *	zone 3
 * SUMMARY
 *	fake-dns: the zone file and the answers
 * SYNOPSIS
 *	#include "fake-dns.h"
 *
 *	void	fdns_zone_load(struct fdns_zone *z, const char *path)
 *	size_t	fdns_answer(const struct fdns_zone *z,
 *				const unsigned char *q, size_t qlen, int udp,
 *				unsigned char *r, size_t cap, char *note,
 *				size_t notecap)
 * DESCRIPTION
 *	The zone file has one record per line, "NAME [TTL] TYPE DATA";
 *	"#" starts a comment. Names are compared without regard to case
 *	and a final dot; "*.example" matches names below example that
 *	have no records of their own. A PTR record may be written with
 *	the IP address as its name. A name that has no records but names
 *	below it exists (NOERROR with no records, not NXDOMAIN). DATA by
 *	type:
 *	A and AAAA an address; CNAME, NS and PTR a name; MX "PREF HOST";
 *	SRV "PRIO WEIGHT PORT HOST"; SOA "MNAME RNAME SERIAL REFRESH
 *	RETRY EXPIRE MINIMUM"; TXT one or more strings, each "quoted"
 *	(with \" and \\) or a bare word; one longer than 255 octets is
 *	sent as several strings of 255. Instead of TYPE DATA a line can
 *	name a fault mode for the name: SERVFAIL, REFUSED, TIMEOUT (no
 *	answer at all), TRUNCATE (TC and no records over UDP, the records
 *	over TCP), GARBAGE (an answer whose record runs past the end).
 *
 *	fdns_answer() follows CNAME records within the zone (16 links
 *	at most) and puts the whole chain in the answer.
 * DIAGNOSTICS
 *	"fake-dns: FILE:LINE: message" and exit status 2 for a bad line.
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake-dns.h"

static const struct {
    const char *name;
    unsigned type;
} fdns_types[] = {
    {"A", 1},    {"NS", 2},   {"CNAME", 5}, {"SOA", 6},
    {"PTR", 12}, {"MX", 15},  {"TXT", 16},  {"AAAA", 28},
    {"SRV", 33}, {"SPF", 99}, {"ANY", 255},
};

static const struct {
    const char *name;
    enum fdns_mode mode;
} fdns_modes[] = {
    {"SERVFAIL", FDNS_SERVFAIL}, {"REFUSED", FDNS_REFUSED},
    {"TIMEOUT", FDNS_TIMEOUT},   {"TRUNCATE", FDNS_TRUNCATE},
    {"GARBAGE", FDNS_GARBAGE},
};

static const char *
fdns_type_name(unsigned type, char *buf, size_t n)
{
    for (size_t i = 0; i < sizeof(fdns_types) / sizeof(fdns_types[0]); i++)
        if (fdns_types[i].type == type)
            return fdns_types[i].name;
    snprintf(buf, n, "TYPE%u", type);
    return buf;
}

/* Lower case, no final dot; 0, or -1 if too long. */
static int
fdns_name_norm(char *out, const char *in)
{
    size_t n = strlen(in);

    if (n > 1 && in[n - 1] == '.')
        n--;
    if (n >= FDNS_NAME_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[n] = '\0';
    return 0;
}

/* A name in wire format, uncompressed. Returns its length or 0. */
static size_t
fdns_name_wire(unsigned char *out, size_t cap, const char *name)
{
    size_t n = 0;
    const char *p = strcmp(name, ".") == 0 ? "" : name;

    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l == 0 || l > 63 || n + l + 2 > cap || n + l + 2 > 255)
            return 0;
        out[n++] = (unsigned char)l;
        memcpy(out + n, p, l);
        n += l;
        p += l + (dot != NULL);
    }
    if (n + 1 > cap)
        return 0;
    out[n++] = 0;
    return n;
}

/* Splits a line into words; "quoted strings" keep blanks, with \" and
 * \\. Returns the count; quoted[i] says a word was quoted. */
static int
fdns_split(char *line, char **w, int *quoted, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#' || n == max)
            return n;
        quoted[n] = *p == '"';
        if (*p == '"') {
            char *o = ++p;
            w[n++] = o;
            while (*p != '\0' && *p != '"') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                *o++ = *p++;
            }
            if (*p == '"')
                p++;
            *o = '\0';
            /* o never passes p, so the string ends before the next word */
            continue;
        }
        w[n++] = p;
        while (*p != '\0' && !isspace((unsigned char)*p))
            p++;
        if (*p != '\0')
            *p++ = '\0';
    }
}

static int
fdns_u16(const char *s, unsigned char *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v > 65535)
        return -1;
    out[0] = (unsigned char)(v >> 8);
    out[1] = (unsigned char)v;
    return 0;
}

static int
fdns_u32(const char *s, unsigned char *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v > 0xffffffffUL)
        return -1;
    out[0] = (unsigned char)(v >> 24);
    out[1] = (unsigned char)(v >> 16);
    out[2] = (unsigned char)(v >> 8);
    out[3] = (unsigned char)v;
    return 0;
}

/* The data of a record; NULL, or what is wrong with it. */
static const char *
fdns_rdata(struct fdns_rr *rr, char **w, int nw)
{
    unsigned char *d = rr->rdata;
    size_t cap = sizeof(rr->rdata), n;
    char name[FDNS_NAME_MAX];

    switch (rr->type) {
    case 1:
    case 28:
        if (nw != 1 ||
            inet_pton(rr->type == 1 ? AF_INET : AF_INET6, w[0], d) != 1)
            return rr->type == 1 ? "A needs an IPv4 address"
                                 : "AAAA needs an IPv6 address";
        rr->rdlen = rr->type == 1 ? 4 : 16;
        return NULL;
    case 2:
    case 5:
    case 12:
        if (nw != 1 || fdns_name_norm(name, w[0]) < 0 ||
            (rr->rdlen = fdns_name_wire(d, cap, name)) == 0)
            return "one domain name expected";
        if (rr->type == 5)
            memcpy(rr->target, name, sizeof(name));
        return NULL;
    case 15:
        if (nw != 2 || fdns_u16(w[0], d) < 0 ||
            fdns_name_norm(name, w[1]) < 0 ||
            (n = fdns_name_wire(d + 2, cap - 2, name)) == 0)
            return "MX needs PREFERENCE HOST";
        rr->rdlen = 2 + n;
        return NULL;
    case 33:
        if (nw != 4 || fdns_u16(w[0], d) < 0 || fdns_u16(w[1], d + 2) < 0 ||
            fdns_u16(w[2], d + 4) < 0 || fdns_name_norm(name, w[3]) < 0 ||
            (n = fdns_name_wire(d + 6, cap - 6, name)) == 0)
            return "SRV needs PRIORITY WEIGHT PORT HOST";
        rr->rdlen = 6 + n;
        return NULL;
    case 6: {
        size_t m;
        if (nw != 7 || fdns_name_norm(name, w[0]) < 0 ||
            (n = fdns_name_wire(d, cap, name)) == 0 ||
            fdns_name_norm(name, w[1]) < 0 ||
            (m = fdns_name_wire(d + n, cap - n - 20, name)) == 0)
            return "SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE "
                   "MINIMUM";
        n += m;
        for (int i = 0; i < 5; i++)
            if (fdns_u32(w[2 + i], d + n + 4 * (size_t)i) < 0)
                return "SOA numbers must be 32-bit integers";
        rr->rdlen = n + 20;
        return NULL;
    }
    case 16:
    case 99:
        n = 0;
        if (nw < 1)
            return "TXT needs at least one string";
        for (int i = 0; i < nw; i++) {
            /* a longer string is sent as several of 255 octets, as
             * zone-file tools split DKIM keys */
            const char *s = w[i];
            size_t left = strlen(s);
            do {
                size_t l = left > 255 ? 255 : left;
                if (n + 1 + l > cap)
                    return "TXT data too long";
                d[n++] = (unsigned char)l;
                memcpy(d + n, s, l);
                n += l;
                s += l;
                left -= l;
            } while (left > 0);
        }
        rr->rdlen = n;
        return NULL;
    default:
        return "unknown type";
    }
}

/* "192.0.2.1" as a PTR owner means 1.2.0.192.in-addr.arpa. */
static void
fdns_reverse(char *name)
{
    unsigned char b[16];
    char out[FDNS_NAME_MAX];
    size_t o = 0;

    if (inet_pton(AF_INET, name, b) == 1) {
        snprintf(name, FDNS_NAME_MAX, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2],
                 b[1], b[0]);
        return;
    }
    if (inet_pton(AF_INET6, name, b) != 1)
        return;
    for (int i = 15; i >= 0; i--)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%x.%x.", b[i] & 15,
                              b[i] >> 4);
    snprintf(out + o, sizeof(out) - o, "ip6.arpa");
    memcpy(name, out, sizeof(out));
}

static void
fdns_zone_line(struct fdns_zone *z, char *line, const char *path, int lineno)
{
    char *w[64];
    int quoted[64], nw = fdns_split(line, w, quoted, 64), i = 1;
    struct fdns_rr rr;
    const char *why;

    if (nw == 0)
        return;
    memset(&rr, 0, sizeof(rr));
    rr.ttl = 300;
    if (nw < 2 || fdns_name_norm(rr.name, w[0]) < 0)
        fdns_die("%s:%d: NAME [TTL] TYPE DATA expected", path, lineno);
    if (isdigit((unsigned char)w[1][0])) {
        rr.ttl = strtoul(w[1], NULL, 10);
        i = 2;
    }
    if (i >= nw)
        fdns_die("%s:%d: TYPE missing", path, lineno);
    for (size_t m = 0; m < sizeof(fdns_modes) / sizeof(fdns_modes[0]); m++)
        if (strcasecmp(w[i], fdns_modes[m].name) == 0)
            rr.mode = fdns_modes[m].mode;
    if (rr.mode == FDNS_RECORD) {
        size_t t;
        for (t = 0; t < sizeof(fdns_types) / sizeof(fdns_types[0]) - 1; t++)
            if (strcasecmp(w[i], fdns_types[t].name) == 0)
                break;
        if (t == sizeof(fdns_types) / sizeof(fdns_types[0]) - 1)
            fdns_die("%s:%d: unknown type or mode \"%s\"", path, lineno, w[i]);
        rr.type = fdns_types[t].type;
        if (rr.type == 12)
            fdns_reverse(rr.name);
        if ((why = fdns_rdata(&rr, w + i + 1, nw - i - 1)) != NULL)
            fdns_die("%s:%d: %s", path, lineno, why);
    } else if (i + 1 != nw)
        fdns_die("%s:%d: a fault mode takes no data", path, lineno);
    z->rrs = realloc(z->rrs, (z->n + 1) * sizeof(*z->rrs));
    if (z->rrs == NULL)
        fdns_die("out of memory");
    z->rrs[z->n++] = rr;
}

void
fdns_zone_load(struct fdns_zone *z, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int lineno = 0;

    memset(z, 0, sizeof(*z));
    if (f == NULL)
        fdns_die("%s: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        fdns_zone_line(z, line, path, lineno);
    }
    fclose(f);
}

/* Does the zone have name (or a wildcard covering it)? Returns the name
 * to look under ("name" or "*.parent"), or NULL. */
static const char *
fdns_owner(const struct fdns_zone *z, const char *name, char *buf)
{
    const char *p = name;

    size_t n = strlen(name);

    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->rrs[i].name, name) == 0)
            return name;
    /* a parent of names in the zone exists, without records of its own */
    for (size_t i = 0; i < z->n; i++) {
        size_t m = strlen(z->rrs[i].name);
        if (m > n + 1 && z->rrs[i].name[m - n - 1] == '.' &&
            strcmp(z->rrs[i].name + m - n, name) == 0)
            return name;
    }
    while ((p = strchr(p, '.')) != NULL) {
        snprintf(buf, FDNS_NAME_MAX, "*%s", p);
        for (size_t i = 0; i < z->n; i++)
            if (strcmp(z->rrs[i].name, buf) == 0)
                return buf;
        p++;
    }
    return NULL;
}

struct fdns_reply {
    unsigned char *r;
    size_t cap, len;
    unsigned ancount;
    int overflow;
};

static void
fdns_put(struct fdns_reply *o, const void *p, size_t n)
{
    if (o->len + n > o->cap) {
        o->overflow = 1;
        return;
    }
    memcpy(o->r + o->len, p, n);
    o->len += n;
}

static void
fdns_put_rr(struct fdns_reply *o, const char *owner, const struct fdns_rr *rr)
{
    unsigned char name[256], h[10];
    size_t n = fdns_name_wire(name, sizeof(name), owner);

    fdns_put(o, name, n);
    h[0] = (unsigned char)(rr->type >> 8);
    h[1] = (unsigned char)rr->type;
    h[2] = 0;
    h[3] = 1;
    h[4] = (unsigned char)(rr->ttl >> 24);
    h[5] = (unsigned char)(rr->ttl >> 16);
    h[6] = (unsigned char)(rr->ttl >> 8);
    h[7] = (unsigned char)rr->ttl;
    h[8] = (unsigned char)(rr->rdlen >> 8);
    h[9] = (unsigned char)rr->rdlen;
    fdns_put(o, h, 10);
    fdns_put(o, rr->rdata, rr->rdlen);
    o->ancount++;
}

/* Reads the question; returns its end offset or 0. */
static size_t
fdns_question(const unsigned char *q, size_t qlen, char *name, unsigned *type)
{
    size_t p = 12, o = 0;

    if (qlen < 12 || (q[4] << 8 | q[5]) != 1)
        return 0;
    while (p < qlen && q[p] != 0) {
        size_t l = q[p];
        if (l > 63 || p + 1 + l >= qlen || o + l + 2 > FDNS_NAME_MAX)
            return 0;
        if (o > 0)
            name[o++] = '.';
        for (size_t i = 0; i < l; i++)
            name[o++] = (char)tolower(q[p + 1 + i]);
        p += 1 + l;
    }
    if (p + 5 > qlen)
        return 0;
    if (o == 0)
        name[o++] = '.';
    name[o] = '\0';
    *type = (unsigned)q[p + 1] << 8 | q[p + 2];
    return p + 5;
}

static enum fdns_mode
fdns_mode_of(const struct fdns_zone *z, const char *owner)
{
    for (size_t i = 0; i < z->n; i++)
        if (z->rrs[i].mode != FDNS_RECORD && strcmp(z->rrs[i].name, owner) == 0)
            return z->rrs[i].mode;
    return FDNS_RECORD;
}

static const char *const fdns_rcodes[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                          "NXDOMAIN", "NOTIMP",  "REFUSED"};

/* Adds the records for name, following CNAMEs; returns the rcode. */
static unsigned
fdns_resolve(const struct fdns_zone *z, const char *qname, unsigned qtype,
             struct fdns_reply *o)
{
    char cur[FDNS_NAME_MAX], wild[FDNS_NAME_MAX];

    snprintf(cur, sizeof(cur), "%s", qname);
    for (int hops = 0; hops <= 16; hops++) {
        const char *owner = fdns_owner(z, cur, wild);
        const struct fdns_rr *cname = NULL;
        unsigned found = 0;

        if (owner == NULL)
            return 3;
        for (size_t i = 0; i < z->n; i++) {
            const struct fdns_rr *rr = &z->rrs[i];
            if (rr->mode != FDNS_RECORD || strcmp(rr->name, owner) != 0)
                continue;
            if (rr->type == qtype || (qtype == 255 && rr->type != 0)) {
                fdns_put_rr(o, cur, rr);
                found++;
            } else if (rr->type == 5)
                cname = rr;
        }
        if (found > 0 || cname == NULL)
            return 0;
        fdns_put_rr(o, cur, cname);
        snprintf(cur, sizeof(cur), "%s", cname->target);
    }
    return 0;
}

size_t
fdns_answer(const struct fdns_zone *z, const unsigned char *q, size_t qlen,
            int udp, unsigned char *r, size_t cap, char *note, size_t notecap)
{
    char qname[FDNS_NAME_MAX], wild[FDNS_NAME_MAX], tbuf[16];
    unsigned qtype = 0, rcode;
    size_t qend = fdns_question(q, qlen, qname, &qtype);
    struct fdns_reply o = {r, udp && cap > FDNS_UDP_MAX ? FDNS_UDP_MAX : cap, 0,
                           0, 0};
    const char *owner, *tname;
    enum fdns_mode mode = FDNS_RECORD;

    if (qend == 0 || (q[2] & 0x80) || ((q[2] >> 3) & 0x0f) != 0) {
        snprintf(note, notecap, "(not a query: %zu octets)", qlen);
        return 0;
    }
    tname = fdns_type_name(qtype, tbuf, sizeof(tbuf));
    if ((owner = fdns_owner(z, qname, wild)) != NULL)
        mode = fdns_mode_of(z, owner);
    if (mode == FDNS_TIMEOUT) {
        snprintf(note, notecap, "%s %s: no answer (TIMEOUT)", qname, tname);
        return 0;
    }
    fdns_put(&o, q, qend);
    r[2] = (unsigned char)(0x80 | (q[2] & 0x01) | 0x04); /* QR, RD, AA */
    r[3] = 0x80;                                         /* RA */
    memset(r + 6, 0, 6);
    if (mode == FDNS_SERVFAIL || mode == FDNS_REFUSED)
        rcode = mode == FDNS_SERVFAIL ? 2 : 5;
    else if (mode == FDNS_TRUNCATE && udp) {
        r[2] |= 0x02;
        snprintf(note, notecap, "%s %s: truncated (TRUNCATE)", qname, tname);
        return o.len;
    } else if (mode == FDNS_GARBAGE) {
        static const unsigned char junk[] = {0xc0, 0x0c, 0, 1, 0,   1, 0,
                                             0,    1,    0, 0, 200, 1, 2};
        fdns_put(&o, junk, sizeof(junk));
        r[7] = 1;
        snprintf(note, notecap, "%s %s: malformed answer (GARBAGE)", qname,
                 tname);
        return o.len;
    } else
        rcode = fdns_resolve(z, qname, qtype, &o);
    if (o.overflow) {
        /* too long for UDP: the client is to ask again over TCP */
        o.len = qend;
        r[2] |= 0x02;
        snprintf(note, notecap, "%s %s: truncated (over %d octets)", qname,
                 tname, FDNS_UDP_MAX);
        return o.len;
    }
    r[3] = (unsigned char)(0x80 | rcode);
    r[6] = (unsigned char)(o.ancount >> 8);
    r[7] = (unsigned char)o.ancount;
    snprintf(note, notecap, "%s %s: %s, %u record%s", qname, tname,
             fdns_rcodes[rcode], o.ancount, o.ancount == 1 ? "" : "s");
    return o.len;
}
