/* SPDX-License-Identifier: MIT */
/* SHA-1 compression function with the 16-word rolling message schedule, the
 * Merkle-Damgard padding around it, and HMAC on top. Written for clarity over
 * speed: the handshake hashes 60 bytes per connection and a Janus token a few
 * dozen, so this is never hot. */
#include "base/sha1.h"

#include <string.h>

#include <sodium.h>

static uint32_t sha1__rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t sha1__load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

static void sha1__store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Process one 64-byte block. w[] holds the last 16 schedule words; word t
 * (t >= 16) overwrites word t - 16, which is no longer needed. */
static void sha1__compress(uint32_t h[5], const uint8_t block[SHA1_BLOCK_LEN])
{
	uint32_t w[16];
	for (int t = 0; t < 16; t++)
		w[t] = sha1__load_be32(block + 4 * t);

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		if (t >= 16) {
			uint32_t x = w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^
				     w[t & 15];
			w[t & 15] = sha1__rol(x, 1);
		}
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		uint32_t tmp = sha1__rol(a, 5) + f + e + k + w[t & 15];
		e = d;
		d = c;
		c = sha1__rol(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xEFCDAB89;
	c->h[2] = 0x98BADCFE;
	c->h[3] = 0x10325476;
	c->h[4] = 0xC3D2E1F0;
	c->total = 0;
	c->used = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (n == 0)
		return;
	c->total += n;
	if (c->used) {
		size_t take = SHA1_BLOCK_LEN - c->used;
		if (take > n)
			take = n;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		n -= take;
		if (c->used < SHA1_BLOCK_LEN)
			return;
		sha1__compress(c->h, c->block);
		c->used = 0;
	}
	while (n >= SHA1_BLOCK_LEN) {
		sha1__compress(c->h, p);
		p += SHA1_BLOCK_LEN;
		n -= SHA1_BLOCK_LEN;
	}
	if (n) {
		memcpy(c->block, p, n);
		c->used = n;
	}
}

void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN])
{
	uint64_t bits = c->total * 8;
	/* Padding: 0x80, zeros up to 56 mod 64, then the bit length. */
	c->block[c->used++] = 0x80;
	if (c->used > SHA1_BLOCK_LEN - 8) {
		memset(c->block + c->used, 0, SHA1_BLOCK_LEN - c->used);
		sha1__compress(c->h, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, SHA1_BLOCK_LEN - 8 - c->used);
	sha1__store_be32(c->block + 56, (uint32_t)(bits >> 32));
	sha1__store_be32(c->block + 60, (uint32_t)bits);
	sha1__compress(c->h, c->block);
	for (int i = 0; i < 5; i++)
		sha1__store_be32(out + 4 * i, c->h[i]);
	sodium_memzero(c, sizeof(*c));
}

void sha1(const void *data, size_t n, uint8_t out[SHA1_DIGEST_LEN])
{
	struct sha1_ctx c;
	sha1_init(&c);
	sha1_update(&c, data, n);
	sha1_final(&c, out);
}

void hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
	       uint8_t out[SHA1_DIGEST_LEN])
{
	uint8_t k[SHA1_BLOCK_LEN];
	uint8_t pad[SHA1_BLOCK_LEN];
	uint8_t inner[SHA1_DIGEST_LEN];
	struct sha1_ctx c;

	memset(k, 0, sizeof(k));
	if (key_len > SHA1_BLOCK_LEN)
		sha1(key, key_len, k);
	else if (key_len)
		memcpy(k, key, key_len);

	for (size_t i = 0; i < SHA1_BLOCK_LEN; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, msg, msg_len);
	sha1_final(&c, inner);

	for (size_t i = 0; i < SHA1_BLOCK_LEN; i++)
		pad[i] = k[i] ^ 0x5C;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, inner, sizeof(inner));
	sha1_final(&c, out);

	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}
