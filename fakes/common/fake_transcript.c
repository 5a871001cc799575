/*++
 * NAME
 *	fake_transcript 3
 * SUMMARY
 *	the record of everything a fake received and sent
 * SYNOPSIS
 *	#include "fake_transcript.h"
 *
 *	void	fake_transcript_open(const char *path)
 *	void	fake_transcript_line(unsigned long conn, int dir,
 *				const char *data, size_t len)
 *	void	fake_transcript_lines(unsigned long conn, int dir,
 *				const char *data, size_t len)
 *	void	fake_transcript_event(unsigned long conn,
 *				const char *fmt, ...)
 * DESCRIPTION
 *	The transcript is a text file that scenarios compare with a golden
 *	copy, so its content depends only on what the peers did: no times,
 *	no pids. Each line is the connection number (1 for the first
 *	connection the fake accepted), a direction character and a blank:
 *
 *	    1* connection from [127.0.0.1]:43210
 *	    1> 220 remote.test.ex ESMTP
 *	    1< EHLO mx.test.ex
 *
 *	(An empty line is just "1<" or "1>", with no blank.)
 *	'<' is a line the fake received, '>' one it sent, '*' an event
 *	(connection, TLS, close, fault). Received and sent lines are shown
 *	without their CRLF; other control characters, bytes above 126 and
 *	the backslash are escaped (\r \n \t \\ \xHH), so a bare LF line
 *	ending shows as "\n" at the end of the line and a NUL as "\x00".
 *
 *	fake_transcript_open() opens (creates) path for appending; with a
 *	NULL path nothing is recorded. The descriptor is inherited by the
 *	per-connection processes. Each line is one write(2) on an O_APPEND
 *	descriptor, so lines of connections that run at once never tear;
 *	the lines of one connection are always in order.
 *
 *	fake_transcript_line() records one line (data without its line
 *	ending, which is stripped here if present). fake_transcript_lines()
 *	records each line of a block (data that does not end in LF gets a
 *	"no end of line" event). fake_transcript_event() records an event.
 *
 *	A fake may set fake_transcript_filter to rewrite each received or
 *	sent line (escaped, without its newline) before it is written, to
 *	mask what changes from run to run (a peer's pid, say).
 * DIAGNOSTICS
 *	Failure to open the file is fatal; a failed write is a warning.
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fake_buf.h"
#include "fake_msg.h"
#include "fake_transcript.h"

static int fake_transcript_fd = -1;

void (*fake_transcript_filter)(struct fake_buf *line);

void
fake_transcript_open(const char *path)
{
    if (path == NULL)
        return;
    fake_transcript_fd =
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fake_transcript_fd < 0)
        fake_msg_fatal("open %s: %s", path, strerror(errno));
}

static void
fake_transcript_escape(struct fake_buf *out, const char *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    unsigned char c;

    for (i = 0; i < len; i++) {
        c = (unsigned char)data[i];
        if (c == '\\')
            fake_buf_puts(out, "\\\\");
        else if (c == '\r')
            fake_buf_puts(out, "\\r");
        else if (c == '\n')
            fake_buf_puts(out, "\\n");
        else if (c == '\t')
            fake_buf_puts(out, "\\t");
        else if (c >= 32 && c < 127)
            fake_buf_addch(out, c);
        else {
            fake_buf_puts(out, "\\x");
            fake_buf_addch(out, hex[c >> 4]);
            fake_buf_addch(out, hex[c & 15]);
        }
    }
}

static void
fake_transcript_write(struct fake_buf *line)
{
    if (write(fake_transcript_fd, line->data, line->len) != (ssize_t)line->len)
        fake_msg_warn("transcript write: %s", strerror(errno));
}

void
fake_transcript_line(unsigned long conn, int dir, const char *data, size_t len)
{
    struct fake_buf line;

    if (fake_transcript_fd < 0)
        return;
    if (len >= 2 && data[len - 2] == '\r' && data[len - 1] == '\n')
        len -= 2;
    fake_buf_init(&line);
    fake_buf_printf(&line, "%lu%c", conn, dir);
    if (len > 0)
        fake_buf_addch(&line, ' ');
    fake_transcript_escape(&line, data, len);
    if (fake_transcript_filter != NULL)
        fake_transcript_filter(&line);
    fake_buf_addch(&line, '\n');
    fake_transcript_write(&line);
    fake_buf_free(&line);
}

void
fake_transcript_lines(unsigned long conn, int dir, const char *data, size_t len)
{
    const char *nl;
    size_t n;

    while (len > 0) {
        nl = memchr(data, '\n', len);
        if (nl == NULL) {
            fake_transcript_line(conn, dir, data, len);
            fake_transcript_event(conn, "no end of line");
            return;
        }
        n = (size_t)(nl - data);
        if (n > 0 && data[n - 1] == '\r')
            fake_transcript_line(conn, dir, data, n - 1);
        else {
            /* A bare LF is shown, so it can be told from CRLF. */
            fake_transcript_line(conn, dir, data, n + 1);
        }
        data += n + 1;
        len -= n + 1;
    }
}

void
fake_transcript_event(unsigned long conn, const char *fmt, ...)
{
    struct fake_buf line;
    va_list ap;

    if (fake_transcript_fd < 0)
        return;
    fake_buf_init(&line);
    fake_buf_printf(&line, "%lu* ", conn);
    va_start(ap, fmt);
    fake_buf_vprintf(&line, fmt, ap);
    va_end(ap);
    fake_buf_addch(&line, '\n');
    fake_transcript_write(&line);
    fake_buf_free(&line);
}
