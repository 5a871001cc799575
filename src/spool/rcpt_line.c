/*++
 * NAME
 *	rcpt_line 3
 * SUMMARY
 *	recipient lines of -H files
 * SYNOPSIS
 *	#include "spool/rcpt_line.h"
 *
 *	void	rcpt_line_format(gstr *out, const struct spool_rcpt *r)
 *	int	rcpt_line_parse(const char *line, size_t len,
 *			struct arena *a, struct spool_rcpt *r,
 *			const char **why)
 * DESCRIPTION
 *	A recipient is its address alone, or, when it has a parent number,
 *	an errors_to address, DSN flags or an ORCPT, the form Exim writes
 *	since DSN support:
 *
 *	    <address> <orcpt> <len>,<dsnflags> <errors_to> <len>,<pno>#3
 *
 *	(empty fields leave two spaces together; pno is -1 when there is
 *	no parent). An address that would read back otherwise if written
 *	alone (one ending in "#12" or " 5") is written in this form too. Exim
 *drops an ORCPT that came without NOTIFY, as its flags are then 0; mxlab writes
 *the long form for it. Newlines in addresses are written as spaces, as Exim
 *does.
 *
 *	Addresses may contain spaces, so lines are parsed from the right.
 *	A trailing "#<flags>" means the current form: bit 1 for "<errors_to>
 *	<len>,<pno>", bit 2 for "<orcpt> <len>,<dsnflags>" before it.
 *	Older forms: "<address> <n>,<pno>,<n>" (Exim 3) and "<address>
 *	<pno>" (early Exim 4). Anything else is an address. Unlike Exim, a
 *	"#1" line (errors_to only) keeps its address whole, and a length
 *	that does not fit the line is an error rather than garbage.
 * DIAGNOSTICS
 *	rcpt_line_parse() returns -1 and a phrase for a current-form line
 *	whose fields do not add up.
 *--*/

#include <string.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "spool/decimal.h"
#include "spool/envelope.h"
#include "spool/rcpt_line.h"

static void
put_oneline(struct gstr *out, const char *s)
{
    for (; *s; s++)
        gstr_addc(out, *s == '\n' ? ' ' : *s);
}

/* Would the address, written alone, read back as itself? One that ends
 * in digits may look like the fields of a longer form ("a#12", "a 5"),
 * which Exim's format cannot tell apart; such an address is written in
 * the long form, whose fields end it unambiguously. */
static int
reads_back_alone(const char *addr)
{
    size_t n = strlen(addr);
    struct spool_rcpt back;
    const char *why;
    struct arena *a;
    int same;

    if (n == 0 || addr[n - 1] < '0' || addr[n - 1] > '9' ||
        strchr(addr, '\n') != NULL)
        return 1;
    a = arena_create();
    same = rcpt_line_parse(addr, n, a, &back, &why) == 0 &&
           strcmp(back.address, addr) == 0 && back.pno < 0 &&
           back.errors_to == NULL && back.orcpt == NULL;
    arena_destroy(a);
    return same;
}

void
rcpt_line_format(struct gstr *out, const struct spool_rcpt *r)
{
    const char *orcpt = r->orcpt ? r->orcpt : "";
    const char *errors_to = r->errors_to ? r->errors_to : "";

    put_oneline(out, r->address);
    if (r->pno >= 0 || r->errors_to != NULL || r->dsn_flags != 0 ||
        r->orcpt != NULL || !reads_back_alone(r->address)) {
        gstr_addc(out, ' ');
        put_oneline(out, orcpt);
        gstr_printf(out, " %zu,%d ", strlen(orcpt), r->dsn_flags);
        put_oneline(out, errors_to);
        gstr_printf(out, " %zu,%d#3", strlen(errors_to), r->pno);
    }
    gstr_addc(out, '\n');
}

/* Moves *e back over "<digits|-|,>" to the space before them. */
static int
back_to_space(const char *line, size_t *e)
{
    size_t b = *e;

    while (b > 0 && ((line[b - 1] >= '0' && line[b - 1] <= '9') ||
                     line[b - 1] == ',' || line[b - 1] == '-'))
        b--;
    if (b == 0 || line[b - 1] != ' ' || b == *e)
        return -1;
    *e = b - 1;
    return 0;
}

/* "<len>,<n>" in line[b..e). */
static int
parse_pair(const char *line, size_t b, size_t e, long *len, int *n)
{
    const char *comma = memchr(line + b, ',', e - b);

    if (comma == NULL ||
        decimal_long(line + b, (size_t)(comma - line - b), 0, len) < 0 ||
        decimal_int(comma + 1, e - (size_t)(comma + 1 - line), 1, n) < 0)
        return -1;
    return 0;
}

/* Takes "<text> <len>,<n>" off the end of line[0..*e); *e ends up at the
 * space before <text>. */
static int
take_field(const char *line, size_t *e, struct arena *a, char **text, int *n)
{
    size_t num_end = *e, sp;
    long len;

    if (back_to_space(line, e) < 0)
        return -1;
    sp = *e;
    if (parse_pair(line, sp + 1, num_end, &len, n) < 0 || (size_t)len > sp ||
        sp - (size_t)len < 1 || line[sp - (size_t)len - 1] != ' ')
        return -1;
    *text =
        len > 0 ? arena_strndup(a, line + sp - (size_t)len, (size_t)len) : NULL;
    *e = sp - (size_t)len - 1;
    return 0;
}

static int
parse_current(const char *line, size_t len, size_t hash, struct arena *a,
              struct spool_rcpt *r, const char **why)
{
    size_t e = hash;
    int flags;

    if (decimal_int(line + hash + 1, len - hash - 1, 0, &flags) < 0) {
        *why = "has bad flags after \"#\"";
        return -1;
    }
    if ((flags & 0x01) && take_field(line, &e, a, &r->errors_to, &r->pno) < 0) {
        *why = "has a bad errors_to field";
        return -1;
    }
    if ((flags & 0x02) &&
        take_field(line, &e, a, &r->orcpt, &r->dsn_flags) < 0) {
        *why = "has a bad DSN field";
        return -1;
    }
    if (e == 0) {
        *why = "has no address";
        return -1;
    }
    r->address = arena_strndup(a, line, e);
    return 0;
}

/* Exim 3's "<addr> <n>,<pno>,<n>"; a line that only looks like one is
 * an address, as Exim takes it. */
static void
parse_exim3(const char *line, size_t len, struct arena *a, struct spool_rcpt *r)
{
    size_t e = len;
    const char *c1, *c2;

    if (back_to_space(line, &e) == 0 && e > 0 &&
        (c1 = memchr(line + e + 1, ',', len - e - 1)) != NULL &&
        (c2 = memchr(c1 + 1, ',', (size_t)(line + len - c1 - 1))) != NULL &&
        decimal_int(c1 + 1, (size_t)(c2 - c1 - 1), 1, &r->pno) == 0)
        r->address = arena_strndup(a, line, e);
    else
        r->address = arena_strndup(a, line, len);
}

int
rcpt_line_parse(const char *line, size_t len, struct arena *a,
                struct spool_rcpt *r, const char **why)
{
    size_t i = len;

    memset(r, 0, sizeof(*r));
    r->pno = -1;
    if (len == 0) {
        *why = "is empty";
        return -1;
    }
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
        i--;
    if (i > 0 && i < len && line[i - 1] == '#')
        return parse_current(line, len, i - 1, a, r, why);
    if (i > 0 && i < len && line[i - 1] == ',') {
        parse_exim3(line, len, a, r);
        return 0;
    }
    if (i > 1 && i < len && line[i - 1] == ' ') { /* "<addr> <pno>" */
        (void)decimal_int(line + i, len - i, 0, &r->pno);
        r->address = arena_strndup(a, line, i - 1);
        return 0;
    }
    r->address = arena_strndup(a, line, len);
    return 0;
}
