/* dkim_smtp.h: DKIM verification of a message received over SMTP, as
 * the SMTP server drives it: lines in, then the acl_smtp_dkim runs,
 * the log lines and the DKIM= field of the reception line. */
#ifndef MXLAB_DKIM_DKIM_SMTP_H
#define MXLAB_DKIM_DKIM_SMTP_H

#include <stddef.h>

struct arena;
struct expand_ctx;

struct dkim_msg;

/* Registers the dkim_signers and dkim_status ACL conditions (once). */
void dkim_init(void);

struct dkim_msg *dkim_msg_start(struct arena *a);
/* receive_params.line_sink: one line as received. */
void dkim_msg_line(void *m, const char *line, size_t len);

/* The caller's run of acl_smtp_dkim, returning an acl_rc; the caller
 * answers the final result after dkim_msg_finish(). */
typedef int dkim_acl_fn(void *arg);

/* After the data: verifies, sets $dkim_signers, runs the ACL once per
 * signer of dkim_verify_signers (when acl is set) with the $dkim_*
 * variables of each signature, and writes the "DKIM: ..." log lines.
 * id prefixes the log lines. Returns the acl_rc of the last ACL run
 * (ACL_OK when none ran), or ACL_DEFER when dkim_verify_signers could
 * not be expanded (logged). */
int dkim_msg_finish(struct dkim_msg *m, struct expand_ctx *x, const char *id,
                    const char *acl, dkim_acl_fn *run_acl, void *arg);

/* The domain for "DKIM=" on the reception line, or NULL. */
const char *dkim_msg_firstpass(const struct dkim_msg *m);

/* Releases what the hashes hold outside the arena. */
void dkim_msg_free(struct dkim_msg *m);

#endif
