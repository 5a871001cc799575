/* smtp_data.h: the smtp transport's message after DATA or for BDAT:
 * plain, through transport_filter, or DKIM-signed. */
#ifndef MXLAB_TRANSPORT_SMTP_DATA_H
#define MXLAB_TRANSPORT_SMTP_DATA_H

#include "base/gstr.h"

struct smtp_conn;
struct transport_call;

#define SMTP_ERRNO_FILTER_FAIL (-24)

/* Writes the message of c to conn with CRLF line ends and leading dots
 * doubled (not the final dot), each write within timeout seconds.
 * 0; -1 for a write error (errno); -2 when the message could not be
 * made: err says why and *err_no is the errno for the addresses (err
 * empty: the addresses already have their results); -3 when it could
 * not be made and Exim treats that as a failed send (arc_sign that
 * cannot be expanded): err is the reason, *err_no the errno. */
int smtp_data_write(struct transport_call *c, struct smtp_conn *conn,
                    int timeout, int *err_no, gstr *err);
/* 1 if the message may go with BDAT: as Exim, not through a
 * transport_filter unless it is DKIM-signed too. */
int smtp_data_chunking_usable(const struct transport_call *c);
/* The message as BDAT sends it (CRLF line ends, no dot-stuffing, no
 * final dot) to fd, made as smtp_data_write() makes it. *sig_len is
 * the length of the signatures in front when the message went through
 * transport_filter and was signed (Exim then sends them as a chunk of
 * their own), else -1; *signed_msg says whether signatures went in
 * front at all. Returns as smtp_data_write(). */
int smtp_data_render(struct transport_call *c, int fd, long *sig_len,
                     int *signed_msg, int *err_no, gstr *err);

#endif
