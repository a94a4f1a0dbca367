/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshot: the sum of every worker's counters at one moment, what the
 * console, the SNMP subagent and the replay report read.
 *
 * Owner:      the control thread builds snapshots; readers get a copy.
 * Thread:     stats_snapshot_take() reads worker blocks with relaxed loads and
 *             never blocks a worker. stats_publish()/stats_read() hand the
 *             latest snapshot between threads under a seqlock (readers retry,
 *             the writer never waits).
 * Allocation: none.
 */
#ifndef SEGW_STATS_SNAPSHOT_H
#define SEGW_STATS_SNAPSHOT_H

#include <stdint.h>
#include <stdio.h>

#include "stats/counters.h"

struct stats_snapshot {
	uint64_t taken_ns;     /* wall time of the snapshot */
	uint64_t epoch_ns;     /* when the counters last started from zero */
	struct stats_block sum;
};

void stats_snapshot_take(struct stats_snapshot *out, struct stats_block *const *blocks,
			 unsigned n);

struct stats_shared {
	uint32_t seq; /* odd while being written */
	struct stats_snapshot snap;
};

void stats_publish(struct stats_shared *sh, const struct stats_snapshot *s);
void stats_read(const struct stats_shared *sh, struct stats_snapshot *out);

#endif
