/*++
 * NAME
 *	sign_transport 3
 * SUMMARY
 *	arc_sign on the smtp transport
 * SYNOPSIS
 *	#include "arc/arc_sign.h"
 *
 *	int	arc_transport_wanted(const struct transport_call *c)
 *	int	arc_transport_sign(struct transport_call *c, int fd,
 *			gstr *sigs, gstr *err)
 * DESCRIPTION
 *	arc_transport_wanted() is true when arc_sign is set (before
 *	expansion, as Exim decides; a transport with arc_sign is never
 *	used for cutthrough delivery, which mxlab does not do at all).
 *
 *	arc_transport_sign() expands arc_sign for the message; unset,
 *	empty or a forced failure: no signing. Otherwise it parses the
 *	value (sign_spec.c), reads the key file when the key starts with
 *	"/", hashes the body of the message in fd (as it will be sent)
 *	and builds the ARC set (sign.c) over the header section and the
 *	DKIM-Signature fields already in sigs. The set goes in front of
 *	them: ARC-Seal, ARC-Authentication-Results, ARC-Message-Signature,
 *	DKIM-Signature, then the message.
 * DIAGNOSTICS
 *	Lines in the main log, with the message id, in Exim's words; the
 *	message is then sent without an ARC set, as Exim sends it:
 *	"ARC: bad signing-specification (identity|selector|privkey)",
 *	"unable to open file for reading: FILE" (also to the panic log),
 *	"ARC: no Authentication-Results header for signing",
 *	"ARC: AMS signing: privkey PEM-block import: ..." (Exim's text
 *	ends in a newline, which puts an empty line in its log; mxlab
 *	does not write that). mxlab's own:
 *	"ARC: unknown signing option(s) ignored: LIST" (Exim ignores them
 *	without a word; the set is still made), "ARC: incoming chain has
 *	an incomplete set; not signing" (Exim is silent).
 *
 *	An expansion error returns -1 with "failed to expand arc_sign" in
 *	err: the delivery defers, as in Exim.
 *--*/

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arc/arc_conf.h"
#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim.h"
#include "dkim/dkim_transport.h"
#include "expand/expand.h"
#include "log/log.h"
#include "spool/envelope.h"
#include "transport/tpcall.h"

static const struct arc_transport *
opts(const struct transport_call *c)
{
    return driver_ext_block(c->tp, &arc_transport_ext);
}

int
arc_transport_wanted(const struct transport_call *c)
{
    const struct arc_transport *o = opts(c);

    return o != NULL && o->arc_sign != NULL;
}

/* The header section into hdrs, the body into the hash. */
static int
read_message(struct transport_call *c, int fd, gstr *hdrs,
             struct dkim_body *body)
{
    char buf[16384];
    int in_headers = 1;
    ssize_t n;
    gstr line;

    gstr_init(&line, c->arena);
    if (lseek(fd, 0, SEEK_SET) < 0)
        return -1;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                gstr_addc(&line, buf[i]);
                continue;
            }
            if (line.len > 0 && line.s[line.len - 1] == '\r')
                line.len--;
            if (in_headers) {
                if (line.len == 0)
                    in_headers = 0;
                else {
                    gstr_addn(hdrs, line.s, line.len);
                    gstr_adds(hdrs, "\r\n");
                }
            } else
                dkim_body_line(body, line.s ? line.s : "", line.len);
            gstr_truncate(&line, 0);
        }
    if (line.len > 0 && !in_headers)
        dkim_body_line(body, line.s, line.len);
    return n < 0 ? -1 : 0;
}

static void
sign_message(struct transport_call *c, struct arc_sign_req *r, int fd,
             gstr *sigs)
{
    struct dkim_body *body =
        dkim_body_new(c->arena, DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, -1);
    const unsigned char *bh;
    const char *why;
    size_t bhlen;
    gstr hdrs, set, err;
    int rc;

    gstr_init(&hdrs, c->arena);
    gstr_init(&set, c->arena);
    gstr_init(&err, c->arena);
    if (read_message(c, fd, &hdrs, body) < 0) {
        transport_log(c, LOG_MAIN, "ARC: error reading the message: %s",
                      strerror(errno));
        dkim_body_free(body);
        return;
    }
    dkim_body_finish(body, &bh, &bhlen);
    r->remote_ip = c->msg->m->host_address;
    rc = arc_sign_set(c->arena, r, hdrs.s ? hdrs.s : "", hdrs.len,
                      sigs->s ? sigs->s : "", sigs->len, bh, bhlen, &set, &why,
                      &err);
    dkim_body_free(body);
    if (rc < 0)
        transport_log(c, LOG_MAIN, "ARC: %s", gstr_str(&err));
    else if (rc == 0 && strcmp(why, "noar") == 0)
        transport_log(c, LOG_MAIN,
                      "ARC: no Authentication-Results header for signing");
    else if (rc == 0)
        transport_log(c, LOG_MAIN,
                      "ARC: incoming chain has an incomplete set; not signing");
    else {
        gstr_addn(&set, sigs->s, sigs->len);
        gstr_truncate(sigs, 0);
        gstr_addn(sigs, set.s, set.len);
    }
}

int
arc_transport_sign(struct transport_call *c, int fd, gstr *sigs, gstr *err)
{
    const struct arc_transport *o = opts(c);
    struct arc_sign_req r;
    const char *what, *unknown;
    char *spec;
    gstr kerr;
    int rc;

    if (o == NULL || o->arc_sign == NULL)
        return 0;
    rc = expand_string(c->x, o->arc_sign, &spec, NULL);
    if (rc == EXPAND_FAIL)
        return 0;
    if (rc != EXPAND_OK) {
        int e = errno; /* Exim's log shows it */
        gstr_adds(err, "failed to expand arc_sign");
        errno = e;
        return -1;
    }
    rc = arc_sign_spec_parse(c->arena, spec, (unsigned long)time(NULL), &r,
                             &what, &unknown);
    if (rc == 0)
        return 0;
    if (rc < 0) {
        transport_log(c, LOG_MAIN, "ARC: bad signing-specification (%s)", what);
        return 0;
    }
    if (unknown != NULL)
        transport_log(c, LOG_MAIN, "ARC: unknown signing option(s) ignored: %s",
                      unknown);
    gstr_init(&kerr, c->arena);
    if (r.privkey[0] == '/' &&
        (r.privkey = dkim_key_file(c, r.privkey, &kerr)) == NULL)
        return 0;
    sign_message(c, &r, fd, sigs);
    return 0;
}
