/* SPDX-License-Identifier: MIT */
/* Allocation helpers. Every allocation in Parta goes through these; they abort
 * the process with a message on exhaustion, so callers never check for NULL.
 * Buffers fed from the network must still have a hard maximum of their own
 * (see buf.h). Any thread. */
#ifndef PARTA_BASE_ALLOC_H
#define PARTA_BASE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Copy a NUL-terminated string; caller frees. xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* Copy n bytes and NUL-terminate; caller frees. */
char *xstrndup(const char *s, size_t n);

#endif
