/* SPDX-License-Identifier: MIT */
/* int64 → pointer hash map with linear probing. */
#include "base/intmap.h"

#include <stdlib.h>

#include "base/alloc.h"

static size_t intmap__hash(int64_t key, size_t cap)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

void intmap_init(struct intmap *m)
{
	m->slots = NULL;
	m->cap = 0;
	m->count = 0;
}

void intmap_free(struct intmap *m)
{
	free(m->slots);
	intmap_init(m);
}

void *intmap_get(const struct intmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t i = intmap__hash(key, m->cap);
	while (m->slots[i].value) {
		if (m->slots[i].key == key)
			return m->slots[i].value;
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

static void intmap__grow(struct intmap *m)
{
	struct intmap_slot *old = m->slots;
	size_t old_cap = m->cap;
	m->cap = old_cap ? old_cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	m->count = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].value)
			intmap_put(m, old[i].key, old[i].value);
	free(old);
}

void intmap_put(struct intmap *m, int64_t key, void *value)
{
	if ((m->count + 1) * 4 > m->cap * 3)
		intmap__grow(m);
	size_t i = intmap__hash(key, m->cap);
	while (m->slots[i].value) {
		if (m->slots[i].key == key) {
			m->slots[i].value = value;
			return;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->count++;
}

void *intmap_remove(struct intmap *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t i = intmap__hash(key, m->cap);
	while (m->slots[i].value && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	void *v = m->slots[i].value;
	if (!v)
		return NULL;
	m->slots[i].value = NULL;
	m->count--;
	/* backward-shift the cluster that follows so lookups never stop early */
	size_t j = i;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (!m->slots[j].value)
			break;
		size_t home = intmap__hash(m->slots[j].key, m->cap);
		/* can slot j's entry move to i? yes if home is not in (i, j] cyclically */
		int movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			m->slots[i] = m->slots[j];
			m->slots[j].value = NULL;
			i = j;
		}
	}
	return v;
}
