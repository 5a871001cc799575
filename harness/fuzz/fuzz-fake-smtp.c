/*++
 * NAME
 *	fuzz-fake-smtp 1
 * SUMMARY
 *	libFuzzer target for fake-smtp's script parser
 * SYNOPSIS
 *	make fuzz-fake-smtp [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is a fake-smtp behaviour script (docs/fakes.md): it is
 *	written to a file and read by smtp_script_load() (fakes/smtp/
 *	smtp_script.c, on top of the shared script reader fakes/common/
 *	fake_script.c and the fault-mode words of fake_fault.c), whose
 *	files are compiled in here. A bad script ends in the fake's
 *	"FILE:LINE: message" and exit, which harness/fuzz/fake_fuzz.h
 *	turns into a return; anything the sanitizers report is a bug.
 *	The input is also read as a --fault argument (fake_fault_parse).
 *	A script that loads must give every rule a reply or an action.
 *--*/

#include "fake_fuzz.h"

#include "../../fakes/common/fake_buf.c"
#include "../../fakes/common/fake_fault.c"
#include "../../fakes/common/fake_msg.c"
#include "../../fakes/common/fake_script.c"
#include "../../fakes/smtp/smtp_script.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fake_fault.c's replies go through the connection layer, which a
 * script parser never reaches: stubs, so that the rest of the fake
 * need not be linked in. */
int
fake_conn_send(struct fake_conn *c, const char *p, size_t n)
{
    (void)c, (void)p, (void)n;
    abort();
}

int
fake_conn_write(struct fake_conn *c, const char *p, size_t n)
{
    (void)c, (void)p, (void)n;
    abort();
}

void
fake_transcript_lines(unsigned long conn, int dir, const char *p, size_t n)
{
    (void)conn, (void)dir, (void)p, (void)n;
    abort();
}

int
fake_conn_drain(struct fake_conn *c)
{
    (void)c;
    abort();
}

int
fake_conn_send_last(struct fake_conn *c, const char *p, size_t n,
                    const char *how)
{
    (void)c, (void)p, (void)n, (void)how;
    abort();
}

int
fake_sleep_ms(long long ms)
{
    (void)ms;
    abort();
}

void
fake_transcript_event(unsigned long conn, const char *fmt, ...)
{
    (void)conn, (void)fmt;
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct smtp_script s;
    const char *path;

    if (size > 16 * 1024)
        return 0;
    path = fz_write_script(data, size);
    if (setjmp(fz_jmp) == 0) {
        struct fake_fault f;
        char *text = malloc(size + 1);

        memcpy(text, data, size);
        text[size] = '\0';
        memset(&f, 0, sizeof(f));
        (void)fake_fault_parse(text, &f);
        smtp_script_load(path, &s);
        if (s.nrules < 0 || s.ndrops < 0 || s.nkeywords < 0)
            abort();
    }
    fz_reset();
    return 0;
}
