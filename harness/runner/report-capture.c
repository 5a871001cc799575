/*
 * NAME
 *	report-capture - record what the reports show of one scenario run
 * SYNOPSIS
 *	#include "report.h"
 *
 *	void	capture_begin(const char *dir, size_t index);
 *	void	capture_step(struct run *r, const struct step *st);
 *	void	capture_end(struct run *r);
 * DESCRIPTION
 *	With --junit or --html, each worker process (one per scenario,
 *	pool.c) records for the main process what its scenario was and
 *	what its peers said, in the file dir/INDEX.  Without
 *	capture_begin() the other functions do nothing.
 *
 *	capture_begin() starts the record of scenario number index.
 *
 *	capture_step() is called after each step that ran: it records
 *	the step ("step": its line number and directive), what the
 *	runner's SMTP client sent and received during it ("client": the
 *	new lines of the transcript output), and the new lines of each
 *	peer's transcript, a file $DIR/NAME.transcript that a fake
 *	writes ("peer:NAME").  The order of the records is the order of
 *	the steps; within a step, the client's lines come before the
 *	peers'.
 *
 *	capture_end() adds the scenario's leading comments ("prose"), its
 *	configuration ("config") and how long it ran ("ms"), and writes
 *	the file, before the run's directory is removed.
 *
 *	A record is "KEY LEN", a newline, LEN bytes and a newline
 *	(report_next_record() in report.c reads it back).
 * DIAGNOSTICS
 *	A file that cannot be written leaves the scenario without the
 *	details in the reports; the main process says so.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "fileio.h"
#include "mem.h"
#include "report.h"
#include "runctx.h"
#include "strvec.h"

#define CAPTURE_MAX_BYTES (4 * 1024 * 1024) /* per scenario */

static struct {
    char *file;
    struct buf rec;
    size_t client_done;   /* bytes of the client transcript recorded */
    struct strvec peers;  /* peer transcript names seen */
    size_t *peer_done;    /* bytes of each recorded */
    long long started_ms; /* when the scenario started */
} capture;

void
capture_begin(const char *dir, size_t index)
{
    struct buf name = BUF_INIT;

    buf_printf(&name, "%s/%zu", dir, index);
    capture.file = buf_steal(&name);
    capture.started_ms = deadline_now_ms();
}

static void
capture_record(const char *key, const char *data, size_t len)
{
    if (capture.rec.len + len > CAPTURE_MAX_BYTES)
        return;
    buf_printf(&capture.rec, "%s %zu\n", key, len);
    buf_add(&capture.rec, data, len);
    buf_putc(&capture.rec, '\n');
}

/* The recorded length of peer transcript name, made if new. */
static size_t *
capture_peer_done(const char *name)
{
    for (size_t i = 0; i < capture.peers.n; i++)
        if (strcmp(capture.peers.v[i], name) == 0)
            return &capture.peer_done[i];
    strvec_push(&capture.peers, name);
    capture.peer_done =
        mem_grow(capture.peer_done, capture.peers.n, sizeof(size_t));
    capture.peer_done[capture.peers.n - 1] = 0;
    return &capture.peer_done[capture.peers.n - 1];
}

static void
capture_peers(struct run *r)
{
    struct strvec names = STRVEC_INIT;
    DIR *d = opendir(r->dir);
    struct dirent *de;
    static const char suffix[] = ".transcript";

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (len > sizeof(suffix) - 1 && de->d_name[0] != '.' &&
            strcmp(de->d_name + len - (sizeof(suffix) - 1), suffix) == 0)
            strvec_push(&names, de->d_name);
    }
    closedir(d);
    strvec_sort(&names);
    for (size_t i = 0; i < names.n; i++) {
        char *path = fileio_join(r->dir, names.v[i]);
        struct buf text = BUF_INIT;
        size_t *done = capture_peer_done(names.v[i]);

        if (fileio_read(path, &text) == 0 && text.len > *done) {
            struct buf key = BUF_INIT;
            size_t end = text.len;

            /* Whole lines only: the rest comes with the next step. */
            while (end > *done && text.data[end - 1] != '\n')
                end--;
            names.v[i][strlen(names.v[i]) - (sizeof(suffix) - 1)] = '\0';
            buf_printf(&key, "peer:%s", names.v[i]);
            if (end > *done)
                capture_record(buf_str(&key), text.data + *done, end - *done);
            *done = end;
            buf_free(&key);
        }
        buf_free(&text);
        free(path);
    }
    strvec_free(&names);
}

void
capture_step(struct run *r, const struct step *st)
{
    struct buf line = BUF_INIT;
    const struct buf *t = &r->streams.transcript;

    if (capture.file == NULL)
        return;
    buf_printf(&line, "%d %s", st->lineno, st->source ? st->source : "");
    capture_record("step", buf_str(&line), line.len);
    buf_free(&line);
    if (t->len > capture.client_done) {
        capture_record("client", t->data + capture.client_done,
                       t->len - capture.client_done);
        capture.client_done = t->len;
    }
    if (r->dir != NULL)
        capture_peers(r);
}

/* The comment lines at the top of the scenario file, without "# ". */
static void
capture_prose(const char *path, struct buf *out)
{
    struct buf text = BUF_INIT;
    const char *s;
    const char *end;

    if (path == NULL || fileio_read(path, &text) < 0)
        return;
    s = buf_str(&text);
    end = s + text.len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

        if (len > 0 && s[0] != '#')
            break;
        if (len > 0) {
            size_t skip = (len > 1 && s[1] == ' ') ? 2 : 1;

            buf_add(out, s + skip, len - skip);
        }
        buf_putc(out, '\n');
        s += len + (nl != NULL);
    }
    buf_free(&text);
}

void
capture_end(struct run *r)
{
    struct buf prose = BUF_INIT;
    char ms[32];

    if (capture.file == NULL)
        return;
    capture_prose(r->scn.path, &prose);
    capture_record("prose", buf_str(&prose), prose.len);
    if (r->scn.config != NULL)
        capture_record("config", r->scn.config, strlen(r->scn.config));
    snprintf(ms, sizeof(ms), "%lld", deadline_now_ms() - capture.started_ms);
    capture_record("ms", ms, strlen(ms));
    (void)fileio_write(capture.file, buf_str(&capture.rec), capture.rec.len);
    buf_free(&prose);
    buf_free(&capture.rec);
    strvec_free(&capture.peers);
    free(capture.peer_done);
    free(capture.file);
    memset(&capture, 0, sizeof(capture));
}
