/*++
 * NAME
 *	fuzz-address 1
 * SUMMARY
 *	libFuzzer target for the address parsers
 * SYNOPSIS
 *	make fuzz-address [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is parsed by every address parser mxlab has:
 *
 *	as the argument of MAIL FROM: and RCPT TO: (smtp_parse_path,
 *	src/smtp/address.c: RFC 5321 paths, quoted local parts, source
 *	routes, the ESMTP parameters that follow);
 *
 *	as a header's address list (addr_find_end and addr_extract,
 *	src/receive/addr.c: RFC 5322 mailboxes and groups, comments,
 *	quoted strings, what -t and the header checks use), each address
 *	then qualified (addr_qualify).
 *
 *	Beyond what the sanitizers catch it checks: addr_find_end() stays
 *	inside the string and moves forward; a path that parses has no
 *	NUL, CR or LF in its address, and an address from a header has no
 *	CR or LF either; has_domain agrees with the address; a parsed
 *	path parses again to the same address. A failure is an abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "receive/addr.h"
#include "smtp/address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(struct arena *a, const char *in, int allow_null)
{
    struct smtp_path p, again;
    gstr err, back;

    gstr_init(&err, a);
    if (smtp_parse_path(a, in, allow_null, &p, &err) != 0)
        return;
    if (p.address == NULL || strpbrk(p.address, "\r\n") != NULL)
        abort();
    if (p.has_domain && strchr(p.address, '@') == NULL)
        abort();
    /* The address, put back in brackets, must read the same way. */
    gstr_init(&back, a);
    gstr_printf(&back, "<%s>", p.address);
    gstr_truncate(&err, 0);
    if (smtp_parse_path(a, gstr_str(&back), allow_null, &again, &err) == 0 &&
        strcmp(again.address, p.address) != 0)
        abort();
}

static void
check_header_list(struct arena *a, const char *in, size_t size)
{
    const char *s = in, *end = in + size;

    while (s < end && *s != '\0') {
        const char *e = addr_find_end(s);
        const char *why = NULL;
        int has_domain = 0;
        char *addr;

        if (e < s || e > end)
            abort();
        addr = addr_extract(a, s, (size_t)(e - s), &has_domain, &why);
        if (addr == NULL) {
            if (why == NULL)
                abort();
        } else {
            if (strchr(addr, '\n') != NULL)
                abort();
            if (has_domain && strchr(addr, '@') == NULL)
                abort();
            if (*addr != '\0' && addr_qualify(a, addr, "test.ex") == NULL)
                abort();
        }
        if (*e == '\0')
            break;
        s = e + 1;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    char *in;

    if (size > 16 * 1024)
        return 0;
    a = arena_create();
    in = arena_alloc(a, size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    check_path(a, in, 1);
    check_path(a, in, 0);
    check_header_list(a, in, strlen(in));
    arena_destroy(a);
    return 0;
}
