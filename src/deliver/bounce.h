/* bounce.h: failure reports ("bounces") for failed addresses. */
#ifndef MXLAB_DELIVER_BOUNCE_H
#define MXLAB_DELIVER_BOUNCE_H

#include "spool/msgid.h"

struct address;
struct spool_msg;

/* deliver_bounce_hook: spools a bounce for the failed addresses in
 * done, or freezes m when it is itself a bounce. */
void bounce_send(struct spool_msg *m, struct address *done);
/* 1 for a message from <> older than ignore_bounce_errors_after: it is
 * thawed, and its failures are ignored, not frozen. */
int bounce_errors_ignored(const struct spool_msg *m);
/* Moves up to max ids of reports bounce_send() spooled, and that
 * are still to be delivered, into ids; returns how many. */
int bounce_take_pending(char (*ids)[MSGID_LEN + 1], int max);
/* Set by the delivery: delivers the reports pending now (Exim's report
 * process is waited for, so what is logged next comes after its lines). */
extern void (*bounce_deliver_pending_hook)(void);

/* Shared with the other reports (notice.c). */
struct arena;
struct gstr;
/* Spools text as a report from <> about m to rcpt (delivered at once,
 * see bounce_take_pending()). */
void report_spool(struct arena *a, const struct spool_msg *m, const char *rcpt,
                  const char *text);
/* A fresh MIME boundary, "TIME-eximdsn-RANDOM" as Exim's (RANDOM ten
 * digits, zero-padded); the random part comes from host_random(), so
 * MXLAB_RANDOM_SEED repeats it. */
char *report_boundary(struct arena *a);
/* "\n    lead" and s, broken after ": " as Exim's print_address_error(). */
void report_add_error(struct gstr *g, const char *lead, const char *s);
/* "host NAME [IP]\n    " for an address delivered to a host, or "". */
const char *report_host_lead(struct arena *a, const struct address *x);
const char *report_error_text(const struct address *x);
/* "Diagnostic-Code: smtp; " and what follows the first ": " of a's
 * message, when the sender may see it (ADDR_PASS_MSG). */
void report_add_diagnostic(struct gstr *g, const struct address *a);
/* A header's value from m (NULL if it has none). */
const char *report_header_value(struct arena *a, const struct spool_msg *m,
                                const char *name);

#endif
