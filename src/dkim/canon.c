/*++
 * NAME
 *	canon 3
 * SUMMARY
 *	DKIM canonicalisation and body hashes
 * SYNOPSIS
 *	#include "dkim/dkim.h"
 *
 *	char	*dkim_relax_header(struct arena *a, const char *h, size_t len,
 *				int crlf, size_t *outlen)
 *
 *	struct dkim_body *dkim_body_new(struct arena *a, int canon, int hash,
 *				long limit)
 *	void	dkim_body_line(struct dkim_body *b, const char *line,
 *				size_t len)
 *	void	dkim_body_finish(struct dkim_body *b,
 *				const unsigned char **out, size_t *outlen)
 *	unsigned long dkim_body_hashed(const struct dkim_body *b)
 *	void	dkim_body_free(struct dkim_body *b)
 * DESCRIPTION
 *	dkim_relax_header() is the "relaxed" header algorithm of RFC 6376
 *	3.4.2: the name in lower case, folds removed, runs of white space
 *	made one space, none around the colon or at the end. The "simple"
 *	algorithm is the field as received and needs no function.
 *
 *	A body hash takes the body one line at a time, without its line
 *	ending, and hashes it at once, canonicalised (RFC 6376 3.4.3 and
 *	3.4.4): empty lines (for "relaxed", lines of white space only) are
 *	only counted, and hashed when a line with text follows, so that
 *	empty lines at the end of the body are left out. Nothing of the
 *	body is kept. With a limit (the l= tag) hashing stops after that
 *	many canonicalised bytes. An empty body is one CRLF for "simple"
 *	and nothing for "relaxed".
 * DIAGNOSTICS
 *	None; an unknown hash type is a program error.
 *--*/

#include <openssl/evp.h>
#include <string.h>

#include "base/arena.h"
#include "dkim/dkim.h"

char *
dkim_relax_header(struct arena *a, const char *h, size_t len, int crlf,
                  size_t *outlen)
{
    char *out = arena_alloc(a, len + 3), *q = out;
    int past_name = 0, wsp = 0;

    for (size_t i = 0; i < len; i++) {
        char c = h[i];
        if (c == '\r' || c == '\n')
            continue;
        if (c == ' ' || c == '\t') {
            if (wsp)
                continue;
            c = ' ';
            wsp = 1;
        } else if (!past_name && c == ':') {
            if (wsp)
                q--; /* no space before the colon */
            wsp = 1; /* nor after it */
            past_name = 1;
        } else
            wsp = 0;
        if (!past_name && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        *q++ = c;
    }
    if (q > out && q[-1] == ' ')
        q--;
    if (crlf) {
        *q++ = '\r';
        *q++ = '\n';
    }
    *q = '\0';
    if (outlen != NULL)
        *outlen = (size_t)(q - out);
    return out;
}

struct dkim_body {
    int canon;
    int hash;
    long limit;
    EVP_MD_CTX *md;
    unsigned long hashed; /* bytes given to the hash */
    unsigned long blanks; /* empty lines not hashed yet */
    struct arena *a;
    char *buf; /* a relaxed line */
    size_t bufcap;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned outlen;
    int finished;
};

static const EVP_MD *
body_md(int hash)
{
    return dkim_md(hash);
}

struct dkim_body *
dkim_body_new(struct arena *a, int canon, int hash, long limit)
{
    struct dkim_body *b = arena_alloc(a, sizeof(*b));

    memset(b, 0, sizeof(*b));
    b->canon = canon;
    b->hash = hash;
    b->limit = limit;
    b->a = a;
    b->md = EVP_MD_CTX_new();
    if (b->md != NULL)
        EVP_DigestInit_ex(b->md, body_md(hash), NULL);
    return b;
}

static void
body_hash(struct dkim_body *b, const char *p, size_t n)
{
    if (b->limit >= 0) {
        unsigned long left = (unsigned long)b->limit > b->hashed
                                 ? (unsigned long)b->limit - b->hashed
                                 : 0;
        if (n > left)
            n = left;
    }
    if (n > 0 && b->md != NULL) {
        EVP_DigestUpdate(b->md, p, n);
        b->hashed += n;
    }
}

static void
body_flush_blanks(struct dkim_body *b)
{
    for (; b->blanks > 0; b->blanks--)
        body_hash(b, "\r\n", 2);
}

/* Relaxed: white space runs made one space, none at the end. */
static size_t
body_relax(struct dkim_body *b, const char *line, size_t len)
{
    size_t n = 0;
    int wsp = 0;

    if (b->bufcap < len + 2) {
        b->bufcap = len + 64;
        b->buf = arena_alloc(b->a, b->bufcap);
    }
    for (size_t i = 0; i < len; i++) {
        char c = line[i];
        if (c == ' ' || c == '\t') {
            if (wsp)
                continue;
            wsp = 1;
            c = ' ';
        } else
            wsp = 0;
        b->buf[n++] = c;
    }
    if (n > 0 && b->buf[n - 1] == ' ')
        n--;
    return n;
}

void
dkim_body_line(struct dkim_body *b, const char *line, size_t len)
{
    if (b->finished)
        return;
    if (b->canon == DKIM_CANON_RELAXED) {
        len = body_relax(b, line, len);
        line = b->buf;
    }
    if (len == 0) {
        b->blanks++;
        return;
    }
    body_flush_blanks(b);
    body_hash(b, line, len);
    body_hash(b, "\r\n", 2);
}

void
dkim_body_finish(struct dkim_body *b, const unsigned char **out, size_t *outlen)
{
    if (!b->finished) {
        if (b->canon == DKIM_CANON_SIMPLE && b->hashed == 0)
            body_hash(b, "\r\n", 2);
        if (b->md != NULL) {
            EVP_DigestFinal_ex(b->md, b->out, &b->outlen);
            EVP_MD_CTX_free(b->md);
            b->md = NULL;
        }
        b->finished = 1;
    }
    *out = b->out;
    *outlen = b->outlen;
}

unsigned long
dkim_body_hashed(const struct dkim_body *b)
{
    return b->hashed;
}

void
dkim_body_free(struct dkim_body *b)
{
    if (b != NULL && b->md != NULL) {
        EVP_MD_CTX_free(b->md);
        b->md = NULL;
    }
}
