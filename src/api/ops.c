/* SPDX-License-Identifier: MIT */
/* Operations endpoints: /healthz for load balancers and tests, /metrics in the
 * Prometheus text format. Both are unauthenticated and bind to the listen
 * address; expose them publicly only through the proxy's rules. */
#include <stdlib.h>

#include "api/api.h"
#include "base/err.h"
#include "net/metrics.h"

static void handle_healthz(struct api_req *r)
{
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_kv_string(&w, "status", r->p->shutting_down ? "stopping" : "ok");
	jw_kv_string(&w, "store", r->p->store.ops->name);
	jw_kv_int(&w, "uptime_s", api_now() - r->p->started_at);
	jw_kv_int(&w, "connections", (int64_t)server_connection_count(r->p->server));
	jw_object_end(&w);
	api_respond_json(r, 200, &out, NULL);
	buf_free(&out);
}

static void handle_metrics(struct api_req *r)
{
	struct buf out;
	buf_init(&out, 0);
	metrics_render(r->p->metrics, &out);
	api_respond_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", &out, NULL);
	buf_free(&out);
}

const struct route api_ops_routes[] = {
	{HTTP_GET, "/healthz", (const void *)handle_healthz, 0},
	{HTTP_GET, "/metrics", (const void *)handle_metrics, 0},
};
const size_t api_ops_routes_count = sizeof api_ops_routes / sizeof api_ops_routes[0];
