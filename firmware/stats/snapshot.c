// SPDX-License-Identifier: GPL-2.0-or-later
/* Snapshot aggregation and seqlock hand-over: see snapshot.h. */
#include "stats/snapshot.h"

#include <string.h>

static const char *const ctr_names[CTR__COUNT] = {
#define X(id, name) [CTR_##id] = (name),
	SEGW_COUNTERS(X)
#undef X
};

const char *stats_ctr_name(unsigned id) { return id < CTR__COUNT ? ctr_names[id] : NULL; }

#define LD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void stats_snapshot_take(struct stats_snapshot *out, struct stats_block *const *blocks,
			 unsigned n)
{
	struct stats_block *s = &out->sum;
	memset(s, 0, sizeof(*s));
	for (unsigned w = 0; w < n; w++) {
		const struct stats_block *b = blocks[w];
		for (unsigned i = 0; i < CTR__COUNT; i++)
			s->c[i] += LD(b->c[i]);
		for (unsigned p = 0; p < STATS_MAX_PORTS; p++) {
			s->port[p].packets += LD(b->port[p].packets);
			s->port[p].bytes += LD(b->port[p].bytes);
		}
		for (unsigned a = 0; a < STATS_MAX_ZONES; a++)
			for (unsigned z = 0; z < STATS_MAX_ZONES; z++) {
				s->zp[a][z].flows += LD(b->zp[a][z].flows);
				s->zp[a][z].packets += LD(b->zp[a][z].packets);
				s->zp[a][z].bytes += LD(b->zp[a][z].bytes);
				s->zp[a][z].dropped += LD(b->zp[a][z].dropped);
			}
		for (unsigned a = 0; a < STATS_MAX_APPS; a++) {
			s->app[a].flows += LD(b->app[a].flows);
			s->app[a].packets += LD(b->app[a].packets);
			s->app[a].bytes += LD(b->app[a].bytes);
		}
		s->flows_active += LD(b->flows_active);
		s->heartbeat += LD(b->heartbeat);
	}
}

void stats_publish(struct stats_shared *sh, const struct stats_snapshot *s)
{
	uint32_t seq = __atomic_load_n(&sh->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&sh->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(&sh->snap, s, sizeof(*s));
	__atomic_store_n(&sh->seq, seq + 2, __ATOMIC_RELEASE);
}

void stats_read(const struct stats_shared *sh, struct stats_snapshot *out)
{
	for (;;) {
		uint32_t a = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
		if (a & 1)
			continue;
		memcpy(out, &sh->snap, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&sh->seq, __ATOMIC_RELAXED) == a)
			return;
	}
}
