/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runner: receive -> decode -> dispatch -> workers, for one port.
 *
 * With one worker everything runs in the caller's thread (no copies beyond
 * the port's, no rings). With N workers the caller's thread receives and
 * decodes, picks the worker by the symmetric hash of the address pair (so
 * both directions of a flow, and every fragment of a datagram, reach the
 * same worker), and hands the buffer over an SPSC ring; the worker returns
 * it over a second ring.
 *
 * Owner:      runner_run() creates and destroys the pool, rings and workers.
 * Allocation: at start only, from the board's pools.
 * Errors:     runner_run() returns 0 at the end of a finite source, -EIO
 *             when the source failed midway (the flows read so far are still
 *             processed and reported), -ENOMEM/-EINVAL at start.
 */
#ifndef SEGW_PIPELINE_RUNNER_H
#define SEGW_PIPELINE_RUNNER_H

#include <stdio.h>

#include "pipeline/worker.h"
#include "policy/generation.h"
#include "segw/hal/board.h"
#include "stats/snapshot.h"

struct runner_cfg {
	const struct board_desc *board;
	struct hal_port *port;   /* opened by the caller */
	unsigned workers;        /* 1..board max_workers */
	struct worker_cfg wcfg;  /* template: id and report are per worker */
	FILE *report;            /* NULL: counters only */
	uint32_t pktbufs;        /* 0: board default */
	uint32_t pktbuf_size;    /* 0: board default */
	struct policy_gen_slot *gens; /* NULL: no policy */
};

struct runner_result {
	struct stats_snapshot snap;
	struct hal_port_stats port_stats;
	char error[256];
};

int runner_run(const struct runner_cfg *cfg, struct runner_result *res);

#endif
