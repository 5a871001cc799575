/*++
 * NAME
 *	xclient 3
 * SUMMARY
 *	the XCLIENT command
 * SYNOPSIS
 *	#include "smtp/xclient.h"
 *
 *	void	xclient_smtp_init(void)
 * DESCRIPTION
 *	XCLIENT (Postfix's extension, Exim's EXPERIMENTAL_XCLIENT) lets a
 *	proxy listed in hosts_xclient pass on the identity of the client
 *	it serves: "XCLIENT ADDR=... PORT=... NAME=... LOGIN=...
 *	DESTADDR=... DESTPORT=...". Values are xtext; "[UNAVAILABLE]" and
 *	"[TEMPUNAVAIL]" (any case) unset an attribute. ADDR and DESTADDR
 *	take IPv4 or IPv6, the latter with or without Postfix's "IPV6:"
 *	prefix, which is dropped.
 *
 *	The EHLO reply lists "XCLIENT ADDR NAME PORT LOGIN DESTADDR
 *	DESTPORT" for a host in hosts_xclient, or once the session is a
 *	proxy session. The first XCLIENT of a session must give ADDR and
 *	PORT (a host in hosts_xclient_port_optional, an mxlab extension,
 *	may leave PORT out, as nginx does).
 *
 *	On success the reply is "220 XCLIENT success"; $proxy_session is
 *	"yes"; ADDR moves the current $sender_host_address to
 *	$proxy_local_address, PORT the current $sender_host_port to
 *	$proxy_local_port; DESTADDR and DESTPORT set
 *	$proxy_external_address and $proxy_external_port; NAME sets the
 *	verified host name; LOGIN makes the session authenticated
 *	($authenticated_id, $sender_host_authenticated "xclient", so
 *	P=esmtpa A=xclient:NAME), and LOGIN=[UNAVAILABLE] makes it
 *	unauthenticated again. The client must then send EHLO or HELO
 *	again. A later XCLIENT in the same session needs no host list
 *	check and moves the then-current client values to the "proxy
 *	local" ones.
 *
 *	Unlike Exim, a refused XCLIENT changes nothing: the command is
 *	checked as a whole before anything is applied.
 * DIAGNOSTICS
 *	As Exim: "503 no HELO/EHLO given", "501 XCLIENT command used when
 *	not advertised" (Exim 4.98.2 said 550; the current Exim, since
 *	December 2025, 501), "503 mail transaction in progress", "501 XCLIENT
 *	must have at least one operand", "501 XCLIENT: missing value for
 *	parameter 'X'", "501 XCLIENT: unrecognised parameter 'X'", "501
 *	XCLIENT: zero-length value for param", "501 failed xtext decode
 *	for XCLIENT: 'V'", "501 missing ADDR for XCLIENT", "501 missing
 *	PORT for XCLIENT"; mxlab adds "501 XCLIENT: invalid address for
 *	parameter 'ADDR': 'V'", "501 XCLIENT: invalid port for
 *	parameter 'PORT': 'V'", "501 XCLIENT: invalid host name for
 *	parameter 'NAME': 'V'" and "501 XCLIENT: control character in
 *	parameter 'LOGIN': 'V'" (V as the client sent it, escaped).
 *
 *	NAME and LOGIN are checked after xtext decoding, deliberately
 *	unlike Exim 4.98 and 4.99, which take any decoded bytes: NAME must
 *	be a host name (letters, digits, '-', '_', dots; labels of 63
 *	bytes at most, 255 in all), LOGIN may not hold control characters
 *	(bytes below 0x20 and DEL). Otherwise an xtext CR LF in either
 *	would split the EHLO reply and the log line and forge a line in
 *	the Received: header (docs/security.md). The 501s count towards
 *	smtp_max_synprot_errors; the 503s do not, as in Exim, and are
 *	logged "rejected XCLIENT from H: TEXT" to the main and reject
 *	logs instead.
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/xtext.h"
#include "expand/ip.h"
#include "expand/match.h"
#include "log/log.h"
#include "smtp/ehlo.h"
#include "smtp/smtp_int.h"
#include "smtp/xclient.h"
#include "smtp/xclient_conf.h"

enum xattr { X_ADDR, X_NAME, X_PORT, X_LOGIN, X_DESTADDR, X_DESTPORT, X_N };

static const char *const xattr_names[X_N] = {
    "ADDR", "NAME", "PORT", "LOGIN", "DESTADDR", "DESTPORT",
};

/* What a refused XCLIENT must leave as it was. */
struct xclient_saved {
    char *host_address;
    int host_port;
    char *host_name;
    char *proxy_local_address;
    int proxy_local_port;
    char *proxy_external_address;
    int proxy_external_port;
    char *authenticated_id;
    char *authenticated_by;
    char *auth_pubname;
    unsigned tainted;
};

static void
save(const struct smtp_session *s, struct xclient_saved *v)
{
    v->host_address = s->host_address;
    v->host_port = s->host_port;
    v->host_name = s->host_name;
    v->proxy_local_address = s->proxy_local_address;
    v->proxy_local_port = s->proxy_local_port;
    v->proxy_external_address = s->proxy_external_address;
    v->proxy_external_port = s->proxy_external_port;
    v->authenticated_id = s->authenticated_id;
    v->authenticated_by = s->authenticated_by;
    v->auth_pubname = s->auth_pubname;
    v->tainted = s->tainted;
}

static void
restore(struct smtp_session *s, const struct xclient_saved *v)
{
    s->host_address = v->host_address;
    s->host_port = v->host_port;
    s->host_name = v->host_name;
    s->proxy_local_address = v->proxy_local_address;
    s->proxy_local_port = v->proxy_local_port;
    s->proxy_external_address = v->proxy_external_address;
    s->proxy_external_port = v->proxy_external_port;
    s->authenticated_id = v->authenticated_id;
    s->authenticated_by = v->authenticated_by;
    s->auth_pubname = v->auth_pubname;
    s->tainted = v->tainted;
}

static int
may_use(struct smtp_session *s)
{
    return s->proxy_session ||
           smtp_host_in_named(s, xclient_main.hosts_xclient, "hosts_xclient");
}

/* The proxy itself (the connection's peer before any XCLIENT) in a
 * host list. */
static int
proxy_in(struct smtp_session *s, const char *list)
{
    gstr err;

    if (list == NULL || s->proxy_peer_address == NULL)
        return 0;
    gstr_init(&err, s->msg_arena);
    return match_host(&s->x, s->proxy_peer_address, NULL, list, &err) ==
           MATCH_OK;
}

/* As in Exim, the two 503s are logged but not counted towards
 * smtp_max_synprot_errors: they say "not now", not "malformed". */
static int
refuse_503(struct smtp_session *s, const char *text)
{
    log_write(LOG_MAIN | LOG_REJECT, "rejected XCLIENT from %s: %s",
              smtp_host_and_ident(s, 0), text);
    smtp_reply(s, 503, text);
    return 0;
}

static int
refuse_501(struct smtp_session *s, const struct xclient_saved *v,
           const char *text)
{
    restore(s, v);
    return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL, text);
}

/* An address for ADDR or DESTADDR: IPv4, IPv6 or "IPV6:" + IPv6. Returns
 * the address to keep, or NULL if it is not one. */
static char *
xclient_address(struct smtp_session *s, const char *v)
{
    unsigned char a[16];
    int family;

    if (strncasecmp(v, "IPV6:", 5) == 0) {
        v += 5;
        if (ip_parse(v, a, &family) != 1 || family != 6 || *v == '[')
            return NULL;
    } else if (ip_parse(v, a, &family) != 1 || *v == '[' ||
               strchr(v, '%') != NULL)
        return NULL;
    return arena_strdup(s->conn_arena, v);
}

/* A host name as a proxy's reverse lookup gives it: labels of letters,
 * digits, '-' and '_', separated by single dots, a final dot allowed. */
static int
xclient_host_name(const char *v)
{
    size_t label = 0, total = strlen(v);

    if (total == 0 || total > 255 || *v == '.')
        return 0;
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
            if (++label > 63)
                return 0;
        } else
            return 0;
    }
    return 1;
}

static int
xclient_login_ok(const char *v)
{
    for (; *v != '\0'; v++)
        if ((unsigned char)*v < 0x20 || (unsigned char)*v == 0x7f)
            return 0;
    return 1;
}

static int
xclient_port(const char *v)
{
    char *end;
    long n;

    if (!isdigit((unsigned char)*v))
        return -1;
    n = strtol(v, &end, 10);
    if (*end != '\0' || n > 65535 || strlen(v) > 5)
        return -1;
    return (int)n;
}

static void
set_proxy_vars(struct smtp_session *s)
{
    expand_set_var(&s->x, "proxy_session", "yes");
    expand_set_var(&s->x, "proxy_local_address", s->proxy_local_address);
    expand_set_var(&s->x, "proxy_local_port",
                   arena_printf(s->conn_arena, "%d", s->proxy_local_port));
    expand_set_var(&s->x, "proxy_external_address", s->proxy_external_address);
    expand_set_var(&s->x, "proxy_external_port",
                   arena_printf(s->conn_arena, "%d", s->proxy_external_port));
}

static int
cmd_xclient(struct smtp_session *s, char *arg)
{
    struct xclient_saved v;
    char *p = arg;
    int addr_given = 0, port_given = 0;

    s->mail_commands++;
    if (!s->helo_seen)
        return refuse_503(s, "no HELO/EHLO given");
    if (!may_use(s))
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                  "XCLIENT command used when not advertised");
    if (s->txn.sender != NULL)
        return refuse_503(s, "mail transaction in progress");
    if (*p == '\0')
        return smtp_synprot_error(s, SYNPROT_SYNTAX, 501, NULL,
                                  "XCLIENT must have at least one operand");
    if (s->proxy_peer_address == NULL)
        s->proxy_peer_address = s->host_address;
    save(s, &v);
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;

        char *word = p;
        while (*p != '\0' && *p != '=')
            p++;
        int len = (int)(p - word);
        if (*p == '\0')
            return refuse_501(
                s, &v,
                arena_printf(s->msg_arena,
                             "XCLIENT: missing value for parameter '%.*s'", len,
                             word));
        enum xattr a = X_N;
        for (int i = 0; i < X_N; i++)
            if ((size_t)len == strlen(xattr_names[i]) &&
                strncasecmp(word, xattr_names[i], (size_t)len) == 0)
                a = (enum xattr)i;
        if (a == X_N)
            return refuse_501(
                s, &v,
                arena_printf(s->msg_arena,
                             "XCLIENT: unrecognised parameter '%.*s'", len,
                             word));

        char *value = ++p;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
        size_t vlen = (size_t)(p - value);
        if (vlen == 0)
            return refuse_501(s, &v, "XCLIENT: zero-length value for param");

        char *val = NULL;
        if (vlen == 13 && (strncasecmp(value, "[UNAVAILABLE]", 13) == 0 ||
                           strncasecmp(value, "[TEMPUNAVAIL]", 13) == 0))
            val = NULL;
        else {
            gstr d;
            int bad = 0;

            for (size_t i = 0; i < vlen; i++)
                if ((unsigned char)value[i] < '!' ||
                    (unsigned char)value[i] > '~' || value[i] == '=')
                    bad = 1;
            gstr_init(&d, s->conn_arena);
            if (bad || xtext_decode(&d, value, vlen) < 0 ||
                memchr(gstr_str(&d), '\0', d.len) != NULL)
                return refuse_501(
                    s, &v,
                    arena_printf(s->msg_arena,
                                 "failed xtext decode for XCLIENT: '%s'",
                                 value));
            val = (char *)gstr_str(&d);
        }

        const char *shown = arena_strndup(s->msg_arena, value, vlen);
        switch (a) {
        case X_ADDR:
        case X_DESTADDR: {
            char *addr = NULL;
            if (val != NULL && (addr = xclient_address(s, val)) == NULL)
                return refuse_501(
                    s, &v,
                    arena_printf(s->msg_arena,
                                 "XCLIENT: invalid address for parameter "
                                 "'%s': '%s'",
                                 xattr_names[a], shown));
            if (a == X_ADDR) {
                s->proxy_local_address = s->host_address;
                s->host_address = addr;
                s->tainted |= SESS_TAINT_HOST_ADDRESS;
                addr_given = 1;
            } else
                s->proxy_external_address = addr;
            break;
        }
        case X_PORT:
        case X_DESTPORT: {
            int port = 0;
            if (val != NULL && (port = xclient_port(val)) < 0)
                return refuse_501(
                    s, &v,
                    arena_printf(s->msg_arena,
                                 "XCLIENT: invalid port for parameter "
                                 "'%s': '%s'",
                                 xattr_names[a], shown));
            if (a == X_PORT) {
                s->proxy_local_port = s->host_port;
                s->host_port = port;
                port_given = 1;
            } else
                s->proxy_external_port = port;
            break;
        }
        case X_NAME:
            if (val != NULL && !xclient_host_name(val))
                return refuse_501(
                    s, &v,
                    arena_printf(s->msg_arena,
                                 "XCLIENT: invalid host name for parameter "
                                 "'NAME': '%s'",
                                 shown));
            s->host_name = val;
            s->tainted |= SESS_TAINT_HOST_NAME;
            break;
        case X_LOGIN:
            if (val != NULL && !xclient_login_ok(val))
                return refuse_501(
                    s, &v,
                    arena_printf(s->msg_arena,
                                 "XCLIENT: control character in parameter "
                                 "'LOGIN': '%s'",
                                 shown));
            s->authenticated_id = val;
            s->authenticated_by = val != NULL ? "xclient" : NULL;
            s->auth_pubname = NULL;
            s->tainted |= SESS_TAINT_AUTH_ID;
            break;
        case X_N:
            break;
        }
    }
    /* The first XCLIENT of a session must give ADDR and PORT (the spec;
     * Exim's check of the proxy-local values comes to the same for a TCP
     * connection). Later ones need neither. */
    if (!s->proxy_session && !addr_given)
        return refuse_501(s, &v, "missing ADDR for XCLIENT");
    if (!s->proxy_session && !port_given) {
        if (!proxy_in(s, xclient_main.hosts_xclient_port_optional))
            return refuse_501(s, &v, "missing PORT for XCLIENT");
        /* mxlab: a proxy that may leave PORT out; the client's port is
         * not known. */
        s->proxy_local_port = v.host_port;
        s->host_port = 0;
    }
    s->proxy_session = 1;
    s->helo_seen = 0; /* a fresh EHLO or HELO is required */
    smtp_set_host_vars(s);
    set_proxy_vars(s);
    smtp_reply(s, 220, "XCLIENT success");
    return 0;
}

static int
xclient_advertise(struct smtp_session *s, gstr *out)
{
    if (!may_use(s))
        return 0;
    gstr_adds(out, "XCLIENT");
    for (int i = 0; i < X_N; i++)
        gstr_printf(out, " %s", xattr_names[i]);
    return 1;
}

static const struct smtp_ext_cmd xclient_cmd = {"XCLIENT", cmd_xclient,
                                                may_use};

static struct ehlo_keyword xclient_keyword = {EHLO_AFTER_CHUNKING,
                                              xclient_advertise, NULL};

void
xclient_smtp_init(void)
{
    smtp_command_register(&xclient_cmd);
    smtp_ehlo_register(&xclient_keyword);
}
