/* bmi_acl.h: Brightmail in the ACLs: "control = bmi_run" and the
 * "bmi_optin" modifier. */
#ifndef MXLAB_BMI_BMI_ACL_H
#define MXLAB_BMI_BMI_ACL_H

struct acl_state;

/* Registers the control and the modifier (start-up, before the ACLs are
 * checked). */
void bmi_acl_init(void);
/* Whether "control = bmi_run" was obeyed for the message. */
int bmi_acl_run_set(const struct acl_state *st);
/* The opt-in string the RCPT ACL gave address (the last one), or NULL. */
const char *bmi_acl_optin(const struct acl_state *st, const char *address);

#endif
