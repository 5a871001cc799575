/*
 * NAME
 *	result - the outcome of one scenario, and its wire form
 * SYNOPSIS
 *	#include "result.h"
 *
 *	void	result_init(struct result *res);
 *	void	result_free(struct result *res);
 *	void	result_set_title(struct result *res, const char *title);
 *	void	result_set_reason(struct result *res, const char *reason);
 *	void	result_encode(const struct result *res, struct buf *out);
 *	int	result_decode(const char *data, size_t len,
 *				struct result *res);
 * DESCRIPTION
 *	A scenario runs in a worker process; its result travels to the
 *	main process over a pipe in a simple text form: the status
 *	word, the title and the skip reason on a line each, then the
 *	detail text as it is.
 *
 *	result_init() makes res an empty pass; result_free() releases it.
 *
 *	result_set_title() and result_set_reason() store copies, with
 *	line breaks turned into spaces so they fit on the TAP line.
 *
 *	result_encode() appends the wire form of res to out;
 *	result_decode() reads it back into an initialised res.
 * DIAGNOSTICS
 *	result_decode() returns 0, or -1 when data is not a whole result
 *	(the worker died before it finished writing).
 */

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "result.h"

static const char *const result_words[] = {
    [RESULT_PASS] = "pass",
    [RESULT_FAIL] = "fail",
    [RESULT_SKIP] = "skip",
    [RESULT_UPDATED] = "updated",
};

void
result_init(struct result *res)
{
    res->status = RESULT_PASS;
    res->title = NULL;
    res->reason = NULL;
    buf_init(&res->detail);
}

void
result_free(struct result *res)
{
    free(res->title);
    free(res->reason);
    buf_free(&res->detail);
    result_init(res);
}

static char *
result_one_line(const char *s)
{
    char *copy = mem_strdup(s);

    for (char *p = copy; *p != '\0'; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return copy;
}

void
result_set_title(struct result *res, const char *title)
{
    free(res->title);
    res->title = title ? result_one_line(title) : NULL;
}

void
result_set_reason(struct result *res, const char *reason)
{
    free(res->reason);
    res->reason = reason ? result_one_line(reason) : NULL;
}

void
result_encode(const struct result *res, struct buf *out)
{
    buf_printf(out, "%s\n%s\n%s\n", result_words[res->status],
               res->title ? res->title : "", res->reason ? res->reason : "");
    buf_add(out, buf_str(&res->detail), res->detail.len);
}

/* Copy the line at *p (up to LF) and step past it; NULL if no LF. */
static char *
result_take_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    char *line;

    if (nl == NULL)
        return NULL;
    line = mem_strndup(*p, (size_t)(nl - *p));
    *p = nl + 1;
    return line;
}

int
result_decode(const char *data, size_t len, struct result *res)
{
    const char *p = data;
    const char *end = data + len;
    char *word = result_take_line(&p, end);
    char *title = word ? result_take_line(&p, end) : NULL;
    char *reason = title ? result_take_line(&p, end) : NULL;
    int rc = -1;

    for (size_t i = 0;
         reason && i < sizeof(result_words) / sizeof(*result_words); i++) {
        if (strcmp(word, result_words[i]) != 0)
            continue;
        res->status = (enum result_status)i;
        result_set_title(res, *title ? title : NULL);
        result_set_reason(res, *reason ? reason : NULL);
        buf_add(&res->detail, p, (size_t)(end - p));
        rc = 0;
    }
    free(word);
    free(title);
    free(reason);
    return rc;
}
