/* SPDX-License-Identifier: MIT */
/* Operational counters rendered in the Prometheus text format at /metrics:
 * open connections, WebSocket connections, requests by route and status,
 * a request latency histogram, and a store operation latency histogram by
 * operation. Labels are static strings (route patterns, store op names), so
 * cardinality is bounded. Loop thread only. */
#ifndef PARTA_NET_METRICS_H
#define PARTA_NET_METRICS_H

#include <stdint.h>

#include "base/buf.h"

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
void metrics_conn_delta(struct metrics *m, int delta);
void metrics_ws_delta(struct metrics *m, int delta);
/* route: a static string (borrowed for the process lifetime). */
void metrics_request(struct metrics *m, const char *route, int status, uint64_t elapsed_ns);
/* op: a static string. */
void metrics_store_op(struct metrics *m, const char *op, uint64_t elapsed_ns);
void metrics_ws_messages(struct metrics *m, uint64_t in, uint64_t out);
/* Append the exposition text to out. */
void metrics_render(const struct metrics *m, struct buf *out);

#endif
