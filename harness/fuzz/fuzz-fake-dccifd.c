/*++
 * NAME
 *	fuzz-fake-dccifd 1
 * SUMMARY
 *	libFuzzer target for fake-dccifd's rules and whiteclnt parsers
 * SYNOPSIS
 *	make fuzz-fake-dccifd [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is written to a file and read twice: as a fake-dccifd
 *	rules script by di_script_load() and as a whiteclnt file by
 *	di_whiteclnt_load() (fakes/dccifd/script.c, on the shared reader
 *	fakes/common/fake_script.c), whose files are compiled in here. A
 *	bad file ends in the fake's "FILE:LINE: message" and exit, which
 *	harness/fuzz/fake_fuzz.h turns into a return; anything the
 *	sanitizers report is a bug, and so is running out of memory (a
 *	regex's repetitions once took it past 2 GB: fakes/common/fake_regex.c
 *	now bounds them).
 *--*/

#include "fake_fuzz.h"

#include "../../fakes/common/fake_buf.c"
#include "../../fakes/common/fake_msg.c"
#include "../../fakes/common/fake_regex.c"
#include "../../fakes/common/fake_script.c"
#include "../../fakes/dccifd/script.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct di_config cfg;
    const char *path;

    if (size > 16 * 1024)
        return 0;
    path = fz_write_script(data, size);
    memset(&cfg, 0, sizeof(cfg));
    if (setjmp(fz_jmp) == 0)
        di_script_load(path, &cfg);
    /* regcomp()'s memory is libc's, not tracked by fz_reset(). */
    for (int i = 0; i < cfg.nrules; i++)
        if (cfg.rules[i].compiled)
            regfree(&cfg.rules[i].re);
    fz_reset();
    memset(&cfg, 0, sizeof(cfg));
    if (setjmp(fz_jmp) == 0)
        di_whiteclnt_load(path, &cfg);
    fz_reset();
    return 0;
}
