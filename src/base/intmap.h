/* SPDX-License-Identifier: MIT */
/* A hash map from int64 keys to pointers (open addressing, linear probing,
 * tombstone-free deletion by backward shift). Used by the hub for chat and
 * user lookups on the fan-out path. Not thread-safe. */
#ifndef PARTA_BASE_INTMAP_H
#define PARTA_BASE_INTMAP_H

#include <stddef.h>
#include <stdint.h>

struct intmap_slot {
	int64_t key;
	void *value;   /* NULL: empty slot */
};

struct intmap {
	struct intmap_slot *slots;
	size_t cap;    /* 0 or a power of two */
	size_t count;
};

void intmap_init(struct intmap *m);
void intmap_free(struct intmap *m);
/* The value for key, or NULL. */
void *intmap_get(const struct intmap *m, int64_t key);
/* Insert or replace; value must not be NULL. */
void intmap_put(struct intmap *m, int64_t key, void *value);
/* Remove key; returns its value or NULL. */
void *intmap_remove(struct intmap *m, int64_t key);
/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->slots[i].value) … */

#endif
