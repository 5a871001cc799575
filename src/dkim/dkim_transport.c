/*++
 * NAME
 *	dkim_transport 3
 * SUMMARY
 *	DKIM signing on the smtp transport
 * SYNOPSIS
 *	#include "dkim/dkim_transport.h"
 *
 *	extern const struct driver_ext dkim_transport_ext;
 *	int	dkim_transport_wanted(const struct transport_call *c)
 *	int	dkim_transport_sign(struct transport_call *c, int fd,
 *				gstr *sigs, const char **used, gstr *err)
 * DESCRIPTION
 *	The smtp transport's options, with Exim's names and defaults:
 *	dkim_domain, dkim_selector, dkim_private_key, dkim_canon
 *	(relaxed), dkim_sign_headers (Exim's default list), dkim_strict,
 *	dkim_hash (sha256), dkim_identity, dkim_timestamps; all expanded
 *	for each message.
 *
 *	dkim_domain is a list; each item (lower-cased; one listed twice
 *	signs twice, as in Exim) sets
 *	$dkim_domain, and dkim_selector, expanded then, is a list whose
 *	each item sets $dkim_selector and gives one signature, with the
 *	other options expanded for it. A dkim_private_key that expands to
 *	"", "0" or "false" skips that signature without error; one that
 *	starts with "/" is a file holding the PEM key. dkim_canon applies
 *	to header and body; an unknown value is logged and relaxed used.
 *	dkim_timestamps adds t= (now) and, when it is a number above 0,
 *	x= that many seconds later.
 * DIAGNOSTICS
 *	A failure (an expansion, a key that cannot be read or imported, an
 *	unknown hash) is logged to the main and panic logs in Exim's
 *	words ("failed to expand dkim_domain: ...", "unable to open file
 *	for reading: FILE", "signing_init: privkey PEM-block import: ...",
 *	"DKIM: unrecognised hashname 'x'"). Then, when dkim_strict expands
 *	to "1" or "true", "DKIM: message could not be signed, and
 *	dkim_strict is set. Deferring message delivery." is logged and the
 *	delivery defers; otherwise the message goes unsigned.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "dkim/dkim.h"
#include "dkim/dkim_sign.h"
#include "dkim/dkim_transport.h"
#include "expand/expand.h"
#include "log/log.h"
#include "spool/envelope.h"
#include "transport/tpcall.h"

#define OFF(f) offsetof(struct dkim_transport, f)

static const struct opt_def dkim_transport_defs[] = {
    {"dkim_canon", OPT_EXPANDED, OFF(dkim_canon), 0},
    {"dkim_domain", OPT_EXPANDED, OFF(dkim_domain), 0},
    {"dkim_hash", OPT_EXPANDED, OFF(dkim_hash), 0},
    {"dkim_identity", OPT_EXPANDED, OFF(dkim_identity), 0},
    {"dkim_private_key", OPT_EXPANDED, OFF(dkim_private_key), 0},
    {"dkim_selector", OPT_EXPANDED, OFF(dkim_selector), 0},
    {"dkim_sign_headers", OPT_EXPANDED, OFF(dkim_sign_headers), 0},
    {"dkim_strict", OPT_EXPANDED, OFF(dkim_strict), 0},
    {"dkim_timestamps", OPT_EXPANDED, OFF(dkim_timestamps), 0},
};

static const struct dkim_transport dkim_transport_defaults = {
    .dkim_hash = "sha256",
};

const struct driver_ext dkim_transport_ext = {
    OPT_TABLE("dkim", dkim_transport_defs, struct dkim_transport,
              &dkim_transport_defaults),
    "smtp",
};

static const struct dkim_transport *
opts(const struct transport_call *c)
{
    return driver_ext_block(c->tp, &dkim_transport_ext);
}

int
dkim_transport_wanted(const struct transport_call *c)
{
    const struct dkim_transport *o = opts(c);

    return o != NULL && o->dkim_private_key && o->dkim_domain &&
           o->dkim_selector;
}

/* Expands an option; on failure logs Exim's line and returns -1. */
static int
dk_expand(struct transport_call *c, const char *name, const char *in,
          char **out, gstr *err)
{
    gstr e;

    gstr_init(&e, c->arena);
    if (expand_string(c->x, in, out, &e) == EXPAND_OK)
        return 0;
    gstr_printf(err, "failed to expand %s: %s", name, gstr_str(&e));
    transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
    return -1;
}

char *
dkim_key_file(struct transport_call *c, const char *path, gstr *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    gstr g;
    char buf[4096];
    ssize_t n;

    if (fd < 0) {
        gstr_printf(err, "unable to open file for reading: %s", path);
        transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
        return NULL;
    }
    gstr_init(&g, c->arena);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        gstr_addn(&g, buf, (size_t)n);
    close(fd);
    if (n < 0) {
        gstr_printf(err, "unable to read file: %s", path);
        transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
        return NULL;
    }
    return (char *)gstr_str(&g);
}

/* The request for the current $dkim_domain and $dkim_selector: 1 to
 * sign, 0 to skip (empty key), -1 on failure. */
static int
one_request(struct transport_call *c, const struct dkim_transport *o,
            struct dkim_sign_req *r, gstr *err)
{
    char *canon = "relaxed", *key, *hash, *id = NULL, *ts = NULL, *hdrs = NULL;

    if (o->dkim_canon &&
        dk_expand(c, "dkim_canon", o->dkim_canon, &canon, err) < 0)
        return -1;
    if (strcmp(canon, "relaxed") == 0)
        r->canon = DKIM_CANON_RELAXED;
    else if (strcmp(canon, "simple") == 0)
        r->canon = DKIM_CANON_SIMPLE;
    else {
        transport_log(c, LOG_MAIN,
                      "DKIM: unknown canonicalization method '%s', defaulting "
                      "to 'relaxed'.",
                      canon);
        r->canon = DKIM_CANON_RELAXED;
    }
    if (o->dkim_sign_headers &&
        dk_expand(c, "dkim_sign_header", o->dkim_sign_headers, &hdrs, err) < 0)
        return -1;
    r->sign_headers = hdrs;
    if (dk_expand(c, "dkim_private_key", o->dkim_private_key, &key, err) < 0)
        return -1;
    if (key[0] == '\0' || strcmp(key, "0") == 0 || strcmp(key, "false") == 0)
        return 0;
    if (key[0] == '/' && (key = dkim_key_file(c, key, err)) == NULL)
        return -1;
    r->privkey = key;
    if (dk_expand(c, "dkim_hash", o->dkim_hash, &hash, err) < 0)
        return -1;
    r->hash_name = hash;
    r->hash = dkim_hash_by_name(hash);
    if (o->dkim_identity &&
        dk_expand(c, "dkim_identity", o->dkim_identity, &id, err) < 0)
        return -1;
    r->identity = id && *id ? id : NULL;
    if (o->dkim_timestamps) {
        if (dk_expand(c, "dkim_timestamps", o->dkim_timestamps, &ts, err) < 0)
            return -1;
        r->created = (unsigned long)time(NULL);
        r->expires = strtoul(ts, NULL, 10);
        if (r->expires > 0)
            r->expires += r->created;
    }
    return 1;
}

/* Every domain and selector: the requests added to g. */
static int
add_requests(struct transport_call *c, const struct dkim_transport *o,
             struct dkim_signer *g, gstr *used, gstr *err)
{
    struct list_iter dit, sit;
    char *domains, *sels, *dom, *sel;

    if (dk_expand(c, "dkim_domain", o->dkim_domain, &domains, err) < 0)
        return -1;
    list_iter_init(&dit, domains, ':');
    /* A domain listed twice signs twice, as in Exim (whose check for a
     * domain already seen never matches) and as its specification
     * reads: each element in turn. */
    while ((dom = list_next(&dit, c->arena)) != NULL) {
        if (*dom == '\0')
            continue;
        for (char *p = dom; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        expand_set_var(c->x, "dkim_domain", dom);
        if (dk_expand(c, "dkim_selector", o->dkim_selector, &sels, err) < 0)
            return -1;
        list_iter_init(&sit, sels, ':');
        while ((sel = list_next(&sit, c->arena)) != NULL) {
            struct dkim_sign_req r;
            int rc;
            memset(&r, 0, sizeof(r));
            expand_set_var(c->x, "dkim_selector", sel);
            if ((rc = one_request(c, o, &r, err)) < 0)
                return -1;
            if (rc == 0)
                continue;
            r.domain = dom;
            r.selector = sel;
            if (dkim_signer_add(g, &r, err) < 0) {
                transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
                if (r.hash >= 0) /* the key: Exim's second line */
                    transport_log(c, LOG_MAIN | LOG_PANIC,
                                  "DKIM: signing failed: PRIVKEY");
                return -1;
            }
            list_append(used, ':', dom);
            list_append(used, ':', sel);
        }
    }
    return 0;
}

/* The message, line by line, into the signer. */
static int
feed(struct dkim_signer *g, int fd, struct arena *a)
{
    char buf[16384];
    gstr line;
    ssize_t n;

    gstr_init(&line, a);
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
            dkim_signer_line(g, line.s ? line.s : "", line.len);
            gstr_truncate(&line, 0);
        }
    if (line.len > 0)
        dkim_signer_line(g, line.s, line.len);
    return n < 0 ? -1 : 0;
}

static int
strict(struct transport_call *c, const struct dkim_transport *o)
{
    char *v;

    if (o->dkim_strict == NULL ||
        expand_string(c->x, o->dkim_strict, &v, NULL) != EXPAND_OK)
        return 0;
    if (strcasecmp(v, "1") != 0 && strcasecmp(v, "true") != 0)
        return 0;
    transport_log(c, LOG_MAIN,
                  "DKIM: message could not be signed, and dkim_strict "
                  "is set. Deferring message delivery.");
    return 1;
}

int
dkim_transport_sign(struct transport_call *c, int fd, gstr *sigs,
                    const char **used, gstr *err)
{
    const struct dkim_transport *o = opts(c);
    struct dkim_signer *g = dkim_signer_new(c->arena);
    gstr u;
    int rc;

    *used = NULL;
    gstr_init(&u, c->arena);
    rc = add_requests(c, o, g, &u, err);
    if (rc == 0 && u.len > 0) {
        if (feed(g, fd, c->arena) < 0) {
            gstr_printf(err, "DKIM: Error reading the message: %s",
                        strerror(errno));
            transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
            rc = -1;
        } else if (dkim_signer_finish(g, sigs, err) < 0) {
            transport_log(c, LOG_MAIN | LOG_PANIC, "%s", gstr_str(err));
            transport_log(c, LOG_MAIN | LOG_PANIC,
                          "DKIM: signing failed: SIGNING");
            rc = -1;
        }
    }
    dkim_signer_free(g);
    if (rc == 0) {
        *used = u.len ? gstr_str(&u) : NULL;
        return 0;
    }
    gstr_truncate(sigs, 0);
    return strict(c, o) ? -1 : 0;
}
