/* SPDX-License-Identifier: MIT */
/* Token buckets in a chained hash table keyed by string. */
#include "domain/ratelimit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define RL_BUCKETS 4096

struct rl_entry {
	struct rl_entry *next;
	double tokens;
	uint64_t last_ms;
	char key[];
};

struct ratelimit {
	uint32_t burst;
	uint64_t window_ms;
	uint32_t max_keys;
	uint32_t nkeys;
	struct rl_entry *table[RL_BUCKETS];
};

static uint32_t rl__hash(const char *s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h % RL_BUCKETS;
}

struct ratelimit *ratelimit_new(uint32_t burst, uint64_t window_ms, uint32_t max_keys)
{
	struct ratelimit *rl = xcalloc(1, sizeof *rl);
	rl->burst = burst ? burst : 1;
	rl->window_ms = window_ms ? window_ms : 1;
	rl->max_keys = max_keys ? max_keys : 100000;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < RL_BUCKETS; i++) {
		struct rl_entry *e = rl->table[i];
		while (e) {
			struct rl_entry *n = e->next;
			free(e);
			e = n;
		}
	}
	free(rl);
}

static void rl__refill(const struct ratelimit *rl, struct rl_entry *e, uint64_t now_ms)
{
	if (now_ms > e->last_ms) {
		double add = (double)(now_ms - e->last_ms) * rl->burst / (double)rl->window_ms;
		e->tokens = fmin((double)rl->burst, e->tokens + add);
		e->last_ms = now_ms;
	}
}

/* Drop every full bucket: it carries no information. */
static void rl__prune(struct ratelimit *rl, uint64_t now_ms)
{
	for (size_t i = 0; i < RL_BUCKETS; i++) {
		struct rl_entry **pp = &rl->table[i];
		while (*pp) {
			struct rl_entry *e = *pp;
			rl__refill(rl, e, now_ms);
			if (e->tokens >= rl->burst) {
				*pp = e->next;
				free(e);
				rl->nkeys--;
			} else {
				pp = &e->next;
			}
		}
	}
}

static struct rl_entry *rl__find(struct ratelimit *rl, const char *key, struct rl_entry ***slot)
{
	struct rl_entry **pp = &rl->table[rl__hash(key)];
	if (slot)
		*slot = pp;
	for (struct rl_entry *e = *pp; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

int ratelimit_check(struct ratelimit *rl, const char *key, uint64_t now_ms, uint32_t *retry_after_s)
{
	struct rl_entry *e = rl__find(rl, key, NULL);
	if (!e)
		return PERR_OK;
	rl__refill(rl, e, now_ms);
	if (e->tokens >= 1.0)
		return PERR_OK;
	double ms = (1.0 - e->tokens) * (double)rl->window_ms / rl->burst;
	uint32_t s = (uint32_t)ceil(ms / 1000.0);
	*retry_after_s = s ? s : 1;
	return PERR_RATE_LIMITED;
}

void ratelimit_spend(struct ratelimit *rl, const char *key, uint64_t now_ms)
{
	struct rl_entry **slot;
	struct rl_entry *e = rl__find(rl, key, &slot);
	if (!e) {
		if (rl->nkeys >= rl->max_keys)
			rl__prune(rl, now_ms);
		if (rl->nkeys >= rl->max_keys)
			return; /* table full of active keys: fail open rather than grow */
		size_t kl = strlen(key);
		e = xmalloc(sizeof *e + kl + 1);
		memcpy(e->key, key, kl + 1);
		e->tokens = rl->burst;
		e->last_ms = now_ms;
		e->next = *slot;
		*slot = e;
		rl->nkeys++;
	}
	rl__refill(rl, e, now_ms);
	/* allow a bounded debt so hammering keeps the key locked a little longer */
	if (e->tokens > -(double)rl->burst)
		e->tokens -= 1.0;
}

void ratelimit_reset(struct ratelimit *rl, const char *key)
{
	struct rl_entry **pp = &rl->table[rl__hash(key)];
	while (*pp) {
		if (strcmp((*pp)->key, key) == 0) {
			struct rl_entry *e = *pp;
			*pp = e->next;
			free(e);
			rl->nkeys--;
			return;
		}
		pp = &(*pp)->next;
	}
}
