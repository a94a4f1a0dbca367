/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inline: the pipeline on the kernel's queue (or, in tap mode, on a mirror
 * port, writing denials into the kernel's sets). One worker answers every
 * queued packet: accepted or dropped now; once a flow is decided, the answer
 * carries the decision as a mark so that the kernel keeps it on the
 * connection and the flow's later packets never come to us again.
 *
 * Owner:      inline_run() owns the pool and the worker for its duration.
 * Thread:     the caller's; it returns when *stop becomes non-zero (a signal
 *             handler sets it) or @duration_ms passed (0: no limit).
 * Allocation: at start only.
 *
 * Fault hook for the robustness tests: environment SEGW_TEST_FAULT=
 * "hang-worker@N" makes the worker stop making progress N seconds after
 * start (it sleeps in the loop, as a worker stuck in a packet would), so
 * that a test can show the watchdog and the supervisor at work.
 */
#ifndef SEGW_PIPELINE_INLINE_H
#define SEGW_PIPELINE_INLINE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/runner.h"
#include "segw/hal/watchdog.h"

struct inline_cfg {
	const struct board_desc *board;
	struct hal_port *port;         /* opened inline port, or a mirror port (tap) */
	/* tap mode: no verdicts (the port only copies traffic); a flow the
	 * policy denies is handed once to block_fn, which writes it into the
	 * kernel's deny sets so that its later packets are dropped there */
	int (*block_fn)(void *ctx, const struct flow *f);
	void *block_ctx;
	struct worker_cfg wcfg;
	FILE *report;                  /* flow records as flows end, or NULL */
	struct policy_gen_slot *gens;  /* NULL: every flow passes */
	/* decided flows are marked fw_mark_allow/deny(generation of the decision) */
	uint32_t duration_ms;
	volatile sig_atomic_t *stop;
	/* when *reload becomes non-zero: reset it and call reload_fn (policy
	 * reload: it publishes a new generation, or keeps the old one) */
	volatile sig_atomic_t *reload;
	void (*reload_fn)(void *ctx);
	void *reload_ctx;
	/* status: a counters snapshot written (atomically: temp + rename) to
	 * this file every second, or NULL */
	const char *status_path;
	/* tick: called about once a second with the counters so far (the
	 * shared counters segment publishes from it), or NULL */
	void (*tick_fn)(void *ctx, const struct stats_snapshot *snap,
			const struct hal_port_stats *ps);
	void *tick_ctx;
	/* the board's watchdog, or NULL: started with @watchdog_ms and fed
	 * from the packet loop itself, so only while the worker makes
	 * progress (a worker stuck in a packet stops the feeding and the
	 * watchdog resets the box: the supervisor restarts segwd); stopped
	 * (magic close) on a clean exit */
	struct hal_watchdog *watchdog;
	uint32_t watchdog_ms;
};

int inline_run(const struct inline_cfg *cfg, struct runner_result *res);

#endif
