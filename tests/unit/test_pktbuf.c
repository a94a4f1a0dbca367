// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the pktbuf pool (hal/src/pktbuf.c). */
#include <stdlib.h>

#include "test_util.h"

#include "segw/hal/pktbuf.h"

static void test_create_limits(void **state)
{
	(void)state;
	assert_null(pktbuf_pool_create(0, 2048));
	assert_null(pktbuf_pool_create(4, 63));
	struct pktbuf_pool *p = pktbuf_pool_create(4, 64);
	assert_non_null(p);
	assert_int_equal(pktbuf_pool_count(p), 4);
	assert_int_equal(pktbuf_pool_data_size(p), 64);
	assert_int_equal(pktbuf_pool_avail(p), 4);
	pktbuf_pool_destroy(p);
	pktbuf_pool_destroy(NULL);
}

/* Every buffer is distinct, its data and meta areas do not overlap any
 * other's, meta is 64-byte aligned, and an empty pool says NULL. */
static void test_exhaust_and_isolation(void **state)
{
	(void)state;
	enum { N = 8, SZ = 100 };
	struct pktbuf_pool *p = pktbuf_pool_create(N, SZ);
	assert_non_null(p);
	struct pktbuf *b[N];
	for (int i = 0; i < N; i++) {
		b[i] = pktbuf_alloc(p);
		assert_non_null(b[i]);
		assert_int_equal(pktbuf_pool_avail(p), N - 1 - i);
		assert_int_equal(b[i]->len, 0);
		assert_true(((uintptr_t)b[i]->meta & 63) == 0);
		memset(b[i]->data, 0x10 + i, SZ);
		memset(b[i]->meta, 0x80 + i, PKTBUF_META_SIZE);
	}
	assert_null(pktbuf_alloc(p));
	assert_null(pktbuf_alloc(p));
	assert_int_equal(pktbuf_pool_avail(p), 0);
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < SZ; j++)
			assert_int_equal(b[i]->data[j], 0x10 + i);
		for (unsigned j = 0; j < PKTBUF_META_SIZE; j++)
			assert_int_equal(((uint8_t *)b[i]->meta)[j], 0x80 + i);
		for (int k = i + 1; k < N; k++) {
			assert_ptr_not_equal(b[i], b[k]);
			assert_int_not_equal(b[i]->idx, b[k]->idx);
		}
		assert_true(b[i]->idx < N);
	}
	for (int i = 0; i < N; i++)
		pktbuf_free(p, b[i]);
	assert_int_equal(pktbuf_pool_avail(p), N);
	pktbuf_free(p, NULL);
	assert_int_equal(pktbuf_pool_avail(p), N);
	pktbuf_pool_destroy(p);
}

/* A freed buffer comes back (last freed, first out) reset for the next user. */
static void test_reuse_resets(void **state)
{
	(void)state;
	struct pktbuf_pool *p = pktbuf_pool_create(2, 256);
	assert_non_null(p);
	struct pktbuf *a = pktbuf_alloc(p);
	uint8_t *start = a->data;
	a->data += 14; /* a driver may have moved the start */
	a->len = 200;
	a->wire_len = 1500;
	a->flags = 3;
	pktbuf_free(p, a);
	struct pktbuf *c = pktbuf_alloc(p);
	assert_ptr_equal(c, a);
	assert_ptr_equal(c->data, start);
	assert_int_equal(c->len, 0);
	assert_int_equal(c->wire_len, 0);
	assert_int_equal(c->flags, 0);
	pktbuf_free(p, c);
	pktbuf_pool_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_limits),
		cmocka_unit_test(test_exhaust_and_isolation),
		cmocka_unit_test(test_reuse_resets),
	};
	return cmocka_run_group_tests_name("pktbuf", tests, NULL, NULL);
}
