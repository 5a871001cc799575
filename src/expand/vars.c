/*++
 * NAME
 *	vars 3
 * SUMMARY
 *	the table of expansion variables
 * SYNOPSIS
 *	#include "expand/expand.h"
 *
 *	int	expand_set_var(struct expand_ctx *ctx, const char *name,
 *				const char *value)
 *	const char *expand_get_var(const struct expand_ctx *ctx,
 *				const char *name)
 *	int	expand_set_acl_var(struct expand_ctx *ctx, const char *name,
 *				const char *value)
 *	const char *expand_get_acl_var(const struct expand_ctx *ctx,
 *				const char *name)
 *	int	expand_acl_var_name_ok(const char *name)
 *	int	expand_set_acl_var_taint(struct expand_ctx *ctx,
 *				const char *name, const char *value,
 *				int tainted)
 *	int	expand_acl_var_tainted(const struct expand_ctx *ctx,
 *				const char *name)
 *
 *	size_t	expand_var_count(void)
 *	const char *expand_var_name(size_t i, const char **where)
 * DESCRIPTION
 *	Every variable mxlab knows is one line of var_table: its name,
 *	where it has a value (EW_ bits: everywhere, during a connection, a
 *	message, an address, a delivery), and how to get the value:
 *
 *	VCTX	set by the area that knows it, through expand_set_var(); a
 *		default (often empty, "0" for counters) until then. A later
 *		issue adds its variable here with one line and sets it.
 *	VCONF	a main option.
 *	VFN	computed by a function ($tod_*, $message_body ...).
 *
 *	ACL variables ($acl_c0..$acl_c9, $acl_m0..$acl_m9, $acl_c_name,
 *	$acl_m_name) live in the context; unset ones expand to nothing.
 *	Each carries a taint mark (taint(3)): expand_set_acl_var() clears
 *	it, expand_set_acl_var_taint() sets it as told. Reading a tainted
 *	variable marks the expansion tainted.
 * DIAGNOSTICS
 *	An unknown name is an error: 'unknown variable name "x"' (or
 *	'unknown variable in "${x}"' for the braced form), with Exim's hint
 *	for names that look like ACL variables.
 *--*/

#include <ctype.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/tod.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "expand/expand_int.h"
#include "priv/priv.h"
#include "version.h"

#define EW_ALL  0x01 /* everywhere */
#define EW_CONN 0x02 /* during an SMTP connection */
#define EW_MSG  0x04 /* while a message is received or delivered */
#define EW_ADDR 0x08 /* while an address is routed or delivered */
#define EW_DLV  0x10 /* in a transport */
#define EW_ITEM 0x20 /* inside the item that sets it */

enum var_kind { VCTX, VCONF, VFN };

typedef void var_fn(struct exp *e, gstr *out);

struct var_def {
    const char *name;
    unsigned where;
    enum var_kind kind;
    const char *dflt;
    size_t off;
    var_fn *fn;
};

#define VCTX_(n, w, d)                                                         \
    {                                                                          \
        (n), (w), VCTX, (d), 0, NULL                                           \
    }
#define VCONF_(n, w, f)                                                        \
    {                                                                          \
        (n), (w), VCONF, NULL, offsetof(struct main_config, f), NULL           \
    }
#define VFN_(n, w, f)                                                          \
    {                                                                          \
        (n), (w), VFN, NULL, 0, (f)                                            \
    }

static void
add_time(gstr *out, const char *fmt)
{
    char buf[64];
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    if (strftime(buf, sizeof(buf), fmt, &tm) > 0)
        gstr_adds(out, buf);
}

static void
v_tod_log(struct exp *e, gstr *out)
{
    (void)e;
    tod_log(out, time(NULL));
}

static void
v_tod_full(struct exp *e, gstr *out)
{
    (void)e;
    tod_full(out, time(NULL));
}

static void
v_tod_bsdinbox(struct exp *e, gstr *out)
{
    char buf[64];
    time_t now = time(NULL);
    struct tm tm;

    (void)e;
    localtime_r(&now, &tm);
    /* the day zero-padded, as Exim ("May 06") */
    snprintf(buf, sizeof(buf), "%.3s %.3s %02d %02d:%02d:%02d %d",
             &"SunMonTueWedThuFriSat"[3 * tm.tm_wday],
             &"JanFebMarAprMayJunJulAugSepOctNovDec"[3 * tm.tm_mon], tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    gstr_adds(out, buf);
}

static void
v_tod_epoch(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%lld", (long long)time(NULL));
}

static void
v_tod_epoch_l(struct exp *e, gstr *out)
{
    struct timeval tv;

    (void)e;
    gettimeofday(&tv, NULL);
    gstr_printf(out, "%lld%06ld", (long long)tv.tv_sec, (long)tv.tv_usec);
}

static void
v_tod_logfile(struct exp *e, gstr *out)
{
    (void)e;
    add_time(out, "%Y%m%d");
}

static void
v_tod_zone(struct exp *e, gstr *out)
{
    (void)e;
    add_time(out, "%z");
}

static void
v_tod_zulu(struct exp *e, gstr *out)
{
    char buf[32];
    time_t now = time(NULL);
    struct tm tm;

    (void)e;
    gmtime_r(&now, &tm);
    if (strftime(buf, sizeof(buf), "%Y%m%d%H%M%SZ", &tm) > 0)
        gstr_adds(out, buf);
}

static void
v_pid(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%d", (int)getpid());
}

static void
v_version(struct exp *e, gstr *out)
{
    (void)e;
    gstr_adds(out, MXLAB_VERSION);
}

static void
v_exim_version(struct exp *e, gstr *out)
{
    (void)e;
    gstr_adds(out, MXLAB_EXIM_COMPAT);
}

static void
v_compile_number(struct exp *e, gstr *out)
{
    (void)e;
    gstr_adds(out, "1");
}

static void
v_compile_date(struct exp *e, gstr *out)
{
    (void)e;
    gstr_adds(out, __DATE__);
}

static void
v_config_file(struct exp *e, gstr *out)
{
    (void)e;
    if (config != NULL && config->path != NULL)
        gstr_adds(out, config->path);
}

static void
v_config_dir(struct exp *e, gstr *out)
{
    if (config != NULL && config->path != NULL) {
        char *copy = x_strdup(e, config->path);
        gstr_adds(out, dirname(copy));
    }
}

static void
v_exim_path(struct exp *e, gstr *out)
{
    (void)e;
    if (main_config.exim_path != NULL)
        gstr_adds(out, main_config.exim_path);
}

static void
v_uid(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%ld", (long)priv_caller_uid());
}

static void
v_gid(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%ld", (long)priv_caller_gid());
}

static void
v_exim_uid(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%ld", (long)priv_exim_uid());
}

static void
v_exim_gid(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%ld", (long)priv_exim_gid());
}

static void
v_value(struct exp *e, gstr *out)
{
    if (e->value != NULL)
        gstr_adds(out, e->value);
}

static void
v_item(struct exp *e, gstr *out)
{
    if (e->item != NULL)
        gstr_adds(out, e->item);
}

static void
v_runrc(struct exp *e, gstr *out)
{
    gstr_printf(out, "%d", e->ctx->runrc);
}

static void
v_recipients(struct exp *e, gstr *out)
{
    const char *const *r = e->ctx->recipients;

    for (size_t i = 0; r != NULL && r[i] != NULL; i++) {
        if (i > 0)
            gstr_adds(out, ", ");
        gstr_adds(out, r[i]);
    }
}

static void
v_recipients_count(struct exp *e, gstr *out)
{
    const char *const *r = e->ctx->recipients;
    size_t n = 0;

    while (r != NULL && r[n] != NULL)
        n++;
    gstr_printf(out, "%zu", n);
}

static void
v_sender_domain(struct exp *e, gstr *out)
{
    const char *s = expand_get_var(e->ctx, "sender_address");
    const char *at = s ? strrchr(s, '@') : NULL;

    if (at != NULL)
        gstr_adds(out, at + 1);
}

static void
v_sender_local_part(struct exp *e, gstr *out)
{
    const char *s = expand_get_var(e->ctx, "sender_address");
    const char *at = s ? strrchr(s, '@') : NULL;

    if (at != NULL)
        gstr_addn(out, s, (size_t)(at - s));
    else if (s != NULL)
        gstr_adds(out, s);
}

static void
v_smtp_active_hostname(struct exp *e, gstr *out)
{
    const char *s = expand_get_var(e->ctx, "smtp_active_hostname");

    if (s == NULL)
        s = main_config.primary_hostname;
    if (s != NULL)
        gstr_adds(out, s);
}

static void
v_bounce_return_size_limit(struct exp *e, gstr *out)
{
    (void)e;
    gstr_printf(out, "%d", main_config.bounce_return_size_limit);
}

static void
v_message_body(struct exp *e, gstr *out)
{
    x_message_body(e, 0, out);
}

static void
v_message_body_end(struct exp *e, gstr *out)
{
    x_message_body(e, 1, out);
}

static void
v_message_headers(struct exp *e, gstr *out)
{
    x_message_headers(e, 0, out);
}

static void
v_message_headers_raw(struct exp *e, gstr *out)
{
    x_message_headers(e, 1, out);
}

static size_t
headers_size(const struct expand_message *m)
{
    size_t n = 0;

    for (const struct expand_header *h = m ? m->headers : NULL; h != NULL;
         h = h->next)
        n += h->len;
    return n;
}

static size_t
body_lines(const struct expand_message *m, size_t *zeros)
{
    size_t n = 0;

    *zeros = 0;
    if (m == NULL)
        return 0;
    if (m->counted) {
        *zeros = m->body_zeros;
        return m->body_lines;
    }
    for (size_t i = 0; i < m->body_len; i++) {
        if (m->body[i] == '\n')
            n++;
        else if (m->body[i] == '\0')
            (*zeros)++;
    }
    if (m->body_len > 0 && m->body[m->body_len - 1] != '\n')
        n++;
    return n;
}

static void
v_message_body_size(struct exp *e, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;

    gstr_printf(out, "%zu",
                m == NULL    ? 0
                : m->counted ? m->body_size
                             : m->body_len);
}

static void
v_message_size(struct exp *e, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    const char *v = expand_get_var(e->ctx, "message_size");

    if (v != NULL)
        gstr_adds(out, v);
    else if (m == NULL)
        gstr_adds(out, "0");
    else /* the headers, the blank line and the body */
        gstr_printf(out, "%zu",
                    headers_size(m) + 1 +
                        (m->counted ? m->body_size : m->body_len));
}

static void
v_body_linecount(struct exp *e, gstr *out)
{
    size_t zeros;

    gstr_printf(out, "%zu", body_lines(e->ctx->msg, &zeros));
}

static void
v_body_zerocount(struct exp *e, gstr *out)
{
    size_t zeros;

    body_lines(e->ctx->msg, &zeros);
    gstr_printf(out, "%zu", zeros);
}

static void
v_message_linecount(struct exp *e, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    const char *v = expand_get_var(e->ctx, "message_linecount");

    if (v != NULL) {
        gstr_adds(out, v);
        return;
    }
    size_t zeros, n = body_lines(m, &zeros);

    for (const struct expand_header *h = m ? m->headers : NULL; h != NULL;
         h = h->next)
        for (size_t i = 0; i < h->len; i++)
            n += h->text[i] == '\n';
    gstr_printf(out, "%zu", n + (m != NULL));
}

static void
v_received_count(struct exp *e, gstr *out)
{
    const struct expand_message *m = e->ctx->msg;
    size_t n = 0;

    for (const struct expand_header *h = m ? m->headers : NULL; h != NULL;
         h = h->next)
        if (h->name_len == 8 && strncasecmp(h->text, "Received", 8) == 0)
            n++;
    gstr_printf(out, "%zu", n);
}

/* Sorted by name; -bV and docs/expansion.md list them in this order. */
static const struct var_def var_table[] = {
    VCTX_("acl_arg1", EW_ITEM, NULL),
    VCTX_("acl_arg2", EW_ITEM, NULL),
    VCTX_("acl_arg3", EW_ITEM, NULL),
    VCTX_("acl_arg4", EW_ITEM, NULL),
    VCTX_("acl_arg5", EW_ITEM, NULL),
    VCTX_("acl_arg6", EW_ITEM, NULL),
    VCTX_("acl_arg7", EW_ITEM, NULL),
    VCTX_("acl_arg8", EW_ITEM, NULL),
    VCTX_("acl_arg9", EW_ITEM, NULL),
    VCTX_("acl_narg", EW_ALL, "0"),
    VCTX_("acl_verify_message", EW_MSG, NULL),
    VCTX_("address_data", EW_ADDR, NULL),
    VCTX_("address_file", EW_DLV, NULL),
    VCTX_("address_pipe", EW_DLV, NULL),
    VCTX_("arc_domains", EW_MSG, NULL),
    VCTX_("arc_oldest_pass", EW_MSG, "0"),
    VCTX_("arc_state", EW_MSG, NULL),
    VCTX_("arc_state_reason", EW_MSG, NULL),
    VCTX_("auth1", EW_CONN, NULL),
    VCTX_("auth2", EW_CONN, NULL),
    VCTX_("auth3", EW_CONN, NULL),
    VCTX_("auth4", EW_CONN, NULL),
    VCTX_("authenticated_fail_id", EW_CONN, NULL),
    VCTX_("authenticated_id", EW_CONN, NULL),
    VCTX_("authenticated_sender", EW_MSG, NULL),
    VCTX_("authentication_failed", EW_CONN, "0"),
    VCTX_("bmi_alt_location", EW_ADDR, NULL),
    VCTX_("bmi_base64_tracker_verdict", EW_ADDR, NULL),
    VCTX_("bmi_base64_verdict", EW_ADDR, NULL),
    VCTX_("bmi_deliver", EW_ADDR, "1"),
    VFN_("body_linecount", EW_MSG, v_body_linecount),
    VFN_("body_zerocount", EW_MSG, v_body_zerocount),
    VCTX_("bounce_recipient", EW_MSG, NULL),
    VFN_("bounce_return_size_limit", EW_ALL, v_bounce_return_size_limit),
    VFN_("caller_gid", EW_ALL, v_gid),
    VFN_("caller_uid", EW_ALL, v_uid),
    VCTX_("callout_address", EW_ADDR, NULL),
    VFN_("compile_date", EW_ALL, v_compile_date),
    VFN_("compile_number", EW_ALL, v_compile_number),
    VFN_("config_dir", EW_ALL, v_config_dir),
    VFN_("config_file", EW_ALL, v_config_file),
    VCTX_("dcc_header", EW_MSG, NULL),
    VCTX_("dcc_result", EW_MSG, NULL),
    VCTX_("dkim_algo", EW_MSG, NULL),
    VCTX_("dkim_bodylength", EW_MSG, "9999999999999"),
    VCTX_("dkim_canon_body", EW_MSG, NULL),
    VCTX_("dkim_canon_headers", EW_MSG, NULL),
    VCTX_("dkim_copiedheaders", EW_MSG, NULL),
    VCTX_("dkim_created", EW_MSG, "0"),
    VCTX_("dkim_cur_signer", EW_MSG, NULL),
    VCTX_("dkim_domain", EW_MSG, NULL),
    VCTX_("dkim_expires", EW_MSG, "9999999999999"),
    VCTX_("dkim_headernames", EW_MSG, NULL),
    VCTX_("dkim_identity", EW_MSG, NULL),
    VCTX_("dkim_key_granularity", EW_MSG, "*"),
    VCTX_("dkim_key_length", EW_MSG, "0"),
    VCTX_("dkim_key_nosubdomains", EW_MSG, "0"),
    VCTX_("dkim_key_notes", EW_MSG, NULL),
    VCTX_("dkim_key_srvtype", EW_MSG, "*"),
    VCTX_("dkim_key_testing", EW_MSG, "0"),
    VCTX_("dkim_selector", EW_MSG, NULL),
    VCTX_("dkim_signers", EW_MSG, NULL),
    VCTX_("dkim_verify_reason", EW_MSG, NULL),
    VCTX_("dkim_verify_status", EW_MSG, NULL),
    VCTX_("dnslist_domain", EW_CONN, NULL),
    VCTX_("dnslist_matched", EW_CONN, NULL),
    VCTX_("dnslist_text", EW_CONN, NULL),
    VCTX_("dnslist_value", EW_CONN, NULL),
    VCTX_("domain", EW_ADDR, NULL),
    VCTX_("domain_data", EW_ADDR, NULL),
    VCTX_("dsn_from", EW_MSG, NULL),
    VFN_("exim_gid", EW_ALL, v_exim_gid),
    VFN_("exim_path", EW_ALL, v_exim_path),
    VFN_("exim_uid", EW_ALL, v_exim_uid),
    VFN_("exim_version", EW_ALL, v_exim_version),
    VCTX_("first_delivery", EW_DLV, NULL),
    VCTX_("home", EW_ADDR, NULL),
    VCTX_("host", EW_DLV, NULL),
    VCTX_("host_address", EW_DLV, NULL),
    VCTX_("host_data", EW_CONN, NULL),
    VCTX_("host_lookup_deferred", EW_CONN, "0"),
    VCTX_("host_lookup_failed", EW_CONN, "0"),
    VCTX_("host_port", EW_DLV, NULL),
    VCTX_("initial_cwd", EW_ALL, NULL),
    VCTX_("inode", EW_DLV, NULL),
    VCTX_("interface_address", EW_CONN, NULL),
    VCTX_("interface_port", EW_CONN, "0"),
    VFN_("item", EW_ITEM, v_item),
    VCTX_("local_part", EW_ADDR, NULL),
    VCTX_("local_part_data", EW_ADDR, NULL),
    VCTX_("local_part_prefix", EW_ADDR, NULL),
    VCTX_("local_part_suffix", EW_ADDR, NULL),
    VCTX_("local_scan_data", EW_MSG, NULL),
    VCTX_("local_user_gid", EW_ADDR, NULL),
    VCTX_("local_user_uid", EW_ADDR, NULL),
    VCONF_("localhost_number", EW_ALL, localhost_number),
    VCTX_("max_received_linelength", EW_MSG, "0"),
    VCTX_("message_age", EW_MSG, "0"),
    VFN_("message_body", EW_MSG, v_message_body),
    VFN_("message_body_end", EW_MSG, v_message_body_end),
    VFN_("message_body_size", EW_MSG, v_message_body_size),
    VCTX_("message_exim_id", EW_MSG, NULL),
    VFN_("message_headers", EW_MSG, v_message_headers),
    VFN_("message_headers_raw", EW_MSG, v_message_headers_raw),
    VCTX_("message_id", EW_MSG, NULL),
    VFN_("message_linecount", EW_MSG, v_message_linecount),
    VFN_("message_size", EW_MSG, v_message_size),
    VCTX_("original_domain", EW_ADDR, NULL),
    VCTX_("original_local_part", EW_ADDR, NULL),
    VFN_("originator_gid", EW_MSG, v_gid),
    VFN_("originator_uid", EW_MSG, v_uid),
    VCTX_("parent_domain", EW_ADDR, NULL),
    VCTX_("parent_local_part", EW_ADDR, NULL),
    VFN_("pid", EW_ALL, v_pid),
    VCONF_("primary_hostname", EW_ALL, primary_hostname),
    VCTX_("proxy_external_address", EW_CONN, NULL),
    VCTX_("proxy_external_port", EW_CONN, "0"),
    VCTX_("proxy_local_address", EW_CONN, NULL),
    VCTX_("proxy_local_port", EW_CONN, "0"),
    VCTX_("proxy_session", EW_CONN, "no"),
    VCONF_("qualify_domain", EW_ALL, qualify_domain),
    VCONF_("qualify_recipient", EW_ALL, qualify_recipient),
    VCTX_("queue_name", EW_MSG, NULL),
    VCTX_("rcpt_count", EW_CONN, "0"),
    VCTX_("rcpt_defer_count", EW_CONN, "0"),
    VCTX_("rcpt_fail_count", EW_CONN, "0"),
    VFN_("received_count", EW_MSG, v_received_count),
    VCTX_("received_for", EW_MSG, NULL),
    VCTX_("received_ip_address", EW_CONN, NULL),
    VCTX_("received_port", EW_CONN, "0"),
    VCTX_("received_protocol", EW_MSG, NULL),
    VCTX_("received_time", EW_MSG, "0"),
    VCTX_("recipient_data", EW_CONN, NULL),
    VCTX_("recipient_verify_failure", EW_CONN, NULL),
    VFN_("recipients", EW_MSG, v_recipients),
    VFN_("recipients_count", EW_MSG, v_recipients_count),
    VCTX_("regex_match_string", EW_MSG, NULL),
    VCTX_("reply_address", EW_MSG, NULL),
    VCTX_("return_path", EW_DLV, NULL),
    VCTX_("return_size_limit", EW_MSG, NULL),
    VCTX_("router_name", EW_ADDR, NULL),
    VFN_("runrc", EW_ALL, v_runrc),
    VCTX_("self_hostname", EW_ADDR, NULL),
    VCTX_("sender_address", EW_MSG, NULL),
    VCTX_("sender_address_data", EW_CONN, NULL),
    VFN_("sender_address_domain", EW_MSG, v_sender_domain),
    VFN_("sender_address_local_part", EW_MSG, v_sender_local_part),
    VCTX_("sender_data", EW_CONN, NULL),
    VCTX_("sender_fullhost", EW_CONN, NULL),
    VCTX_("sender_helo_dnssec", EW_CONN, "no"),
    VCTX_("sender_helo_name", EW_CONN, NULL),
    VCTX_("sender_host_address", EW_CONN, NULL),
    VCTX_("sender_host_authenticated", EW_CONN, NULL),
    VCTX_("sender_host_dnssec", EW_CONN, "no"),
    VCTX_("sender_host_name", EW_CONN, NULL),
    VCTX_("sender_host_port", EW_CONN, "0"),
    VCTX_("sender_ident", EW_CONN, NULL),
    VCTX_("sender_rate", EW_CONN, NULL),
    VCTX_("sender_rate_limit", EW_CONN, NULL),
    VCTX_("sender_rate_period", EW_CONN, NULL),
    VCTX_("sender_rcvhost", EW_CONN, NULL),
    VCTX_("sender_verify_failure", EW_CONN, NULL),
    VCTX_("sending_ip_address", EW_DLV, NULL),
    VCTX_("sending_port", EW_DLV, "0"),
    VFN_("smtp_active_hostname", EW_ALL, v_smtp_active_hostname),
    VCTX_("smtp_command", EW_CONN, NULL),
    VCTX_("smtp_command_argument", EW_CONN, NULL),
    VCTX_("smtp_command_history", EW_CONN, NULL),
    VCTX_("smtp_count_at_connection_start", EW_CONN, "0"),
    VCTX_("smtp_notquit_reason", EW_CONN, NULL),
    VCTX_("spf_header_comment", EW_CONN, NULL),
    VCTX_("spf_received", EW_CONN, NULL),
    VCTX_("spf_result", EW_CONN, NULL),
    VCTX_("spf_result_guessed", EW_CONN, "no"),
    VCTX_("spf_smtp_comment", EW_CONN, NULL),
    VCTX_("spf_used_domain", EW_CONN, NULL),
    VCONF_("spool_directory", EW_ALL, spool_directory),
    VCTX_("thisaddress", EW_ADDR, NULL),
    VCTX_("tls_bits", EW_CONN, "0"),
    VCTX_("tls_certificate_verified", EW_CONN, "0"),
    VCTX_("tls_cipher", EW_CONN, NULL),
    VCTX_("tls_in_bits", EW_CONN, "0"),
    VCTX_("tls_in_certificate_verified", EW_CONN, "0"),
    VCTX_("tls_in_cipher", EW_CONN, NULL),
    VCTX_("tls_in_cipher_std", EW_CONN, NULL),
    VCTX_("tls_in_peerdn", EW_CONN, NULL),
    VCTX_("tls_in_protocol", EW_CONN, NULL),
    VCTX_("tls_in_sni", EW_CONN, NULL),
    VCTX_("tls_in_ver", EW_CONN, NULL),
    VCTX_("tls_out_bits", EW_DLV, "0"),
    VCTX_("tls_out_certificate_verified", EW_DLV, "0"),
    VCTX_("tls_out_cipher", EW_DLV, NULL),
    VCTX_("tls_out_cipher_std", EW_DLV, NULL),
    VCTX_("tls_out_peerdn", EW_DLV, NULL),
    VCTX_("tls_out_sni", EW_DLV, NULL),
    VCTX_("tls_out_ver", EW_DLV, NULL),
    VCTX_("tls_peerdn", EW_CONN, NULL),
    VCTX_("tls_sni", EW_CONN, NULL),
    VFN_("tod_bsdinbox", EW_ALL, v_tod_bsdinbox),
    VFN_("tod_epoch", EW_ALL, v_tod_epoch),
    VFN_("tod_epoch_l", EW_ALL, v_tod_epoch_l),
    VFN_("tod_full", EW_ALL, v_tod_full),
    VFN_("tod_log", EW_ALL, v_tod_log),
    VFN_("tod_logfile", EW_ALL, v_tod_logfile),
    VFN_("tod_zone", EW_ALL, v_tod_zone),
    VFN_("tod_zulu", EW_ALL, v_tod_zulu),
    VCTX_("transport_name", EW_DLV, NULL),
    VFN_("value", EW_ITEM, v_value),
    VCTX_("verify_mode", EW_CONN, NULL),
    VFN_("version_number", EW_ALL, v_version),
    VCTX_("warn_message_delay", EW_MSG, NULL),
    VCTX_("warn_message_recipients", EW_MSG, NULL),
};

#define NVARS (sizeof(var_table) / sizeof(var_table[0]))

/* The definitions found so far, by a hash of the name, so that most
 * look-ups cost a hash and one strcmp() rather than a binary search
 * (a message looks up some 500 names). */
#define VAR_HINTS 256
static const struct var_def *var_hints[VAR_HINTS];

static const struct var_def *
var_search(const char *name)
{
    size_t lo = 0, hi = NVARS;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, var_table[mid].name);
        if (c == 0)
            return &var_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static const struct var_def *
var_find(const char *name)
{
    unsigned h = 2166136261u; /* FNV-1a */
    const struct var_def *v;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    h %= VAR_HINTS;
    if ((v = var_hints[h]) != NULL && strcmp(v->name, name) == 0)
        return v;
    if ((v = var_search(name)) != NULL)
        var_hints[h] = v;
    return v;
}

size_t expand_var_count(void);
const char *expand_var_name(size_t i, const char **where);

size_t
expand_var_count(void)
{
    return NVARS;
}

const char *
expand_var_name(size_t i, const char **where)
{
    unsigned w = var_table[i].where;

    *where = w & EW_ALL    ? "everywhere"
             : w & EW_CONN ? "connection"
             : w & EW_MSG  ? "message"
             : w & EW_ADDR ? "address"
             : w & EW_DLV  ? "delivery"
                           : "inside items";
    return var_table[i].name;
}

static const char *
kv_get(const struct expand_kv *kv, const char *name)
{
    for (; kv != NULL; kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            return kv->value;
    return NULL;
}

static void
kv_set(struct arena *a, struct expand_kv **list, const char *name,
       const char *value)
{
    struct expand_kv *kv;

    for (kv = *list; kv != NULL; kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            break;
    if (kv == NULL) {
        kv = arena_alloc(a, sizeof(*kv));
        kv->name = arena_strdup(a, name);
        kv->next = *list;
        *list = kv;
    }
    kv->value = value ? arena_strdup(a, value) : NULL;
    kv->tainted = 0;
}

/* ctx->vars has a slot for each entry of var_table (a message sets and
 * reads some 500 values), made on the first set. */
static const char *
ctx_var_get(const struct expand_ctx *ctx, const struct var_def *v)
{
    return ctx->vars != NULL ? ctx->vars[v - var_table] : NULL;
}

int
expand_set_var(struct expand_ctx *ctx, const char *name, const char *value)
{
    const struct var_def *v = var_find(name);

    if (v == NULL)
        return -1;
    if (ctx->vars == NULL)
        ctx->vars = arena_alloc(ctx->arena, NVARS * sizeof(*ctx->vars));
    ctx->vars[v - var_table] = value ? arena_strdup(ctx->arena, value) : NULL;
    return 0;
}

const char *
expand_get_var(const struct expand_ctx *ctx, const char *name)
{
    const struct var_def *v = var_find(name);

    return v != NULL ? ctx_var_get(ctx, v) : NULL;
}

int
expand_acl_var_name_ok(const char *name)
{
    if (strncmp(name, "acl_", 4) != 0 || (name[4] != 'c' && name[4] != 'm'))
        return 0;
    if (!isdigit((unsigned char)name[5]) && name[5] != '_')
        return 0;
    for (const char *p = name + 6; *p != '\0'; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 0;
    return 1;
}

int
expand_set_acl_var(struct expand_ctx *ctx, const char *name, const char *value)
{
    if (!expand_acl_var_name_ok(name))
        return -1;
    kv_set(ctx->arena, &ctx->acl_vars, name, value);
    return 0;
}

const char *
expand_get_acl_var(const struct expand_ctx *ctx, const char *name)
{
    return kv_get(ctx->acl_vars, name);
}

int
expand_set_acl_var_taint(struct expand_ctx *ctx, const char *name,
                         const char *value, int tainted)
{
    if (expand_set_acl_var(ctx, name, value) < 0)
        return -1;
    for (struct expand_kv *kv = ctx->acl_vars; kv != NULL; kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            kv->tainted = value != NULL && tainted;
    return 0;
}

int
expand_acl_var_tainted(const struct expand_ctx *ctx, const char *name)
{
    for (const struct expand_kv *kv = ctx->acl_vars; kv != NULL; kv = kv->next)
        if (strcmp(kv->name, name) == 0)
            return kv->value != NULL && kv->tainted;
    return 0;
}

/* Looks a variable up; *value is NULL for unset. Returns 0, or -1 if
 * the name is unknown. */
static int
var_value(struct exp *e, const char *name, const char **value)
{
    const struct var_def *v;

    *value = NULL;
    if (expand_acl_var_name_ok(name)) {
        *value = expand_get_acl_var(e->ctx, name);
        return 0;
    }
    if ((v = var_find(name)) == NULL)
        return -1;
    switch (v->kind) {
    case VCTX:
        *value = ctx_var_get(e->ctx, v);
        if (*value == NULL && e->ctx->host_name_lookup != NULL &&
            strcmp(name, "sender_host_name") == 0) {
            e->ctx->host_name_lookup(e->ctx);
            *value = ctx_var_get(e->ctx, v);
        }
        if (*value == NULL)
            *value = v->dflt;
        break;
    case VCONF:
        *value = *(const char *const *)((const char *)&main_config + v->off);
        break;
    case VFN: {
        gstr g;
        gstr_init(&g, e->a);
        v->fn(e, &g);
        *value = gstr_str(&g);
        break;
    }
    }
    return 0;
}

int
x_variable(struct exp *e, const char *at, const char *name, int braced,
           unsigned fl, gstr *out)
{
    const char *value;

    if (var_value(e, name, &value) < 0) {
        if (braced)
            x_error(e, at, "unknown variable in \"${%s}\"", name);
        else
            x_error(e, at, "unknown variable name \"%s\"", name);
        if (strncmp(name, "acl_", 4) == 0)
            gstr_printf(e->msg, " (%s)",
                        name[4] == 'c' || name[4] == 'm'
                            ? "6th character of a user-defined ACL variable "
                              "must be a digit or underscore"
                            : "user-defined ACL variables must start acl_c "
                              "or acl_m");
        return EXPAND_ERROR;
    }
    if ((fl & XF_SKIP) || value == NULL)
        return EXPAND_OK;
    if (*value != '\0' &&
        (expand_acl_var_name_ok(name) ? expand_acl_var_tainted(e->ctx, name)
                                      : expand_var_tainted(name)))
        x_taint_mark(e);
    return x_adds(e, out, value);
}

int
x_variable_def(struct exp *e, const char *name)
{
    const char *value;

    if (var_value(e, name, &value) < 0)
        return -1;
    return value != NULL && *value != '\0';
}
