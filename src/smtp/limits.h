/* limits.h: the LIMITS ESMTP extension (RFC 9422) in the SMTP server. */
#ifndef MXLAB_SMTP_LIMITS_H
#define MXLAB_SMTP_LIMITS_H

/* Adds the LIMITS keyword to the EHLO reply. */
void limits_smtp_init(void);

#endif
