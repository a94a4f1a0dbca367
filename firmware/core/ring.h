/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ring: single-producer single-consumer ring of pointers.
 *
 * Owner:      the creator; memory is allocated once by ring_create().
 * Thread:     exactly one producer thread and one consumer thread; no locks
 *             (acquire/release on the indexes).
 * Errors:     ring_push returns 0 when full, ring_pop NULL when empty.
 */
#ifndef SEGW_CORE_RING_H
#define SEGW_CORE_RING_H

#include <stdint.h>
#include <stdlib.h>

struct ring {
	uint32_t mask;
	char pad0[60];
	uint32_t head; /* producer writes */
	char pad1[60];
	uint32_t tail; /* consumer writes */
	char pad2[60];
	void **slots;
};

/* ring_create - @size rounded up to a power of two; NULL on no memory. */
static inline struct ring *ring_create(uint32_t size)
{
	uint32_t n = 2;
	while (n < size && n < (1u << 30))
		n <<= 1;
	/* aligned_alloc wants a size that is a multiple of the alignment */
	struct ring *r = aligned_alloc(64, (sizeof(*r) + 63) & ~(size_t)63);
	if (!r)
		return NULL;
	r->slots = calloc(n, sizeof(void *));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	r->mask = n - 1;
	r->head = r->tail = 0;
	return r;
}

static inline void ring_destroy(struct ring *r)
{
	if (r) {
		free(r->slots);
		free(r);
	}
}

static inline int ring_push(struct ring *r, void *p)
{
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t t = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (h - t > r->mask)
		return 0;
	r->slots[h & r->mask] = p;
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return 1;
}

static inline void *ring_pop(struct ring *r)
{
	uint32_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	if (t == h)
		return NULL;
	void *p = r->slots[t & r->mask];
	__atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
	return p;
}

#endif
