/* SPDX-License-Identifier: MIT */
/* UTF-8 validator as a small deterministic automaton. A lead byte selects the
 * state that says how many continuation bytes must follow and, for the four
 * lead bytes that can start an invalid character (E0 overlong, ED surrogate,
 * F0 overlong, F4 above U+10FFFF), which range the first continuation byte
 * must fall in. Each non-start state is one [lo, hi] range and a next state.
 * Runs of ASCII are skipped eight bytes at a time. */
#include "base/utf8.h"

#include <string.h>

enum {
	UTF8__TAIL1 = 2,   /* one more 80..BF */
	UTF8__TAIL2,       /* two more 80..BF */
	UTF8__TAIL3,       /* three more 80..BF */
	UTF8__AFTER_E0,    /* A0..BF, then one more (no overlong 3-byte forms) */
	UTF8__AFTER_ED,    /* 80..9F, then one more (no surrogates) */
	UTF8__AFTER_F0,    /* 90..BF, then two more (no overlong 4-byte forms) */
	UTF8__AFTER_F4,    /* 80..8F, then two more (nothing above U+10FFFF) */
	UTF8__STATES
};

struct utf8__range {
	uint8_t lo;
	uint8_t hi;
	uint8_t next;
};

/* Indexed by state; entries 0 and 1 (accept, reject) are never used. */
static const struct utf8__range utf8__cont[UTF8__STATES] = {
	[UTF8__TAIL1] = {0x80, 0xBF, UTF8_ACCEPT},
	[UTF8__TAIL2] = {0x80, 0xBF, UTF8__TAIL1},
	[UTF8__TAIL3] = {0x80, 0xBF, UTF8__TAIL2},
	[UTF8__AFTER_E0] = {0xA0, 0xBF, UTF8__TAIL1},
	[UTF8__AFTER_ED] = {0x80, 0x9F, UTF8__TAIL1},
	[UTF8__AFTER_F0] = {0x90, 0xBF, UTF8__TAIL2},
	[UTF8__AFTER_F4] = {0x80, 0x8F, UTF8__TAIL2},
};

/* State after byte b read in the accept state. C0 and C1 can only start
 * overlong two-byte forms; F5..FF would start code points past U+10FFFF. */
static uint32_t utf8__lead(uint8_t b)
{
	if (b < 0x80)
		return UTF8_ACCEPT;
	if (b < 0xC2)
		return UTF8_REJECT;
	if (b < 0xE0)
		return UTF8__TAIL1;
	if (b == 0xE0)
		return UTF8__AFTER_E0;
	if (b == 0xED)
		return UTF8__AFTER_ED;
	if (b < 0xF0)
		return UTF8__TAIL2;
	if (b == 0xF0)
		return UTF8__AFTER_F0;
	if (b < 0xF4)
		return UTF8__TAIL3;
	if (b == 0xF4)
		return UTF8__AFTER_F4;
	return UTF8_REJECT;
}

/* Index of the first non-ASCII byte in s[i..n), or n. */
static size_t utf8__skip_ascii(const uint8_t *s, size_t i, size_t n)
{
	while (n - i >= 8) {
		uint64_t w;
		memcpy(&w, s + i, sizeof(w));
		if (w & UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

uint32_t utf8_validate_step(uint32_t state, const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (state == UTF8_ACCEPT) {
			i = utf8__skip_ascii(s, i, n);
			if (i == n)
				break;
			state = utf8__lead(s[i++]);
			continue;
		}
		if (state == UTF8_REJECT || state >= UTF8__STATES)
			return UTF8_REJECT;
		const struct utf8__range *r = &utf8__cont[state];
		uint8_t b = s[i++];
		if (b < r->lo || b > r->hi)
			return UTF8_REJECT;
		state = r->next;
	}
	if (state >= UTF8__STATES)
		return UTF8_REJECT;
	return state;
}

bool utf8_valid(const void *s, size_t n)
{
	return utf8_validate_step(UTF8_ACCEPT, s, n) == UTF8_ACCEPT;
}
