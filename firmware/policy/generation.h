/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * generation: a compiled policy as the pipeline uses it, published whole.
 *
 * A generation bundles the compiled policy, the zone map it implies (its
 * zones mapped onto the board's ports; the board's default zones when the
 * policy defines none) and per-worker, per-rule counters. The control thread
 * builds a generation off the data path and publishes it with one atomic
 * pointer store; each worker picks it up at its next burst (acquire load) and
 * re-evaluates its flows lazily, on their next packet: flows are never
 * flushed. An old generation is freed once every worker has moved past it
 * (gen_reclaim).
 *
 * Owner:      the control thread creates, publishes and frees generations.
 * Thread:     gen_current() from any thread; workers only read a generation.
 * Allocation: gen_build() allocates everything, including the counters.
 * Errors:     gen_build() -EINVAL (a zone names a port the board lacks, with
 *             the reason in @err), -ENOMEM.
 */
#ifndef SEGW_POLICY_GENERATION_H
#define SEGW_POLICY_GENERATION_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/zone.h"
#include "policy/policy.h"
#include "segw/hal/board.h"

#define GEN_MAX_WORKERS 64

struct rule_ctr {
	uint64_t flows;
	uint64_t packets;
	uint64_t bytes;
	uint64_t rate_limited; /* flows refused by the rule's rate-limit */
	/* rate-limit token bucket of this worker (written by it only) */
	uint64_t bucket_ns;    /* time the bucket was last refilled */
	uint32_t tokens;
	uint32_t pad;
};

struct policy_gen {
	uint32_t number;          /* 1, 2, ... */
	struct policy *policy;    /* NULL: no policy, everything passes */
	struct zone_map zones;
	unsigned n_workers;
	/* [worker][rule index], the last slot of each row is "no rule: default" */
	struct rule_ctr *ctr[GEN_MAX_WORKERS];
};

/*
 * gen_build - a generation for @policy (ownership moves into it, even on
 * error; NULL allowed) on @board for @n_workers workers.
 */
int gen_build(struct policy_gen **out, struct policy *policy, const struct board_desc *board,
	      unsigned n_workers, uint32_t number, char *err, size_t errlen);
void gen_free(struct policy_gen *g);

/* The published generation (NULL before the first publish). */
struct policy_gen_slot {
	struct policy_gen *cur;
	uint32_t seen[GEN_MAX_WORKERS]; /* generation each worker runs */
};

void gen_publish(struct policy_gen_slot *s, struct policy_gen *g);
static inline struct policy_gen *gen_current(struct policy_gen_slot *s)
{
	return __atomic_load_n(&s->cur, __ATOMIC_ACQUIRE);
}
/* gen_ack - worker @w runs generation @number from now on. */
static inline void gen_ack(struct policy_gen_slot *s, unsigned w, uint32_t number)
{
	__atomic_store_n(&s->seen[w], number, __ATOMIC_RELEASE);
}
/* gen_reclaimable - every one of @n_workers runs @number or later. */
int gen_reclaimable(const struct policy_gen_slot *s, unsigned n_workers, uint32_t number);

#endif
