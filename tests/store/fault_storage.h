/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fault_storage: a hal storage that forwards to another one (the file
 * driver) and "loses power" at a chosen point, for the store's power-loss
 * tests.
 *
 *   FAULT_NONE   forward everything; count ops (write/erase/sync) and bytes
 *   FAULT_OPS    the first @budget ops succeed; the next one and everything
 *                after it fail with -EIO and change nothing
 *   FAULT_BYTES  writes and erases take effect byte by byte until @budget
 *                bytes: the op that crosses it is torn (its first bytes
 *                written, the rest left as it was), then everything fails
 *   FAULT_CACHE  writes and erases stay in a volatile cache until sync;
 *                at the cut (op @budget) an arbitrary subset of the cached
 *                ops, chosen by @seed, reaches the medium, one possibly torn
 *                (a disk that reorders and loses unsynced writes)
 *
 * Owner: the test; fault_storage_init() borrows @inner. Thread: the test's.
 * Allocation: FAULT_CACHE copies cached writes. Errors: -EIO after the cut.
 */
#ifndef SEGW_TESTS_FAULT_STORAGE_H
#define SEGW_TESTS_FAULT_STORAGE_H

#include <stdint.h>

#include "segw/hal/storage.h"

enum fault_mode { FAULT_NONE = 0, FAULT_OPS, FAULT_BYTES, FAULT_CACHE };

struct fault_op {
	int erase;
	char part[32];
	uint64_t off, len;
	uint8_t *data;
};

struct fault_state {
	struct hal_storage *inner;
	enum fault_mode mode;
	uint64_t budget;
	uint32_t seed;
	int dead;
	uint64_t ops, bytes;   /* counted while alive */
	struct fault_op cache[16];
	unsigned n_cache;
};

void fault_storage_init(struct hal_storage *s, struct fault_state *f, struct hal_storage *inner,
			enum fault_mode mode, uint64_t budget, uint32_t seed);
/* fault_storage_fini - drop the cache (what was not synced is lost). */
void fault_storage_fini(struct hal_storage *s);

#endif
