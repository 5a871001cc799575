/*
 * NAME
 *	words - split a directive's arguments into words
 * SYNOPSIS
 *	#include "words.h"
 *
 *	int	words_split(const char *text, struct strvec *out,
 *				struct buf *err);
 * DESCRIPTION
 *	words_split() appends the words of text to out.  Words are
 *	separated by blanks.  Quoting follows a small part of sh(1):
 *
 *	'single quotes' keep everything up to the next single quote as it
 *	is, blanks and backslashes included.
 *
 *	"double quotes" keep blanks; inside them a backslash before " or
 *	\ stands for that character, and any other backslash is kept.
 *
 *	Outside quotes a backslash is an ordinary character, so Exim
 *	strings such as \N...\N need no doubling.  Quotes may join
 *	parts of one word: a'b c'd is the single word "ab cd".  An empty
 *	quoted string is an empty word.
 * DIAGNOSTICS
 *	Returns 0, or -1 with a message in err when a quote is not closed.
 */

#include <stdbool.h>

#include "buf.h"
#include "strvec.h"
#include "words.h"

static int
words_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
words_single(const char *p, struct buf *word)
{
    for (p++; *p != '\0' && *p != '\''; p++)
        buf_putc(word, *p);
    return *p == '\'' ? p + 1 : NULL;
}

static const char *
words_double(const char *p, struct buf *word)
{
    for (p++; *p != '\0' && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
        buf_putc(word, *p);
    }
    return *p == '"' ? p + 1 : NULL;
}

int
words_split(const char *text, struct strvec *out, struct buf *err)
{
    struct buf word = BUF_INIT;
    const char *p = text;

    for (;;) {
        while (words_is_blank(*p))
            p++;
        if (*p == '\0')
            break;
        buf_reset(&word);
        buf_add(&word, "", 0);
        while (*p != '\0' && !words_is_blank(*p)) {
            if (*p == '\'' || *p == '"') {
                char quote = *p;

                p = quote == '\'' ? words_single(p, &word)
                                  : words_double(p, &word);
                if (p == NULL) {
                    buf_printf(err, "unterminated %c quote", quote);
                    buf_free(&word);
                    return -1;
                }
            } else {
                buf_putc(&word, *p++);
            }
        }
        strvec_push(out, buf_str(&word));
    }
    buf_free(&word);
    return 0;
}
