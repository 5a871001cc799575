/*++
 * NAME
 *	proto 3
 * SUMMARY
 *	fake-bmid: the client's lines of the BMI protocol
 * SYNOPSIS
 *	#include "bmid.h"
 *
 *	enum bm_cmd bm_parse_line(const char *line, char **arg, long *len,
 *			const char **why)
 *	void	bm_xtext(struct fake_buf *b, const char *s)
 *	char	*bm_unxtext(const char *s)
 * DESCRIPTION
 *	bm_parse_line() checks one line a client sent
 *	(docs/bmi-protocol.md): a command word, and for IP, FROM, TO and
 *	OPTIN one xtext argument, decoded into *arg; for HEADER and BODY
 *	a decimal byte count up to BM_DATA_MAX in *len; the other
 *	commands take nothing.
 *
 *	bm_xtext() appends xtext; bm_unxtext() decodes it, "+" alone
 *	standing for the empty string.
 * DIAGNOSTICS
 *	BM_BAD, with *why: "unknown command", "bad argument" or "bad
 *	length". bm_unxtext() returns NULL for text that is not xtext.
 *--*/

#include <stdlib.h>
#include <string.h>

#include "../common/fake_buf.h"
#include "bmid.h"

void
bm_xtext(struct fake_buf *b, const char *s)
{
    if (*s == '\0')
        fake_buf_puts(b, "+");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 33 || c > 126 || c == '+' || c == '=')
            fake_buf_printf(b, "+%02X", c);
        else
            fake_buf_addch(b, c);
    }
}

static int
bm_hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

char *
bm_unxtext(const char *s)
{
    struct fake_buf b;

    if (strcmp(s, "+") == 0)
        return fake_strdup("");
    fake_buf_init(&b);
    fake_buf_puts(&b, "");
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '+') {
            int hi = bm_hex(s[1]), lo = hi < 0 ? -1 : bm_hex(s[2]);
            if (hi < 0 || lo < 0 || (hi | lo) == 0) {
                fake_buf_free(&b);
                return NULL;
            }
            fake_buf_addch(&b, hi * 16 + lo);
            s += 2;
        } else if (c < 33 || c > 126 || c == '=') {
            fake_buf_free(&b);
            return NULL;
        } else
            fake_buf_addch(&b, c);
    }
    return b.data;
}

static const struct {
    const char *word;
    enum bm_cmd cmd;
    char arg; /* 'x' xtext, 'n' a count, 0 none */
} bm_cmds[] = {
    {"MESSAGE", BM_MESSAGE, 0}, {"IP", BM_IP, 'x'},
    {"FROM", BM_FROM, 'x'},     {"TO", BM_TO, 'x'},
    {"OPTIN", BM_OPTIN, 'x'},   {"ENDTO", BM_ENDTO, 0},
    {"HEADER", BM_HEADER, 'n'}, {"ENDHEADERS", BM_ENDHEADERS, 0},
    {"BODY", BM_BODY, 'n'},     {"ENDBODY", BM_ENDBODY, 0},
    {"END", BM_END, 0},
};

enum bm_cmd
bm_parse_line(const char *line, char **arg, long *len, const char **why)
{
    const char *sp = strchr(line, ' ');
    size_t n = sp ? (size_t)(sp - line) : strlen(line);

    *arg = NULL;
    *len = 0;
    for (size_t i = 0; i < sizeof(bm_cmds) / sizeof(bm_cmds[0]); i++) {
        if (strlen(bm_cmds[i].word) != n ||
            strncmp(bm_cmds[i].word, line, n) != 0)
            continue;
        if (bm_cmds[i].arg == 0) {
            *why = "bad argument";
            return sp == NULL ? bm_cmds[i].cmd : BM_BAD;
        }
        if (sp == NULL) {
            *why = "bad argument";
            return BM_BAD;
        }
        if (bm_cmds[i].arg == 'x') {
            *why = "bad argument";
            return (*arg = bm_unxtext(sp + 1)) != NULL ? bm_cmds[i].cmd
                                                       : BM_BAD;
        }
        {
            char *end;
            long v = strtol(sp + 1, &end, 10);
            *why = "bad length";
            if (sp[1] < '0' || sp[1] > '9' || *end != '\0' || v < 0 ||
                v > BM_DATA_MAX)
                return BM_BAD;
            *len = v;
            return bm_cmds[i].cmd;
        }
    }
    *why = "unknown command";
    return BM_BAD;
}
