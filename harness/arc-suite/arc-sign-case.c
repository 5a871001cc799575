/*++
 * NAME
 *	arc-sign-case 1
 * SUMMARY
 *	one ARC set over a message, for the test suite's signing cases
 * SYNOPSIS
 *	arc-sign-case IDENTITY SELECTOR KEY.pem TIME IP < MESSAGE
 * DESCRIPTION
 *	Reads a message (LF or CRLF lines) and writes it to standard
 *	output with the ARC set mxlab's arc_sign makes in front of it
 *	(src/arc/sign.c, the code the smtp transport uses), as
 *	"IDENTITY : SELECTOR : KEY.pem : timestamps" would with the clock
 *	at TIME and the client at IP. CRLF line ends.
 * DIAGNOSTICS
 *	Exit 0 with a set; 3 when no set was made (the reason on standard
 *	error: no Authentication-Results for IDENTITY, an incomplete
 *	incoming set); 1 when signing failed; 2 for bad arguments.
 *--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim.h"

static char *
slurp(FILE *f, struct arena *a)
{
    gstr g;
    int c, prev = 0;

    gstr_init(&g, a);
    while ((c = getc(f)) != EOF) {
        if (c == '\n' && prev != '\r')
            gstr_addc(&g, '\r');
        gstr_addc(&g, (char)c);
        prev = c;
    }
    return (char *)gstr_str(&g);
}

int
main(int argc, char **argv)
{
    struct arena *a = arena_create();
    struct arc_sign_req r = {0};
    struct dkim_body *b;
    const unsigned char *bh;
    const char *msg, *sep, *why, *p, *nl;
    size_t bhlen, hlen;
    FILE *kf;
    gstr out, err;
    int rc;

    if (argc != 6) {
        fprintf(stderr, "usage: arc-sign-case IDENTITY SELECTOR KEY.pem "
                        "TIME IP < MESSAGE\n");
        return 2;
    }
    if ((kf = fopen(argv[3], "r")) == NULL) {
        perror(argv[3]);
        return 2;
    }
    r.identity = argv[1];
    r.selector = argv[2];
    r.privkey = slurp(kf, a);
    fclose(kf);
    r.timestamps = 1;
    r.t = strtoul(argv[4], NULL, 10);
    r.remote_ip = argv[5];
    msg = slurp(stdin, a);
    sep = strstr(msg, "\r\n\r\n");
    hlen = sep ? (size_t)(sep - msg) + 2 : strlen(msg);
    b = dkim_body_new(a, DKIM_CANON_SIMPLE, DKIM_HASH_SHA256, -1);
    for (p = sep ? sep + 4 : ""; *p != '\0'; p = nl + 2) {
        if ((nl = strstr(p, "\r\n")) == NULL) {
            dkim_body_line(b, p, strlen(p));
            break;
        }
        dkim_body_line(b, p, (size_t)(nl - p));
    }
    dkim_body_finish(b, &bh, &bhlen);
    gstr_init(&out, a);
    gstr_init(&err, a);
    rc = arc_sign_set(a, &r, msg, hlen, "", 0, bh, bhlen, &out, &why, &err);
    dkim_body_free(b);
    if (rc < 0) {
        fprintf(stderr, "arc-sign-case: %s\n", gstr_str(&err));
        return 1;
    }
    if (rc == 0) {
        fprintf(stderr, "arc-sign-case: no set (%s)\n", why);
        fputs(msg, stdout);
        return 3;
    }
    fwrite(out.s, 1, out.len, stdout);
    fputs(msg, stdout);
    return 0;
}
