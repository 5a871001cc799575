#ifndef RUNNER_NET_H
#define RUNNER_NET_H

struct buf;

int net_alloc_ports(int count, int *ports, int *lock_fd, struct buf *err);
int net_connect(const char *host, const char *port, int timeout_ms,
                struct buf *err);
int net_port_open(int port);
int net_parse_port(const char *text);

#endif
