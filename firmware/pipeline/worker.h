/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker: one pipeline instance: defrag -> flow -> classify -> policy ->
 * verdict -> count, on packets already decoded (decode is stateless and runs
 * where the packet is received, so that it can pick the worker).
 *
 * Owner:      one worker per core; every structure inside is its own.
 * Thread:     worker_* functions from the worker's thread only; its stats
 *             block may be read by any thread (stats/counters.h).
 * Allocation: worker_init() sizes everything from the board's pools;
 *             worker_packet() never allocates.
 * Errors:     worker_init() -ENOMEM / -EINVAL.
 */
#ifndef SEGW_PIPELINE_WORKER_H
#define SEGW_PIPELINE_WORKER_H

#include <stdint.h>

#include "pipeline/decode.h"
#include "pipeline/defrag.h"
#include "pipeline/flow.h"
#include "pipeline/report.h"
#include "pipeline/verdict.h"
#include "pipeline/zone.h"
#include "stats/counters.h"

struct dpi_engine;
struct policy_gen;
struct policy_gen_slot;

struct worker_cfg {
	uint8_t id;
	uint32_t flow_slots;
	enum flow_full_policy full_policy;
	uint32_t timeout_s[FLOW_TMO__COUNT];
	uint32_t frag_contexts;
	uint32_t frag_bytes;
	enum malformed_policy malformed;
	const struct zone_map *zones;
	struct report_out *report; /* NULL: no flow records */
	/* 0: expiry runs on the worker's own packet time (one second steps);
	 * 1: only worker_tick() advances expiry (the runner's shared clock). */
	uint8_t external_clock;
	/* published policy generations; NULL: no policy, every flow passes */
	struct policy_gen_slot *gens;
};

struct worker {
	struct stats_block st;
	uint8_t id;
	enum malformed_policy malformed;
	struct flow_table *ft;
	struct defrag *df;
	struct dpi_engine *dpi;
	const struct zone_map *zones;
	struct report_out *report;
	uint64_t now_ns;
	uint64_t next_expire_ns;
	uint8_t external_clock;
	struct policy_gen_slot *gens;
	struct policy_gen *gen; /* the generation this worker runs */
};

int worker_init(struct worker *w, const struct worker_cfg *cfg);
void worker_fini(struct worker *w);

/*
 * worker_packet - run the stateful stages on @p, whose decode result is @dr
 * (decode counters are the decoder's). Returns the packet's verdict.
 */
enum verdict worker_packet(struct worker *w, struct pkt *p, enum decode_result dr);

/*
 * worker_tick - the shared clock reached @now_ns: expire idle flows and stale
 * reassembly contexts. The runner ticks every worker at the same points of
 * capture time (each new second), in order with the packets, so that the
 * outcome does not depend on the number of workers.
 */
void worker_tick(struct worker *w, uint64_t now_ns);

/* worker_finish - end every flow (end of capture) and flush the report. */
void worker_finish(struct worker *w);

#endif
