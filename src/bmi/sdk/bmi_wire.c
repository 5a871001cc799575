/*++
 * NAME
 *	bmi_wire 3
 * SUMMARY
 *	text forms of the BMI client library: xtext, base64, verdicts
 * SYNOPSIS
 *	#include "bmi/sdk/bmi_wire.h"
 *
 *	void	bmi_str_init(struct bmi_str *b)
 *	void	bmi_str_add(struct bmi_str *b, const char *data, size_t len)
 *	void	bmi_str_addc(struct bmi_str *b, const char *s)
 *	void	bmi_str_add_xtext(struct bmi_str *b, const char *s)
 *	int	bmi_xtext_decode(char *s)
 *	char	*bmi_b64_encode(const char *in, size_t len)
 *	char	*bmi_b64_decode(const char *in, size_t *len)
 *	int	bmi_wire_parse_verdict(const char *line,
 *			struct bmi_wire_verdict *v)
 *	char	*bmi_wire_format_verdict(const struct bmi_wire_verdict *v)
 *	void	bmi_wire_free_verdict(struct bmi_wire_verdict *v)
 *	const char *bmi_wire_kind_name(enum bmi_wire_kind k)
 *	enum bmi_answer bmi_wire_parse_answer(const char *line,
 *			struct bmi_wire_verdict *v)
 * DESCRIPTION
 *	A verdict travels, and is stored, as one line of blank-separated
 *	fields: its kind (default, alternate, discard, error), the rules
 *	that fired ("-" or decimal numbers separated by commas), the
 *	alternate location ("-" for none) and the recipients it is for.
 *	Every field but the kind and the rules is xtext, so a field never
 *	holds a blank, and the line never a control character. The
 *	decoded location may not hold one either (a tab aside): it is
 *	meant to be added to a message as a header line, and a line break
 *	in it would add headers the MTA did not ask for. A verdict
 *	string, as the MTA stores it, is the base64 of that line.
 *
 *	bmi_wire_parse_answer() classifies one line of the server's
 *	answer to END: a verdict (parsed into v), the final ".", or
 *	"ERROR" with optional text.
 *
 *	The library links into an MTA that is not mxlab (Exim), so this
 *	file uses nothing but libc; memory is malloc()ed.
 * DIAGNOSTICS
 *	The parsers return -1 or NULL for input that is not of their
 *	form, and never read past its end. bmi_str records an allocation
 *	failure in its failed flag.
 *--*/

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmi/sdk/bmi_wire.h"

static const char *const kind_names[] = {"default", "alternate", "discard",
                                         "error"};

const char *
bmi_wire_kind_name(enum bmi_wire_kind k)
{
    return (unsigned)k < 4 ? kind_names[k] : "error";
}

void
bmi_str_init(struct bmi_str *b)
{
    memset(b, 0, sizeof(*b));
}

void
bmi_str_add(struct bmi_str *b, const char *data, size_t len)
{
    if (b->failed)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *n;
        while (cap < b->len + len + 1)
            cap *= 2;
        if ((n = realloc(b->s, cap)) == NULL) {
            b->failed = 1;
            return;
        }
        b->s = n;
        b->cap = cap;
    }
    memcpy(b->s + b->len, data, len);
    b->len += len;
    b->s[b->len] = '\0';
}

void
bmi_str_addc(struct bmi_str *b, const char *s)
{
    bmi_str_add(b, s, strlen(s));
}

void
bmi_str_add_xtext(struct bmi_str *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    if (*s == '\0') {
        bmi_str_add(b, "+", 1);
        return;
    }
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 33 || c > 126 || c == '+' || c == '=') {
            char e[3] = {'+', hex[c >> 4], hex[c & 15]};
            bmi_str_add(b, e, 3);
        } else {
            bmi_str_add(b, s, 1);
        }
    }
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
bmi_xtext_decode(char *s)
{
    char *out = s;

    if (strcmp(s, "+") == 0) {
        *s = '\0';
        return 0;
    }
    for (char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '+') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *out++ = (char)(hi * 16 + lo);
            p += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            return -1;
        } else {
            *out++ = (char)c;
        }
    }
    *out = '\0';
    return 0;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
bmi_b64_encode(const char *in, size_t len)
{
    const unsigned char *u = (const unsigned char *)in;
    char *out, *o;

    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return NULL;
    if ((out = malloc((len + 2) / 3 * 4 + 1)) == NULL)
        return NULL;
    o = out;
    for (size_t i = 0; i < len; i += 3) {
        unsigned long v = (unsigned long)u[i] << 16;
        if (i + 1 < len)
            v |= (unsigned long)u[i + 1] << 8;
        if (i + 2 < len)
            v |= u[i + 2];
        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *o++ = i + 2 < len ? b64[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

char *
bmi_b64_decode(const char *in, size_t *len)
{
    size_t n = strlen(in), k = 0;
    unsigned long acc = 0;
    int bits = 0, pad = 0;
    char *out;

    if (n == 0 || n % 4 != 0)
        return NULL;
    if ((out = malloc(n / 4 * 3 + 1)) == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *p;
        if (in[i] == '=') {
            if (i + 2 < n || (i + 1 < n && in[i + 1] != '='))
                goto bad;
            pad++;
            continue;
        }
        if (pad || (p = strchr(b64, in[i])) == NULL)
            goto bad;
        acc = (acc << 6) | (unsigned long)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[k] = '\0';
    if (len != NULL)
        *len = k;
    return out;
bad:
    free(out);
    return NULL;
}

void
bmi_wire_free_verdict(struct bmi_wire_verdict *v)
{
    for (int i = 0; i < v->nrcpts; i++)
        free(v->rcpts[i]);
    free(v->rcpts);
    free(v->alt);
    memset(v, 0, sizeof(*v));
}

static int
parse_rules(const char *f, struct bmi_wire_verdict *v)
{
    if (strcmp(f, "-") == 0)
        return 0;
    while (*f != '\0') {
        long n = 0;
        if (!isdigit((unsigned char)*f) || v->nrules == BMI_WIRE_MAX_RULES)
            return -1;
        while (isdigit((unsigned char)*f)) {
            n = n * 10 + (*f++ - '0');
            if (n > INT_MAX)
                return -1;
        }
        if (n == 0)
            return -1;
        v->rules[v->nrules++] = (int)n;
        if (*f == ',' && f[1] != '\0')
            f++;
        else if (*f != '\0')
            return -1;
    }
    return 0;
}

static int
parse_kind(const char *f, enum bmi_wire_kind *k)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(f, kind_names[i]) == 0) {
            *k = (enum bmi_wire_kind)i;
            return 0;
        }
    return -1;
}

/* The location goes into a header as it is (headers_add): a line break
 * or another control character (a tab aside) in it is refused. */
static int
has_controls(const char *s)
{
    for (; *s != '\0'; s++)
        if (((unsigned char)*s < 32 && *s != '\t') || *s == 127)
            return 1;
    return 0;
}

int
bmi_wire_parse_verdict(const char *line, struct bmi_wire_verdict *v)
{
    char *copy = strdup(line), *save = NULL, *f;
    int field = 0, rc = -1;

    memset(v, 0, sizeof(*v));
    if (copy == NULL)
        return -1;
    for (f = strtok_r(copy, " ", &save); f != NULL;
         f = strtok_r(NULL, " ", &save), field++) {
        if (field == 0 && parse_kind(f, &v->kind) < 0)
            goto out;
        if (field == 1 && parse_rules(f, v) < 0)
            goto out;
        if (field == 2 && strcmp(f, "-") != 0) {
            if (bmi_xtext_decode(f) < 0 || has_controls(f) ||
                (v->alt = strdup(f)) == NULL)
                goto out;
        }
        if (field >= 3) {
            char **n = realloc(v->rcpts, sizeof(*n) * (size_t)(v->nrcpts + 1));
            if (n == NULL)
                goto out;
            v->rcpts = n;
            if (bmi_xtext_decode(f) < 0 ||
                (v->rcpts[v->nrcpts] = strdup(f)) == NULL)
                goto out;
            v->nrcpts++;
        }
    }
    /* an alternate verdict names its location; only it does */
    if (field >= 4 && (v->kind == BMI_KIND_ALTERNATE) == (v->alt != NULL))
        rc = 0;
out:
    free(copy);
    if (rc < 0)
        bmi_wire_free_verdict(v);
    return rc;
}

char *
bmi_wire_format_verdict(const struct bmi_wire_verdict *v)
{
    struct bmi_str b;

    bmi_str_init(&b);
    bmi_str_addc(&b, bmi_wire_kind_name(v->kind));
    bmi_str_addc(&b, " ");
    if (v->nrules == 0)
        bmi_str_addc(&b, "-");
    for (int i = 0; i < v->nrules; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%s%d", i ? "," : "", v->rules[i]);
        bmi_str_addc(&b, num);
    }
    bmi_str_addc(&b, " ");
    if (v->alt != NULL && strcmp(v->alt, "-") == 0)
        bmi_str_addc(&b, "+2D"); /* not the "none" mark */
    else if (v->alt != NULL)
        bmi_str_add_xtext(&b, v->alt);
    else
        bmi_str_addc(&b, "-");
    for (int i = 0; i < v->nrcpts; i++) {
        bmi_str_addc(&b, " ");
        bmi_str_add_xtext(&b, v->rcpts[i]);
    }
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

enum bmi_answer
bmi_wire_parse_answer(const char *line, struct bmi_wire_verdict *v)
{
    memset(v, 0, sizeof(*v));
    if (strcmp(line, ".") == 0)
        return BMI_ANSWER_END;
    if (strncmp(line, "ERROR", 5) == 0 && (line[5] == '\0' || line[5] == ' '))
        return BMI_ANSWER_ERROR;
    if (strncmp(line, "VERDICT ", 8) == 0 &&
        bmi_wire_parse_verdict(line + 8, v) == 0)
        return BMI_ANSWER_VERDICT;
    return BMI_ANSWER_BAD;
}
