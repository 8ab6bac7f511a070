/* SPDX-License-Identifier: MIT */
/* Token-bucket rate limiting by key (an IP address, a login): each key may
 * spend `burst` tokens, refilled evenly over `window_ms`. Used for login and
 * invitation redemption, per IP and per account. Memory is bounded: full
 * buckets are forgotten, and past max_keys the oldest idle keys go first.
 * Loop thread only. */
#ifndef PARTA_DOMAIN_RATELIMIT_H
#define PARTA_DOMAIN_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(uint32_t burst, uint64_t window_ms, uint32_t max_keys);
void ratelimit_free(struct ratelimit *rl);
/* PERR_OK if key has a token left now (nothing is spent), else
 * PERR_RATE_LIMITED with *retry_after_s set (>= 1). */
int ratelimit_check(struct ratelimit *rl, const char *key, uint64_t now_ms, uint32_t *retry_after_s);
/* Spend one token (even when none is left: the debt extends the wait). */
void ratelimit_spend(struct ratelimit *rl, const char *key, uint64_t now_ms);
/* Forget key (e.g. after a successful login). */
void ratelimit_reset(struct ratelimit *rl, const char *key);

#endif
