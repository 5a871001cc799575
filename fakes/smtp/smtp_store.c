/*++
 * NAME
 *	smtp_store 3
 * SUMMARY
 *	keeping each accepted message in a file
 * SYNOPSIS
 *	#include "smtp_fake.h"
 *
 *	int	smtp_store(struct smtp_session *s, int *seq)
 * DESCRIPTION
 *	With --maildir DIR, every message fake-smtp accepts (a 2xx after
 *	DATA or BDAT LAST) is written, before the reply goes out, to
 *	DIR/N, N the next free sequence number from 1 on, shared by all
 *	connections. The file holds the MAIL command as received, each
 *	accepted RCPT command, an empty line, then the message, with CRLF
 *	line endings turned into LF (so golden files are plain text).
 *
 *	The file is written under a temporary name and linked into place,
 *	so a scenario never sees half a message, and two connections never
 *	take the same number. DIR is created if missing.
 *
 *	Without --maildir nothing is written and *seq counts the messages
 *	of the connection.
 * DIAGNOSTICS
 *	smtp_store() returns 0, or -1 after recording why the message
 *	could not be written (the caller then answers 451).
 *--*/

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fake_transcript.h"
#include "smtp_fake.h"

static void
smtp_store_format(const struct smtp_session *s, struct fake_buf *out)
{
    const char *p = s->body.data, *end = s->body.data + s->body.len;
    int i;

    fake_buf_printf(out, "%s\n", s->mail.data);
    for (i = 0; i < s->nrcpts; i++)
        fake_buf_printf(out, "%s\n", s->rcpts[i]);
    fake_buf_addch(out, '\n');
    for (; p && p < end; p++) {
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            continue;
        fake_buf_addch(out, *p);
    }
}

static int
smtp_store_write(const char *path, const struct fake_buf *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text->data, text->len);
    if (n != (ssize_t)text->len || fsync(fd) != 0) {
        close(fd);
        if (n >= 0)
            errno = EIO;
        return -1;
    }
    return close(fd);
}

static int
smtp_store_link(const char *dir, const char *tmp, int *seq)
{
    char path[4096];
    int n;

    for (n = 1; n < 1000000; n++) {
        snprintf(path, sizeof(path), "%s/%d", dir, n);
        if (link(tmp, path) == 0) {
            *seq = n;
            return 0;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = ENOSPC;
    return -1;
}

int
smtp_store(struct smtp_session *s, int *seq)
{
    const char *dir = s->cfg->maildir;
    struct fake_buf text;
    char tmp[4096];
    int rc;

    if (dir == NULL) {
        *seq = s->counts[SMTP_DATA];
        return 0;
    }
    mkdir(dir, 0755);
    snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld", dir, (long)getpid());
    fake_buf_init(&text);
    fake_buf_cstr(&s->mail);
    smtp_store_format(s, &text);
    rc = smtp_store_write(tmp, &text);
    if (rc == 0)
        rc = smtp_store_link(dir, tmp, seq);
    if (rc != 0)
        fake_transcript_event(s->c->id, "could not store the message: %s",
                              strerror(errno));
    else
        fake_transcript_event(s->c->id, "message stored as %d", *seq);
    unlink(tmp);
    fake_buf_free(&text);
    return rc;
}
