/* SPDX-License-Identifier: MIT */
/* Latency histogram: log-linear buckets (exact below 128 ns, then 64
 * buckets per power of two, so any quantile is within 1.6 %), fixed size,
 * no allocation. Values are nanoseconds; larger than 2^40 ns are clamped. */
#ifndef PARTA_BENCH_HIST_H
#define PARTA_BENCH_HIST_H

#include <stdint.h>

#define HIST_BUCKETS (128 + 34 * 64)

struct hist {
	uint64_t count;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_reset(struct hist *h);
void hist_add(struct hist *h, uint64_t ns);
/* The value at quantile q (0..1), in ns; 0 for an empty histogram. */
uint64_t hist_quantile(const struct hist *h, double q);

#endif
