/* SPDX-License-Identifier: MIT */
/* WebSocket client framing for the load tool (contract in wsc.h). Masking
 * keys come from a xorshift generator seeded once from the kernel: RFC 6455
 * asks for unpredictable keys to protect proxies from cache poisoning; on a
 * loopback benchmark with no proxy a fast generator is enough, and the
 * server only checks that frames are masked. */
#include "wsc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <sodium.h>

#include "net/ws.h"

#define WSC_RESPONSE_MAX 8192
#define WSC_STACK_FRAME 2048

static uint64_t wsc__rng;

static uint64_t wsc__next(void)
{
	if (!wsc__rng) {
		if (getrandom(&wsc__rng, sizeof wsc__rng, 0) != (ssize_t)sizeof wsc__rng || !wsc__rng)
			wsc__rng = 0x9E3779B97F4A7C15ull;
	}
	uint64_t x = wsc__rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	wsc__rng = x;
	return x;
}

int wsc_start(struct net *n, struct net_sock *s, struct wsc *w, const char *host, const char *path,
	      const char *extra_headers)
{
	uint8_t raw[16];
	uint64_t a = wsc__next(), b = wsc__next();
	memcpy(raw, &a, 8);
	memcpy(raw + 8, &b, 8);
	sodium_bin2base64(w->key, sizeof w->key, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
	w->upgraded = false;
	char req[4096];
	int len = snprintf(req, sizeof req,
			   "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
			   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			   "Sec-WebSocket-Version: 13\r\n%s\r\n",
			   path, host, w->key, extra_headers ? extra_headers : "");
	if (len < 0 || (size_t)len >= sizeof req)
		return -1;
	return net_send(n, s, req, (size_t)len);
}

/* Value of header name in the response head h[0..len), or NULL. */
static const char *wsc__header(const char *h, size_t len, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *end = h + len;
	const char *p = memchr(h, '\n', len);
	while (p && p + 1 < end) {
		p++;
		if ((size_t)(end - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			const char *e = v;
			while (e < end && *e != '\r' && *e != '\n')
				e++;
			*vlen = (size_t)(e - v);
			return v;
		}
		p = memchr(p, '\n', (size_t)(end - p));
	}
	return NULL;
}

/* Parse the 101 response. Returns bytes used, 0 if incomplete, NET_CLOSE. */
static size_t wsc__upgrade(struct wsc *w, const uint8_t *data, size_t len)
{
	const uint8_t *end = len >= 4 ? memmem(data, len, "\r\n\r\n", 4) : NULL;
	if (!end)
		return len > WSC_RESPONSE_MAX ? NET_CLOSE : 0;
	size_t head = (size_t)(end - data) + 4;
	const char *h = (const char *)data;
	if (head < 12 || memcmp(h, "HTTP/1.1 101", 12) != 0) {
		fprintf(stderr, "parta-load: upgrade refused: %.*s\n",
			(int)(memchr(h, '\r', head) ? (const char *)memchr(h, '\r', head) - h : 0), h);
		return NET_CLOSE;
	}
	size_t al = 0;
	const char *accept = wsc__header(h, head, "Sec-WebSocket-Accept", &al);
	char want[29];
	if (!accept || ws_accept_key(w->key, strlen(w->key), want) != 0 || al != 28 ||
	    memcmp(accept, want, 28) != 0) {
		fprintf(stderr, "parta-load: bad Sec-WebSocket-Accept\n");
		return NET_CLOSE;
	}
	w->upgraded = true;
	return head;
}

int wsc_send(struct net *n, struct net_sock *s, int opcode, const void *data, size_t len)
{
	uint8_t stack[WSC_STACK_FRAME];
	uint8_t mask[4];
	uint32_t m = (uint32_t)wsc__next();
	memcpy(mask, &m, 4);
	if (len + WS_MAX_HEADER <= sizeof stack) {
		size_t h = ws_frame_header_masked(stack, opcode, true, len, mask);
		memcpy(stack + h, data, len);
		ws_mask(stack + h, len, mask, 0);
		return net_send(n, s, stack, h + len);
	}
	/* a large frame (history seeding never sends one; kept for safety) */
	uint8_t hdr[WS_MAX_HEADER];
	size_t h = ws_frame_header_masked(hdr, opcode, true, len, mask);
	if (net_send(n, s, hdr, h) != 0)
		return -1;
	uint8_t chunk[WSC_STACK_FRAME];
	const uint8_t *p = data;
	for (size_t off = 0; off < len; off += sizeof chunk) {
		size_t k = len - off < sizeof chunk ? len - off : sizeof chunk;
		memcpy(chunk, p + off, k);
		ws_mask(chunk, k, mask, off);
		if (net_send(n, s, chunk, k) != 0)
			return -1;
	}
	return 0;
}

size_t wsc_feed(struct net *n, struct net_sock *s, struct wsc *w, uint8_t *data, size_t len,
		wsc_message_fn fn, void *ud)
{
	size_t off = 0;
	if (!w->upgraded) {
		size_t used = wsc__upgrade(w, data, len);
		if (used == NET_CLOSE || used == 0)
			return used;
		off = used;
		if (fn(ud, WSC_UPGRADED, NULL, 0) != 0 || s->fd < 0)
			return NET_CLOSE;
	}
	while (len - off >= 2) {
		const uint8_t *d = data + off;
		size_t avail = len - off;
		uint8_t b0 = d[0], b1 = d[1];
		if (!(b0 & 0x80) || (b0 & 0x70) || (b1 & 0x80))
			return NET_CLOSE; /* fragment, extension bits, or a masked server frame */
		uint64_t plen = b1 & 0x7F;
		size_t hl = 2;
		if (plen == 126) {
			if (avail < 4)
				break;
			plen = ((uint64_t)d[2] << 8) | d[3];
			hl = 4;
		} else if (plen == 127) {
			if (avail < 10)
				break;
			plen = 0;
			for (int i = 0; i < 8; i++)
				plen = (plen << 8) | d[2 + i];
			hl = 10;
			if (plen > (64u << 20))
				return NET_CLOSE;
		}
		if (avail - hl < plen)
			break;
		uint8_t *payload = data + off + hl;
		int op = b0 & 0x0F;
		off += hl + (size_t)plen;
		if (op == WS_OP_PING) {
			if (wsc_send(n, s, WS_OP_PONG, payload, (size_t)plen) != 0)
				return NET_CLOSE;
			continue;
		}
		if (fn(ud, op, payload, (size_t)plen) != 0 || s->fd < 0)
			return NET_CLOSE;
	}
	return off;
}
