/* SPDX-License-Identifier: MIT */
/* Incremental UTF-8 validation (RFC 3629): refuses overlong forms, UTF-16
 * surrogates (U+D800..U+DFFF), code points above U+10FFFF and stray or missing
 * continuation bytes. The state fits in a uint32_t, so a text message that
 * arrives in several WebSocket fragments is checked piece by piece without
 * keeping earlier pieces. Pure functions; any thread. */
#ifndef PARTA_BASE_UTF8_H
#define PARTA_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start state, and the state after a whole number of valid characters. */
#define UTF8_ACCEPT 0u
/* The input seen so far can never become valid. Sticky: a step from
 * UTF8_REJECT returns UTF8_REJECT. */
#define UTF8_REJECT 1u

/* Validate s[0..n) continuing from state (UTF8_ACCEPT for a new text, or the
 * value returned by the previous step). Returns the new state: UTF8_ACCEPT if
 * everything so far is complete and valid, UTF8_REJECT on the first invalid
 * byte (the rest is not read), or another value meaning "valid so far, in the
 * middle of a multi-byte character". A complete text is valid iff its final
 * state is UTF8_ACCEPT. s may be NULL when n is 0. Unknown state values are
 * treated as UTF8_REJECT. */
uint32_t utf8_validate_step(uint32_t state, const uint8_t *s, size_t n);

/* True iff s[0..n) is complete, valid UTF-8 (the empty string is). */
bool utf8_valid(const void *s, size_t n);

#endif
