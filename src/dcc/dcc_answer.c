/*++
 * NAME
 *	dcc_answer 3
 * SUMMARY
 *	reading a dccifd answer
 * SYNOPSIS
 *	#include "dcc/dcc.h"
 *
 *	void	dcc_answer_parse(const char *buf, size_t len,
 *				struct arena *a, struct dcc_answer *ans)
 * DESCRIPTION
 *	A dccifd answer is an overall result line (one letter), a line
 *	with one letter per recipient, then what the options line asked
 *	for: with "header" the X-DCC header and an empty line, with "body"
 *	the whole message, with neither nothing at all.
 *
 *	dcc_answer_parse() reads the whole answer as Exim's client reads
 *	it: the verdict is the first byte; every further byte on the first
 *	line is counted in line1_extra (Exim logs "Wrong header from DCC"
 *	for each); the second line is kept for the curious; the rest, with
 *	a final pair of LFs dropped and cut to DCC_HEADER_LIMIT bytes, is
 *	the header, kept only if it starts with "X-DCC". One LF ends it.
 *
 *	Unlike Exim, mxlab reads the answer to its end before looking at
 *	it, so an answer that arrives in several pieces reads the same as
 *	one that arrives at once; and the header is made safe to add to a
 *	message: bytes that are neither printable ASCII nor TAB become
 *	"?", a line that does not start with a blank is indented with a
 *	TAB (so dccifd cannot start a header of its own), empty lines are
 *	dropped.
 * DIAGNOSTICS
 *	None: whatever the bytes, the fields say what was there (verdict 0
 *	for an empty answer).
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dcc/dcc.h"

/* The header part as Exim keeps it: up to the limit, one LF added. */
static void
answer_trailer(const char *p, size_t n, gstr *out)
{
    if (n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\n')
        n -= 2;
    if (n > DCC_HEADER_LIMIT)
        n = DCC_HEADER_LIMIT;
    gstr_addn(out, p, n);
    gstr_addc(out, '\n');
}

/* A copy of the header that is one well-formed header field. */
static const char *
answer_clean_header(const char *h, size_t n, struct arena *a)
{
    gstr g;
    int bol = 1;

    gstr_init(&g, a);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];

        if (ch == '\n') {
            if (!bol)
                gstr_addc(&g, '\n');
            bol = 1;
            continue;
        }
        if (bol && g.len > 0 && ch != ' ' && ch != '\t')
            gstr_addc(&g, '\t');
        bol = 0;
        gstr_addc(&g,
                  (ch == '\t' || (ch >= 0x20 && ch < 0x7f)) ? (char)ch : '?');
    }
    if (g.len == 0 || g.s[g.len - 1] != '\n')
        gstr_addc(&g, '\n');
    return gstr_str(&g);
}

void
dcc_answer_parse(const char *buf, size_t len, struct arena *a,
                 struct dcc_answer *ans)
{
    const char *end = buf + len, *p = buf, *nl;
    gstr trailer;

    memset(ans, 0, sizeof(*ans));
    ans->rcpts = "";
    if (len == 0)
        return;
    ans->verdict = buf[0] == '\n' ? 0 : buf[0];
    nl = memchr(p, '\n', len);
    ans->line1_extra = (int)((nl ? nl : end) - p) - (ans->verdict ? 1 : 0);
    if (nl == NULL)
        return;
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    ans->rcpts = arena_strndup(a, p, (size_t)((nl ? nl : end) - p));
    ans->rcpts_len = strlen(ans->rcpts);
    if (nl == NULL)
        return;
    p = nl + 1;
    gstr_init(&trailer, a);
    answer_trailer(p, (size_t)(end - p), &trailer);
    if (trailer.len >= 5 && memcmp(trailer.s, "X-DCC", 5) == 0)
        ans->header = answer_clean_header(trailer.s, trailer.len, a);
}
