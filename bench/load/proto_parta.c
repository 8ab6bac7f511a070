/* SPDX-License-Identifier: MIT */
/* Parta adapter (docs/protocol.md): GET /api/v1/ws with the user's bearer
 * token; on "hello" send a sync without cursors (every chat starts at its
 * current end); "synced" makes the session ready. Sends are
 * {"type":"send","id":"<send time>.<room>","client_id":…,"chat_id":…,"text":…}
 * and their acks carry the id back, so the ack latency needs no table.
 * Incoming frames are classified by their first bytes — the server writes
 * "type" first — and message events are handed to run_text unparsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws.h"
#include "run.h"

enum { PARTA_HELLO, PARTA_SYNCING, PARTA_READY };

static bool parta__is(const uint8_t *d, size_t len, const char *type)
{
	/* {"type":"<type>" */
	size_t tl = strlen(type);
	return len >= 10 + tl && memcmp(d, "{\"type\":\"", 9) == 0 && memcmp(d + 9, type, tl) == 0 &&
	       d[9 + tl] == '"';
}

/* The integer after "key": in d, or -1. */
static int64_t parta__int(const uint8_t *d, size_t len, const char *key)
{
	size_t kl = strlen(key);
	const uint8_t *p = memmem(d, len, key, kl);
	if (!p)
		return -1;
	p += kl;
	const uint8_t *end = d + len;
	if (p < end && *p == '"')
		p++;
	int64_t v = 0;
	bool any = false;
	while (p < end && *p >= '0' && *p <= '9' && v < INT64_MAX / 10) {
		v = v * 10 + (*p++ - '0');
		any = true;
	}
	return any ? v : -1;
}

static int parta_open(struct run *r, struct conn *c)
{
	const char *tok = c->user < r->plan.ntokens ? r->plan.tokens[c->user] : NULL;
	if (!tok) {
		run_fail(r, c, "no token for user", NULL, 0);
		return -1;
	}
	char hdr[256];
	int n = snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", tok);
	if (n < 0 || (size_t)n >= sizeof hdr)
		return -1;
	c->state = PARTA_HELLO;
	return wsc_start(&r->net, &c->ns, &c->ws, r->host_header, "/api/v1/ws", hdr);
}

static int parta_message(struct run *r, struct conn *c, int opcode, uint8_t *d, size_t len)
{
	if (opcode == WS_OP_CLOSE) {
		run_close_frame(r, c, d, len);
		return -1;
	}
	if (opcode != WS_OP_TEXT)
		return 0;
	if (c->state == PARTA_READY) {
		if (parta__is(d, len, "event")) {
			run_text(r, c, d, len);
		} else if (parta__is(d, len, "ack")) {
			/* "id":"<ts>.<room>" … "seq":N */
			int64_t ts = parta__int(d, len, "\"id\":");
			const uint8_t *dot = memchr(d, '.', len < 64 ? len : 64);
			int64_t room = dot ? parta__int(dot, (size_t)(d + len - dot), ".") : -1;
			int64_t seq = parta__int(d, len, "\"seq\":");
			run_ack(r, c, ts > 0 ? (uint64_t)ts : 0, room >= 0 ? (unsigned)room : 0,
				seq > 0 ? seq : 0);
		} else if (parta__is(d, len, "error")) {
			run_fail(r, c, "error", d, len);
		}
		return 0;
	}
	if (c->state == PARTA_HELLO && parta__is(d, len, "hello")) {
		static const char sync[] = "{\"type\":\"sync\",\"id\":\"s\"}";
		c->state = PARTA_SYNCING;
		return wsc_send(&r->net, &c->ns, WS_OP_TEXT, sync, sizeof sync - 1);
	}
	if (c->state == PARTA_SYNCING && parta__is(d, len, "synced")) {
		c->state = PARTA_READY;
		run_ready(r, c);
		return 0;
	}
	if (parta__is(d, len, "error")) {
		run_fail(r, c, "error during set-up", d, len);
		return -1;
	}
	return 0;
}

static int parta_send(struct run *r, struct conn *c, unsigned room, const char *text, size_t len,
		      uint64_t ts_ns)
{
	static uint64_t counter;
	char buf[PROTO_BUF];
	int64_t chat = room < r->plan.nchats ? r->plan.chats[room] : 0;
	if (chat <= 0) {
		run_fail(r, c, "no chat for room", NULL, 0);
		return -1;
	}
	int n = snprintf(buf, sizeof buf,
			 "{\"type\":\"send\",\"id\":\"%llu.%u\",\"client_id\":\"%s-%llu\","
			 "\"chat_id\":%lld,\"text\":\"%.*s\"}",
			 (unsigned long long)ts_ns, room, r->run_id, (unsigned long long)++counter,
			 (long long)chat, (int)len, text);
	if (n < 0 || (size_t)n >= sizeof buf)
		return -1;
	return wsc_send(&r->net, &c->ns, WS_OP_TEXT, buf, (size_t)n);
}

const struct proto_ops proto_parta = {
	.name = "parta",
	.websocket = true,
	.acks = true,
	.open = parta_open,
	.message = parta_message,
	.send = parta_send,
};
