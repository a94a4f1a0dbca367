// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the shared counters segment (firmware/stats/export.c). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "stats/export.h"

static char dir[256];
static const char *const cols2[] = { "a", "b" };

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/segw-export-test.%ld", (long)getpid());
	mkdir(dir, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[512];
	snprintf(p, sizeof(p), "%s/t.stats", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static struct sx_writer *make(uint32_t max_rows)
{
	const struct sx_table_spec spec[] = { { "rules", cols2, 2, max_rows },
					      { "ports", cols2, 1, 4 } };
	struct sx_writer *w = NULL;
	assert_int_equal(sx_create(&w, dir, "t", "1.2.3", spec, 2), 0);
	return w;
}

static void fill(struct sx_writer *w, uint32_t n, uint64_t v)
{
	sx_begin(w);
	assert_int_equal(sx_set_rows(w, 0, n), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct sx_row *r = sx_row(w, 0, i);
		r->key = (uint64_t)i * 3 + 1;
		snprintf(r->name, sizeof(r->name), "r%u", i);
		sx_cols(r)[0] = v;
		sx_cols(r)[1] = v;
	}
	assert_int_equal(sx_commit(w), 0);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct sx_writer *w = make(1000);
	fill(w, 1000, 7);
	sx_begin(w);
	assert_int_equal(sx_set_scalar(w, "flows.active", 42), 0);
	sx_set_note(w, "hello");
	assert_int_equal(sx_commit(w), 0);
	struct sx_reader *r;
	assert_int_equal(sx_reader_open(&r, sx_path(w)), 0);
	struct sx_view v;
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	int t = sx_table(&v, "rules");
	assert_int_equal(t, 0);
	assert_int_equal(sx_table(&v, "nope"), -ENOENT);
	assert_int_equal(sx_rows(&v, 0), 1000);
	assert_string_equal(v.h->version_str, "1.2.3");
	assert_string_equal(v.h->note, "hello");
	uint64_t x;
	assert_int_equal(sx_scalar(&v, "flows.active", &x), 0);
	assert_int_equal(x, 42);
	/* binary search: exact keys, keys between rows, past the end */
	assert_int_equal(sx_find_ge(&v, 0, 0), 0);
	assert_int_equal(sx_find_ge(&v, 0, 1), 0);
	assert_int_equal(sx_find_ge(&v, 0, 2), 1);
	assert_int_equal(sx_find_ge(&v, 0, 2998), 999);
	assert_int_equal(sx_find_ge(&v, 0, 2999), 1000);
	assert_string_equal(sx_row_at(&v, 0, 500)->name, "r500");
	assert_int_equal(sx_row_cols(sx_row_at(&v, 0, 500))[1], 7);
	sx_reader_close(r);
	sx_close(w, 1);
}

static void test_unsorted_refused(void **state)
{
	(void)state;
	struct sx_writer *w = make(4);
	sx_begin(w);
	sx_set_rows(w, 0, 2);
	sx_row(w, 0, 0)->key = 5;
	sx_row(w, 0, 1)->key = 5;
	assert_int_equal(sx_commit(w), -EINVAL);
	sx_begin(w);
	assert_int_equal(sx_set_rows(w, 0, 5), -ENOSPC);
	assert_null(sx_row(w, 0, 4));
	assert_null(sx_row(w, 9, 0));
	sx_commit(w);
	struct sx_reader *r;
	sx_reader_open(&r, sx_path(w));
	struct sx_view v;
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	assert_int_equal(sx_rows(&v, 0), 0); /* emptied, not served unsorted */
	sx_reader_close(r);
	sx_close(w, 1);
}

static void test_grow_and_restart(void **state)
{
	(void)state;
	struct sx_writer *w = make(10);
	fill(w, 10, 1);
	struct sx_reader *r;
	sx_reader_open(&r, sx_path(w));
	struct sx_view v;
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	uint64_t epoch = v.h->epoch_ns;
	sx_event(w, SX_EV_LINK_DOWN, 3, "ext0 down");
	/* 100k rules fit after a grow; rows and events carry over */
	assert_int_equal(sx_grow(w, 0, 100000), 0);
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	assert_int_equal(sx_rows(&v, 0), 10);
	struct sx_event ev[4];
	assert_int_equal(sx_events_since(&v, 0, ev, 4), 1);
	fill(w, 100000, 9);
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	assert_int_equal(sx_rows(&v, 0), 100000);
	assert_int_equal(sx_find_ge(&v, 0, 3 * 77777 + 1), 77777);
	assert_int_equal(v.h->epoch_ns, epoch);
	usleep(2000);
	sx_restart(w);
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	assert_true(v.h->epoch_ns > epoch);
	sx_reader_close(r);
	sx_close(w, 1);
	/* gone: the reader says so */
	sx_reader_open(&r, "/nonexistent/segw/x.stats");
	assert_int_equal(sx_reader_refresh(r, &v), -ENOENT);
	sx_reader_close(r);
}

static void test_events_ring(void **state)
{
	(void)state;
	struct sx_writer *w = make(4);
	struct sx_reader *r;
	sx_reader_open(&r, sx_path(w));
	for (unsigned i = 1; i <= SX_EVENTS + 10; i++) {
		char t[32];
		snprintf(t, sizeof(t), "e%u", i);
		sx_event(w, SX_EV_POLICY_REJECTED, i, t);
	}
	struct sx_view v;
	assert_int_equal(sx_reader_refresh(r, &v), 0);
	struct sx_event ev[SX_EVENTS];
	/* the oldest were overwritten: we get the newest SX_EVENTS, in order */
	unsigned n = sx_events_since(&v, 0, ev, SX_EVENTS);
	assert_int_equal(n, SX_EVENTS);
	assert_int_equal(ev[0].seq, 11);
	assert_int_equal(ev[0].arg, 11);
	assert_string_equal(ev[n - 1].text, "e74");
	assert_int_equal(sx_events_since(&v, SX_EVENTS + 8, ev, SX_EVENTS), 2);
	assert_int_equal(sx_events_since(&v, SX_EVENTS + 10, ev, SX_EVENTS), 0);
	sx_reader_close(r);
	sx_close(w, 1);
}

/* A writer publishing as fast as it can: every copy a reader keeps has all
 * columns of all rows equal (no torn publish), and the writer never waits. */
static volatile int writer_stop;
static void *writer_main(void *arg)
{
	struct sx_writer *w = arg;
	for (uint64_t v = 1; !writer_stop; v++) {
		fill(w, 2000, v);
		/* back to back, but for a breath every 4 publishes: on a loaded
		 * two-core machine (or under ASan) a reader could otherwise find
		 * every attempt overlapping a publish (-EAGAIN, by design) */
		if ((v & 3) == 0) {
			struct timespec ts = { 0, 20 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void test_no_torn_reads(void **state)
{
	(void)state;
	struct sx_writer *w = make(2000);
	fill(w, 2000, 0);
	pthread_t th;
	writer_stop = 0;
	pthread_create(&th, NULL, writer_main, w);
	struct sx_reader *r;
	sx_reader_open(&r, sx_path(w));
	unsigned ok = 0, busy = 0;
	uint64_t last = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100000 && ok < 100; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > 10)
			break;
		struct sx_view v;
		int rc = sx_reader_refresh(r, &v);
		if (rc == -EAGAIN) {
			busy++;
			continue;
		}
		assert_int_equal(rc, 0);
		uint64_t first = sx_row_cols(sx_row_at(&v, 0, 0))[0];
		for (uint32_t k = 0; k < sx_rows(&v, 0); k++) {
			const uint64_t *c = sx_row_cols(sx_row_at(&v, 0, k));
			assert_int_equal(c[0], first);
			assert_int_equal(c[1], first);
		}
		assert_true(first >= last);
		last = first;
		ok++;
	}
	writer_stop = 1;
	pthread_join(th, NULL);
	assert_true(ok > 0);
	print_message("consistent copies: %u, busy: %u, writer publishes seen up to %llu\n", ok,
		      busy, (unsigned long long)last);
	sx_reader_close(r);
	sx_close(w, 1);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	struct sx_writer *w = make(8);
	fill(w, 8, 1);
	FILE *f = fopen(sx_path(w), "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	uint8_t *buf = aligned_alloc(8, (size_t)len);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	struct sx_view v;
	assert_int_equal(sx_parse(buf, (size_t)len, &v), 0);
	assert_int_equal(sx_parse(buf, SX_HEADER_SIZE - 1, &v), -EBADMSG);
	assert_int_equal(sx_parse(buf, (size_t)len - 1, &v), -EBADMSG); /* file_size */
	struct sx_header *h = (struct sx_header *)buf;
	h->table[0].n_rows = 9; /* more than its capacity */
	assert_int_equal(sx_parse(buf, (size_t)len, &v), -EBADMSG);
	h->table[0].n_rows = 8;
	struct sx_row *r1 = (struct sx_row *)(buf + h->table[0].offset + h->table[0].row_size);
	uint64_t k = r1->key;
	r1->key = 0; /* out of order */
	assert_int_equal(sx_parse(buf, (size_t)len, &v), -EBADMSG);
	r1->key = k;
	memset(r1->name, 'x', sizeof(r1->name)); /* unterminated */
	assert_int_equal(sx_parse(buf, (size_t)len, &v), -EBADMSG);
	r1->name[0] = 0;
	h->seq = 3; /* mid-publish */
	assert_int_equal(sx_parse(buf, (size_t)len, &v), -EBADMSG);
	h->seq = 2;
	h->table[1].offset = (uint64_t)len; /* outside */
	h->table[1].n_rows = 1;
	assert_int_equal(sx_parse(buf, (size_t)len, &v), -EBADMSG);
	free(buf);
	sx_close(w, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsorted_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grow_and_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_torn_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
