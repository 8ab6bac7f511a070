/* SPDX-License-Identifier: MIT */
/* The network core: a libuv TCP listener and its connections. A connection
 * reads HTTP/1.1 requests (keep-alive, pipelining answered in order), hands
 * each whole request to the application as an exchange, and writes responses;
 * it can be upgraded to a WebSocket. Writes are queued per connection (bounded
 * by send_queue_max: a connection whose queue overflows is closed) and flushed
 * once per loop pass, so many small sends become one write. Timeouts: header
 * (a request started but not finished), body, idle keep-alive; WebSockets are
 * pinged and closed when silent. Loop thread only, unless stated. */
#ifndef PARTA_NET_SERVER_H
#define PARTA_NET_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "net/http.h"

struct server;
struct conn;
struct exchange;
struct metrics;

/* A reference-counted, immutable block of bytes to be sent to many
 * connections (a WebSocket frame encoded once for a fan-out). Any thread may
 * take or drop references. */
struct shared_bytes {
	int refcount;  /* atomic */
	size_t len;
	char data[];
};
/* New block of len bytes with refcount 1; fill data before sharing. */
struct shared_bytes *shared_bytes_new(size_t len);
void shared_bytes_ref(struct shared_bytes *b);
void shared_bytes_unref(struct shared_bytes *b);

struct server_limits {
	struct http_limits http;
	uint64_t header_timeout_ms;
	uint64_t body_timeout_ms;
	uint64_t idle_timeout_ms;
	uint64_t max_connections;
	uint32_t ws_max_frame;
	uint32_t ws_max_message;
	uint64_t ws_ping_interval_ms;
	size_t send_queue_max;
};

/* What the application does with connections. All called on the loop thread. */
struct server_app {
	void *ud;
	/* A whole request arrived. The app must answer exactly once, now or later
	 * (exchange_respond*, exchange_upgrade_ws), even if the peer left. */
	void (*on_request)(void *ud, struct exchange *ex);
	/* A WebSocket message (TEXT or BINARY, whole and validated). */
	void (*on_ws_message)(void *ud, struct conn *c, int opcode, const uint8_t *data, size_t len);
	/* A WebSocket connection closed (for any reason); c is valid during the call only. */
	void (*on_ws_close)(void *ud, struct conn *c);
};

/* Create a server on loop; does not listen yet. Borrowed: loop, app, metrics
 * (may be NULL) must outlive the server. */
struct server *server_new(uv_loop_t *loop, const struct server_limits *limits,
			  const struct server_app *app, struct metrics *metrics);
/* Bind and listen on host:port (port 0 picks a free port). Returns PERR_OK or
 * PERR_IO with a log line naming the cause. */
int server_listen(struct server *s, const char *host, int port);
/* The port actually bound. */
int server_port(const struct server *s);
/* Graceful stop: close the listener, close idle connections, let in-flight
 * exchanges answer and their writes flush, send WebSockets a 1001 close. done
 * is called once every connection is gone or grace_ms passed (then the rest are
 * closed hard). */
void server_shutdown(struct server *s, uint64_t grace_ms, void (*done)(void *ud), void *ud);
/* Close the server's own libuv handles; call after shutdown completed, then
 * run the loop once more so the close callbacks run. */
void server_close_handles(struct server *s);
/* Free the server; call after shutdown completed and the handles closed. */
void server_free(struct server *s);
size_t server_connection_count(const struct server *s);

/* --- exchanges (one request and its response) --- */
const struct http_request *exchange_request(const struct exchange *ex);
struct conn *exchange_conn(struct exchange *ex);
/* Monotonic start time in nanoseconds (uv_hrtime). */
uint64_t exchange_start_ns(const struct exchange *ex);
/* Label for metrics (a route pattern, not the raw path: bounded cardinality). */
void exchange_set_route(struct exchange *ex, const char *route);
/* Answer. body is copied. extra_headers: lines each ending in "\r\n" or NULL.
 * For HEAD requests the body is omitted but Content-Length kept. After this
 * call ex is gone. Safe to call after the peer left (the answer is dropped). */
void exchange_respond(struct exchange *ex, int status, const char *content_type,
		      const void *body, size_t len, const char *extra_headers);
/* Answer with a shared block as the body (zero-copy for static files). */
void exchange_respond_shared(struct exchange *ex, int status, const char *content_type,
			     struct shared_bytes *body, size_t off, size_t len,
			     const char *extra_headers);
/* Complete the WebSocket handshake (the request was validated as an upgrade by
 * the caller with ws_accept_key) and switch the connection. Returns the
 * connection, or NULL if the peer already left (ex is gone either way). */
struct conn *exchange_upgrade_ws(struct exchange *ex, const char *accept_key, void *conn_ud);

/* --- connections --- */
/* Peer IP as text ("" if unknown). */
const char *conn_peer_ip(const struct conn *c);
void *conn_userdata(const struct conn *c);
void conn_set_userdata(struct conn *c, void *ud);
bool conn_is_open(const struct conn *c);
/* Queue a WebSocket text frame; copies data. Returns PERR_OK, or PERR_LIMIT if
 * the send queue overflowed (the connection is then being closed). */
int conn_ws_send_text(struct conn *c, const char *data, size_t len);
/* Like conn_ws_send_text, but the bytes do not count against send_queue_max:
 * for a bounded burst the caller has already limited (sync history). */
int conn_ws_send_text_bulk(struct conn *c, const char *data, size_t len);
/* Queue a pre-encoded WebSocket frame (header + payload) shared by many
 * connections; takes a new reference. Same result codes. */
int conn_ws_send_frame(struct conn *c, struct shared_bytes *frame);
/* Send a close frame with code and reason, then close. */
void conn_ws_close(struct conn *c, int code, const char *reason);

#endif
