/* SPDX-License-Identifier: MIT */
/* Prometheus counters kept in small arrays: the label sets are few and
 * static, so a linear scan by pointer beats a hash table here. */
#include "net/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define METRICS_BUCKETS 14
static const double metrics_bounds[METRICS_BUCKETS - 1] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};

struct histogram {
	uint64_t buckets[METRICS_BUCKETS]; /* non-cumulative; last is +Inf */
	uint64_t count;
	double sum;
};

struct req_counter {
	const char *route;
	int status;
	uint64_t count;
};

struct store_hist {
	const char *op;
	struct histogram h;
};

struct metrics {
	int64_t connections;
	int64_t ws_connections;
	uint64_t connections_total;
	uint64_t ws_in, ws_out;
	struct req_counter *reqs;
	size_t nreqs, cap_reqs;
	struct histogram req_latency;
	struct store_hist *store;
	size_t nstore, cap_store;
};

struct metrics *metrics_new(void)
{
	return xcalloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->reqs);
	free(m->store);
	free(m);
}

static void histogram_add(struct histogram *h, uint64_t ns)
{
	double s = (double)ns / 1e9;
	size_t i = 0;
	while (i < METRICS_BUCKETS - 1 && s > metrics_bounds[i])
		i++;
	h->buckets[i]++;
	h->count++;
	h->sum += s;
}

void metrics_conn_delta(struct metrics *m, int delta)
{
	m->connections += delta;
	if (delta > 0)
		m->connections_total += (uint64_t)delta;
}

void metrics_ws_delta(struct metrics *m, int delta)
{
	m->ws_connections += delta;
}

void metrics_ws_messages(struct metrics *m, uint64_t in, uint64_t out)
{
	m->ws_in += in;
	m->ws_out += out;
}

void metrics_request(struct metrics *m, const char *route, int status, uint64_t elapsed_ns)
{
	histogram_add(&m->req_latency, elapsed_ns);
	for (size_t i = 0; i < m->nreqs; i++) {
		struct req_counter *r = &m->reqs[i];
		if (r->status == status && (r->route == route || strcmp(r->route, route) == 0)) {
			r->count++;
			return;
		}
	}
	if (m->nreqs == m->cap_reqs) {
		m->cap_reqs = m->cap_reqs ? m->cap_reqs * 2 : 32;
		m->reqs = xrealloc(m->reqs, m->cap_reqs * sizeof *m->reqs);
	}
	m->reqs[m->nreqs++] = (struct req_counter){route, status, 1};
}

void metrics_store_op(struct metrics *m, const char *op, uint64_t elapsed_ns)
{
	for (size_t i = 0; i < m->nstore; i++) {
		if (m->store[i].op == op || strcmp(m->store[i].op, op) == 0) {
			histogram_add(&m->store[i].h, elapsed_ns);
			return;
		}
	}
	if (m->nstore == m->cap_store) {
		m->cap_store = m->cap_store ? m->cap_store * 2 : 16;
		m->store = xrealloc(m->store, m->cap_store * sizeof *m->store);
	}
	struct store_hist *sh = &m->store[m->nstore++];
	memset(sh, 0, sizeof *sh);
	sh->op = op;
	histogram_add(&sh->h, elapsed_ns);
}

static void histogram_render(struct buf *out, const char *name, const char *label_key,
			     const char *label_value, const struct histogram *h)
{
	uint64_t cum = 0;
	char lbl[160] = "";
	if (label_key)
		snprintf(lbl, sizeof lbl, "%s=\"%s\",", label_key, label_value);
	for (size_t i = 0; i < METRICS_BUCKETS; i++) {
		cum += h->buckets[i];
		if (i < METRICS_BUCKETS - 1)
			buf_printf(out, "%s_bucket{%sle=\"%g\"} %llu\n", name, lbl, metrics_bounds[i],
				   (unsigned long long)cum);
		else
			buf_printf(out, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, lbl,
				   (unsigned long long)cum);
	}
	if (label_key) {
		buf_printf(out, "%s_sum{%s=\"%s\"} %.6f\n", name, label_key, label_value, h->sum);
		buf_printf(out, "%s_count{%s=\"%s\"} %llu\n", name, label_key, label_value,
			   (unsigned long long)h->count);
	} else {
		buf_printf(out, "%s_sum %.6f\n%s_count %llu\n", name, h->sum, name,
			   (unsigned long long)h->count);
	}
}

void metrics_render(const struct metrics *m, struct buf *out)
{
	buf_puts(out, "# HELP parta_open_connections Open TCP connections.\n"
		      "# TYPE parta_open_connections gauge\n");
	buf_printf(out, "parta_open_connections %lld\n", (long long)m->connections);
	buf_puts(out, "# HELP parta_connections_total Accepted TCP connections.\n"
		      "# TYPE parta_connections_total counter\n");
	buf_printf(out, "parta_connections_total %llu\n", (unsigned long long)m->connections_total);
	buf_puts(out, "# HELP parta_websocket_connections Open WebSocket connections.\n"
		      "# TYPE parta_websocket_connections gauge\n");
	buf_printf(out, "parta_websocket_connections %lld\n", (long long)m->ws_connections);
	buf_puts(out, "# HELP parta_websocket_messages_total WebSocket messages by direction.\n"
		      "# TYPE parta_websocket_messages_total counter\n");
	buf_printf(out, "parta_websocket_messages_total{direction=\"in\"} %llu\n",
		   (unsigned long long)m->ws_in);
	buf_printf(out, "parta_websocket_messages_total{direction=\"out\"} %llu\n",
		   (unsigned long long)m->ws_out);
	buf_puts(out, "# HELP parta_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE parta_http_requests_total counter\n");
	for (size_t i = 0; i < m->nreqs; i++)
		buf_printf(out, "parta_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
			   m->reqs[i].route, m->reqs[i].status, (unsigned long long)m->reqs[i].count);
	buf_puts(out, "# HELP parta_http_request_duration_seconds HTTP request latency.\n"
		      "# TYPE parta_http_request_duration_seconds histogram\n");
	histogram_render(out, "parta_http_request_duration_seconds", NULL, NULL, &m->req_latency);
	buf_puts(out, "# HELP parta_store_operation_duration_seconds Store operation latency.\n"
		      "# TYPE parta_store_operation_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nstore; i++)
		histogram_render(out, "parta_store_operation_duration_seconds", "op", m->store[i].op,
				 &m->store[i].h);
}
