/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash: the 64-bit mixing the flow table and the policy lookup share for
 * their fixed-size keys. Header only, no state; any thread.
 */
#ifndef SEGW_CORE_HASH_H
#define SEGW_CORE_HASH_H

#include <stdint.h>

/* hash_mix64 - a full avalanche of @h (the MurmurHash3 finaliser). */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* hash_words - 32 bits of hash of @n 64-bit words (a key copied into words). */
static inline uint32_t hash_words(const uint64_t *w, unsigned n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < n; i++)
		h = (h ^ w[i]) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)hash_mix64(h);
}

#endif
