// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of core/ring.h, the SPSC pointer ring, including two threads. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "test_util.h"

#include "core/ring.h"

#define V(i) ((void *)(uintptr_t)(i))

static void test_capacity(void **state)
{
	(void)state;
	static const struct {
		uint32_t ask, cap;
	} c[] = { { 0, 2 }, { 1, 2 }, { 2, 2 }, { 3, 4 }, { 5, 8 }, { 8, 8 }, { 1000, 1024 } };
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct ring *r = ring_create(c[k].ask);
		assert_non_null(r);
		for (uint32_t i = 0; i < c[k].cap; i++)
			assert_int_equal(ring_push(r, V(i + 1)), 1);
		assert_int_equal(ring_push(r, V(99)), 0); /* full */
		for (uint32_t i = 0; i < c[k].cap; i++)
			assert_ptr_equal(ring_pop(r), V(i + 1));
		assert_null(ring_pop(r)); /* empty */
		ring_destroy(r);
	}
	ring_destroy(NULL);
}

/* FIFO order across many wraps of the slot array and of the 32-bit indexes. */
static void test_wrap(void **state)
{
	(void)state;
	struct ring *r = ring_create(4);
	assert_non_null(r);
	r->head = r->tail = UINT32_MAX - 5; /* indexes about to wrap */
	uintptr_t next_in = 1, next_out = 1;
	for (int round = 0; round < 1000; round++) {
		int n = 1 + round % 4;
		for (int i = 0; i < n; i++)
			assert_int_equal(ring_push(r, V(next_in++)), 1);
		if (n == 4)
			assert_int_equal(ring_push(r, V(0)), 0);
		for (int i = 0; i < n; i++)
			assert_ptr_equal(ring_pop(r), V(next_out++));
		assert_null(ring_pop(r));
	}
	assert_true(r->head < 10000); /* it did wrap */
	ring_destroy(r);
}

#define ITEMS 200000u

struct side {
	struct ring *r;
	uintptr_t got;
	uintptr_t bad;
};

static void *producer(void *arg)
{
	struct side *s = arg;
	for (uintptr_t i = 1; i <= ITEMS; i++)
		while (!ring_push(s->r, V(i)))
			sched_yield();
	return NULL;
}

static void *consumer(void *arg)
{
	struct side *s = arg;
	uintptr_t want = 1;
	while (want <= ITEMS) {
		void *p = ring_pop(s->r);
		if (!p) {
			sched_yield();
			continue;
		}
		if ((uintptr_t)p != want)
			s->bad++;
		want = (uintptr_t)p + 1;
		s->got++;
	}
	return NULL;
}

/* One producer and one consumer thread: every item arrives once, in order. */
static void test_two_threads(void **state)
{
	(void)state;
	struct side s = { ring_create(64), 0, 0 };
	assert_non_null(s.r);
	pthread_t a, b;
	assert_int_equal(pthread_create(&b, NULL, consumer, &s), 0);
	assert_int_equal(pthread_create(&a, NULL, producer, &s), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.got, ITEMS);
	assert_null(ring_pop(s.r));
	ring_destroy(s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
