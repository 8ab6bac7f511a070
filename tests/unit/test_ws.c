/* SPDX-License-Identifier: MIT */
/* Unit tests for net/ws: single frames at every length-encoding boundary,
 * fragmentation with interleaved control frames, the same byte stream split
 * at every position, frame and message limits, UTF-8 of text messages (also
 * split inside a character across fragments), every protocol rule that yields
 * 1002, close codes, callback stop, the handshake key, header encoding and
 * masking, close payload building. Input is always copied into a buffer of
 * exactly its length so that AddressSanitizer catches any read past len. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "net/ws.h"

#define BIG (1u << 20)

static const uint8_t test_mask[4] = {0x37, 0xFA, 0x21, 0x3D};

/* ---- helpers: a byte stream of client frames --------------------------- */

struct stream {
	uint8_t *d;
	size_t len;
	size_t cap;
	size_t ends[32];   /* offset just past each frame added with st_frame */
	size_t nframes;
};

static void st_raw(struct stream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		s->cap = (s->len + n) * 2 + 64;
		s->d = realloc(s->d, s->cap);
		assert_non_null(s->d);
	}
	if (n)
		memcpy(s->d + s->len, p, n);
	s->len += n;
}

/* Append a masked client frame. */
static void st_frame(struct stream *s, int opcode, bool fin, const void *payload, size_t n)
{
	uint8_t h[WS_MAX_HEADER];
	size_t hl = ws_frame_header_masked(h, opcode, fin, n, test_mask);
	st_raw(s, h, hl);
	size_t at = s->len;
	st_raw(s, payload, n);
	ws_mask(s->d + at, n, test_mask, 0);
	assert_true(s->nframes < sizeof(s->ends) / sizeof(s->ends[0]));
	s->ends[s->nframes++] = s->len;
}

static void st_str(struct stream *s, int opcode, bool fin, const char *payload)
{
	st_frame(s, opcode, fin, payload, strlen(payload));
}

static void st_free(struct stream *s)
{
	free(s->d);
	memset(s, 0, sizeof(*s));
}

/* ---- helpers: recording callback ----------------------------------------- */

#define REC_MAX 64

struct rec {
	size_t n;
	int opcode[REC_MAX];
	size_t len[REC_MAX];
	uint8_t *data[REC_MAX];
	const uint8_t *ptr[REC_MAX];   /* where the parser pointed */
	size_t stop_at;                /* return 1 when the n-th message arrives; 0: never */
};

static int rec_cb(void *ud, int opcode, const uint8_t *data, size_t len)
{
	struct rec *r = ud;
	assert_true(r->n < REC_MAX);
	assert_non_null(data);
	r->opcode[r->n] = opcode;
	r->len[r->n] = len;
	r->ptr[r->n] = data;
	r->data[r->n] = malloc(len ? len : 1);
	assert_non_null(r->data[r->n]);
	if (len)
		memcpy(r->data[r->n], data, len);
	r->n++;
	return r->stop_at && r->n == r->stop_at;
}

static void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->data[i]);
	memset(r, 0, sizeof(*r));
}

static void assert_msg(const struct rec *r, size_t i, int opcode, const void *data, size_t len)
{
	assert_true(i < r->n);
	assert_int_equal(r->opcode[i], opcode);
	assert_int_equal(r->len[i], len);
	if (len)
		assert_memory_equal(r->data[i], data, len);
}

/* Feed data[0..len) once, from an exact-size copy. */
static int feed_copy(struct ws_parser *p, const uint8_t *data, size_t len, size_t *consumed,
		     struct rec *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len)
		memcpy(copy, data, len);
	*consumed = 12345;
	int rc = ws_parser_feed(p, copy, len, consumed, rec_cb, r);
	assert_true(*consumed <= len);
	free(copy);
	return rc;
}

/* Feed a stream as a connection would: bytes arrive in chunks of the given
 * sizes (cycled), unconsumed bytes stay at the front of the receive buffer.
 * Returns the first non-zero result, else 0; *total is the bytes consumed. */
static int feed_chunks(struct ws_parser *p, const uint8_t *data, size_t len,
		       const size_t *sizes, size_t nsizes, struct rec *r, size_t *total)
{
	uint8_t *held = NULL;
	size_t have = 0, off = 0, k = 0;
	int rc = 0;
	*total = 0;
	while (off < len) {
		size_t n = sizes[k++ % nsizes];
		if (n > len - off)
			n = len - off;
		uint8_t *buf = malloc(have + n);
		assert_non_null(buf);
		if (have)
			memcpy(buf, held, have);
		memcpy(buf + have, data + off, n);
		free(held);
		held = buf;
		have += n;
		off += n;
		size_t used;
		rc = ws_parser_feed(p, held, have, &used, rec_cb, r);
		assert_true(used <= have);
		*total += used;
		if (rc)
			break;
		memmove(held, held + used, have - used);
		have -= used;
	}
	free(held);
	return rc;
}

/* ---- single frames ------------------------------------------------------- */

static void fill_payload(uint8_t *d, size_t n, int opcode)
{
	for (size_t i = 0; i < n; i++)
		d[i] = opcode == WS_OP_TEXT ? (uint8_t)('a' + i % 26) : (uint8_t)(i * 7 + 3);
}

static void test_single_frames(void **state)
{
	(void)state;
	static const struct {
		size_t len;
		size_t header_len;
		uint8_t len7;
	} cases[] = {
		{0, 6, 0},       {1, 6, 1},        {125, 6, 125},      {126, 8, 126},
		{127, 8, 126},   {65535, 8, 126},  {65536, 14, 127},   {100000, 14, 127},
	};
	static const int opcodes[] = {WS_OP_TEXT, WS_OP_BINARY};
	for (size_t o = 0; o < 2; o++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			size_t n = cases[i].len;
			uint8_t *payload = malloc(n + 1);
			assert_non_null(payload);
			fill_payload(payload, n, opcodes[o]);
			struct stream s = {0};
			st_frame(&s, opcodes[o], true, payload, n);
			assert_int_equal(s.len, cases[i].header_len + n);
			assert_int_equal(s.d[1], 0x80 | cases[i].len7);

			struct ws_parser p;
			struct rec r = {0};
			size_t used;
			ws_parser_init(&p, BIG, BIG, true);
			/* One byte short: nothing consumed, nothing unmasked. */
			uint8_t *buf = malloc(s.len);
			assert_non_null(buf);
			memcpy(buf, s.d, s.len);
			assert_int_equal(ws_parser_feed(&p, buf, s.len - 1, &used, rec_cb, &r), 0);
			assert_int_equal(used, 0);
			assert_int_equal(r.n, 0);
			assert_memory_equal(buf, s.d, s.len);
			/* Whole frame: delivered in place, no heap buffer. */
			assert_int_equal(ws_parser_feed(&p, buf, s.len, &used, rec_cb, &r), 0);
			assert_int_equal(used, s.len);
			assert_int_equal(r.n, 1);
			assert_msg(&r, 0, opcodes[o], payload, n);
			assert_ptr_equal(r.ptr[0], buf + cases[i].header_len);
			assert_null(p.frag);
			ws_parser_release(&p);
			free(buf);
			free(payload);
			rec_free(&r);
			st_free(&s);
		}
	}
}

/* The RFC 6455 §5.7 examples, byte for byte. */
static void test_rfc_examples(void **state)
{
	(void)state;
	static const uint8_t masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f,
					       0x9f, 0x4d, 0x51, 0x58};
	static const uint8_t unmasked[] = {
		0x81, 0x05, 'H', 'e', 'l', 'l', 'o',   /* text */
		0x01, 0x03, 'H', 'e', 'l',             /* fragmented text, first */
		0x89, 0x05, 'H', 'e', 'l', 'l', 'o',   /* ping in between */
		0x80, 0x02, 'l', 'o',                  /* last fragment */
		0x8A, 0x00,                            /* empty pong */
	};
	struct ws_parser p;
	struct rec r = {0};
	size_t used;

	ws_parser_init(&p, BIG, BIG, true);
	assert_int_equal(feed_copy(&p, masked_hello, sizeof(masked_hello), &used, &r), 0);
	assert_int_equal(used, sizeof(masked_hello));
	assert_msg(&r, 0, WS_OP_TEXT, "Hello", 5);
	/* A server refuses the unmasked form. */
	assert_int_equal(feed_copy(&p, unmasked, sizeof(unmasked), &used, &r), WS_CLOSE_PROTOCOL);
	assert_int_equal(used, 0);
	ws_parser_release(&p);
	rec_free(&r);

	/* A parser that does not require masks takes it. */
	ws_parser_init(&p, BIG, BIG, false);
	assert_int_equal(feed_copy(&p, unmasked, sizeof(unmasked), &used, &r), 0);
	assert_int_equal(used, sizeof(unmasked));
	assert_int_equal(r.n, 4);
	assert_msg(&r, 0, WS_OP_TEXT, "Hello", 5);
	assert_msg(&r, 1, WS_OP_PING, "Hello", 5);
	assert_msg(&r, 2, WS_OP_TEXT, "Hello", 5);
	assert_msg(&r, 3, WS_OP_PONG, NULL, 0);
	/* ... and masked frames too. */
	assert_int_equal(feed_copy(&p, masked_hello, sizeof(masked_hello), &used, &r), 0);
	assert_msg(&r, 4, WS_OP_TEXT, "Hello", 5);
	ws_parser_release(&p);
	rec_free(&r);
}

/* ---- fragmentation ------------------------------------------------------- */

static void test_fragmented_with_control(void **state)
{
	(void)state;
	struct stream s = {0};
	st_str(&s, WS_OP_TEXT, false, "Hel");
	st_str(&s, WS_OP_PING, true, "ping");
	st_str(&s, WS_OP_CONT, false, "lo, ");
	st_str(&s, WS_OP_PONG, true, "");
	st_str(&s, WS_OP_CONT, false, "");
	st_str(&s, WS_OP_CONT, true, "w\xC3\xB6rld");
	st_str(&s, WS_OP_BINARY, false, "");
	st_str(&s, WS_OP_CONT, true, "");

	struct ws_parser p;
	struct rec r = {0};
	size_t used;
	ws_parser_init(&p, BIG, BIG, true);

	/* After the first fragment: a message is open and buffered. */
	assert_int_equal(feed_copy(&p, s.d, s.ends[0], &used, &r), 0);
	assert_int_equal(used, s.ends[0]);
	assert_int_equal(r.n, 0);
	assert_int_equal(p.frag_opcode, WS_OP_TEXT);
	assert_non_null(p.frag);
	assert_int_equal(p.frag_len, 3);

	assert_int_equal(feed_copy(&p, s.d + used, s.len - used, &used, &r), 0);
	assert_int_equal(used, s.len - s.ends[0]);
	assert_int_equal(r.n, 4);
	assert_msg(&r, 0, WS_OP_PING, "ping", 4);
	assert_msg(&r, 1, WS_OP_PONG, NULL, 0);
	assert_msg(&r, 2, WS_OP_TEXT, "Hello, w\xC3\xB6rld", 13);
	assert_msg(&r, 3, WS_OP_BINARY, NULL, 0);
	/* Idle again: no buffer held. */
	assert_null(p.frag);
	assert_int_equal(p.frag_opcode, 0);
	assert_int_equal(p.frag_len, 0);
	ws_parser_release(&p);
	rec_free(&r);
	st_free(&s);
}

/* Growth is geometric, never past max_message, and ends with the message. */
static void test_reassembly_buffer_bounds(void **state)
{
	(void)state;
	uint8_t chunk[100];
	memset(chunk, 'z', sizeof(chunk));
	struct stream s = {0};
	st_frame(&s, WS_OP_BINARY, false, chunk, sizeof(chunk));
	for (int i = 0; i < 8; i++)
		st_frame(&s, WS_OP_CONT, false, chunk, sizeof(chunk));
	st_frame(&s, WS_OP_CONT, true, chunk, sizeof(chunk));

	struct ws_parser p;
	struct rec r = {0};
	size_t used, off = 0;
	ws_parser_init(&p, 1000, 1000, true);
	for (size_t f = 0; f < s.nframes; f++) {
		assert_int_equal(feed_copy(&p, s.d + off, s.ends[f] - off, &used, &r), 0);
		assert_int_equal(used, s.ends[f] - off);
		off = s.ends[f];
		if (f + 1 < s.nframes) {
			assert_int_equal(p.frag_len, 100 * (f + 1));
			assert_true(p.frag_cap >= p.frag_len);
			assert_true(p.frag_cap <= 1000);
		}
	}
	assert_int_equal(r.n, 1);
	assert_int_equal(r.len[0], 1000);
	assert_null(p.frag);
	assert_int_equal(p.frag_cap, 0);

	/* Releasing with a message open frees it; init makes it usable again. */
	assert_int_equal(feed_copy(&p, s.d, s.ends[0], &used, &r), 0);
	assert_non_null(p.frag);
	ws_parser_release(&p);
	assert_null(p.frag);
	assert_int_equal(p.frag_opcode, 0);
	ws_parser_init(&p, 1000, 1000, true);
	assert_int_equal(feed_copy(&p, s.d, s.len, &used, &r), 0);
	assert_int_equal(r.n, 2);
	ws_parser_release(&p);
	rec_free(&r);
	st_free(&s);
}

/* One stream with every kind of frame, cut at every byte: the first feed
 * consumes exactly the whole frames before the cut, and the messages are the
 * same as from a single feed. Then byte by byte and in odd chunk sizes. */
static void test_split_everywhere(void **state)
{
	(void)state;
	uint8_t bin[300];
	fill_payload(bin, sizeof(bin), WS_OP_BINARY);
	struct stream s = {0};
	st_str(&s, WS_OP_TEXT, false, "ab\xE2");
	st_str(&s, WS_OP_PING, true, "x");
	st_str(&s, WS_OP_CONT, true, "\x82\xAC");
	st_frame(&s, WS_OP_BINARY, true, bin, sizeof(bin));
	st_str(&s, WS_OP_TEXT, true, "\xF0\x9F\x98\x80");
	st_str(&s, WS_OP_CLOSE, true, "\x03\xE8" "bye");

	struct ws_parser p;
	struct rec want = {0};
	size_t used;
	ws_parser_init(&p, BIG, BIG, true);
	assert_int_equal(feed_copy(&p, s.d, s.len, &used, &want), 0);
	assert_int_equal(used, s.len);
	assert_int_equal(want.n, 5);
	assert_msg(&want, 1, WS_OP_TEXT, "ab\xE2\x82\xAC", 5);
	ws_parser_release(&p);

	for (size_t cut = 0; cut <= s.len; cut++) {
		struct rec r = {0};
		size_t expect = 0;
		for (size_t f = 0; f < s.nframes && s.ends[f] <= cut; f++)
			expect = s.ends[f];
		ws_parser_init(&p, BIG, BIG, true);
		size_t sizes[2] = {cut ? cut : 1, s.len};
		size_t total;
		int rc = feed_chunks(&p, s.d, s.len, sizes, 2, &r, &total);
		assert_int_equal(rc, 0);
		assert_int_equal(total, s.len);
		/* Replay the first feed alone to check its consumed count. */
		struct rec r1 = {0};
		struct ws_parser p1;
		ws_parser_init(&p1, BIG, BIG, true);
		assert_int_equal(feed_copy(&p1, s.d, cut, &used, &r1), 0);
		if (used != expect)
			fail_msg("cut at %zu: consumed %zu, want %zu", cut, used, expect);
		ws_parser_release(&p1);
		rec_free(&r1);

		assert_int_equal(r.n, want.n);
		for (size_t i = 0; i < want.n; i++)
			assert_msg(&r, i, want.opcode[i], want.data[i], want.len[i]);
		ws_parser_release(&p);
		rec_free(&r);
	}

	static const size_t schedules[][3] = {{1, 1, 1}, {2, 3, 5}, {13, 1, 7}, {64, 3, 1}};
	for (size_t k = 0; k < sizeof(schedules) / sizeof(schedules[0]); k++) {
		struct rec r = {0};
		size_t total;
		ws_parser_init(&p, BIG, BIG, true);
		assert_int_equal(feed_chunks(&p, s.d, s.len, schedules[k], 3, &r, &total), 0);
		assert_int_equal(total, s.len);
		assert_int_equal(r.n, want.n);
		for (size_t i = 0; i < want.n; i++)
			assert_msg(&r, i, want.opcode[i], want.data[i], want.len[i]);
		ws_parser_release(&p);
		rec_free(&r);
	}
	rec_free(&want);
	st_free(&s);
}

/* ---- size limits --------------------------------------------------------- */

struct frag_spec {
	int opcode;
	bool fin;
	size_t len;
};

struct limit_case {
	const char *name;
	uint32_t max_frame;
	uint32_t max_message;
	struct frag_spec frames[4];
	size_t nframes;
	int rc;
	size_t delivered;
};

static const struct limit_case limit_cases[] = {
	{"frame at max_frame", 100, 1000, {{WS_OP_BINARY, true, 100}}, 1, 0, 1},
	{"frame over max_frame", 100, 1000, {{WS_OP_BINARY, true, 101}}, 1, WS_CLOSE_TOO_BIG, 0},
	{"16-bit frame over max_frame", 1000, 100000, {{WS_OP_TEXT, true, 1001}}, 1,
	 WS_CLOSE_TOO_BIG, 0},
	{"64-bit frame over max_frame", 70000, 100000, {{WS_OP_BINARY, true, 70001}}, 1,
	 WS_CLOSE_TOO_BIG, 0},
	{"fragment over max_frame", 100, 1000,
	 {{WS_OP_BINARY, false, 50}, {WS_OP_CONT, true, 101}}, 2, WS_CLOSE_TOO_BIG, 0},
	{"single frame over max_message", 200, 100, {{WS_OP_BINARY, true, 101}}, 1,
	 WS_CLOSE_TOO_BIG, 0},
	{"message at max_message", 60, 100,
	 {{WS_OP_BINARY, false, 60}, {WS_OP_CONT, true, 40}}, 2, 0, 1},
	{"message over max_message", 60, 100,
	 {{WS_OP_BINARY, false, 60}, {WS_OP_CONT, true, 41}}, 2, WS_CLOSE_TOO_BIG, 0},
	{"message over max_message before FIN", 60, 100,
	 {{WS_OP_TEXT, false, 60}, {WS_OP_CONT, false, 41}}, 2, WS_CLOSE_TOO_BIG, 0},
	{"first fragment over max_message", 200, 100, {{WS_OP_TEXT, false, 101}}, 1,
	 WS_CLOSE_TOO_BIG, 0},
	{"two messages each within max_message", 60, 100,
	 {{WS_OP_BINARY, false, 60}, {WS_OP_CONT, true, 40}, {WS_OP_BINARY, false, 60},
	  {WS_OP_CONT, true, 40}},
	 4, 0, 2},
	{"control frame over max_frame", 10, 100, {{WS_OP_PING, true, 11}}, 1,
	 WS_CLOSE_TOO_BIG, 0},
	{"control frame not counted in message", 60, 100,
	 {{WS_OP_BINARY, false, 60}, {WS_OP_PING, true, 50}, {WS_OP_CONT, true, 40}}, 3, 0, 2},
};

static void test_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct stream s = {0};
		for (size_t f = 0; f < c->nframes; f++) {
			uint8_t *payload = calloc(1, c->frames[f].len + 1);
			assert_non_null(payload);
			memset(payload, 'q', c->frames[f].len);
			st_frame(&s, c->frames[f].opcode, c->frames[f].fin, payload, c->frames[f].len);
			free(payload);
		}
		struct ws_parser p;
		struct rec r = {0};
		size_t used;
		ws_parser_init(&p, c->max_frame, c->max_message, true);
		int rc = feed_copy(&p, s.d, s.len, &used, &r);
		if (rc != c->rc || r.n != c->delivered)
			fail_msg("case \"%s\": rc %d (want %d), %zu messages (want %zu)", c->name, rc,
				 c->rc, r.n, c->delivered);
		if (c->rc) {
			/* Refused from the header alone: the last frame's header
			 * plus nothing of its payload already gives the error. */
			size_t start = c->nframes > 1 ? s.ends[c->nframes - 2] : 0;
			assert_int_equal(used, start);
			size_t hl = s.ends[c->nframes - 1] - c->frames[c->nframes - 1].len - start;
			ws_parser_release(&p);
			rec_free(&r);
			ws_parser_init(&p, c->max_frame, c->max_message, true);
			rc = feed_copy(&p, s.d, start + hl - 4, &used, &r);
			if (rc != c->rc)
				fail_msg("case \"%s\": header only gave %d", c->name, rc);
		} else {
			assert_int_equal(used, s.len);
		}
		assert_true(p.frag_cap <= c->max_message);
		ws_parser_release(&p);
		rec_free(&r);
		st_free(&s);
	}
}

/* ---- UTF-8 --------------------------------------------------------------- */

struct utf8_case {
	const char *name;
	const char *frags[4];   /* NULL-terminated; one entry: a single frame */
	int opcode;
	int rc;
};

static const struct utf8_case utf8_cases[] = {
	{"valid single", {"gr\xC3\xBC\xC3\x9F \xE2\x82\xAC \xF0\x9F\x98\x80", NULL}, WS_OP_TEXT, 0},
	{"overlong 2-byte", {"\xC0\xAF", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"overlong 3-byte", {"\xE0\x80\xAF", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"surrogate", {"\xED\xA0\x80", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"above U+10FFFF", {"\xF4\x90\x80\x80", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"lone continuation", {"ok\x80", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"truncated at end", {"ok\xE2\x82", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"FF byte", {"\xFF", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"binary is not checked", {"\xFF\xC0", NULL}, WS_OP_BINARY, 0},
	{"3-byte split 1|2", {"a\xE2", "\x82\xAC", NULL}, WS_OP_TEXT, 0},
	{"3-byte split 2|1", {"a\xE2\x82", "\xAC" "b", NULL}, WS_OP_TEXT, 0},
	{"4-byte over 3 fragments", {"\xF0", "\x9F\x98", "\x80", NULL}, WS_OP_TEXT, 0},
	{"split then invalid", {"\xE2", "\x28\xA1", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"split surrogate", {"\xED", "\xA0\x80", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"truncated at FIN", {"a", "\xE2\x82", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"truncated then empty FIN", {"\xE2\x82", "", NULL}, WS_OP_TEXT, WS_CLOSE_INVALID_DATA},
	{"empty fragments", {"", "", "", NULL}, WS_OP_TEXT, 0},
	{"fragmented binary not checked", {"\xE2", "\x28", NULL}, WS_OP_BINARY, 0},
};

static void test_utf8(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		struct stream s = {0};
		size_t nf = 0, total = 0;
		while (c->frags[nf])
			nf++;
		char joined[64] = "";
		for (size_t f = 0; f < nf; f++) {
			st_str(&s, f ? WS_OP_CONT : c->opcode, f + 1 == nf, c->frags[f]);
			memcpy(joined + total, c->frags[f], strlen(c->frags[f]));
			total += strlen(c->frags[f]);
		}
		struct ws_parser p;
		struct rec r = {0};
		size_t used;
		ws_parser_init(&p, BIG, BIG, true);
		int rc = feed_copy(&p, s.d, s.len, &used, &r);
		if (rc != c->rc)
			fail_msg("case \"%s\": rc %d, want %d", c->name, rc, c->rc);
		if (!rc) {
			assert_int_equal(r.n, 1);
			assert_msg(&r, 0, c->opcode, joined, total);
		} else {
			assert_int_equal(r.n, 0);
		}
		ws_parser_release(&p);
		rec_free(&r);
		st_free(&s);
	}
}

/* Invalid UTF-8 in a first fragment is refused at once, before FIN. */
static void test_utf8_fail_fast(void **state)
{
	(void)state;
	struct stream s = {0};
	st_str(&s, WS_OP_TEXT, false, "ok\xC0\x80");
	struct ws_parser p;
	struct rec r = {0};
	size_t used;
	ws_parser_init(&p, BIG, BIG, true);
	assert_int_equal(feed_copy(&p, s.d, s.len, &used, &r), WS_CLOSE_INVALID_DATA);
	assert_int_equal(used, 0);
	ws_parser_release(&p);
	st_free(&s);
}

/* ---- protocol errors ----------------------------------------------------- */

struct proto_case {
	const char *name;
	uint8_t bytes[16];
	size_t len;
	size_t min_len;    /* the error is already reported with this many bytes */
	size_t consumed;   /* frames accepted before the bad one */
	int rc;
};

#define M4 0x37, 0xFA, 0x21, 0x3D

static const struct proto_case proto_cases[] = {
	{"unmasked text", {0x81, 0x00}, 2, 2, 0, WS_CLOSE_PROTOCOL},
	{"unmasked close", {0x88, 0x00}, 2, 2, 0, WS_CLOSE_PROTOCOL},
	{"RSV1", {0xC1, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"RSV2", {0xA1, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"RSV3", {0x91, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"RSV on control", {0xC9, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 3", {0x83, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 4", {0x84, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 5", {0x85, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 6", {0x86, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 7", {0x87, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode B", {0x8B, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode C", {0x8C, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode D", {0x8D, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode E", {0x8E, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode F", {0x8F, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"opcode 3 without FIN", {0x03, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"ping without FIN", {0x09, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"close without FIN", {0x08, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"ping 126 (16-bit length)", {0x89, 0xFE, 0x00, 0x7E, M4}, 8, 2, 0, WS_CLOSE_PROTOCOL},
	{"pong 64-bit length", {0x8A, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, M4}, 14, 2, 0,
	 WS_CLOSE_PROTOCOL},
	{"close 126", {0x88, 0xFE, 0x00, 0x7E, M4}, 8, 2, 0, WS_CLOSE_PROTOCOL},
	{"continuation without start", {0x80, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"non-final continuation without start", {0x00, 0x80, M4}, 6, 2, 0, WS_CLOSE_PROTOCOL},
	{"text while fragment open", {0x01, 0x80, M4, 0x81, 0x80, M4}, 12, 8, 6,
	 WS_CLOSE_PROTOCOL},
	{"binary while text open", {0x01, 0x80, M4, 0x02, 0x80, M4}, 12, 8, 6, WS_CLOSE_PROTOCOL},
	{"continuation after message ended", {0x01, 0x80, M4, 0x80, 0x80, M4, 0x80, 0x80}, 14, 14,
	 12, WS_CLOSE_PROTOCOL},
	{"64-bit length with top bit", {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, M4}, 14, 10, 0,
	 WS_CLOSE_PROTOCOL},
	{"64-bit length all ones", {0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
	 10, 10, 0, WS_CLOSE_PROTOCOL},
	{"close with 1-byte payload", {0x88, 0x81, M4, 0x03 ^ 0x37}, 7, 7, 0, WS_CLOSE_PROTOCOL},
};

static void test_protocol_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(proto_cases) / sizeof(proto_cases[0]); i++) {
		const struct proto_case *c = &proto_cases[i];
		struct ws_parser p;
		struct rec r = {0};
		size_t used;
		ws_parser_init(&p, BIG, BIG, true);
		int rc = feed_copy(&p, c->bytes, c->len, &used, &r);
		if (rc != c->rc || used != c->consumed)
			fail_msg("case \"%s\": rc %d used %zu, want %d used %zu", c->name, rc, used,
				 c->rc, c->consumed);
		ws_parser_release(&p);
		/* Detected as soon as the deciding bytes are there, not before. */
		ws_parser_init(&p, BIG, BIG, true);
		rc = feed_copy(&p, c->bytes, c->min_len, &used, &r);
		if (rc != c->rc)
			fail_msg("case \"%s\": %zu bytes gave %d", c->name, c->min_len, rc);
		ws_parser_release(&p);
		ws_parser_init(&p, BIG, BIG, true);
		rc = feed_copy(&p, c->bytes, c->min_len - 1, &used, &r);
		if (rc != 0)
			fail_msg("case \"%s\": %zu bytes already gave %d", c->name, c->min_len - 1, rc);
		ws_parser_release(&p);
		rec_free(&r);
	}
}

/* ---- close frames -------------------------------------------------------- */

static void test_close_codes(void **state)
{
	(void)state;
	static const unsigned valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
					 1010, 1011, 3000, 3999, 4000, 4999};
	static const unsigned invalid[] = {0,    999,  1004, 1005, 1006, 1012, 1013, 1014,
					   1015, 1016, 1100, 2000, 2999, 5000, 65535};
	for (size_t k = 0; k < 2; k++) {
		const unsigned *codes = k ? invalid : valid;
		size_t n = k ? sizeof(invalid) / sizeof(invalid[0]) : sizeof(valid) / sizeof(valid[0]);
		for (size_t i = 0; i < n; i++) {
			uint8_t payload[5] = {(uint8_t)(codes[i] >> 8), (uint8_t)codes[i], 'b', 'y', 'e'};
			struct stream s = {0};
			st_frame(&s, WS_OP_CLOSE, true, payload, sizeof(payload));
			struct ws_parser p;
			struct rec r = {0};
			size_t used;
			ws_parser_init(&p, BIG, BIG, true);
			int rc = feed_copy(&p, s.d, s.len, &used, &r);
			if (rc != (k ? WS_CLOSE_PROTOCOL : 0))
				fail_msg("close code %u: rc %d", codes[i], rc);
			if (!k)
				assert_msg(&r, 0, WS_OP_CLOSE, payload, sizeof(payload));
			ws_parser_release(&p);
			rec_free(&r);
			st_free(&s);
		}
	}
}

static void test_close_payloads(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *payload;
		size_t len;
		int rc;
	} cases[] = {
		{"empty", "", 0, 0},
		{"code only", "\x03\xE8", 2, 0},
		{"utf-8 reason", "\x03\xE9\xD0\xBF\xD0\xBE\xD0\xBA\xD0\xB0", 10, 0},
		{"bad utf-8 reason", "\x03\xE8\xFF", 3, WS_CLOSE_INVALID_DATA},
		{"truncated utf-8 reason", "\x03\xE8\xD0", 3, WS_CLOSE_INVALID_DATA},
		{"surrogate in reason", "\x03\xE8\xED\xA0\x80", 5, WS_CLOSE_INVALID_DATA},
		{"one byte", "\x03", 1, WS_CLOSE_PROTOCOL},
		{"bad code beats bad reason", "\x03\xED\xFF", 3, WS_CLOSE_PROTOCOL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stream s = {0};
		st_frame(&s, WS_OP_CLOSE, true, cases[i].payload, cases[i].len);
		struct ws_parser p;
		struct rec r = {0};
		size_t used;
		ws_parser_init(&p, BIG, BIG, true);
		int rc = feed_copy(&p, s.d, s.len, &used, &r);
		if (rc != cases[i].rc)
			fail_msg("case \"%s\": rc %d, want %d", cases[i].name, rc, cases[i].rc);
		if (!rc)
			assert_msg(&r, 0, WS_OP_CLOSE, cases[i].payload, cases[i].len);
		ws_parser_release(&p);
		rec_free(&r);
		st_free(&s);
	}
}

/* ---- callback stop ------------------------------------------------------- */

static void test_callback_stop(void **state)
{
	(void)state;
	struct stream s = {0};
	st_str(&s, WS_OP_TEXT, true, "one");
	st_str(&s, WS_OP_BINARY, false, "tw");
	st_str(&s, WS_OP_CONT, true, "o");
	st_str(&s, WS_OP_PING, true, "three");

	struct ws_parser p;
	struct rec r = {.stop_at = 1};
	ws_parser_init(&p, BIG, BIG, true);
	uint8_t *buf = malloc(s.len);
	assert_non_null(buf);
	memcpy(buf, s.d, s.len);
	size_t used;
	assert_int_equal(ws_parser_feed(&p, buf, s.len, &used, rec_cb, &r), 0);
	assert_int_equal(used, s.ends[0]);
	assert_int_equal(r.n, 1);
	/* The frames after the stop are untouched (still masked). */
	assert_memory_equal(buf + used, s.d + used, s.len - used);

	/* Stop on the message assembled from fragments: buffer freed. */
	r.stop_at = 2;
	size_t off = used;
	assert_int_equal(ws_parser_feed(&p, buf + off, s.len - off, &used, rec_cb, &r), 0);
	assert_int_equal(off + used, s.ends[2]);
	assert_msg(&r, 1, WS_OP_BINARY, "two", 3);
	assert_null(p.frag);
	off += used;
	r.stop_at = 0;
	assert_int_equal(ws_parser_feed(&p, buf + off, s.len - off, &used, rec_cb, &r), 0);
	assert_int_equal(off + used, s.len);
	assert_msg(&r, 2, WS_OP_PING, "three", 5);
	free(buf);
	ws_parser_release(&p);
	rec_free(&r);
	st_free(&s);
}

/* ---- handshake ----------------------------------------------------------- */

static void test_accept_key(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		const char *accept;
	} good[] = {
		/* RFC 6455 §1.3 (and §4.2.2). */
		{"dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
		{"x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk="},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char out[29];
		memset(out, 'X', sizeof(out));
		assert_int_equal(ws_accept_key(good[i].key, strlen(good[i].key), out), 0);
		assert_string_equal(out, good[i].accept);
	}

	static const char *const bad[] = {
		"",
		"dGhlIHNhbXBsZSBub25jZQ=",     /* 23 chars */
		"dGhlIHNhbXBsZSBub25jZQ===",   /* 25 chars */
		"dGhlIHNhbXBsZSBub25jZQ== ",   /* trailing space */
		" GhlIHNhbXBsZSBub25jZQ==",    /* space inside */
		"dGhlIHNhbXBsZSBub25jZQ!!",    /* not base64 */
		"dGhlIHNhbXBsZSBub25jZQ-_",    /* URL-safe alphabet */
		"AAAAAAAAAAAAAAAAAAAAAAAA",    /* 18 bytes */
		"AAAAAAAAAAAAAAAAAAAAAAA=",    /* 17 bytes */
		"AAAAAAAAAAAAAAAAAAAAA===",    /* bad padding */
		"dGhlIHNhbXBsZSBub25jZR==",    /* non-zero trailing bits */
		"dGhlIHNhbXBsZSBub25jZQ=A",    /* data after padding */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[29];
		memset(out, 'X', sizeof(out));
		if (ws_accept_key(bad[i], strlen(bad[i]), out) != -1)
			fail_msg("key \"%s\" accepted", bad[i]);
		assert_int_equal(out[0], '\0');
	}
	/* Length is taken from key_len, not from a terminator. */
	char out[29];
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==xyz", 24, out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 22, out), -1);
	assert_int_equal(ws_accept_key(NULL, 24, out), -1);
}

/* ---- header encoding, masking, close payloads ---------------------------- */

static void test_header_encoding(void **state)
{
	(void)state;
	static const struct {
		int opcode;
		bool fin;
		uint64_t len;
		uint8_t bytes[10];
		size_t n;
	} cases[] = {
		{WS_OP_TEXT, true, 0, {0x81, 0x00}, 2},
		{WS_OP_BINARY, true, 125, {0x82, 0x7D}, 2},
		{WS_OP_BINARY, true, 126, {0x82, 0x7E, 0x00, 0x7E}, 4},
		{WS_OP_TEXT, false, 65535, {0x01, 0x7E, 0xFF, 0xFF}, 4},
		{WS_OP_CONT, true, 65536, {0x80, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}, 10},
		{WS_OP_CONT, false, UINT64_C(0x100000000), {0x00, 0x7F, 0, 0, 0, 1, 0, 0, 0, 0}, 10},
		{WS_OP_BINARY, true, UINT64_C(0x7FFFFFFFFFFFFFFF),
		 {0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 10},
		{WS_OP_CLOSE, true, 2, {0x88, 0x02}, 2},
		{WS_OP_PING, true, 0, {0x89, 0x00}, 2},
		{WS_OP_PONG, true, 125, {0x8A, 0x7D}, 2},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t h[WS_MAX_HEADER];
		size_t n = ws_frame_header(h, cases[i].opcode, cases[i].fin, cases[i].len);
		assert_int_equal(n, cases[i].n);
		assert_memory_equal(h, cases[i].bytes, n);
		n = ws_frame_header_masked(h, cases[i].opcode, cases[i].fin, cases[i].len, test_mask);
		assert_int_equal(n, cases[i].n + 4);
		assert_int_equal(h[0], cases[i].bytes[0]);
		assert_int_equal(h[1], cases[i].bytes[1] | 0x80);
		assert_memory_equal(h + 2, cases[i].bytes + 2, cases[i].n - 2);
		assert_memory_equal(h + cases[i].n, test_mask, 4);
	}
}

/* Encode a header, decode it with the parser: unmasked (server frames, read
 * by a parser that does not require masks) and masked. Lengths too large to
 * send are checked through the limit they hit. */
static void test_header_round_trip(void **state)
{
	(void)state;
	static const uint64_t lens[] = {0, 1, 125, 126, 127, 65535, 65536, 65537};
	uint8_t *payload = malloc(65537);
	assert_non_null(payload);
	fill_payload(payload, 65537, WS_OP_BINARY);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (int masked = 0; masked < 2; masked++) {
			size_t n = (size_t)lens[i];
			uint8_t *frame = malloc(WS_MAX_HEADER + n);
			assert_non_null(frame);
			size_t hl = masked ? ws_frame_header_masked(frame, WS_OP_BINARY, true, n, test_mask)
					   : ws_frame_header(frame, WS_OP_BINARY, true, n);
			memcpy(frame + hl, payload, n);
			if (masked)
				ws_mask(frame + hl, n, test_mask, 0);
			struct ws_parser p;
			struct rec r = {0};
			size_t used;
			ws_parser_init(&p, BIG, BIG, masked);
			assert_int_equal(feed_copy(&p, frame, hl + n, &used, &r), 0);
			assert_int_equal(used, hl + n);
			assert_int_equal(r.n, 1);
			assert_msg(&r, 0, WS_OP_BINARY, payload, n);
			ws_parser_release(&p);
			rec_free(&r);
			free(frame);
		}
	}
	free(payload);

	static const uint64_t huge[] = {UINT64_C(0xFFFFFFFF) + 1, UINT64_C(0x7FFFFFFFFFFFFFFF)};
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		uint8_t h[WS_MAX_HEADER];
		size_t hl = ws_frame_header_masked(h, WS_OP_BINARY, true, huge[i], test_mask);
		struct ws_parser p;
		struct rec r = {0};
		size_t used;
		ws_parser_init(&p, UINT32_MAX, UINT32_MAX, true);
		assert_int_equal(feed_copy(&p, h, hl, &used, &r), WS_CLOSE_TOO_BIG);
		ws_parser_release(&p);
	}
}

static void test_masking(void **state)
{
	(void)state;
	uint8_t orig[37], whole[37], piece[37];
	for (size_t i = 0; i < sizeof(orig); i++)
		orig[i] = (uint8_t)(i * 31 + 1);
	memcpy(whole, orig, sizeof(orig));
	ws_mask(whole, sizeof(whole), test_mask, 0);
	for (size_t i = 0; i < sizeof(orig); i++)
		assert_int_equal(whole[i], orig[i] ^ test_mask[i % 4]);
	/* Masking in two pieces with the right offset gives the same bytes. */
	for (size_t cut = 0; cut <= sizeof(orig); cut++) {
		memcpy(piece, orig, sizeof(orig));
		ws_mask(piece, cut, test_mask, 0);
		ws_mask(piece + cut, sizeof(piece) - cut, test_mask, cut);
		assert_memory_equal(piece, whole, sizeof(whole));
	}
	/* Masking twice is the identity; an empty range touches nothing. */
	ws_mask(whole, sizeof(whole), test_mask, 0);
	assert_memory_equal(whole, orig, sizeof(orig));
	ws_mask(NULL, 0, test_mask, 3);
}

/* Feed a close payload built by ws_close_payload to a parser: it must pass
 * the same checks a received close does. */
static int close_round_trip(const uint8_t *payload, size_t n)
{
	struct stream s = {0};
	st_frame(&s, WS_OP_CLOSE, true, payload, n);
	struct ws_parser p;
	struct rec r = {0};
	size_t used;
	ws_parser_init(&p, BIG, BIG, true);
	int rc = feed_copy(&p, s.d, s.len, &used, &r);
	ws_parser_release(&p);
	rec_free(&r);
	st_free(&s);
	return rc;
}

static void test_close_payload_build(void **state)
{
	(void)state;
	char reason[200];
	uint8_t out[125];
	size_t n;

	n = ws_close_payload(out, WS_CLOSE_NORMAL, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0x03);
	assert_int_equal(out[1], 0xE8);
	n = ws_close_payload(out, WS_CLOSE_TOO_BIG, "message too big");
	assert_int_equal(n, 17);
	assert_memory_equal(out, "\x03\xF1message too big", 17);
	assert_int_equal(close_round_trip(out, n), 0);

	/* 200 ASCII bytes: cut to 123. */
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	n = ws_close_payload(out, WS_CLOSE_POLICY, reason);
	assert_int_equal(n, 125);
	assert_int_equal(close_round_trip(out, n), 0);

	/* A two-byte character straddling the limit is dropped whole. */
	static const struct {
		size_t ascii;
		const char *tail;
		size_t want;
	} cuts[] = {
		{122, "\xC3\xA9", 2 + 122},               /* 124 bytes: é dropped */
		{121, "\xC3\xA9", 2 + 123},               /* 123 bytes: fits */
		{121, "\xE2\x82\xAC", 2 + 121},           /* € would end at 124 */
		{120, "\xE2\x82\xAC", 2 + 123},           /* € ends exactly at 123 */
		{120, "\xF0\x9F\x98\x80", 2 + 120},       /* 4 bytes over the edge */
		{119, "\xF0\x9F\x98\x80", 2 + 123},
	};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		memset(reason, 'r', cuts[i].ascii);
		size_t tl = strlen(cuts[i].tail);
		assert_true(cuts[i].ascii + tl < sizeof(reason));
		memcpy(reason + cuts[i].ascii, cuts[i].tail, tl + 1);
		n = ws_close_payload(out, WS_CLOSE_NORMAL, reason);
		if (n != cuts[i].want)
			fail_msg("cut case %zu: %zu bytes, want %zu", i, n, cuts[i].want);
		assert_memory_equal(out + 2, reason, n - 2);
		assert_true(utf8_valid(out + 2, n - 2));
		assert_int_equal(close_round_trip(out, n), 0);
	}

	/* Only two-byte characters: 123 is odd, so the last one is dropped. */
	for (size_t i = 0; i < 70; i++)
		memcpy(reason + 2 * i, "\xD0\xBF", 2);
	reason[140] = '\0';
	n = ws_close_payload(out, WS_CLOSE_NORMAL, reason);
	assert_int_equal(n, 2 + 122);
	assert_int_equal(close_round_trip(out, n), 0);

	/* Codes that must never be sent give an empty payload. */
	static const int never[] = {0, 999, 1004, WS_CLOSE_NO_STATUS, 1006, 1015, 5000, -1};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		assert_int_equal(ws_close_payload(out, never[i], "x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_frames),
		cmocka_unit_test(test_rfc_examples),
		cmocka_unit_test(test_fragmented_with_control),
		cmocka_unit_test(test_reassembly_buffer_bounds),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_fail_fast),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_close_codes),
		cmocka_unit_test(test_close_payloads),
		cmocka_unit_test(test_callback_stop),
		cmocka_unit_test(test_accept_key),
		cmocka_unit_test(test_header_encoding),
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_close_payload_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
