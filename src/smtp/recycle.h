/* recycle.h: whether a daemon's session process can serve another
 * connection, and what is reset before it does (recycle.c). */
#ifndef MXLAB_SMTP_RECYCLE_H
#define MXLAB_SMTP_RECYCLE_H

struct smtp_session;

/* Notes the descriptors open before the process's first connection
 * (except_fd, that connection's socket, apart), which it may keep. */
void smtp_recycle_mark(int except_fd);

/* Frees the ended session s (its socket closed; result is what
 * smtp_session_run() returned); 0 when the process is as a new one and
 * may take another connection, -1 when it must exit. keep_fd is the
 * descriptor it keeps (its socket to the daemon). */
int smtp_recycle(struct smtp_session *s, int result, int keep_fd);

#endif
