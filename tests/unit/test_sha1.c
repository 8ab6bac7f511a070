/* SPDX-License-Identifier: MIT */
/* Unit tests for base/sha1: FIPS 180-1 / RFC 3174 test vectors, messages
 * whose lengths sit on the padding boundaries (55, 56, 63, 64 ... bytes), the
 * same inputs fed incrementally split at every position, and the RFC 2202
 * HMAC-SHA1 vectors including keys longer than a block. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha1.h"

static void to_hex(const uint8_t d[SHA1_DIGEST_LEN], char hex[2 * SHA1_DIGEST_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < SHA1_DIGEST_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA1_DIGEST_LEN] = '\0';
}

/* A message is `repeat` copies of `unit`. */
struct sha1_case {
	const char *unit;
	size_t repeat;
	const char *hex;
};

static const struct sha1_case sha1_cases[] = {
	/* FIPS 180-1 appendix A, B, C / RFC 3174 TEST1..TEST4. */
	{"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
	{"0123456701234567012345670123456701234567012345670123456701234567", 10,
	 "dea356a2cddd90c7a7ecedc5ebb563934f460452"},
	{"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	/* Padding edges: the length field fits in the last block or not. */
	{"a", 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
	{"a", 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
	{"a", 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
	{"a", 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
	{"a", 65, "11655326c708d70319be2610e8a57d9a5b959d3b"},
	{"a", 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"},
	{"a", 120, "f34c1488385346a55709ba056ddd08280dd4c6d6"},
	{"a", 128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
};

static uint8_t *build_message(const struct sha1_case *c, size_t *len)
{
	size_t unit = strlen(c->unit);
	*len = unit * c->repeat;
	uint8_t *m = malloc(*len ? *len : 1);
	assert_non_null(m);
	for (size_t i = 0; i < c->repeat; i++)
		memcpy(m + i * unit, c->unit, unit);
	return m;
}

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sha1_cases) / sizeof(sha1_cases[0]); i++) {
		size_t len;
		uint8_t *m = build_message(&sha1_cases[i], &len);
		uint8_t d[SHA1_DIGEST_LEN];
		char hex[2 * SHA1_DIGEST_LEN + 1];
		sha1(m, len, d);
		to_hex(d, hex);
		if (strcmp(hex, sha1_cases[i].hex) != 0)
			fail_msg("case %zu (%zu bytes): got %s want %s", i, len, hex,
				 sha1_cases[i].hex);
		free(m);
	}
}

/* Feeding in two pieces at every split point, and in 1/3/64/65-byte chunks,
 * must give the one-shot vector. */
static void test_incremental(void **state)
{
	(void)state;
	static const size_t chunks[] = {1, 3, 64, 65};
	for (size_t i = 0; i < sizeof(sha1_cases) / sizeof(sha1_cases[0]); i++) {
		size_t len;
		uint8_t *m = build_message(&sha1_cases[i], &len);
		uint8_t d[SHA1_DIGEST_LEN];
		char hex[2 * SHA1_DIGEST_LEN + 1];
		struct sha1_ctx c;
		for (size_t cut = 0; len <= 640 && cut <= len; cut++) {
			sha1_init(&c);
			sha1_update(&c, m, cut);
			sha1_update(&c, NULL, 0);
			sha1_update(&c, m + cut, len - cut);
			sha1_final(&c, d);
			to_hex(d, hex);
			if (strcmp(hex, sha1_cases[i].hex) != 0)
				fail_msg("case %zu split at %zu: got %s", i, cut, hex);
		}
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
			sha1_init(&c);
			for (size_t off = 0; off < len; off += chunks[k]) {
				size_t n = len - off < chunks[k] ? len - off : chunks[k];
				sha1_update(&c, m + off, n);
			}
			sha1_final(&c, d);
			to_hex(d, hex);
			if (strcmp(hex, sha1_cases[i].hex) != 0)
				fail_msg("case %zu in %zu-byte chunks: got %s", i, chunks[k], hex);
		}
		free(m);
	}
}

struct hmac_case {
	const uint8_t *key;
	size_t key_len;
	const uint8_t *msg;
	size_t msg_len;
	const char *hex;
};

static void test_hmac_rfc2202(void **state)
{
	(void)state;
	uint8_t k0b[20], kaa20[20], k25[25], k0c[20], kaa80[80], mdd[50], mcd[50];
	memset(k0b, 0x0b, sizeof(k0b));
	memset(kaa20, 0xaa, sizeof(kaa20));
	for (size_t i = 0; i < sizeof(k25); i++)
		k25[i] = (uint8_t)(i + 1);
	memset(k0c, 0x0c, sizeof(k0c));
	memset(kaa80, 0xaa, sizeof(kaa80));
	memset(mdd, 0xdd, sizeof(mdd));
	memset(mcd, 0xcd, sizeof(mcd));
#define STR(s) (const uint8_t *)(s), sizeof(s) - 1
	const struct hmac_case cases[] = {
		{k0b, sizeof(k0b), STR("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"},
		{STR("Jefe"), STR("what do ya want for nothing?"),
		 "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
		{kaa20, sizeof(kaa20), mdd, sizeof(mdd), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
		{k25, sizeof(k25), mcd, sizeof(mcd), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
		{k0c, sizeof(k0c), STR("Test With Truncation"),
		 "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
		{kaa80, sizeof(kaa80), STR("Test Using Larger Than Block-Size Key - Hash Key First"),
		 "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
		{kaa80, sizeof(kaa80),
		 STR("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
		 "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
		/* Not in RFC 2202 (computed with Python's hmac): empty key and
		 * message; keys of exactly one block and one byte more. */
		{NULL, 0, NULL, 0, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"},
		{STR("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"), STR("msg"),
		 "1b372955c5162b8ba20a1974833498d3f7ec728a"},
		{STR("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"), STR("msg"),
		 "b75a0671ed2de039c033e5440f4bf8564f37fefe"},
	};
#undef STR
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t d[SHA1_DIGEST_LEN];
		char hex[2 * SHA1_DIGEST_LEN + 1];
		hmac_sha1(cases[i].key, cases[i].key_len, cases[i].msg, cases[i].msg_len, d);
		to_hex(d, hex);
		if (strcmp(hex, cases[i].hex) != 0)
			fail_msg("HMAC case %zu: got %s want %s", i, hex, cases[i].hex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_hmac_rfc2202),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
