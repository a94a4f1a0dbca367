/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dpi: application classification of flows from their first packets.
 *
 * This is the seam between the pipeline and the detectors: the pipeline
 * calls dpi_flow_packet() for each packet of a flow until f->dpi_done, then
 * never again; dpi_flow_end() when the flow ends; dpi_flow_json() to add the
 * application fields to the flow's report record.
 *
 * Owner:      one engine per worker, used only by that worker's thread.
 * Allocation: dpi_engine_create() sizes per-flow state pools once; nothing
 *             is allocated per packet. Running out of state is counted and
 *             the flow is left Unknown (never a crash).
 */
#ifndef SEGW_DPI_DPI_H
#define SEGW_DPI_DPI_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/flow.h"
#include "pipeline/pkt.h"
#include "stats/counters.h"

struct dpi_engine;
struct dpi_facts;

/*
 * Engine counters (dpi_engine_counters()); the stats/counters.h names are
 * the same with the "dpi." prefix.
 *   state_pool_exhausted  a flow found the classification records all taken
 *                         (one is then reclaimed, below; if none can be, the
 *                         flow is left Unknown)
 *   facts_pool_exhausted  a decided flow found no facts record: app kept,
 *                         names and fingerprints dropped
 *   stream_pool_exhausted a detector asked for a reassembly buffer, none free
 *   stream_ooo_dropped    a segment needed more holes than a stream keeps
 *   stream_truncated      bytes fell beyond a stream's window
 *   detector_calls        probe() calls (nDPI's "Num dissector calls")
 *   flows                 flows that reached a decision (found or not)
 *   flows_found           ... with an application
 *   flows_unknown         ... without: every candidate said not mine
 *   budget_exhausted      ... without: the packet budget ran out
 *   dns_cache_inserts     addresses learnt from DNS answers
 *   dns_cache_evictions   of which replaced an older entry
 *   dns_cache_named       flows named from the DNS cache
 *   state_reclaimed       flows given up (unknown) to free classification
 *                         state for a new flow: the pool was full, and these
 *                         had seen no packet for a whole turn of the clock
 *                         (floods of flows that never finish go first)
 */
#define DPI_COUNTERS(X)                                                                            \
	X(STATE_POOL_EXHAUSTED, "state_pool_exhausted")                                            \
	X(FACTS_POOL_EXHAUSTED, "facts_pool_exhausted")                                            \
	X(STREAM_POOL_EXHAUSTED, "stream_pool_exhausted")                                          \
	X(STREAM_OOO_DROPPED, "stream_ooo_dropped")                                                \
	X(STREAM_TRUNCATED, "stream_truncated")                                                    \
	X(DETECTOR_CALLS, "detector_calls")                                                        \
	X(FLOWS, "flows")                                                                          \
	X(FLOWS_FOUND, "flows_found")                                                              \
	X(FLOWS_UNKNOWN, "flows_unknown")                                                          \
	X(BUDGET_EXHAUSTED, "budget_exhausted")                                                    \
	X(DNS_CACHE_INSERTS, "dns_cache_inserts")                                                  \
	X(DNS_CACHE_EVICTIONS, "dns_cache_evictions")                                              \
	X(DNS_CACHE_NAMED, "dns_cache_named")                                                      \
	X(STATE_RECLAIMED, "state_reclaimed")

enum dpi_counter {
#define X(id, name) DPI_CTR_##id,
	DPI_COUNTERS(X)
#undef X
	DPI_CTR__COUNT
};

/* Packet budget: a flow is given up (Unknown) after this many packets. */
#define DPI_BUDGET_PAYLOAD_PKTS 10
#define DPI_BUDGET_TOTAL_PKTS 20
/* ... unless a stream is being reassembled: then its window bounds the work */
#define DPI_BUDGET_STREAM_PKTS 1024

/*
 * dpi_engine_create - pools for @flow_slots flows: classification records
 * (flows still being classified), facts records (decided flows with names
 * or fingerprints), stream buffers, DNS cache. See dpi_engine_bytes().
 * NULL on out of memory or flow_slots == 0.
 */
struct dpi_engine *dpi_engine_create(uint32_t flow_slots);
void dpi_engine_destroy(struct dpi_engine *e);

void dpi_flow_packet(struct dpi_engine *e, struct flow *f, const struct pkt *p,
		     struct stats_block *st);
void dpi_flow_end(struct dpi_engine *e, struct flow *f);

/*
 * dpi_flow_json - append the application fields of @f, each as
 * `,"name":value`, to @buf; returns the bytes written (0 if none or if
 * they do not fit in @len).
 */
size_t dpi_flow_json(const struct dpi_engine *e, const struct flow *f, char *buf, size_t len);

/* dpi_flow_facts - the facts of @f (during or after classification), or NULL. */
const struct dpi_facts *dpi_flow_facts(const struct dpi_engine *e, const struct flow *f);

/* dpi_engine_counters - the engine's counters, indexed by enum dpi_counter. */
const uint64_t *dpi_engine_counters(const struct dpi_engine *e);
const char *dpi_counter_name(unsigned i);

/* dpi_engine_bytes - memory the engine holds (all pools), for budgets. */
size_t dpi_engine_bytes(const struct dpi_engine *e);

#endif
