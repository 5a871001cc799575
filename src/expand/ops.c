/*++
 * NAME
 *	ops 3
 * SUMMARY
 *	expansion operators: ${op:string}
 * SYNOPSIS
 *	#include "expand/expand_int.h"
 *
 *	int	x_operator_known(const char *name)
 *	int	x_operator(struct exp *e, const char *at, const char *name,
 *				const char *arg, gstr *out)
 *
 *	size_t	expand_op_count(void)
 *	const char *expand_op_name(size_t i)
 * DESCRIPTION
 *	An operator transforms its (already expanded) argument. Some take
 *	parameters in their name: ${length_3:..}, ${substr_1_2:..},
 *	${hash_3_5:..}, ${nhash_8:..}, ${sha2_512:..}, ${listnamed_d:..}
 *	and the abbreviations l_, s_, h_, nh_.
 *
 *	The operators: address, addresses, base32, base32d, base62,
 *	base62d, base64, base64d, domain, escape, escape8bit, eval,
 *	eval10, expand, from_utf8, hash, hex2b64, hexquote, ipv6denorm,
 *	ipv6norm, lc, length, listcount, listnamed, local_part, mask,
 *	md5, nhash, quote, quote_local_part, randint, reverse_ip,
 *	rfc2047, rfc2047d, rxquote, sha1, sha2, sha256, sha3, str2b64,
 *	strlen, substr, time_eval, time_interval, uc, utf8clean, xtextd.
 * DIAGNOSTICS
 *	Exim's messages: 'unknown expansion operator "x"', 'error in
 *	expression evaluation: divide by zero (after processing "1/0")',
 *	'"x" is not an IP address', 'string "x" is not an Exim time
 *	interval in "time_eval" operator' ...
 *--*/

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "base/list.h"
#include "expand/xlist.h"
#include "base/tod.h"
#include "base/xtext.h"
#include "conf/conf.h"
#include "expand/expand_int.h"
#include "expand/ip.h"
#include "expand/lookups/lookup.h"

void expand_rfc2047_decode(gstr *out, const char *in, size_t len,
                           const char *to_charset);

/* The operator names, without their parameter suffixes. */
static const char *const op_names[] = {
    "address",    "addresses",
    "base32",     "base32d",
    "base62",     "base62d",
    "base64",     "base64d",
    "domain",     "escape",
    "escape8bit", "eval",
    "eval10",     "expand",
    "from_utf8",  "h",
    "hash",       "headerwrap",
    "hex2b64",    "hexquote",
    "ipv6denorm", "ipv6norm",
    "l",          "lc",
    "length",     "listcount",
    "listnamed",  "local_part",
    "mask",       "md5",
    "nh",         "nhash",
    "quote",      "quote_local_part",
    "randint",    "reverse_ip",
    "rfc2047",    "rfc2047d",
    "rxquote",    "s",
    "stat",       "sha1",
    "sha2",       "sha256",
    "sha3",       "str2b64",
    "strlen",     "substr",
    "time_eval",  "time_interval",
    "uc",         "utf8clean",
    "xtextd",
};

#define NOPS (sizeof(op_names) / sizeof(op_names[0]))

size_t expand_op_count(void);
const char *expand_op_name(size_t i);

size_t
expand_op_count(void)
{
    return NOPS;
}

const char *
expand_op_name(size_t i)
{
    return op_names[i];
}

/* Splits "hash_3_5" into "hash" and its parameters "3_5". An exact
 * name wins ("quote_local_part" is not "quote" with "local_part"). */
static const char *
op_base(const char *name, const char **params)
{
    *params = NULL;
    for (size_t i = 0; i < NOPS; i++)
        if (strcmp(name, op_names[i]) == 0)
            return op_names[i];
    for (size_t i = 0; i < NOPS; i++) {
        size_t n = strlen(op_names[i]);
        if (strncmp(name, op_names[i], n) == 0 && name[n] == '_') {
            *params = name + n + 1;
            return op_names[i];
        }
    }
    return NULL;
}

int
x_operator_known(const char *name)
{
    const char *params;

    return op_base(name, &params) != NULL;
}

static void
hex_digest(gstr *out, const char *alg, const char *in, int upper)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    const EVP_MD *m = EVP_get_digestbyname(alg);

    if (m == NULL || !EVP_Digest(in, strlen(in), md, &len, m, NULL))
        return;
    for (unsigned i = 0; i < len; i++)
        gstr_printf(out, upper ? "%02X" : "%02x", md[i]);
}

/* ---- numbers in names: ${substr_1_2:}, ${hash_3:} ---- */

static int
op_params(struct exp *e, const char *at, const char *name, const char *params,
          long v[2], int *n)
{
    const char *p = params;

    *n = 0;
    while (p != NULL && *p != '\0' && *n < 2) {
        char *end;
        errno = 0;
        v[*n] = strtol(p, &end, 10);
        if (end == p || errno == ERANGE || (*end != '\0' && *end != '_'))
            return x_error(e, at, "non-digit after underscore in \"%s\"", name);
        (*n)++;
        p = *end == '_' ? end + 1 : end;
        if (end[0] == '_' && end[1] == '\0')
            return x_error(e, at, "non-digit after underscore in \"%s\"", name);
    }
    if (p != NULL && *p != '\0')
        return x_error(e, at, "too many numbers in \"%s\"", name);
    return EXPAND_OK;
}

/* Exim's ${substr}: a negative start counts from the right. */
void x_substr(const char *s, long start, long len, size_t *off, size_t *outlen);

void
x_substr(const char *s, long start, long len, size_t *off, size_t *outlen)
{
    long sl = (long)strlen(s);

    if (start < 0) {
        start += sl;
        if (start < 0) {
            len += start;
            if (len < 0)
                len = 0;
            start = 0;
        } else if (len < 0) {
            len = start;
            start = 0;
        }
    } else if (start > sl) {
        start = sl;
        len = 0;
    } else if (len < 0)
        len = sl;
    if (len > sl - start) /* start <= sl here: no overflow */
        len = sl - start;
    *off = (size_t)start;
    *outlen = (size_t)len;
}

static const char hashcodes[] = "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789";

int x_hash(struct exp *e, const char *at, const char *s, long v1, long v2,
           gstr *out);
int x_nhash(struct exp *e, const char *at, const char *s, long v1, long v2,
            gstr *out);

/* Exim's ${hash}: v1 characters from the first v2 of hashcodes. */
int
x_hash(struct exp *e, const char *at, const char *s, long v1, long v2,
       gstr *out)
{
    size_t sl = strlen(s);
    unsigned char *buf;

    if (v2 <= 0)
        v2 = 26;
    else if (v2 > (long)strlen(hashcodes))
        return x_error(e, at, "hash count \"%ld\" too big", v2);
    if (v1 < 0 || (size_t)v1 >= sl)
        return x_adds(e, out, s);
    buf = (unsigned char *)arena_strdup(e->a, s);
    for (size_t j = (size_t)v1, i = 0; buf[j] != 0; j++) {
        int c = buf[j];
        int shift = (int)((c + j) & 7);
        buf[i] ^= (unsigned char)((c << shift) | (c >> (8 - shift)));
        if (++i >= (size_t)v1)
            i = 0;
    }
    for (long i = 0; i < v1; i++)
        buf[i] = (unsigned char)hashcodes[buf[i] % v2];
    return x_add(e, out, (char *)buf, (size_t)v1);
}

int
x_nhash(struct exp *e, const char *at, const char *s, long v1, long v2,
        gstr *out)
{
    static const unsigned prime[] = {
        2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31,  37,  41,  43,  47,
        53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113};
    unsigned long total = 0;
    int i = 0;
    gstr g;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (i == 0)
            i = (int)(sizeof(prime) / sizeof(prime[0])) - 1;
        total += prime[i--] * (unsigned)*p;
    }
    gstr_init(&g, e->a);
    if (v2 < 0) {
        if (v1 <= 0)
            return x_error(e, at, "nhash needs a positive number");
        gstr_printf(&g, "%lu", total % (unsigned long)v1);
    } else {
        unsigned long m;
        if (v1 <= 0 || v2 <= 0 ||
            __builtin_mul_overflow((unsigned long)v1, (unsigned long)v2, &m))
            return x_error(e, at,
                           "nhash needs positive numbers of moderate "
                           "size");
        total %= m;
        gstr_printf(&g, "%lu/%lu", total / (unsigned long)v2,
                    total % (unsigned long)v2);
    }
    return x_add(e, out, g.s, g.len);
}

/* ---- ${eval:} ---- */

struct evalst {
    const char *s;
    int decimal;
    const char *error;
    int depth;
};

static long long ev_or(struct evalst *v);

static void
ev_space(struct evalst *v)
{
    while (isspace((unsigned char)*v->s))
        v->s++;
}

static long long
ev_number(struct evalst *v)
{
    long long n = 0;

    ev_space(v);
    if (isdigit((unsigned char)*v->s)) {
        char *end;
        errno = 0;
        n = strtoll(v->s, &end, v->decimal ? 10 : 0);
        v->s = end;
        switch (tolower((unsigned char)*v->s)) {
        case 'k':
            n = (long long)((unsigned long long)n * 1024);
            v->s++;
            break;
        case 'm':
            n = (long long)((unsigned long long)n * 1024 * 1024);
            v->s++;
            break;
        case 'g':
            n = (long long)((unsigned long long)n * 1024 * 1024 * 1024);
            v->s++;
            break;
        }
        ev_space(v);
    } else if (*v->s == '(') {
        if (++v->depth > 100) {
            v->error = "expression nested too deeply";
            return 0;
        }
        v->s++;
        n = ev_or(v);
        if (v->error == NULL) {
            if (*v->s != ')')
                v->error = "expecting closing parenthesis";
            else {
                v->s++;
                ev_space(v);
            }
        }
        v->depth--;
    } else
        v->error = "expecting number or opening parenthesis";
    return n;
}

static long long
ev_unary(struct evalst *v)
{
    ev_space(v);
    if (*v->s == '+' || *v->s == '-' || *v->s == '~') {
        char op = *v->s++;
        long long x;
        if (++v->depth > 100) {
            v->error = "expression nested too deeply";
            return 0;
        }
        x = ev_unary(v);
        v->depth--;
        if (op == '-')
            x = (long long)(0ULL - (unsigned long long)x);
        else if (op == '~')
            x = ~x;
        return x;
    }
    return ev_number(v);
}

static long long
ev_mult(struct evalst *v)
{
    long long x = ev_unary(v);

    while (v->error == NULL && (*v->s == '*' || *v->s == '/' || *v->s == '%')) {
        char op = *v->s++;
        long long y = ev_unary(v);
        if (v->error != NULL)
            break;
        if (op == '*')
            x = (long long)((unsigned long long)x * (unsigned long long)y);
        else if (y == 0) {
            v->error = op == '/' ? "divide by zero" : "modulo by zero";
            return 0;
        } else if (y == -1 && x == LLONG_MIN)
            x = op == '/' ? LLONG_MAX : 0;
        else
            x = op == '/' ? x / y : x % y;
    }
    return x;
}

static long long
ev_sum(struct evalst *v)
{
    long long x = ev_mult(v);

    while (v->error == NULL && (*v->s == '+' || *v->s == '-')) {
        int plus = *v->s++ == '+';
        long long y = ev_mult(v);
        if (v->error != NULL)
            break;
        if (plus ? __builtin_add_overflow(x, y, &x)
                 : __builtin_sub_overflow(x, y, &x)) {
            v->error = plus ? "overflow in sum" : "overflow in difference";
            return 0;
        }
    }
    return x;
}

static long long
ev_shift(struct evalst *v)
{
    long long x = ev_sum(v);

    while (v->error == NULL && (*v->s == '<' || *v->s == '>') &&
           v->s[1] == v->s[0]) {
        char op = *v->s;
        v->s += 2;
        long long y = ev_sum(v);
        if (v->error != NULL)
            break;
        unsigned sh = (unsigned)(y & 63);
        x = op == '<' ? (long long)((unsigned long long)x << sh) : x >> sh;
    }
    return x;
}

static long long
ev_and(struct evalst *v)
{
    long long x = ev_shift(v);

    while (v->error == NULL && *v->s == '&') {
        v->s++;
        long long y = ev_shift(v);
        x &= y;
    }
    return x;
}

static long long
ev_xor(struct evalst *v)
{
    long long x = ev_and(v);

    while (v->error == NULL && *v->s == '^') {
        v->s++;
        long long y = ev_and(v);
        x ^= y;
    }
    return x;
}

static long long
ev_or(struct evalst *v)
{
    long long x = ev_xor(v);

    while (v->error == NULL && *v->s == '|') {
        v->s++;
        long long y = ev_xor(v);
        x |= y;
    }
    return x;
}

static int
op_eval(struct exp *e, const char *at, const char *arg, int decimal, gstr *out)
{
    struct evalst v = {arg, decimal, NULL, 0};
    long long n = ev_or(&v);
    gstr g;

    if (v.error == NULL && *v.s != '\0')
        v.error = "expecting operator";
    if (v.error != NULL)
        return x_error(e, at,
                       "error in expression evaluation: %s (after "
                       "processing \"%.*s\")",
                       v.error, (int)(v.s - arg), arg);
    gstr_init(&g, e->a);
    gstr_printf(&g, "%lld", n);
    return x_add(e, out, g.s, g.len);
}

/* ---- addresses ---- */

/* The address in an RFC 5322 mailbox: what is in <>, else the text with
 * comments and white space removed. Empty if it cannot be found. */
static char *
mailbox_address(struct exp *e, const char *s, size_t n)
{
    const char *lt = NULL, *gt = NULL;
    int inq = 0, depth = 0;
    gstr g;

    gstr_init(&g, e->a);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (inq) {
            if (c == '\\' && i + 1 < n)
                i++;
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (c == '"')
            inq = 1;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (c == '<' && depth == 0 && lt == NULL)
            lt = s + i;
        else if (c == '>' && depth == 0 && lt != NULL && gt == NULL)
            gt = s + i;
    }
    if (lt != NULL) {
        /* A phrase cannot hold an unquoted "@". */
        int q = 0;
        for (const char *c = s; c < lt; c++) {
            if (*c == '"')
                q = !q;
            else if (*c == '@' && !q)
                return x_strdup(e, "");
        }
        if (gt == NULL)
            return x_strdup(e, "");
        s = lt + 1;
        n = (size_t)(gt - lt - 1);
        /* A source route "<@a,@b:user@dom>" is dropped. */
        if (n > 0 && s[0] == '@') {
            const char *colon = memchr(s, ':', n);
            if (colon != NULL) {
                n -= (size_t)(colon + 1 - s);
                s = colon + 1;
            }
        }
    }
    depth = 0;
    inq = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (inq) {
            gstr_addc(&g, c);
            if (c == '\\' && i + 1 < n)
                gstr_addc(&g, s[++i]);
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (c == '"') {
            inq = 1;
            gstr_addc(&g, c);
        } else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (depth == 0 && !isspace((unsigned char)c))
            gstr_addc(&g, c);
    }
    /* What is left must look like an address. */
    if (g.len > 0 &&
        (strchr(g.s, '<') || strchr(g.s, '>') || strchr(g.s, ',') ||
         strchr(g.s, ';') || (strchr(g.s, ':') && !inq && g.s[0] != '"')))
        return x_strdup(e, "");
    return (char *)gstr_str(&g);
}

/* Appends an address to an output list as Exim's ${addresses} does:
 * separators in it doubled, a space first if it starts with one. */
static void
addresses_add(gstr *g, char sep, const char *a)
{
    if (g->len > 0) {
        gstr_addc(g, sep);
        if (a[0] == sep)
            gstr_addc(g, ' ');
    }
    for (const char *p = a; *p; p++) {
        gstr_addc(g, *p);
        if (*p == sep)
            gstr_addc(g, sep);
    }
}

static int
op_addresses(struct exp *e, const char *at, const char *arg, gstr *out)
{
    char sep = ':';
    const char *p = x_skip_space(arg), *start;
    int inq = 0, depth = 0, angle = 0;
    gstr g;

    if (*p == '>') {
        if (p[1] == '\0')
            return x_error(e, at,
                           "output separator missing in expanding "
                           "${addresses:%s}",
                           p);
        sep = p[1];
        p += 2;
    }
    gstr_init(&g, e->a);
    start = p;
    for (;; p++) {
        char c = *p;
        if (c != '\0' && inq) {
            if (c == '\\' && p[1] != '\0')
                p++;
            else if (c == '"')
                inq = 0;
            continue;
        }
        if (c == '"')
            inq = 1;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (c == '<' && depth == 0)
            angle = 1;
        else if (c == '>' && depth == 0)
            angle = 0;
        else if (c == ':' && depth == 0 && !angle) {
            start = p + 1; /* a group's display name */
            continue;
        }
        if (c == '\0' || ((c == ',' || c == ';') && depth == 0 && !angle)) {
            char *a = mailbox_address(e, start, (size_t)(p - start));
            if (*a != '\0')
                addresses_add(&g, sep, a);
            if (c == '\0')
                break;
            start = p + 1;
        }
    }
    return x_add(e, out, g.s, g.len);
}

/* ---- IP addresses ---- */

static int
op_ipv6(struct exp *e, const char *at, const char *arg, int denorm, gstr *out)
{
    unsigned char a[16];
    int fam;
    gstr g;

    if (!ip_parse(arg, a, &fam))
        return x_error(e, at, "\"%s\" is not an IP address", arg);
    gstr_init(&g, e->a);
    if (denorm) {
        for (int i = 0; i < 16; i += 2)
            gstr_printf(&g, "%s%04x", i ? ":" : "", a[i] << 8 | a[i + 1]);
    } else {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, a, buf, sizeof(buf));
        gstr_adds(&g, buf);
    }
    return x_add(e, out, g.s, g.len);
}

static int
op_mask(struct exp *e, const char *at, const char *arg, int normalised,
        gstr *out)
{
    const char *slash = strrchr(arg, '/');
    unsigned char a[16];
    int fam;
    long bits;
    char *end;
    gstr g;

    if (slash == NULL) {
        if (!ip_parse(arg, a, &fam))
            return x_error(e, at, "\"%s\" is not an IP address", arg);
        return x_error(e, at, "missing mask value in \"%s\"", arg);
    }
    char *addr = arena_strndup(e->a, arg, (size_t)(slash - arg));
    if (!ip_parse(addr, a, &fam) || strchr(addr, '[') != NULL)
        return x_error(e, at, "\"%s\" is not an IP address", arg);
    errno = 0;
    bits = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end != '\0' || bits < 0)
        return x_error(e, at, "missing mask value in \"%s\"", arg);
    if (bits > (fam == 4 ? 32 : 128))
        return x_error(e, at, "mask value too big in \"%s\"", arg);
    long total = fam == 4 ? bits + 96 : bits;
    for (long i = total; i < 128; i++)
        a[i / 8] &= (unsigned char)~(1u << (7 - i % 8));
    gstr_init(&g, e->a);
    if (fam == 4)
        gstr_printf(&g, "%u.%u.%u.%u/%ld", a[12], a[13], a[14], a[15], bits);
    else if (normalised) {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, a, buf, sizeof(buf));
        gstr_printf(&g, "%s/%ld", buf, bits);
    } else {
        for (int i = 0; i < 16; i += 2)
            gstr_printf(&g, "%s%04x", i ? "." : "", a[i] << 8 | a[i + 1]);
        gstr_printf(&g, "/%ld", bits);
    }
    return x_add(e, out, g.s, g.len);
}

static int
op_reverse_ip(struct exp *e, const char *at, const char *arg, gstr *out)
{
    unsigned char a[16];
    int fam;
    gstr g;

    if (!ip_parse(arg, a, &fam) || strchr(arg, '[') != NULL)
        return x_error(e, at, "reverse_ip() not given an IP address [%s]", arg);
    gstr_init(&g, e->a);
    if (fam == 4)
        gstr_printf(&g, "%u.%u.%u.%u", a[15], a[14], a[13], a[12]);
    else
        for (int i = 15; i >= 0; i--)
            gstr_printf(&g, "%x.%x%s", a[i] & 0xf, a[i] >> 4, i ? "." : "");
    return x_add(e, out, g.s, g.len);
}

/* ${stat:file}, in Exim's format. */
static int
op_stat(struct exp *e, const char *at, const char *arg, gstr *out)
{
    static const char *const normal[] = {"---", "--x", "-w-", "-wx",
                                         "r--", "r-x", "rw-", "rwx"};
    static const char *const setid[] = {"--S", "--s", "-wS", "-ws",
                                        "r-S", "r-s", "rwS", "rws"};
    static const char *const sticky[] = {"--T", "--t", "-wT", "-wt",
                                         "r-T", "r-t", "rwT", "rwt"};
    struct stat st;
    char smode[11];
    mode_t mode;
    gstr g;

    if (stat(arg, &st) < 0)
        return x_error(e, at, "stat(%s) failed: %s", arg, strerror(errno));
    mode = st.st_mode;
    switch (mode & S_IFMT) {
    case S_IFIFO:
        smode[0] = 'p';
        break;
    case S_IFCHR:
        smode[0] = 'c';
        break;
    case S_IFDIR:
        smode[0] = 'd';
        break;
    case S_IFBLK:
        smode[0] = 'b';
        break;
    case S_IFREG:
        smode[0] = '-';
        break;
    default:
        smode[0] = '?';
    }
    for (int i = 0; i < 3; i++) {
        const char *const *t = normal;
        if (i == 0 && (st.st_mode & 01000))
            t = sticky;
        else if ((i == 1 && (st.st_mode & 02000)) ||
                 (i == 2 && (st.st_mode & 04000)))
            t = setid;
        memcpy(smode + 7 - i * 3, t[mode & 7], 3);
        mode >>= 3;
    }
    smode[10] = '\0';
    gstr_init(&g, e->a);
    gstr_printf(&g,
                "mode=%04lo smode=%s inode=%ld device=%ld links=%ld uid=%ld "
                "gid=%ld size=%lld atime=%ld mtime=%ld ctime=%ld",
                (long)(st.st_mode & 077777), smode, (long)st.st_ino,
                (long)st.st_dev, (long)st.st_nlink, (long)st.st_uid,
                (long)st.st_gid, (long long)st.st_size, (long)st.st_atime,
                (long)st.st_mtime, (long)st.st_ctime);
    return x_add(e, out, g.s, g.len);
}

/* Exim's time interval: numbers each followed by w, d, h, m or s. */
static int
parse_time_interval(const char *s, long *secs)
{
    long total = 0;

    for (;;) {
        long v = 0;
        if (!isdigit((unsigned char)*s))
            return -1;
        while (isdigit((unsigned char)*s)) {
            if (v > 100000000)
                return -1;
            v = v * 10 + (*s++ - '0');
        }
        switch (*s++) {
        case 'w':
            v *= 7;
            /* FALLTHROUGH */
        case 'd':
            v *= 24;
            /* FALLTHROUGH */
        case 'h':
            v *= 60;
            /* FALLTHROUGH */
        case 'm':
            v *= 60;
            /* FALLTHROUGH */
        case 's':
            break;
        default:
            return -1;
        }
        if (__builtin_add_overflow(total, v, &total))
            return -1;
        if (*s == '\0') {
            *secs = total;
            return 0;
        }
    }
}

/* ${headerwrap_COLS_MAX:text}: Exim's header wrapping. A "\\n" (two
 * characters) or a newline starts a new line; a line longer than COLS
 * (80) breaks at its last white space after the 10th character, or at
 * COLS; continuation lines start with a tab, counted as 8 columns. The
 * result is cut at MAX (998) characters. */
static void
wrap_header(gstr *g, const char *s, unsigned cols, unsigned maxchars)
{
    const unsigned indent_cols = 8;
    const char *bs, *nl;

    if (maxchars == 0)
        maxchars = UINT_MAX;
    if (cols == 0)
        cols = UINT_MAX;
    if (*s == '\0')
        return;
    /* The next backslash and newline, kept up to date as s moves on, so
     * that a long text costs linear time. */
    bs = strchr(s, '\\');
    nl = strchr(s, '\n');
    for (unsigned llen = 0;; llen = indent_cols) {
        const char *t, *before = s;
        unsigned ltail = 0;

        if (bs != NULL && bs < s)
            bs = strchr(s, '\\');
        if (nl != NULL && nl < s)
            nl = strchr(s, '\n');
        if ((t = bs) != NULL && t[1] == 'n')
            ltail = 2;
        else if ((t = nl) != NULL)
            ltail = 1;
        else
            t = s + strlen(s);
        if (llen + (size_t)(t - s) > cols) {
            const char *u = NULL;
            if (cols > llen)
                for (u = s + (cols - llen); u > s + 10; --u)
                    if (isspace((unsigned char)*u))
                        break;
            if (u != NULL && u > s + 10) {
                const char *w = u;
                while (w > s + 1 && isspace((unsigned char)w[-1]))
                    --w;
                gstr_addn(g, s, (size_t)(w - s));
                s = u + 1;
                while (*s != '\0' && isspace((unsigned char)*s))
                    s++;
            } else if (llen < cols) {
                gstr_addn(g, s, cols - llen);
                s += cols - llen;
            }
        } else {
            gstr_addn(g, s, (size_t)(t - s));
            s = t + ltail;
        }
        if (*s == '\0')
            break;
        if (g->len >= maxchars) {
            gstr_truncate(g, maxchars);
            break;
        }
        /* Exim would go on adding empty lines up to maxchars when COLS
         * is narrower than the indent; mxlab stops. */
        if (s == before)
            break;
        gstr_adds(g, "\n\t");
    }
}

static int
op_headerwrap(struct exp *e, const char *params, const char *arg, gstr *out)
{
    unsigned cols = 80, lim = 998;
    gstr g;

    if (params != NULL) {
        cols = (unsigned)strtoul(params, NULL, 10);
        const char *us = strchr(params, '_');
        if (us != NULL)
            lim = (unsigned)strtoul(us + 1, NULL, 10);
    }
    gstr_init(&g, e->a);
    wrap_header(&g, arg, cols, lim);
    return x_add(e, out, g.s, g.len);
}

/* ---- encodings ---- */

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

static int
op_number(struct exp *e, const char *at, const char *name, const char *arg,
          unsigned long long *n)
{
    char *end;

    errno = 0;
    if (!isdigit((unsigned char)*arg))
        return x_error(e, at,
                       "argument for %s operator is \"%s\", which is "
                       "not a decimal number",
                       name, arg);
    *n = strtoull(arg, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return x_error(e, at,
                       "argument for %s operator is \"%s\", which is "
                       "not a decimal number",
                       name, arg);
    return EXPAND_OK;
}

static int
op_base_n(struct exp *e, const char *at, const char *name, const char *arg,
          gstr *out)
{
    unsigned long long n = 0;
    char buf[80];
    int i = (int)sizeof(buf) - 1;
    int is62 = strcmp(name, "base62") == 0;

    if (op_number(e, at, name, arg, &n) != EXPAND_OK)
        return EXPAND_ERROR;
    buf[i] = '\0';
    if (is62) {
        for (int k = 0; k < 6; k++) {
            buf[--i] = b62[n % 62];
            n /= 62;
        }
    } else {
        for (; n > 0; n /= 32)
            buf[--i] = b32[n % 32];
    }
    return x_adds(e, out, buf + i);
}

static int
op_base_nd(struct exp *e, const char *at, const char *name, const char *arg,
           gstr *out)
{
    int is62 = strcmp(name, "base62d") == 0;
    const char *digits = is62 ? b62 : b32;
    unsigned long long n = 0;
    gstr g;

    for (const char *p = arg; *p != '\0'; p++) {
        const char *d = strchr(digits, *p);
        if (d == NULL)
            return x_error(e, at,
                           "argument for %s operator is \"%s\", "
                           "which is not a base %d number",
                           name, arg, is62 ? 62 : 32);
        n = n * (is62 ? 62 : 32) + (unsigned long long)(d - digits);
    }
    gstr_init(&g, e->a);
    gstr_printf(&g, "%llu", n);
    return x_add(e, out, g.s, g.len);
}

static int
op_hex2b64(struct exp *e, const char *at, const char *arg, gstr *out)
{
    size_t n = strlen(arg);
    gstr bin, g;

    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)arg[i]))
            return x_error(e, at, "\"%s\" is not a hex string", arg);
    if (n % 2 != 0)
        return x_error(e, at, "\"%s\" contains an odd number of characters",
                       arg);
    gstr_init(&bin, e->a);
    for (size_t i = 0; i < n; i += 2) {
        char hex[3] = {arg[i], arg[i + 1], 0};
        if (!isxdigit((unsigned char)hex[0]) ||
            !isxdigit((unsigned char)hex[1]))
            return x_error(e, at, "\"%s\" is not a hex string", arg);
        gstr_addc(&bin, (char)strtol(hex, NULL, 16));
    }
    gstr_init(&g, e->a);
    b64_encode(&g, (const unsigned char *)bin.s, bin.len);
    return x_add(e, out, g.s, g.len);
}

/* ${escape:} is Exim's string_printing() except that a TAB is left as
 * it is, as Exim's expansion does; ${escape8bit:} escapes bytes above 126
 * and the backslash in octal (\ooo) and leaves the rest. */
static void
op_escape(gstr *g, const char *arg, int eightbit)
{
    if (!eightbit) {
        for (const char *tab; (tab = strchr(arg, '\t')) != NULL;
             arg = tab + 1) {
            str_printing(g, arg, (size_t)(tab - arg));
            gstr_addc(g, '\t');
        }
        str_printing(g, arg, strlen(arg));
        return;
    }
    for (const unsigned char *p = (const unsigned char *)arg; *p; p++) {
        if (*p < 127 && *p != '\\')
            gstr_addc(g, (char)*p);
        else
            gstr_printf(g, "\\%03o", *p);
    }
}

static void
op_quote(gstr *g, const char *arg, int local_part)
{
    int needs = *arg == '\0';

    for (const char *t = arg; !needs && *t; t++) {
        if (!local_part)
            needs = !isalnum((unsigned char)*t) && !strchr("_-.", *t);
        else
            needs = !isalnum((unsigned char)*t) &&
                    strchr("!#$%&'*+-/=?^_`{|}~", *t) == NULL &&
                    (*t != '.' || t == arg || t[1] == '\0');
    }
    if (!needs) {
        gstr_adds(g, arg);
        return;
    }
    gstr_addc(g, '"');
    for (const char *t = arg; *t; t++) {
        if (*t == '\n')
            gstr_adds(g, "\\n");
        else if (*t == '\r')
            gstr_adds(g, "\\r");
        else {
            if (*t == '\\' || *t == '"')
                gstr_addc(g, '\\');
            gstr_addc(g, *t);
        }
    }
    gstr_addc(g, '"');
}

static void
op_rfc2047(gstr *g, const char *arg)
{
    gstr enc;
    int coded = 0, first_byte = 0;
    size_t line_off = 0;
    const char *leader = "=?ISO-8859-1?Q?";

    gstr_init(&enc, g->arena);
    gstr_adds(&enc, leader);
    for (const unsigned char *s = (const unsigned char *)arg; *s; s++) {
        int ch = *s;
        if (enc.len - line_off > 67 && !first_byte) {
            gstr_adds(&enc, "?= ");
            line_off = enc.len;
            gstr_adds(&enc, leader);
        }
        if (ch < 33 || ch > 126 || strchr("?=()<>@,;:\\\".[]_", ch)) {
            if (ch == ' ') {
                gstr_addc(&enc, '_');
                first_byte = 0;
            } else {
                gstr_printf(&enc, "=%02X", ch);
                coded = 1;
                first_byte = !first_byte;
            }
        } else {
            gstr_addc(&enc, (char)ch);
            first_byte = 0;
        }
    }
    if (coded) {
        gstr_adds(&enc, "?=");
        gstr_addn(g, enc.s, enc.len);
    } else
        gstr_adds(g, arg);
}

/* Decodes one UTF-8 character; returns its length, 0 if invalid. */
static size_t
utf8_char(const unsigned char *s, unsigned long *cp)
{
    int n;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0)
        n = 1, *cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 2, *cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        n = 3, *cp = s[0] & 0x07;
    else
        return 0;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 1 && *cp < 0x80) || (n == 2 && *cp < 0x800) ||
        (n == 3 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
        (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return (size_t)n + 1;
}

static void
op_utf8(gstr *g, const char *arg, int to_latin1)
{
    const unsigned char *s = (const unsigned char *)arg;

    while (*s) {
        unsigned long cp;
        size_t n = utf8_char(s, &cp);
        if (n == 0) {
            gstr_addc(g, to_latin1 ? '_' : '?');
            s++;
            continue;
        }
        if (to_latin1)
            gstr_addc(g, cp > 255 ? '_' : (char)cp);
        else
            gstr_addn(g, (const char *)s, n);
        s += n;
    }
}

static const struct {
    char c;
    enum named_list_kind kind;
    const char *what;
} listnamed_kinds[] = {{'a', NL_ADDRESS, "address "},
                       {'d', NL_DOMAIN, "domain "},
                       {'h', NL_HOST, "host "},
                       {'l', NL_LOCALPART, "localpart "}};

/* Appends the items of a named list as a colon list, with nested named
 * lists expanded in place, as Exim's ${listnamed} does. */
static int
listnamed_add(struct exp *e, const char *at, const char *name, int kind,
              gstr *out, int depth)
{
    const struct named_list *nl = NULL;
    int needsep = 0;
    struct xlist it;
    char *item;

    if (*name == '+')
        name++;
    if (depth > 20)
        return x_error(e, at, "named lists nested too deeply");
    if (kind >= 0)
        nl = conf_named_list(listnamed_kinds[kind].kind, name);
    else
        for (size_t i = 0; i < 4 && nl == NULL; i++)
            nl = conf_named_list(listnamed_kinds[i].kind, name);
    if (nl == NULL)
        return x_error(e, at, "\"%s\" is not a %snamed list", name,
                       kind >= 0 ? listnamed_kinds[kind].what : "");
    xlist_init(&it, nl->value, 0);
    while ((item = xlist_next(&it, e->a)) != NULL) {
        int sep = xlist_sep(&it);
        if (needsep)
            gstr_adds(out, " : ");
        needsep = 1;
        if (*item == '+') {
            if (listnamed_add(e, at, item, kind, out, depth + 1) != EXPAND_OK)
                return EXPAND_ERROR;
        } else if (sep != ':') {
            /* Re-quote for a colon list: colons doubled. */
            for (const char *p = item; *p; p++) {
                gstr_addc(out, *p);
                if (*p == ':')
                    gstr_addc(out, ':');
            }
        } else
            gstr_adds(out, item);
    }
    return EXPAND_OK;
}

static int
op_listnamed(struct exp *e, const char *at, const char *params, const char *arg,
             gstr *out)
{
    int kind = -1;
    gstr g;

    if (params != NULL) {
        for (kind = 0; kind < 4; kind++)
            if (params[0] == listnamed_kinds[kind].c && params[1] == '\0')
                break;
        if (kind == 4)
            return x_error(e, at, "bad suffix on \"list\" operator");
    }
    gstr_init(&g, e->a);
    if (listnamed_add(e, at, arg, kind, &g, 0) != EXPAND_OK)
        return EXPAND_ERROR;
    return x_add(e, out, g.s, g.len);
}

static int
op_time_interval(struct exp *e, const char *at, const char *arg, gstr *out)
{
    char *end;
    long long n;
    gstr g;

    errno = 0;
    n = strtoll(arg, &end, 10);
    if (end == arg || *end != '\0' || n < 0 || errno == ERANGE || n > LONG_MAX)
        return x_error(e, at,
                       "string \"%s\" is not a positive number in "
                       "\"time_interval\" operator",
                       arg);
    gstr_init(&g, e->a);
    tod_format_duration(&g, (long)n);
    return x_add(e, out, g.s, g.len);
}

static int
op_xtextd(struct exp *e, const char *arg, gstr *out)
{
    gstr g;

    gstr_init(&g, e->a);
    /* A malformed "+HH" is kept as it is, as Exim does. */
    for (const char *p = arg; *p;) {
        if (*p == '+' && isxdigit((unsigned char)p[1]) &&
            isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            gstr_addc(&g, (char)strtol(hex, NULL, 16));
            p += 3;
        } else
            gstr_addc(&g, *p++);
    }
    return x_add(e, out, g.s, g.len);
}

static int
op_simple(struct exp *e, const char *at, const char *base, const char *params,
          const char *arg, gstr *g)
{
    (void)at;
    (void)params;
    if (strcmp(base, "lc") == 0 || strcmp(base, "uc") == 0) {
        int up = base[0] == 'u';
        for (const char *p = arg; *p; p++)
            gstr_addc(g, (char)(up ? toupper((unsigned char)*p)
                                   : tolower((unsigned char)*p)));
    } else if (strcmp(base, "strlen") == 0)
        gstr_printf(g, "%zu", strlen(arg));
    else if (strcmp(base, "md5") == 0)
        hex_digest(g, "md5", arg, 0);
    else if (strcmp(base, "sha1") == 0)
        hex_digest(g, "sha1", arg, 1);
    else if (strcmp(base, "sha256") == 0)
        hex_digest(g, "sha256", arg, 1);
    else if (strcmp(base, "base64") == 0 || strcmp(base, "str2b64") == 0)
        b64_encode(g, (const unsigned char *)arg, strlen(arg));
    else if (strcmp(base, "escape") == 0)
        op_escape(g, arg, 0);
    else if (strcmp(base, "escape8bit") == 0)
        op_escape(g, arg, 1);
    else if (strcmp(base, "hexquote") == 0) {
        for (const unsigned char *p = (const unsigned char *)arg; *p; p++)
            if (*p < 0x21 || *p > 0x7e)
                gstr_printf(g, "\\x%02x", *p);
            else
                gstr_addc(g, (char)*p);
    } else if (strcmp(base, "rxquote") == 0) {
        for (const char *p = arg; *p; p++) {
            if (!isalnum((unsigned char)*p))
                gstr_addc(g, '\\');
            gstr_addc(g, *p);
        }
    } else if (strcmp(base, "listcount") == 0) {
        struct xlist it;
        size_t n = 0;
        xlist_init(&it, arg, 0);
        while (xlist_next(&it, e->a) != NULL)
            n++;
        gstr_printf(g, "%zu", n);
    } else if (strcmp(base, "address") == 0)
        gstr_adds(g, mailbox_address(e, arg, strlen(arg)));
    else if (strcmp(base, "domain") == 0 || strcmp(base, "local_part") == 0) {
        char *a = mailbox_address(e, arg, strlen(arg));
        char *at_sign = strrchr(a, '@');
        if (at_sign != NULL) {
            if (base[0] == 'd')
                gstr_adds(g, at_sign + 1);
            else
                gstr_addn(g, a, (size_t)(at_sign - a));
        } else if (base[0] == 'l')
            gstr_adds(g, a);
    } else if (strcmp(base, "rfc2047") == 0)
        op_rfc2047(g, arg);
    else if (strcmp(base, "rfc2047d") == 0)
        expand_rfc2047_decode(g, arg, strlen(arg), EXPAND_HEADERS_CHARSET);
    else if (strcmp(base, "from_utf8") == 0)
        op_utf8(g, arg, 1);
    else if (strcmp(base, "utf8clean") == 0)
        op_utf8(g, arg, 0);
    else
        return -1;
    return 0;
}

static int
op_digest_n(struct exp *e, const char *at, const char *base, const char *params,
            const char *arg, gstr *out)
{
    const char *bits = params ? params : "256";
    char alg[16];
    gstr g;

    if (strcmp(bits, "256") != 0 && strcmp(bits, "384") != 0 &&
        strcmp(bits, "512") != 0 &&
        !(base[3] == '3' && strcmp(bits, "224") == 0))
        return x_error(e, at, "unrecognised %s variant", base);
    if (base[3] == '3')
        snprintf(alg, sizeof(alg), "sha3-%s", bits);
    else
        snprintf(alg, sizeof(alg), "sha%s", bits);
    gstr_init(&g, e->a);
    hex_digest(&g, alg, arg, 1);
    return x_add(e, out, g.s, g.len);
}

static int
op_numbered(struct exp *e, const char *at, const char *name, const char *base,
            const char *params, const char *arg, gstr *out)
{
    long v[2] = {0, -1};
    int n;

    if (op_params(e, at, name, params, v, &n) != EXPAND_OK)
        return EXPAND_ERROR;
    if (strcmp(base, "length") == 0 || strcmp(base, "l") == 0) {
        if (n != 1 || v[0] < 0)
            return x_error(e, at, "missing or bad number in \"%s\"", name);
        size_t sl = strlen(arg);
        return x_add(e, out, arg, (size_t)v[0] < sl ? (size_t)v[0] : sl);
    }
    if (strcmp(base, "substr") == 0 || strcmp(base, "s") == 0) {
        size_t off, len;
        if (n < 1 || (n == 2 && v[1] < 0))
            return x_error(e, at, "missing or bad number in \"%s\"", name);
        x_substr(arg, v[0], v[1], &off, &len);
        return x_add(e, out, arg + off, len);
    }
    if (strcmp(base, "hash") == 0 || strcmp(base, "h") == 0) {
        if (n < 1)
            return x_error(e, at, "missing or bad number in \"%s\"", name);
        return x_hash(e, at, arg, v[0], v[1], out);
    }
    /* nhash, nh */
    if (n < 1)
        return x_error(e, at, "missing or bad number in \"%s\"", name);
    return x_nhash(e, at, arg, v[0], v[1], out);
}

int
x_operator(struct exp *e, const char *at, const char *name, const char *arg,
           gstr *out)
{
    const char *params;
    const char *base = op_base(name, &params);
    gstr g;

    if (base == NULL)
        return x_error(e, at, "unknown expansion operator \"%s\"", name);
    if (strcmp(base, "length") == 0 || strcmp(base, "l") == 0 ||
        strcmp(base, "substr") == 0 || strcmp(base, "s") == 0 ||
        strcmp(base, "hash") == 0 || strcmp(base, "h") == 0 ||
        strcmp(base, "nhash") == 0 || strcmp(base, "nh") == 0)
        return op_numbered(e, at, name, base, params, arg, out);
    if (strcmp(base, "sha2") == 0 || strcmp(base, "sha3") == 0)
        return op_digest_n(e, at, base, params, arg, out);
    if (strcmp(base, "listnamed") == 0)
        return op_listnamed(e, at, params, arg, out);
    if (strcmp(base, "headerwrap") == 0)
        return op_headerwrap(e, params, arg, out);
    if (strcmp(base, "mask") == 0 && params != NULL && strcmp(params, "n") == 0)
        return op_mask(e, at, arg, 1, out);
    if (strcmp(base, "quote") == 0 && params != NULL) {
        /* quote_TYPE: lookup-specific quoting; no mxlab lookup needs any. */
        if (lookup_find(params) == NULL)
            return x_error(e, at, "unknown lookup type \"%s\"", params);
        return x_adds(e, out, arg);
    }
    if (params != NULL)
        return x_error(e, at,
                       "unknown expansion operator \"%s\" (\"%s\" does not "
                       "take an _arg)",
                       name, base);
    if (strcmp(base, "eval") == 0 || strcmp(base, "eval10") == 0)
        return op_eval(e, at, arg, base[4] == '1', out);
    if (strcmp(base, "expand") == 0) {
        char *r;
        int rc = x_sub_expand(e, arg, 0, &r);
        if (rc == EXPAND_ERROR) {
            char *m = x_strdup(e, gstr_str(e->msg));
            return x_error(e, at, "internal expansion of \"%s\" failed: %s",
                           arg, m);
        }
        return rc == EXPAND_OK ? x_adds(e, out, r) : rc;
    }
    if (strcmp(base, "addresses") == 0)
        return op_addresses(e, at, arg, out);
    if (strcmp(base, "ipv6norm") == 0 || strcmp(base, "ipv6denorm") == 0)
        return op_ipv6(e, at, arg, base[4] == 'd', out);
    if (strcmp(base, "mask") == 0)
        return op_mask(e, at, arg, 0, out);
    if (strcmp(base, "stat") == 0)
        return op_stat(e, at, arg, out);
    if (strcmp(base, "reverse_ip") == 0)
        return op_reverse_ip(e, at, arg, out);
    if (strcmp(base, "base62") == 0 || strcmp(base, "base32") == 0)
        return op_base_n(e, at, base, arg, out);
    if (strcmp(base, "base62d") == 0 || strcmp(base, "base32d") == 0)
        return op_base_nd(e, at, base, arg, out);
    if (strcmp(base, "hex2b64") == 0)
        return op_hex2b64(e, at, arg, out);
    if (strcmp(base, "xtextd") == 0)
        return op_xtextd(e, arg, out);
    if (strcmp(base, "time_interval") == 0)
        return op_time_interval(e, at, arg, out);
    gstr_init(&g, e->a);
    if (strcmp(base, "base64d") == 0) {
        if (b64_decode(&g, arg, strlen(arg)) < 0)
            return x_error(e, at,
                           "string \"%s\" is not well-formed for "
                           "\"base64d\" operator",
                           arg);
    } else if (strcmp(base, "time_eval") == 0) {
        long secs;
        if (parse_time_interval(arg, &secs) < 0)
            return x_error(e, at,
                           "string \"%s\" is not an Exim time interval in "
                           "\"time_eval\" operator",
                           arg);
        gstr_printf(&g, "%ld", secs);
    } else if (strcmp(base, "randint") == 0) {
        long long max;
        uint64_t r = 0;
        if (x_parse_int(e, at, arg, &max) != EXPAND_OK)
            return EXPAND_ERROR;
        if (max <= 0)
            return x_error(e, at, "randint: \"%s\" is not a positive number",
                           arg);
        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (uint64_t)random();
        gstr_printf(&g, "%llu", (unsigned long long)(r % (uint64_t)max));
    } else if (strcmp(base, "quote") == 0 ||
               strcmp(base, "quote_local_part") == 0)
        op_quote(&g, arg, base[5] == '_');
    else if (op_simple(e, at, base, params, arg, &g) < 0)
        return x_error(e, at, "unknown expansion operator \"%s\"", name);
    return x_add(e, out, g.s, g.len);
}
