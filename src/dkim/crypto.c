/*++
 * NAME
 *	crypto 3
 * SUMMARY
 *	DKIM's RSA and Ed25519 operations through OpenSSL's EVP interface
 * SYNOPSIS
 *	#include <stdlib.h>
#include <string.h>

#include "dkim/dkim.h"
 *
 *	size_t	dkim_digest(int hash, const void *data, size_t len,
 *				unsigned char *out)
 *	EVP_PKEY *dkim_key_cached(int kind, const void *data, size_t len,
 *				EVP_PKEY *(*load)(int kind, const void *data,
 *				size_t len))
 *	int	dkim_crypto_verify(int keytype, int hash,
 *				const unsigned char *key, size_t keylen,
 *				const unsigned char *digest, size_t dlen,
 *				const unsigned char *sig, size_t slen,
 *				unsigned *bits)
 *	const char *dkim_crypto_error(void)
 *	EVP_PKEY *dkim_private_key(const char *pem)
 *	int	dkim_crypto_sign(EVP_PKEY *key, int hash,
 *				const unsigned char *digest, size_t dlen,
 *				struct arena *a, unsigned char **sig,
 *				size_t *slen)
 *	void	dkim_crypto_failed(gstr *err, const char *what)
 * DESCRIPTION
 *	dkim_digest() hashes data with SHA-1, SHA-256 or SHA-512.
 *
 *	dkim_key_cached() gives a key parsed before from the same bytes,
 *	or parses it with load and keeps it (16 keys, the oldest
 *	forgotten first): OpenSSL 3 takes far longer to decode a key than
 *	to verify a signature with it. The caller owns one reference.
 *
 *	dkim_crypto_verify() checks a signature over the digest of the
 *	signed header fields. An RSA key in a record is a DER
 *	SubjectPublicKeyInfo, and the signature is PKCS#1 v1.5 over the
 *	digest. An Ed25519 key is the bare 32-byte public key (RFC 8463;
 *	longer data is taken to be a wrapped key and its last 32 bytes
 *	used, as Exim does), and the signature is PureEdDSA over the
 *	SHA-256 digest. *bits is the key's size as OpenSSL counts it (253
 *	for Ed25519).
 *
 *	dkim_private_key() parses a PEM private key (RSA or Ed25519),
 *	through the cache; DKIM and ARC signing share it.
 *	dkim_crypto_sign() signs a digest: PKCS#1 v1.5 with hash's
 *	DigestInfo for RSA, PureEdDSA over the digest for Ed25519.
 *	dkim_crypto_failed() appends "what: <OpenSSL's first queued
 *	error>" to err.
 * DIAGNOSTICS
 *	dkim_crypto_verify() returns 0 for a good signature, 1 for a bad
 *	one, -1 when the key cannot be imported; dkim_crypto_error() then
 *	gives OpenSSL's text of the first error it queued (as Exim logs
 *	it; "error:00000000:lib(0)::reason(0)" when OpenSSL queued none).
 *--*/

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "dkim/dkim.h"

/* Fetched once: OpenSSL 3 looks a digest up anew each time EVP_sha256()
 * is used, which costs more than hashing a short header. */
const struct evp_md_st *
dkim_md(int hash)
{
    static EVP_MD *md[3];
    static const char *const names[3] = {"SHA1", "SHA256", "SHA512"};
    int i = hash == DKIM_HASH_SHA1 ? 0 : hash == DKIM_HASH_SHA512 ? 2 : 1;

    if (md[i] == NULL)
        md[i] = EVP_MD_fetch(NULL, names[i], NULL);
    return md[i];
}

static const EVP_MD *
digest_md(int hash)
{
    return dkim_md(hash);
}

size_t
dkim_digest(int hash, const void *data, size_t len, unsigned char *out)
{
    unsigned n = 0;

    if (EVP_Digest(data, len, out, &n, digest_md(hash), NULL) != 1)
        return 0;
    return n;
}

#define KEY_CACHE 16

static struct {
    int kind;
    unsigned char *data;
    size_t len;
    EVP_PKEY *key;
} key_cache[KEY_CACHE];
static unsigned key_cache_next;

EVP_PKEY *
dkim_key_cached(int kind, const void *data, size_t len,
                EVP_PKEY *(*load)(int kind, const void *data, size_t len))
{
    unsigned slot;
    EVP_PKEY *k;

    for (unsigned i = 0; i < KEY_CACHE; i++)
        if (key_cache[i].key != NULL && key_cache[i].kind == kind &&
            key_cache[i].len == len &&
            memcmp(key_cache[i].data, data, len) == 0) {
            EVP_PKEY_up_ref(key_cache[i].key);
            return key_cache[i].key;
        }
    if ((k = load(kind, data, len)) == NULL)
        return NULL;
    slot = key_cache_next++ % KEY_CACHE;
    EVP_PKEY_free(key_cache[slot].key);
    free(key_cache[slot].data);
    key_cache[slot].key = NULL;
    if ((key_cache[slot].data = malloc(len ? len : 1)) != NULL) {
        memcpy(key_cache[slot].data, data, len);
        key_cache[slot].kind = kind;
        key_cache[slot].len = len;
        key_cache[slot].key = k;
        EVP_PKEY_up_ref(k);
    }
    return k;
}

static EVP_PKEY *
load_public(int keytype, const void *data, size_t len)
{
    const unsigned char *key = data, *p = data;
    size_t keylen = len;
    EVP_PKEY *k;

    if (keytype == DKIM_KEY_ED25519) {
        if (keylen > 32) {
            key += keylen - 32;
            keylen = 32;
        }
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, keylen);
    }
    k = d2i_PUBKEY(NULL, &p, (long)keylen);
    if (k != NULL && EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

static char crypto_error[256];

const char *
dkim_crypto_error(void)
{
    return crypto_error;
}

/* Keeps OpenSSL's first queued error, as Exim reports it. */
static void
note_error(void)
{
    ERR_error_string_n(ERR_get_error(), crypto_error, sizeof(crypto_error));
    ERR_clear_error();
}

static EVP_PKEY *
import_key(int keytype, const unsigned char *key, size_t keylen)
{
    return dkim_key_cached(keytype, key, keylen, load_public);
}

int
dkim_crypto_verify(int keytype, int hash, const unsigned char *key,
                   size_t keylen, const unsigned char *digest, size_t dlen,
                   const unsigned char *sig, size_t slen, unsigned *bits)
{
    EVP_PKEY *k;
    int good = 0;

    ERR_clear_error();
    crypto_error[0] = '\0';
    if ((k = import_key(keytype, key, keylen)) == NULL) {
        note_error();
        return -1;
    }
    *bits = (unsigned)EVP_PKEY_bits(k);
    if (keytype == DKIM_KEY_ED25519) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        good = c != NULL && EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) > 0 &&
               EVP_DigestVerify(c, sig, slen, digest, dlen) > 0;
        EVP_MD_CTX_free(c);
    } else {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
        good = c != NULL && EVP_PKEY_verify_init(c) > 0 &&
               EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
               EVP_PKEY_CTX_set_signature_md(c, digest_md(hash)) > 0 &&
               EVP_PKEY_verify(c, sig, slen, digest, dlen) > 0;
        EVP_PKEY_CTX_free(c);
    }
    EVP_PKEY_free(k);
    if (!good)
        note_error();
    return good ? 0 : 1;
}

#define KIND_PRIVATE 100

static EVP_PKEY *
load_private(int kind, const void *pem, size_t len)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

    (void)kind;
    BIO_free(bio);
    return k;
}

EVP_PKEY *
dkim_private_key(const char *pem)
{
    /* parsed once per process: OpenSSL 3's decoder is slow */
    return dkim_key_cached(KIND_PRIVATE, pem, strlen(pem), load_private);
}

int
dkim_crypto_sign(EVP_PKEY *key, int hash, const unsigned char *d, size_t dlen,
                 struct arena *a, unsigned char **sig, size_t *slen)
{
    int ok;

    *sig = NULL;
    *slen = 0;
    if (EVP_PKEY_base_id(key) == EVP_PKEY_ED25519) {
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        ok = c != NULL && EVP_DigestSignInit(c, NULL, NULL, NULL, key) > 0 &&
             EVP_DigestSign(c, NULL, slen, d, dlen) > 0 &&
             (*sig = arena_alloc(a, *slen)) != NULL &&
             EVP_DigestSign(c, *sig, slen, d, dlen) > 0;
        EVP_MD_CTX_free(c);
    } else {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key, NULL);
        ok = c != NULL && EVP_PKEY_sign_init(c) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_CTX_set_signature_md(c, dkim_md(hash)) > 0 &&
             EVP_PKEY_sign(c, NULL, slen, d, dlen) > 0 &&
             (*sig = arena_alloc(a, *slen)) != NULL &&
             EVP_PKEY_sign(c, *sig, slen, d, dlen) > 0;
        EVP_PKEY_CTX_free(c);
    }
    return ok ? 0 : -1;
}

void
dkim_crypto_failed(gstr *err, const char *what)
{
    char buf[256];

    ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
    gstr_printf(err, "%s: %s", what, buf);
}
