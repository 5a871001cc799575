/*++
 * NAME
 *	fuzz-header 1
 * SUMMARY
 *	libFuzzer target for the header parser and folding
 * SYNOPSIS
 *	make fuzz-header [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is a message as a client sends it after DATA (lines
 *	ending in LF, dot-unstuffed): its lines go one by one to
 *	receive_line() (src/receive), which splits the header from the
 *	body, joins folded header lines, tells the header types apart and
 *	keeps the first lines of the body; receive_finish() then classi-
 *	fies the headers, adds Exim's own (Received:, Message-Id:, Date:,
 *	From:, Sender: for local messages) and, for a local message with
 *	-t, takes the recipients from To:, Cc: and Bcc:. Finally the
 *	header expansions ($h_, $rh_, $bh_, $message_headers) read them
 *	back. The first byte of the input chooses SMTP or local with -t.
 *	The message is then thrown away (receive_abort). The spool is a
 *	private directory in /dev/shm.
 *
 *	Beyond what the sanitizers catch it checks that every header the
 *	spool would hold is one field: text ending in one LF, every other
 *	LF followed by a space or a TAB, so that nothing a client sends
 *	can start a header of its own on the spool. A failure is an
 *	abort().
 *--*/

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/expand.h"
#include "log/log.h"
#include "receive/receive_int.h"
#include "spool/envelope.h"

#include "fuzz_dir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char spool_dir[] = "/dev/shm/fuzz-header-XXXXXX";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[sizeof(spool_dir) + 16];
    gstr err;
    FILE *f;
    int devnull;

    (void)argc;
    (void)argv;
    if (fuzz_dir_make(spool_dir) < 0)
        abort();
    snprintf(path, sizeof(path), "%s/configure", spool_dir);
    if ((f = fopen(path, "w")) == NULL)
        abort();
    fprintf(f,
            "primary_hostname = mx.test.ex\nqualify_domain = test.ex\n"
            "spool_directory = %s\nmessage_logs = false\n",
            spool_dir);
    fclose(f);
    gstr_init(&err, arena_perm);
    if (conf_load(path, NULL, &err) < 0)
        abort();
    if ((devnull = open("/dev/null", O_WRONLY)) < 0)
        abort();
    log_to_fd(devnull);
    return 0;
}

static void
check_headers(const struct spool_msg *m)
{
    for (const struct spool_header *h = m->headers; h != NULL; h = h->next) {
        if (h->len == 0 || h->text[h->len - 1] != '\n' ||
            strlen(h->text) != h->len)
            abort();
        for (size_t i = 0; i + 1 < h->len; i++)
            if (h->text[i] == '\n' && h->text[i + 1] != ' ' &&
                h->text[i + 1] != '\t')
                abort();
    }
}

static void
read_back(struct expand_ctx *x, struct arena *a)
{
    static const char *const probes[] = {
        "$h_subject:|$rh_to:|$bh_from:|$h_cc:|$lh_received:",
        "${addresses:$h_to:}|${address:$h_from:}",
        "$message_headers",
    };
    gstr err;
    char *out;

    gstr_init(&err, a);
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        gstr_truncate(&err, 0);
        (void)expand_string(x, probes[i], &out, &err);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    struct expand_ctx x;
    struct receive_params p;
    struct spool_rcpt rcpt;
    struct receive *r;
    const char *s, *end;
    gstr err;
    int local;

    if (size < 1 || size > 64 * 1024)
        return 0;
    local = data[0] & 1;
    s = (const char *)data + 1;
    end = (const char *)data + size;

    a = arena_create();
    expand_ctx_init(&x, a);
    memset(&p, 0, sizeof(p));
    memset(&rcpt, 0, sizeof(rcpt));
    rcpt.address = "bob@test.ex";
    rcpt.pno = -1;
    p.sender = "alice@example.org";
    p.ctx = &x;
    p.login = "mxlab";
    if (local) {
        p.protocol = "local";
        p.not_smtp = 1;
        p.sender_local = 1;
        p.ident = "mxlab";
        p.originator_name = "Mx Lab";
        p.extract_rcpts = 1;
    } else {
        p.rcpts = &rcpt;
        p.nrcpts = 1;
        p.protocol = "esmtp";
        p.host_address = "192.0.2.1";
        p.host_port = 4242;
        p.helo_name = "client.example";
    }
    gstr_init(&err, a);
    if ((r = receive_start(a, &p, &err)) == NULL)
        abort();
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);

        (void)receive_line(r, s, n);
        s += n + 1;
    }
    gstr_truncate(&err, 0);
    if (receive_finish(r, &err) == 0) {
        check_headers(&r->m);
        read_back(&x, a);
    }
    receive_abort(r);
    arena_destroy(a);
    return 0;
}
