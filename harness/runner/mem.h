#ifndef RUNNER_MEM_H
#define RUNNER_MEM_H

#include <stddef.h>

/* Allocation that never returns NULL. */

void *mem_alloc(size_t size);
void *mem_array(size_t count, size_t size);
void *mem_grow(void *ptr, size_t count, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t len);

#endif
