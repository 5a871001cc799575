/*++
 * NAME
 *	smtp_data 3
 * SUMMARY
 *	receiving a message's content: DATA and BDAT
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_data_read(struct smtp_session *s)
 *	int	smtp_bdat_read(struct smtp_session *s, size_t size)
 * DESCRIPTION
 *	smtp_data_read() reads the lines after a 354 up to the line with a
 *	single dot, removes dot-stuffing and appends them, line endings as
 *	received, to s->body. A "drop during data N" point closes the
 *	connection after N lines.
 *
 *	smtp_bdat_read() reads one BDAT chunk of size octets and appends
 *	it to s->body.
 *
 *	A message larger than SMTP_MAX_MESSAGE is read to its end but not
 *	kept; s->too_big is set.
 * DIAGNOSTICS
 *	Both return FAKE_IO_OK, or why the connection ended (the message
 *	is then lost, as a real server would lose it).
 *--*/

#include <string.h>

#include "../common/fake_transcript.h"
#include "smtp_fake.h"

#define SMTP_MAX_MESSAGE (64L * 1024 * 1024)
#define SMTP_MAX_LINE    (1024 * 1024)
#define SMTP_BDAT_PIECE  (1024 * 1024)

static void
smtp_body_add(struct smtp_session *s, const char *data, size_t len)
{
    if (s->body.len + len > (size_t)SMTP_MAX_MESSAGE)
        s->too_big = 1;
    if (!s->too_big)
        fake_buf_append(&s->body, data, len);
}

static int
smtp_is_dot(const struct fake_buf *line)
{
    return (line->len == 3 && memcmp(line->data, ".\r\n", 3) == 0) ||
           (line->len == 2 && memcmp(line->data, ".\n", 2) == 0);
}

int
smtp_data_read(struct smtp_session *s)
{
    struct fake_buf line;
    int rc, n = 0;
    size_t skip;

    fake_buf_init(&line);
    for (;;) {
        rc = fake_conn_read_line(s->c, &line, SMTP_MAX_LINE);
        if (rc == FAKE_IO_TOOLONG)
            fake_buf_puts(&line, "\r\n");
        else if (rc != FAKE_IO_OK)
            break;
        if (smtp_is_dot(&line))
            break;
        skip = line.data[0] == '.' ? 1 : 0;
        smtp_body_add(s, line.data + skip, line.len - skip);
        if (smtp_drop_find(s, SMTP_DATA, ++n)) {
            fake_transcript_event(s->c->id,
                                  "drop during data after %d line%s, closing",
                                  n, n == 1 ? "" : "s");
            s->c->ended = 1;
            rc = FAKE_IO_CLOSED;
            break;
        }
    }
    fake_buf_free(&line);
    return rc;
}

int
smtp_bdat_read(struct smtp_session *s, size_t size)
{
    struct fake_buf piece;
    size_t n;
    int rc = FAKE_IO_OK;

    fake_buf_init(&piece);
    while (size > 0 && rc == FAKE_IO_OK) {
        n = size < SMTP_BDAT_PIECE ? size : SMTP_BDAT_PIECE;
        fake_buf_reset(&piece);
        rc = fake_conn_read_bytes(s->c, &piece, n);
        if (rc == FAKE_IO_OK)
            smtp_body_add(s, piece.data, piece.len);
        size -= n;
    }
    fake_buf_free(&piece);
    return rc;
}
