/* SPDX-License-Identifier: MIT */
/* Unit tests for base/utf8: a table of valid and invalid sequences around
 * every boundary RFC 3629 draws, incremental validation split at every byte,
 * the sticky reject state, and an exhaustive cross-check of all one- to
 * three-byte inputs (and four-byte inputs for every F0..FF lead and second
 * byte, the last two bytes at the continuation edges) against a
 * straightforward decode-and-check reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"

struct utf8_case {
	const char *name;
	const char *bytes;
	size_t len;
	bool valid;
};

#define CASE(name, lit, ok) {name, lit, sizeof(lit) - 1, ok}

static const struct utf8_case utf8_cases[] = {
	CASE("empty", "", true),
	CASE("ascii", "hello, world", true),
	CASE("nul byte", "a\0b", true),
	CASE("U+007F", "\x7F", true),
	CASE("U+0080", "\xC2\x80", true),
	CASE("U+07FF", "\xDF\xBF", true),
	CASE("U+0800", "\xE0\xA0\x80", true),
	CASE("U+D7FF", "\xED\x9F\xBF", true),
	CASE("U+E000", "\xEE\x80\x80", true),
	CASE("U+FFFD", "\xEF\xBF\xBD", true),
	CASE("U+FFFF", "\xEF\xBF\xBF", true),
	CASE("U+10000", "\xF0\x90\x80\x80", true),
	CASE("U+10FFFF", "\xF4\x8F\xBF\xBF", true),
	CASE("russian", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", true),
	CASE("emoji after ascii run", "abcdefghijklmnop\xF0\x9F\x98\x80qrstuvwx", true),
	CASE("lone continuation", "\x80", false),
	CASE("continuation after ascii run", "abcdefghijklmnop\xBF", false),
	CASE("C0 overlong", "\xC0\x80", false),
	CASE("C1 overlong", "\xC1\xBF", false),
	CASE("E0 overlong", "\xE0\x80\x80", false),
	CASE("E0 overlong max", "\xE0\x9F\xBF", false),
	CASE("F0 overlong", "\xF0\x80\x80\x80", false),
	CASE("F0 overlong max", "\xF0\x8F\xBF\xBF", false),
	CASE("U+D800", "\xED\xA0\x80", false),
	CASE("U+DFFF", "\xED\xBF\xBF", false),
	CASE("surrogate pair (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80", false),
	CASE("U+110000", "\xF4\x90\x80\x80", false),
	CASE("F5 lead", "\xF5\x80\x80\x80", false),
	CASE("F8 lead", "\xF8\x88\x80\x80\x80", false),
	CASE("FE", "\xFE", false),
	CASE("FF", "\xFF", false),
	CASE("truncated 2-byte", "\xC2", false),
	CASE("truncated 3-byte", "\xE2\x82", false),
	CASE("truncated 4-byte", "\xF0\x9F\x98", false),
	CASE("ascii inside 3-byte", "\xE2\x28\xA1", false),
	CASE("lead inside 4-byte", "\xF0\x9F\xC2\x80", false),
	CASE("valid then invalid", "\xE2\x82\xAC\xFF", false),
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		if (utf8_valid(c->bytes, c->len) != c->valid)
			fail_msg("case \"%s\": expected %s", c->name, c->valid ? "valid" : "invalid");
	}
}

/* Splitting the input anywhere, into two or into single bytes, must not
 * change the verdict. */
static void test_split_everywhere(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		const uint8_t *s = (const uint8_t *)c->bytes;
		for (size_t cut = 0; cut <= c->len; cut++) {
			uint32_t st = utf8_validate_step(UTF8_ACCEPT, s, cut);
			st = utf8_validate_step(st, s + cut, c->len - cut);
			if ((st == UTF8_ACCEPT) != c->valid)
				fail_msg("case \"%s\" split at %zu", c->name, cut);
		}
		uint32_t st = UTF8_ACCEPT;
		for (size_t k = 0; k < c->len; k++)
			st = utf8_validate_step(st, s + k, 1);
		if ((st == UTF8_ACCEPT) != c->valid)
			fail_msg("case \"%s\" byte by byte", c->name);
	}
}

static void test_states(void **state)
{
	(void)state;
	const uint8_t euro[] = {0xE2, 0x82, 0xAC};
	uint32_t st = utf8_validate_step(UTF8_ACCEPT, euro, 1);
	assert_int_not_equal(st, UTF8_ACCEPT);
	assert_int_not_equal(st, UTF8_REJECT);
	st = utf8_validate_step(st, euro + 1, 2);
	assert_int_equal(st, UTF8_ACCEPT);

	/* Reject is sticky, even when valid text follows. */
	const uint8_t bad[] = {0xFF};
	st = utf8_validate_step(UTF8_ACCEPT, bad, 1);
	assert_int_equal(st, UTF8_REJECT);
	st = utf8_validate_step(st, (const uint8_t *)"abc", 3);
	assert_int_equal(st, UTF8_REJECT);

	/* An empty step keeps the state; NULL is fine with n == 0. */
	st = utf8_validate_step(UTF8_ACCEPT, euro, 2);
	assert_int_equal(utf8_validate_step(st, NULL, 0), st);
	assert_true(utf8_valid(NULL, 0));

	/* Garbage state values are refused, not used as table indexes. */
	assert_int_equal(utf8_validate_step(0xDEADBEEF, (const uint8_t *)"a", 1), UTF8_REJECT);
	assert_int_equal(utf8_validate_step(0xDEADBEEF, NULL, 0), UTF8_REJECT);
}

/* Long ASCII runs with one bad byte at every offset (exercises the
 * word-at-a-time skip and its tail). */
static void test_ascii_runs(void **state)
{
	(void)state;
	uint8_t s[67];
	memset(s, 'x', sizeof(s));
	assert_true(utf8_valid(s, sizeof(s)));
	for (size_t i = 0; i < sizeof(s); i++) {
		s[i] = 0x80;
		if (utf8_valid(s, sizeof(s)))
			fail_msg("stray 0x80 at %zu accepted", i);
		s[i] = 'x';
	}
}

/* Reference: decode character by character the slow way, computing each
 * code point and checking it against the range its length allows. */
static bool ref_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t need;
		uint32_t cp, min;
		if (s[i] < 0x80) {
			need = 1, cp = s[i], min = 0;
		} else if ((s[i] & 0xE0) == 0xC0) {
			need = 2, cp = s[i] & 0x1F, min = 0x80;
		} else if ((s[i] & 0xF0) == 0xE0) {
			need = 3, cp = s[i] & 0x0F, min = 0x800;
		} else if ((s[i] & 0xF8) == 0xF0) {
			need = 4, cp = s[i] & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < need)
			return false;
		for (size_t k = 1; k < need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need;
	}
	return true;
}

static void check_against_ref(const uint8_t *s, size_t n)
{
	bool want = ref_valid(s, n);
	if (utf8_valid(s, n) != want)
		fail_msg("%zu bytes %02X %02X %02X %02X: expected %s", n, s[0],
			 n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0,
			 want ? "valid" : "invalid");
}

static void test_exhaustive(void **state)
{
	(void)state;
	/* Third and fourth bytes of four-byte inputs: the continuation range's
	 * edges and the bytes just outside it. */
	static const uint8_t edge[] = {0x00, 0x7F, 0x80, 0xBF, 0xC0};
	uint8_t s[4];
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (uint8_t)a;
		check_against_ref(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (uint8_t)b;
			check_against_ref(s, 2);
			for (unsigned c = 0; c < 256; c++) {
				s[2] = (uint8_t)c;
				check_against_ref(s, 3);
				if (a < 0xF0 || memchr(edge, c, sizeof(edge)) == NULL)
					continue;
				for (size_t d = 0; d < sizeof(edge); d++) {
					s[3] = edge[d];
					check_against_ref(s, 4);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_ascii_runs),
		cmocka_unit_test(test_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
