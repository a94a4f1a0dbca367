// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: firmware/dpi/stream.c (bounded reassembly). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "dpi/stream.h"

static struct dpi_stream s;

static void test_in_order_and_out_of_order(void **state)
{
	(void)state;
	uint32_t n;
	dpi_stream_reset(&s);
	assert_int_equal(dpi_stream_tcp(&s, 0, 1000, (const uint8_t *)"abc", 3), 0);
	assert_int_equal(dpi_stream_tcp(&s, 0, 1006, (const uint8_t *)"ghi", 3), 0);
	const uint8_t *d = dpi_stream_data(&s, 0, &n);
	assert_int_equal(n, 3); /* a hole at 3..6 */
	assert_int_equal(dpi_stream_tcp(&s, 0, 1003, (const uint8_t *)"def", 3), 0);
	d = dpi_stream_data(&s, 0, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(d, "abcdefghi", 9);
	/* a retransmission overlapping the origin adds nothing */
	assert_int_equal(dpi_stream_tcp(&s, 0, 998, (const uint8_t *)"xxabc", 5), 0);
	dpi_stream_data(&s, 0, &n);
	assert_int_equal(n, 9);
	/* the other direction is independent */
	dpi_stream_data(&s, 1, &n);
	assert_int_equal(n, 0);
}

static void test_one_byte_segments(void **state)
{
	(void)state;
	uint32_t n;
	uint8_t b;
	dpi_stream_reset(&s);
	for (uint32_t i = 0; i < 500; i++) {
		b = (uint8_t)i;
		assert_int_equal(dpi_stream_tcp(&s, 1, 0xfffffff0u + i, &b, 1), 0); /* wraps */
	}
	const uint8_t *d = dpi_stream_data(&s, 1, &n);
	assert_int_equal(n, 500);
	assert_int_equal(d[499], (uint8_t)499);
}

static void test_hole_limit_and_window(void **state)
{
	(void)state;
	uint32_t n;
	uint8_t x[4] = { 1, 2, 3, 4 };
	dpi_stream_reset(&s);
	assert_int_equal(dpi_stream_write(&s, 0, 0, x, 1), 0);
	for (unsigned i = 1; i < DPI_STREAM_RANGES; i++)
		assert_int_equal(dpi_stream_write(&s, 0, 10 * i, x, 1), 0);
	/* a ninth disjoint range is refused, the data kept so far stays */
	assert_int_equal(dpi_stream_write(&s, 0, 1000, x, 1), -EBUSY);
	dpi_stream_data(&s, 0, &n);
	assert_int_equal(n, 1);
	/* filling a hole merges ranges */
	assert_int_equal(dpi_stream_write(&s, 0, 1, x, 4), 0);
	/* beyond the window: truncated, counted by the caller */
	dpi_stream_reset(&s);
	assert_false(dpi_stream_truncated(&s, 0));
	assert_int_equal(dpi_stream_write(&s, 0, dpi_stream_cap(0) - 2, x, 4), -ENOSPC);
	assert_true(dpi_stream_truncated(&s, 0));
	assert_int_equal(dpi_stream_write(&s, 0, dpi_stream_cap(0) + 5, x, 4), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_out_of_order),
		cmocka_unit_test(test_one_byte_segments),
		cmocka_unit_test(test_hole_limit_and_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
