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

#endif
