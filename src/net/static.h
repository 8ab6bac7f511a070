/* SPDX-License-Identifier: MIT */
/* The web client's files (web/dist), loaded into memory at start so serving
 * never touches the disk on the loop thread. GET and HEAD with ETag and
 * Last-Modified (304 on If-None-Match / If-Modified-Since), a pre-compressed
 * .gz twin when the client accepts gzip, single byte Range requests (206, 416),
 * long caching for hashed assets, and index.html for client-side routes.
 * Loaded on the main thread before the loop runs; served on the loop thread. */
#ifndef PARTA_NET_STATIC_H
#define PARTA_NET_STATIC_H

#include <stdbool.h>

#include "net/server.h"

struct static_files;

/* Load every regular file under dir (missing dir: an empty set, logged).
 * Never NULL. */
struct static_files *static_load(const char *dir);
void static_free(struct static_files *sf);
size_t static_count(const struct static_files *sf);
/* Answer ex if its path names a file, or is a client route (no extension,
 * not under /api/) and index.html exists. Returns false without answering
 * otherwise. Only GET and HEAD. */
bool static_serve(struct static_files *sf, struct exchange *ex);

/* Parse a Range header value against a size. Returns 1 and sets [*start,*end]
 * (inclusive) for one satisfiable range, 0 to ignore it (serve everything:
 * malformed or several ranges), -1 if unsatisfiable (416). Exposed for tests. */
int static_parse_range(const char *v, size_t len, size_t size, size_t *start, size_t *end);

#endif
