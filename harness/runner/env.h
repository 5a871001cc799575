#ifndef RUNNER_ENV_H
#define RUNNER_ENV_H

struct strvec;
struct subst;
struct fakeclock;

struct env_params {
    const struct subst *vars;
    const struct fakeclock *clock;
    const char *faketime_lib;
};

void env_build(const struct env_params *p, struct strvec *out);

#endif
