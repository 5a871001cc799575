#ifndef FAKE_CONN_H
#define FAKE_CONN_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "fake_buf.h"
#include "fake_fault.h"

/* Results of connection I/O. */
#define FAKE_IO_OK      0
#define FAKE_IO_EOF     (-1)
#define FAKE_IO_TIMEOUT (-2)
#define FAKE_IO_TERM    (-3)
#define FAKE_IO_ERROR   (-4)
#define FAKE_IO_TOOLONG (-5)
#define FAKE_IO_CLOSED  (-6)

struct fake_conn {
    int fd;
    unsigned long id;
    SSL *ssl;
    int timeout_ms;
    struct fake_fault fault;
    char peer[128];
    char in[16384];
    size_t in_off;
    size_t in_len;
    int io_errno;
    int ended;
};

void fake_conn_init(struct fake_conn *c, int fd, unsigned long id,
                    int timeout_ms, const struct fake_fault *fault);
int fake_conn_read_line(struct fake_conn *c, struct fake_buf *line, size_t max);
int fake_conn_read_bytes(struct fake_conn *c, struct fake_buf *out, size_t n);
int fake_conn_write(struct fake_conn *c, const char *data, size_t len);
int fake_conn_send(struct fake_conn *c, const char *data, size_t len);
size_t fake_conn_discard_input(struct fake_conn *c);
int fake_conn_drain(struct fake_conn *c);
int fake_conn_send_last(struct fake_conn *c, const char *data, size_t len,
                        const char *why);
void fake_conn_end(struct fake_conn *c, int why);
void fake_conn_close(struct fake_conn *c);

#endif
