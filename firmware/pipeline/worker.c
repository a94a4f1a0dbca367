// SPDX-License-Identifier: GPL-2.0-or-later
/* Pipeline worker: see worker.h. */
#include "pipeline/worker.h"

#include <errno.h>
#include <string.h>

#include "dpi/detector.h"
#include "dpi/dpi.h"

_Static_assert(DPI_APP__COUNT <= STATS_MAX_APPS, "an application without counters");
_Static_assert(DPI_CTR__COUNT == CTR_DPI_STATE_RECLAIMED - CTR_DPI_STATE_POOL_EXHAUSTED + 1,
	       "dpi engine counters and their stats names must match one to one");
#include "policy/generation.h"

#define EXPIRE_PERIOD_NS 1000000000ull

static void on_flow_end(void *ctx, struct flow *f, enum flow_end_reason why)
{
	struct worker *w = ctx;
	if (w->report)
		report_flow(w->report, f, why);
	if (!f->dpi_done) /* ended undecided: an Unknown flow */
		STATS_ADD(w->st.app[0].flows, 1);
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
	w->gens = cfg->gens;
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

/* Pick up a newly published generation (zones and policy together). */
static void sync_generation(struct worker *w)
{
	struct policy_gen *g = gen_current(w->gens);
	if (g == w->gen)
		return;
	w->gen = g;
	if (g) {
		w->zones = &g->zones;
		if (w->report)
			w->report->zones = w->zones;
		gen_ack(w->gens, w->id, g->number);
	}
}

/*
 * A rule's rate-limit: new flows per second, as a token bucket per worker
 * holding its share of the rate (at least one), refilled by packet time.
 */
static int rate_take(struct rule_ctr *rc, uint32_t rate, unsigned workers, uint64_t now)
{
	uint32_t share = rate / (workers ? workers : 1);
	if (share == 0)
		share = 1;
	if (rc->bucket_ns == 0 || now < rc->bucket_ns) {
		rc->bucket_ns = now;
		rc->tokens = share;
	} else {
		uint64_t add = (now - rc->bucket_ns) / 1000000000ull * share +
			       (now - rc->bucket_ns) % 1000000000ull * share / 1000000000ull;
		if (add) {
			rc->tokens = (uint32_t)(rc->tokens + add > share ? share : rc->tokens + add);
			rc->bucket_ns = now;
		}
	}
	if (rc->tokens == 0)
		return 0;
	rc->tokens--;
	return 1;
}

/* Evaluate the flow against the generation; returns the packet's verdict. */
static enum verdict policy_stage(struct worker *w, struct flow *f, const struct pkt *p)
{
	struct stats_block *st = &w->st;
	struct policy_gen *g = w->gen;
	if (!g || !g->policy)
		return VERDICT_PASS;
	if (f->policy_gen != g->number) {
		if (f->policy_gen) { /* a new generation: zones and verdict again */
			CTR_INC(st, POLICY_REEVAL);
			int client_is_src = p->dir == 0;
			f->czone = zone_of(&g->zones, f->key.ipver, flow_client_ip(f), client_is_src, p->port);
			f->szone = zone_of(&g->zones, f->key.ipver, flow_server_ip(f), !client_is_src,
					   p->port);
		}
		f->policy_gen = g->number;
		f->decided = 0;
	}
	if (!f->decided) {
		const struct dpi_facts *x = dpi_flow_facts(w->dpi, f);
		struct policy_flow pf = {
			.czone = f->czone,
			.szone = f->szone,
			.ipver = f->key.ipver,
			.proto = f->key.proto,
			.src = flow_client_ip(f),
			.dst = flow_server_ip(f),
			.sport = flow_client_port(f),
			.dport = flow_server_port(f),
			.l7_done = f->dpi_done,
			.app = x ? x->app : f->app,
		};
		if (x && x->server_name[0]) {
			if (pf.app == DPI_APP_HTTP || pf.app == DPI_APP_HTTP_CONNECT)
				pf.host = x->server_name;
			else if (pf.app == DPI_APP_DNS)
				pf.query = x->server_name;
			else
				pf.sni = x->server_name;
		}
		if (x) {
			pf.tls_version = x->tls_version;
			pf.no_sni = (x->flags & DPI_F_NO_SNI) != 0;
			pf.ech = (x->flags & DPI_F_ECH) != 0;
		}
		struct policy_result r;
		CTR_INC(st, POLICY_EVAL);
		policy_lookup(g->policy, &pf, &r);
		if (r.kind == POLICY_PENDING) {
			CTR_INC(st, POLICY_PENDING);
			return VERDICT_PASS; /* mirror/replay: cannot hold; inline mode queues */
		}
		f->decided = 1;
		f->verdict = r.action;
		f->rule_id = r.rule_id;
		f->log = r.log;
		f->rule_index = r.rule_index == UINT32_MAX ? g->policy->n_rules : r.rule_index;
		STATS_ADD(g->ctr[w->id][f->rule_index].flows, 1);
		if (r.rule_index != UINT32_MAX && g->policy->rules[r.rule_index].rate_per_s &&
		    r.action != POLICY_DENY && r.action != POLICY_REJECT &&
		    !rate_take(&g->ctr[w->id][f->rule_index], g->policy->rules[r.rule_index].rate_per_s,
			       g->n_workers, p->ts_ns)) {
			/* over the rule's rate: this new flow is refused (each worker
			 * holds its share of the rate) */
			f->verdict = POLICY_DENY;
			STATS_ADD(g->ctr[w->id][f->rule_index].rate_limited, 1);
			CTR_INC(st, POLICY_RATE_LIMITED);
		}
	}
	struct rule_ctr *rc = &g->ctr[w->id][f->rule_index];
	STATS_ADD(rc->packets, 1);
	STATS_ADD(rc->bytes, p->wire_len);
	if (f->verdict == POLICY_DENY || f->verdict == POLICY_REJECT) {
		if (f->verdict == POLICY_REJECT)
			CTR_INC(st, VERDICT_REJECT);
		STATS_ADD(st->zp[f->czone][f->szone].dropped, 1);
		return VERDICT_DROP;
	}
	return VERDICT_PASS;
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

	if (w->gens)
		sync_generation(w);
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
	if (!f->dpi_done) {
		dpi_flow_packet(w->dpi, f, p, st);
		if (f->dpi_done)
			STATS_ADD(st->app[f->app < STATS_MAX_APPS ? f->app : 0].flows, 1);
	}
	unsigned app = f->dpi_done && f->app < STATS_MAX_APPS ? f->app : 0;
	STATS_ADD(st->app[app].packets, 1);
	STATS_ADD(st->app[app].bytes, p->wire_len);

	if (policy_stage(w, f, p) == VERDICT_DROP) {
		v = drop(w, p, CTR_DROP_POLICY);
		goto out;
	}
	CTR_INC(st, VERDICT_PASS);
out:
	if (p->flags & PKT_F_REASSEMBLED)
		defrag_release(w->df, p);
	return v;
}

/* The engine keeps its own counters (one writer: this thread); publish them
 * under their stats names, in the engine's order (dpi.h DPI_COUNTERS). */
static void copy_dpi_counters(struct worker *w)
{
	const uint64_t *c = dpi_engine_counters(w->dpi);
	for (unsigned i = 0; i < DPI_CTR__COUNT && i <= CTR_DPI_STATE_RECLAIMED - CTR_DPI_STATE_POOL_EXHAUSTED;
	     i++)
		STATS_SET(w->st.c[CTR_DPI_STATE_POOL_EXHAUSTED + i], c[i]);
}

void worker_tick(struct worker *w, uint64_t now_ns)
{
	copy_dpi_counters(w);
	if (now_ns > w->now_ns)
		w->now_ns = now_ns;
	flow_expire(w->ft, w->now_ns, &w->st);
	defrag_expire(w->df, w->now_ns, &w->st);
	w->next_expire_ns = w->now_ns + EXPIRE_PERIOD_NS;
}

void worker_finish(struct worker *w)
{
	flow_flush(w->ft, &w->st);
	copy_dpi_counters(w);
	if (w->report)
		report_flush(w->report);
}
