/* SPDX-License-Identifier: MIT */
/* libuv TCP server and connections: HTTP/1.1 exchanges, WebSocket upgrade and
 * framing, bounded per-connection send queues flushed once per loop pass,
 * timeouts and graceful shutdown. See server.h for the contract and
 * docs/internals/net.md for the life of a connection. */
#include "net/server.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/log.h"
#include "net/metrics.h"
#include "net/ws.h"

#define READ_BUF_SIZE 65536
#define MAX_IOV 128
#define SEND_BURST_FACTOR 16 /* one pass may queue this many times send_queue_max */
/* How long a connection refused with an error answer keeps discarding input
 * after its answer was sent (see conn_flushed_close). */
#define LINGER_MS 2000

enum conn_state { CONN_HTTP, CONN_WS, CONN_CLOSING };

struct exchange {
	struct conn *c;
	const char *route;
	uint64_t start_ns;
	bool active;
};

struct outq_item {
	struct shared_bytes *b;
	size_t off, len;
	bool counted;   /* counts against send_queue_max (not bulk history) */
};

struct write_req {
	uv_write_t req;
	struct conn *c;
	size_t n;
	struct outq_item items[];
};

struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	struct server *srv;
	struct conn *prev, *next;       /* all connections */
	struct conn *dirty_next;        /* pending processing / flush */
	bool dirty;
	uint8_t state;
	bool writing;                   /* a uv_write is in flight */
	bool close_after_flush;
	bool input_pending;             /* buffered input not yet processed */
	bool read_stopped;
	bool discard_input;             /* refused: read and drop input until closed */
	bool shutdown_sent;
	bool ws_ping_outstanding;
	bool ws_seen_data;
	int refs;                       /* socket + active exchange + write in flight */
	int handles_open;
	struct http_reader *rd;         /* HTTP only; NULL after upgrade */
	struct exchange ex;
	char *in;                       /* unprocessed input (partial request/frame) */
	size_t in_len, in_cap;
	struct outq_item *q;            /* ring */
	size_t q_head, q_len, q_cap, q_bytes;
	struct ws_parser ws;
	uv_shutdown_t shutdown_req;
	void *ud;
	char ip[46];
};

struct server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	bool listening;
	uv_check_t check;
	uv_idle_t idle;
	uv_timer_t grace_timer;
	struct server_limits lim;
	struct server_app app;
	struct metrics *metrics;
	struct conn *conns;
	size_t nconns;
	struct conn *dirty_head;
	struct conn **round;        /* the dirty list of one check pass */
	size_t round_cap;
	char rbuf[READ_BUF_SIZE];
	int port;
	bool shutting_down;
	void (*shutdown_done)(void *ud);
	void *shutdown_ud;
};

static void conn_close(struct conn *c);
static void conn_process_input(struct conn *c, char *data, size_t len);
static void conn_arm_timer(struct conn *c);
static void server_on_idle(uv_idle_t *h);

/* ---- shared bytes ---- */

struct shared_bytes *shared_bytes_new(size_t len)
{
	struct shared_bytes *b = xmalloc(sizeof *b + len + 1);
	atomic_init((_Atomic int *)&b->refcount, 1);
	b->len = len;
	b->data[len] = '\0';
	return b;
}

void shared_bytes_ref(struct shared_bytes *b)
{
	atomic_fetch_add((_Atomic int *)&b->refcount, 1);
}

void shared_bytes_unref(struct shared_bytes *b)
{
	if (b && atomic_fetch_sub((_Atomic int *)&b->refcount, 1) == 1)
		free(b);
}

/* ---- connection lifetime ---- */

static void conn_maybe_free(struct conn *c)
{
	if (c->refs > 0 || c->handles_open > 0)
		return;
	struct server *s = c->srv;
	if (c->rd) {
		http_reader_release(c->rd);
		free(c->rd);
	}
	ws_parser_release(&c->ws);
	free(c->in);
	free(c->q);
	free(c);
	if (s->shutting_down && s->nconns == 0 && s->shutdown_done) {
		void (*done)(void *) = s->shutdown_done;
		s->shutdown_done = NULL;
		uv_timer_stop(&s->grace_timer);
		done(s->shutdown_ud);
	}
}

static void conn_unref(struct conn *c)
{
	c->refs--;
	conn_maybe_free(c);
}

static void conn_on_handle_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	c->handles_open--;
	conn_maybe_free(c);
}

static void conn_mark_dirty(struct conn *c)
{
	struct server *s = c->srv;
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = s->dirty_head;
	s->dirty_head = c;
	if (!uv_is_active((uv_handle_t *)&s->idle))
		uv_idle_start(&s->idle, server_on_idle);
}

static void queue_drop_all(struct conn *c)
{
	while (c->q_len) {
		shared_bytes_unref(c->q[c->q_head].b);
		c->q_head = (c->q_head + 1) % c->q_cap;
		c->q_len--;
	}
	c->q_bytes = 0;
}

static void conn_close(struct conn *c)
{
	struct server *s = c->srv;
	if (c->state == CONN_CLOSING)
		return;
	bool was_ws = c->state == CONN_WS;
	c->state = CONN_CLOSING;
	if (was_ws) {
		if (s->app.on_ws_close)
			s->app.on_ws_close(s->app.ud, c);
		if (s->metrics)
			metrics_ws_delta(s->metrics, -1);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (s->metrics)
		metrics_conn_delta(s->metrics, -1);
	queue_drop_all(c);
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_timer_stop(&c->timer);
	uv_close((uv_handle_t *)&c->timer, conn_on_handle_closed);
	uv_close((uv_handle_t *)&c->tcp, conn_on_handle_closed);
	conn_unref(c); /* the socket's reference */
}

/* ---- output ---- */

static int conn_enqueue_bounded(struct conn *c, struct shared_bytes *b, size_t off, size_t len,
				bool bounded);

static int conn_enqueue(struct conn *c, struct shared_bytes *b, size_t off, size_t len)
{
	return conn_enqueue_bounded(c, b, off, len, true);
}

static void conn_on_shutdown(uv_shutdown_t *req, int status)
{
	struct conn *c = req->data;
	(void)status;
	conn_unref(c);
}

/* The output is flushed and the connection is to be closed. After an error
 * answer to a request that was not read to its end, the peer may still be
 * sending: closing the socket now would make the kernel answer those bytes
 * with a reset, which can destroy our answer before the peer reads it (RFC
 * 9112 §9.6). So half-close (FIN after the answer) and keep reading, dropping
 * the bytes, until the peer closes or LINGER_MS (started when the answer was
 * queued) pass. */
static void conn_flushed_close(struct conn *c)
{
	if (!c->discard_input) {
		conn_close(c);
		return;
	}
	if (c->shutdown_sent)
		return;
	c->shutdown_sent = true;
	c->shutdown_req.data = c;
	c->refs++;
	if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, conn_on_shutdown) < 0) {
		c->refs--;
		conn_close(c);
	}
}

static int conn_enqueue_bounded(struct conn *c, struct shared_bytes *b, size_t off, size_t len,
				bool bounded)
{
	if (c->state == CONN_CLOSING) {
		shared_bytes_unref(b);
		return PERR_IO;
	}
	/* A slow consumer is one the kernel stops taking bytes from: a write is
	 * still in flight from an earlier pass and what waits (ours plus libuv's)
	 * passes the bound. A burst within one pass to a reader that keeps up is
	 * fine, up to a hard memory cap. */
	size_t waiting = c->q_bytes + len;
	if (c->writing)
		waiting += uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp);
	if (bounded && ((c->writing && waiting > c->srv->lim.send_queue_max) ||
			waiting > c->srv->lim.send_queue_max * SEND_BURST_FACTOR)) {
		shared_bytes_unref(b);
		log_info("closing slow consumer %s: send queue over %zu bytes", c->ip,
			 c->srv->lim.send_queue_max);
		conn_close(c);
		return PERR_LIMIT;
	}
	if (c->q_len == c->q_cap) {
		size_t ncap = c->q_cap ? c->q_cap * 2 : 8;
		struct outq_item *nq = xmalloc(ncap * sizeof *nq);
		for (size_t i = 0; i < c->q_len; i++)
			nq[i] = c->q[(c->q_head + i) % c->q_cap];
		free(c->q);
		c->q = nq;
		c->q_cap = ncap;
		c->q_head = 0;
	}
	c->q[(c->q_head + c->q_len) % c->q_cap] = (struct outq_item){b, off, len, bounded};
	c->q_len++;
	if (bounded)
		c->q_bytes += len;
	conn_mark_dirty(c);
	return PERR_OK;
}

static int conn_send_copy(struct conn *c, const void *data, size_t len)
{
	struct shared_bytes *b = shared_bytes_new(len);
	memcpy(b->data, data, len);
	return conn_enqueue(c, b, 0, len);
}

static void conn_on_write(uv_write_t *req, int status)
{
	struct write_req *w = (struct write_req *)req;
	struct conn *c = w->c;
	for (size_t i = 0; i < w->n; i++)
		shared_bytes_unref(w->items[i].b);
	free(w);
	c->writing = false;
	if (status < 0 && c->state != CONN_CLOSING) {
		log_debug("write to %s failed: %s", c->ip, uv_strerror(status));
		conn_close(c);
	} else if (c->state != CONN_CLOSING) {
		if (c->q_len)
			conn_mark_dirty(c);
		else if (c->close_after_flush)
			conn_flushed_close(c);
	}
	conn_unref(c);
}

static void conn_flush(struct conn *c)
{
	if (c->writing || c->state == CONN_CLOSING)
		return;
	if (c->q_len == 0) {
		if (c->close_after_flush)
			conn_flushed_close(c);
		return;
	}
	size_t n = c->q_len < MAX_IOV ? c->q_len : MAX_IOV;
	struct write_req *w = xmalloc(sizeof *w + n * sizeof w->items[0]);
	uv_buf_t iov[MAX_IOV];
	w->c = c;
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		struct outq_item it = c->q[c->q_head];
		c->q_head = (c->q_head + 1) % c->q_cap;
		c->q_len--;
		if (it.counted)
			c->q_bytes -= it.len;
		w->items[i] = it;
		iov[i] = uv_buf_init(it.b->data + it.off, (unsigned int)it.len);
	}
	c->writing = true;
	c->refs++;
	int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, iov, (unsigned int)n, conn_on_write);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			shared_bytes_unref(w->items[i].b);
		free(w);
		c->writing = false;
		conn_close(c);
		conn_unref(c);
	}
}

/* Once per loop pass: process input deferred by finished exchanges, then
 * flush every connection with queued output in one write each. */
static void server_on_check(uv_check_t *h)
{
	struct server *s = h->data;
	while (s->dirty_head) {
		/* Take this round's list into an array first: processing may mark
		 * connections dirty again, which relinks dirty_next. */
		size_t n = 0;
		for (struct conn *c = s->dirty_head; c; c = c->dirty_next) {
			if (n == s->round_cap) {
				s->round_cap = s->round_cap ? s->round_cap * 2 : 256;
				s->round = xrealloc(s->round, s->round_cap * sizeof *s->round);
			}
			s->round[n++] = c;
			c->refs++; /* processing may close it */
		}
		s->dirty_head = NULL;
		for (size_t i = 0; i < n; i++)
			s->round[i]->dirty = false;
		for (size_t i = 0; i < n; i++) {
			struct conn *c = s->round[i];
			if (c->input_pending && c->state != CONN_CLOSING && !c->ex.active) {
				c->input_pending = false;
				conn_process_input(c, NULL, 0);
			}
		}
		for (size_t i = 0; i < n; i++)
			conn_flush(s->round[i]);
		for (size_t i = 0; i < n; i++)
			conn_unref(s->round[i]);
	}
	uv_idle_stop(&s->idle);
}

static void server_on_idle(uv_idle_t *h)
{
	(void)h; /* exists only to keep the poll from blocking while work is queued */
}

/* ---- input ---- */

static void conn_keep_input(struct conn *c, const char *data, size_t len)
{
	if (len == 0) {
		c->in_len = 0;
		if (c->in_cap > 16384) {
			free(c->in);
			c->in = NULL;
			c->in_cap = 0;
		}
		return;
	}
	if (data == c->in) {
		c->in_len = len;
		return;
	}
	if (data > c->in && data < c->in + c->in_len) {
		memmove(c->in, data, len);
		c->in_len = len;
		return;
	}
	if (len > c->in_cap) {
		free(c->in);
		c->in_cap = len < 4096 ? 4096 : len;
		c->in = xmalloc(c->in_cap);
	}
	memcpy(c->in, data, len);
	c->in_len = len;
}

static void conn_on_linger_timer(uv_timer_t *t)
{
	conn_close(t->data);
}

static void conn_send_simple_error(struct conn *c, int status)
{
	struct buf b;
	char body[160];
	buf_init(&b, 0);
	int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
			 status == 408 ? "timeout" : status == 413 ? "payload_too_large" :
			 status == 414 ? "uri_too_long" : status == 431 ? "headers_too_large" :
			 status == 505 ? "http_version" : "bad_request",
			 http_status_text(status));
	http_format_head(&b, status, "application/json; charset=utf-8", n, false, NULL);
	buf_append(&b, body, (size_t)n);
	conn_send_copy(c, b.data, b.len);
	buf_free(&b);
	c->close_after_flush = true;
	/* the rest of the request may still be coming: drop it (see
	 * conn_flushed_close), for LINGER_MS at most */
	c->discard_input = true;
	uv_timer_start(&c->timer, conn_on_linger_timer, LINGER_MS, 0);
	if (c->srv->metrics)
		metrics_request(c->srv->metrics, "(malformed)", status, 0);
}

static void conn_dispatch(struct conn *c)
{
	struct server *s = c->srv;
	c->ex.c = c;
	c->ex.route = "(unrouted)";
	c->ex.start_ns = uv_hrtime();
	c->ex.active = true;
	c->refs++;
	if (!c->read_stopped) {
		/* one request at a time: stop reading until it is answered */
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->read_stopped = true;
	}
	uv_timer_stop(&c->timer);
	s->app.on_request(s->app.ud, &c->ex);
}

static void conn_process_http(struct conn *c, char *data, size_t len)
{
	while (c->state == CONN_HTTP && !c->ex.active) {
		size_t used = 0;
		enum http_read_result r = http_reader_feed(c->rd, data, len, &used);
		data += used;
		len -= used;
		if (r == HTTP_READ_ERROR) {
			log_debug("bad request from %s: %s", c->ip, c->rd->error_reason);
			conn_keep_input(c, data, 0);
			conn_send_simple_error(c, c->rd->error_status);
			return;
		}
		if (r == HTTP_READ_MORE)
			break;
		/* a whole request: keep the rest for later, then dispatch */
		conn_keep_input(c, data, len);
		c->input_pending = len > 0;
		conn_dispatch(c);
		return;
	}
	conn_keep_input(c, data, len);
	conn_arm_timer(c);
}

static int conn_on_ws_frame(void *ud, int opcode, const uint8_t *data, size_t len)
{
	struct conn *c = ud;
	struct server *s = c->srv;
	c->ws_seen_data = true;
	switch (opcode) {
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (s->metrics)
			metrics_ws_messages(s->metrics, 1, 0);
		if (s->app.on_ws_message)
			s->app.on_ws_message(s->app.ud, c, opcode, data, len);
		break;
	case WS_OP_PING: {
		uint8_t hdr[WS_MAX_HEADER];
		size_t hl = ws_frame_header(hdr, WS_OP_PONG, true, len);
		struct shared_bytes *b = shared_bytes_new(hl + len);
		memcpy(b->data, hdr, hl);
		memcpy(b->data + hl, data, len);
		conn_enqueue(c, b, 0, hl + len);
		break;
	}
	case WS_OP_PONG:
		c->ws_ping_outstanding = false;
		break;
	case WS_OP_CLOSE: {
		int code = len >= 2 ? (data[0] << 8 | data[1]) : WS_CLOSE_NORMAL;
		conn_ws_close(c, code, "");
		return 1;
	}
	default:
		break;
	}
	return c->state == CONN_WS ? 0 : 1;
}

static void conn_process_ws(struct conn *c, char *data, size_t len)
{
	size_t used = 0;
	int code = ws_parser_feed(&c->ws, (uint8_t *)data, len, &used, conn_on_ws_frame, c);
	if (code) {
		log_debug("websocket protocol error from %s: close %d", c->ip, code);
		conn_keep_input(c, data, 0);
		conn_ws_close(c, code, "");
		return;
	}
	if (c->state == CONN_WS)
		conn_keep_input(c, data + used, len - used);
}

/* Process data (NULL: the buffered input). New bytes are appended to the
 * buffered ones so frames and requests split across reads join up. */
static void conn_process_input(struct conn *c, char *data, size_t len)
{
	if (data && c->in_len) {
		size_t max = c->state == CONN_WS
				     ? (size_t)c->srv->lim.ws_max_frame + WS_MAX_HEADER
				     : READ_BUF_SIZE * 2;
		if (c->in_len + len > c->in_cap) {
			size_t ncap = c->in_cap * 2 > c->in_len + len ? c->in_cap * 2 : c->in_len + len;
			c->in = xrealloc(c->in, ncap);
			c->in_cap = ncap;
		}
		memcpy(c->in + c->in_len, data, len);
		c->in_len += len;
		(void)max;
		data = NULL;
	}
	if (!data) {
		data = c->in;
		len = c->in_len;
	}
	if (c->state == CONN_HTTP)
		conn_process_http(c, data, len);
	else if (c->state == CONN_WS)
		conn_process_ws(c, data, len);
}

static void conn_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
	struct conn *c = h->data;
	struct server *s = c->srv;
	(void)suggested;
	/* one loop-wide buffer: alloc and read callbacks come in pairs */
	*out = uv_buf_init(s->rbuf, sizeof s->rbuf);
}

static void conn_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *bufp)
{
	struct conn *c = stream->data;
	(void)bufp;
	if (nread < 0) {
		if (nread != UV_EOF)
			log_debug("read from %s: %s", c->ip, uv_strerror((int)nread));
		c->discard_input = false; /* the peer sends no more: nothing to linger for */
		/* let a pending answer still be written for half-closed peers */
		if (c->ex.active || c->q_len || c->writing) {
			c->close_after_flush = true;
			uv_read_stop(stream);
			c->read_stopped = true;
			if (!c->ex.active)
				conn_mark_dirty(c);
		} else {
			conn_close(c);
		}
		return;
	}
	if (nread == 0 || c->discard_input)
		return;
	if (c->state == CONN_WS)
		c->ws_seen_data = true;
	/* bound buffered-but-unprocessed input (e.g. a flood of pipelined requests) */
	size_t limit = c->state == CONN_WS ? (size_t)c->srv->lim.ws_max_frame + WS_MAX_HEADER + READ_BUF_SIZE
					   : c->srv->lim.http.max_header_bytes +
						     c->srv->lim.http.max_request_line + READ_BUF_SIZE;
	if (c->in_len + (size_t)nread > limit && c->state == CONN_WS) {
		conn_ws_close(c, WS_CLOSE_TOO_BIG, "");
		return;
	}
	conn_process_input(c, c->srv->rbuf, (size_t)nread);
}

/* ---- timers ---- */

static void conn_on_timer(uv_timer_t *t)
{
	struct conn *c = t->data;
	if (c->state == CONN_HTTP) {
		if (c->ex.active)
			return;
		if (c->rd && http_reader_in_request(c->rd)) {
			log_debug("request timeout from %s", c->ip);
			conn_send_simple_error(c, 408);
		} else {
			conn_close(c);
		}
	} else if (c->state == CONN_WS) {
		if (c->ws_ping_outstanding && !c->ws_seen_data) {
			log_debug("websocket %s silent, closing", c->ip);
			conn_ws_close(c, WS_CLOSE_GOING_AWAY, "timeout");
			return;
		}
		c->ws_seen_data = false;
		c->ws_ping_outstanding = true;
		uint8_t hdr[WS_MAX_HEADER];
		size_t hl = ws_frame_header(hdr, WS_OP_PING, true, 0);
		conn_send_copy(c, hdr, hl);
	}
}

static void conn_arm_timer(struct conn *c)
{
	const struct server_limits *l = &c->srv->lim;
	if (c->state == CONN_CLOSING)
		return;
	if (c->state == CONN_WS) {
		uv_timer_start(&c->timer, conn_on_timer, l->ws_ping_interval_ms, l->ws_ping_interval_ms);
		return;
	}
	uint64_t ms = l->idle_timeout_ms;
	if (c->rd && http_reader_in_request(c->rd))
		ms = c->rd->headers_done ? l->body_timeout_ms : l->header_timeout_ms;
	/* only (re)start when the phase changes, so trickled bytes cannot extend
	 * the header deadline forever */
	if (!uv_is_active((uv_handle_t *)&c->timer) || uv_timer_get_repeat(&c->timer) != ms) {
		uv_timer_start(&c->timer, conn_on_timer, ms, 0);
		uv_timer_set_repeat(&c->timer, ms);
	}
}

/* ---- accept ---- */

static void server_on_connection(uv_stream_t *listener, int status)
{
	struct server *s = listener->data;
	if (status < 0) {
		log_warn("accept: %s", uv_strerror(status));
		return;
	}
	struct conn *c = xcalloc(1, sizeof *c);
	c->srv = s;
	uv_tcp_init(s->loop, &c->tcp);
	uv_timer_init(s->loop, &c->timer);
	c->tcp.data = c;
	c->timer.data = c;
	c->handles_open = 2;
	c->refs = 1;
	c->state = CONN_HTTP;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 || s->shutting_down ||
	    s->nconns >= s->lim.max_connections) {
		c->state = CONN_CLOSING;
		uv_close((uv_handle_t *)&c->timer, conn_on_handle_closed);
		uv_close((uv_handle_t *)&c->tcp, conn_on_handle_closed);
		conn_unref(c);
		return;
	}
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			uv_ip4_name((struct sockaddr_in *)&ss, c->ip, sizeof c->ip);
		else if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, c->ip, sizeof c->ip);
	}
	uv_tcp_nodelay(&c->tcp, 1);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	if (s->metrics)
		metrics_conn_delta(s->metrics, 1);
	c->rd = xmalloc(sizeof *c->rd);
	http_reader_init(c->rd, &s->lim.http);
	uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
	conn_arm_timer(c);
}

/* ---- server ---- */

struct server *server_new(uv_loop_t *loop, const struct server_limits *limits,
			  const struct server_app *app, struct metrics *metrics)
{
	struct server *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->lim = *limits;
	s->app = *app;
	s->metrics = metrics;
	uv_check_init(loop, &s->check);
	s->check.data = s;
	uv_check_start(&s->check, server_on_check);
	uv_unref((uv_handle_t *)&s->check);
	uv_idle_init(loop, &s->idle);
	s->idle.data = s;
	s->idle.idle_cb = server_on_idle;
	uv_timer_init(loop, &s->grace_timer);
	s->grace_timer.data = s;
	uv_unref((uv_handle_t *)&s->grace_timer);
	return s;
}

int server_listen(struct server *s, const char *host, int port)
{
	struct sockaddr_storage addr;
	int rc;
	if (strchr(host, ':'))
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr);
	else
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&addr);
	if (rc < 0) {
		log_error("listen address %s: %s", host, uv_strerror(rc));
		return PERR_INVALID;
	}
	uv_tcp_init(s->loop, &s->listener);
	s->listener.data = s;
	rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->listener, 4096, server_on_connection);
	if (rc < 0) {
		log_error("cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
		uv_close((uv_handle_t *)&s->listener, NULL);
		return PERR_IO;
	}
	s->listening = true;
	int len = sizeof addr;
	uv_tcp_getsockname(&s->listener, (struct sockaddr *)&addr, &len);
	s->port = ntohs(addr.ss_family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
						  : ((struct sockaddr_in6 *)&addr)->sin6_port);
	return PERR_OK;
}

int server_port(const struct server *s)
{
	return s->port;
}

size_t server_connection_count(const struct server *s)
{
	return s->nconns;
}

static void server_on_grace(uv_timer_t *t)
{
	struct server *s = t->data;
	log_warn("shutdown grace period over, closing %zu connections", s->nconns);
	struct conn *c = s->conns;
	while (c) {
		struct conn *next = c->next;
		conn_close(c);
		c = next;
	}
}

void server_shutdown(struct server *s, uint64_t grace_ms, void (*done)(void *ud), void *ud)
{
	s->shutting_down = true;
	s->shutdown_done = done;
	s->shutdown_ud = ud;
	if (s->listening) {
		uv_close((uv_handle_t *)&s->listener, NULL);
		s->listening = false;
	}
	struct conn *c = s->conns;
	while (c) {
		struct conn *next = c->next;
		if (c->state == CONN_WS) {
			conn_ws_close(c, WS_CLOSE_GOING_AWAY, "server shutting down");
		} else if (c->state == CONN_HTTP) {
			if (!c->ex.active && !c->writing && c->q_len == 0)
				conn_close(c);
			else
				c->close_after_flush = true;
		}
		c = next;
	}
	if (s->nconns == 0) {
		if (s->shutdown_done) {
			s->shutdown_done = NULL;
			done(ud);
		}
		return;
	}
	uv_ref((uv_handle_t *)&s->grace_timer);
	uv_timer_start(&s->grace_timer, server_on_grace, grace_ms, 0);
}

void server_free(struct server *s)
{
	if (!s)
		return;
	free(s->round);
	free(s);
}

void server_close_handles(struct server *s)
{
	uv_close((uv_handle_t *)&s->check, NULL);
	uv_close((uv_handle_t *)&s->idle, NULL);
	uv_close((uv_handle_t *)&s->grace_timer, NULL);
}

/* ---- exchanges ---- */

const struct http_request *exchange_request(const struct exchange *ex)
{
	return http_reader_request(ex->c->rd);
}

struct conn *exchange_conn(struct exchange *ex)
{
	return ex->c;
}

uint64_t exchange_start_ns(const struct exchange *ex)
{
	return ex->start_ns;
}

void exchange_set_route(struct exchange *ex, const char *route)
{
	ex->route = route;
}

static void exchange_finish(struct exchange *ex, int status, bool keep_alive)
{
	struct conn *c = ex->c;
	struct server *s = c->srv;
	if (s->metrics)
		metrics_request(s->metrics, ex->route, status, uv_hrtime() - ex->start_ns);
	ex->active = false;
	if (c->state == CONN_HTTP) {
		if (!keep_alive || s->shutting_down) {
			c->close_after_flush = true;
		} else {
			http_reader_next(c->rd);
			c->input_pending = c->in_len > 0;
			if (c->read_stopped) {
				uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
				c->read_stopped = false;
			}
			conn_arm_timer(c);
			if (c->input_pending)
				conn_mark_dirty(c);
		}
	}
	conn_mark_dirty(c);
	conn_unref(c);
}

static void exchange_send(struct exchange *ex, int status, const char *content_type,
			  struct shared_bytes *body, size_t off, size_t len, const char *extra)
{
	struct conn *c = ex->c;
	if (c->state != CONN_HTTP) {
		shared_bytes_unref(body);
		ex->active = false;
		conn_unref(c);
		return;
	}
	const struct http_request *req = http_reader_request(c->rd);
	bool keep = req->keep_alive && !c->srv->shutting_down && status != 400;
	struct buf head;
	buf_init(&head, 0);
	http_format_head(&head, status, content_type,
			 (status == 204 || status == 304) ? -1 : (int64_t)len, keep, extra);
	conn_send_copy(c, head.data, head.len);
	buf_free(&head);
	if (body && len && req->method != HTTP_HEAD && c->state == CONN_HTTP)
		conn_enqueue(c, body, off, len);
	else
		shared_bytes_unref(body);
	exchange_finish(ex, status, keep);
}

void exchange_respond(struct exchange *ex, int status, const char *content_type,
		      const void *body, size_t len, const char *extra_headers)
{
	struct shared_bytes *b = NULL;
	if (len) {
		b = shared_bytes_new(len);
		memcpy(b->data, body, len);
	}
	exchange_send(ex, status, content_type, b, 0, len, extra_headers);
}

void exchange_respond_shared(struct exchange *ex, int status, const char *content_type,
			     struct shared_bytes *body, size_t off, size_t len,
			     const char *extra_headers)
{
	if (body)
		shared_bytes_ref(body);
	exchange_send(ex, status, content_type, body, off, len, extra_headers);
}

struct conn *exchange_upgrade_ws(struct exchange *ex, const char *accept_key, void *conn_ud)
{
	struct conn *c = ex->c;
	struct server *s = c->srv;
	if (c->state != CONN_HTTP) {
		ex->active = false;
		conn_unref(c);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b,
		   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		   "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		   accept_key);
	conn_send_copy(c, b.data, b.len);
	buf_free(&b);
	if (s->metrics) {
		metrics_request(s->metrics, ex->route, 101, uv_hrtime() - ex->start_ns);
		metrics_ws_delta(s->metrics, 1);
	}
	http_reader_release(c->rd);
	free(c->rd);
	c->rd = NULL;
	c->state = CONN_WS;
	c->ud = conn_ud;
	ws_parser_init(&c->ws, s->lim.ws_max_frame, s->lim.ws_max_message, true);
	ex->active = false;
	c->input_pending = c->in_len > 0;
	if (c->read_stopped) {
		uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
		c->read_stopped = false;
	}
	conn_arm_timer(c);
	conn_mark_dirty(c);
	conn_unref(c);
	return c;
}

/* ---- connections ---- */

const char *conn_peer_ip(const struct conn *c)
{
	return c->ip;
}

void *conn_userdata(const struct conn *c)
{
	return c->ud;
}

void conn_set_userdata(struct conn *c, void *ud)
{
	c->ud = ud;
}

bool conn_is_open(const struct conn *c)
{
	return c->state != CONN_CLOSING && !c->close_after_flush;
}

int conn_ws_send_text(struct conn *c, const char *data, size_t len)
{
	if (c->state != CONN_WS || c->close_after_flush)
		return PERR_IO;
	uint8_t hdr[WS_MAX_HEADER];
	size_t hl = ws_frame_header(hdr, WS_OP_TEXT, true, len);
	struct shared_bytes *b = shared_bytes_new(hl + len);
	memcpy(b->data, hdr, hl);
	memcpy(b->data + hl, data, len);
	if (c->srv->metrics)
		metrics_ws_messages(c->srv->metrics, 0, 1);
	return conn_enqueue(c, b, 0, hl + len);
}

int conn_ws_send_text_bulk(struct conn *c, const char *data, size_t len)
{
	if (c->state != CONN_WS || c->close_after_flush)
		return PERR_IO;
	uint8_t hdr[WS_MAX_HEADER];
	size_t hl = ws_frame_header(hdr, WS_OP_TEXT, true, len);
	struct shared_bytes *b = shared_bytes_new(hl + len);
	memcpy(b->data, hdr, hl);
	memcpy(b->data + hl, data, len);
	if (c->srv->metrics)
		metrics_ws_messages(c->srv->metrics, 0, 1);
	return conn_enqueue_bounded(c, b, 0, hl + len, false);
}

int conn_ws_send_frame(struct conn *c, struct shared_bytes *frame)
{
	if (c->state != CONN_WS || c->close_after_flush)
		return PERR_IO;
	shared_bytes_ref(frame);
	if (c->srv->metrics)
		metrics_ws_messages(c->srv->metrics, 0, 1);
	return conn_enqueue(c, frame, 0, frame->len);
}

void conn_ws_close(struct conn *c, int code, const char *reason)
{
	if (c->state != CONN_WS || c->close_after_flush)
		return;
	uint8_t payload[125];
	uint8_t hdr[WS_MAX_HEADER];
	size_t pl = ws_close_payload(payload, code, reason ? reason : "");
	size_t hl = ws_frame_header(hdr, WS_OP_CLOSE, true, pl);
	struct shared_bytes *b = shared_bytes_new(hl + pl);
	memcpy(b->data, hdr, hl);
	memcpy(b->data + hl, payload, pl);
	conn_enqueue(c, b, 0, hl + pl);
	c->close_after_flush = true;
	uv_read_stop((uv_stream_t *)&c->tcp);
	c->read_stopped = true;
	conn_mark_dirty(c);
}
