/* SPDX-License-Identifier: MIT */
/* RFC 6455 framing, server side, with no I/O (contract in ws.h).
 * ws_parser_feed walks the caller's buffer one frame at a time. A header is
 * checked as soon as the bytes each rule needs are present, so a bad or
 * oversize frame is refused before its payload is waited for; a frame is
 * acted on only once it is complete, and only then is it unmasked. Between
 * calls the parser keeps nothing but the open fragmented message (opcode,
 * UTF-8 state, reassembly buffer), so a header split across reads is simply
 * decoded again on the next call. Unfragmented messages are delivered in
 * place; the heap is touched only for fragmented ones, and freed as soon as
 * the message is delivered. */
#include "net/ws.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/alloc.h"
#include "base/sha1.h"
#include "base/utf8.h"

#define WS__MORE (-1)             /* the header is not complete yet */
#define WS__CONTROL_MAX 125       /* RFC 6455 §5.5 */
#define WS__CLOSE_REASON_MAX 123  /* 125 minus the 2-byte code */
#define WS__FRAG_MIN_CAP 256
#define WS__KEY_LEN 24            /* base64 of 16 bytes */
#define WS__KEY_RAW_LEN 16
#define WS__GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* A decoded frame header. */
struct ws__frame {
	bool fin;
	bool masked;
	uint8_t opcode;
	uint8_t mask[4];
	size_t header_len;
	uint64_t payload_len;
};

static bool ws__is_control(int opcode)
{
	return (opcode & 0x8) != 0;
}

static bool ws__known_opcode(int opcode)
{
	switch (opcode) {
	case WS_OP_CONT:
	case WS_OP_TEXT:
	case WS_OP_BINARY:
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		return true;
	default:
		return false;
	}
}

/* Rules decided by the first two header bytes: reserved bits (no extension is
 * ever negotiated), opcode, control-frame shape, fragmentation order, mask. */
static int ws__check_start(const struct ws_parser *p, uint8_t b0, uint8_t b1)
{
	int opcode = b0 & 0x0F;
	if (b0 & 0x70)
		return WS_CLOSE_PROTOCOL;
	if (!ws__known_opcode(opcode))
		return WS_CLOSE_PROTOCOL;
	if (ws__is_control(opcode)) {
		if (!(b0 & 0x80) || (b1 & 0x7F) > WS__CONTROL_MAX)
			return WS_CLOSE_PROTOCOL;
	} else if (opcode == WS_OP_CONT) {
		if (!p->frag_opcode)
			return WS_CLOSE_PROTOCOL;
	} else if (p->frag_opcode) {
		return WS_CLOSE_PROTOCOL;
	}
	if (p->require_mask && !(b1 & 0x80))
		return WS_CLOSE_PROTOCOL;
	return 0;
}

/* Size limits, decided once the payload length is known. Control frames are
 * not part of a message; they are bounded by 125 and by max_frame. */
static int ws__check_size(const struct ws_parser *p, int opcode, uint64_t payload_len)
{
	if (payload_len > p->max_frame)
		return WS_CLOSE_TOO_BIG;
	if (ws__is_control(opcode))
		return 0;
	uint64_t total = payload_len;
	if (opcode == WS_OP_CONT)
		total += p->frag_len;
	if (total > p->max_message)
		return WS_CLOSE_TOO_BIG;
	return 0;
}

/* Decode and check the header at d[0..len). Returns 0 with f filled,
 * WS__MORE if more bytes are needed to decide, or a close code. Reads no
 * byte at or past len. */
static int ws__parse_header(const struct ws_parser *p, const uint8_t *d, size_t len,
			    struct ws__frame *f)
{
	if (len < 2)
		return WS__MORE;
	int rc = ws__check_start(p, d[0], d[1]);
	if (rc)
		return rc;

	uint8_t len7 = d[1] & 0x7F;
	size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
	if (len < 2 + ext)
		return WS__MORE;
	uint64_t payload_len = len7;
	if (ext) {
		payload_len = 0;
		for (size_t i = 0; i < ext; i++)
			payload_len = (payload_len << 8) | d[2 + i];
	}
	if (payload_len >> 63)
		return WS_CLOSE_PROTOCOL;
	rc = ws__check_size(p, d[0] & 0x0F, payload_len);
	if (rc)
		return rc;

	f->fin = (d[0] & 0x80) != 0;
	f->opcode = d[0] & 0x0F;
	f->masked = (d[1] & 0x80) != 0;
	f->header_len = 2 + ext + (f->masked ? 4 : 0);
	f->payload_len = payload_len;
	if (len < f->header_len)
		return WS__MORE;
	if (f->masked)
		memcpy(f->mask, d + 2 + ext, 4);
	return 0;
}

/* Close codes an endpoint may receive (RFC 6455 §7.4, IANA registry):
 * 1004-1006 and 1015 are reserved or local-only, 1012-2999 unassigned or
 * reserved for extensions, 3000-4999 for libraries and applications. */
static bool ws__close_code_ok(unsigned code)
{
	if (code >= 1000 && code <= 1003)
		return true;
	if (code >= 1007 && code <= 1011)
		return true;
	return code >= 3000 && code <= 4999;
}

static int ws__check_close(const uint8_t *d, size_t n)
{
	if (n == 0)
		return 0;
	if (n == 1)
		return WS_CLOSE_PROTOCOL;
	if (!ws__close_code_ok(((unsigned)d[0] << 8) | d[1]))
		return WS_CLOSE_PROTOCOL;
	if (!utf8_valid(d + 2, n - 2))
		return WS_CLOSE_INVALID_DATA;
	return 0;
}

static void ws__frag_reset(struct ws_parser *p)
{
	free(p->frag);
	p->frag = NULL;
	p->frag_len = 0;
	p->frag_cap = 0;
	p->frag_opcode = 0;
	p->utf8_state = UTF8_ACCEPT;
}

/* Append to the reassembly buffer. ws__check_size has already made sure that
 * frag_len + n <= max_message, so growth is bounded by max_message. */
static void ws__frag_append(struct ws_parser *p, const uint8_t *d, size_t n)
{
	if (n == 0)
		return;
	uint64_t need = (uint64_t)p->frag_len + n;
	if (need > p->frag_cap) {
		uint64_t cap = p->frag_cap ? (uint64_t)p->frag_cap * 2 : WS__FRAG_MIN_CAP;
		while (cap < need)
			cap *= 2;
		if (cap > p->max_message)
			cap = p->max_message;
		p->frag = xrealloc(p->frag, (size_t)cap);
		p->frag_cap = (uint32_t)cap;
	}
	memcpy(p->frag + p->frag_len, d, n);
	p->frag_len = (uint32_t)need;
}

/* Hand a message to the callback; true if it asked to stop. */
static bool ws__deliver(ws_message_cb cb, void *ud, int opcode, const uint8_t *d, size_t n)
{
	static const uint8_t empty[1];
	if (!cb)
		return false;
	return cb(ud, opcode, d ? d : empty, n) != 0;
}

/* A complete TEXT, BINARY or CONT frame with its payload unmasked. */
static int ws__data_frame(struct ws_parser *p, const struct ws__frame *f, const uint8_t *d,
			  size_t n, ws_message_cb cb, void *ud, bool *stop)
{
	if (f->opcode != WS_OP_CONT && f->fin) {
		if (f->opcode == WS_OP_TEXT && !utf8_valid(d, n))
			return WS_CLOSE_INVALID_DATA;
		*stop = ws__deliver(cb, ud, f->opcode, d, n);
		return 0;
	}
	if (f->opcode != WS_OP_CONT) {
		p->frag_opcode = f->opcode;
		p->utf8_state = UTF8_ACCEPT;
		p->frag_len = 0;
	}
	if (p->frag_opcode == WS_OP_TEXT) {
		p->utf8_state = utf8_validate_step(p->utf8_state, d, n);
		if (p->utf8_state == UTF8_REJECT)
			return WS_CLOSE_INVALID_DATA;
		if (f->fin && p->utf8_state != UTF8_ACCEPT)
			return WS_CLOSE_INVALID_DATA;
	}
	ws__frag_append(p, d, n);
	if (!f->fin)
		return 0;
	*stop = ws__deliver(cb, ud, p->frag_opcode, p->frag, p->frag_len);
	ws__frag_reset(p);
	return 0;
}

void ws_parser_init(struct ws_parser *p, uint32_t max_frame, uint32_t max_message,
		    bool require_mask)
{
	p->max_frame = max_frame;
	p->max_message = max_message;
	p->require_mask = require_mask;
	p->frag = NULL;
	ws__frag_reset(p);
}

void ws_parser_release(struct ws_parser *p)
{
	ws__frag_reset(p);
}

/* Beyond ws.h: on a violation the offending frame's payload may already have
 * been unmasked in place. */
int ws_parser_feed(struct ws_parser *p, uint8_t *data, size_t len, size_t *consumed,
		   ws_message_cb cb, void *ud)
{
	int rc = 0;
	size_t pos = 0;
	while (pos < len) {
		struct ws__frame f;
		rc = ws__parse_header(p, data + pos, len - pos, &f);
		if (rc == WS__MORE) {
			rc = 0;
			break;
		}
		if (rc)
			goto out;
		if (len - pos - f.header_len < f.payload_len)
			break;
		uint8_t *payload = data + pos + f.header_len;
		/* payload_len <= max_frame (a uint32_t), so the cast is exact. */
		size_t n = (size_t)f.payload_len;
		if (f.masked)
			ws_mask(payload, n, f.mask, 0);
		bool stop = false;
		if (ws__is_control(f.opcode)) {
			if (f.opcode == WS_OP_CLOSE)
				rc = ws__check_close(payload, n);
			if (rc)
				goto out;
			stop = ws__deliver(cb, ud, f.opcode, payload, n);
		} else {
			rc = ws__data_frame(p, &f, payload, n, cb, ud, &stop);
			if (rc)
				goto out;
		}
		pos += f.header_len + n;
		if (stop)
			break;
	}
out:
	*consumed = pos;
	return rc;
}

static size_t ws__put_header(uint8_t out[WS_MAX_HEADER], int opcode, bool fin, uint64_t len,
			     uint8_t mask_bit)
{
	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0F));
	if (len < 126) {
		out[1] = (uint8_t)(mask_bit | len);
		return 2;
	}
	if (len <= 0xFFFF) {
		out[1] = mask_bit | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = mask_bit | 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

size_t ws_frame_header(uint8_t out[WS_MAX_HEADER], int opcode, bool fin, uint64_t len)
{
	return ws__put_header(out, opcode, fin, len, 0);
}

size_t ws_frame_header_masked(uint8_t out[WS_MAX_HEADER], int opcode, bool fin, uint64_t len,
			      const uint8_t mask[4])
{
	size_t n = ws__put_header(out, opcode, fin, len, 0x80);
	memcpy(out + n, mask, 4);
	return n + 4;
}

void ws_mask(uint8_t *data, size_t len, const uint8_t mask[4], size_t offset)
{
	/* The key rotated to offset and repeated twice, to XOR 8 bytes at a time. */
	uint8_t key[8];
	for (size_t j = 0; j < 8; j++)
		key[j] = mask[(offset + j) & 3];
	uint64_t k;
	memcpy(&k, key, sizeof(k));
	size_t i = 0;
	for (; len - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, data + i, sizeof(w));
		w ^= k;
		memcpy(data + i, &w, sizeof(w));
	}
	for (; i < len; i++)
		data[i] ^= key[i & 7];
}

size_t ws_close_payload(uint8_t out[125], int code, const char *reason)
{
	if (code < 1000 || code > 4999 || code == 1004 || code == WS_CLOSE_NO_STATUS ||
	    code == 1006 || code == 1015)
		return 0;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	size_t n = reason ? strnlen(reason, WS__CLOSE_REASON_MAX + 1) : 0;
	if (n > WS__CLOSE_REASON_MAX) {
		/* Cut before the character that straddles the limit. */
		n = WS__CLOSE_REASON_MAX;
		while (n > 0 && ((uint8_t)reason[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(out + 2, reason, n);
	return 2 + n;
}

int ws_accept_key(const char *key, size_t key_len, char out[29])
{
	int rc = -1;
	uint8_t raw[WS__KEY_RAW_LEN];
	uint8_t input[WS__KEY_LEN + sizeof(WS__GUID) - 1];
	uint8_t digest[SHA1_DIGEST_LEN];
	size_t raw_len = 0;

	out[0] = '\0';
	if (!key || key_len != WS__KEY_LEN)
		goto out;
	/* No ignored characters and no b64_end: any non-base64 byte, missing
	 * padding or a length other than 16 fails. */
	if (sodium_base642bin(raw, sizeof(raw), key, key_len, NULL, &raw_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		goto out;
	if (raw_len != WS__KEY_RAW_LEN)
		goto out;
	memcpy(input, key, WS__KEY_LEN);
	memcpy(input + WS__KEY_LEN, WS__GUID, sizeof(WS__GUID) - 1);
	sha1(input, sizeof(input), digest);
	sodium_bin2base64(out, 29, digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);
	rc = 0;
out:
	return rc;
}
