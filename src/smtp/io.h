/* io.h: buffered SMTP input and output with time-outs. */
#ifndef MXLAB_SMTP_IO_H
#define MXLAB_SMTP_IO_H

#include <stddef.h>
#include <sys/types.h>

struct gstr;
struct arena;

/* How a line read from the client ended. */
enum io_eol {
    IO_EOL_CRLF, /* CR LF, the only ending SMTP allows */
    IO_EOL_LF,   /* a bare LF */
    IO_EOL_NONE, /* end of input, or the line was cut at the limit */
};

enum io_status {
    IO_OK = 0,
    IO_EOF = -1,     /* the client closed the connection */
    IO_TIMEOUT = -2, /* nothing arrived within the time-out */
    IO_ERROR = -3,   /* a read or write error; errno says which */
    IO_TOO_LONG = -4 /* the line exceeded the limit (the rest is skipped) */
};

/* Transport hooks, so that TLS can take over the byte stream. */
struct io_ops {
    ssize_t (*read)(void *ctx, void *buf, size_t len);
    ssize_t (*write)(void *ctx, const void *buf, size_t len);
    /* Bytes the layer holds that poll() on the fd cannot see. */
    size_t (*pending)(void *ctx);
};

struct smtp_io {
    int in_fd;
    int out_fd;
    int timeout; /* seconds for each read and write */
    char *in;    /* input buffer */
    size_t in_size;
    size_t in_pos;
    size_t in_end;
    struct gstr *out; /* output waiting to be flushed */
    const struct io_ops *ops;
    void *ops_ctx;
    int eof;
    int error;
    unsigned long bytes_in;
    long deadline;     /* clock_ms() by which the session must end, 0: none */
    int expired;       /* an IO_TIMEOUT came from the deadline */
    int out_pipe;      /* out_fd is not a socket: wait, then write */
    int read_waits;    /* in_fd is a blocking socket whose SO_RCVTIMEO is the
                        * time-out: a read waits by itself, no poll() first */
    long busy_poll_us; /* such a read polls this long first, 0: never */
    int client_quick;  /* the last such wait was no longer than that */
};

void smtp_io_init(struct smtp_io *io, struct arena *a, int in_fd, int out_fd,
                  int timeout);
/* Input is refused (IO_TIMEOUT, with io->expired set) from the point in
 * time deadline (a clock_ms() value) on; 0 sets no limit. Output is not
 * limited, so that a reply can still tell the client why. */
void smtp_io_set_deadline(struct smtp_io *io, long deadline);
/* A read from a quick client on a plain socket polls for up to limit_us
 * microseconds before it sleeps (smtp_busy_poll); 0 turns it off. */
void smtp_io_set_busy_poll(struct smtp_io *io, long limit_us);
/* Reads one line into line (without its ending); *eol says how it
 * ended. Lines longer than max are skipped to their end: IO_TOO_LONG. */
int smtp_io_getline(struct smtp_io *io, struct gstr *line, size_t max,
                    enum io_eol *eol);
/* The same, but a line longer than max ends the read there, as Exim's
 * command reader: max bytes and one more are taken (IO_TOO_LONG), and
 * the rest of the line is read as the next line. */
int smtp_io_getline_cut(struct smtp_io *io, struct gstr *line, size_t max,
                        enum io_eol *eol);
/* One byte (0..255), or a negative enum io_status. */
int smtp_io_getc(struct smtp_io *io);
/* Moves the buffered bytes before the first CR or LF to out; reads
 * nothing from the client. */
void smtp_io_take_text(struct smtp_io *io, struct gstr *out);
/* Reads exactly len bytes (BDAT); IO_OK or an error status. */
int smtp_io_read_bytes(struct smtp_io *io, struct gstr *out, size_t len);
/* True if input is waiting: buffered, held by the TLS layer, or readable
 * now. Used for the pipelining synchronisation check. */
int smtp_io_input_pending(struct smtp_io *io);
void smtp_io_printf(struct smtp_io *io, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void smtp_io_write(struct smtp_io *io, const char *p, size_t n);
/* Sends what is buffered; IO_OK or IO_ERROR/IO_TIMEOUT. */
int smtp_io_flush(struct smtp_io *io);
/* Sends what is buffered now, unless the client has already sent more
 * than the server has taken (then it leaves with the next reply, as
 * pipelined replies do). For a reply after which the server has work of
 * its own to do before it reads again. */
int smtp_io_flush_early(struct smtp_io *io);
/* Drops buffered input (after a synchronisation error). */
void smtp_io_discard_input(struct smtp_io *io);

#endif
