/*++
 * NAME
 *	fake_fault 3
 * SUMMARY
 *	fault modes, and sending a reply under them
 * SYNOPSIS
 *	#include "fake_fault.h"
 *
 *	extern const char fake_fault_help[];
 *
 *	int	fake_fault_parse(const char *text, struct fake_fault *f)
 *	int	fake_action_parse(const char *word, struct fake_action *a)
 *	int	fake_fault_respond(struct fake_conn *c,
 *				const struct fake_action *a,
 *				const char *wire, size_t len, const char *last)
 * DESCRIPTION
 *	Every fake misbehaves the same ways, on the whole server (option
 *	--fault) or, where its script allows, for one reply:
 *
 *	refuse	accept each connection and close it at once
 *	reset	accept each connection and reset it (TCP RST)
 *	nolisten	do not listen at all (connections are refused by
 *		the kernel); the fake still runs and writes its pid file
 *	hang	accept, then never answer (what the peer sends is still
 *		recorded) until the peer gives up or the I/O time-out
 *	slow=MS	delay each reply by MS milliseconds
 *	garbage	send junk that is no valid reply instead of each reply
 *	close-mid-reply	send the first part of the reply, without its
 *		line ending, then close
 *	oversize	send each reply with its last line made longer by
 *		FAKE_HUGE_PAD (100,000) bytes of "x" before its line
 *		ending; the padding is not copied to the transcript,
 *		an event line says it was sent
 *
 *	fake_fault_parse() reads a mode as written on the command line.
 *	fake_fault_help is the text --help shows for them.
 *
 *	A fake_action is what a script asks for one reply: the reply
 *	itself (FAKE_ACT_REPLY), drop (close without replying), hang,
 *	garbage, close-mid-reply or oversize, and a delay (delay=MS)
 *	before it.
 *	fake_action_parse() recognises one such word and updates a; it
 *	returns 0 for a word that is neither.
 *
 *	fake_fault_respond() sends one reply (wire: the bytes, with line
 *	endings) on c as action a says, after a's delay plus the server's
 *	slow delay; a server-wide hang, garbage or close-mid-reply applies
 *	to every reply a script does not already fault. Everything sent is
 *	recorded in the transcript, and so is the fault. A last reply
 *	(last not NULL: a 221, a 421, a reply after which the script drops
 *	the connection) is sent with fake_conn_send_last(), last being the
 *	event recorded.
 * DIAGNOSTICS
 *	fake_fault_parse() and fake_action_parse() return -1 for a bad
 *	delay. fake_fault_respond() returns FAKE_IO_OK when the session can
 *	go on, otherwise the reason it is over (FAKE_IO_CLOSED when the
 *	fake closed on purpose).
 *--*/

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fake_conn.h"
#include "fake_fault.h"
#include "fake_transcript.h"
#include "fake_wait.h"

const char fake_fault_help[] =
    "  refuse           accept each connection and close it at once\n"
    "  reset            accept each connection and reset it (TCP RST)\n"
    "  nolisten         do not listen: connections are refused\n"
    "  hang             accept, then never answer\n"
    "  slow=MS          delay each reply by MS milliseconds\n"
    "  garbage          send junk instead of each reply\n"
    "  close-mid-reply  send part of the first reply, then close\n"
    "  oversize         pad each reply's last line with 100000 bytes\n";

/* Junk no line-based protocol takes for a reply: no code, odd
 * punctuation, a lone CR in the middle. Printable otherwise, so that the
 * clients' own transcripts stay readable. */
static const char fake_garbage[] = "}}garbage{{ ~no reply here~ \r%%$$##\r\n";

static int
fake_parse_ms(const char *text, long *ms)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > 3600L * 1000)
        return -1;
    *ms = v;
    return 0;
}

int
fake_fault_parse(const char *text, struct fake_fault *f)
{
    static const struct {
        const char *name;
        int mode;
    } modes[] = {
        {"refuse", FAKE_FAULT_REFUSE},     {"reset", FAKE_FAULT_RESET},
        {"nolisten", FAKE_FAULT_NOLISTEN}, {"hang", FAKE_FAULT_HANG},
        {"garbage", FAKE_FAULT_GARBAGE},   {"close-mid-reply", FAKE_FAULT_CUT},
        {"oversize", FAKE_FAULT_HUGE},     {"none", FAKE_FAULT_NONE},
    };
    size_t i;

    f->delay_ms = 0;
    if (strncmp(text, "slow=", 5) == 0) {
        f->mode = FAKE_FAULT_SLOW;
        return fake_parse_ms(text + 5, &f->delay_ms);
    }
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(text, modes[i].name) == 0) {
            f->mode = modes[i].mode;
            return 0;
        }
    }
    return -1;
}

int
fake_action_parse(const char *word, struct fake_action *a)
{
    if (strncmp(word, "delay=", 6) == 0)
        return fake_parse_ms(word + 6, &a->delay_ms) < 0 ? -1 : 1;
    if (strcmp(word, "drop") == 0)
        a->kind = FAKE_ACT_DROP;
    else if (strcmp(word, "hang") == 0)
        a->kind = FAKE_ACT_HANG;
    else if (strcmp(word, "garbage") == 0)
        a->kind = FAKE_ACT_GARBAGE;
    else if (strcmp(word, "close-mid-reply") == 0)
        a->kind = FAKE_ACT_CUT;
    else if (strcmp(word, "oversize") == 0)
        a->kind = FAKE_ACT_HUGE;
    else
        return 0;
    return 1;
}

/* How long into the reply close-mid-reply cuts: half its last line. */
static size_t
fake_cut_length(const char *wire, size_t len)
{
    size_t end = len, start;

    while (end > 0 && (wire[end - 1] == '\n' || wire[end - 1] == '\r'))
        end--;
    start = end;
    while (start > 0 && wire[start - 1] != '\n')
        start--;
    return start + ((end - start) + 1) / 2;
}

static int
fake_fault_kind(const struct fake_conn *c, const struct fake_action *a)
{
    if (a->kind != FAKE_ACT_REPLY)
        return a->kind;
    switch (c->fault.mode) {
    case FAKE_FAULT_HANG:
        return FAKE_ACT_HANG;
    case FAKE_FAULT_GARBAGE:
        return FAKE_ACT_GARBAGE;
    case FAKE_FAULT_CUT:
        return FAKE_ACT_CUT;
    case FAKE_FAULT_HUGE:
        return FAKE_ACT_HUGE;
    }
    return FAKE_ACT_REPLY;
}

/* The reply with FAKE_HUGE_PAD bytes of "x" before its final line
 * ending. The transcript gets the reply as it would have been and an
 * event for the padding. */
static int
fake_send_huge(struct fake_conn *c, const char *wire, size_t len,
               const char *last)
{
    static const char pad[] =
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    size_t end = len, done = 0;
    int rc;

    while (end > 0 && (wire[end - 1] == '\n' || wire[end - 1] == '\r'))
        end--;
    fake_transcript_lines(c->id, FAKE_TR_SENT, wire, len);
    fake_transcript_event(c->id,
                          "fault: oversize, %d bytes added to the last line",
                          FAKE_HUGE_PAD);
    if ((rc = fake_conn_write(c, wire, end)) != FAKE_IO_OK)
        return rc;
    while (done < FAKE_HUGE_PAD) {
        size_t n = FAKE_HUGE_PAD - done;
        if (n > sizeof(pad) - 1)
            n = sizeof(pad) - 1;
        if ((rc = fake_conn_write(c, pad, n)) != FAKE_IO_OK)
            return rc;
        done += n;
    }
    if ((rc = fake_conn_write(c, wire + end, len - end)) != FAKE_IO_OK)
        return rc;
    if (last == NULL)
        return FAKE_IO_OK;
    fake_transcript_event(c->id, "%s", last);
    c->ended = 1;
    return FAKE_IO_CLOSED;
}

int
fake_fault_respond(struct fake_conn *c, const struct fake_action *a,
                   const char *wire, size_t len, const char *last)
{
    long long delay = a->delay_ms;
    size_t cut;
    int rc;

    if (c->fault.mode == FAKE_FAULT_SLOW)
        delay += c->fault.delay_ms;
    if (delay > 0 && fake_sleep_ms(delay) == FAKE_WAIT_TERM)
        return FAKE_IO_TERM;
    switch (fake_fault_kind(c, a)) {
    case FAKE_ACT_DROP:
        fake_transcript_event(c->id, "fault: drop, closing without a reply");
        c->ended = 1;
        return FAKE_IO_CLOSED;
    case FAKE_ACT_HANG:
        fake_transcript_event(c->id, "fault: hang, no reply");
        return fake_conn_drain(c);
    case FAKE_ACT_GARBAGE:
        fake_transcript_event(c->id, "fault: garbage instead of a reply");
        return fake_conn_send(c, fake_garbage, sizeof(fake_garbage) - 1);
    case FAKE_ACT_HUGE:
        return fake_send_huge(c, wire, len, last);
    case FAKE_ACT_CUT:
        cut = fake_cut_length(wire, len);
        rc = fake_conn_send_last(c, wire, cut, "fault: closing mid-reply");
        return rc == FAKE_IO_OK ? FAKE_IO_CLOSED : rc;
    }
    if (last) {
        rc = fake_conn_send_last(c, wire, len, last);
        return rc == FAKE_IO_OK ? FAKE_IO_CLOSED : rc;
    }
    return fake_conn_send(c, wire, len);
}
