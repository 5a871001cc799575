/* bmi_scan.h: passing a message to the BMI server just before it is
 * accepted, and keeping the verdicts in its envelope. */
#ifndef MXLAB_BMI_BMI_SCAN_H
#define MXLAB_BMI_BMI_SCAN_H

struct receive;
struct acl_state;

/* Scans the message if "control = bmi_run" was obeyed (st), and sets its
 * bmi_verdicts. Call after the last ACL, before receive_commit(). A
 * failure is logged and leaves the message without verdicts. */
void bmi_scan(struct receive *r, const struct acl_state *st);

#endif
