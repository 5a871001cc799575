/*++
 * NAME
 *	result 3
 * SUMMARY
 *	the words for a DKIM outcome
 * SYNOPSIS
 *	#include "dkim/dkim.h"
 *
 *	const char *dkim_status_name(enum dkim_status st)
 *	const char *dkim_reason_name(enum dkim_reason r)
 *	void	dkim_result_text(const struct dkim_sig *s, gstr *out)
 * DESCRIPTION
 *	dkim_status_name() and dkim_reason_name() give the values of
 *	$dkim_verify_status ("none", "invalid", "fail", "pass") and
 *	$dkim_verify_reason ("pubkey_unavailable", "pubkey_dns_syntax",
 *	"pubkey_der_syntax", "pubkey_too_short", "bodyhash_mismatch",
 *	"signature_incorrect", or "" for the rest), as Exim names them.
 *
 *	dkim_result_text() appends the bracketed end of Exim's
 *	"DKIM: d=... s=..." log line: " [verification succeeded]",
 *	" [invalid - public key record (currently?) unavailable]" and so
 *	on.
 * DIAGNOSTICS
 *	None.
 *--*/

#include "dkim/dkim.h"

const char *
dkim_status_name(enum dkim_status st)
{
    switch (st) {
    case DKIM_INVALID:
        return "invalid";
    case DKIM_FAIL:
        return "fail";
    case DKIM_PASS:
        return "pass";
    default:
        return "none";
    }
}

const char *
dkim_reason_name(enum dkim_reason r)
{
    switch (r) {
    case DKIM_R_PUBKEY_UNAVAILABLE:
        return "pubkey_unavailable";
    case DKIM_R_PUBKEY_DNSRECORD:
        return "pubkey_dns_syntax";
    case DKIM_R_PUBKEY_IMPORT:
        return "pubkey_der_syntax";
    case DKIM_R_PUBKEY_KEYSIZE:
        return "pubkey_too_short";
    case DKIM_R_FAIL_BODY:
        return "bodyhash_mismatch";
    case DKIM_R_FAIL_MESSAGE:
        return "signature_incorrect";
    default:
        return "";
    }
}

static const char *
invalid_text(enum dkim_reason r)
{
    switch (r) {
    case DKIM_R_PUBKEY_UNAVAILABLE:
        return "public key record (currently?) unavailable";
    case DKIM_R_BUFFER_SIZE:
        return "overlong public key record";
    case DKIM_R_PUBKEY_DNSRECORD:
    case DKIM_R_PUBKEY_IMPORT:
        return "syntax error in public key record";
    case DKIM_R_SIGNATURE_ERROR:
        return "signature tag missing or invalid";
    case DKIM_R_DKIM_VERSION:
        return "unsupported DKIM version";
    default:
        return "unspecified problem";
    }
}

static const char *
fail_text(enum dkim_reason r)
{
    switch (r) {
    case DKIM_R_FAIL_BODY:
        return "body hash mismatch (body probably modified in transit)";
    case DKIM_R_FAIL_MESSAGE:
        return "signature did not verify (headers probably modified in "
               "transit)";
    case DKIM_R_PUBKEY_KEYSIZE:
        return "signature invalid (key too short)";
    default:
        return "unspecified reason";
    }
}

void
dkim_result_text(const struct dkim_sig *s, gstr *out)
{
    switch (s->status) {
    case DKIM_INVALID:
        gstr_printf(out, " [invalid - %s]", invalid_text(s->reason));
        break;
    case DKIM_FAIL:
        gstr_printf(out, " [verification failed - %s]", fail_text(s->reason));
        break;
    case DKIM_PASS:
        gstr_adds(out, " [verification succeeded]");
        break;
    default:
        gstr_adds(out, " [not verified]");
        break;
    }
}
