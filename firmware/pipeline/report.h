/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report: the JSON-lines replay report and flow-end log records.
 *   {"type":"flow", ...}     one per flow when it ends
 *   {"type":"counters", ...} one at the end of a run (from a snapshot)
 *
 * Owner:      one struct report_out per worker (its line buffer); the
 *             FILE and its mutex are shared, taken once per full buffer.
 * Thread:     report_flow() from the owning worker; lines are written
 *             whole, so workers never interleave inside a line.
 * Allocation: none (fixed line buffer).
 */
#ifndef SEGW_PIPELINE_REPORT_H
#define SEGW_PIPELINE_REPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

#include "pipeline/flow.h"
#include "pipeline/zone.h"
#include "segw/hal/board.h"
#include "stats/snapshot.h"

struct dpi_engine;
struct policy_gen;

#define REPORT_BUF 65536

struct report_out {
	FILE *f;
	pthread_mutex_t *mu; /* NULL when one thread writes */
	const struct zone_map *zones;
	const struct dpi_engine *dpi;
	size_t used;
	char buf[REPORT_BUF];
};

void report_flow(struct report_out *r, const struct flow *f, enum flow_end_reason why);
void report_flush(struct report_out *r);

/* report_format_flow - one flow record (no newline) into @buf; returns its length. */
size_t report_format_flow(char *buf, size_t len, const struct flow *f, enum flow_end_reason why,
			  const struct zone_map *zones, const struct dpi_engine *dpi);

struct report_port {
	const char *name;
	const char *zone;
	uint16_t index; /* the port's index: its per-port counters */
	struct hal_port_stats st;
};

/* report_counters - the counters record of a run, with the named ports. */
void report_counters(FILE *out, const struct stats_snapshot *s, const struct zone_map *zones,
		     const struct report_port *ports, unsigned n_ports, const char *status,
		     const char *error);
/* report_counters_gen - the same, and when @gen has a policy, the per-rule
 * counters ("rules": {"ID": {...}, "default": {...}}). */
void report_counters_gen(FILE *out, const struct stats_snapshot *s, const struct zone_map *zones,
			 const struct report_port *ports, unsigned n_ports, const char *status,
			 const char *error, const struct policy_gen *gen);

/* report_json_string - @s as a JSON string (quoted, escaped) into @buf. */
size_t report_json_string(char *buf, size_t len, const char *s);

#endif
