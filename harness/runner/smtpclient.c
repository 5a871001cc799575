/*
 * NAME
 *	smtpclient - play a scenario's SMTP dialogue
 * SYNOPSIS
 *	#include "smtpclient.h"
 *
 *	void	smtp_session_init(struct smtp_session *s, int rfd, int wfd,
 *				int efd);
 *	int	smtp_session_run(struct smtp_session *s,
 *				const struct step *st, struct buf *fail);
 *	void	smtp_session_leftover(struct smtp_session *s,
 *				const char *more, size_t len);
 *	void	smtp_session_free(struct smtp_session *s);
 * DESCRIPTION
 *	smtp_session_init() prepares s for a conversation that reads from
 *	rfd and writes to wfd (the same socket, or a child's stdout and
 *	stdin).  efd, if not -1, is the child's stderr: it is read while
 *	waiting for replies, into s->err_sink, so that a chatty child
 *	cannot block on a full pipe.  The caller fills in transcript,
 *	path, vars and err_sink, and owns the descriptors; the session
 *	closes efd when it reaches EOF and then sets it to -1.
 *
 *	smtp_session_run() plays the dialogue lines of step st in order:
 *
 *	">>> TEXT" sends TEXT (after $NAME substitution) and CRLF.
 *
 *	">>>raw TEXT" sends TEXT with its escapes decoded and nothing
 *	added.
 *
 *	"<<< TEXT" reads one complete reply: lines up to one whose fourth
 *	character is not "-" (or up to EOF).  It passes if any line of
 *	the reply starts with TEXT; an empty TEXT accepts any reply.
 *
 *	"<<< closed" passes if the peer closes the connection without
 *	sending anything more.
 *
 *	"sleep N" pauses.
 *
 *	"tls [sni=NAME] [cert=FILE] [key=FILE]" starts TLS on the
 *	connection as a client (after "<<< 220" to a STARTTLS, or first
 *	thing for TLS on connect); what follows goes through TLS.  It
 *	fails if the server sent anything after its last reply: with
 *	STARTTLS that would be a command injection.
 *
 *	Every line sent and received is added to the transcript as
 *	">>> line" or "<<< line", without the CR.  A read waits at most
 *	SMTP_READ_MS.
 *
 *	smtp_session_leftover() adds to the transcript, as "<<< " lines,
 *	what was received but not read by the dialogue, followed by
 *	more (what the caller drained afterwards).
 *
 *	smtp_session_free() releases the session's memory.
 * DIAGNOSTICS
 *	smtp_session_run() returns 0, or -1 at the first line that fails,
 *	with "FILE:LINE: what was expected, what came" in fail.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deadline.h"
#include "escape.h"
#include "scenario.h"
#include "smtpclient.h"
#include "strvec.h"
#include "subst.h"
#include "tlsclient.h"
#include "words.h"

enum smtp_read { SMTP_LINE, SMTP_EOF, SMTP_TIMEOUT };

void
smtp_session_init(struct smtp_session *s, int rfd, int wfd, int efd)
{
    memset(s, 0, sizeof(*s));
    s->rfd = rfd;
    s->wfd = wfd;
    s->efd = efd;
    buf_init(&s->in);
    fcntl(rfd, F_SETFL, O_NONBLOCK);
    fcntl(wfd, F_SETFL, O_NONBLOCK);
    if (efd >= 0)
        fcntl(efd, F_SETFL, O_NONBLOCK);
}

void
smtp_session_free(struct smtp_session *s)
{
    tls_client_free(s->tls);
    s->tls = NULL;
    buf_free(&s->in);
}

/* Add data to the transcript as lines, each after prefix and a blank. */
static void
smtp_log_lines(struct smtp_session *s, const char *prefix, const char *data,
               size_t len)
{
    const char *end = data + len;

    while (data < end) {
        const char *nl = memchr(data, '\n', (size_t)(end - data));
        size_t n = nl ? (size_t)(nl - data) : (size_t)(end - data);

        if (n > 0 && data[n - 1] == '\r')
            n--;
        /* "<<<", not "<<< ", for an empty line: no trailing blank. */
        buf_puts(s->transcript, prefix);
        if (n > 0) {
            buf_putc(s->transcript, ' ');
            buf_add(s->transcript, data, n);
        }
        buf_putc(s->transcript, '\n');
        data = nl ? nl + 1 : end;
    }
}

/* ---------- reading ---------- */

static void
smtp_read_fd(struct smtp_session *s, int *fd, struct buf *into, int is_main)
{
    char chunk[4096];
    ssize_t n = read(*fd, chunk, sizeof(chunk));

    if (n > 0) {
        if (into != NULL)
            buf_add(into, chunk, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (is_main) {
        s->eof = 1;
    } else {
        close(*fd);
        *fd = -1;
    }
}

/*
 * Read what the TLS session has.  0 if that changed something (data or
 * EOF), else the poll(2) event to wait for.
 */
static short
smtp_tls_read(struct smtp_session *s)
{
    char chunk[4096];
    size_t got = 0;

    switch (tls_client_read(s->tls, chunk, sizeof(chunk), &got)) {
    case TLS_IO_DONE:
        buf_add(&s->in, chunk, got);
        return 0;
    case TLS_IO_WANT_READ:
        return POLLIN;
    case TLS_IO_WANT_WRITE:
        return POLLOUT;
    default:
        s->eof = 1;
        return 0;
    }
}

/*
 * Wait for events on the connection (rfd for POLLIN, wfd for POLLOUT),
 * reading the child's stderr meanwhile; without TLS, read what came.
 */
static void
smtp_wait(struct smtp_session *s, short events, const struct deadline *dl)
{
    struct pollfd pfd[2];
    nfds_t n = 0;

    pfd[n++] = (struct pollfd){events == POLLOUT ? s->wfd : s->rfd, events, 0};
    if (s->efd >= 0)
        pfd[n++] = (struct pollfd){s->efd, POLLIN, 0};
    if (poll(pfd, n, deadline_left_ms(dl)) <= 0)
        return;
    if (n > 1 && pfd[1].revents != 0)
        smtp_read_fd(s, &s->efd, s->err_sink, 0);
    if (pfd[0].revents != 0 && s->tls == NULL)
        smtp_read_fd(s, &s->rfd, &s->in, 1);
}

/* Wait for more input; -1 on timeout or interruption. */
static int
smtp_fill(struct smtp_session *s, const struct deadline *dl)
{
    size_t before = s->in.len;
    short events = POLLIN;

    while (s->in.len == before && !s->eof) {
        if (s->tls != NULL && (events = smtp_tls_read(s)) == 0)
            continue;
        if (deadline_interrupted || deadline_expired(dl))
            return -1;
        smtp_wait(s, events, dl);
    }
    return 0;
}

static enum smtp_read
smtp_read_line(struct smtp_session *s, struct buf *line,
               const struct deadline *dl)
{
    char *nl;
    size_t n;

    buf_reset(line);
    for (;;) {
        nl = s->in.len ? memchr(s->in.data, '\n', s->in.len) : NULL;
        if (nl != NULL || (s->eof && s->in.len > 0)) {
            n = nl ? (size_t)(nl - s->in.data) : s->in.len;
            buf_add(line, s->in.data, n);
            if (line->len > 0 && line->data[line->len - 1] == '\r')
                line->data[--line->len] = '\0';
            buf_drop_front(&s->in, nl ? n + 1 : n);
            return SMTP_LINE;
        }
        if (s->eof)
            return SMTP_EOF;
        if (smtp_fill(s, dl) < 0)
            return SMTP_TIMEOUT;
    }
}

/* Read one reply into lines; SMTP_LINE if at least one line came. */
static enum smtp_read
smtp_read_reply(struct smtp_session *s, struct strvec *lines)
{
    struct buf line = BUF_INIT;
    struct deadline dl;
    enum smtp_read r;

    deadline_set(&dl, SMTP_READ_MS);
    while ((r = smtp_read_line(s, &line, &dl)) == SMTP_LINE) {
        smtp_log_lines(s, "<<<", line.data, line.len);
        /* Exim's -bh writes commentary ("**** ...") and blank lines
         * among the replies: they go in the transcript, not the reply. */
        if (line.len == 0 ||
            (line.len >= 4 && memcmp(line.data, "****", 4) == 0))
            continue;
        strvec_push(lines, buf_str(&line));
        if (line.len < 4 || line.data[3] != '-')
            break;
    }
    buf_free(&line);
    if (r == SMTP_EOF && lines->n > 0)
        return SMTP_LINE;
    return r;
}

/* ---------- writing ---------- */

/*
 * Write some of data: the number of bytes written, 0 if the connection
 * must first be ready for *events, -1 on error.
 */
static ssize_t
smtp_write_some(struct smtp_session *s, const char *data, size_t len,
                short *events)
{
    size_t put = 0;
    ssize_t n;

    *events = POLLOUT;
    if (s->tls == NULL) {
        n = write(s->wfd, data, len);
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : n;
    }
    switch (tls_client_write(s->tls, data, len, &put)) {
    case TLS_IO_DONE:
        return (ssize_t)put;
    case TLS_IO_WANT_READ:
        *events = POLLIN;
        return 0;
    case TLS_IO_WANT_WRITE:
        return 0;
    default:
        errno = EPIPE;
        return -1;
    }
}

static int
smtp_write(struct smtp_session *s, const char *data, size_t len)
{
    struct deadline dl;
    struct pollfd pfd;
    short events;
    ssize_t n;

    deadline_set(&dl, SMTP_READ_MS);
    while (len > 0) {
        if ((n = smtp_write_some(s, data, len, &events)) < 0)
            return -1;
        data += n;
        len -= (size_t)n;
        if (n > 0)
            continue;
        if (deadline_interrupted || deadline_expired(&dl)) {
            errno = ETIMEDOUT;
            return -1;
        }
        pfd.fd = events == POLLIN ? s->rfd : s->wfd;
        pfd.events = events;
        pfd.revents = 0;
        poll(&pfd, 1, deadline_left_ms(&dl));
    }
    return 0;
}

/* ---------- dialogue lines ---------- */

static void
smtp_fail_reply(struct smtp_session *s, const struct dialog_line *dl,
                const struct strvec *reply, struct buf *fail)
{
    buf_printf(fail, "%s:%d: <<< %s: ", s->path, dl->lineno, dl->text);
    if (reply->n == 0) {
        buf_puts(fail, "no reply\n");
        return;
    }
    buf_puts(fail, *dl->text ? "no line of the reply starts with that; got:\n"
                             : "got:\n");
    for (size_t i = 0; i < reply->n; i++)
        buf_printf(fail, "  %s\n", reply->v[i]);
}

static int
smtp_do_expect(struct smtp_session *s, const struct dialog_line *dl,
               struct buf *fail)
{
    struct strvec reply = STRVEC_INIT;
    char *want = subst_string(s->vars, dl->text);
    size_t want_len = strlen(want);
    enum smtp_read r = smtp_read_reply(s, &reply);
    int ok = 0;

    for (size_t i = 0; r == SMTP_LINE && i < reply.n && !ok; i++)
        ok = strncmp(reply.v[i], want, want_len) == 0;
    if (r == SMTP_EOF) {
        buf_printf(fail, "%s:%d: <<< %s: the connection was closed\n", s->path,
                   dl->lineno, dl->text);
    } else if (r == SMTP_TIMEOUT && deadline_interrupted) {
        buf_printf(fail, "%s:%d: <<< %s: interrupted\n", s->path, dl->lineno,
                   dl->text);
    } else if (r == SMTP_TIMEOUT) {
        buf_printf(fail, "%s:%d: <<< %s: %s within %d s%s\n", s->path,
                   dl->lineno, dl->text,
                   reply.n ? "no complete reply" : "nothing received",
                   (int)(deadline_scaled(SMTP_READ_MS) / 1000),
                   reply.n ? "" : " (one <<< reads all lines of a reply)");
        for (size_t i = 0; i < reply.n; i++)
            buf_printf(fail, "  %s\n", reply.v[i]);
    } else if (!ok) {
        smtp_fail_reply(s, dl, &reply, fail);
    }
    strvec_free(&reply);
    free(want);
    return r == SMTP_LINE && ok ? 0 : -1;
}

static int
smtp_do_closed(struct smtp_session *s, const struct dialog_line *dl,
               struct buf *fail)
{
    struct buf line = BUF_INIT;
    struct deadline dlim;
    enum smtp_read r;

    deadline_set(&dlim, SMTP_READ_MS);
    r = smtp_read_line(s, &line, &dlim);
    if (r == SMTP_LINE) {
        smtp_log_lines(s, "<<<", line.data, line.len);
        buf_printf(fail,
                   "%s:%d: <<< closed: the connection stayed open and "
                   "sent:\n  %s\n",
                   s->path, dl->lineno, buf_str(&line));
    } else if (r == SMTP_TIMEOUT) {
        buf_printf(fail, "%s:%d: <<< closed: still open after %d s\n", s->path,
                   dl->lineno, (int)(deadline_scaled(SMTP_READ_MS) / 1000));
    } else {
        buf_puts(s->transcript, "*** closed\n");
    }
    buf_free(&line);
    return r == SMTP_EOF ? 0 : -1;
}

static int
smtp_do_send(struct smtp_session *s, const struct dialog_line *dl,
             struct buf *fail)
{
    struct buf data = BUF_INIT;
    struct buf why = BUF_INIT;
    char *text = subst_string(s->vars, dl->text);
    int rc = 0;

    if (dl->kind == DIALOG_SEND) {
        buf_printf(&data, "%s\r\n", text);
    } else if (escape_decode(text, &data, &why) < 0) {
        buf_printf(fail, "%s:%d: %s\n", s->path, dl->lineno, buf_str(&why));
        rc = -1;
    }
    if (rc == 0) {
        smtp_log_lines(s, ">>>", data.data, data.len);
        if (smtp_write(s, data.data, data.len) < 0) {
            buf_printf(fail, "%s:%d: >>> %s: cannot send: %s\n", s->path,
                       dl->lineno, dl->text, strerror(errno));
            rc = -1;
        }
    }
    free(text);
    buf_free(&data);
    buf_free(&why);
    return rc;
}

/* Options of a "tls" line: sni=NAME cert=FILE key=FILE. */
static void
smtp_tls_opts(const struct strvec *words, struct tls_client_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    for (size_t i = 0; i < words->n; i++) {
        const char *w = words->v[i];

        if (strncmp(w, "sni=", 4) == 0)
            opts->sni = w + 4;
        else if (strncmp(w, "cert=", 5) == 0)
            opts->cert = w + 5;
        else if (strncmp(w, "key=", 4) == 0)
            opts->key = w + 4;
    }
}

static int
smtp_do_tls(struct smtp_session *s, const struct dialog_line *dl,
            struct buf *fail)
{
    struct strvec words = STRVEC_INIT;
    struct tls_client_opts opts;
    struct buf why = BUF_INIT;
    struct deadline dlim;
    char *text = subst_string(s->vars, dl->text);

    if (s->in.len > 0) {
        buf_printf(fail,
                   "%s:%d: tls: the server sent more before TLS "
                   "started:\n  %s\n",
                   s->path, dl->lineno, buf_str(&s->in));
    } else {
        words_split(text, &words, &why);
        smtp_tls_opts(&words, &opts);
        deadline_set(&dlim, SMTP_READ_MS);
        s->tls = tls_client_start(s->rfd, s->wfd, &opts, &dlim, &why);
        if (s->tls == NULL)
            buf_printf(fail, "%s:%d: tls: %s\n", s->path, dl->lineno,
                       buf_str(&why));
        else
            buf_printf(s->transcript, "*** TLS started (%s)\n",
                       tls_client_version(s->tls));
    }
    strvec_free(&words);
    buf_free(&why);
    free(text);
    return s->tls != NULL ? 0 : -1;
}

static int
smtp_do_line(struct smtp_session *s, const struct dialog_line *dl,
             struct buf *fail)
{
    switch (dl->kind) {
    case DIALOG_SEND:
    case DIALOG_SEND_RAW:
        return smtp_do_send(s, dl, fail);
    case DIALOG_EXPECT:
        return smtp_do_expect(s, dl, fail);
    case DIALOG_CLOSED:
        return smtp_do_closed(s, dl, fail);
    case DIALOG_TLS:
        return smtp_do_tls(s, dl, fail);
    case DIALOG_SLEEP:
        if (deadline_sleep_ms(dl->ms) == 0)
            return 0;
        buf_printf(fail, "%s:%d: interrupted\n", s->path, dl->lineno);
        return -1;
    }
    return -1;
}

int
smtp_session_run(struct smtp_session *s, const struct step *st,
                 struct buf *fail)
{
    for (size_t i = 0; i < st->ndialog; i++)
        if (smtp_do_line(s, &st->dialog[i], fail) < 0)
            return -1;
    return 0;
}

void
smtp_session_leftover(struct smtp_session *s, const char *more, size_t len)
{
    smtp_log_lines(s, "<<<", s->in.data, s->in.len);
    buf_reset(&s->in);
    smtp_log_lines(s, "<<<", more, len);
}
