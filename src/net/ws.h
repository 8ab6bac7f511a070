/* SPDX-License-Identifier: MIT */
/* RFC 6455 WebSocket framing, server side, with no I/O: the connection code
 * feeds received bytes and gets whole messages back; it asks this module for
 * frame headers when sending. Enforces masking of client frames, reserved bits,
 * opcodes, control-frame rules, fragmentation order, frame and message size
 * limits and UTF-8 validity of text messages and close reasons. A violation
 * yields the close code to send (1002, 1007 or 1009). No allocation unless a
 * message arrives in several fragments (then a buffer bounded by max_message).
 * One parser per connection; not thread-safe. */
#ifndef PARTA_NET_WS_H
#define PARTA_NET_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xA,
};

enum ws_close_code {
	WS_CLOSE_NORMAL = 1000,
	WS_CLOSE_GOING_AWAY = 1001,
	WS_CLOSE_PROTOCOL = 1002,
	WS_CLOSE_UNSUPPORTED = 1003,
	WS_CLOSE_NO_STATUS = 1005,   /* never sent on the wire */
	WS_CLOSE_INVALID_DATA = 1007,
	WS_CLOSE_POLICY = 1008,
	WS_CLOSE_TOO_BIG = 1009,
	WS_CLOSE_INTERNAL = 1011,
};

/* Largest frame header: 2 + 8 (length) + 4 (mask). */
#define WS_MAX_HEADER 14

struct ws_parser {
	uint32_t max_frame;     /* payload bytes of one frame */
	uint32_t max_message;   /* bytes of one reassembled message */
	bool require_mask;      /* true on the server: unmasked client frames are refused */
	uint8_t frag_opcode;    /* WS_OP_TEXT/BINARY while a fragmented message is open, else 0 */
	uint32_t utf8_state;    /* incremental validator state for the open text message */
	uint8_t *frag;          /* reassembly buffer (heap), NULL when none */
	uint32_t frag_len;
	uint32_t frag_cap;
};

/* Called for each complete message: opcode is TEXT, BINARY (reassembled,
 * unmasked payload), PING, PONG or CLOSE (raw close payload, already checked:
 * empty or 2-byte valid code + UTF-8 reason). data is borrowed for the call
 * only. Return 0 to continue, non-zero to stop parsing (ws_parser_feed then
 * returns 0 with *consumed up to and including that frame). */
typedef int (*ws_message_cb)(void *ud, int opcode, const uint8_t *data, size_t len);

void ws_parser_init(struct ws_parser *p, uint32_t max_frame, uint32_t max_message,
		    bool require_mask);
/* Frees the reassembly buffer; the struct may be reused after ws_parser_init. */
void ws_parser_release(struct ws_parser *p);

/* Consume as many complete frames from data[0..len) as are present, unmasking
 * payloads in place (data is modified). *consumed tells how many bytes were
 * used; the rest is an incomplete frame to be fed again with more bytes
 * appended. Returns 0, or a close code (enum ws_close_code) on a protocol
 * violation, after which the connection must send that close and stop; then
 * *consumed covers the frames before the offending one. Header violations and
 * oversize frames are reported as soon as the header bytes that show them
 * have arrived, before the payload. */
int ws_parser_feed(struct ws_parser *p, uint8_t *data, size_t len, size_t *consumed,
		   ws_message_cb cb, void *ud);

/* Write an unmasked (server) frame header for a payload of len bytes into out;
 * returns the header length (2, 4 or 10). */
size_t ws_frame_header(uint8_t out[WS_MAX_HEADER], int opcode, bool fin, uint64_t len);
/* Write a masked (client) frame header with the given mask key; returns its
 * length (6, 8 or 14). The caller masks the payload (ws_mask). Used by tests,
 * fuzzers and the load tool. */
size_t ws_frame_header_masked(uint8_t out[WS_MAX_HEADER], int opcode, bool fin, uint64_t len,
			      const uint8_t mask[4]);
/* XOR data with the mask key, starting at payload offset `offset`. */
void ws_mask(uint8_t *data, size_t len, const uint8_t mask[4], size_t offset);
/* Build a close payload (code + reason truncated to fit 125 bytes on a UTF-8
 * boundary) into out; returns its length. A code that must never be sent
 * (outside 1000..4999, or 1004, 1005, 1006, 1015) gives an empty payload (0). */
size_t ws_close_payload(uint8_t out[125], int code, const char *reason);

/* Compute Sec-WebSocket-Accept for a Sec-WebSocket-Key. Returns 0 and writes a
 * NUL-terminated 28-char value into out, or -1 if the key is not the base64
 * form of 16 bytes (24 chars). */
int ws_accept_key(const char *key, size_t key_len, char out[29]);

#endif
