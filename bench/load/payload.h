/* SPDX-License-Identifier: MIT */
/* Message texts the load tool sends, the same for every protocol: a
 * marker "@@T<send time ns>.<sender>@@" that the receiving side finds again
 * to measure send→receive latency, then either filler up to a fixed size
 * (fan-out: 64 bytes) or Russian words from a school vocabulary (the history
 * and search store). Texts are ASCII or UTF-8 with no character that JSON,
 * XML or a URL query would need escaped. */
#ifndef PARTA_BENCH_PAYLOAD_H
#define PARTA_BENCH_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_MAX 512

/* Write a text of exactly size bytes (size ≥ 32) or, when words is true,
 * the marker and 5–10 Russian words. Returns the length (no NUL is
 * written past it). rng is the caller's generator state (non-zero). */
size_t payload_make(char *out, size_t cap, uint64_t ts_ns, unsigned sender, unsigned size,
		    bool words, uint64_t *rng);

/* Find a marker in d[0..len). Returns true with the send time and sender. */
bool payload_find(const uint8_t *d, size_t len, uint64_t *ts_ns, unsigned *sender);

/* The search queries (Russian word forms that differ from the stored ones,
 * so the stemmer has to match them), URL-encoded; count in *n. */
const char *const *payload_queries(size_t *n);

uint64_t payload_rand(uint64_t *rng);

#endif
