// SPDX-License-Identifier: GPL-2.0-or-later
/* Inline mode: see inline.h. */
#define _GNU_SOURCE
#include "pipeline/inline.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/report.h"
#include "policy/fw_compile.h"
#include "policy/generation.h"
#include "policy/policy.h"

#define BURST 32

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* SEGW_TEST_FAULT=hang-worker@N: seconds after start, or 0 (see inline.h). */
static uint64_t fault_hang_after_ms(void)
{
	const char *f = getenv("SEGW_TEST_FAULT");
	if (!f || strncmp(f, "hang-worker@", 12) != 0)
		return 0;
	char *end;
	unsigned long s = strtoul(f + 12, &end, 10);
	return *end == 0 && s > 0 && s < 86400 ? (uint64_t)s * 1000u : 0;
}

static void write_status(const struct inline_cfg *cfg, struct stats_block *const *blocks,
			 const struct hal_port_stats *ps)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", cfg->status_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	struct stats_snapshot snap;
	stats_snapshot_take(&snap, blocks, 2);
	struct policy_gen *g = cfg->gens ? gen_current(cfg->gens) : NULL;
	struct report_port rp = { .name = cfg->port->name, .zone = NULL, .index = cfg->port->index,
				   .st = *ps };
	report_counters_gen(f, &snap, g ? &g->zones : cfg->wcfg.zones, &rp, 1, "running", NULL, g);
	if (fclose(f) == 0)
		rename(tmp, cfg->status_path);
}

int inline_run(const struct inline_cfg *cfg, struct runner_result *res)
{
	const struct board_pools *bp = &cfg->board->pools;
	struct pktbuf_pool *pool = pktbuf_pool_create(bp->pktbufs, bp->pktbuf_size);
	struct worker *w = calloc(1, sizeof(*w));
	struct stats_block *rx = calloc(1, sizeof(*rx));
	struct report_out *rep = cfg->report ? calloc(1, sizeof(*rep)) : NULL;
	int rc = 0;
	memset(res, 0, sizeof(*res));
	if (!pool || !w || !rx || (cfg->report && !rep)) {
		rc = -ENOMEM;
		goto out;
	}
	cfg->port->pool = pool;
	struct worker_cfg wc = cfg->wcfg;
	wc.id = 0;
	wc.external_clock = 0;
	wc.gens = cfg->gens;
	if (rep) {
		rep->f = cfg->report;
		rep->mu = NULL;
	}
	wc.report = rep;
	rc = worker_init(w, &wc);
	if (rc)
		goto out;
	struct stats_block *blocks[2] = { &w->st, rx };
	uint64_t start = now_ms(), last_status = 0, last_feed = 0;
	uint64_t hang_at = fault_hang_after_ms();
	struct pktbuf *v[BURST];
	int fd = hal_port_pollfd(cfg->port);
	struct hal_watchdog *wd = cfg->watchdog;
	if (wd && wd->ops->start(wd, cfg->watchdog_ms) != 0)
		wd = NULL; /* no watchdog: said by the caller's log, not fatal */
	while (!*cfg->stop) {
		uint64_t t = now_ms();
		if (cfg->duration_ms && t - start >= cfg->duration_ms)
			break;
		if (hang_at && t - start >= hang_at) {
			/* the fault hook: no progress, until the watchdog acts */
			struct timespec hang = { 1, 0 };
			nanosleep(&hang, NULL);
			continue;
		}
		if (wd && t - last_feed >= cfg->watchdog_ms / 4) {
			wd->ops->feed(wd);
			last_feed = t;
		}
		if (cfg->reload && *cfg->reload) {
			*cfg->reload = 0;
			if (cfg->reload_fn)
				cfg->reload_fn(cfg->reload_ctx);
		}
		if ((cfg->status_path || cfg->tick_fn) && t - last_status >= 1000) {
			struct hal_port_stats ps;
			hal_port_stats(cfg->port, &ps);
			if (cfg->status_path)
				write_status(cfg, blocks, &ps);
			if (cfg->tick_fn) {
				struct stats_snapshot snap;
				stats_snapshot_take(&snap, blocks, 2);
				cfg->tick_fn(cfg->tick_ctx, &snap, &ps);
			}
			last_status = t;
			if (rep)
				report_flush(rep);
			fflush(cfg->report);
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		/* idle time still ages flows: the clock is the wall clock here */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t wall = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (wall >= w->next_expire_ns)
			worker_tick(w, wall);
		int n = hal_port_rx_burst(cfg->port, v, BURST);
		if (n < 0) {
			rc = n;
			break;
		}
		for (int i = 0; i < n; i++) {
			struct pkt *p = v[i]->meta;
			p->ts_ns = v[i]->ts_ns;
			p->port = v[i]->port;
			enum decode_result dr =
				decode_frame(p, v[i]->data, v[i]->len, v[i]->wire_len, v[i]->link, rx);
			CTR_INC(rx, RX_PACKETS);
			CTR_ADD(rx, RX_BYTES, v[i]->wire_len);
			enum verdict vd = worker_packet(w, p, dr);
			struct flow *f = (dr == DECODE_OK || dr == DECODE_FRAGMENT) ? p->flow : NULL;
			if (cfg->block_fn) { /* tap: nothing to answer */
				if (f && f->in_use && f->decided && !f->blocked &&
				    (f->verdict == POLICY_DENY || f->verdict == POLICY_REJECT)) {
					f->blocked = 1;
					cfg->block_fn(cfg->block_ctx, f);
				}
				pktbuf_free(pool, v[i]);
				continue;
			}
			uint32_t mark = 0;
			if (f && f->in_use && f->decided && f->policy_gen) {
				if (vd == VERDICT_DROP)
					mark = fw_mark_deny(f->policy_gen);
				else if (vd == VERDICT_PASS && f->verdict == POLICY_ALLOW)
					mark = fw_mark_allow(f->policy_gen);
			}
			hal_port_verdict(cfg->port, v[i], vd != VERDICT_DROP, mark);
			pktbuf_free(pool, v[i]);
		}
		STATS_ADD(w->st.heartbeat, 1);
	}
	if (wd && wd->ops->stop)
		wd->ops->stop(wd);
	worker_finish(w);
	hal_port_stats(cfg->port, &res->port_stats);
	if (cfg->status_path)
		write_status(cfg, blocks, &res->port_stats);
	stats_snapshot_take(&res->snap, blocks, 2);
	worker_fini(w);
out:
	cfg->port->pool = NULL;
	pktbuf_pool_destroy(pool);
	free(w);
	free(rx);
	free(rep);
	return rc;
}
