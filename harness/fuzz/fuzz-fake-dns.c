/*++
 * NAME
 *	fuzz-fake-dns 1
 * SUMMARY
 *	libFuzzer target for fake-dns's zone reader and query parser
 * SYNOPSIS
 *	make fuzz-fake-dns [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is read twice by fakes/dns/zone.c, compiled in here:
 *	as a zone file (fdns_zone_load: "NAME [TTL] TYPE DATA" lines and
 *	the fault modes) and as a query from the network, answered by
 *	fdns_answer() against a small fixed zone, over UDP and over TCP.
 *	A bad zone line ends in fake-dns's "FILE:LINE: message" and exit,
 *	which harness/fuzz/fake_fuzz.h turns into a return. Beyond the
 *	sanitizers it checks that an answer fits the buffer (512 bytes
 *	over UDP) and that the transcript note is a terminated string.
 *--*/

#include "fake_fuzz.h"

#include "../../fakes/dns/zone.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void
fdns_die(const char *fmt, ...)
{
    (void)fmt;
    exit(2);
}

static const char zone_text[] = "test.ex A 192.0.2.1\n"
                                "test.ex MX 10 mx.test.ex\n"
                                "test.ex TXT \"v=spf1 -all\" \"second\"\n"
                                "*.wild.test.ex AAAA 2001:db8::1\n"
                                "alias.test.ex CNAME test.ex\n"
                                "fail.test.ex servfail\n"
                                "big.test.ex truncate\n"
                                "1.2.0.192.in-addr.arpa PTR test.ex\n";

static struct fdns_zone fixed;

static void
answer(const uint8_t *q, size_t n, int udp)
{
    static unsigned char out[FDNS_MSG_MAX];
    char note[FDNS_NOTE_MAX];
    size_t len, cap = udp ? FDNS_UDP_MAX : sizeof(out);

    note[0] = '\0';
    len = fdns_answer(&fixed, q, n, udp, out, cap, note, sizeof(note));
    if (len > cap || memchr(note, '\0', sizeof(note)) == NULL)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdns_zone z;
    const char *path;

    if (size > 16 * 1024)
        return 0;
    if (fixed.n == 0) {
        path =
            fz_write_script((const uint8_t *)zone_text, sizeof(zone_text) - 1);
        if (setjmp(fz_jmp) != 0)
            abort();
        /* Loaded once, and kept: not tracked. */
        fdns_zone_load(&fixed, path);
        fz_nlive = 0;
    }
    answer(data, size, 1);
    answer(data, size, 0);
    path = fz_write_script(data, size);
    if (setjmp(fz_jmp) == 0)
        fdns_zone_load(&z, path);
    fz_reset();
    return 0;
}
