/* bmi_verdict.h: reading a message's stored Brightmail verdicts, through
 * the client SDK's verdict calls, as Exim's routing does. */
#ifndef MXLAB_BMI_BMI_VERDICT_H
#define MXLAB_BMI_BMI_VERDICT_H

struct arena;

/* What the verdicts say for one recipient. */
struct bmi_outcome {
    const char *verdict; /* base64, or NULL: none for this recipient */
    const char *tracker; /* base64 of the rules, or NULL */
    int deliver;         /* $bmi_deliver: 0 or 1 */
    const char *alt;     /* $bmi_alt_location, or NULL */
};

/* The verdict for local_part@domain in verdicts (the spool's
 * "bmi_verdicts" value, a colon-separated list; may be NULL), and what
 * it means. */
void bmi_verdict_outcome(struct arena *a, const char *verdicts,
                         const char *local_part, const char *domain,
                         const char *msgid, struct bmi_outcome *out);
/* 1 if one of the rule numbers in list (colon-separated) fired in the
 * verdict (may be NULL: none did). */
int bmi_verdict_rule_fired(struct arena *a, const char *verdict,
                           const char *list);

#endif
