/*++
 * NAME
 *	bmi_scan 3
 * SUMMARY
 *	one Brightmail scan per message, just before it is accepted
 * SYNOPSIS
 *	#include "bmi/bmi_scan.h"
 *
 *	void	bmi_scan(struct receive *r, const struct acl_state *st)
 * DESCRIPTION
 *	When an ACL obeyed "control = bmi_run" for the message, bmi_scan()
 *	passes it to the BMI server through the client SDK's calls, in
 *	the order Exim makes them: bmiInitSystem() with bmi_config_file,
 *	bmiInitMessage(), the client's address (127.0.0.1 for a local
 *	message), the envelope sender, each recipient with its opt-in
 *	strings (bmi_acl(3)), the header lines (deleted ones left out),
 *	the body as the -D file holds it, in pieces of 4096 bytes, and
 *	bmiEndMessage(). The verdicts that come back are joined with
 *	colons and kept in the envelope's bmi_verdicts, which the -H file
 *	stores as Exim does ("--bmi_verdicts", tainted), so that every
 *	later delivery attempt, -M, and a queuefile copy see them.
 * DIAGNOSTICS
 *	As in Exim, a failing call ends the scan and the message is
 *	accepted without verdicts (delivered as if BMI had never seen
 *	it); the panic log says which call failed, with the SDK's error
 *	location and type: "bmi error [loc L type T]: could not
 *	initialize Brightmail system.", "... could not initialize
 *	Brightmail message.", "... bmiProcessConnection() failed (IP
 *	A).", "... bmiProcessFROM() failed (address S).", "...
 *	bmiAccumulateTO() failed (address R).", "... bmiEndTO()
 *	failed.", "... bmiAccumulateHeaders() failed.", "...
 *	bmiEndHeaders() failed.", "... bmiAccumulateBody() failed.",
 *	"... bmiEndBody() failed.", "... bmiEndMessage() failed.". An
 *	opt-in list the SDK refuses is logged to the main and panic logs
 *	("bmi warning: [loc L type T]: bmiOptinMSet() failed (address
 *	'R', string 'S').") and the recipient goes without opt-in.
 *	Addresses are logged with non-printing bytes escaped.
 *--*/

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "bmi/bmi_acl.h"
#include "bmi/bmi_conf.h"
#include "bmi/bmi_scan.h"
#include "bmi/sdk/bmi_api.h"
#include "log/log.h"
#include "receive/receive.h"
#include "spool/envelope.h"

struct scan {
    struct arena *a;
    struct receive *r;
    struct spool_msg *m;
    const struct acl_state *st;
    BmiSystem *sys;
    BmiMessage *msg;
};

static const char *
shown(struct arena *a, const char *s)
{
    gstr g;

    gstr_init(&g, a);
    str_printing(&g, s ? s : "", s ? strlen(s) : 0);
    return gstr_str(&g);
}

/* Logs a failed call (what: the rest of Exim's line) and ends the scan:
 * returns -1 when err is fatal, else 0. */
static int
failed(struct scan *s, BmiError err, const char *what)
{
    (void)s;
    if (bmiErrorIsFatal(err) != BMI_TRUE)
        return 0;
    log_write(LOG_PANIC, "bmi error [loc %d type %d]: %s",
              (int)bmiErrorGetLocation(err), (int)bmiErrorGetType(err), what);
    return -1;
}

static int
send_recipients(struct scan *s)
{
    for (int i = 0; i < s->m->rcpt_count; i++) {
        const char *addr = s->m->rcpts[i].address;
        const char *list = bmi_acl_optin(s->st, addr);
        BmiOptin *optin = NULL;
        BmiError err;

        if (list != NULL && strlen(list) > 1) {
            bmiOptinInit(&optin);
            err = bmiOptinMset(optin, list, ':');
            if (bmiErrorIsFatal(err) == BMI_TRUE) {
                log_write(LOG_PANIC | LOG_MAIN,
                          "bmi warning: [loc %d type %d]: bmiOptinMSet() "
                          "failed (address '%s', string '%s').",
                          (int)bmiErrorGetLocation(err),
                          (int)bmiErrorGetType(err), shown(s->a, addr),
                          shown(s->a, list));
                bmiOptinFree(optin);
                optin = NULL;
            }
        }
        err = bmiAccumulateTO((char *)addr, optin, s->msg);
        bmiOptinFree(optin);
        if (failed(s, err,
                   arena_printf(s->a, "bmiAccumulateTO() failed (address %s).",
                                shown(s->a, addr))) < 0)
            return -1;
    }
    return failed(s, bmiEndTO(s->msg), "bmiEndTO() failed.");
}

static int
send_headers(struct scan *s)
{
    for (const struct spool_header *h = s->m->headers; h != NULL; h = h->next)
        if (h->type != '*' &&
            failed(s, bmiAccumulateHeaders(h->text, (int)h->len, s->msg),
                   "bmiAccumulateHeaders() failed.") < 0)
            return -1;
    return failed(s, bmiEndHeaders(s->msg), "bmiEndHeaders() failed.");
}

static int
send_body(struct scan *s)
{
    char buf[4096];
    off_t off;
    int fd = receive_body_fd(s->r, &off);

    while (fd >= 0) {
        ssize_t n = pread(fd, buf, sizeof(buf), off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the end; or a spool problem the commit reports */
        if (failed(s, bmiAccumulateBody(buf, (int)n, s->msg),
                   "bmiAccumulateBody() failed.") < 0)
            return -1;
        off += n;
    }
    return failed(s, bmiEndBody(s->msg), "bmiEndBody() failed.");
}

static void
keep_verdicts(struct scan *s)
{
    const BmiVerdict *v = NULL;
    gstr all;

    gstr_init(&all, s->m->arena);
    for (bmiAccessFirstVerdict(s->msg, &v); v != NULL;
         bmiAccessNextVerdict(s->msg, v, &v)) {
        char *str = NULL;
        if (bmiErrorIsFatal(bmiCreateStrFromVerdict(v, &str)) == BMI_TRUE ||
            str == NULL)
            continue;
        if (all.len > 0)
            gstr_addc(&all, ':');
        gstr_adds(&all, str);
        bmiFreeStr(str);
    }
    if (all.len > 0) {
        s->m->bmi_verdicts = (char *)gstr_str(&all);
        s->m->tainted |= SPOOL_TAINT(SPOOL_F_BMI_VERDICTS);
    }
}

static int
run(struct scan *s)
{
    const char *ip = s->m->host_address ? s->m->host_address : "127.0.0.1";

    if (failed(s, bmiInitSystem(BMI_VERSION, bmi_main.bmi_config_file, &s->sys),
               "could not initialize Brightmail system.") < 0)
        return -1;
    if (failed(s, bmiInitMessage(s->sys, &s->msg),
               "could not initialize Brightmail message.") < 0)
        return -1;
    if (failed(s, bmiProcessConnection((char *)ip, s->msg),
               arena_printf(s->a, "bmiProcessConnection() failed (IP %s).",
                            shown(s->a, ip))) < 0)
        return -1;
    if (failed(s, bmiProcessFROM(s->m->sender, s->msg),
               arena_printf(s->a, "bmiProcessFROM() failed (address %s).",
                            shown(s->a, s->m->sender))) < 0)
        return -1;
    if (send_recipients(s) < 0 || send_headers(s) < 0 || send_body(s) < 0)
        return -1;
    if (failed(s, bmiEndMessage(s->msg), "bmiEndMessage() failed.") < 0)
        return -1;
    keep_verdicts(s);
    return 0;
}

void
bmi_scan(struct receive *r, const struct acl_state *st)
{
    struct scan s;

    if (st == NULL || !bmi_acl_run_set(st))
        return;
    memset(&s, 0, sizeof(s));
    s.r = r;
    s.m = receive_msg(r);
    s.a = s.m->arena;
    s.st = st;
    (void)run(&s);
    bmiFreeMessage(s.msg);
    bmiFreeSystem(s.sys);
}
