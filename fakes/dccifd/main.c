/*++
 * NAME
 *	fake-dccifd 1
 * SUMMARY
 *	a simulated DCC interface daemon (dccifd)
 * SYNOPSIS
 *	fake-dccifd --unix PATH | --port N | --listen SPEC
 *		[--script FILE] [--state FILE] [--transcript FILE]
 *		[--fault MODE] ...
 * DESCRIPTION
 *	fake-dccifd answers an MTA's DCC client (mxlab's or Exim's) the
 *	way dccifd 2.3 does: one request per connection (options, client,
 *	HELO, sender, recipients, an empty line, the message), read until
 *	the client half-closes, then the overall result line, the
 *	per-recipient line and, as the options ask, the X-DCC header, the
 *	checksums or the whole message; then it closes. An unknown
 *	option word or an empty recipient line ends the job with no answer
 *	at all (zero bytes), as dccifd does.
 *
 *	Verdicts come from the script (rules by body or header regex,
 *	sender, client IP, recipient), a whiteclnt file, greylisting under
 *	the system clock (libfaketime's in scenarios), and bulk counts
 *	that rise with each copy of a body and with its recipients. Each
 *	request and answer goes to the transcript. See --help and
 *	docs/fakes.md.
 * DIAGNOSTICS
 *	Exit status 0 after SIGTERM, 1 for a script or set-up error, 2 for
 *	a bad command line.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/fake_buf.h"
#include "../common/fake_conn.h"
#include "../common/fake_fault.h"
#include "../common/fake_msg.h"
#include "../common/fake_opts.h"
#include "../common/fake_server.h"
#include "../common/fake_transcript.h"
#include "../common/fake_wait.h"
#include "dccifd.h"

#define DI_MAX_REQUEST (64u * 1024 * 1024)

struct di_config di_cfg = {
    .hostname = "fake-dccifd",
    .brand = "TESTBRAND",
    .server_id = "100",
    .state_path = "dccifd.state",
    .greylist = -1,
    .many = 16777200,
    .short_body = 40,
};

static struct fake_opts di_opts;

static const char di_help[] =
    "Script (--script FILE): one directive a line, # comments.\n"
    "  hostname NAME        the host name in X-DCC headers (fake-dccifd)\n"
    "  brand NAME           X-DCC-NAME-Metrics (TESTBRAND)\n"
    "  server-id ID         the server id after the host name (100)\n"
    "  greylist SECS        greylisting on, with an embargo of SECS\n"
    "  threshold N          a count of N or more is bulk and rejected (R)\n"
    "  many N               a count of N or more shows as \"many\"\n"
    "  fuz2-min BYTES       shorter bodies get no Fuz2 count (40)\n"
    "  delay MS             wait MS before every answer\n"
    "  whiteclnt FILE       ok|many env_from|env_to|ip|from VALUE lines\n"
    "  body REGEX ACTION    the first message rule that matches decides\n"
    "  header REGEX ACTION\n"
    "  sender GLOB ACTION\n"
    "  client GLOB ACTION\n"
    "  any ACTION\n"
    "  rcpt GLOB A|R|G      the letter for matching recipients\n"
    "ACTION: [delay=MS] then A, R, G, T or S, or hang, garbage, zero,\n"
    "close-mid-answer, or answer TEXT (sent as is; \\n \\r \\t \\xHH).\n"
    "--state FILE keeps counts and greylist triples (dccifd.state).\n"
    "--whiteclnt FILE is the same as the script directive.\n";

static void
set_state(void *ctx, const char *v)
{
    (void)ctx;
    di_cfg.state_path = v;
}

static const char *whiteclnt_path;

static void
set_whiteclnt(void *ctx, const char *v)
{
    (void)ctx;
    whiteclnt_path = v;
}

/* Sends the answer as the rule, or the server's fault mode, says. */
static int
di_send(struct fake_conn *c, const struct di_rule *rule,
        const struct fake_buf *wire)
{
    struct fake_action a = {FAKE_ACT_REPLY, di_cfg.delay_ms};
    enum di_action act = rule ? rule->action : DI_ACT_VERDICT;

    if (rule != NULL)
        a.delay_ms += rule->delay_ms;
    if (act == DI_ACT_HANG ||
        (act == DI_ACT_VERDICT && c->fault.mode == FAKE_FAULT_HANG)) {
        /* the client has half-closed: only time (or SIGTERM) ends this */
        fake_transcript_event(c->id, "fault: hang, no answer");
        return fake_sleep_ms(c->timeout_ms) == FAKE_WAIT_TERM ? FAKE_IO_TERM
                                                              : FAKE_IO_TIMEOUT;
    }
    if (act == DI_ACT_ZERO) {
        fake_transcript_event(c->id, "fault: closing with no answer");
        return FAKE_IO_CLOSED;
    }
    if (act == DI_ACT_GARBAGE)
        a.kind = FAKE_ACT_GARBAGE;
    else if (act == DI_ACT_CUT)
        a.kind = FAKE_ACT_CUT;
    if (act == DI_ACT_RAW) {
        if (a.delay_ms > 0 && fake_sleep_ms(a.delay_ms) == FAKE_WAIT_TERM)
            return FAKE_IO_TERM;
        fake_transcript_lines(c->id, '>', rule->raw, rule->raw_len);
        if (fake_conn_write(c, rule->raw, rule->raw_len) != FAKE_IO_OK)
            return FAKE_IO_ERROR;
        return FAKE_IO_CLOSED;
    }
    if (a.kind == FAKE_ACT_REPLY && c->fault.mode != FAKE_FAULT_GARBAGE &&
        c->fault.mode != FAKE_FAULT_CUT && c->fault.mode != FAKE_FAULT_HUGE) {
        long long delay =
            a.delay_ms +
            (c->fault.mode == FAKE_FAULT_SLOW ? c->fault.delay_ms : 0);
        if (delay > 0 && fake_sleep_ms(delay) == FAKE_WAIT_TERM)
            return FAKE_IO_TERM;
        fake_transcript_lines(c->id, '>', wire->data, wire->len);
        if (fake_conn_write(c, wire->data, wire->len) != FAKE_IO_OK)
            return FAKE_IO_ERROR;
        return FAKE_IO_CLOSED;
    }
    return fake_fault_respond(c, &a, wire->data, wire->len, "closing");
}

static int
di_session(struct fake_conn *c, void *ctx)
{
    struct di_request rq;
    struct di_answer ans;
    const struct di_rule *rule;
    struct fake_buf wire;
    int rc;

    (void)ctx;
    memset(&rq, 0, sizeof(rq));
    rc = di_request_read(c, &rq, DI_MAX_REQUEST);
    di_request_parse(&rq);
    di_request_record(c->id, &rq);
    if (rc != FAKE_IO_OK) {
        fake_transcript_event(c->id, "request not finished");
        return rc;
    }
    if (!rq.lines_ok) {
        fake_transcript_event(c->id, "incomplete request, no answer");
        return FAKE_IO_CLOSED;
    }
    if (rq.bad_option != NULL) {
        fake_transcript_event(c->id, "unrecognized option value \"%s\"",
                              rq.bad_option);
        return FAKE_IO_CLOSED;
    }
    if (rq.null_rcpt) {
        fake_transcript_event(c->id, "null recipient, no answer");
        return FAKE_IO_CLOSED;
    }
    fake_transcript_event(c->id, "request: %d recipient%s, %zu bytes",
                          rq.nrcpts, rq.nrcpts == 1 ? "" : "s", rq.msg_len);
    rule = di_rule_message(&di_cfg, &rq);
    if (rule != NULL)
        fake_transcript_event(c->id, "rule at line %d matched", rule->lineno);
    di_answer_decide(c->id, &rq, rule, &ans);
    fake_buf_init(&wire);
    di_answer_wire(&rq, &ans, &wire);
    rc = di_send(c, rule, &wire);
    fake_buf_free(&wire);
    return rc;
}

int
main(int argc, char **argv)
{
    static const struct fake_option opts[] = {
        {"state", "FILE", "counts and greylist triples (dccifd.state)",
         set_state},
        {"whiteclnt", "FILE", "a whiteclnt file", set_whiteclnt},
        {NULL, NULL, NULL, NULL},
    };
    struct fake_program prog = {
        "fake-dccifd",
        "A simulated DCC interface daemon (dccifd 2.3) with verdicts, "
        "greylisting and faults from a script.",
        opts, NULL, di_help};

    fake_msg_init(argv[0]);
    fake_opts_parse(argc, argv, &di_opts, &prog);
    di_script_load(di_opts.script, &di_cfg);
    if (whiteclnt_path != NULL)
        di_whiteclnt_load(whiteclnt_path, &di_cfg);
    /* an MTA running as its own user must reach the unix socket */
    umask(0);
    return fake_server_run(&di_opts, di_session, NULL);
}
