#ifndef FAKE_LISTEN_H
#define FAKE_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

struct fake_listener {
    int fd;
    char *unix_path;
};

void fake_listen_open(const char *spec, struct fake_listener *l);
void fake_listen_close(struct fake_listener *l);
void fake_listen_peer_name(const struct sockaddr_storage *sa, socklen_t len,
                           char *buf, size_t size);

#endif
