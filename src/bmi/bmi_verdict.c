/*++
 * NAME
 *	bmi_verdict 3
 * SUMMARY
 *	a recipient's Brightmail verdict, from the stored verdicts
 * SYNOPSIS
 *	#include "bmi/bmi_verdict.h"
 *
 *	void	bmi_verdict_outcome(struct arena *a, const char *verdicts,
 *			const char *local_part, const char *domain,
 *			const char *msgid, struct bmi_outcome *out)
 *	int	bmi_verdict_rule_fired(struct arena *a, const char *verdict,
 *			const char *list)
 * DESCRIPTION
 *	A message scanned by BMI carries its verdicts in the -H file
 *	("--bmi_verdicts"): the verdict strings the SDK made, joined by
 *	colons. Each verdict lists the recipients it is for.
 *
 *	bmi_verdict_outcome() finds the first verdict that lists
 *	local_part@domain (both compared without regard to case, the
 *	recipient split at its first "@", as Exim does) and says what it
 *	means, with Exim's rules: no verdict, or one whose error is set,
 *	or one for the default destination: deliver normally; one without
 *	a destination: do not deliver ($bmi_deliver 0); otherwise deliver
 *	to the alternate location. The tracker string is the SDK's "old"
 *	form of the verdict (the rules that fired).
 *
 *	bmi_verdict_rule_fired() is the bmi_rule test: each item of the
 *	list that reads as a positive number is asked of the verdict;
 *	other items are ignored. A verdict whose error is set fired none.
 * DIAGNOSTICS
 *	A verdict string the SDK cannot read is logged to the panic log
 *	as Exim logs it, "bmi error [loc L type T]:
 *	bmiCreateVerdictFromStr() failed. [STRING]", and counts as no
 *	verdict; the line starts with msgid (the message being delivered)
 *	when it is not NULL, as Exim's lines in a delivery do.
 *--*/

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "base/list.h"
#include "base/printing.h"
#include "bmi/bmi_verdict.h"
#include "bmi/sdk/bmi_api.h"
#include "log/log.h"

static BmiVerdict *
verdict_from(struct arena *a, const char *str, const char *msgid)
{
    BmiVerdict *v = NULL;
    BmiError err = bmiCreateVerdictFromStr(str, &v);

    if (bmiErrorIsFatal(err) == BMI_TRUE) {
        gstr shown;
        gstr_init(&shown, a);
        str_printing(&shown, str, strlen(str));
        /* in a delivery, Exim's line carries the message id */
        log_write(LOG_PANIC,
                  "%s%sbmi error [loc %d type %d]: bmiCreateVerdictFromStr() "
                  "failed. [%s]",
                  msgid ? msgid : "", msgid ? " " : "",
                  (int)bmiErrorGetLocation(err), (int)bmiErrorGetType(err),
                  gstr_str(&shown));
        return NULL;
    }
    return v;
}

/* 1 if v lists local_part@domain. */
static int
lists_recipient(struct arena *a, const BmiVerdict *v, const char *local_part,
                const char *domain)
{
    for (const BmiRecipient *r = bmiVerdictAccessFirstRecipient(v); r != NULL;
         r = bmiVerdictAccessNextRecipient(v, r)) {
        char *addr = arena_strdup(a, bmiRecipientAccessAddress(r));
        char *at = strchr(addr, '@');
        const char *dom = "";
        if (at != NULL) {
            *at = '\0';
            dom = at + 1;
        }
        if (strcasecmp(addr, local_part) == 0 && strcasecmp(dom, domain) == 0)
            return 1;
    }
    return 0;
}

static const char *
find_verdict(struct arena *a, const char *verdicts, const char *local_part,
             const char *domain, const char *msgid)
{
    struct list_iter it;
    char *item;

    list_iter_init(&it, verdicts, ':');
    while ((item = list_next(&it, a)) != NULL) {
        BmiVerdict *v = verdict_from(a, item, msgid);
        int found;
        if (v == NULL)
            return NULL; /* as Exim: the search ends there */
        found = lists_recipient(a, v, local_part, domain);
        bmiFreeVerdict(v);
        if (found)
            return item;
    }
    return NULL;
}

void
bmi_verdict_outcome(struct arena *a, const char *verdicts,
                    const char *local_part, const char *domain,
                    const char *msgid, struct bmi_outcome *out)
{
    BmiVerdict *v;
    char *old = NULL;

    memset(out, 0, sizeof(*out));
    out->deliver = 1;
    if (verdicts == NULL || *verdicts == '\0')
        return;
    out->verdict = find_verdict(a, verdicts, local_part, domain, msgid);
    if (out->verdict == NULL ||
        (v = verdict_from(a, out->verdict, msgid)) == NULL)
        return;
    if (bmiErrorIsFatal(bmiCreateOldStrFromVerdict(v, &old)) != BMI_TRUE &&
        old != NULL) {
        out->tracker = arena_strdup(a, old);
        bmiFreeStr(old);
    }
    if (bmiErrorIsFatal(bmiVerdictError(v)) == BMI_TRUE ||
        bmiVerdictDestinationIsDefault(v) == BMI_TRUE)
        out->deliver = 1;
    else if (bmiVerdictAccessDestination(v) == NULL)
        out->deliver = 0;
    else
        out->alt = arena_strdup(a, bmiVerdictAccessDestination(v));
    bmiFreeVerdict(v);
}

int
bmi_verdict_rule_fired(struct arena *a, const char *verdict, const char *list)
{
    struct list_iter it;
    BmiVerdict *v;
    char *item;
    int fired = 0;

    if (verdict == NULL || *verdict == '\0' ||
        (v = verdict_from(a, verdict, NULL)) == NULL)
        return 0;
    if (bmiErrorIsFatal(bmiVerdictError(v)) == BMI_TRUE) {
        bmiFreeVerdict(v);
        return 0;
    }
    list_iter_init(&it, list, ':');
    while (!fired && (item = list_next(&it, a)) != NULL) {
        int n = atoi(item);
        if (n > 0 && bmiVerdictRuleFired(v, n) == BMI_TRUE)
            fired = 1;
    }
    bmiFreeVerdict(v);
    return fired;
}
