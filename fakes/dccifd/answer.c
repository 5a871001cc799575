/*++
 * NAME
 *	answer 3
 * SUMMARY
 *	fake-dccifd's verdicts: rules, whiteclnt, greylisting, counts
 * SYNOPSIS
 *	#include "dccifd.h"
 *
 *	void	di_answer_decide(unsigned long conn,
 *				const struct di_request *rq,
 *				const struct di_rule *rule,
 *				struct di_answer *ans)
 *	void	di_answer_wire(const struct di_request *rq,
 *				const struct di_answer *ans,
 *				struct fake_buf *wire)
 * DESCRIPTION
 *	di_answer_decide() works out the overall letter, one letter per
 *	recipient and the X-DCC header, in this order: a whiteclnt
 *	entry for the sender, client IP or From: ("ok": A with the
 *	whitelist header, "many": R with bulk and many counts); the
 *	first matching message rule; greylisting (a sender, client IP,
 *	recipient triple is G until its embargo has passed, then A; one
 *	G makes every recipient G); the bulk threshold. Recipient rules
 *	and env_to entries set single recipients; a message with mixed
 *	recipients is A overall when one of them is accepted.
 *
 *	Counts of the body checksum and of two fuzzy ones (Fuz1: letters
 *	and digits without case or blanks; Fuz2: letters only) rise by
 *	the number of recipients with each report; a query (the "query"
 *	option, no recipients) or a greylisted message reports nothing (a
 *	greylisted one shows the counts it would have, so they do not rise
 *	while it is retried).
 *	Counts and greylist triples are kept in the state file (locked,
 *	since connections are served by separate processes), so they
 *	last across connections and across restarts of the fake.
 *
 *	di_answer_wire() builds the bytes dccifd sends for the request's
 *	options: the two result lines; then with "header" or "cksums"
 *	the header (and checksum lines) and an empty line; with "body"
 *	the message with the header inserted before its empty line (old
 *	X-DCC headers dropped), in the message's own line ends.
 * DIAGNOSTICS
 *	A state file that cannot be opened is fatal to the connection's
 *	process (the client sees zero bytes).
 *--*/

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "../common/fake_msg.h"
#include "../common/fake_transcript.h"
#include "dccifd.h"

struct di_entry {
    char kind; /* 'c' count, 'g' greylist first seen */
    uint64_t key;
    long long value;
};

struct di_state {
    int fd;
    struct di_entry *e;
    int n;
};

static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* mode 0: every byte; 1: letters and digits, folded; 2: letters only */
static uint64_t
checksum(const char *p, size_t n, int mode, char salt)
{
    uint64_t h = fnv(FNV0, &salt, 1);

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        char low = (char)tolower(ch);
        if (mode == 0)
            h = fnv(h, (const char *)&p[i], 1);
        else if ((mode == 1 && isalnum(ch)) || (mode == 2 && isalpha(ch)))
            h = fnv(h, &low, 1);
    }
    return h;
}

static void
state_open(struct di_state *st)
{
    FILE *fp;
    char kind;
    unsigned long long key;
    long long value;

    memset(st, 0, sizeof(*st));
    st->fd = open(di_cfg.state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->fd < 0 || flock(st->fd, LOCK_EX) < 0)
        fake_msg_fatal("state file %s: cannot open or lock", di_cfg.state_path);
    fp = fdopen(dup(st->fd), "r");
    if (fp == NULL)
        return;
    while (fscanf(fp, " %c %llx %lld", &kind, &key, &value) == 3) {
        st->e = fake_realloc(st->e, (size_t)st->n + 1, sizeof(*st->e));
        st->e[st->n++] = (struct di_entry){kind, key, value};
    }
    fclose(fp);
}

static struct di_entry *
state_find(struct di_state *st, char kind, uint64_t key, long long init)
{
    for (int i = 0; i < st->n; i++)
        if (st->e[i].kind == kind && st->e[i].key == key)
            return &st->e[i];
    st->e = fake_realloc(st->e, (size_t)st->n + 1, sizeof(*st->e));
    st->e[st->n] = (struct di_entry){kind, key, init};
    return &st->e[st->n++];
}

static void
state_close(struct di_state *st)
{
    struct fake_buf b;

    fake_buf_init(&b);
    for (int i = 0; i < st->n; i++)
        fake_buf_printf(&b, "%c %016" PRIx64 " %lld\n", st->e[i].kind,
                        st->e[i].key, st->e[i].value);
    if (ftruncate(st->fd, 0) < 0 ||
        pwrite(st->fd, b.data ? b.data : "", b.len, 0) != (ssize_t)b.len)
        fake_msg_warn("state file %s: write failed", di_cfg.state_path);
    fake_buf_free(&b);
    close(st->fd);
    free(st->e);
}

static void
count_text(struct fake_buf *h, const char *name, long long n, int many)
{
    if (many || (di_cfg.many > 0 && n >= di_cfg.many))
        fake_buf_printf(h, " %s=many", name);
    else
        fake_buf_printf(h, " %s=%lld", name, n);
}

/* Greylisting: 1 when some recipient's triple is still embargoed. */
static int
greylist(unsigned long conn, struct di_state *st, const struct di_request *rq,
         const char *letters)
{
    long long now = (long long)time(NULL);
    int grey = 0;

    for (int i = 0; i < rq->nrcpts; i++) {
        struct fake_buf t;
        struct di_entry *e;
        uint64_t key;

        if (letters[i] != 0)
            continue; /* decided by a rule or whiteclnt */
        fake_buf_init(&t);
        fake_buf_printf(&t, "%s\n%s\n%s", rq->sender, rq->client, rq->rcpts[i]);
        for (size_t k = 0; k < t.len; k++)
            t.data[k] = (char)tolower((unsigned char)t.data[k]);
        key = fnv(FNV0, t.data, t.len);
        fake_buf_free(&t);
        e = state_find(st, 'g', key, now);
        if (now < e->value + di_cfg.greylist) {
            grey = 1;
            fake_transcript_event(
                conn, "greylist: %s embargoed (%lds after its first try)",
                rq->rcpts[i], di_cfg.greylist);
        } else
            fake_transcript_event(conn, "greylist: %s passed", rq->rcpts[i]);
    }
    return grey;
}

static void
header_build(struct di_answer *ans, int bulk, const long long *counts, int many,
             int fuz2)
{
    struct fake_buf *h = &ans->header;

    fake_buf_printf(h, "X-DCC-%s-Metrics: %s %s;%s", di_cfg.brand,
                    di_cfg.hostname, di_cfg.server_id, bulk ? " bulk" : "");
    count_text(h, "Body", counts[0], many);
    count_text(h, "Fuz1", counts[1], many);
    if (fuz2)
        count_text(h, "Fuz2", counts[2], many);
    fake_buf_addch(h, '\n');
}

static void
cksums_build(struct di_answer *ans, const uint64_t *sums,
             const long long *counts, int fuz2)
{
    static const char *const names[] = {"Body", "Fuz1", "Fuz2"};

    fake_buf_printf(&ans->cksums, "%-10s %-32s %s\n", "", "checksum", "server");
    for (int i = 0; i < (fuz2 ? 3 : 2); i++)
        fake_buf_printf(&ans->cksums,
                        "%-10s %016" PRIx64 "%016" PRIx64 " %lld\n", names[i],
                        sums[i], ~sums[i], counts[i]);
}

/* Per-recipient letters from rcpt rules and env_to entries (0: none). */
static char *
rcpt_letters(const struct di_request *rq)
{
    char *l = calloc((size_t)rq->nrcpts + 1, 1);

    for (int i = 0; i < rq->nrcpts; i++) {
        int w = di_white_rcpt(&di_cfg, rq->rcpts[i]);
        l[i] = di_rule_rcpt(&di_cfg, rq->rcpts[i]);
        if (l[i] == 0 && w >= 0)
            l[i] = w ? 'R' : 'A';
    }
    return l;
}

/* Overall from mixed recipients: A when one is accepted. */
static char
overall_of(const char *l, int n, char dflt)
{
    char first = 0;

    for (int i = 0; i < n; i++) {
        char c = l[i] ? l[i] : dflt;
        if (c == 'A')
            return 'A';
        if (!first)
            first = c;
    }
    return first ? first : dflt;
}

void
di_answer_decide(unsigned long conn, const struct di_request *rq,
                 const struct di_rule *rule, struct di_answer *ans)
{
    const char *body = rq->msg + rq->body_off;
    size_t blen = rq->msg_len - rq->body_off;
    int white = di_white_message(&di_cfg, rq), fuz2 = blen >= di_cfg.short_body;
    char *letters = rcpt_letters(rq), overall = 0, dflt;
    uint64_t sums[3];
    long long counts[3];
    int grey = 0, bulk = 0, report;
    struct di_state st;

    fake_buf_init(&ans->rcpts);
    fake_buf_init(&ans->header);
    fake_buf_init(&ans->cksums);
    for (int i = 0; i < 3; i++)
        sums[i] = checksum(body, blen, i, (char)('0' + i));
    state_open(&st);
    if (white == 0) { /* whitelisted: no counts, a header of its own */
        fake_transcript_event(conn, "whiteclnt: ok");
        fake_buf_printf(&ans->header, "X-DCC--Metrics: %s; whitelist\n",
                        di_cfg.hostname);
        overall = 'A';
        report = 0;
    } else {
        if (rule != NULL)
            overall = rule->verdict;
        if (white == 1) {
            fake_transcript_event(conn, "whiteclnt: many");
            overall = 'R';
            bulk = 1;
        }
        if (overall == 0 && di_cfg.greylist >= 0 &&
            !(rq->opts & DI_OPT_GREYOFF) && rq->nrcpts > 0)
            grey = greylist(conn, &st, rq, letters);
        if (overall == 0 && memchr(letters, 'G', (size_t)rq->nrcpts))
            grey = 1; /* one greylisted recipient holds up the message */
        report = !grey && !(rq->opts & DI_OPT_QUERY) && rq->nrcpts > 0;
        for (int i = 0; i < 3; i++) {
            struct di_entry *e = state_find(&st, 'c', sums[i], 0);
            if (report)
                e->value += rq->nrcpts;
            /* a greylisted message shows what it would count */
            counts[i] = e->value + (grey ? rq->nrcpts : 0);
            if (di_cfg.threshold > 0 && counts[i] >= di_cfg.threshold)
                bulk = 1;
        }
        if (grey)
            overall = 'G';
        else if (overall == 0 && bulk)
            overall = 'R';
        header_build(ans, bulk, counts, white == 1, fuz2);
        if (rq->opts & DI_OPT_CKSUMS)
            cksums_build(ans, sums, counts, fuz2);
    }
    state_close(&st);
    dflt = overall ? overall : 'A';
    if (dflt == 'T')
        dflt = 'R'; /* as dccifd -x answers with its server down */
    if (dflt == 'S')
        dflt = 'A';
    for (int i = 0; i < rq->nrcpts; i++)
        fake_buf_addch(&ans->rcpts, grey         ? 'G'
                                    : letters[i] ? letters[i]
                                                 : dflt);
    ans->overall = overall ? overall : overall_of(letters, rq->nrcpts, 'A');
    free(letters);
}

/* The message with the header added before its empty line. */
static void
wire_body(const struct di_request *rq, const struct di_answer *ans,
          struct fake_buf *wire)
{
    const char *p = rq->msg, *end = rq->msg + rq->hdr_len;
    int crlf = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        int skip = strncasecmp(p, "X-DCC", 5) == 0;
        crlf = nl != NULL && nl > p && nl[-1] == '\r';
        /* continuation lines of a dropped header go with it */
        while (skip && next < end && (*next == ' ' || *next == '\t')) {
            nl = memchr(next, '\n', (size_t)(end - next));
            next = nl ? nl + 1 : end;
        }
        if (!skip)
            fake_buf_append(wire, p, (size_t)(next - p));
        p = next;
    }
    fake_buf_append(wire, ans->header.data, ans->header.len - 1);
    fake_buf_puts(wire, crlf ? "\r\n" : "\n");
    fake_buf_append(wire, rq->msg + rq->hdr_len, rq->msg_len - rq->hdr_len);
}

void
di_answer_wire(const struct di_request *rq, const struct di_answer *ans,
               struct fake_buf *wire)
{
    fake_buf_printf(wire, "%c\n", ans->overall);
    if (ans->rcpts.len > 0)
        fake_buf_append(wire, ans->rcpts.data, ans->rcpts.len);
    fake_buf_addch(wire, '\n');
    if (rq->opts & DI_OPT_BODY)
        wire_body(rq, ans, wire);
    else if (rq->opts & (DI_OPT_HEADER | DI_OPT_CKSUMS)) {
        if (ans->header.len > 0)
            fake_buf_append(wire, ans->header.data, ans->header.len);
        if (ans->cksums.len > 0)
            fake_buf_append(wire, ans->cksums.data, ans->cksums.len);
        fake_buf_addch(wire, '\n');
    }
}
