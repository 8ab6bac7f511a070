/* SPDX-License-Identifier: MIT */
/* Log-linear latency histogram (contract in hist.h). */
#include "hist.h"

#include <string.h>

#define HIST_MAX_EXP 40

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
}

static unsigned hist__index(uint64_t v)
{
	if (v < 128)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	if (e > HIST_MAX_EXP) {
		e = HIST_MAX_EXP;
		v = (2ull << HIST_MAX_EXP) - 1;
	}
	unsigned sub = (unsigned)(v >> (e - 6)) & 63u;
	return 128u + (e - 7u) * 64u + sub;
}

/* The middle of bucket i. */
static uint64_t hist__value(unsigned i)
{
	if (i < 128)
		return i;
	unsigned e = 7u + (i - 128u) / 64u;
	uint64_t sub = (i - 128u) % 64u;
	uint64_t lo = (64u + sub) << (e - 6);
	return lo + ((1ull << (e - 6)) >> 1);
}

void hist_add(struct hist *h, uint64_t ns)
{
	h->bucket[hist__index(ns)]++;
	h->count++;
	if (ns > h->max)
		h->max = ns;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	if (!h->count)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)(h->count - 1)) + 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = hist__value(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}
