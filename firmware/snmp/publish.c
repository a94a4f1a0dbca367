// SPDX-License-Identifier: GPL-2.0-or-later
/* segwd's counters segment: see publish.h. */
#include "snmp/publish.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dpi/detector.h"
#include "dpi/dpi.h"
#include "policy/policy.h"
#include "version.h"

enum { T_PORTS, T_COUNTERS, T_DROPS, T_ZONE_PAIRS, T_RULES, T_APPS, T__COUNT };

struct segwd_export {
	struct sx_writer *w;
	const struct board_desc *board;
	uint32_t flow_capacity;
	uint64_t errors;
	pthread_mutex_t mu; /* push result hand-over */
	uint32_t push_result, push_gen;
	uint64_t push_time_s;
	char push_note[128];
	uint8_t oper[STATS_MAX_PORTS]; /* last published ifOperStatus, 0: none yet */
};

static struct segwd_export *g_export; /* the target of segwd_export_notify() */

static const char *const port_cols[] = { "in_octets", "in_packets", "out_octets", "out_packets",
					 "admin", "oper", "speed_mbps" };
static const char *const value_cols[] = { "value" };
static const char *const zp_cols[] = { "flows", "packets", "octets", "dropped" };
static const char *const rule_cols[] = { "flows", "packets", "octets", "rate_limited" };
static const char *const app_cols[] = { "flows", "packets", "octets" };

int segwd_export_open(struct segwd_export **out, const char *dir, const struct board_desc *board,
		      uint32_t rules, uint32_t flow_capacity)
{
	struct segwd_export *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	unsigned drops = 0;
	for (unsigned i = 0; i < CTR__COUNT; i++)
		if (strncmp(stats_ctr_name(i), "drop.", 5) == 0)
			drops++;
	const struct sx_table_spec spec[T__COUNT] = {
		[T_PORTS] = { "ports", port_cols, 7, STATS_MAX_PORTS },
		[T_COUNTERS] = { "counters", value_cols, 1, CTR__COUNT },
		[T_DROPS] = { "drops", value_cols, 1, drops },
		[T_ZONE_PAIRS] = { "zone_pairs", zp_cols, 4, STATS_MAX_ZONES * STATS_MAX_ZONES },
		[T_RULES] = { "rules", rule_cols, 4, rules + 1 < 1024 ? 1024 : rules + 1 },
		[T_APPS] = { "apps", app_cols, 3, 256 },
	};
	int rc = sx_create(&x->w, dir, "segwd", SEGW_VERSION, spec, T__COUNT);
	if (rc) {
		free(x);
		return rc;
	}
	x->board = board;
	x->flow_capacity = flow_capacity;
	x->push_result = SX_PUSH_NONE;
	pthread_mutex_init(&x->mu, NULL);
	sx_begin(x->w);
	sx_set_scalar(x->w, "policy.last_push_result", SX_PUSH_NONE);
	sx_commit(x->w);
	__atomic_store_n(&g_export, x, __ATOMIC_RELEASE);
	*out = x;
	return 0;
}

void segwd_export_close(struct segwd_export *x, int unlink_file)
{
	if (!x)
		return;
	__atomic_store_n(&g_export, NULL, __ATOMIC_RELEASE);
	sx_close(x->w, unlink_file);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

static void put_row(struct sx_writer *w, unsigned t, uint32_t i, uint64_t key, const char *name,
		    const uint64_t *cols, unsigned n)
{
	struct sx_row *r = sx_row(w, t, i);
	r->key = key;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	memcpy(sx_cols(r), cols, n * sizeof(uint64_t));
}

#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void segwd_export_publish(struct segwd_export *x, const struct stats_snapshot *s,
			  const struct zone_map *zones, const struct policy_gen *gen,
			  const struct report_port *ports, unsigned n_ports)
{
	if (!x)
		return;
	struct sx_writer *w = x->w;
	const struct policy *pol = gen ? gen->policy : NULL;
	uint32_t n_rules = pol ? pol->n_rules + 1 : 0;
	if (n_rules && sx_grow(w, T_RULES, n_rules) < 0) { /* kept small: counted */
		x->errors++;
		n_rules = 0;
	}
	sx_begin(w);
	/* ports: the board's, and the run's own port when it is not one of them */
	uint32_t n = 0;
	const struct board_desc *b = x->board;
	for (unsigned i = 0; i <= STATS_MAX_PORTS - 1 && n < STATS_MAX_PORTS; i++) {
		const char *name = NULL;
		const struct hal_port *hp = NULL;
		const struct report_port *rp = NULL;
		for (unsigned k = 0; k < b->n_ports; k++)
			if (b->ports[k].index == i)
				hp = &b->ports[k];
		for (unsigned k = 0; k < n_ports; k++)
			if (ports[k].index == i)
				rp = &ports[k];
		if (hp)
			name = hp->name;
		else if (rp)
			name = rp->name;
		else
			continue;
		uint64_t c[7] = { s->sum.port[i].bytes, s->sum.port[i].packets, 0, 0, 1, 4, 0 };
		if (rp && !hp) { /* the run's own port (a capture): up while it runs */
			c[2] = rp->st.tx_bytes;
			c[3] = rp->st.tx_packets;
			c[5] = 1;
		}
		struct hal_link_state ls;
		if (hp && hal_port_link(hp, &ls) == 0) {
			c[5] = ls.up ? 1 : 2;
			c[6] = ls.speed_mbps;
		}
		/* a change of a known state is a linkDown/linkUp notification */
		if (x->oper[i] && (c[5] == 1 || c[5] == 2) && (x->oper[i] == 1 || x->oper[i] == 2) &&
		    x->oper[i] != c[5])
			segwd_export_notify(c[5] == 1 ? SX_EV_LINK_UP : SX_EV_LINK_DOWN, i, name);
		x->oper[i] = (uint8_t)c[5];
		put_row(w, T_PORTS, n++, i + 1u, name, c, 7);
	}
	sx_set_rows(w, T_PORTS, n);
	/* named counters and drop reasons */
	uint32_t nd = 0;
	for (unsigned i = 0; i < CTR__COUNT; i++) {
		put_row(w, T_COUNTERS, i, i + 1u, stats_ctr_name(i), &s->sum.c[i], 1);
		if (strncmp(stats_ctr_name(i), "drop.", 5) == 0)
			put_row(w, T_DROPS, nd++, i + 1u, stats_ctr_name(i), &s->sum.c[i], 1);
	}
	sx_set_rows(w, T_COUNTERS, CTR__COUNT);
	sx_set_rows(w, T_DROPS, nd);
	/* zone pairs that saw traffic */
	n = 0;
	unsigned nz = zones ? zones->n_zones : 0;
	for (unsigned a = 0; a < nz && a < STATS_MAX_ZONES; a++)
		for (unsigned z = 0; z < nz && z < STATS_MAX_ZONES; z++) {
			const struct stats_zone_pair *zp = &s->sum.zp[a][z];
			if (!zp->flows && !zp->packets)
				continue;
			char name[SX_ROW_NAME_LEN];
			snprintf(name, sizeof(name), "%.20s>%.20s", zones->names[a], zones->names[z]);
			uint64_t c[4] = { zp->flows, zp->packets, zp->bytes, zp->dropped };
			put_row(w, T_ZONE_PAIRS, n++, ((uint64_t)(a + 1) << 8) | (z + 1), name, c, 4);
		}
	sx_set_rows(w, T_ZONE_PAIRS, n);
	/* rules of the generation in force: "default" (key 0) first, then by id */
	if (n_rules) {
		for (uint32_t i = 0; i < n_rules; i++) {
			uint32_t slot = i == 0 ? pol->n_rules : i - 1; /* default is the last slot */
			uint64_t c[4] = { 0, 0, 0, 0 };
			for (unsigned wk = 0; wk < gen->n_workers; wk++) {
				c[0] += LD(gen->ctr[wk][slot].flows);
				c[1] += LD(gen->ctr[wk][slot].packets);
				c[2] += LD(gen->ctr[wk][slot].bytes);
				c[3] += LD(gen->ctr[wk][slot].rate_limited);
			}
			char name[SX_ROW_NAME_LEN];
			if (i == 0)
				snprintf(name, sizeof(name), "default");
			else
				snprintf(name, sizeof(name), "rule %u", pol->rules[slot].id);
			put_row(w, T_RULES, i, i == 0 ? 0 : pol->rules[slot].id, name, c, 4);
		}
	}
	sx_set_rows(w, T_RULES, n_rules);
	/* applications that saw traffic, by classifier id (the key: id + 1) */
	uint32_t na = 0;
	for (unsigned a = 0; a < STATS_MAX_APPS; a++) {
		const struct stats_app *ap = &s->sum.app[a];
		const char *an = dpi_app_name(a);
		if ((!ap->flows && !ap->packets) || !an)
			continue;
		uint64_t c[3] = { ap->flows, ap->packets, ap->bytes };
		put_row(w, T_APPS, na++, a + 1u, an, c, 3);
	}
	sx_set_rows(w, T_APPS, na);
	sx_set_scalar(w, "flows.active", s->sum.flows_active);
	sx_set_scalar(w, "flows.capacity", x->flow_capacity);
	sx_set_scalar(w, "policy.generation", gen ? gen->number : 0);
	sx_set_scalar(w, "policy.rules", pol ? pol->n_rules : 0);
	pthread_mutex_lock(&x->mu);
	sx_set_scalar(w, "policy.last_push_result", x->push_result);
	sx_set_scalar(w, "policy.last_push_time_s", x->push_time_s);
	sx_set_note(w, x->push_note);
	pthread_mutex_unlock(&x->mu);
	sx_set_scalar(w, "export.errors", x->errors);
	if (sx_commit(w))
		x->errors++;
}

void segwd_export_notify(enum sx_event_type type, uint32_t arg, const char *text)
{
	struct segwd_export *x = __atomic_load_n(&g_export, __ATOMIC_ACQUIRE);
	if (x)
		sx_event(x->w, type, arg, text);
}

void segwd_export_push_result(enum sx_push_result result, uint32_t generation, const char *text)
{
	struct segwd_export *x = __atomic_load_n(&g_export, __ATOMIC_ACQUIRE);
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	x->push_result = result;
	x->push_gen = generation;
	x->push_time_s = (uint64_t)time(NULL);
	snprintf(x->push_note, sizeof(x->push_note), "%s", text ? text : "");
	pthread_mutex_unlock(&x->mu);
	static const enum sx_event_type ev[] = {
		[SX_PUSH_APPLIED] = SX_EV_POLICY_APPLIED,
		[SX_PUSH_REJECTED] = SX_EV_POLICY_REJECTED,
		[SX_PUSH_REVERTED] = SX_EV_POLICY_REVERTED,
		[SX_PUSH_CONFIRM_EXPIRED] = SX_EV_CONFIRM_EXPIRED,
	};
	if (result >= SX_PUSH_APPLIED && result <= SX_PUSH_CONFIRM_EXPIRED)
		sx_event(x->w, ev[result], generation, text);
}
