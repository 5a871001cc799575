/*++
 * NAME
 *	fuzz-fake-xclient 1
 * SUMMARY
 *	libFuzzer target for fake-xclient-proxy's script parser
 * SYNOPSIS
 *	make fuzz-fake-xclient [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is a fake-xclient-proxy script (docs/fakes.md), written
 *	to a file and read by proxy_script_load() (fakes/xclient-proxy/
 *	script.c, on the shared reader fakes/common/fake_script.c), whose
 *	files are compiled in here. A bad script ends in the fake's
 *	"FILE:LINE: message" and exit, which harness/fuzz/fake_fuzz.h
 *	turns into a return. Beyond the sanitizers it checks that the
 *	user and attribute tables stay within their bounds.
 *--*/

#include "fake_fuzz.h"

#include "../../fakes/common/fake_buf.c"
#include "../../fakes/common/fake_msg.c"
#include "../../fakes/common/fake_script.c"
#include "../../fakes/xclient-proxy/script.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct proxy_config cfg;
    const char *path;

    if (size > 16 * 1024)
        return 0;
    path = fz_write_script(data, size);
    memset(&cfg, 0, sizeof(cfg));
    if (setjmp(fz_jmp) == 0) {
        proxy_script_load(path, &cfg);
        if (cfg.nusers < 0 || cfg.nusers > PROXY_MAX_USERS || cfg.nattrs < 0 ||
            cfg.nattrs > PROXY_MAX_ATTRS)
            abort();
    }
    fz_reset();
    return 0;
}
