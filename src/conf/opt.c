/*++
 * NAME
 *	opt 3
 * SUMMARY
 *	typed option tables
 * SYNOPSIS
 *	#include "conf/opt.h"
 *
 *	const struct opt_def *opt_find(const struct opt_table *t,
 *				const char *name)
 *	void	*opt_block_new(struct arena *a, const struct opt_table *t)
 *	int	opt_set(struct arena *a, const struct opt_def *d, void *block,
 *				const char *value, int negate, gstr *err)
 *	void	opt_print(gstr *out, const struct opt_def *d,
 *				const void *block)
 * DESCRIPTION
 *	Every configurable thing in mxlab (the main section, each router,
 *	transport and authenticator driver, and what a feature adds to
 *	them) describes its options with a table of struct opt_def: the
 *	name, the type, and the offset of the value in a block (a struct
 *	of that thing's settings). Adding an option is one table line and
 *	one struct member.
 *
 *	opt_set() parses the text of a value according to the type and
 *	stores it; opt_print() writes it back as -bP shows it. Strings are
 *	stored as they are written; OPT_EXPANDED marks those the code
 *	expands at the time of use.
 *
 *	Integers take an optional K, M or G suffix (times 1024 each step),
 *	a leading 0x for hex, or a leading 0 for octal (OPT_OCTAL). Times
 *	are Exim durations ("1h30m"); fixed-point numbers have up to three
 *	decimals.
 * DIAGNOSTICS
 *	opt_set() returns -1 and explains the problem in err, naming the
 *	option and the value.
 *--*/

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/printing.h"
#include "base/tod.h"
#include "conf/opt.h"

const struct opt_def *
opt_find(const struct opt_table *t, const char *name)
{
    for (size_t i = 0; i < t->ndefs; i++)
        if (strcmp(t->defs[i].name, name) == 0)
            return &t->defs[i];
    return NULL;
}

void *
opt_block_new(struct arena *a, const struct opt_table *t)
{
    void *block = arena_alloc(a, t->block_size);

    if (t->defaults != NULL)
        memcpy(block, t->defaults, t->block_size);
    return block;
}

const char *
opt_type_name(enum opt_type type)
{
    switch (type) {
    case OPT_STRING:
    case OPT_EXPANDED:
        return "string";
    case OPT_LIST:
        return "list";
    case OPT_BOOL:
        return "boolean";
    case OPT_INT:
    case OPT_MKINT:
        return "integer";
    case OPT_OCTAL:
        return "octal integer";
    case OPT_TIME:
        return "time";
    case OPT_FIXED:
        return "fixed-point";
    }
    return "unknown";
}

int
opt_parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
        *out = 1;
        return 0;
    }
    if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

int
opt_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 0);
    if (end == s || errno == ERANGE)
        return -1;
    switch (*end) {
    case 'G':
    case 'g':
        if (v > LLONG_MAX / 1024 || v < LLONG_MIN / 1024)
            return -1;
        v *= 1024;
        /* FALLTHROUGH */
    case 'M':
    case 'm':
        if (v > LLONG_MAX / 1024 || v < LLONG_MIN / 1024)
            return -1;
        v *= 1024;
        /* FALLTHROUGH */
    case 'K':
    case 'k':
        if (v > LLONG_MAX / 1024 || v < LLONG_MIN / 1024)
            return -1;
        v *= 1024;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int
opt_parse_fixed(const char *s, long long *out)
{
    long long whole = 0, frac = 0;
    int digits = 0, neg = 0;

    if (*s == '-') {
        neg = 1;
        s++;
    }
    if (!isdigit((unsigned char)*s))
        return -1;
    while (isdigit((unsigned char)*s)) {
        if (whole > INT_MAX / 10)
            return -1;
        whole = whole * 10 + (*s++ - '0');
    }
    if (*s == '.') {
        s++;
        while (isdigit((unsigned char)*s)) {
            if (digits++ < 3)
                frac = frac * 10 + (*s - '0');
            s++;
        }
    }
    if (*s != '\0')
        return -1;
    while (digits < 3) {
        frac *= 10;
        digits++;
    }
    *out = (whole * 1000 + frac) * (neg ? -1 : 1);
    return 0;
}

static int
opt_bad(gstr *err, const struct opt_def *d, const char *value,
        const char *expected)
{
    gstr_printf(err, "bad value \"%s\" for %s option \"%s\": %s", value,
                opt_type_name(d->type), d->name, expected);
    return -1;
}

static int
opt_set_int(const struct opt_def *d, int *slot, const char *value, gstr *err)
{
    long long v;

    if (d->type == OPT_OCTAL) {
        char *end;
        errno = 0;
        v = strtoll(value, &end, 8);
        if (end == value || *end != '\0' || errno == ERANGE)
            return opt_bad(err, d, value, "expected an octal number");
    } else if (opt_parse_int(value, &v) < 0) {
        return opt_bad(err, d, value,
                       "expected a number, optionally followed by K, M or G");
    }
    if (v > INT_MAX || v < INT_MIN)
        return opt_bad(err, d, value, "number out of range");
    *slot = (int)v;
    return 0;
}

/* A user or group name (or number) that can be looked up. */
static int
opt_id_exists(const char *name, int group)
{
    if (*name != '\0' && strspn(name, "0123456789") == strlen(name))
        return 1;
    return group ? getgrnam(name) != NULL : getpwnam(name) != NULL;
}

int
opt_set(struct arena *a, const struct opt_def *d, void *block,
        const char *value, int negate, gstr *err)
{
    void *slot = (char *)block + d->offset;
    long long v;
    long secs;

    if (d->type == OPT_BOOL) {
        int b = 1;
        if (value != NULL && opt_parse_bool(value, &b) < 0)
            return opt_bad(err, d, value, "expected true, false, yes or no");
        if (value != NULL && negate) {
            gstr_printf(err,
                        "\"no_\" or \"not_\" prefix with a value for "
                        "boolean option \"%s\"",
                        d->name);
            return -1;
        }
        *(int *)slot = negate ? 0 : b;
        return 0;
    }
    if (negate) {
        gstr_printf(err,
                    "\"no_\" or \"not_\" prefix on %s option \"%s\": "
                    "only boolean options take it",
                    opt_type_name(d->type), d->name);
        return -1;
    }
    if (value == NULL) {
        gstr_printf(err, "%s option \"%s\" needs a value (\"%s = ...\")",
                    opt_type_name(d->type), d->name, d->name);
        return -1;
    }
    switch (d->type) {
    case OPT_STRING:
    case OPT_EXPANDED:
    case OPT_LIST:
        if ((d->flags & (OPT_USER | OPT_GROUP)) && strchr(value, '$') == NULL &&
            !opt_id_exists(value, (d->flags & OPT_GROUP) != 0)) {
            gstr_printf(err, "%s %s was not found",
                        d->flags & OPT_GROUP ? "group" : "user", value);
            return -1;
        }
        *(char **)slot = arena_strdup(a, value);
        return 0;
    case OPT_INT:
    case OPT_MKINT:
    case OPT_OCTAL:
        return opt_set_int(d, slot, value, err);
    case OPT_TIME:
        if (tod_parse_duration(value, &secs) < 0 || secs > INT_MAX)
            return opt_bad(err, d, value,
                           "expected a time such as 30s, 5m, 1h30m or 2d");
        *(int *)slot = (int)secs;
        return 0;
    case OPT_FIXED:
        if (opt_parse_fixed(value, &v) < 0 || v > INT_MAX || v < INT_MIN)
            return opt_bad(err, d, value, "expected a number such as 1.5");
        *(int *)slot = (int)v;
        return 0;
    case OPT_BOOL:
        break;
    }
    return 0;
}

static void
opt_print_mkint(gstr *out, int v)
{
    if (v != 0 && v % (1024 * 1024) == 0)
        gstr_printf(out, "%dM", v / (1024 * 1024));
    else if (v != 0 && v % 1024 == 0)
        gstr_printf(out, "%dK", v / 1024);
    else
        gstr_printf(out, "%d", v);
}

void
opt_print(gstr *out, const struct opt_def *d, const void *block)
{
    const void *slot = (const char *)block + d->offset;
    const char *s;
    int v;

    if (d->type == OPT_BOOL) {
        gstr_printf(out, "%s%s", *(const int *)slot ? "" : "no_", d->name);
        return;
    }
    if ((d->flags & OPT_XBOOL) && (s = *(char *const *)slot) != NULL &&
        (strcmp(s, "true") == 0 || strcmp(s, "false") == 0 ||
         strcmp(s, "yes") == 0 || strcmp(s, "no") == 0)) {
        gstr_printf(out, "%s%s", s[0] == 't' || s[0] == 'y' ? "" : "no_",
                    d->name);
        return;
    }
    gstr_printf(out, "%s = ", d->name);
    switch (d->type) {
    case OPT_STRING:
    case OPT_EXPANDED:
    case OPT_LIST:
        s = *(char *const *)slot;
        s = s ? s : "";
        str_printing(out, s, strlen(s));
        break;
    case OPT_INT:
        gstr_printf(out, "%d", *(const int *)slot);
        break;
    case OPT_MKINT:
        opt_print_mkint(out, *(const int *)slot);
        break;
    case OPT_OCTAL:
        gstr_printf(out, "0%o", (unsigned)*(const int *)slot);
        break;
    case OPT_TIME:
        tod_format_duration(out, *(const int *)slot);
        break;
    case OPT_FIXED:
        v = *(const int *)slot;
        gstr_printf(out, "%s%d.%03d", v < 0 ? "-" : "", abs(v) / 1000,
                    abs(v) % 1000);
        break;
    case OPT_BOOL:
        break;
    }
}
