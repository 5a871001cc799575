/*++
 * NAME
 *	request 3
 * SUMMARY
 *	reading and recording one dccifd request
 * SYNOPSIS
 *	#include "dccifd.h"
 *
 *	int	di_request_read(struct fake_conn *c, struct di_request *rq,
 *				size_t max)
 *	void	di_request_parse(struct di_request *rq)
 *	void	di_request_record(unsigned long conn,
 *				const struct di_request *rq)
 * DESCRIPTION
 *	A request is LF-terminated lines: the options, the client IP
 *	(optionally CR and a host name), the HELO name, the sender, one
 *	recipient a line (optionally CR and a user name), an empty line;
 *	then the message up to the end of the stream. dccifd answers
 *	only after the client has half-closed the connection, so the
 *	whole request is read first.
 *
 *	di_request_read() reads to end of stream (at most max bytes, the
 *	rest dropped), bounded by the connection's time-out.
 *	di_request_parse() splits the request and checks the options
 *	words as dccifd 2.3 knows them; di_request_record() writes it to
 *	the transcript, every envelope line and header, and the first 20
 *	lines of the body (the rest is counted).
 * DIAGNOSTICS
 *	di_request_read() returns FAKE_IO_OK, or FAKE_IO_TIMEOUT /
 *	FAKE_IO_TERM / FAKE_IO_ERROR.
 *--*/

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../common/fake_conn.h"
#include "../common/fake_transcript.h"
#include "../common/fake_wait.h"
#include "dccifd.h"

#define DI_BODY_LINES_SHOWN 20

int
di_request_read(struct fake_conn *c, struct di_request *rq, size_t max)
{
    long long deadline = fake_now_ms() + c->timeout_ms;
    char buf[16384];

    fake_buf_init(&rq->raw);
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof(buf));
        if (n > 0) {
            size_t keep = (size_t)n;
            if (rq->raw.len + keep > max)
                keep = max > rq->raw.len ? max - rq->raw.len : 0;
            fake_buf_append(&rq->raw, buf, keep);
            continue;
        }
        if (n == 0) {
            rq->complete = 1;
            return FAKE_IO_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            c->io_errno = errno;
            return FAKE_IO_ERROR;
        }
        switch (fake_wait_fd(c->fd, POLLIN, deadline)) {
        case FAKE_WAIT_READY:
            break;
        case FAKE_WAIT_TIMEOUT:
            return FAKE_IO_TIMEOUT;
        default:
            return FAKE_IO_TERM;
        }
    }
}

/* The next LF-terminated line of the envelope, or NULL. */
static char *
next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    char *line;

    if (nl == NULL)
        return NULL;
    line = fake_strndup(*p, (size_t)(nl - *p));
    *p = nl + 1;
    return line;
}

static void
parse_options(struct di_request *rq)
{
    static const struct {
        const char *word;
        unsigned bit;
    } known[] = {
        {"header", DI_OPT_HEADER},
        {"body", DI_OPT_BODY},
        {"cksums", DI_OPT_CKSUMS},
        {"query", DI_OPT_QUERY},
        {"grey-off", DI_OPT_GREYOFF},
        {"no-grey", DI_OPT_GREYOFF},
        {"spam", DI_OPT_SPAM},
        {"log", 0},
        {"grey-query", 0},
        {"no-reject", 0},
        {"rcvd-nxt", 0},
        {"rcvd-next", 0},
    };
    char *copy = fake_strdup(rq->options), *save = NULL;

    for (char *w = strtok_r(copy, " \t\r", &save); w != NULL;
         w = strtok_r(NULL, " \t\r", &save)) {
        size_t k;
        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            if (strcasecmp(w, known[k].word) == 0)
                break;
        if (k == sizeof(known) / sizeof(known[0])) {
            if (rq->bad_option == NULL)
                rq->bad_option = fake_strdup(w);
        } else
            rq->opts |= known[k].bit;
    }
    free(copy);
    /* dccifd drops "spam" when it comes with "query" */
    if ((rq->opts & DI_OPT_SPAM) && (rq->opts & DI_OPT_QUERY))
        rq->opts &= ~DI_OPT_SPAM;
}

/* "<a@b>\ruser" -> "a@b" */
static char *
strip_rcpt(char *line)
{
    size_t n = strcspn(line, "\r");
    char *p = line;

    line[n] = '\0';
    if (*p == '<' && n >= 2 && p[n - 1] == '>') {
        p[n - 1] = '\0';
        p++;
    }
    return fake_strdup(p);
}

/* Where the header section ends: at an empty line, LF or CRLF. */
static void
split_message(struct di_request *rq)
{
    const char *m = rq->msg, *end = m + rq->msg_len, *p = m;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (n == 0 || (n == 1 && *p == '\r')) {
            rq->hdr_len = (size_t)(p - m);
            rq->body_off = nl ? (size_t)(nl + 1 - m) : rq->msg_len;
            return;
        }
        p = nl ? nl + 1 : end;
    }
    rq->hdr_len = rq->msg_len;
    rq->body_off = rq->msg_len;
}

void
di_request_parse(struct di_request *rq)
{
    const char *p = rq->raw.data ? rq->raw.data : "", *end = p + rq->raw.len;
    char *line;

    rq->options = next_line(&p, end);
    rq->client = next_line(&p, end);
    rq->helo = next_line(&p, end);
    rq->sender = next_line(&p, end);
    if (rq->options == NULL || rq->client == NULL || rq->helo == NULL ||
        rq->sender == NULL)
        goto incomplete;
    rq->client[strcspn(rq->client, "\r")] = '\0';
    parse_options(rq);
    while ((line = next_line(&p, end)) != NULL && *line != '\0') {
        char *r = strip_rcpt(line);
        free(line);
        if (*r == '\0')
            rq->null_rcpt = 1;
        rq->rcpts =
            fake_realloc(rq->rcpts, (size_t)rq->nrcpts + 1, sizeof(*rq->rcpts));
        rq->rcpts[rq->nrcpts++] = r;
    }
    if (line == NULL)
        goto incomplete;
    free(line);
    rq->lines_ok = 1;
    rq->msg = p;
    rq->msg_len = (size_t)(end - p);
    split_message(rq);
    return;
incomplete:
    if (rq->options == NULL)
        rq->options = fake_strdup("");
    if (rq->client == NULL)
        rq->client = fake_strdup("");
    if (rq->sender == NULL)
        rq->sender = fake_strdup("");
    rq->msg = "";
}

void
di_request_record(unsigned long conn, const struct di_request *rq)
{
    const char *data = rq->raw.data ? rq->raw.data : "";
    size_t head = rq->lines_ok ? (size_t)(rq->msg - data) : rq->raw.len;
    const char *body, *p, *end;
    int shown = 0;
    long more_lines = 0;

    fake_transcript_lines(conn, '<', data, head);
    if (!rq->lines_ok)
        return;
    fake_transcript_lines(conn, '<', rq->msg, rq->body_off);
    body = rq->msg + rq->body_off;
    end = rq->msg + rq->msg_len;
    for (p = body; p < end && shown < DI_BODY_LINES_SHOWN; shown++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    fake_transcript_lines(conn, '<', body, (size_t)(p - body));
    if (p < end) {
        for (const char *q = p; q < end; q++)
            more_lines += *q == '\n';
        fake_transcript_event(conn,
                              "... %ld more body lines (%zu bytes) not shown",
                              more_lines, (size_t)(end - p));
    }
}
