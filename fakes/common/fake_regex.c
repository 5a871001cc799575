/*++
 * NAME
 *	fake_regex 3
 * SUMMARY
 *	the regular expressions of behaviour scripts, with a size limit
 * SYNOPSIS
 *	#include "fake_regex.h"
 *
 *	void	fake_regex_begin(void)
 *	void	fake_regex_compile(const struct fake_script_line *l,
 *				regex_t *re, const char *pattern)
 *	unsigned long fake_regex_size(const char *pattern, int *too_deep)
 * DESCRIPTION
 *	fake_regex_compile() compiles a script's pattern as a POSIX
 *	extended regular expression, case-insensitive, with ^ and $ at
 *	line ends (REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE). A
 *	pattern that does not compile, that nests groups more than
 *	FAKE_REGEX_MAX_DEPTH deep, or whose repetitions would expand it to
 *	more than FAKE_REGEX_MAX_ATOMS atoms is a script error (FILE:LINE:
 *	message, exit 1), and so is one that takes the patterns compiled
 *	since the last fake_regex_begin() (a script's loader calls it)
 *	past FAKE_REGEX_MAX_TOTAL atoms together.
 *
 *	The limits exist because the C library's regcomp() builds a
 *	repetition by copying its operand, and the time and memory of its
 *	automaton grow with the square of the copies of anything that can
 *	match empty: (a{1000}){1000} takes 200 MB, (a*){30000} 7 GB and 33 s
 *	(fuzz-fake-dccifd ran out of 2 GB twice on such patterns). Within
 *	the limits a pattern takes at most some 20 MB.
 *
 *	fake_regex_size() is the estimate: every atom (a character, an
 *	escape, a bracket expression, an empty group) counts one, a group
 *	the sum of its branches plus one, and a piece followed by {n},
 *	{n,}, {n,m} or {,m} (glibc's {0,m}) counts its operand times the
 *	larger bound plus one,
 *	by *, + or ? ten times (and {0,m} ten times more), since what
 *	can match empty is what makes the automaton grow with the square.
 *	It errs high, never low; it saturates just above
 *	FAKE_REGEX_MAX_TOTAL. *too_deep is set when groups nest too deep.
 *--*/

#include <ctype.h>

#include "fake_regex.h"

#define LIMIT ((unsigned long long)FAKE_REGEX_MAX_TOTAL + 1)

/* The weight of a piece that can repeat its operand any number of times
 * or none (*, +, ?, {0,m}): glibc's cost grows with the square of those. */
#define NULLABLE 10

static unsigned long long
sat_add(unsigned long long a, unsigned long long b)
{
    return a + b > LIMIT ? LIMIT : a + b;
}

static unsigned long long
sat_mul(unsigned long long a, unsigned long long b)
{
    if (a != 0 && b > LIMIT / a)
        return LIMIT;
    return a * b > LIMIT ? LIMIT : a * b;
}

/* The end of the bracket expression that starts at p ('['), or the end
 * of the string when it has none (regcomp will refuse it). */
static const char *
bracket_end(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p != '\0' && *p != ']') {
        if (p[0] == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
            char kind = p[1];

            for (p += 2; *p != '\0' && !(p[0] == kind && p[1] == ']'); p++)
                ;
            if (*p == '\0')
                return p;
            p += 2;
            continue;
        }
        p++;
    }
    return *p == ']' ? p + 1 : p;
}

/* The weight of an interval {n}, {n,}, {n,m} or {,m} at p (its larger
 * bound plus one, times NULLABLE when n is 0 or missing: glibc reads
 * {,m} as {0,m}), and its end in *end; 0 when p holds none (the brace
 * is then an ordinary atom). */
static unsigned long long
interval(const char *p, const char **end)
{
    unsigned long long n = 0, m = 0;
    const char *q = p + 1;

    if (!isdigit((unsigned char)*q) && *q != ',')
        return 0;
    while (isdigit((unsigned char)*q))
        n = sat_mul(n, 10) + (unsigned long long)(*q++ - '0');
    if (*q == ',') {
        q++;
        while (isdigit((unsigned char)*q))
            m = sat_mul(m, 10) + (unsigned long long)(*q++ - '0');
    }
    if (*q != '}')
        return 0;
    *end = q + 1;
    return sat_mul((m > n ? m : n) + 1, n == 0 ? NULLABLE : 1);
}

unsigned long
fake_regex_size(const char *pattern, int *too_deep)
{
    /* Per open group: the pieces done (sum) and the last piece, which a
     * repetition may still multiply. */
    struct {
        unsigned long long sum, last;
    } st[FAKE_REGEX_MAX_DEPTH + 1];
    int depth = 0;
    const char *p = pattern, *end;
    unsigned long long k;

    *too_deep = 0;
    st[0].sum = st[0].last = 0;
    while (*p != '\0') {
        switch (*p) {
        case '(':
            if (depth == FAKE_REGEX_MAX_DEPTH) {
                *too_deep = 1;
                return (unsigned long)LIMIT;
            }
            depth++;
            st[depth].sum = st[depth].last = 0;
            p++;
            continue;
        case ')':
            if (depth > 0) {
                unsigned long long inner =
                    sat_add(sat_add(st[depth].sum, st[depth].last), 1);

                depth--;
                st[depth].sum = sat_add(st[depth].sum, st[depth].last);
                st[depth].last = inner;
                p++;
                continue;
            }
            break;
        case '|':
            st[depth].sum = sat_add(st[depth].sum, st[depth].last);
            st[depth].last = 0;
            p++;
            continue;
        case '*':
        case '+':
        case '?':
            st[depth].last = sat_mul(st[depth].last, NULLABLE);
            p++;
            continue;
        case '{':
            if ((k = interval(p, &end)) != 0) {
                st[depth].last = sat_mul(st[depth].last, k);
                p = end;
                continue;
            }
            break;
        default:
            break;
        }
        /* One atom. */
        st[depth].sum = sat_add(st[depth].sum, st[depth].last);
        st[depth].last = 1;
        if (*p == '[')
            p = bracket_end(p);
        else if (*p == '\\' && p[1] != '\0')
            p += 2;
        else
            p++;
    }
    /* Groups left open: regcomp refuses them; count them closed. */
    while (depth > 0) {
        unsigned long long inner = sat_add(st[depth].sum, st[depth].last);

        depth--;
        st[depth].last = sat_add(st[depth].last, inner);
    }
    return (unsigned long)sat_add(st[0].sum, st[0].last);
}

static unsigned long total;

void
fake_regex_begin(void)
{
    total = 0;
}

void
fake_regex_compile(const struct fake_script_line *l, regex_t *re,
                   const char *pattern)
{
    unsigned long size;
    int too_deep, rc;
    char err[256];

    size = fake_regex_size(pattern, &too_deep);
    if (too_deep)
        fake_script_error(l, "regex \"%s\" nests groups more than %d deep",
                          pattern, FAKE_REGEX_MAX_DEPTH);
    if (size > FAKE_REGEX_MAX_ATOMS)
        fake_script_error(l,
                          "regex \"%s\" too large: its repetitions expand "
                          "it to more than %d atoms",
                          pattern, FAKE_REGEX_MAX_ATOMS);
    if (total + size > FAKE_REGEX_MAX_TOTAL)
        fake_script_error(l,
                          "regex \"%s\": the script's regexes together "
                          "expand to more than %d atoms",
                          pattern, FAKE_REGEX_MAX_TOTAL);
    total += size;
    rc = regcomp(re, pattern,
                 REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE);
    if (rc != 0) {
        regerror(rc, re, err, sizeof(err));
        fake_script_error(l, "bad regex \"%s\": %s", pattern, err);
    }
}
