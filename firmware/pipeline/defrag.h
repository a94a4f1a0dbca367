/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * defrag: IPv4 and IPv6 reassembly within bounded memory.
 *
 * Owner:      one per worker; the worker is the only caller.
 * Allocation: defrag_create() allocates @contexts buffers of @max_bytes once;
 *             nothing afterwards. No context free: the fragment is dropped
 *             and counted (frag.no_context).
 * Policy:     overlapping or inconsistent fragments drop the whole datagram
 *             (frag.overlap / frag.bad_fragment: the classic evasion), as do
 *             datagrams above max_bytes (frag.too_big) or of more than
 *             DEFRAG_MAX_FRAGS pieces (frag.too_many_fragments). Unfinished
 *             datagrams expire DEFRAG_TIMEOUT_NS after their first fragment
 *             (frag.timeout).
 * Output:     a complete datagram is rebuilt (IPv4 header of the first
 *             fragment with fragment fields cleared; IPv6 fixed header whose
 *             next header is the fragment's) and decoded into the same pkt;
 *             it stays valid until defrag_release().
 */
#ifndef SEGW_PIPELINE_DEFRAG_H
#define SEGW_PIPELINE_DEFRAG_H

#include <stdint.h>

#include "pipeline/decode.h"
#include "pipeline/pkt.h"
#include "stats/counters.h"

#define DEFRAG_MAX_FRAGS 64
#define DEFRAG_TIMEOUT_NS (30ull * 1000000000ull)

enum defrag_result {
	DEFRAG_HELD = 0,  /* kept; wait for the rest */
	DEFRAG_DONE,      /* p now holds the decoded, reassembled datagram */
	DEFRAG_MALFORMED, /* reassembled, but its L4 is malformed (counted) */
	DEFRAG_DROP,      /* fragment (and maybe datagram) dropped, counted */
};

struct defrag;

struct defrag *defrag_create(uint32_t contexts, uint32_t max_bytes);
void defrag_destroy(struct defrag *d);

/* defrag_add - take the fragment described by @p (decode said FRAGMENT). */
enum defrag_result defrag_add(struct defrag *d, struct pkt *p, struct stats_block *st);
/* defrag_release - the reassembled datagram in @p is no longer used. */
void defrag_release(struct defrag *d, struct pkt *p);
/* defrag_expire - drop datagrams older than the timeout at time @now_ns. */
void defrag_expire(struct defrag *d, uint64_t now_ns, struct stats_block *st);
uint32_t defrag_in_use(const struct defrag *d);

#endif
