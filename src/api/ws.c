/* SPDX-License-Identifier: MIT */
/* GET /api/v1/ws: the real-time connection. Authenticated like any API call
 * (session cookie or bearer token), then upgraded to a WebSocket. Browsers
 * send the cookie cross-site on WebSocket handshakes, so the Origin must be
 * ours when the cookie is used. The message protocol (docs/protocol.md) grows
 * with the chat issue; for now the server greets the client and answers
 * {"type":"ping","id":…} with {"type":"pong","id":…}. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "net/ws.h"

/* What the hub keeps per real-time connection. */
struct rt_client {
	int64_t user_id;
	int64_t session_id;
};

static bool ws__origin_ok(struct api_req *r)
{
	size_t ol, hl;
	const char *origin = http_header_get(r->http, "Origin", &ol);
	const char *host = http_header_get(r->http, "Host", &hl);
	if (!origin)
		return true; /* not a browser */
	if (!host)
		return false;
	const char *o = origin;
	if (ol > 7 && strncasecmp(o, "http://", 7) == 0) {
		o += 7;
		ol -= 7;
	} else if (ol > 8 && strncasecmp(o, "https://", 8) == 0) {
		o += 8;
		ol -= 8;
	} else {
		return false;
	}
	return ol == hl && strncasecmp(o, host, hl) == 0;
}

static void handle_ws(struct api_req *r)
{
	size_t kl, ul, cl, vl;
	const char *key = http_header_get(r->http, "Sec-WebSocket-Key", &kl);
	const char *upgrade = http_header_get(r->http, "Upgrade", &ul);
	const char *connection = http_header_get(r->http, "Connection", &cl);
	const char *version = http_header_get(r->http, "Sec-WebSocket-Version", &vl);
	char accept[29];
	if (!upgrade || !http_header_has_token(upgrade, ul, "websocket") || !connection ||
	    !http_header_has_token(connection, cl, "upgrade") || !key) {
		api_error(r, PERR_INVALID, "upgrade");
		return;
	}
	if (!version || vl != 2 || memcmp(version, "13", 2) != 0) {
		api_error(r, PERR_UNSUPPORTED, "sec-websocket-version");
		return;
	}
	if (ws_accept_key(key, kl, accept) != 0) {
		api_error(r, PERR_INVALID, "sec-websocket-key");
		return;
	}
	if (r->via_cookie && !ws__origin_ok(r)) {
		api_error(r, PERR_FORBIDDEN, "origin");
		return;
	}
	struct rt_client *cl_state = xcalloc(1, sizeof *cl_state);
	cl_state->user_id = r->user.id;
	cl_state->session_id = r->session.id;
	struct conn *c = exchange_upgrade_ws(r->ex, accept, cl_state);
	if (c) {
		struct buf out;
		struct json_writer w;
		buf_init(&out, 0);
		jw_init(&w, &out);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "hello");
		jw_kv_int(&w, "user_id", r->user.id);
		jw_kv_int(&w, "protocol", 1);
		jw_object_end(&w);
		conn_ws_send_text(c, out.data, out.len);
		buf_free(&out);
	} else {
		free(cl_state);
	}
	/* the exchange is over: release the request without answering again */
	r->ex = NULL;
	api_release(r);
}

static void ws__send_error(struct conn *c, const char *id, int err)
{
	struct buf out;
	struct json_writer w;
	buf_init(&out, 0);
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_kv_string(&w, "type", "error");
	if (id)
		jw_kv_string(&w, "id", id);
	jw_kv_string(&w, "code", perr_str(err));
	jw_kv_string(&w, "message", perr_message(err, LANG_RU));
	jw_object_end(&w);
	conn_ws_send_text(c, out.data, out.len);
	buf_free(&out);
}

void api_on_ws_message(void *ud, struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct json_doc *doc = NULL;
	(void)ud;
	if (opcode != WS_OP_TEXT) {
		conn_ws_close(c, WS_CLOSE_UNSUPPORTED, "text frames only");
		return;
	}
	if (json_parse((const char *)data, len, &doc, NULL) != PERR_OK ||
	    json_type(json_root(doc)) != JSON_OBJECT) {
		ws__send_error(c, NULL, PERR_INVALID);
		json_doc_free(doc);
		return;
	}
	const struct json_value *root = json_root(doc);
	size_t tl, il;
	const char *type = json_str(json_get(root, "type"), &tl);
	const char *id = json_str(json_get(root, "id"), &il);
	if (type && strcmp(type, "ping") == 0) {
		struct buf out;
		struct json_writer w;
		buf_init(&out, 0);
		jw_init(&w, &out);
		jw_object_begin(&w);
		jw_kv_string(&w, "type", "pong");
		if (id)
			jw_kv_string(&w, "id", id);
		jw_object_end(&w);
		conn_ws_send_text(c, out.data, out.len);
		buf_free(&out);
	} else {
		ws__send_error(c, id, type ? PERR_UNSUPPORTED : PERR_INVALID);
	}
	json_doc_free(doc);
}

void api_on_ws_close(void *ud, struct conn *c)
{
	(void)ud;
	free(conn_userdata(c));
	conn_set_userdata(c, NULL);
}

const struct route api_ws_routes[] = {
	{HTTP_GET, "/api/v1/ws", (const void *)handle_ws, API_AUTH},
};
const size_t api_ws_routes_count = sizeof api_ws_routes / sizeof api_ws_routes[0];
