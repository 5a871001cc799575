/*++
 * NAME
 *	dcc_acl 3
 * SUMMARY
 *	the dcc ACL condition
 * SYNOPSIS
 *	#include "dcc/dcc.h"
 *
 *	void	dcc_acl_register(void)
 * DESCRIPTION
 *	"dcc = LIST[/defer_ok]" asks dccifd about the message, in the
 *	DATA and not-SMTP ACLs (elsewhere the configuration is refused as
 *	for any condition used in the wrong ACL). The argument is
 *	expanded; what comes before the first "/" is a colon list whose
 *	first item decides: none, "false" (any case) or "0" make the
 *	condition false without asking; anything else ("*" as a rule)
 *	asks. "/defer_ok" turns a deferral into false.
 *
 *	The request is Exim's, byte for byte: dccifd_options, then the
 *	client address ($acl_m_dcc_override_client_ip if it is not
 *	empty, else $sender_host_address, else 127.0.0.1), the line "HELO
 *	localhost" (Exim sends no real HELO name), the sender ("<>" for
 *	none), one recipient a line, an empty line, the header lines as
 *	they stand, "\r\n", and the body from the spool file.
 *
 *	The overall result maps as in Exim: A and S are true ($dcc_result
 *	"A"), R and G false ($dcc_result "R" or "G"), T defers
 *	($dcc_result "T"), anything else defers ($dcc_result "T").
 *	$dcc_header is the X-DCC header of the answer, when it has one.
 *	With dcc_direct_add_header the header, and then
 *	$acl_m_dcc_add_header as it is (an LF added if missing), are
 *	added to the message at once, so later ACL statements, the spool
 *	-H file and the delivered message all have them. Without it
 *	nothing is added: use add_header = $dcc_header.
 *
 *	An answer is asked for once per message: later dcc conditions of
 *	the same message get the same result without a new connection.
 *	Failures to reach dccifd are not remembered, so a later condition
 *	tries again, as in Exim.
 * DIAGNOSTICS
 *	Exim's log lines: "H=name [ip] F=<sender>: rejected by DCC" for R
 *	(main log); "Temporary error with DCC: ANSWER" for T; "Unknown
 *	DCC response: ANSWER" for another letter; "Wrong header from DCC,
 *	output is ANSWER" when the first line holds more than the letter
 *	(Exim writes this once per extra byte, mxlab once); "DCC: warning
 *	- invalid dccifd address: 'VALUE'"; "DCC: Couldn't shutdown
 *	socket: ERROR"; to the panic log only, "DCC: Creating UNIX (TCP)
 *	socket connection failed: ERROR" and "DCC: Connecting to UNIX
 *	(TCP) socket failed: ERROR"; main and panic log "DCC: error while
 *	opening spool file". Answers are escaped in log lines.
 *
 *	mxlab adds main-log lines where Exim defers in silence: "DCC:
 *	error writing to dccifd: ERROR", "DCC: error reading from dccifd:
 *	ERROR", "DCC: no answer from dccifd within TIME", "DCC: dccifd
 *	closed the connection without an answer" (zero bytes), "DCC:
 *	dccifd closed the connection before answering (connection reset)"
 *	(for a reset or broken pipe at whichever step),
 *	"DCC: dccifd sent no result: ANSWER" (an empty first line).
 *--*/

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "dcc/dcc.h"
#include "dcc/dcc_client.h"
#include "dcc/dcc_conf.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/receive.h"
#include "spool/envelope.h"

#define DCC_LOG_ANSWER_MAX 2048

/* The last answer, for the message with this id. A process receives
 * one message at a time, so one slot is enough. */
static struct {
    char id[64];
    int rc;
} dcc_cache;

void
dcc_session_reset(void)
{
    memset(&dcc_cache, 0, sizeof(dcc_cache));
}

static const char *
var(struct acl_call *c, const char *name)
{
    const char *v = expand_get_var(c->x, name);
    return v ? v : "";
}

/* The answer, escaped, for a log line. */
static const char *
answer_for_log(struct arena *a, const char *p, size_t n)
{
    gstr g;

    gstr_init(&g, a);
    str_printing(&g, p, n > DCC_LOG_ANSWER_MAX ? DCC_LOG_ANSWER_MAX : n);
    return gstr_str(&g);
}

/* The client line: the override, the client, or the local host. */
static const char *
request_client(struct acl_call *c)
{
    const char *v = expand_get_acl_var(c->x, "acl_m_dcc_override_client_ip");
    size_t n;

    if (v == NULL || *v == '\0')
        v = var(c, "sender_host_address");
    if (*v == '\0')
        v = "127.0.0.1";
    n = strcspn(v, "\r\n");
    if (n > 39) /* Exim keeps this much */
        n = 39;
    return arena_strndup(c->x->arena, v, n);
}

static void
request_build(struct acl_call *c, struct receive *r, gstr *head, gstr *hdrs)
{
    struct spool_msg *m = receive_msg(r);

    gstr_printf(head, "%s\n%s\nHELO localhost\n%s\n", dcc_main.dccifd_options,
                request_client(c), *m->sender ? m->sender : "<>");
    for (int i = 0; i < m->rcpt_count; i++)
        gstr_printf(head, "%s\n", m->rcpts[i].address);
    gstr_addc(head, '\n');
    for (struct spool_header *h = m->headers; h != NULL; h = h->next)
        gstr_addn(hdrs, h->text, h->len);
    gstr_addn(hdrs, "\r\n", 2);
}

/* Logs why an exchange failed, where Exim does (and where it does
 * not, in mxlab's own words). */
static void
log_io_failure(const struct dcc_addr *addr, enum dcc_io io, int e)
{
    const char *kind = addr->path ? "UNIX" : "TCP";

    /* dccifd went away under us: which step notices it first is a race
     * between its close and our writes, so all say the same. */
    if ((io == DCC_IO_WRITE || io == DCC_IO_SHUTDOWN || io == DCC_IO_READ) &&
        (e == EPIPE || e == ECONNRESET || e == ENOTCONN)) {
        log_write(LOG_MAIN, "DCC: dccifd closed the connection before "
                            "answering (connection reset)");
        return;
    }
    switch (io) {
    case DCC_IO_SOCKET:
        log_write(LOG_PANIC, "DCC: Creating %s socket connection failed: %s",
                  kind, strerror(e));
        break;
    case DCC_IO_CONNECT:
        log_write(LOG_PANIC, "DCC: Connecting to %s socket failed: %s", kind,
                  strerror(e));
        break;
    case DCC_IO_WRITE:
        log_write(LOG_MAIN, "DCC: error writing to dccifd: %s", strerror(e));
        break;
    case DCC_IO_SHUTDOWN:
        log_write(LOG_MAIN, "DCC: Couldn't shutdown socket: %s", strerror(e));
        break;
    case DCC_IO_READ:
        log_write(LOG_MAIN, "DCC: error reading from dccifd: %s", strerror(e));
        break;
    case DCC_IO_TIMEOUT:
        log_write(LOG_MAIN, "DCC: no answer from dccifd within %ds",
                  dcc_main.dccifd_timeout);
        break;
    case DCC_IO_BODY:
        log_write(LOG_MAIN | LOG_PANIC, "DCC: error while opening spool file");
        break;
    case DCC_IO_OK:
        break;
    }
}

static void
log_rejected(struct acl_call *c, struct receive *r)
{
    const char *name = var(c, "sender_host_name");
    const char *ip = expand_get_var(c->x, "sender_host_address");
    const char *sender = receive_msg(r)->sender;

    /* Exim's formatter writes NULL for a missing address (a local
     * message). */
    if (ip == NULL || *ip == '\0')
        ip = "NULL";
    if (*name)
        log_write(LOG_MAIN, "H=%s [%s] F=<%s>: rejected by DCC", name, ip,
                  sender);
    else
        log_write(LOG_MAIN, "H=[%s] F=<%s>: rejected by DCC", ip, sender);
}

/* The verdict letter as Exim maps it, with its log lines. */
static int
verdict_map(struct acl_call *c, struct receive *r, const struct dcc_answer *ans,
            const char *logged)
{
    const char *result;
    int rc;

    switch (ans->verdict) {
    case 'A':
    case 'S':
        result = "A", rc = ACL_OK;
        break;
    case 'R':
        result = "R", rc = ACL_FAIL;
        log_rejected(c, r);
        break;
    case 'G':
        result = "G", rc = ACL_FAIL;
        break;
    case 'T':
        result = "T", rc = ACL_DEFER;
        log_write(LOG_MAIN, "Temporary error with DCC: %s", logged);
        break;
    case 0:
        log_write(LOG_MAIN, "DCC: dccifd sent no result: %s", logged);
        return ACL_DEFER;
    default:
        result = "T", rc = ACL_DEFER;
        log_write(LOG_MAIN, "Unknown DCC response: %s", logged);
        break;
    }
    if (ans->line1_extra > 0)
        log_write(LOG_MAIN, "Wrong header from DCC, output is %s", logged);
    expand_set_var(c->x, "dcc_result", result);
    return rc;
}

/* dcc_direct_add_header: the header, and $acl_m_dcc_add_header. */
static void
headers_add(struct acl_call *c, struct receive *r, const char *dcc_header)
{
    const char *extra;

    if (!dcc_main.dcc_direct_add_header)
        return;
    if (dcc_header != NULL)
        receive_add_header(r, dcc_header, RECEIVE_AT_END);
    extra = expand_get_acl_var(c->x, "acl_m_dcc_add_header");
    if (extra != NULL && *extra != '\0')
        receive_add_header(r, extra, RECEIVE_AT_END);
}

static int
dcc_ask(struct acl_call *c, struct receive *r)
{
    struct arena *a = c->x->arena;
    struct dcc_addr addr;
    struct dcc_request req;
    struct dcc_answer ans;
    gstr head, hdrs, answer;
    enum dcc_io io;
    int e, rc;

    if (dcc_addr_parse(dcc_main.dccifd_address, a, &addr) < 0) {
        log_write(LOG_MAIN, "DCC: warning - invalid dccifd address: '%s'",
                  dcc_main.dccifd_address ? dcc_main.dccifd_address : "");
        return -1;
    }
    memset(&req, 0, sizeof(req));
    if ((req.body_fd = receive_body_fd(r, &req.body_off)) < 0) {
        log_write(LOG_MAIN | LOG_PANIC, "DCC: error while opening spool file");
        return -1;
    }
    gstr_init(&head, a);
    gstr_init(&hdrs, a);
    gstr_init(&answer, a);
    request_build(c, r, &head, &hdrs);
    req.head = head.s, req.head_len = head.len;
    req.headers = hdrs.s, req.headers_len = hdrs.len;
    io = dcc_client_exchange(&addr, &req, dcc_main.dccifd_timeout, &answer, &e);
    if (io != DCC_IO_OK) {
        log_io_failure(&addr, io, e);
        return -1; /* deferred, and not remembered */
    }
    if (answer.len == 0) {
        log_write(LOG_MAIN,
                  "DCC: dccifd closed the connection without an answer");
        return ACL_DEFER;
    }
    dcc_answer_parse(answer.s, answer.len, a, &ans);
    rc = verdict_map(c, r, &ans, answer_for_log(a, answer.s, answer.len));
    if (ans.header != NULL)
        expand_set_var(c->x, "dcc_header", ans.header);
    headers_add(c, r, ans.header);
    return rc;
}

/* The first item of the list before "/" says whether to ask at all. */
static int
dcc_wanted(struct acl_call *c, const char *list)
{
    struct list_iter it;
    char *first;

    list_iter_init(&it, list, ':');
    first = list_next(&it, c->x->arena);
    return first != NULL && *first != '\0' && strcasecmp(first, "false") != 0 &&
           strcmp(first, "0") != 0;
}

static int
dcc_check(struct acl_call *c, const char *list)
{
    struct receive *r = c->st->message;
    const char *id;
    int rc;

    if (!dcc_wanted(c, list))
        return ACL_FAIL;
    if (r == NULL) {
        c->log_msg = "dcc: no message to check here";
        return ACL_ERROR;
    }
    id = receive_id(r);
    if (strcmp(dcc_cache.id, id) == 0)
        return dcc_cache.rc;
    if ((rc = dcc_ask(c, r)) < 0)
        return ACL_DEFER;
    if (strlen(id) < sizeof(dcc_cache.id)) {
        memcpy(dcc_cache.id, id, strlen(id) + 1);
        dcc_cache.rc = rc;
    }
    return rc;
}

static int
dcc_eval(struct acl_call *c, const char *arg)
{
    struct list_iter it;
    char *first, *opt;
    int rc;

    list_iter_init(&it, arg, '/');
    first = list_next(&it, c->x->arena);
    rc = dcc_check(c, first ? first : "");
    while ((opt = list_next(&it, c->x->arena)) != NULL)
        if (strcasecmp(opt, "defer_ok") == 0 && rc == ACL_DEFER)
            rc = ACL_FAIL;
    return rc;
}

static const struct acl_cond_def dcc_condition = {
    "dcc", ACL_CD_EXPAND, ACL_BITS_ALL & ~ACL_BITS_HAVEDATA, NULL, dcc_eval,
};

void
dcc_acl_register(void)
{
    (void)acl_register_condition(&dcc_condition);
}
