/*++
 * NAME
 *	dsn_info 3
 * SUMMARY
 *	DSN extra information (EXPERIMENTAL_DSN_INFO)
 * SYNOPSIS
 *	#include "deliver/dsn_info.h"
 *
 *	void	dsn_info_host(gstr *g, const struct address *a)
 *	void	dsn_info_nohost(gstr *g, const struct address *a)
 *	void	dsn_info_put_wrapped(gstr *g, const char *header,
 *			const char *text)
 * DESCRIPTION
 *	The lines a DSN_INFO build adds to each recipient block of a
 *	bounce's message/delivery-status part, after "Remote-MTA: dns;"
 *	and before "Diagnostic-Code:":
 *
 *	"Remote-MTA: X-ip; [ip]" with ":port" when the port is not 25;
 *	"X-Remote-MTA-smtp-greeting: X-str; " and the first line of the
 *	server's greeting, and "X-Remote-MTA-helo-response: X-str; " and
 *	the first line of its reply to EHLO or HELO, both only when the
 *	failure came while the connection was being set up (the smtp
 *	transport records them then) and each at most 128 characters, as
 *	Exim passes them from its transport process; "X-Exim-Diagnostic:
 *	X-str; " and the full error text when that text may be shown to
 *	the sender (ADDR_PASS_MSG, a reply from the remote server).
 *
 *	dsn_info_nohost() gives the X-Exim-Diagnostic line alone, for a
 *	failure without a host.
 *
 *	dsn_info_put_wrapped() folds as Exim's wrap_header(text, 79,
 *	1023, " ", 1): a line break (newline and one space) at each real
 *	newline and at each two-character sequence backslash-n; a line
 *	longer than 79 columns is broken at its last blank past the
 *	eleventh character, else cut at column 79; once the field has
 *	reached 1023 characters it is cut there without a marker.
 *--*/

#include <ctype.h>
#include <string.h>

#include "deliver/dsn_info.h"

#define WRAP_COLS 79
#define WRAP_MAX  1023
#define INFO_MAX  128

/* The next line break in s: its offset in *brk and its length (1 or 2)
 * as the result; 0 and the length of s when there is none. */
static size_t
next_break(const char *s, size_t *brk)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == '\n') {
            *brk = i;
            return 1;
        }
        if (s[i] == '\\' && s[i + 1] == 'n') {
            *brk = i;
            return 2;
        }
    }
    *brk = strlen(s);
    return 0;
}

void
dsn_info_put_wrapped(gstr *g, const char *header, const char *text)
{
    gstr all, out;
    const char *s;
    size_t llen = 0;

    gstr_init(&all, g->arena);
    gstr_init(&out, g->arena);
    gstr_printf(&all, "%s%s", header, text);
    s = all.s;
    while (*s != '\0') {
        size_t seg, tail = next_break(s, &seg);

        if (llen + seg > WRAP_COLS) {
            const char *u, *found = NULL;
            for (u = s + WRAP_COLS - llen; u > s + 10; u--)
                if (isspace((unsigned char)*u)) {
                    found = u;
                    break;
                }
            if (found != NULL) {
                const char *end = found;
                while (end > s + 1 && isspace((unsigned char)end[-1]))
                    end--;
                gstr_addn(&out, s, (size_t)(end - s));
                s = found + 1;
                while (*s != '\0' && isspace((unsigned char)*s))
                    s++;
            } else {
                size_t n = WRAP_COLS - llen;
                gstr_addn(&out, s, n);
                s += n;
            }
        } else {
            gstr_addn(&out, s, seg);
            s += seg + tail;
        }
        if (*s == '\0')
            break;
        if (out.len >= WRAP_MAX) {
            gstr_truncate(&out, WRAP_MAX);
            break;
        }
        gstr_adds(&out, "\n ");
        llen = 1;
    }
    gstr_addn(g, out.s, out.len);
    gstr_addc(g, '\n');
}

/* The first line of s, at most INFO_MAX characters. */
static void
put_info(gstr *g, const char *header, const char *s)
{
    gstr line;
    size_t n;

    if (s == NULL || *s == '\0')
        return;
    n = strcspn(s, "\n");
    if (n > INFO_MAX)
        n = INFO_MAX;
    gstr_init(&line, g->arena);
    gstr_addn(&line, s, n);
    dsn_info_put_wrapped(g, header, gstr_str(&line));
}

void
dsn_info_host(gstr *g, const struct address *a)
{
    const struct host_item *h = a->host_used;

    if (h->address != NULL) {
        gstr_printf(g, "Remote-MTA: X-ip; [%s]", h->address);
        if (h->port > 0 && h->port != 25)
            gstr_printf(g, ":%d", h->port);
        gstr_addc(g, '\n');
    }
    put_info(g, "X-Remote-MTA-smtp-greeting: X-str; ", a->smtp_greeting);
    put_info(g, "X-Remote-MTA-helo-response: X-str; ", a->helo_response);
    dsn_info_nohost(g, a);
}

void
dsn_info_nohost(gstr *g, const struct address *a)
{
    if ((a->flags & ADDR_PASS_MSG) && a->message != NULL &&
        a->message[0] != '\0')
        dsn_info_put_wrapped(g, "X-Exim-Diagnostic: X-str; ", a->message);
}
