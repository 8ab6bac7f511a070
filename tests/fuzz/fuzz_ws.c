/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the WebSocket frame parser (net/ws). The first input
 * byte chooses how the rest is chopped into reads (0: one read; n: chunks of
 * 1..n bytes from a generator seeded by n); the rest is the client byte
 * stream. It is fed as a connection would, keeping unconsumed bytes at the
 * front of the receive buffer, and once more in a single read. Checked:
 * consumed never exceeds what was offered, unconsumed bytes are left
 * untouched, delivered messages respect the limits and the rules (text and
 * close reasons are valid UTF-8, close codes are receivable), the reassembly
 * buffer exists only while a fragmented message is open and stays within
 * max_message, errors are one of 1002/1007/1009, and both ways of feeding
 * yield the same messages, the same consumed count and the same result. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "net/ws.h"

#define FUZZ_MAX_FRAME 1024
#define FUZZ_MAX_MESSAGE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_run {
	uint64_t digest;   /* FNV-1a over every delivered message */
	size_t messages;
	size_t consumed;
	int rc;
};

static void fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ws: invariant failed: %s\n", what);
		abort();
	}
}

static void fuzz_hash(uint64_t *h, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*h ^= d[i];
		*h *= UINT64_C(0x100000001b3);
	}
}

static bool fuzz_close_code_ok(unsigned code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	       (code >= 3000 && code <= 4999);
}

static int fuzz_on_message(void *ud, int opcode, const uint8_t *d, size_t n)
{
	struct fuzz_run *r = ud;
	fuzz_check(d != NULL, "data pointer is NULL");
	switch (opcode) {
	case WS_OP_TEXT:
		fuzz_check(n <= FUZZ_MAX_MESSAGE, "text message over max_message");
		fuzz_check(utf8_valid(d, n), "text message is not UTF-8");
		break;
	case WS_OP_BINARY:
		fuzz_check(n <= FUZZ_MAX_MESSAGE, "binary message over max_message");
		break;
	case WS_OP_PING:
	case WS_OP_PONG:
		fuzz_check(n <= 125, "control payload over 125");
		break;
	case WS_OP_CLOSE:
		fuzz_check(n <= 125 && n != 1, "bad close payload length");
		if (n >= 2) {
			fuzz_check(fuzz_close_code_ok(((unsigned)d[0] << 8) | d[1]),
				   "close code not receivable");
			fuzz_check(utf8_valid(d + 2, n - 2), "close reason is not UTF-8");
		}
		break;
	default:
		fuzz_check(false, "unexpected opcode delivered");
	}
	uint8_t head[9] = {(uint8_t)opcode};
	for (int i = 0; i < 8; i++)
		head[1 + i] = (uint8_t)((uint64_t)n >> (8 * i));
	fuzz_hash(&r->digest, head, sizeof(head));
	fuzz_hash(&r->digest, d, n);
	r->messages++;
	/* Stop now and then, as a connection does after a close. */
	return opcode == WS_OP_CLOSE || r->messages % 7 == 0;
}

static void fuzz_check_parser(const struct ws_parser *p)
{
	if (!p->frag_opcode) {
		fuzz_check(p->frag == NULL && p->frag_len == 0, "idle parser holds a buffer");
		return;
	}
	fuzz_check(p->frag_opcode == WS_OP_TEXT || p->frag_opcode == WS_OP_BINARY,
		   "bad open message opcode");
	fuzz_check(p->frag_len <= FUZZ_MAX_MESSAGE, "reassembled length over max_message");
	fuzz_check(p->frag_cap <= FUZZ_MAX_MESSAGE, "reassembly buffer over max_message");
	fuzz_check(p->frag_len <= p->frag_cap, "reassembly length over capacity");
}

/* Feed s[0..len) in chunks chosen by ctl. */
static void fuzz_feed(const uint8_t *s, size_t len, uint8_t ctl, struct fuzz_run *r)
{
	struct ws_parser p;
	uint8_t *held = malloc(len ? len : 1);
	size_t have = 0, off = 0;
	uint32_t rng = (uint32_t)ctl * 2654435761u + 1;

	fuzz_check(held != NULL, "out of memory");
	ws_parser_init(&p, FUZZ_MAX_FRAME, FUZZ_MAX_MESSAGE, true);
	r->rc = 0;
	for (;;) {
		if (off < len) {
			size_t n = len - off;
			if (ctl) {
				rng = rng * 1103515245u + 12345u;
				n = 1 + (rng >> 16) % ctl;
				if (n > len - off)
					n = len - off;
			}
			memcpy(held + have, s + off, n);
			have += n;
			off += n;
		}
		/* An exact-size copy, so that ASan sees any read past have. */
		uint8_t *view = malloc(have ? have : 1);
		fuzz_check(view != NULL, "out of memory");
		if (have)
			memcpy(view, held, have);
		size_t used = SIZE_MAX;
		int rc = ws_parser_feed(&p, view, have, &used, fuzz_on_message, r);
		fuzz_check(used <= have, "consumed more than offered");
		fuzz_check_parser(&p);
		if (!rc)
			fuzz_check(memcmp(view + used, s + r->consumed + used, have - used) == 0,
				   "unconsumed bytes were modified");
		free(view);
		r->consumed += used;
		if (rc) {
			fuzz_check(rc == WS_CLOSE_PROTOCOL || rc == WS_CLOSE_INVALID_DATA ||
					   rc == WS_CLOSE_TOO_BIG,
				   "unexpected error code");
			r->rc = rc;
			break;
		}
		memmove(held, held + used, have - used);
		have -= used;
		if (off == len && used == 0)
			break;
	}
	ws_parser_release(&p);
	fuzz_check(p.frag == NULL && p.frag_opcode == 0, "release left state behind");
	free(held);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct fuzz_run once = {.digest = UINT64_C(0xcbf29ce484222325)};
	struct fuzz_run chunked = once;
	fuzz_feed(data + 1, size - 1, 0, &once);
	fuzz_feed(data + 1, size - 1, data[0], &chunked);
	fuzz_check(once.rc == chunked.rc, "result depends on chunking");
	fuzz_check(once.consumed == chunked.consumed, "consumed depends on chunking");
	fuzz_check(once.messages == chunked.messages, "message count depends on chunking");
	fuzz_check(once.digest == chunked.digest, "messages depend on chunking");
	return 0;
}
