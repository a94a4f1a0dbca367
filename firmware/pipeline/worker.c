// SPDX-License-Identifier: GPL-2.0-or-later
/* Pipeline worker: see worker.h. */
#include "pipeline/worker.h"

#include <errno.h>
#include <string.h>

#include "dpi/dpi.h"

#define EXPIRE_PERIOD_NS 1000000000ull

static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct worker *w = ctx;
	if (w->report)
		report_flow(w->report, f, why);
	dpi_flow_end(w->dpi, f);
}

int worker_init(struct worker *w, const struct worker_cfg *cfg)
{
	memset(w, 0, sizeof(*w));
	if (!cfg->zones || cfg->flow_slots == 0)
		return -EINVAL;
	w->id = cfg->id;
	w->malformed = cfg->malformed;
	w->zones = cfg->zones;
	w->report = cfg->report;
	w->external_clock = cfg->external_clock;
	struct flow_table_cfg fc = {
		.slots = cfg->flow_slots,
		.full_policy = cfg->full_policy,
		.worker_id = cfg->id,
	};
	memcpy(fc.timeout_s, cfg->timeout_s, sizeof(fc.timeout_s));
	w->ft = flow_table_create(&fc, on_flow_end, w);
	w->df = defrag_create(cfg->frag_contexts ? cfg->frag_contexts : 1,
			      cfg->frag_bytes >= 1280 ? cfg->frag_bytes : 65535);
	w->dpi = dpi_engine_create(cfg->flow_slots);
	if (!w->ft || !w->df || !w->dpi) {
		worker_fini(w);
		return -ENOMEM;
	}
	if (w->report) {
		w->report->zones = w->zones;
		w->report->dpi = w->dpi;
	}
	return 0;
}

void worker_fini(struct worker *w)
{
	flow_table_destroy(w->ft);
	defrag_destroy(w->df);
	dpi_engine_destroy(w->dpi);
	w->ft = NULL;
	w->df = NULL;
	w->dpi = NULL;
}

static enum verdict drop(struct worker *w, struct pkt *p, int reason)
{
	(void)p;
	STATS_ADD(w->st.c[reason], 1);
	CTR_INC(&w->st, VERDICT_DROP);
	return VERDICT_DROP;
}

enum verdict worker_packet(struct worker *w, struct pkt *p, enum decode_result dr)
{
	struct stats_block *st = &w->st;
	enum verdict v = VERDICT_PASS;

	if (!w->external_clock && p->ts_ns >= w->next_expire_ns)
		worker_tick(w, p->ts_ns);
	if (p->port < STATS_MAX_PORTS) {
		STATS_ADD(st->port[p->port].packets, 1);
		STATS_ADD(st->port[p->port].bytes, p->wire_len);
	}

	switch (dr) {
	case DECODE_OK:
		break;
	case DECODE_NON_IP:
		CTR_INC(st, VERDICT_PASS);
		return VERDICT_PASS;
	case DECODE_SKIP_LINK:
		return drop(w, p, CTR_DROP_UNSUPPORTED_LINK);
	case DECODE_MALFORMED:
		if (w->malformed == MALFORMED_PASS) {
			CTR_INC(st, VERDICT_PASS);
			return VERDICT_PASS;
		}
		return drop(w, p, CTR_DROP_MALFORMED);
	case DECODE_FRAGMENT:
		switch (defrag_add(w->df, p, st)) {
		case DEFRAG_HELD:
			return VERDICT_HELD;
		case DEFRAG_DROP:
			CTR_INC(st, VERDICT_DROP);
			return VERDICT_DROP;
		case DEFRAG_MALFORMED:
			return drop(w, p, CTR_DROP_MALFORMED);
		case DEFRAG_DONE:
			break;
		}
		break;
	}

	enum flow_result fr = flow_lookup(w->ft, p, st);
	struct flow *f = p->flow;
	if (fr == FLOW_FULL_DROPPED) {
		v = drop(w, p, CTR_DROP_FLOW_TABLE_FULL);
		goto out;
	}
	if (fr == FLOW_FULL_PASSED) {
		CTR_INC(st, VERDICT_PASS);
		goto out;
	}
	if (fr == FLOW_CREATED) {
		const uint8_t *cip = flow_client_ip(f), *sip = flow_server_ip(f);
		int client_is_src = p->dir == 0;
		f->czone = zone_of(w->zones, f->key.ipver, cip, client_is_src, p->port);
		f->szone = zone_of(w->zones, f->key.ipver, sip, !client_is_src, p->port);
		STATS_ADD(st->zp[f->czone][f->szone].flows, 1);
	}
	STATS_ADD(st->zp[f->czone][f->szone].packets, 1);
	STATS_ADD(st->zp[f->czone][f->szone].bytes, p->wire_len);

	/* classify: the application seam */
	if (!f->dpi_done)
		dpi_flow_packet(w->dpi, f, p, st);

	/* policy: arrives with the policy work; every flow passes until then */
	CTR_INC(st, VERDICT_PASS);
out:
	if (p->flags & PKT_F_REASSEMBLED)
		defrag_release(w->df, p);
	return v;
}

void worker_tick(struct worker *w, uint64_t now_ns)
{
	if (now_ns > w->now_ns)
		w->now_ns = now_ns;
	flow_expire(w->ft, w->now_ns, &w->st);
	defrag_expire(w->df, w->now_ns, &w->st);
	w->next_expire_ns = w->now_ns + EXPIRE_PERIOD_NS;
}

void worker_finish(struct worker *w)
{
	flow_flush(w->ft, &w->st);
	if (w->report)
		report_flush(w->report);
}
