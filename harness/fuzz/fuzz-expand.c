/*++
 * NAME
 *	fuzz-expand 1
 * SUMMARY
 *	libFuzzer target for the string expansion engine
 * SYNOPSIS
 *	make fuzz-expand [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is expanded as a string (and then as a condition) with
 *	a small message loaded, so that header variables and the body are
 *	reached too. The result size limit is lowered to 1 MB so that
 *	blow-ups are found as errors quickly. ${run} stays off (the
 *	default), so an input cannot start programs, and ${lookup dnsdb}
 *	queries go to a closed port on the loopback (refused at once), so
 *	an input cannot reach the network or wait for a DNS time-out.
 *
 *	Anything the sanitizers report, a crash, or an input that takes
 *	longer than the time-out is a bug in the engine.
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns.h"
#include "expand/betest.h"
#include "expand/expand.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] =
    "From: Joe <joe@example.com>\n"
    "To: a@test.ex, \"B: c\" <b@test.ex>\n"
    "Subject: =?utf-8?Q?caf=C3=A9?= test\n"
    "ARC-Authentication-Results: i=2; test.ex; arc=pass\n"
    "ARC-Authentication-Results: i=1; other.ex;\n"
    "\tspf=pass\n"
    "\n"
    "Body line one.\n"
    "Body line two.\n";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return dns_set_server("127.0.0.1 1", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    struct expand_ctx ctx;
    struct expand_message msg;
    char *in, *out;
    gstr err;
    int truth;

    if (size > 64 * 1024)
        return 0;
    a = arena_create();
    in = arena_alloc(a, size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    expand_ctx_init(&ctx, a);
    /* Results bounded at 64 KiB: large enough for every expansion item,
     * small enough that nested list items (map, reduce, filter) over
     * big strings stay fast (a 1 MiB bound let one input take 1.5 s of
     * CPU and, on a loaded machine, pass the 10 s time-out). */
    ctx.max_size = 64 * 1024;
    expand_message_load(a, message, sizeof(message) - 1, &msg);
    ctx.msg = &msg;
    expand_set_var(&ctx, "sender_host_address", "192.0.2.7");
    expand_set_acl_var(&ctx, "acl_m_x", "value");
    gstr_init(&err, a);
    (void)expand_string(&ctx, in, &out, &err);
    gstr_truncate(&err, 0);
    (void)expand_condition(&ctx, in, &truth, &err);
    arena_destroy(a);
    return 0;
}
