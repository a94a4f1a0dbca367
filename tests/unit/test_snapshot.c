// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of stats/snapshot: aggregation, names, seqlock publish/read. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "test_util.h"

#include "stats/counters.h"
#include "stats/snapshot.h"

static void fill(struct stats_block *b, uint64_t k)
{
	for (unsigned i = 0; i < CTR__COUNT; i++)
		b->c[i] = k * 1000 + i;
	for (unsigned p = 0; p < STATS_MAX_PORTS; p++) {
		b->port[p].packets = k + p;
		b->port[p].bytes = 100 * k + p;
	}
	for (unsigned a = 0; a < STATS_MAX_ZONES; a++)
		for (unsigned z = 0; z < STATS_MAX_ZONES; z++) {
			b->zp[a][z].flows = k;
			b->zp[a][z].packets = k * (a + 1);
			b->zp[a][z].bytes = k * (z + 1);
			b->zp[a][z].dropped = k + a + z;
		}
	b->flows_active = k * 3;
	b->heartbeat = k * 7;
}

static void test_aggregate(void **state)
{
	(void)state;
	struct stats_block *b = calloc(3, sizeof(*b));
	struct stats_snapshot *s = calloc(1, sizeof(*s));
	assert_non_null(b);
	assert_non_null(s);
	fill(&b[0], 1);
	fill(&b[1], 2);
	fill(&b[2], 4);
	struct stats_block *const v[3] = { &b[0], &b[1], &b[2] };
	memset(s, 0xee, sizeof(*s));
	stats_snapshot_take(s, v, 3);
	for (unsigned i = 0; i < CTR__COUNT; i++)
		assert_int_equal(s->sum.c[i], 7000 + 3 * i);
	for (unsigned p = 0; p < STATS_MAX_PORTS; p++) {
		assert_int_equal(s->sum.port[p].packets, 7 + 3 * p);
		assert_int_equal(s->sum.port[p].bytes, 700 + 3 * p);
	}
	for (unsigned a = 0; a < STATS_MAX_ZONES; a++)
		for (unsigned z = 0; z < STATS_MAX_ZONES; z++) {
			assert_int_equal(s->sum.zp[a][z].flows, 7);
			assert_int_equal(s->sum.zp[a][z].packets, 7 * (a + 1));
			assert_int_equal(s->sum.zp[a][z].bytes, 7 * (z + 1));
			assert_int_equal(s->sum.zp[a][z].dropped, 7 + 3 * (a + z));
		}
	assert_int_equal(s->sum.flows_active, 21);
	assert_int_equal(s->sum.heartbeat, 49);

	/* a subset, and none at all */
	stats_snapshot_take(s, v + 1, 1);
	assert_int_equal(s->sum.c[0], 2000);
	stats_snapshot_take(s, v, 0);
	assert_int_equal(s->sum.c[CTR__COUNT - 1], 0);
	assert_int_equal(s->sum.flows_active, 0);
	free(b);
	free(s);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(stats_ctr_name(CTR_RX_PACKETS), "rx.packets");
	assert_string_equal(stats_ctr_name(CTR_DEC_VLAN_TOO_DEEP), "decode.vlan.too_deep");
	assert_string_equal(stats_ctr_name(CTR_FRAG_OVERLAP), "frag.overlap");
	assert_string_equal(stats_ctr_name(CTR_DROP_MALFORMED), "drop.malformed");
	assert_null(stats_ctr_name(CTR__COUNT));
	assert_null(stats_ctr_name(~0u));
	/* every name: present, hierarchical, lower case, unique */
	for (unsigned i = 0; i < CTR__COUNT; i++) {
		const char *n = stats_ctr_name(i);
		assert_non_null(n);
		assert_non_null(strchr(n, '.'));
		for (const char *c = n; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
				    *c == '.' || *c == '_');
		for (unsigned j = 0; j < i; j++)
			if (strcmp(n, stats_ctr_name(j)) == 0)
				fail_msg("counter name %s used twice", n);
	}
}

static void test_publish_read(void **state)
{
	(void)state;
	struct stats_shared *sh = calloc(1, sizeof(*sh));
	struct stats_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	assert_non_null(sh);
	assert_non_null(a);
	assert_non_null(b);
	fill(&a->sum, 5);
	a->taken_ns = 123;
	a->epoch_ns = 45;
	stats_publish(sh, a);
	assert_int_equal(sh->seq % 2, 0);
	assert_int_not_equal(sh->seq, 0);
	stats_read(sh, b);
	assert_memory_equal(a, b, sizeof(*a));
	free(sh);
	free(a);
	free(b);
}

#define ROUNDS 3000u

struct seq_test {
	struct stats_shared sh;
	struct stats_snapshot w, r;
	unsigned torn;
	unsigned backwards;
	unsigned reads;
};

static void *writer(void *arg)
{
	struct seq_test *t = arg;
	for (uint64_t k = 1; k <= ROUNDS; k++) {
		fill(&t->w.sum, k);
		t->w.taken_ns = k;
		stats_publish(&t->sh, &t->w);
		if (k % 64 == 0)
			sched_yield();
	}
	return NULL;
}

/* Readers never see a half-written snapshot, and never go back in time. */
static void test_seqlock_threads(void **state)
{
	(void)state;
	struct seq_test *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, writer, t), 0);
	uint64_t last = 0;
	while (last < ROUNDS) {
		stats_read(&t->sh, &t->r);
		uint64_t k = t->r.taken_ns;
		t->reads++;
		if (k < last)
			t->backwards++;
		last = k;
		/* every field must come from the same publish (k == 0: none yet,
		 * the shared area is still all zero) */
		if (k == 0) {
			if (t->r.sum.c[CTR__COUNT - 1] != 0 || t->r.sum.heartbeat != 0)
				t->torn++;
		} else if (t->r.sum.c[0] != k * 1000 ||
			   t->r.sum.c[CTR__COUNT - 1] != k * 1000 + CTR__COUNT - 1 ||
			   t->r.sum.zp[15][15].dropped != k + 30 || t->r.sum.heartbeat != k * 7) {
			t->torn++;
		}
	}
	pthread_join(th, NULL);
	assert_int_equal(t->torn, 0);
	assert_int_equal(t->backwards, 0);
	assert_true(t->reads >= 1);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_publish_read),
		cmocka_unit_test(test_seqlock_threads),
	};
	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
