/*++
 * NAME
 *	b64 3
 * SUMMARY
 *	base64 encoding
 * SYNOPSIS
 *	#include "base/b64.h"
 *
 *	void	b64_encode(gstr *out, const unsigned char *in, size_t len)
 *	ssize_t	b64_decode(gstr *out, const char *in, size_t len)
 * DESCRIPTION
 *	b64_encode() appends the base64 form of len bytes, with padding and
 *	no line breaks. b64_decode() appends the bytes that a base64 string
 *	stands for; padding is optional, anything else that is not in the
 *	alphabet makes the input invalid.
 * DIAGNOSTICS
 *	b64_decode() returns -1 for invalid input; what was appended to out
 *	by then is left in place for the caller to discard.
 *--*/

#include "base/b64.h"
#include "base/gstr.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
b64_encode(gstr *out, const unsigned char *in, size_t len)
{
    size_t i;

    for (i = 0; i + 2 < len; i += 3) {
        unsigned v =
            (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        gstr_addc(out, b64_alphabet[v >> 18 & 63]);
        gstr_addc(out, b64_alphabet[v >> 12 & 63]);
        gstr_addc(out, b64_alphabet[v >> 6 & 63]);
        gstr_addc(out, b64_alphabet[v & 63]);
    }
    if (i < len) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        gstr_addc(out, b64_alphabet[v >> 18 & 63]);
        gstr_addc(out, b64_alphabet[v >> 12 & 63]);
        gstr_addc(out, i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=');
        gstr_addc(out, '=');
    }
}

static int
b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

ssize_t
b64_decode(gstr *out, const char *in, size_t len)
{
    unsigned acc = 0;
    int bits = 0;
    size_t pad = 0;
    ssize_t n = 0;

    for (size_t i = 0; i < len; i++) {
        int v;

        if (in[i] == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || (v = b64_value(in[i])) < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            gstr_addc(out, (char)(acc >> bits & 0xff));
            n++;
        }
    }
    if (pad > 2 || (pad > 0 && (len % 4) != 0) || bits >= 6)
        return -1;
    return n;
}
