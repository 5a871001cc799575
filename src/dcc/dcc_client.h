/* dcc_client.h: one exchange with dccifd, over a unix or TCP socket. */
#ifndef MXLAB_DCC_DCC_CLIENT_H
#define MXLAB_DCC_DCC_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

#include "base/gstr.h"

struct arena;

/* dccifd_address, parsed. */
struct dcc_addr {
    const char *path; /* a unix socket, or NULL for TCP */
    const char *host; /* an IPv4 or IPv6 address, or a host name */
    unsigned port;
};

/* "/path", or "<ip-or-name> <port>". 0, or -1 when it is neither. */
int dcc_addr_parse(const char *text, struct arena *a, struct dcc_addr *addr);

/* How an exchange ended. */
enum dcc_io {
    DCC_IO_OK,       /* answer holds everything dccifd sent, to EOF */
    DCC_IO_SOCKET,   /* socket() failed */
    DCC_IO_CONNECT,  /* connect() failed or timed out; or no address */
    DCC_IO_WRITE,    /* the request could not be written */
    DCC_IO_SHUTDOWN, /* shutdown(SHUT_WR) failed */
    DCC_IO_READ,     /* reading the answer failed */
    DCC_IO_TIMEOUT,  /* no end of the answer before the deadline */
    DCC_IO_BODY,     /* the spooled body could not be read */
};

struct dcc_request {
    const char *head; /* options, client, HELO, sender, recipients, "" */
    size_t head_len;
    const char *headers; /* the header lines, then "\r\n" */
    size_t headers_len;
    int body_fd; /* the spooled body, read from body_off to its end */
    off_t body_off;
};

/* Connects, writes the request, half-closes, reads the answer to EOF;
 * every step bounded by timeout seconds in all. On failure errno-ish
 * detail is in *err_no (0 for a time-out). */
enum dcc_io dcc_client_exchange(const struct dcc_addr *addr,
                                const struct dcc_request *req, int timeout,
                                gstr *answer, int *err_no);

#endif
