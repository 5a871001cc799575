/*
 * NAME
 *	report-xml - text made safe for XML and HTML
 * SYNOPSIS
 *	#include "report.h"
 *
 *	void	report_xml_escape(struct buf *out, const char *s,
 *				size_t len);
 *	void	report_xml_escape_str(struct buf *out, const char *s);
 * DESCRIPTION
 *	report_xml_escape() appends s to out as XML 1.0 character data
 *	that is also safe in an attribute value: & < > " ' become entity
 *	references; tab and newline stay; every other control character,
 *	and every byte that is not part of a well-formed UTF-8 sequence,
 *	becomes the text \xHH, so that what a peer sent can never make
 *	the document invalid or inject markup.
 *
 *	report_xml_escape_str() does the same for a C string (NULL adds
 *	nothing).
 * DIAGNOSTICS
 *	None.
 */

#include <string.h>

#include "report.h"

/* The length of the well-formed UTF-8 sequence at s, or 0. */
static size_t
report_utf8_len(const unsigned char *s, size_t left)
{
    size_t n;
    unsigned long cp;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n > left)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) ||
                    cp == 0xfffe || cp == 0xffff)) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

void
report_xml_escape(struct buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;

    while (p < end) {
        size_t n;

        switch (*p) {
        case '&':
            buf_puts(out, "&amp;");
            break;
        case '<':
            buf_puts(out, "&lt;");
            break;
        case '>':
            buf_puts(out, "&gt;");
            break;
        case '"':
            buf_puts(out, "&quot;");
            break;
        case '\'':
            buf_puts(out, "&#39;");
            break;
        case '\t':
        case '\n':
            buf_putc(out, *p);
            break;
        default:
            if (*p >= 0x20 && *p < 0x7f) {
                buf_putc(out, *p);
            } else if (*p >= 0x80 &&
                       (n = report_utf8_len(p, (size_t)(end - p))) > 0) {
                buf_add(out, p, n);
                p += n;
                continue;
            } else {
                buf_printf(out, "\\x%02x", *p);
            }
        }
        p++;
    }
}

void
report_xml_escape_str(struct buf *out, const char *s)
{
    if (s != NULL)
        report_xml_escape(out, s, strlen(s));
}
