/*++
 * NAME
 *	fuzz-dns 1
 * SUMMARY
 *	libFuzzer target for the DNS reply parser
 * SYNOPSIS
 *	make fuzz-dns [FUZZ_SECONDS=60]
 * DESCRIPTION
 *	Each input is a DNS message as it would come from the server,
 *	over UDP or (without the length prefix) TCP: dns_wire_parse()
 *	reads its header, questions and answers, dns_wire_rdata()
 *	interprets each answer's data (A, AAAA, MX, TXT, CNAME, PTR, NS,
 *	SOA, SRV and anything else), as dns_lookup() does with every
 *	reply (src/dns/dns_wire.c). The input is also read as the text of
 *	a resolv.conf (dns_conf_parse_resolv) and as a dns_server value
 *	(dns_conf_parse_server).
 *
 *	Beyond what the sanitizers catch it checks: every answer's data
 *	lies inside the message; a name read from the message is at most
 *	DNS_TEXT_MAX bytes; an interpreted record's text and strings have
 *	no NUL before their end and no CR or LF (they reach logs and
 *	expansions). A failure is an abort().
 *--*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dns/dns_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *s)
{
    if (s != NULL && (strlen(s) > 64 * 1024 || strpbrk(s, "\r\n") != NULL))
        abort();
}

static void
check_rr(const struct dns_rr *r)
{
    check_text(r->owner);
    if (r->type != DNS_T_TXT && r->type != DNS_T_SPF)
        check_text(r->text);
    if (r->type != DNS_T_TXT && r->type != DNS_T_SPF && r->strings != NULL)
        for (size_t i = 0; i < r->nstrings; i++)
            check_text(r->strings[i]);
}

static void
parse_message(struct arena *a, const uint8_t *data, size_t size)
{
    struct dns_msg m;
    gstr err;

    gstr_init(&err, a);
    if (dns_wire_parse(a, data, size, &m, &err) != 0)
        return;
    if (m.qname != NULL && strlen(m.qname) > DNS_TEXT_MAX)
        abort();
    for (size_t i = 0; i < m.nanswers; i++) {
        const struct dns_wire_rr *w = &m.answers[i];
        struct dns_rr r;

        if (w->rdoff > size || w->rdlen > size - w->rdoff)
            abort();
        if (strlen(w->name) > DNS_TEXT_MAX)
            abort();
        memset(&r, 0, sizeof(r));
        if (dns_wire_rdata(a, &m, w, &r) == 0)
            check_rr(&r);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a;
    struct dns_conf c;
    char *text;
    gstr err;

    if (size > DNS_MSG_MAX)
        return 0;
    a = arena_create();
    parse_message(a, data, size);
    text = arena_alloc(a, size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&c, 0, sizeof(c));
    (void)dns_conf_parse_resolv(text, &c);
    if (c.nservers < 0 || c.nservers > DNS_MAX_SERVERS)
        abort();
    gstr_init(&err, a);
    memset(&c, 0, sizeof(c));
    (void)dns_conf_parse_server(text, &c, &err);
    arena_destroy(a);
    return 0;
}
