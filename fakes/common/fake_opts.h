#ifndef FAKE_OPTS_H
#define FAKE_OPTS_H

#include <stdio.h>

#include "fake_fault.h"

#define FAKE_MAX_LISTEN 8

struct fake_opts {
    const char *listen[FAKE_MAX_LISTEN];
    int nlisten;
    const char *script;
    const char *transcript;
    const char *pid_file;
    const char *tls_cert;
    const char *tls_key;
    struct fake_fault fault;
    int timeout_ms;
};

/* An option of one fake, beside the common ones. */
struct fake_option {
    const char *name;
    const char *arg;
    const char *help;
    void (*set)(void *ctx, const char *value);
};

struct fake_program {
    const char *name;
    const char *summary;
    const struct fake_option *options;
    void *ctx;
    const char *more_help;
};

void fake_opts_parse(int argc, char **argv, struct fake_opts *o,
                     const struct fake_program *p);
void fake_opts_help(const struct fake_program *p, FILE *fp);

#endif
