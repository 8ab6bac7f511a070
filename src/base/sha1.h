/* SPDX-License-Identifier: MIT */
/* SHA-1 (FIPS 180-1) and HMAC-SHA1 (RFC 2104). Only for protocols that fix
 * SHA-1: the WebSocket handshake (Sec-WebSocket-Accept) and Janus's signed
 * tokens. SHA-1 is not collision resistant; never use it for new designs.
 * Pure functions over caller-owned state; any thread. */
#ifndef PARTA_BASE_SHA1_H
#define PARTA_BASE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20
#define SHA1_BLOCK_LEN 64

/* Incremental hashing state; fields are private to sha1.c. */
struct sha1_ctx {
	uint32_t h[5];
	uint64_t total;                  /* bytes hashed so far */
	uint8_t block[SHA1_BLOCK_LEN];   /* pending partial block */
	size_t used;                     /* bytes pending in block */
};

/* Start a new hash in c (no allocation; nothing to free). */
void sha1_init(struct sha1_ctx *c);
/* Hash n more bytes of data (NULL allowed when n is 0). */
void sha1_update(struct sha1_ctx *c, const void *data, size_t n);
/* Write the digest of everything passed to sha1_update and wipe c; c must be
 * passed to sha1_init again before reuse. */
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);
/* One-shot SHA-1 of data[0..n). */
void sha1(const void *data, size_t n, uint8_t out[SHA1_DIGEST_LEN]);

/* HMAC-SHA1 of msg under key (any length; keys over 64 bytes are hashed first,
 * per RFC 2104). Key-derived intermediate state is wiped before returning.
 * Compare MACs with sodium_memcmp, never memcmp. */
void hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
	       uint8_t out[SHA1_DIGEST_LEN]);

#endif
