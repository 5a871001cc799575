/*++
 * NAME
 *	sign_spec 3
 * SUMMARY
 *	the arc_sign value
 * SYNOPSIS
 *	#include "arc/arc_sign.h"
 *
 *	int	arc_sign_spec_parse(struct arena *a, const char *spec,
 *			unsigned long now, struct arc_sign_req *r,
 *			const char **what, const char **unknown)
 * DESCRIPTION
 *	The expanded value is a colon list (a leading "<c" changes the
 *	separator): ADMD identity, selector, private key, and optionally
 *	a comma list of options:
 *
 *	timestamps: t= (now) on the AMS and the AS.
 *
 *	expire, expire=N, expire=+N: x= on the AMS: now plus one month
 *	(30 days), N as it is, now plus N seconds (+0 or a +value that is
 *	not a number: one month). Any option that starts with "expire"
 *	counts, as in Exim.
 *
 *	An empty value (or one of only white space) means no signing.
 * DIAGNOSTICS
 *	-1 and *what "identity", "selector" or "privkey" when one of the
 *	first three is missing or empty, or the identity or selector has
 *	a character other than a letter, digit, "-" or "." (Exim logs
 *	"ARC: bad signing-specification (<what>)"). Unknown options are
 *	given back in *unknown (Exim ignores them without a word; the
 *	caller logs them).
 *--*/

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arc/arc_sign.h"
#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"

#define ARC_EXPIRE_DEFAULT (60UL * 60 * 24 * 30)

static int
valid_id(const char *s)
{
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
            return 0;
    return 1;
}

static void
parse_options(struct arena *a, const char *opts, unsigned long now,
              struct arc_sign_req *r, gstr *unknown)
{
    struct list_iter it;
    char *o;

    list_iter_init(&it, opts, ',');
    while ((o = list_next(&it, a)) != NULL) {
        if (strcmp(o, "timestamps") == 0) {
            r->timestamps = 1;
            r->t = now;
        } else if (strncmp(o, "expire", 6) == 0) {
            r->expire = 1;
            if (o[6] != '=')
                r->x = now + ARC_EXPIRE_DEFAULT;
            else if (o[7] == '+') {
                unsigned long d = (unsigned long)atoi(o + 8);
                r->x = now + (d ? d : ARC_EXPIRE_DEFAULT);
            } else
                r->x = (unsigned long)atol(o + 7);
        } else if (*o != '\0')
            list_append(unknown, ',', o);
    }
}

int
arc_sign_spec_parse(struct arena *a, const char *spec, unsigned long now,
                    struct arc_sign_req *r, const char **what,
                    const char **unknown)
{
    struct list_iter it;
    char *id, *sel, *key, *opts;
    gstr u;

    memset(r, 0, sizeof(*r));
    *what = *unknown = NULL;
    while (isspace((unsigned char)*spec))
        spec++;
    if (*spec == '\0')
        return 0;
    list_iter_init(&it, spec, ':');
    if ((id = list_next(&it, a)) == NULL || *id == '\0')
        return *what = "identity", -1;
    if ((sel = list_next(&it, a)) == NULL || *sel == '\0')
        return *what = "selector", -1;
    if ((key = list_next(&it, a)) == NULL || *key == '\0')
        return *what = "privkey", -1;
    if (!valid_id(id))
        return *what = "identity", -1;
    if (!valid_id(sel))
        return *what = "selector", -1;
    r->identity = id;
    r->selector = sel;
    r->privkey = key;
    gstr_init(&u, a);
    if ((opts = list_next(&it, a)) != NULL)
        parse_options(a, opts, now, r, &u);
    *unknown = u.len ? gstr_str(&u) : NULL;
    return 1;
}
