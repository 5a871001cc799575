/* xclient.h: the XCLIENT command (Postfix's proxy extension) in the SMTP
 * server. */
#ifndef MXLAB_SMTP_XCLIENT_H
#define MXLAB_SMTP_XCLIENT_H

/* Adds the XCLIENT command and its EHLO keyword to the server. */
void xclient_smtp_init(void);

#endif
