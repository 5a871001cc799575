#ifndef RUNNER_POOL_H
#define RUNNER_POOL_H

#include <stddef.h>

struct result;

typedef void (*pool_job_fn)(size_t index, void *ctx, struct result *res);
typedef void (*pool_report_fn)(size_t index, struct result *res, void *ctx);

void pool_run(size_t njobs, int parallel, pool_job_fn job,
              pool_report_fn report, void *ctx);

#endif
