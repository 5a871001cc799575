/*++
 * NAME
 *	spool_read 3
 * SUMMARY
 *	reading -H files in Exim's format
 * SYNOPSIS
 *	#include "spool/spool_read.h"
 *
 *	enum spool_read_result spool_read_header(const char *spool_dir,
 *			int split, const char *id, struct arena *a,
 *			struct spool_msg *m, gstr *err)
 *	enum spool_read_result spool_parse_header(const char *buf,
 *			size_t len, const char *id, struct arena *a,
 *			struct spool_msg *m, gstr *err)
 *	int	spool_read_journal(const char *spool_dir, int split,
 *			const char *id, struct spool_msg *m, gstr *err)
 *	int	spool_open_data(const char *spool_dir, int split,
 *			const char *id, int *fd, off_t *body_offset,
 *			off_t *size, gstr *err)
 * DESCRIPTION
 *	spool_read_header() reads a whole -H file into memory and
 *	spool_parse_header() parses it into a struct spool_msg, accepting
 *	what Exim's spool_in.c accepts:
 *
 *	Option lines: "-name value", "--name value" (tainted) and
 *	"--(lookup)name value" (quoted for a lookup). Lines mxlab does not
 *	know are kept verbatim in m->unknown, so a rewrite keeps them;
 *	known names used with an unexpected shape (a flag with a value) are
 *	treated the same way. "-aclc name len" / "-aclm name len" take the
 *	value from the next exactly len bytes, which must end in LF; the
 *	obsolete "-acl n len" (n 0-9 acl_c, 10-19 acl_m) is read too.
 *	-host_address takes "[ip]:port" and the older "ip.port". The taint
 *	mark of a typed field is kept in m->tainted; a "(lookup)" quoting
 *	mark is kept for ACL variables and unknown lines only.
 *
 *	Recipient lines, in all the forms Exim has written, are
 *	rcpt_line(3)'s.
 *
 *	Headers are "<length><type> <text>", the length having three or
 *	more digits; the text is exactly that many bytes and must not hold
 *	a NUL (a file a crash filled with zeros is corrupt, as in Exim).
 *
 *	Nothing past the buffer is read and every number is range-checked,
 *	so a truncated or damaged file gives an error, never a crash. A
 *	file cut exactly between two headers cannot be told from a whole
 *	one (Exim's format has no end marker) and reads as valid.
 *
 *	spool_read_journal() adds a -J file's addresses to the
 *	non-recipients. spool_open_data() opens the -D file and positions
 *	it at the body.
 * DIAGNOSTICS
 *	SPOOL_READ_NOTOPEN when the file cannot be opened or read;
 *	SPOOL_READ_ENVERROR for a fault in the envelope part and
 *	SPOOL_READ_HDRERROR for one in the headers (the envelope fields are
 *	then set, which is what -bp shows). err says which file, which line
 *	and what: "spool file 1vQk3L-000000000Xb-00A1-H is corrupt: line
 *	23: recipient count "x" is not a number".
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/envelope.h"
#include "spool/decimal.h"
#include "spool/msgid.h"
#include "spool/rcpt_line.h"
#include "spool/spool_path.h"
#include "spool/spool_read.h"
#include "spool/tree.h"

#define MAX_HFILE      (512L * 1024 * 1024) /* larger is not a -H file */
#define MAX_RCPTS      1000000
#define MAX_TREE_DEPTH 100   /* an AVL tree this deep has > 10^20 nodes */
#define MAX_OLD_ACL    16384 /* Exim's limit for "-acl" values */

/* A cursor over the file. */
struct rd {
    const char *p;
    const char *end;
    int lineno; /* of the line last returned */
    const char *name;
    struct gstr *err;
    struct arena *a;
    struct spool_msg *m;
};

static void
put_quoted(struct gstr *out, const char *s, size_t n)
{
    size_t show = n > 40 ? 40 : n;

    gstr_addc(out, '"');
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            gstr_addc(out, (char)c);
        else
            gstr_printf(out, "\\x%02x", c);
    }
    gstr_adds(out, n > show ? "\"..." : "\"");
}

static int corrupt(struct rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
corrupt(struct rd *r, const char *fmt, ...)
{
    va_list ap;

    gstr_printf(r->err, "spool file %s is corrupt: line %d: ", r->name,
                r->lineno);
    va_start(ap, fmt);
    gstr_vprintf(r->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* "what "value" is not a number": value quoted and shortened. */
static int
corrupt_value(struct rd *r, const char *what, const char *s, size_t n,
              const char *why)
{
    gstr_printf(r->err, "spool file %s is corrupt: line %d: %s ", r->name,
                r->lineno, what);
    put_quoted(r->err, s, n);
    gstr_printf(r->err, " %s", why);
    return -1;
}

/* The next line, without its LF. -1 if there is no whole line. */
static int
rd_line(struct rd *r, const char **line, size_t *len)
{
    const char *nl;

    if (r->p >= r->end)
        return -1;
    nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (nl == NULL)
        return -1;
    *line = r->p;
    *len = (size_t)(nl - r->p);
    r->p = nl + 1;
    r->lineno++;
    return 0;
}

static int
need_line(struct rd *r, const char **line, size_t *len, const char *what)
{
    if (rd_line(r, line, len) == 0)
        return 0;
    r->lineno++;
    return corrupt(r, "file ends where %s should be", what);
}

static char *
copy(struct rd *r, const char *s, size_t n)
{
    return arena_strndup(r->a, s, n);
}

/*
 * Fixed lines.
 */

static int
read_id_line(struct rd *r, const char *want_id)
{
    const char *line;
    size_t len;

    if (need_line(r, &line, &len, "the id line") < 0)
        return -1;
    if (len < 3 || memcmp(line + len - 2, "-H", 2) != 0 ||
        msgid_check(line, len - 2) == MSGID_INVALID)
        return corrupt_value(r, "first line", line, len,
                             "is not \"<message id>-H\"");
    if (want_id != NULL &&
        (strlen(want_id) != len - 2 || memcmp(line, want_id, len - 2) != 0))
        return corrupt_value(r, "first line", line, len,
                             "names another message");
    memcpy(r->m->id, line, len - 2);
    r->m->id[len - 2] = '\0';
    return 0;
}

/* The number that ends s[0..*n), after a space; *n is cut before it. */
static int
take_last_number(const char *s, size_t *n, long *v)
{
    size_t e = *n, b = e;

    while (b > 0 && ((s[b - 1] >= '0' && s[b - 1] <= '9') || s[b - 1] == '-'))
        b--;
    if (b == 0 || s[b - 1] != ' ' || decimal_long(s + b, e - b, 1, v) < 0)
        return -1;
    *n = b - 1;
    return 0;
}

static int
read_caller_line(struct rd *r)
{
    const char *line;
    size_t len, n;

    if (need_line(r, &line, &len, "the caller line") < 0)
        return -1;
    n = len;
    if (take_last_number(line, &n, &r->m->gid) < 0 ||
        take_last_number(line, &n, &r->m->uid) < 0)
        return corrupt_value(r, "caller line", line, len,
                             "is not \"<login> <uid> <gid>\"");
    r->m->login = copy(r, line, n);
    return 0;
}

static int
read_sender_line(struct rd *r)
{
    const char *line;
    size_t len;

    if (need_line(r, &line, &len, "the sender line") < 0)
        return -1;
    if (len < 2 || line[0] != '<' || line[len - 1] != '>')
        return corrupt_value(r, "sender", line, len,
                             "is not in angle brackets");
    r->m->sender = copy(r, line + 1, len - 2);
    return 0;
}

static int
read_time_line(struct rd *r)
{
    const char *line, *sp;
    size_t len;
    long t;

    if (need_line(r, &line, &len, "the time line") < 0)
        return -1;
    sp = memchr(line, ' ', len);
    if (sp == NULL || decimal_long(line, (size_t)(sp - line), 0, &t) < 0 ||
        decimal_int(sp + 1, len - (size_t)(sp + 1 - line), 0,
                    &r->m->warning_count) < 0)
        return corrupt_value(r, "time line", line, len,
                             "is not \"<seconds> <warning count>\"");
    r->m->received_sec = (time_t)t;
    return 0;
}

/*
 * Option lines.
 */

enum opt_kind {
    O_STR,      /* char * field */
    O_UNPRINT,  /* char * field, Exim's string_printing() undone */
    O_FLAG,     /* int field set to 1; no value */
    O_LONG,     /* long field */
    O_INT,      /* int field */
    O_HOSTPORT, /* char * field, then the port in an int field */
    O_SPECIAL,  /* handled by name */
};

struct opt {
    const char *name;
    enum opt_kind kind;
    size_t off;
    size_t off2; /* O_HOSTPORT: the port */
    int field;   /* enum spool_field for the taint bit, or -1 */
};

#define F(x) offsetof(struct spool_msg, x)

static const struct opt opts[] = {
    {"helo_name", O_STR, F(helo_name), 0, SPOOL_F_HELO_NAME},
    {"host_address", O_HOSTPORT, F(host_address), F(host_port),
     SPOOL_F_HOST_ADDRESS},
    {"host_name", O_STR, F(host_name), 0, SPOOL_F_HOST_NAME},
    {"host_auth", O_STR, F(host_auth), 0, SPOOL_F_HOST_AUTH},
    {"host_auth_pubname", O_STR, F(host_auth_pubname), 0,
     SPOOL_F_HOST_AUTH_PUBNAME},
    {"interface_address", O_HOSTPORT, F(interface_address), F(interface_port),
     SPOOL_F_INTERFACE_ADDRESS},
    {"active_hostname", O_STR, F(active_hostname), 0, SPOOL_F_ACTIVE_HOSTNAME},
    {"ident", O_STR, F(ident), 0, SPOOL_F_IDENT},
    {"received_protocol", O_STR, F(received_protocol), 0,
     SPOOL_F_RECEIVED_PROTOCOL},
    {"body_linecount", O_LONG, F(body_linecount), 0, -1},
    {"spool_file_wireformat", O_FLAG, F(spool_file_wireformat), 0, -1},
    {"max_received_linelength", O_LONG, F(max_received_linelength), 0, -1},
    {"body_zerocount", O_LONG, F(body_zerocount), 0, -1},
    {"auth_id", O_STR, F(auth_id), 0, SPOOL_F_AUTH_ID},
    {"auth_sender", O_STR, F(auth_sender), 0, SPOOL_F_AUTH_SENDER},
    {"allow_unqualified_recipient", O_FLAG, F(allow_unqualified_recipient), 0,
     -1},
    {"allow_unqualified_sender", O_FLAG, F(allow_unqualified_sender), 0, -1},
    {"deliver_firsttime", O_FLAG, F(deliver_firsttime), 0, -1},
    {"N", O_FLAG, F(dont_deliver), 0, -1},
    {"host_lookup_deferred", O_FLAG, F(host_lookup_deferred), 0, -1},
    {"host_lookup_failed", O_FLAG, F(host_lookup_failed), 0, -1},
    {"local", O_FLAG, F(local), 0, -1},
    {"localerror", O_FLAG, F(localerror), 0, -1},
    {"manual_thaw", O_FLAG, F(manual_thaw), 0, -1},
    {"sender_set_untrusted", O_FLAG, F(sender_set_untrusted), 0, -1},
    {"bmi_verdicts", O_STR, F(bmi_verdicts), 0, SPOOL_F_BMI_VERDICTS},
    {"tls_certificate_verified", O_FLAG, F(tls_certificate_verified), 0, -1},
    {"tls_cipher", O_STR, F(tls_cipher), 0, SPOOL_F_TLS_CIPHER},
    {"tls_peerdn", O_UNPRINT, F(tls_peerdn), 0, SPOOL_F_TLS_PEERDN},
    {"tls_sni", O_UNPRINT, F(tls_sni), 0, SPOOL_F_TLS_SNI},
    {"tls_ourcert", O_UNPRINT, F(tls_ourcert), 0, SPOOL_F_TLS_OURCERT},
    {"tls_peercert", O_UNPRINT, F(tls_peercert), 0, SPOOL_F_TLS_PEERCERT},
    {"tls_ver", O_STR, F(tls_ver), 0, SPOOL_F_TLS_VER},
    {"dsn_envid", O_STR, F(dsn_envid), 0, SPOOL_F_DSN_ENVID},
    {"dsn_ret", O_INT, F(dsn_ret), 0, -1},
    {"aclc", O_SPECIAL, 0, 0, -1},
    {"aclm", O_SPECIAL, 0, 0, -1},
    {"acl", O_SPECIAL, 0, 0, -1},
    {"frozen", O_SPECIAL, 0, 0, -1},
    {"received_time_usec", O_SPECIAL, 0, 0, -1},
    {"received_time_complete", O_SPECIAL, 0, 0, -1},
    {"tls_resumption", O_SPECIAL, 0, 0, -1},
};

#undef F

/* One parsed option line. */
struct optline {
    const char *line; /* whole line */
    size_t len;
    int tainted;
    const char *quoter; /* NULL or the lookup name */
    size_t quoter_len;
    const char *name;
    size_t name_len;
    const char *value; /* NULL when the line has no space */
    size_t value_len;
};

static int
split_option(struct rd *r, const char *line, size_t len, struct optline *o)
{
    const char *p = line + 1, *end = line + len, *sp;

    memset(o, 0, sizeof(*o));
    o->line = line;
    o->len = len;
    if (p < end && *p == '-') {
        o->tainted = 1;
        p++;
    }
    if (p < end && *p == '(') {
        const char *close = memchr(p, ')', (size_t)(end - p));

        if (close == NULL)
            return corrupt_value(r, "option line", line, len,
                                 "has \"(\" without \")\"");
        o->quoter = p + 1;
        o->quoter_len = (size_t)(close - p - 1);
        p = close + 1;
    }
    o->name = p;
    sp = memchr(p, ' ', (size_t)(end - p));
    o->name_len = (size_t)((sp ? sp : end) - p);
    if (sp != NULL) {
        o->value = sp + 1;
        o->value_len = (size_t)(end - sp - 1);
    }
    return 0;
}

static int
octal(char c)
{
    return c >= '0' && c <= '7' ? c - '0' : -1;
}

static int
hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exim's string_unprinting(): \n \t ... \ooo \xhh; "\" at the end and
 * unknown escapes stand for the character itself. */
static char *
unprint(struct rd *r, const char *s, size_t n)
{
    struct gstr g;
    size_t i = 0;

    gstr_init(&g, r->a);
    gstr_addn(&g, "", 0);
    while (i < n) {
        const char *e;
        int c = (unsigned char)s[i++];

        if (c != '\\' || i == n) {
            gstr_addc(&g, (char)c);
            continue;
        }
        c = (unsigned char)s[i++];
        if (octal((char)c) >= 0) {
            c = octal((char)c);
            for (int k = 0; k < 2 && i < n && octal(s[i]) >= 0; k++)
                c = c * 8 + octal(s[i++]);
        } else if (c == 'x') {
            c = 0;
            for (int k = 0; k < 2 && i < n && hexdig(s[i]) >= 0; k++)
                c = c * 16 + hexdig(s[i++]);
        } else if (c != 0 && (e = strchr("bfnrtv", c)) != NULL) {
            c = "\b\f\n\r\t\v"[e - "bfnrtv"];
        }
        gstr_addc(&g, (char)c);
    }
    return g.s;
}

/* "[ip]:port" or "ip.port" (Exim's host_address_extract_port()); an
 * address it cannot split is kept whole with port 0, as in Exim. The
 * bracket that closes is the last one, so that such an address, which
 * the writer puts in brackets, reads back the same (fuzz-spool). */
static void
set_hostport(struct rd *r, const char *s, size_t n, char **addr, int *port)
{
    *port = 0;
    if (n > 0 && s[0] == '[') {
        const char *rb = memrchr(s, ']', n);
        size_t rest;

        if (rb != NULL) {
            rest = n - (size_t)(rb + 1 - s);
            if (rest == 0 ||
                (rb[1] == ':' && decimal_int(rb + 2, rest - 1, 0, port) == 0)) {
                *addr = copy(r, s + 1, (size_t)(rb - s - 1));
                return;
            }
        }
    } else {
        int skip = -3; /* dots to skip: 3 in IPv4, 0 in IPv6 */

        for (size_t i = 0; i < n; i++) {
            if (s[i] == ':')
                skip = 0;
            else if (s[i] == '.' && skip++ >= 0) {
                if (decimal_int(s + i + 1, n - i - 1, 0, port) == 0) {
                    *addr = copy(r, s, i);
                    return;
                }
                break;
            }
        }
    }
    *port = 0;
    *addr = copy(r, s, n);
}

/* "-aclc name len" and "-aclm name len", value on the next len bytes. */
static int
read_aclvar(struct rd *r, const struct optline *o, char kind, const char *vname,
            size_t vname_len, const char *lenp, size_t len_len, long max)
{
    struct spool_aclvar *v;
    char *name;
    long n;

    if (decimal_long(lenp, len_len, 0, &n) < 0 || n > max)
        return corrupt_value(r, "ACL variable length", lenp, len_len,
                             "is not a number");
    if ((long)(r->end - r->p) < n + 1 || r->p[n] != '\n')
        return corrupt(r,
                       "the value of ACL variable acl_%c%.*s is not "
                       "%ld bytes and a newline",
                       kind, (int)vname_len, vname, n);
    name = copy(r, vname, vname_len);
    v = spool_msg_set_aclvar(r->m, kind, name, r->p, (size_t)n);
    v->tainted = o->tainted;
    if (o->quoter != NULL)
        v->quoter = copy(r, o->quoter, o->quoter_len);
    for (long i = 0; i <= n; i++)
        if (r->p[i] == '\n')
            r->lineno++;
    r->p += n + 1;
    return 0;
}

static int
read_acl_option(struct rd *r, const struct optline *o)
{
    const char *sp;

    if (o->value == NULL)
        return corrupt_value(r, "ACL variable line", o->line, o->len,
                             "has no name and length");
    sp = memchr(o->value, ' ', o->value_len);
    if (sp == NULL || sp == o->value)
        return corrupt_value(r, "ACL variable line", o->line, o->len,
                             "is not \"-acl<c|m> <name> <length>\"");
    if (o->name_len == 4)
        return read_aclvar(r, o, o->name[3], o->value, (size_t)(sp - o->value),
                           sp + 1, o->value_len - (size_t)(sp + 1 - o->value),
                           LONG_MAX - 1);
    /* Obsolete "-acl <n> <len>": 0-9 acl_c0-9, 10-19 acl_m0-9. */
    {
        int idx;
        char digit;

        if (decimal_int(o->value, (size_t)(sp - o->value), 0, &idx) < 0 ||
            idx >= 20)
            return corrupt_value(r, "old ACL variable number", o->value,
                                 (size_t)(sp - o->value), "is not 0-19");
        digit = (char)('0' + idx % 10);
        return read_aclvar(r, o, idx < 10 ? 'c' : 'm', &digit, 1, sp + 1,
                           o->value_len - (size_t)(sp + 1 - o->value),
                           MAX_OLD_ACL);
    }
}

static int
read_usec(const char *s, size_t n, long *usec)
{
    return decimal_long(s, n, 0, usec) < 0 || n > 6 ? -1 : 0;
}

static int
is_name(const struct optline *o, const char *name)
{
    return strlen(name) == o->name_len &&
           memcmp(o->name, name, o->name_len) == 0;
}

static int
read_special(struct rd *r, const struct optline *o)
{
    struct spool_msg *m = r->m;
    const char *v = o->value;
    size_t n = o->value_len;
    long t;

    if (is_name(o, "aclc") || is_name(o, "aclm") || is_name(o, "acl"))
        return read_acl_option(r, o);
    if (is_name(o, "frozen")) {
        if (decimal_long(v, n, 0, &t) < 0)
            return corrupt_value(r, "frozen time", v, n, "is not a number");
        m->frozen = 1;
        m->frozen_at = (time_t)t;
    } else if (is_name(o, "received_time_usec")) {
        if (n < 2 || v[0] != '.' || read_usec(v + 1, n - 1, &t) < 0)
            return corrupt_value(r, "received_time_usec", v, n,
                                 "is not \".NNNNNN\"");
        m->received_usec = t;
    } else if (is_name(o, "received_time_complete")) {
        const char *dot = memchr(v, '.', n);

        if (dot == NULL || decimal_long(v, (size_t)(dot - v), 0, &t) < 0 ||
            read_usec(dot + 1, n - (size_t)(dot + 1 - v), &m->complete_usec) <
                0)
            return corrupt_value(r, "received_time_complete", v, n,
                                 "is not \"S.NNNNNN\"");
        m->complete_sec = (time_t)t;
    } else if (is_name(o, "tls_resumption")) {
        if (n != 1)
            return corrupt_value(r, "tls_resumption", v, n,
                                 "is not one letter");
        m->tls_resumption = v[0];
    }
    return 0;
}

static const struct opt *
find_opt(const struct optline *o)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (is_name(o, opts[i].name))
            return &opts[i];
    return NULL;
}

static int
apply_option(struct rd *r, const struct optline *o, const struct opt *t)
{
    char *base = (char *)r->m;
    const char *v = o->value;
    size_t n = o->value_len;

    if (t->field >= 0 && o->tainted)
        r->m->tainted |= SPOOL_TAINT(t->field);
    switch (t->kind) {
    case O_STR:
        *(char **)(base + t->off) = copy(r, v, n);
        return 0;
    case O_UNPRINT:
        *(char **)(base + t->off) = unprint(r, v, n);
        return 0;
    case O_FLAG:
        *(int *)(base + t->off) = 1;
        return 0;
    case O_LONG:
        if (decimal_long(v, n, 0, (long *)(base + t->off)) < 0)
            return corrupt_value(r, t->name, v, n, "is not a number");
        return 0;
    case O_INT:
        if (decimal_int(v, n, 0, (int *)(base + t->off)) < 0)
            return corrupt_value(r, t->name, v, n, "is not a number");
        return 0;
    case O_HOSTPORT:
        set_hostport(r, v, n, (char **)(base + t->off),
                     (int *)(base + t->off2));
        return 0;
    case O_SPECIAL:
        return read_special(r, o);
    }
    return 0;
}

static int
read_option(struct rd *r, const char *line, size_t len)
{
    struct optline o;
    const struct opt *t;

    /* An option line ends at a NUL, as it does for Exim (a C string
     * from fgets); the writer could not give back what follows one. */
    len = strnlen(line, len);
    if (split_option(r, line, len, &o) < 0)
        return -1;
    t = find_opt(&o);
    /* Unknown, or a known name in a shape it does not have: keep it. */
    if (t == NULL || (t->kind == O_FLAG) != (o.value == NULL)) {
        spool_msg_add_unknown(r->m, copy(r, line, len));
        return 0;
    }
    return apply_option(r, &o, t);
}

/*
 * Non-recipients tree: pre-order, "<L><R> <address>".
 */

static int
read_tree(struct rd *r, const char *line, size_t len, struct tree_node **at,
          int depth)
{
    struct tree_node *node;
    int left, right;

    if (depth > MAX_TREE_DEPTH)
        return corrupt(r, "non-recipients tree is deeper than %d",
                       MAX_TREE_DEPTH);
    if (len < 4 || (line[0] != 'Y' && line[0] != 'N') ||
        (line[1] != 'Y' && line[1] != 'N') || line[2] != ' ')
        return corrupt_value(r, "non-recipients tree line", line, len,
                             "is not \"<Y|N><Y|N> <address>\"");
    /* a NUL ends the address, as on other lines; none left is corrupt */
    size_t nlen = strnlen(line + 3, len - 3);
    if (nlen == 0)
        return corrupt_value(r, "non-recipients tree line", line, len,
                             "has an empty address");
    left = line[0] == 'Y';
    right = line[1] == 'Y';
    node = arena_alloc(r->a, sizeof(*node));
    node->name = copy(r, line + 3, nlen);
    *at = node;
    if (left) {
        if (need_line(r, &line, &len, "a non-recipients tree line") < 0 ||
            read_tree(r, line, len, &node->left, depth + 1) < 0)
            return -1;
    }
    if (right) {
        if (need_line(r, &line, &len, "a non-recipients tree line") < 0 ||
            read_tree(r, line, len, &node->right, depth + 1) < 0)
            return -1;
    }
    return 0;
}

static int
read_recipients(struct rd *r)
{
    const char *line;
    size_t len;
    int count;

    if (need_line(r, &line, &len, "the recipient count") < 0)
        return -1;
    if (decimal_int(line, len, 0, &count) < 0)
        return corrupt_value(r, "recipient count", line, len,
                             "is not a number");
    if (count > MAX_RCPTS || (size_t)count > (size_t)(r->end - r->p) / 2)
        return corrupt(r, "recipient count %d is more than the file holds",
                       count);
    for (int i = 0; i < count; i++) {
        struct spool_rcpt *rc;
        const char *why;

        if (need_line(r, &line, &len, "a recipient") < 0)
            return -1;
        /* A recipient line ends at a NUL too, as Exim's do; the writer
         * could not give back what follows one (fuzz-spool). */
        len = strnlen(line, len);
        rc = spool_msg_add_rcpt(r->m, "");
        if (rcpt_line_parse(line, len, r->a, rc, &why) < 0)
            return len == 0 ? corrupt(r, "recipient line %s", why)
                            : corrupt_value(r, "recipient", line, len, why);
    }
    return 0;
}

/*
 * Envelope, then headers.
 */

static int
read_envelope(struct rd *r, const char *want_id)
{
    const char *line;
    size_t len;

    if (read_id_line(r, want_id) < 0 || read_caller_line(r) < 0 ||
        read_sender_line(r) < 0 || read_time_line(r) < 0)
        return -1;
    for (;;) {
        if (need_line(r, &line, &len, "the non-recipients tree") < 0)
            return -1;
        if (len == 0 || line[0] != '-')
            break;
        if (read_option(r, line, len) < 0)
            return -1;
    }
    if (!(len == 2 && memcmp(line, "XX", 2) == 0)) {
        if (read_tree(r, line, len, &r->m->nonrecipients, 0) < 0)
            return -1;
        tree_rebalance_fields(r->m->nonrecipients);
    }
    if (read_recipients(r) < 0)
        return -1;
    if (need_line(r, &line, &len, "the empty line before the headers") < 0)
        return -1;
    if (len != 0)
        return corrupt_value(r, "line after the recipients", line, len,
                             "is not empty");
    return 0;
}

static int
read_one_header(struct rd *r)
{
    const char *start = r->p;
    size_t digits = 0;
    long n;
    char type;

    r->lineno++;
    while (r->p + digits < r->end && digits < 10 && r->p[digits] >= '0' &&
           r->p[digits] <= '9')
        digits++;
    if (digits == 0)
        return corrupt_value(
            r, "header", start,
            (size_t)(r->end - start) > 20 ? 20 : (size_t)(r->end - start),
            "does not start with its length");
    if ((size_t)(r->end - r->p) < digits + 2)
        return corrupt(r, "header is cut off after its length");
    (void)decimal_long(r->p, digits, 0, &n);
    type = r->p[digits];
    if (r->p[digits + 1] != ' ' || (type >= '0' && type <= '9'))
        return corrupt_value(r, "header prefix", r->p, digits + 2,
                             "is not \"<length><type> \"");
    r->p += digits + 2;
    if (n > r->end - r->p)
        return corrupt(r, "header of %ld bytes is cut off after %ld", n,
                       (long)(r->end - r->p));
    if (memchr(r->p, '\0', (size_t)n) != NULL)
        return corrupt(r, "header holds a NUL byte");
    spool_msg_add_header(r->m, type, r->p, (size_t)n);
    for (long i = 0; i < n - 1; i++)
        if (r->p[i] == '\n')
            r->lineno++;
    r->p += n;
    return 0;
}

enum spool_read_result
spool_parse_header(const char *buf, size_t len, const char *id, struct arena *a,
                   struct spool_msg *m, struct gstr *err)
{
    struct rd r;
    char name[MSGID_LEN + 3];

    spool_msg_init(m, a, NULL);
    if (id != NULL)
        snprintf(name, sizeof(name), "%s-H", id);
    else if (len >= MSGID_LEN + 2 && msgid_check(buf, MSGID_LEN) != 0)
        snprintf(name, sizeof(name), "%.*s-H", MSGID_LEN, buf);
    else if (len >= MSGID_OLD_LEN + 2 && msgid_check(buf, MSGID_OLD_LEN) != 0)
        snprintf(name, sizeof(name), "%.*s-H", MSGID_OLD_LEN, buf);
    else
        snprintf(name, sizeof(name), "(unknown)-H");
    memset(&r, 0, sizeof(r));
    r.p = buf;
    r.end = buf + len;
    r.name = name;
    r.err = err;
    r.a = a;
    r.m = m;
    if (read_envelope(&r, id) < 0)
        return SPOOL_READ_ENVERROR;
    while (r.p < r.end)
        if (read_one_header(&r) < 0)
            return SPOOL_READ_HDRERROR;
    return SPOOL_READ_OK;
}

/*
 * Files.
 */

/* Opens input/[<c>/]<id><suffix>, trying the other layout second. */
static int
open_spool_file(const char *spool_dir, int split, const char *id,
                const char *suffix, struct gstr *path)
{
    int fd = -1;

    for (int i = 0; i < 2 && fd < 0; i++) {
        int here = (i == 0) == (split != 0);

        gstr_truncate(path, 0);
        spool_path_file_in(path, spool_dir, here ? msgid_split_char(id) : 0, "",
                           id, suffix);
        fd = open(path->s, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT)
            return -1;
    }
    return fd;
}

static int
read_all(int fd, struct arena *a, char **buf, size_t *len)
{
    struct stat st;
    size_t got = 0;

    if (fstat(fd, &st) < 0)
        return -1;
    if (st.st_size > MAX_HFILE) {
        errno = EFBIG;
        return -1;
    }
    *buf = arena_alloc(a, (size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; /* shrank meanwhile: parse what there is */
        got += (size_t)n;
    }
    *len = got;
    return 0;
}

enum spool_read_result
spool_read_header(const char *spool_dir, int split, const char *id,
                  struct arena *a, struct spool_msg *m, struct gstr *err)
{
    struct gstr path;
    char *buf;
    size_t len;
    int fd;

    spool_msg_init(m, a, id);
    if (spool_path_check_id(id, err) < 0)
        return SPOOL_READ_NOTOPEN;
    gstr_init(&path, a);
    fd = open_spool_file(spool_dir, split, id, "-H", &path);
    if (fd < 0) {
        gstr_printf(err, "spool file %s-H: cannot open: %s", id,
                    strerror(errno));
        return SPOOL_READ_NOTOPEN;
    }
    if (read_all(fd, a, &buf, &len) < 0) {
        gstr_printf(err, "spool file %s: cannot read: %s", path.s,
                    strerror(errno));
        close(fd);
        return SPOOL_READ_NOTOPEN;
    }
    close(fd);
    return spool_parse_header(buf, len, id, a, m, err);
}

int
spool_read_journal(const char *spool_dir, int split, const char *id,
                   struct spool_msg *m, struct gstr *err)
{
    struct gstr path;
    const char *p, *end, *nl;
    char *buf;
    size_t len;
    int fd;

    if (spool_path_check_id(id, err) < 0)
        return -1;
    gstr_init(&path, m->arena);
    fd = open_spool_file(spool_dir, split, id, "-J", &path);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        gstr_printf(err, "spool file %s-J: cannot open: %s", id,
                    strerror(errno));
        return -1;
    }
    if (read_all(fd, m->arena, &buf, &len) < 0) {
        gstr_printf(err, "spool file %s: cannot read: %s", path.s,
                    strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    /* A last line without LF was being written when the run died. */
    for (p = buf, end = buf + len; p < end; p = nl + 1) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            break;
        if (nl > p)
            spool_msg_add_nonrcpt(m,
                                  arena_strndup(m->arena, p, (size_t)(nl - p)));
    }
    return 0;
}

int
spool_open_data(const char *spool_dir, int split, const char *id, int *fdp,
                off_t *body_offset, off_t *size, struct gstr *err)
{
    struct gstr path;
    char first[MSGID_LEN + 4];
    size_t want = msgid_data_offset(id);
    struct stat st;
    ssize_t n;
    int fd;

    *fdp = -1;
    if (spool_path_check_id(id, err) < 0)
        return -1;
    gstr_init(&path, err->arena);
    fd = open_spool_file(spool_dir, split, id, "-D", &path);
    if (fd < 0) {
        int e = errno;

        gstr_printf(err, "spool file %s-D: cannot open: %s", id, strerror(e));
        errno = e;
        return -1;
    }
    if (want > sizeof(first))
        want = sizeof(first);
    do
        n = pread(fd, first, want, 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)want || first[want - 1] != '\n' ||
        memcmp(first, id, want - 3) != 0 ||
        memcmp(first + want - 3, "-D", 2) != 0) {
        gstr_printf(err, "spool file %s is corrupt: line 1: is not \"%s-D\"",
                    path.s, id);
        close(fd);
        errno = EINVAL;
        return -1;
    }
    if (fstat(fd, &st) < 0 || lseek(fd, (off_t)want, SEEK_SET) < 0) {
        gstr_printf(err, "spool file %s: %s", path.s, strerror(errno));
        close(fd);
        return -1;
    }
    *fdp = fd;
    *body_offset = (off_t)want;
    if (size != NULL)
        *size = st.st_size - (off_t)want;
    return 0;
}
