/* SPDX-License-Identifier: MIT */
/* HTTP reader for Parta's history and search (REST, not real-time): a
 * keep-alive connection that sends one GET at a time as the reader user
 * and waits for the whole response (Content-Length bodies only, which is
 * what Parta sends). History: a page of 50 around a random message of a
 * random room (seqs from the fill). Search: the queries of payload.c in
 * turn. Each response's time goes to run_http_done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "payload.h"
#include "procstat.h"
#include "run.h"

#define HTTP_HEAD_MAX 16384

static int http_open(struct run *r, struct conn *c)
{
	run_ready(r, c);
	return 0;
}

static int http_send(struct run *r, struct conn *c, unsigned room, const char *text, size_t len,
		     uint64_t ts_ns)
{
	static size_t next_query;
	char path[512], req[1024];
	int n;
	const char *tok = r->plan.tokens[c->user];
	if (!tok)
		return -1;
	if (r->cfg.scenario == RUN_HISTORY) {
		int64_t seq = 0;
		unsigned k = 0;
		for (int tries = 0; tries < 64 && seq <= 0; tries++) {
			k = (unsigned)(payload_rand(&r->rng) % r->cfg.rooms);
			seq = r->plan.seqs[k];
		}
		if (seq <= 0) {
			run_fail(r, c, "no stored messages to page around", NULL, 0);
			return -1;
		}
		int64_t around = 1 + (int64_t)(payload_rand(&r->rng) % (uint64_t)seq);
		n = snprintf(path, sizeof path, "/api/v1/chats/%lld/messages?around=%lld&limit=50",
			     (long long)r->plan.chats[k], (long long)around);
	} else {
		size_t nq;
		const char *const *q = payload_queries(&nq);
		n = snprintf(path, sizeof path, "/api/v1/search?q=%s&limit=20", q[next_query++ % nq]);
	}
	if (n < 0 || (size_t)n >= sizeof path)
		return -1;
	n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n",
		     path, r->host_header, tok);
	if (n < 0 || (size_t)n >= sizeof req)
		return -1;
	c->req_start_ns = ts_ns;
	c->req_body_left = 0;
	c->state = 0;
	return net_send(&r->net, &c->ns, req, (size_t)n);
}

static size_t http_data(struct run *r, struct conn *c, uint8_t *d, size_t len)
{
	size_t off = 0;
	while (off < len) {
		if (c->state == 1) { /* in a body */
			size_t k = len - off < c->req_body_left ? len - off : (size_t)c->req_body_left;
			off += k;
			c->req_body_left -= k;
			if (c->req_body_left)
				break;
			c->state = 0;
			run_http_done(r, c, c->http_status);
			continue;
		}
		const uint8_t *end = memmem(d + off, len - off, "\r\n\r\n", 4);
		if (!end)
			return len - off > HTTP_HEAD_MAX ? NET_CLOSE : off;
		size_t head = (size_t)(end - (d + off)) + 4;
		const char *h = (const char *)d + off;
		if (head < 12 || memcmp(h, "HTTP/1.1 ", 9) != 0)
			return NET_CLOSE;
		char *e;
		long status = strtol(h + 9, &e, 10);
		const char *cl = NULL;
		for (const char *p = h; p + 16 < h + head; p++) {
			if (*p == '\n' && strncasecmp(p + 1, "Content-Length:", 15) == 0) {
				cl = p + 16;
				break;
			}
		}
		if (!cl) {
			run_fail(r, c, "response without Content-Length", d + off, head);
			return NET_CLOSE;
		}
		unsigned long long body = strtoull(cl, &e, 10);
		if (e == cl || status < 100 || status > 599)
			return NET_CLOSE;
		off += head;
		c->http_status = (uint16_t)status;
		c->req_body_left = body;
		c->state = 1;
		if (!body) {
			c->state = 0;
			run_http_done(r, c, c->http_status);
		}
	}
	return off;
}

const struct proto_ops proto_http = {
	.name = "parta",
	.websocket = false,
	.acks = false,
	.open = http_open,
	.data = http_data,
	.send = http_send,
};
