/* dkim.h: DKIM (RFC 6376, RFC 8463) verification and its parts:
 * canonicalisation, the DKIM-Signature and key-record parsers, the
 * RSA and Ed25519 operations. The SMTP area feeds a verifier the lines
 * of a message as they arrive; the body is hashed as it streams past
 * and only the header section is kept. */
#ifndef MXLAB_DKIM_DKIM_H
#define MXLAB_DKIM_DKIM_H

#include <stddef.h>

#include "base/gstr.h"

struct arena;

enum dkim_canon { DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED };
enum dkim_hash { DKIM_HASH_SHA1, DKIM_HASH_SHA256, DKIM_HASH_SHA512 };
enum dkim_keytype { DKIM_KEY_RSA, DKIM_KEY_ED25519 };

/* A signature's outcome, as $dkim_verify_status names it. */
enum dkim_status { DKIM_NONE, DKIM_INVALID, DKIM_FAIL, DKIM_PASS };

/* Why, as $dkim_verify_reason and the log line say it. */
enum dkim_reason {
    DKIM_R_NONE,
    DKIM_R_FAIL_BODY,          /* bodyhash_mismatch */
    DKIM_R_FAIL_MESSAGE,       /* signature_incorrect */
    DKIM_R_FAIL_ALGO_MISMATCH, /* the key's h= excludes the hash */
    DKIM_R_PUBKEY_UNAVAILABLE, /* pubkey_unavailable */
    DKIM_R_BUFFER_SIZE,        /* an over-long key record */
    DKIM_R_PUBKEY_DNSRECORD,   /* pubkey_dns_syntax */
    DKIM_R_PUBKEY_IMPORT,      /* pubkey_der_syntax */
    DKIM_R_PUBKEY_KEYSIZE,     /* pubkey_too_short */
    DKIM_R_SIGNATURE_ERROR,    /* a required tag missing or bad */
    DKIM_R_DKIM_VERSION,       /* v= other than 1 */
};

/* A key record (RFC 6376 3.6.1). Unset tags get Exim's defaults:
 * k=rsa, g=*, s=*. */
struct dkim_pubkey {
    const char *version, *hashes, *keytype, *granularity, *notes, *srvtype;
    unsigned char *key; /* p=, decoded; NULL if the tag was absent */
    size_t keylen;
    int testing;         /* t=y */
    int no_subdomaining; /* t=s */
};

/* A DKIM-Signature header field, parsed. */
struct dkim_sig {
    int version;  /* 1; -1 for another; 0 when v= is missing */
    int keytype;  /* enum dkim_keytype, or -1 */
    int hashtype; /* enum dkim_hash, or -1 */
    int canon_headers, canon_body;
    const char *domain, *selector, *identity, *headernames, *copiedheaders;
    unsigned long created, expires; /* 0: absent */
    long bodylength;                /* -1: no l= */
    unsigned char *bh, *b;          /* decoded; NULL if absent or bad */
    size_t bh_len, b_len;
    char *raw_no_b; /* the field as received, the b= value taken out,
                       without its final CRLF */

    /* verification */
    enum dkim_status status;
    enum dkim_reason reason;
    unsigned keybits;
    struct dkim_pubkey *pubkey;
    struct dkim_body *body; /* the body hash it shares */
    struct dkim_sig *next;
};

/* canon.c: relaxed header canonicalisation of a field "Name: value"
 * (CRLF folds allowed); with crlf a CRLF is appended. */
char *dkim_relax_header(struct arena *a, const char *h, size_t len, int crlf,
                        size_t *outlen);

/* canon.c: a body hash, fed line by line (without line endings). limit
 * is l= (-1: none). Bodies with the same canonicalisation, hash and
 * limit share one. */
struct dkim_body;
struct dkim_body *dkim_body_new(struct arena *a, int canon, int hash,
                                long limit);
void dkim_body_line(struct dkim_body *b, const char *line, size_t len);
/* Finishes the hash; *out (of *outlen bytes) stays valid. */
void dkim_body_finish(struct dkim_body *b, const unsigned char **out,
                      size_t *outlen);
unsigned long dkim_body_hashed(const struct dkim_body *b);
void dkim_body_free(struct dkim_body *b);

/* sigparse.c: the tag parsers. A signature with an a= that is not
 * understood gives NULL, as Exim ignores such a signature. */
struct dkim_sig *dkim_sig_parse(struct arena *a, const char *field, size_t len);
/* NULL for a record that is not one: a v= other than DKIM1, no p=. */
struct dkim_pubkey *dkim_pubkey_parse(struct arena *a, const char *record);
const char *dkim_hash_name(int hash);    /* "sha256" */
const char *dkim_keytype_name(int kt);   /* "rsa" */
int dkim_hash_by_name(const char *s);    /* -1 if unknown */
int dkim_keytype_by_name(const char *s); /* -1 if unknown */
const char *dkim_sig_algo(struct arena *a, const struct dkim_sig *s);

/* crypto.c: OpenSSL's EVP interface. */
/* The digest of data with hash (sha1/256/512); out needs 64 bytes. */
size_t dkim_digest(int hash, const void *data, size_t len, unsigned char *out);
/* A key parsed before from the same kind and bytes, else load()'s
 * (kept for next time). The caller owns one reference. */
struct evp_pkey_st;
struct evp_md_st;
/* The digest for a hash (fetched once). */
const struct evp_md_st *dkim_md(int hash);
struct evp_pkey_st *dkim_key_cached(
    int kind, const void *data, size_t len,
    struct evp_pkey_st *(*load)(int kind, const void *data, size_t len));
/* Checks sig over the header digest with the key from a record: 0 good,
 * 1 bad signature, -1 the key cannot be imported. *bits: key size. */
int dkim_crypto_verify(int keytype, int hash, const unsigned char *key,
                       size_t keylen, const unsigned char *digest, size_t dlen,
                       const unsigned char *sig, size_t slen, unsigned *bits);
/* OpenSSL's words for the last failure of dkim_crypto_verify() (its
 * first queued error, "error:02000068:rsa routines::bad signature"). */
const char *dkim_crypto_error(void);
/* A PEM private key (RSA or Ed25519), parsed once per process through
 * the cache (DKIM and ARC signing share it); NULL if it is not one. */
struct evp_pkey_st *dkim_private_key(const char *pem);
/* Signs a digest made with hash: 0, or -1 (dkim_crypto_failed() says
 * why). *sig is allocated in a. */
int dkim_crypto_sign(struct evp_pkey_st *key, int hash,
                     const unsigned char *digest, size_t dlen, struct arena *a,
                     unsigned char **sig, size_t *slen);
/* Appends "what: <OpenSSL's first queued error>" to err. */
void dkim_crypto_failed(gstr *err, const char *what);

/* verify.c: the verifier. */
struct dkim_verify;
struct dkim_verify_opts {
    const char *hashes;       /* dkim_verify_hashes */
    const char *keytypes;     /* dkim_verify_keytypes */
    const char *min_keysizes; /* dkim_verify_min_keysizes */
    int minimal;              /* dkim_verify_minimal: stop at a pass */
};
struct dkim_verify *dkim_verify_start(struct arena *a);
/* One line as received (dot-unstuffed, no line ending). */
void dkim_verify_line(void *v, const char *line, size_t len);
/* The key lookup: the TXT record's text (its strings joined) or NULL
 * when none could be found. NULL hook: the DNS resolver. */
typedef const char *dkim_txt_fn(struct arena *a, const char *name);
extern dkim_txt_fn *dkim_txt_hook;
/* A key record by its name ("sel._domainkey.example.org."): the hook's
 * answer, else DNS's (as the verifier looks keys up; ARC uses it). */
const char *dkim_txt_lookup(struct arena *a, const char *name);
/* Ends the message: finishes the hashes, fetches keys and verifies.
 * Returns the signatures kept (in the order of dkim_verify_hashes and
 * dkim_verify_keytypes), or NULL. *error is set (and nothing verified)
 * when the input could not be taken ("LONG_LINE", "EXCESS_SIGS"). */
struct dkim_sig *dkim_verify_finish(struct dkim_verify *v,
                                    const struct dkim_verify_opts *o,
                                    const char **error);
/* After dkim_verify_finish(): when no signature passed, the crypto
 * error of the last signature that reached key import or the signature
 * check (Exim logs it as "DKIM: validation error: X"), else NULL. */
const char *dkim_verify_crypto_error(void);
/* A validation error seen while lines were fed, or NULL. */
const char *dkim_verify_error(const struct dkim_verify *v);
/* Verification was turned off: a bad header line (a DKIM bypass). */
int dkim_verify_disabled(const struct dkim_verify *v);
void dkim_verify_free(struct dkim_verify *v);

/* The log text of a signature's result, as Exim writes it after the
 * tags: " [verification succeeded]" and so on. */
void dkim_result_text(const struct dkim_sig *s, gstr *out);
const char *dkim_status_name(enum dkim_status st);
const char *dkim_reason_name(enum dkim_reason r);

#endif
