/*++
 * NAME
 *	dns_wire 3
 * SUMMARY
 *	DNS messages on the wire (RFC 1035)
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	size_t	dns_wire_query(unsigned char *buf, size_t cap, unsigned id,
 *				const char *name, unsigned type, gstr *err)
 *	int	dns_wire_name(const unsigned char *buf, size_t len,
 *				size_t *off, char *out, gstr *err)
 *	int	dns_wire_parse(struct arena *a, const unsigned char *buf,
 *				size_t len, struct dns_msg *m, gstr *err)
 *	int	dns_wire_rdata(struct arena *a, const struct dns_msg *m,
 *				const struct dns_wire_rr *w, struct dns_rr *r)
 *	int	dns_name_eq(const char *x, const char *y)
 * DESCRIPTION
 *	dns_wire_query() encodes a question of class IN with the RD bit
 *	set. A name is a sequence of labels of 1 to 63 octets separated
 *	by dots, at most 255 octets on the wire; a trailing dot is
 *	allowed and "." alone is the root.
 *
 *	dns_wire_name() decodes a name, following compression pointers.
 *	Every pointer must point before the name that uses it, so a
 *	message cannot send the decoder round in circles. Octets other
 *	than letters, digits, "-" and "_" and a few printable others come
 *	out as \DDD, a dot or backslash inside a label as "\." or "\\",
 *	as dig prints them.
 *
 *	dns_wire_parse() reads the header, the questions and the answer
 *	section. dns_wire_rdata() interprets one answer of a type the
 *	resolver knows.
 * DIAGNOSTICS
 *	Malformed input is reported, never read past: "name runs past
 *	the end of the message", "compression pointer loops", "record
 *	data runs past the end of the message".
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns_int.h"

static unsigned
get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static unsigned long
get32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
           (unsigned long)p[2] << 8 | p[3];
}

size_t
dns_wire_query(unsigned char *buf, size_t cap, unsigned id, const char *name,
               unsigned type, gstr *err)
{
    size_t n = 12, total = 1;
    const char *p = name;

    if (cap < 12 + 1 + 4) {
        gstr_adds(err, "no room for the query");
        return 0;
    }
    memset(buf, 0, 12);
    buf[0] = (unsigned char)(id >> 8);
    buf[1] = (unsigned char)id;
    buf[2] = 0x01; /* RD */
    buf[5] = 1;    /* QDCOUNT */
    if (strcmp(name, ".") == 0)
        p = "";
    while (*p != '\0') {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);

        if (l == 0 || l > 63) {
            gstr_printf(err, "\"%s\" is not a valid domain name", name);
            return 0;
        }
        total += l + 1;
        if (total > DNS_NAME_MAX || n + l + 1 + 5 > cap) {
            gstr_printf(err, "domain name \"%s\" is too long", name);
            return 0;
        }
        buf[n++] = (unsigned char)l;
        memcpy(buf + n, p, l);
        n += l;
        p += l;
        if (*p == '.')
            p++;
    }
    buf[n++] = 0;
    buf[n++] = (unsigned char)(type >> 8);
    buf[n++] = (unsigned char)type;
    buf[n++] = 0;
    buf[n++] = 1; /* IN */
    return n;
}

static void
name_put(char *out, size_t *o, const unsigned char *label, size_t l)
{
    for (size_t i = 0; i < l; i++) {
        unsigned char c = label[i];
        if (c == '.' || c == '\\') {
            out[(*o)++] = '\\';
            out[(*o)++] = (char)c;
        } else if (isalnum(c) || c == '-' || c == '_' || c == '*' || c == '/' ||
                   c == '+' || c == '=') {
            out[(*o)++] = (char)c;
        } else {
            snprintf(out + *o, 5, "\\%03u", c);
            *o += 4;
        }
    }
}

int
dns_wire_name(const unsigned char *buf, size_t len, size_t *off, char *out,
              gstr *err)
{
    size_t p = *off, o = 0, wire = 1, end = 0;
    size_t limit = *off; /* a pointer must go below this */
    int jumped = 0;

    for (;;) {
        unsigned l;

        if (p >= len) {
            gstr_adds(err, "name runs past the end of the message");
            return -1;
        }
        l = buf[p];
        if ((l & 0xc0) == 0xc0) {
            size_t target;
            if (p + 1 >= len) {
                gstr_adds(err, "name runs past the end of the message");
                return -1;
            }
            target = (size_t)(l & 0x3f) << 8 | buf[p + 1];
            if (target >= limit) {
                gstr_adds(err, "compression pointer loops or points "
                               "forward");
                return -1;
            }
            if (!jumped)
                end = p + 2;
            jumped = 1;
            limit = target;
            p = target;
            continue;
        }
        if ((l & 0xc0) != 0) {
            gstr_adds(err, "unknown label type in name");
            return -1;
        }
        if (l == 0) {
            if (!jumped)
                end = p + 1;
            break;
        }
        if (p + 1 + l > len) {
            gstr_adds(err, "name runs past the end of the message");
            return -1;
        }
        wire += l + 1;
        if (wire > DNS_NAME_MAX) {
            gstr_adds(err, "name longer than 255 octets");
            return -1;
        }
        /* at most 4 text bytes per octet, a dot, within DNS_TEXT_MAX */
        if (o > 0)
            out[o++] = '.';
        name_put(out, &o, buf + p + 1, l);
        p += 1 + l;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    *off = end;
    return 0;
}

static int
skip_question(const unsigned char *buf, size_t len, size_t *off, char *name,
              unsigned *type, unsigned *class, gstr *err)
{
    if (dns_wire_name(buf, len, off, name, err) < 0)
        return -1;
    if (*off + 4 > len) {
        gstr_adds(err, "question runs past the end of the message");
        return -1;
    }
    *type = get16(buf + *off);
    *class = get16(buf + *off + 2);
    *off += 4;
    return 0;
}

/* The minimum field of an SOA record in the authority section: how
 * long a negative answer may be remembered (Exim reads it there). A
 * malformed authority section only means there is none. */
static void
authority_neg_ttl(struct arena *a, const unsigned char *buf, size_t len,
                  size_t off, unsigned ns, struct dns_msg *m)
{
    char name[DNS_TEXT_MAX + 1];
    gstr err;

    gstr_init(&err, a);
    m->neg_ttl = -1;
    for (unsigned i = 0; i < ns; i++) {
        size_t rdlen;
        unsigned type;

        if (dns_wire_name(buf, len, &off, name, &err) < 0 || off + 10 > len)
            break;
        type = get16(buf + off);
        rdlen = get16(buf + off + 8);
        off += 10;
        if (off + rdlen > len)
            break;
        if (type == DNS_T_SOA && rdlen >= 22) {
            m->neg_ttl = (long)get32(buf + off + rdlen - 4);
            break;
        }
        off += rdlen;
    }
}

int
dns_wire_parse(struct arena *a, const unsigned char *buf, size_t len,
               struct dns_msg *m, gstr *err)
{
    char name[DNS_TEXT_MAX + 1];
    unsigned qd, an;
    size_t off = 12;

    memset(m, 0, sizeof(*m));
    m->neg_ttl = -1;
    if (len < 12) {
        gstr_adds(err, "message shorter than its header");
        return -1;
    }
    m->buf = buf;
    m->len = len;
    m->id = get16(buf);
    m->qr = buf[2] >> 7;
    m->opcode = (buf[2] >> 3) & 0x0f;
    m->aa = (buf[2] >> 2) & 1;
    m->tc = (buf[2] >> 1) & 1;
    m->rd = buf[2] & 1;
    m->ra = buf[3] >> 7;
    m->rcode = buf[3] & 0x0f;
    qd = get16(buf + 4);
    an = get16(buf + 6);
    for (unsigned i = 0; i < qd; i++) {
        unsigned t, c;
        if (skip_question(buf, len, &off, name, &t, &c, err) < 0)
            return -1;
        if (i == 0) {
            m->qname = arena_strdup(a, name);
            m->qtype = t;
            m->qclass = c;
        }
    }
    /* each answer takes at least 11 octets: no huge allocation */
    if (an > (len - off) / 11 + 1)
        an = (unsigned)((len - off) / 11 + 1);
    m->answers = arena_alloc(a, (an + 1) * sizeof(*m->answers));
    for (unsigned i = 0; i < an; i++) {
        struct dns_wire_rr *w = &m->answers[m->nanswers];
        if (dns_wire_name(buf, len, &off, name, err) < 0)
            return -1;
        if (off + 10 > len) {
            gstr_adds(err, "record runs past the end of the message");
            return -1;
        }
        w->name = arena_strdup(a, name);
        w->type = get16(buf + off);
        w->class = get16(buf + off + 2);
        w->ttl = get32(buf + off + 4);
        w->rdlen = get16(buf + off + 8);
        w->rdoff = off + 10;
        if (w->rdoff + w->rdlen > len) {
            gstr_adds(err, "record data runs past the end of the message");
            return -1;
        }
        off = w->rdoff + w->rdlen;
        m->nanswers++;
    }
    authority_neg_ttl(a, buf, len, off, get16(buf + 8), m);
    return 0;
}

/* A name inside record data: it must end within the data. */
static const char *
rdata_name(struct arena *a, const struct dns_msg *m,
           const struct dns_wire_rr *w, size_t *off)
{
    char name[DNS_TEXT_MAX + 1];
    gstr err;

    gstr_init(&err, a);
    if (dns_wire_name(m->buf, w->rdoff + w->rdlen, off, name, &err) < 0)
        return NULL;
    return arena_strdup(a, name);
}

static int
rdata_txt(struct arena *a, const struct dns_msg *m, const struct dns_wire_rr *w,
          struct dns_rr *r)
{
    const unsigned char *p = m->buf + w->rdoff;
    size_t n = 0, i = 0, end = w->rdlen;

    for (size_t o = 0; o < end; o += 1 + p[o])
        n++;
    r->strings = arena_alloc(a, (n + 1) * sizeof(*r->strings));
    for (size_t o = 0; o < end; o += 1 + p[o]) {
        size_t l = p[o];
        if (o + 1 + l > end)
            l = end - o - 1; /* a string cut short: keep what is there */
        r->strings[i++] = arena_strndup(a, (const char *)p + o + 1, l);
    }
    r->strings[i] = NULL;
    r->nstrings = i;
    return 0;
}

static int
rdata_soa(struct arena *a, const struct dns_msg *m, const struct dns_wire_rr *w,
          struct dns_rr *r)
{
    size_t off = w->rdoff;
    const char *mbox;

    if ((r->text = rdata_name(a, m, w, &off)) == NULL ||
        (mbox = rdata_name(a, m, w, &off)) == NULL ||
        off + 20 != w->rdoff + w->rdlen)
        return -1;
    r->strings = arena_alloc(a, 7 * sizeof(*r->strings));
    r->strings[0] = mbox;
    for (int i = 0; i < 5; i++)
        r->strings[i + 1] = arena_printf(a, "%lu", get32(m->buf + off + 4 * i));
    r->strings[6] = NULL;
    r->nstrings = 6;
    return 0;
}

int
dns_wire_rdata(struct arena *a, const struct dns_msg *m,
               const struct dns_wire_rr *w, struct dns_rr *r)
{
    const unsigned char *p = m->buf + w->rdoff;
    size_t off = w->rdoff;
    char addr[INET6_ADDRSTRLEN];

    memset(r, 0, sizeof(*r));
    r->owner = w->name;
    r->type = (enum dns_type)w->type;
    r->ttl = w->ttl;
    switch (w->type) {
    case DNS_T_A:
        if (w->rdlen != 4 || inet_ntop(AF_INET, p, addr, sizeof(addr)) == NULL)
            return -1;
        r->text = arena_strdup(a, addr);
        return 0;
    case DNS_T_AAAA:
        if (w->rdlen != 16 ||
            inet_ntop(AF_INET6, p, addr, sizeof(addr)) == NULL)
            return -1;
        r->text = arena_strdup(a, addr);
        return 0;
    case DNS_T_CNAME:
    case DNS_T_PTR:
    case DNS_T_NS:
        r->text = rdata_name(a, m, w, &off);
        return r->text != NULL && off == w->rdoff + w->rdlen ? 0 : -1;
    case DNS_T_MX:
        if (w->rdlen < 3)
            return -1;
        r->pref = get16(p);
        off += 2;
        r->text = rdata_name(a, m, w, &off);
        return r->text != NULL && off == w->rdoff + w->rdlen ? 0 : -1;
    case DNS_T_SRV:
        if (w->rdlen < 7)
            return -1;
        r->pref = get16(p);
        r->weight = get16(p + 2);
        r->port = get16(p + 4);
        off += 6;
        r->text = rdata_name(a, m, w, &off);
        return r->text != NULL && off == w->rdoff + w->rdlen ? 0 : -1;
    case DNS_T_TXT:
    case DNS_T_SPF:
        return rdata_txt(a, m, w, r);
    case DNS_T_SOA:
        return rdata_soa(a, m, w, r);
    default:
        return -1;
    }
}

int
dns_name_eq(const char *x, const char *y)
{
    size_t nx = strlen(x), ny = strlen(y);

    if (nx > 1 && x[nx - 1] == '.')
        nx--;
    if (ny > 1 && y[ny - 1] == '.')
        ny--;
    return nx == ny && strncasecmp(x, y, nx) == 0;
}
