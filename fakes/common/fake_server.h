#ifndef FAKE_SERVER_H
#define FAKE_SERVER_H

#include "fake_conn.h"
#include "fake_opts.h"

typedef int (*fake_session_fn)(struct fake_conn *c, void *ctx);

int fake_server_run(const struct fake_opts *o, fake_session_fn session,
                    void *ctx);

#endif
