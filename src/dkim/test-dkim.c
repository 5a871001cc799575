/*++
 * NAME
 *	test-dkim 1
 * SUMMARY
 *	unit tests for src/dkim
 * DESCRIPTION
 *	Table-driven Check tests: relaxed header canonicalisation, the
 *	body canonicalisations (as the digest of the canonical text), the
 *	DKIM-Signature and key-record parsers, and whole verifications of
 *	the RFC 8463 Appendix A message (one Ed25519 and one RSA signature
 *	over the RFC 6376 example), intact and changed, with the keys served
 *	through dkim_txt_hook instead of DNS.
 *--*/

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/b64.h"
#include "base/gstr.h"
#include "dkim/dkim.h"
#include "dkim/dkim_sign.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *label;
    const char *in;
    const char *out;
} relax_cases[] = {
    {"name lower-cased", "SubJect: Hi\r\n", "subject:Hi\r\n"},
    {"space around colon", "Subject :  Hi\r\n", "subject:Hi\r\n"},
    {"runs of white space", "Subject: a \t b\r\n", "subject:a b\r\n"},
    {"fold unfolded", "Subject: a\r\n\tb\r\n", "subject:a b\r\n"},
    {"trailing space", "Subject: a  \r\n", "subject:a\r\n"},
    {"value case kept", "To: Bob <BOB@x>\r\n", "to:Bob <BOB@x>\r\n"},
    {"empty value", "Cc:\r\n", "cc:\r\n"},
};

START_TEST(test_relax_header)
{
    struct arena *a = arena_create();
    const char *in = relax_cases[_i].in;
    size_t n;
    char *out = dkim_relax_header(a, in, strlen(in) - 2, 1, &n);

    ck_assert_msg(strcmp(out, relax_cases[_i].out) == 0, "%s: got \"%s\"",
                  relax_cases[_i].label, out);
    ck_assert_uint_eq(n, strlen(relax_cases[_i].out));
    arena_destroy(a);
}
END_TEST

/* Body lines separated by "|" (without line endings), the
 * canonicalisation, l=, and the canonical text expected. */
static const struct {
    const char *label;
    const char *lines;
    int canon;
    long limit;
    const char *canonical;
} body_cases[] = {
    {"simple as is", "a  b|c", DKIM_CANON_SIMPLE, -1, "a  b\r\nc\r\n"},
    {"simple trailing empty lines", "a||", DKIM_CANON_SIMPLE, -1, "a\r\n"},
    {"simple inner empty lines kept", "a||b", DKIM_CANON_SIMPLE, -1,
     "a\r\n\r\nb\r\n"},
    {"simple empty body", NULL, DKIM_CANON_SIMPLE, -1, "\r\n"},
    {"simple only empty lines", "||", DKIM_CANON_SIMPLE, -1, "\r\n"},
    {"relaxed runs", "a \t b", DKIM_CANON_RELAXED, -1, "a b\r\n"},
    {"relaxed trailing white space", "a  \t", DKIM_CANON_RELAXED, -1, "a\r\n"},
    {"relaxed blank lines at end", "a| |\t", DKIM_CANON_RELAXED, -1, "a\r\n"},
    {"relaxed blank line inside", "a| |b", DKIM_CANON_RELAXED, -1,
     "a\r\n\r\nb\r\n"},
    {"relaxed empty body", NULL, DKIM_CANON_RELAXED, -1, ""},
    {"l= cuts", "abcdef|ghi", DKIM_CANON_SIMPLE, 4, "abcd"},
    {"l= longer than body", "ab", DKIM_CANON_RELAXED, 100, "ab\r\n"},
    {"l=0", "ab", DKIM_CANON_RELAXED, 0, ""},
};

START_TEST(test_body)
{
    struct arena *a = arena_create();
    struct dkim_body *b = dkim_body_new(a, body_cases[_i].canon,
                                        DKIM_HASH_SHA256, body_cases[_i].limit);
    const char *p = body_cases[_i].lines;
    const unsigned char *got;
    unsigned char want[64];
    size_t gotlen, wantlen;

    while (p != NULL) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        dkim_body_line(b, p, n);
        p = bar ? bar + 1 : NULL;
    }
    dkim_body_finish(b, &got, &gotlen);
    wantlen = dkim_digest(DKIM_HASH_SHA256, body_cases[_i].canonical,
                          strlen(body_cases[_i].canonical), want);
    ck_assert_uint_eq(gotlen, 32);
    ck_assert_msg(gotlen == wantlen && memcmp(got, want, wantlen) == 0,
                  "%s: wrong body hash", body_cases[_i].label);
    ck_assert_uint_eq(dkim_body_hashed(b), strlen(body_cases[_i].canonical));
    dkim_body_free(b);
    arena_destroy(a);
}
END_TEST

/* Fields of the parsed signature, "|"-joined: a=, c=, d=, s=, i=, h=,
 * l=, x=, b= length, bh= length, and the field without b='s value. */
static const struct {
    const char *label;
    const char *field;
    const char *expect; /* NULL: the parser drops the signature */
} sig_cases[] = {
    {"plain",
     "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=test.ex; "
     "s=sel; h=from:to; bh=AAAA; b=AAAA",
     "rsa-sha256|relaxed/simple|test.ex|sel|-|from:to|-1|0|3|3|"
     "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple; d=test.ex; "
     "s=sel; h=from:to; bh=AAAA; b="},
    {"folded, spaces in values",
     "DKIM-Signature: v=1; a=ed25519-sha256;\r\n c=relaxed;\r\n\td=test.ex; "
     "s=sel; h=from : to\r\n : subject; bh=AA AA; b=AA\r\n AA;",
     "ed25519-sha256|relaxed/simple|test.ex|sel|-|from:to:subject|-1|0|3|3|"
     "DKIM-Signature: v=1; a=ed25519-sha256;\r\n c=relaxed;\r\n\td=test.ex; "
     "s=sel; h=from : to\r\n : subject; bh=AA AA; b=;"},
    {"i= quoted-printable, l= and x=",
     "DKIM-Signature: v=1; a=rsa-sha1; d=x.ex; s=s; i=a=40x.ex; l=10; "
     "x=99; h=from; bh=AAAA; b=AAAA",
     "rsa-sha1|simple/simple|x.ex|s|a@x.ex|from|10|99|3|3|"
     "DKIM-Signature: v=1; a=rsa-sha1; d=x.ex; s=s; i=a=40x.ex; l=10; "
     "x=99; h=from; bh=AAAA; b="},
    {"unknown tags ignored",
     "DKIM-Signature: v=1; a=rsa-sha256; zz=1; d=x.ex; s=s; h=from; "
     "bh=AAAA; b=AAAA",
     "rsa-sha256|simple/simple|x.ex|s|-|from|-1|0|3|3|"
     "DKIM-Signature: v=1; a=rsa-sha256; zz=1; d=x.ex; s=s; h=from; "
     "bh=AAAA; b="},
    {"bad canon keeps simple",
     "DKIM-Signature: a=rsa-sha256; c=relaxed/nonsense; d=x.ex; s=s; "
     "h=from; bh=AAAA; b=AAAA",
     "rsa-sha256|simple/simple|x.ex|s|-|from|-1|0|3|3|"
     "DKIM-Signature: a=rsa-sha256; c=relaxed/nonsense; d=x.ex; s=s; "
     "h=from; bh=AAAA; b="},
    {"bad base64 in b=",
     "DKIM-Signature: v=1; a=rsa-sha256; d=x.ex; s=s; h=from; bh=AAAA; "
     "b=!!!!",
     "rsa-sha256|simple/simple|x.ex|s|-|from|-1|0|-|3|"
     "DKIM-Signature: v=1; a=rsa-sha256; d=x.ex; s=s; h=from; bh=AAAA; b="},
    {"unknown hash", "DKIM-Signature: v=1; a=rsa-sha384; d=x.ex; s=s", NULL},
    {"unknown key type", "DKIM-Signature: v=1; a=dsa-sha256; d=x.ex; s=s",
     NULL},
    {"no a=", "DKIM-Signature: v=1; d=x.ex; s=s; h=from; bh=AAAA; b=AAAA",
     NULL},
};

START_TEST(test_sig_parse)
{
    struct arena *a = arena_create();
    const char *f = sig_cases[_i].field;
    struct dkim_sig *s = dkim_sig_parse(a, f, strlen(f));
    gstr g;

    if (sig_cases[_i].expect == NULL) {
        ck_assert_msg(s == NULL, "%s: not dropped", sig_cases[_i].label);
        arena_destroy(a);
        return;
    }
    ck_assert_msg(s != NULL, "%s: dropped", sig_cases[_i].label);
    gstr_init(&g, a);
    gstr_printf(&g, "%s|%s/%s|%s|%s|%s|%s|%ld|%lu|", dkim_sig_algo(a, s),
                s->canon_headers == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                s->canon_body == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                s->domain, s->selector, s->identity ? s->identity : "-",
                s->headernames, s->bodylength, s->expires);
    if (s->b)
        gstr_printf(&g, "%zu|", s->b_len);
    else
        gstr_adds(&g, "-|");
    gstr_printf(&g, "%zu|%s", s->bh_len, s->raw_no_b);
    ck_assert_msg(strcmp(gstr_str(&g), sig_cases[_i].expect) == 0, "%s: got %s",
                  sig_cases[_i].label, gstr_str(&g));
    arena_destroy(a);
}
END_TEST

/* version|k|g|s|h|t flags|key length, or NULL for no key. */
static const struct {
    const char *label;
    const char *record;
    const char *expect;
} key_cases[] = {
    {"defaults", "p=AAAA", "DKIM1|rsa|*|*|-|0 0|3"},
    {"all tags",
     " v = DKIM1 ; k=ed25519; g=a*; s=email; h=sha256; t=y:s; "
     "n=hi=20there; p=AAAA ",
     "DKIM1|ed25519|a*|email|sha256|1 1|3"},
    {"folded p=", "v=DKIM1; p=AA AA", "DKIM1|rsa|*|*|-|0 0|3"},
    {"revoked", "v=DKIM1; p=", "DKIM1|rsa|*|*|-|0 0|0"},
    {"testing only", "t=y; p=AAAA", "DKIM1|rsa|*|*|-|1 0|3"},
    {"wrong version", "v=DKIM2; p=AAAA", NULL},
    {"no p=", "v=DKIM1; k=rsa", NULL},
    {"bad base64", "p=!!", NULL},
    {"unknown tags", "v=DKIM1; xx=1; p=AAAA", "DKIM1|rsa|*|*|-|0 0|3"},
};

START_TEST(test_key_parse)
{
    struct arena *a = arena_create();
    struct dkim_pubkey *p = dkim_pubkey_parse(a, key_cases[_i].record);
    gstr g;

    if (key_cases[_i].expect == NULL) {
        ck_assert_msg(p == NULL, "%s: accepted", key_cases[_i].label);
        arena_destroy(a);
        return;
    }
    ck_assert_msg(p != NULL, "%s: refused", key_cases[_i].label);
    gstr_init(&g, a);
    gstr_printf(&g, "%s|%s|%s|%s|%s|%d %d|%zu", p->version, p->keytype,
                p->granularity, p->srvtype, p->hashes ? p->hashes : "-",
                p->testing, p->no_subdomaining, p->keylen);
    ck_assert_msg(strcmp(gstr_str(&g), key_cases[_i].expect) == 0, "%s: got %s",
                  key_cases[_i].label, gstr_str(&g));
    arena_destroy(a);
}
END_TEST

/* RFC 8463 Appendix A: the RFC 6376 example message signed with the
 * Ed25519 key "brisbane" and the RSA key "test" of football.example.com. */
static const char rfc8463_msg[] =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; \r\n"
    " d=football.example.com; i=@football.example.com; \r\n"
    " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
    " subject : date : message-id : from : subject : date; \r\n"
    " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
    " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\r\n"
    " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; \r\n"
    " d=football.example.com; i=@football.example.com; \r\n"
    " q=dns/txt; s=test; t=1527915362; h=from : to : subject : \r\n"
    " date : message-id : from : subject : date; \r\n"
    " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
    " b=icKcLSEZYXJ95flvWE8FT6hl5iqd8MC/LEKYH0QjsqYy6MO/4pgVNCZH\r\n"
    " l/RAXAuADxE/40Fg7uTlxwwD1hjN2Ple6J//cJfslBdDOq6zTVbne1dqtl\r\n"
    " NOat7iamJ1AfRqyG+ja7a2AZsrpUuJ7VA6O+0zRYPqpwMEkEFIzI9i/Xk=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n"
    "\r\n";

static const char *
rfc8463_keys(struct arena *a, const char *name)
{
    (void)a;
    if (strcmp(name, "brisbane._domainkey.football.example.com.") == 0)
        return "v=DKIM1; k=ed25519; "
               "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    if (strcmp(name, "test._domainkey.football.example.com.") == 0)
        return "v=DKIM1; k=rsa; "
               "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3"
               "idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDf"
               "zwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBf"
               "O2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
    return NULL;
}

/* The message with one substitution, fed line by line; the statuses of
 * the signatures kept, "|"-joined, in the order verified. */
static const char *
verify_text(struct arena *a, const char *from, const char *to,
            const char *hashes)
{
    struct dkim_verify_opts o = {hashes, "ed25519:rsa", "rsa=1024 ed25519=250",
                                 0};
    struct dkim_verify *v = dkim_verify_start(a);
    const char *p = rfc8463_msg, *err = NULL, *hit;
    gstr text, out;

    gstr_init(&text, a);
    hit = from ? strstr(p, from) : NULL;
    if (hit != NULL) {
        gstr_addn(&text, p, (size_t)(hit - p));
        gstr_adds(&text, to);
        gstr_adds(&text, hit + strlen(from));
    } else
        gstr_adds(&text, p);
    for (p = gstr_str(&text); *p != '\0';) {
        const char *crlf = strstr(p, "\r\n");
        dkim_verify_line(v, p, (size_t)(crlf - p));
        p = crlf + 2;
    }
    gstr_init(&out, a);
    for (struct dkim_sig *s = dkim_verify_finish(v, &o, &err); s != NULL;
         s = s->next)
        gstr_printf(&out, "%s%s %s %s", out.len ? "|" : "", s->selector,
                    dkim_status_name(s->status), dkim_reason_name(s->reason));
    return gstr_str(&out);
}

static const struct {
    const char *label;
    const char *from, *to;
    const char *hashes;
    const char *expect;
} rfc8463_cases[] = {
    {"intact", NULL, NULL, "sha256", "brisbane pass |test pass "},
    {"body changed", "hungry yet", "hungry now", "sha256",
     "brisbane fail bodyhash_mismatch|test fail bodyhash_mismatch"},
    {"signed header changed", "Is dinner ready?", "Is lunch ready?", "sha256",
     "brisbane fail signature_incorrect|test fail signature_incorrect"},
    {"white space in the body", "We lost", "We  lost", "sha256",
     "brisbane fail bodyhash_mismatch|test fail bodyhash_mismatch"},
    {"sha1 only: both dropped", NULL, NULL, "sha1", ""},
};

START_TEST(test_rfc8463)
{
    struct arena *a = arena_create();
    const char *got;

    dkim_txt_hook = rfc8463_keys;
    got = verify_text(a, rfc8463_cases[_i].from, rfc8463_cases[_i].to,
                      rfc8463_cases[_i].hashes);
    ck_assert_msg(strcmp(got, rfc8463_cases[_i].expect) == 0, "%s: got %s",
                  rfc8463_cases[_i].label, got);
    dkim_txt_hook = NULL;
    arena_destroy(a);
}
END_TEST

START_TEST(test_result_text)
{
    struct arena *a = arena_create();
    struct dkim_sig s;
    gstr g;

    memset(&s, 0, sizeof(s));
    gstr_init(&g, a);
    s.status = DKIM_INVALID;
    s.reason = DKIM_R_PUBKEY_UNAVAILABLE;
    dkim_result_text(&s, &g);
    ck_assert_str_eq(gstr_str(&g),
                     " [invalid - public key record (currently?) unavailable]");
    gstr_truncate(&g, 0);
    s.status = DKIM_FAIL;
    s.reason = DKIM_R_PUBKEY_KEYSIZE;
    dkim_result_text(&s, &g);
    ck_assert_str_eq(gstr_str(&g),
                     " [verification failed - signature invalid (key too "
                     "short)]");
    ck_assert_str_eq(dkim_reason_name(DKIM_R_PUBKEY_IMPORT),
                     "pubkey_der_syntax");
    arena_destroy(a);
}
END_TEST

/* Signing: the field's layout (Exim's tag order, no line beyond column
 * 78, CRLF TAB folds), then the verifier passes it; for each key type
 * and canonicalisation. Keys from harness/dkim/keys (make unit runs in
 * the top directory). */
static const struct {
    const char *label;
    const char *key;
    int canon;
    const char *headers;
    const char *start;
} sign_cases[] = {
    {"rsa relaxed", "harness/dkim/keys/rsa2048.pem", DKIM_CANON_RELAXED, "From",
     "DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=relaxed/relaxed; "
     "d=test.ex;\r\n\ts=sel; h=From; bh="},
    {"rsa simple, oversigned", "harness/dkim/keys/rsa2048.pem",
     DKIM_CANON_SIMPLE, "+From:=Subject:Reply-To",
     "DKIM-Signature: v=1; a=rsa-sha256; q=dns/txt; c=simple/simple; "
     "d=test.ex;\r\n\ts=sel; h=Subject:Subject:From:From:Reply-To;\r\n\tbh="},
    {"ed25519 relaxed", "harness/dkim/keys/ed25519.pem", DKIM_CANON_RELAXED,
     NULL,
     "DKIM-Signature: v=1; a=ed25519-sha256; q=dns/txt; c=relaxed/relaxed; "
     "d=test.ex\r\n\t; s=sel; h=Subject:From:Sender:Reply-To:Date:Message-ID:"},
};

static char sign_record[1024];

static const char *
sign_keys(struct arena *a, const char *name)
{
    (void)a;
    (void)name;
    return sign_record;
}

/* The key record of a private key. */
static void
make_record(struct arena *a, const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    unsigned char raw[32], *der = NULL;
    size_t rawlen = sizeof(raw);
    gstr g;

    gstr_init(&g, a);
    if (EVP_PKEY_base_id(k) == EVP_PKEY_ED25519) {
        EVP_PKEY_get_raw_public_key(k, raw, &rawlen);
        gstr_adds(&g, "v=DKIM1; k=ed25519; p=");
        b64_encode(&g, raw, rawlen);
    } else {
        int n = i2d_PUBKEY(k, &der);
        gstr_adds(&g, "v=DKIM1; p=");
        b64_encode(&g, der, (size_t)n);
        OPENSSL_free(der);
    }
    snprintf(sign_record, sizeof(sign_record), "%s", gstr_str(&g));
    EVP_PKEY_free(k);
    BIO_free(bio);
}

static char *
slurp(struct arena *a, const char *path)
{
    FILE *f = fopen(path, "r");
    gstr g;
    char buf[4096];
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s (run from the top directory)",
                  path);
    gstr_init(&g, a);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        gstr_addn(&g, buf, n);
    fclose(f);
    return (char *)gstr_str(&g);
}

START_TEST(test_sign)
{
    static const char *const msg[] = {"From: Alice <alice@test.ex>",
                                      "Subject: one",
                                      "Subject:  two",
                                      "",
                                      "Body  text.",
                                      "",
                                      NULL};
    struct arena *a = arena_create();
    struct dkim_signer *g = dkim_signer_new(a);
    struct dkim_sign_req r = {0};
    struct dkim_verify_opts o = {"sha256", "ed25519:rsa", "rsa=1024", 0};
    gstr out, err;
    const char *e = NULL;

    r.domain = "test.ex";
    r.selector = "sel";
    r.privkey = slurp(a, sign_cases[_i].key);
    r.canon = sign_cases[_i].canon;
    r.hash = DKIM_HASH_SHA256;
    r.sign_headers = sign_cases[_i].headers;
    gstr_init(&out, a);
    gstr_init(&err, a);
    ck_assert_int_eq(dkim_signer_add(g, &r, &err), 0);
    for (int i = 0; msg[i] != NULL; i++)
        dkim_signer_line(g, msg[i], strlen(msg[i]));
    ck_assert_int_eq(dkim_signer_finish(g, &out, &err), 0);
    dkim_signer_free(g);
    ck_assert_msg(strncmp(gstr_str(&out), sign_cases[_i].start,
                          strlen(sign_cases[_i].start)) == 0,
                  "%s: got %s", sign_cases[_i].label, gstr_str(&out));
    for (const char *p = out.s, *nl; *p != '\0'; p = nl + 2) {
        nl = strstr(p, "\r\n");
        ck_assert_ptr_nonnull(nl);
        ck_assert_msg(nl - p <= 78, "%s: a line of %d columns",
                      sign_cases[_i].label, (int)(nl - p));
    }

    /* the verifier takes it */
    make_record(a, r.privkey);
    dkim_txt_hook = sign_keys;
    struct dkim_verify *v = dkim_verify_start(a);
    for (const char *p = out.s, *nl; *p != '\0'; p = nl + 2) {
        nl = strstr(p, "\r\n");
        dkim_verify_line(v, p, (size_t)(nl - p));
    }
    for (int i = 0; msg[i] != NULL; i++)
        dkim_verify_line(v, msg[i], strlen(msg[i]));
    struct dkim_sig *s = dkim_verify_finish(v, &o, &e);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(s->status == DKIM_PASS, "%s: %s %s", sign_cases[_i].label,
                  dkim_status_name(s->status), dkim_reason_name(s->reason));
    dkim_txt_hook = NULL;
    arena_destroy(a);
}
END_TEST

static Suite *
dkim_suite(void)
{
    Suite *s = suite_create("dkim");
    TCase *tc = tcase_create("dkim");

    tcase_add_loop_test(tc, test_relax_header, 0, NELEM(relax_cases));
    tcase_add_loop_test(tc, test_body, 0, NELEM(body_cases));
    tcase_add_loop_test(tc, test_sig_parse, 0, NELEM(sig_cases));
    tcase_add_loop_test(tc, test_key_parse, 0, NELEM(key_cases));
    tcase_add_loop_test(tc, test_rfc8463, 0, NELEM(rfc8463_cases));
    tcase_add_test(tc, test_result_text);
    tcase_add_loop_test(tc, test_sign, 0, NELEM(sign_cases));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(dkim_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
